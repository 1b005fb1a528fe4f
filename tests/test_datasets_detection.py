"""helpers.datasets.detection: the Penn-Fudan loader (against a local HTTP server), boxes from masks,
and the class-name tables.

Every network test talks to a server on 127.0.0.1 started here; nothing leaves the machine.
"""
from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from helpers import datasets as D
from helpers.datasets import catalogue as C
from tests.localserver import LocalServer, closed_port_url

pytestmark = pytest.mark.usefixtures("isolated_data_dir")


# ---------------------------------------------------------------- a tiny Penn-Fudan archive

def png_bytes(array: np.ndarray, palette: bool = False) -> bytes:
    from PIL import Image

    if palette:  # Penn-Fudan's masks are palette PNGs whose indices are the instance ids
        image = Image.new("P", (array.shape[1], array.shape[0]))
        image.putdata(array.ravel().tolist())
        image.putpalette([v for i in range(256) for v in (i * 40 % 256, i * 90 % 256, i * 20 % 256)])
    else:
        image = Image.fromarray(array)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def fake_penn_fudan(top: str = "PennFudanPed/") -> tuple[bytes, list[np.ndarray], list[np.ndarray]]:
    """A zip shaped like PennFudanPed.zip with two photos; returns (zip bytes, photos, expected boxes)."""
    rng = np.random.default_rng(0)
    photos, masks = [rng.integers(0, 255, (40, 50, 3), dtype=np.uint8),
                     rng.integers(0, 255, (36, 30, 3), dtype=np.uint8)], []
    m1 = np.zeros((40, 50), np.uint8)
    m1[5:30, 3:12] = 1                       # person 1: rows 5..29, cols 3..11
    m1[10:38, 20:31] = 2                     # person 2
    m2 = np.zeros((36, 30), np.uint8)
    m2[2:35, 10:19] = 1
    masks = [m1, m2]
    boxes = [np.array([[3, 5, 12, 30], [20, 10, 31, 38]], np.float32), np.array([[10, 2, 19, 35]], np.float32)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i, (photo, mask) in enumerate(zip(photos, masks), start=1):
            zf.writestr(f"{top}PNGImages/FudanPed{i:05d}.png", png_bytes(photo))
            zf.writestr(f"{top}PedMasks/FudanPed{i:05d}_mask.png", png_bytes(mask, palette=True))
            zf.writestr(f"{top}Annotation/FudanPed{i:05d}.txt", "# the loader reads the masks, not these\n")
        zf.writestr(f"{top}readme.txt", "tiny test copy\n")
    return buf.getvalue(), photos, boxes


# ---------------------------------------------------------------- Penn-Fudan

def test_boxes_from_mask() -> None:
    mask = np.zeros((10, 12), np.uint8)
    mask[2:5, 3:7] = 1
    mask[6:10, 0:2] = 3                       # ids need not be consecutive
    np.testing.assert_array_equal(D.boxes_from_mask(mask), [[3, 2, 7, 5], [0, 6, 2, 10]])
    assert D.boxes_from_mask(np.zeros((4, 4))).shape == (0, 4)
    with pytest.raises(ValueError, match="2-D array"):
        D.boxes_from_mask(np.zeros((2, 2, 2)))


def test_load_penn_fudan_downloads_extracts_and_parses(server: LocalServer, tmp_path: Path) -> None:
    body, photos, boxes = fake_penn_fudan()
    url = server.add("/ped_html/PennFudanPed.zip", body)
    images, got_boxes, masks = D.load_penn_fudan(smoke=False, data_dir=tmp_path / "cache", url=url)
    assert len(images) == len(got_boxes) == len(masks) == 2
    for image, photo, b, expected, mask in zip(images, photos, got_boxes, boxes, masks):
        np.testing.assert_array_equal(image, photo)
        assert image.dtype == np.uint8 and image.shape == photo.shape
        np.testing.assert_array_equal(b, expected)
        assert b.dtype == np.float32
        assert mask.shape == photo.shape[:2] and set(np.unique(mask)) == set(range(len(expected) + 1))
    assert (tmp_path / "cache" / "PennFudanPed.zip").is_file()
    # cached: a second call (also with max_images) does not download again
    images, got_boxes, _ = D.load_penn_fudan(smoke=False, data_dir=tmp_path / "cache", url=url, max_images=1)
    assert len(images) == 1 and server.hits("/ped_html/PennFudanPed.zip") == 1


def test_load_penn_fudan_accepts_a_flat_archive(server: LocalServer, tmp_path: Path) -> None:
    body, photos, boxes = fake_penn_fudan(top="")
    url = server.add("/flat/PennFudanPed.zip", body)
    images, got_boxes, _ = D.load_penn_fudan(smoke=False, data_dir=tmp_path, url=url)
    np.testing.assert_array_equal(got_boxes[0], boxes[0])


def test_load_penn_fudan_rejects_a_wrong_archive(server: LocalServer, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("something/else.txt", "not the dataset")
    url = server.add("/wrong/PennFudanPed.zip", buf.getvalue())
    with pytest.raises(D.DownloadError, match="does not look like Penn-Fudan"):
        D.load_penn_fudan(smoke=False, data_dir=tmp_path, url=url)


def test_load_penn_fudan_offline_is_one_clear_error(tmp_path: Path) -> None:
    url = closed_port_url("/PennFudanPed.zip")
    t = time.perf_counter()
    with pytest.raises(D.DownloadError) as info:
        D.load_penn_fudan(smoke=False, data_dir=tmp_path, url=url)
    assert time.perf_counter() - t < 30
    message = str(info.value)
    assert "Penn-Fudan" in message and url in message and "DLCV_SMOKE=1" in message
    assert str(tmp_path / "PennFudanPed.zip") in message
    assert not (tmp_path / "PennFudanPed.zip").exists()


def test_load_penn_fudan_smoke_is_the_synthetic_stand_in() -> None:
    images, boxes, masks = D.load_penn_fudan(smoke=True)
    assert len(images) == len(boxes) == len(masks) == C.SMOKE_PENN_FUDAN
    assert images[0].dtype == np.uint8 and images[0].ndim == 3 and boxes[0].dtype == np.float32
    np.testing.assert_array_equal(D.boxes_from_mask(masks[0]), boxes[0])
    assert len(D.load_penn_fudan(smoke=True, max_images=3)[0]) == 3


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_load_penn_fudan_rejects_bad_max_images(bad) -> None:
    with pytest.raises(ValueError, match="max_images"):
        D.load_penn_fudan(smoke=True, max_images=bad)


def test_penn_fudan_is_described_and_coco_names_are_listed() -> None:
    assert "Penn-Fudan" in D.describe("penn_fudan", smoke=False)
    assert "pedestrian_scenes" in D.describe("penn_fudan", smoke=True)
    names = D.class_names("coco")
    assert len(names) == 80 and names[0] == "person" and names[15] == "cat" and names[-1] == "toothbrush"
    assert D.class_names("penn_fudan") == ["background", "pedestrian"]
