"""helpers.datasets.segmentation: Oxford-IIIT Pet masks (TFDS mock data), the Kaggle ultrasound nerve
archive and LandCover.ai (a local HTTP server on 127.0.0.1), and the KerasHub segmenter's offline error.

Nothing here leaves the machine: the Kaggle API and the LandCover.ai host are served locally.
"""
from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import numpy as np
import pytest
from tests.fakes import make_zip as zip_bytes
from tests.fakes import tif_bytes
from tests.localserver import closed_port_url

from helpers import datasets as D
from helpers import synthetic as S
from helpers.datasets import catalogue as C
from helpers.datasets import segmentation

pytestmark = pytest.mark.usefixtures("isolated_data_dir")



# ---------------------------------------------------------------- Oxford-IIIT Pet masks

def test_pet_masks_smoke():
    (x, m), (xv, mv) = D.load_pet_masks(smoke=True, image_size=(48, 40), n_train=10, n_val=4)
    assert x.shape == (10, 48, 40, 3) and m.shape == (10, 48, 40, 1) and xv.shape == (4, 48, 40, 3)
    assert x.dtype == m.dtype == np.uint8 and set(np.unique(m)) == {0, 1}
    assert (m.reshape(10, -1).mean(axis=1) > 0).all()


def test_pet_masks_full_through_tfds_mock_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DLCV_TFDS_PROBE", "0")  # mock_data replaces the download: nothing to probe
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=6):
        (x, m), (xv, mv) = D.load_pet_masks(smoke=False, data_dir=tmp_path, image_size=(32, 24), n_train=4)
    assert x.shape == (4, 32, 24, 3) and m.shape == (4, 32, 24, 1)
    assert xv.shape == (6, 32, 24, 3) and mv.shape == (6, 32, 24, 1)
    assert x.dtype == m.dtype == np.uint8 and set(np.unique(m)) <= {0, 1}


