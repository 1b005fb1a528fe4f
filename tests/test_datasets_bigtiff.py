"""helpers.datasets.segmentation reads the LandCover.ai photos (up to 9000 x 9500) without touching PIL's
process-wide decompression-bomb limit, with the pixels Pillow would give."""
from __future__ import annotations

import types

import numpy as np
import pytest
from PIL import Image

from helpers.datasets import segmentation


def test_big_tiff_is_read_without_lifting_the_global_limit(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    photo, mask = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8), rng.integers(0, 5, (48, 64), dtype=np.uint8)
    Image.fromarray(photo).save(tmp_path / "photo.tif", compression="tiff_lzw")
    Image.fromarray(mask).save(tmp_path / "mask.tif")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # these 3,072-pixel files now count as "bombs"
    with pytest.raises(Image.DecompressionBombError):
        Image.open(tmp_path / "photo.tif")

    writes = []

    class Watched(types.ModuleType):
        def __setattr__(self, name, value):
            writes.append((name, value))
            super().__setattr__(name, value)

    monkeypatch.setattr(Image, "__class__", Watched)  # records every assignment to PIL.Image's globals
    np.testing.assert_array_equal(segmentation._read_big_image(tmp_path / "photo.tif", "RGB"), photo)
    np.testing.assert_array_equal(segmentation._read_big_image(tmp_path / "mask.tif", "L"), mask)
    assert writes == [] and Image.MAX_IMAGE_PIXELS == 100
    grey = np.asarray(Image.fromarray(photo).convert("L"))
    assert np.abs(segmentation._read_big_image(tmp_path / "photo.tif", "L").astype(int) - grey).max() <= 1
    with pytest.raises(ValueError, match="not an image"):
        segmentation._read_big_image(tmp_path / "missing.tif", "RGB")
