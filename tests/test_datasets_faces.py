"""helpers.datasets.faces: LFW (smoke: skimage's lfw_subset; full: TFDS through mock_data)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers.datasets import load_lfw
from helpers.datasets.catalogue import DATASETS as CATALOGUE


def test_smoke_is_lfw_subset_faces() -> None:
    import skimage.data

    images, labels, names = load_lfw(smoke=True, image_size=(25, 25))
    assert images.shape == (100, 25, 25, 3) and images.dtype == np.uint8
    np.testing.assert_array_equal(labels, np.arange(100))
    assert len(names) == 100 and names[7] == "lfw_subset face 7"
    expected = (skimage.data.lfw_subset()[:100] * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(images[..., 0], expected)
    np.testing.assert_array_equal(images[..., 0], images[..., 2])


def test_smoke_resizes() -> None:
    images, _, _ = load_lfw(smoke=True, image_size=(64, 48))
    assert images.shape == (100, 64, 48, 3)
    assert 60 < images.mean() < 200


def test_catalogue_url_is_the_archive_tfds_downloads(tmp_path: Path) -> None:
    """The catalogue names the file TFDS's lfw builder really fetches (read from TFDS's checksums, offline)."""
    import tensorflow_datasets as tfds

    builder = tfds.builder("lfw", data_dir=tmp_path)
    assert CATALOGUE["lfw"]["url"] in builder.url_infos, (CATALOGUE["lfw"]["url"], list(builder.url_infos))
    assert not builder.is_prepared() and not any(tmp_path.iterdir())  # reading the metadata downloaded nothing


@pytest.mark.parametrize("kwargs", [{"image_size": 64}, {"image_size": (0, 5)}, {"min_images": 0},
                                    {"crop": 4}, {"crop": 300}, {"max_per_person": 1, "min_images": 2}])
def test_rejects_bad_input(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        load_lfw(smoke=True, **kwargs)


def test_full_through_tfds_mock_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The full-mode path with tfds.testing.mock_data: random 250x250 photos, random names."""
    monkeypatch.setenv("DLCV_TFDS_PROBE", "0")  # mock_data replaces the download: nothing to probe
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=12):
        images, labels, names = load_lfw(smoke=False, data_dir=tmp_path, image_size=(32, 32), min_images=1,
                                         crop=100)
    assert images.shape == (12, 32, 32, 3) and images.dtype == np.uint8
    assert labels.shape == (12,) and labels.min() == 0 and labels.max() == len(names) - 1
    assert names == sorted(names) and all(isinstance(n, str) for n in names)
    with tfds.testing.mock_data(num_examples=5), pytest.raises(ValueError, match="min_images"):
        load_lfw(smoke=False, data_dir=tmp_path, min_images=6, max_per_person=None)
