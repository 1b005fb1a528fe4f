"""helpers.datasets.video: UCF101 loader (smoke stand-in and the TFDS path under mock_data)."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import datasets
from helpers.datasets.catalogue import DATASETS
from helpers.datasets.video import load_ucf101, uniform_indices


def test_uniform_indices():
    assert uniform_indices(80, 8).tolist() == [5, 15, 25, 35, 45, 55, 65, 75]
    assert uniform_indices(3, 6).tolist() == [0, 0, 1, 1, 2, 2]
    with pytest.raises(ValueError):
        uniform_indices(0, 4)


def test_smoke_returns_direction_clips():
    (xtr, ytr), (xte, yte), names = load_ucf101(smoke=True, frames=8, size=40, n_per_class=(200, 100))
    assert xtr.shape == (800, 8, 40, 40, 3) and xte.shape == (400, 8, 40, 40, 3)
    assert xtr.dtype == np.uint8 and ytr.dtype == np.int64
    assert names == ["right", "left", "down", "up"] and set(ytr) == set(yte) == {0, 1, 2, 3}
    assert np.array_equal(xtr[..., 0], xtr[..., 2])  # grey digits as RGB
    assert not np.array_equal(xtr[:10], xte[:10])
    assert datasets.load_ucf101 is load_ucf101
    assert DATASETS["ucf101"]["source"] == "tfds:ucf101"


@pytest.mark.parametrize("kwargs", [{"frames": 0}, {"n_classes": 102}, {"n_per_class": (5,)}, {"size": -3}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        load_ucf101(smoke=True, **kwargs)


def test_full_mode_with_mock_data(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DLCV_TFDS_PROBE", "0")  # mock_data replaces the download: nothing to probe
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=12):
        (xtr, ytr), (_, yte), names = load_ucf101(smoke=False, data_dir=tmp_path, n_classes=101, frames=4,
                                                    size=16, n_per_class=(2, 1))
    assert xtr.shape[1:] == (4, 16, 16, 3) and xtr.dtype == np.uint8
    assert 1 <= len(xtr) <= 12 and len(ytr) == len(xtr) and ytr.dtype == np.int64
    assert np.bincount(ytr).max() <= 2 and (len(yte) == 0 or np.bincount(yte).max() <= 1)
    assert len(names) == 101 and ytr.max() < 101
