"""helpers.datasets.video: UCF101 loader (smoke stand-in, and full mode on clips we know frame by frame)."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from helpers.datasets import video
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


@pytest.mark.parametrize("kwargs", [{"frames": 0}, {"n_classes": 102}, {"n_per_class": (5,)}, {"size": -3}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        load_ucf101(smoke=True, **kwargs)


def _clip(label: int, n_frames: int) -> dict:
    """A 12x12 clip whose frame t is filled with the value t, so the sampled frames can be read back."""
    frames = np.repeat(np.arange(n_frames, dtype=np.uint8)[:, None, None, None], 12, axis=1)
    frames = np.repeat(np.repeat(frames, 12, axis=2), 3, axis=3)
    return {"video": frames, "label": np.int64(label)}


@pytest.fixture
def fake_tfds(monkeypatch, tmp_path):
    """Full mode's TFDS call answered with known clips, in TFDS's own ucf101 format and class names."""
    info = tfds.builder("ucf101", data_dir=tmp_path / "info").info  # metadata only: nothing is downloaded
    splits = {"train": [(0, 30), (1, 16), (7, 20), (0, 20), (2, 9), (0, 40), (1, 16), (2, 30), (1, 50)],
              "test": [(2, 10), (5, 10), (0, 24), (1, 8), (0, 8)]}
    calls = []

    def load_tfds(name, *, split, data_dir, as_supervised, dataset, with_info=False):
        calls.append((name, split, data_dir, as_supervised, dataset))
        clips = [_clip(label, n) for label, n in splits[split]]
        ds = tf.data.Dataset.from_generator(lambda: iter(clips), output_signature={
            "video": tf.TensorSpec((None, 12, 12, 3), tf.uint8), "label": tf.TensorSpec((), tf.int64)})
        return (ds, info) if with_info else ds

    monkeypatch.setattr(video, "load_tfds", load_tfds)
    return info, calls


def test_full_mode_samples_caps_and_names_like_tfds_ucf101(fake_tfds, tmp_path):
    info, calls = fake_tfds
    assert set(info.features) == {"video", "label"}  # the keys the loader reads, as TFDS defines them
    (xtr, ytr), (xte, yte), names = load_ucf101(smoke=False, data_dir=tmp_path, n_classes=3, frames=4, size=6,
                                                  n_per_class=(2, 1))
    assert [c[:2] for c in calls] == [("ucf101", "train"), ("ucf101", "test")]
    assert all(c[2] == tmp_path and c[3] is False for c in calls)
    assert DATASETS["ucf101"]["source"] == f"tfds:{calls[0][0]}"
    assert names == info.features["label"].names[:3] == ["ApplyEyeMakeup", "ApplyLipstick", "Archery"]
    # train: the first two clips of each class below 3, in file order (class 7 skipped); stops once all are full
    assert ytr.tolist() == [0, 1, 0, 2, 1, 2] and ytr.dtype == np.int64
    assert yte.tolist() == [2, 0, 1]
    assert xtr.shape == (6, 4, 6, 6, 3) and xtr.dtype == np.uint8
    # frame t of a clip is filled with t: the kept frames are uniform_indices(len, 4), resized without change
    for clip, n in zip(xtr, [30, 16, 20, 9, 16, 30]):
        np.testing.assert_array_equal(clip[:, 0, 0, 0], uniform_indices(n, 4))
        assert (clip == clip[:, :1, :1, :1]).all()
    np.testing.assert_array_equal(xte[:, :, 3, 3, 1], [uniform_indices(n, 4) for n in (10, 24, 8)])


def test_full_mode_with_a_class_missing(fake_tfds, tmp_path):
    """Fewer clips than asked for: what exists is returned, in the same shapes, not an error."""
    (xtr, ytr), (xte, yte), names = load_ucf101(smoke=False, data_dir=tmp_path, n_classes=6, frames=2, size=4,
                                                  n_per_class=(5, 5))
    assert np.bincount(ytr, minlength=6).tolist() == [3, 3, 2, 0, 0, 0] and len(names) == 6
    assert np.bincount(yte, minlength=6).tolist() == [2, 1, 1, 0, 0, 1] and xte.shape == (5, 2, 4, 4, 3)
