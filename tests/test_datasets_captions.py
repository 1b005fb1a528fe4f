"""helpers.datasets.captions: Flickr8k from a local HTTP server (real archive layout) and the smoke stand-in."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from tests.fakes import make_zip as zip_bytes
from tests.localserver import closed_port_url

from helpers.datasets import captions as D
from helpers.datasets import catalogue as C
from helpers.download import DownloadError


def jpeg(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buf, "JPEG")
    return buf.getvalue()


NAMES = [f"{i}_abc.jpg" for i in range(6)]


def flickr_archives() -> tuple[bytes, bytes]:
    images = zip_bytes({f"Flicker8k_Dataset/{n}": jpeg((40 * i, 10, 200)) for i, n in enumerate(NAMES)})
    tokens = "".join(f"{n}#{k}\tA dog  number {i} runs , caption {k} .\n" for i, n in enumerate(NAMES) for k in range(5))
    text = zip_bytes({"Flickr8k.token.txt": tokens.encode(),
                      "Flickr_8k.trainImages.txt": "\n".join(NAMES[:3]).encode(),
                      "Flickr_8k.devImages.txt": NAMES[3].encode(),
                      "Flickr_8k.testImages.txt": "\n".join(NAMES[4:] + ["missing.jpg"]).encode()})
    return images, text


def test_flickr8k_full_from_local_server(server, tmp_path: Path):
    images, text = flickr_archives()
    server.add("/Flickr8k_Dataset.zip", images)
    server.add("/Flickr8k_text.zip", text)
    urls = {"images_url": server.base + "/Flickr8k_Dataset.zip", "text_url": server.base + "/Flickr8k_text.zip"}
    data = D.load_flickr8k(smoke=False, data_dir=tmp_path, image_size=32, **urls)
    assert set(data) == {"train", "val", "test"}
    x, caps = data["train"]
    assert x.shape == (3, 32, 32, 3) and x.dtype == np.uint8
    assert caps[1] == [f"A dog number 1 runs , caption {k} ." for k in range(5)]
    assert abs(int(x[2, ..., 0].mean()) - 80) < 6 and x[2, ..., 2].mean() > 180  # colour kept, RGB order
    assert len(data["val"][1]) == 1 and len(data["test"][1]) == 2  # a listed file without a photo is skipped
    hits = len(server.seen)
    again = D.load_flickr8k(smoke=False, data_dir=tmp_path, image_size=32, max_images=2, **urls)
    assert len(server.seen) == hits, "the second call must use the cache"
    assert again["train"][0].shape == (2, 32, 32, 3) and np.array_equal(again["train"][0], x[:2])


def test_flickr8k_offline_is_one_clear_error(tmp_path: Path):
    with pytest.raises(DownloadError, match="Flickr8k"):
        D.load_flickr8k(smoke=False, data_dir=tmp_path, text_url=closed_port_url("/Flickr8k_text.zip"))


def test_read_flickr_tokens(tmp_path: Path):
    path = tmp_path / "t.txt"
    path.write_text("a.jpg#0\tOne  cat .\na.jpg#1\tTwo cats\n\nb.jpg#0\tA dog\n")
    assert D.read_flickr_tokens(path) == {"a.jpg": ["One cat .", "Two cats"], "b.jpg": ["A dog"]}
    path.write_text("no tab here\n")
    with pytest.raises(ValueError, match="expected"):
        D.read_flickr_tokens(path)


def test_flickr8k_smoke_is_digit_scenes():
    data = D.load_flickr8k(smoke=True, max_images=20, image_size=48)
    x, caps = data["test"]
    assert x.shape == (20, 48, 48, 3) and x.dtype == np.uint8
    assert np.array_equal(x[..., 0], x[..., 2])
    assert all(len(c) == 2 and c[0].startswith("a ") for c in caps)
    assert set(C.DATASETS["flickr8k"]) >= {"title", "url", "sha256", "source", "license", "smoke"}


@pytest.mark.parametrize("kwargs", [{"max_images": 0}, {"image_size": 8}, {"max_images": 2.5}])
def test_flickr8k_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        D.load_flickr8k(smoke=True, **kwargs)