def test_pet_masks_trimap_outline_counts_as_pet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Trimap 1 (pet) and 3 (outline) become 1, trimap 2 (background) becomes 0."""
    import tensorflow as tf

    trimap = np.full((8, 8, 1), 2, np.uint8)
    trimap[2:6, 2:6] = 1
    trimap[2, 2:6] = 3
    image = np.zeros((8, 8, 3), np.uint8)
    fake = tf.data.Dataset.from_tensors({"image": image, "segmentation_mask": trimap})
    monkeypatch.setattr(segmentation, "load_tfds", lambda *a, **k: fake)
    (x, m), _ = D.load_pet_masks(smoke=False, data_dir=tmp_path, image_size=(16, 16))
    expected = np.kron((trimap[..., 0] != 2).astype(np.uint8), np.ones((2, 2), np.uint8))
    assert np.array_equal(m[0, ..., 0], expected)


# ---------------------------------------------------------------- Kaggle ultrasound nerve

def nerve_archive(nested: bool = False) -> bytes:
    rng = np.random.default_rng(0)
    members = {}
    for i in (1, 2, 10):
        image = rng.integers(0, 255, (42, 58), dtype=np.uint8)
        mask = np.zeros((42, 58), np.uint8)
        mask[10:20 + i, 5:30] = 255
        members[f"train/1_{i}.tif"] = tif_bytes(image)
        members[f"train/1_{i}_mask.tif"] = tif_bytes(mask)
    members["test/1.tif"] = tif_bytes(rng.integers(0, 255, (42, 58), dtype=np.uint8))
    if nested:
        return zip_bytes({"train.zip": zip_bytes({k: v for k, v in members.items() if k.startswith("train/")}),
                          "sample_submission.csv": b"img,pixels\n"})
    return zip_bytes(members)


API_PATH = "/api/v1/competitions/data/download-all/ultrasound-nerve-segmentation"


def serve_kaggle(server, monkeypatch, auth: str, archive: bytes) -> None:
    # the API answers with a redirect to another host (localhost instead of 127.0.0.1), like Kaggle's signed URLs
    server.add(API_PATH, status=302, headers={"Location": "http://localhost:{port}/storage/nerve.zip"}, need_auth=auth)
    server.add("/storage/nerve.zip", archive)
    monkeypatch.setattr(C, "KAGGLE_API_URL", server.base + "/api/v1")


@pytest.mark.parametrize("nested", [False, True])
def test_nerve_full_with_username_and_key(server, monkeypatch, tmp_path: Path, nested: bool):
    monkeypatch.setenv("KAGGLE_USERNAME", "student")
    monkeypatch.setenv("KAGGLE_KEY", "secret")
    auth = "Basic " + base64.b64encode(b"student:secret").decode()
    serve_kaggle(server, monkeypatch, auth, nerve_archive(nested))
    assert D.has_kaggle_credentials()
    x, m = D.load_ultrasound_nerve(smoke=False, data_dir=tmp_path, image_size=(21, 29))
    assert x.shape == m.shape == (3, 21, 29, 1) and x.dtype == m.dtype == np.uint8
    assert set(np.unique(m)) == {0, 1}
    assert [int(k.sum()) for k in m[..., 0]] == sorted(int(k.sum()) for k in m[..., 0])  # 1_1, 1_2, 1_10 order
    storage = [s for s in server.seen if s[1] == "/storage/nerve.zip"]
    assert storage and all(a is None for _, _, a in storage), "credentials leaked to the redirect's host"
    # cached: no network and no credentials needed any more
    monkeypatch.delenv("KAGGLE_USERNAME")
    hits = len(server.seen)
    x2, m2 = D.load_ultrasound_nerve(smoke=False, data_dir=tmp_path, image_size=(21, 29), max_images=2)
    assert len(server.seen) == hits and x2.shape == (2, 21, 29, 1)


def test_nerve_full_with_kaggle_json_and_with_a_token(server, monkeypatch, tmp_path: Path):
    config = tmp_path / "kaggle-config"
    config.mkdir()
    (config / "kaggle.json").write_text(json.dumps({"username": "u", "key": "k"}))
    assert D.has_kaggle_credentials()
    serve_kaggle(server, monkeypatch, "Bearer KGAT_x", nerve_archive())
    monkeypatch.setenv("KAGGLE_API_TOKEN", "KGAT_x")  # a token wins over kaggle.json
    x, _ = D.load_ultrasound_nerve(smoke=False, data_dir=tmp_path / "a", image_size=(16, 16))
    assert x.shape == (3, 16, 16, 1)


def test_nerve_without_credentials_is_one_clear_error(tmp_path: Path):
    assert not D.has_kaggle_credentials()
    with pytest.raises(D.DownloadError) as info:
        D.load_ultrasound_nerve(smoke=False, data_dir=tmp_path)
    message = str(info.value)
    for part in ("Kaggle account", "kaggle.json", C.NERVE_RULES_URL, "DLCV_SMOKE=1", "load_pet_masks",
                 str(tmp_path / "ultrasound_nerve")):
        assert part in message
    assert not list(tmp_path.rglob("*.zip"))


def test_nerve_rejected_credentials_name_the_rules(server, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("KAGGLE_API_TOKEN", "wrong")
    serve_kaggle(server, monkeypatch, "Bearer right", nerve_archive())
    with pytest.raises(D.DownloadError, match="(?s)HTTP 401.*accept the competition rules"):
        D.load_ultrasound_nerve(smoke=False, data_dir=tmp_path)
    assert not [p for p in (tmp_path / "ultrasound_nerve").iterdir() if p.suffix in (".zip", ".part")]


def test_nerve_offline_fails_fast(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("KAGGLE_API_TOKEN", "t")
    monkeypatch.setattr(C, "KAGGLE_API_URL", closed_port_url("/api/v1"))
    start = time.monotonic()
    with pytest.raises(D.DownloadError, match="Could not download Kaggle ultrasound nerve"):
        D.load_ultrasound_nerve(smoke=False, data_dir=tmp_path)
    assert time.monotonic() - start < 5


def test_nerve_smoke():
    x, m = D.load_ultrasound_nerve(smoke=True, image_size=(32, 32), max_images=12)
    assert x.shape == m.shape == (12, 32, 32, 1)
    ref_x, ref_m = S.ultrasound_images(12, 32)
    assert np.array_equal(x, ref_x) and np.array_equal(m, ref_m)


# ---------------------------------------------------------------- LandCover.ai

def landcover_archive(names=("a", "b", "c")) -> bytes:
    rng = np.random.default_rng(1)
    members = {"landcover.ai.v1/split.py": b"# tiles the photos\n"}
    for name in names:
        labels = np.kron(rng.integers(0, 5, (12, 15)), np.ones((8, 8), int)).astype(np.uint8)  # 96 x 120
        photo = S.AERIAL_COLOURS[labels]
        members[f"landcover.ai.v1/images/{name}.tif"] = tif_bytes(photo)
        members[f"landcover.ai.v1/masks/{name}.tif"] = tif_bytes(labels)
    return zip_bytes(members)


def test_landcover_full_from_local_server(server, tmp_path: Path):
    server.add("/landcover.ai.v1.zip", landcover_archive())
    (x, m), (xv, mv) = D.load_landcover(smoke=False, data_dir=tmp_path, url=server.base + "/landcover.ai.v1.zip",
                                        tile_size=16, downscale=2, n_train=6, n_val=3)
    assert x.shape == (6, 16, 16, 3) and m.shape == (6, 16, 16) and xv.shape == (3, 16, 16, 3)
    assert x.dtype == m.dtype == np.uint8 and set(np.unique(np.concatenate([m, mv]))) <= set(range(5))
    # the photo's colour says its class: most tile pixels agree with the mask
    dist = ((x[..., None, :].astype(int) - S.AERIAL_COLOURS.astype(int)) ** 2).sum(-1)
    assert (dist.argmin(-1) == m).mean() > 0.8
    assert (tmp_path / "landcover.ai.v1" / "landcover.ai.v1" / "images" / "c.tif").is_file()
    # cached: a second call does not download again and the same seed gives the same tiles
    hits = len(server.seen)
    (x2, m2), _ = D.load_landcover(smoke=False, data_dir=tmp_path, url=server.base + "/landcover.ai.v1.zip",
                                   tile_size=16, downscale=2, n_train=6, n_val=3)
    assert len(server.seen) == hits and np.array_equal(x, x2) and np.array_equal(m, m2)


def test_landcover_bad_archive_and_offline(server, tmp_path: Path):
    server.add("/bad.zip", zip_bytes({"readme.txt": b"no photos"}))
    with pytest.raises(D.DownloadError, match="does not look like LandCover.ai"):
        D.load_landcover(smoke=False, data_dir=tmp_path, url=server.base + "/bad.zip")
    url = closed_port_url("/landcover.ai.v1.zip")
    with pytest.raises(D.DownloadError) as info:
        D.load_landcover(smoke=False, data_dir=tmp_path / "off", url=url)
    assert url in str(info.value) and "DLCV_SMOKE=1" in str(info.value)


def test_landcover_smoke_and_bad_input():
    (x, m), (xv, mv) = D.load_landcover(smoke=True, tile_size=32, n_train=5, n_val=2)
    assert x.shape == (5, 32, 32, 3) and m.shape == (5, 32, 32) and mv.shape == (2, 32, 32)
    assert D.class_names("landcover_ai") == list(S.AERIAL_CLASSES)
    for kwargs in ({"tile_size": 8}, {"downscale": 0}, {"n_train": -1}, {"max_photos": 0}):
        with pytest.raises(ValueError):
            D.load_landcover(smoke=True, **kwargs)
