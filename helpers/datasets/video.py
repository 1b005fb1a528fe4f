"""Video datasets: UCF101 through TFDS in full mode, seeded moving-digit clips in smoke mode.

Both modes return the same types: ``((x_train, y_train), (x_test, y_test), class_names)`` with
clips uint8 (N, frames, size, size, 3), labels int64 and a list of class names.  TensorFlow and
TFDS are imported inside the function that needs them.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from helpers import checks
from helpers.config import resolve_smoke
from helpers.datasets.classification import load_mnist
from helpers.tfds_loader import load_tfds
from helpers.synthetic.video import direction_names, moving_digits



def uniform_indices(n_frames: int, frames: int) -> np.ndarray:
    """``frames`` frame indices spread evenly over a clip of ``n_frames`` (repeats when the clip is short)."""
    if n_frames <= 0 or frames <= 0:
        raise ValueError(f"n_frames and frames must be positive, got {n_frames} and {frames}")
    return np.floor((np.arange(frames) + 0.5) * n_frames / frames).astype(int)


def _smoke(frames: int, size: int, counts: tuple[int, int], seed: int) -> tuple[tuple, tuple, list[str]]:
    (digits, _), (test_digits, _) = load_mnist(smoke=True)
    out = []
    for part, (pool, n) in enumerate(((digits, counts[0]), (test_digits, counts[1]))):
        clips, labels, _ = moving_digits(pool, n, frames=frames, size=size, seed=seed + part, wrap=True)  # no single-frame leak
        out.append((np.repeat(clips[..., None], 3, axis=-1), labels))
    return out[0], out[1], list(direction_names(4))


def _ucf_split(ds: Any, n_classes: int, per_class: int, frames: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    import tensorflow as tf

    counts = np.zeros(n_classes, int)
    clips, labels = [], []
    for example in ds.filter(lambda ex: ex["label"] < n_classes).as_numpy_iterator():
        label = int(example["label"])
        if counts[label] >= per_class:
            if counts.min() >= per_class:
                break
            continue
        video = example["video"]
        picked = video[uniform_indices(len(video), frames)]
        resized = tf.image.resize(picked, (size, size), antialias=True).numpy()
        clips.append(np.clip(np.rint(resized), 0, 255).astype(np.uint8))
        labels.append(label)
        counts[label] += 1
    if not clips:
        return np.zeros((0, frames, size, size, 3), np.uint8), np.zeros(0, np.int64)
    return np.stack(clips), np.asarray(labels, np.int64)


def load_ucf101(smoke: bool | None = None, data_dir: str | os.PathLike | None = None, n_classes: int = 5,
                frames: int = 8, size: int = 64, n_per_class: tuple[int, int] = (60, 20),
                seed: int = 0) -> tuple[tuple, tuple, list[str]]:
    """UCF101 subset as ((x_train, y_train), (x_test, y_test), class_names); clips uint8 (N, frames, size, size, 3).

    Full mode keeps the first ``n_classes`` classes of TFDS ``ucf101`` (split 1), at most
    ``n_per_class`` = (train, test) clips each, ``frames`` frames sampled uniformly over each clip
    and resized to ``size``.  Smoke mode returns 4 x ``n_per_class`` moving-digit clips whose 4 classes are the
    motion directions (``n_classes`` does not apply there), ``n_per_class`` clips of each on average.
    """
    frames, size = checks.positive_int("frames", frames), checks.positive_int("size", size)
    n_classes = checks.positive_int("n_classes", n_classes)
    if n_classes > 101:
        raise ValueError(f"UCF101 has 101 classes, got n_classes={n_classes}")
    if len(n_per_class) != 2:
        raise ValueError(f"n_per_class must be (train, test), got {n_per_class!r}")
    per_train, per_test = (checks.positive_int("n_per_class", v) for v in n_per_class)
    if resolve_smoke(smoke):
        return _smoke(frames, size, (4 * per_train, 4 * per_test), seed)
    from helpers.datasets import catalogue
    from helpers.download import _data_dir

    catalogue.announce_download("ucf101", _data_dir(data_dir) / "tfds" / "ucf101")
    train, info = load_tfds("ucf101", split="train", data_dir=data_dir, as_supervised=False, with_info=True,
                            dataset="UCF101")
    test = load_tfds("ucf101", split="test", data_dir=data_dir, as_supervised=False, dataset="UCF101")
    names = list(info.features["label"].names[:n_classes])
    return (_ucf_split(train, n_classes, per_train, frames, size),
            _ucf_split(test, n_classes, per_test, frames, size), names)
