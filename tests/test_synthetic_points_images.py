"""helpers.synthetic: toy 2-D problems and the seeded image stand-ins."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import synthetic


@pytest.mark.parametrize("kind", synthetic.TOY_KINDS)
def test_toy_2d_shapes_dtypes_and_balance(kind: str) -> None:
    x, y = synthetic.toy_2d(kind, n=401, noise=0.05, seed=3)
    assert x.shape == (401, 2) and x.dtype == np.float32
    assert y.shape == (401,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert abs(int(y.sum()) - 200) <= 30  # roughly balanced (xor is balanced in expectation)
    assert np.all(np.abs(x) < 2.0)
    assert np.isfinite(x).all()


@pytest.mark.parametrize("kind", synthetic.TOY_KINDS)
def test_toy_2d_is_deterministic_per_seed(kind: str) -> None:
    a = synthetic.toy_2d(kind, n=100, seed=7)
    b = synthetic.toy_2d(kind, n=100, seed=7)
    c = synthetic.toy_2d(kind, n=100, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_toy_2d_geometry_matches_the_kind() -> None:
    x, y = synthetic.toy_2d("circles", n=1000, noise=0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r[y == 0].max() <= 0.5 + 1e-6 and r[y == 1].min() >= 0.7 - 1e-6
    x, y = synthetic.toy_2d("xor", n=1000, noise=0.0)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] < 0).astype(np.int64))
    x, y = synthetic.toy_2d("gaussians", n=1000, noise=0.0)
    assert x[y == 0].mean(axis=0) == pytest.approx([-0.5, -0.5], abs=0.05)
    assert x[y == 1].mean(axis=0) == pytest.approx([0.5, 0.5], abs=0.05)


def test_toy_2d_noise_zero_vs_positive() -> None:
    clean, _ = synthetic.toy_2d("moons", n=300, noise=0.0, seed=1)
    noisy, _ = synthetic.toy_2d("moons", n=300, noise=0.3, seed=1)
    assert not np.allclose(clean, noisy)


@pytest.mark.parametrize("kwargs, match", [
    ({"kind": "donut"}, "circles, xor"),
    ({"kind": "xor", "n": 0}, "positive int"),
    ({"kind": "xor", "n": -5}, "positive int"),
    ({"kind": "xor", "n": 2.5}, "positive int"),
    ({"kind": "xor", "noise": -0.1}, "noise"),
    ({"kind": "xor", "noise": float("nan")}, "noise"),
])
def test_toy_2d_rejects_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        synthetic.toy_2d(**kwargs)


@pytest.mark.parametrize("size, channels, n_classes", [(28, 1, 10), (32, 3, 10), (32, 3, 100), (16, 1, 20)])
def test_class_images_shapes_and_balance(size: int, channels: int, n_classes: int) -> None:
    x, y = synthetic.class_images(200, size, channels, n_classes, seed=0)
    assert x.shape == (200, size, size, channels) and x.dtype == np.uint8
    assert y.shape == (200,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1
    assert x.min() < 40 and x.max() > 200  # full contrast range is used


def test_class_images_deterministic_and_seed_dependent() -> None:
    a = synthetic.class_images(30, 32, 3, 10, seed=5)
    b = synthetic.class_images(30, 32, 3, 10, seed=5)
    c = synthetic.class_images(30, 32, 3, 10, seed=6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_class_images_classes_differ_in_their_pixels() -> None:
    # Each silhouette has its own mean foreground coverage: the class means are distinct.
    x, y = synthetic.class_images(1000, 28, 1, 10, seed=0, noise=0.0)
    means = np.stack([x[y == c].astype(float).mean(axis=0).ravel() for c in range(10)])
    dists = np.linalg.norm(means[:, None] - means[None], axis=-1)
    off_diagonal = dists[~np.eye(10, dtype=bool)]
    assert off_diagonal.min() > 100.0, off_diagonal.min()


@pytest.mark.parametrize("kwargs", [
    {"n": 0}, {"size": 4}, {"channels": 2}, {"n_classes": 1}, {"n_classes": 101}, {"noise": -1.0},
])
def test_class_images_rejects_bad_input(kwargs: dict) -> None:
    args = {"n": 10, "size": 32, "channels": 3, "n_classes": 10} | kwargs
    with pytest.raises(ValueError):
        synthetic.class_images(**args)


def test_balanced_labels() -> None:
    y = synthetic.balanced_labels(25, 5, seed=2)
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [5] * 5
    np.testing.assert_array_equal(y, synthetic.balanced_labels(25, 5, seed=2))


def test_two_class_photos_shapes_order_and_determinism() -> None:
    x, y = synthetic.two_class_photos(6, (48, 64), seed=0)
    assert x.shape == (12, 48, 64, 3) and x.dtype == np.uint8
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [6, 6]
    assert not np.array_equal(y, np.sort(y)) or len(y) < 4  # shuffled
    x2, y2 = synthetic.two_class_photos(6, (48, 64), seed=0)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    x3, _ = synthetic.two_class_photos(6, (48, 64), seed=1)
    assert not np.array_equal(x, x3)


def test_two_class_photos_colour_alone_does_not_give_the_class() -> None:
    x, y = synthetic.two_class_photos(100, (32, 32), seed=0)
    mean_rgb = x.reshape(len(x), -1, 3).mean(axis=1)
    gap = np.abs(mean_rgb[y == 0].mean(axis=0) - mean_rgb[y == 1].mean(axis=0))
    spread = mean_rgb.std(axis=0)
    assert np.all(gap < spread)  # class means of the average colour overlap heavily


@pytest.mark.parametrize("kwargs", [{"n_per_class": 0}, {"image_size": (8, 8)}, {"image_size": (32,)}])
def test_two_class_photos_rejects_bad_input(kwargs: dict) -> None:
    args = {"n_per_class": 2, "image_size": (32, 32)} | kwargs
    with pytest.raises(ValueError):
        synthetic.two_class_photos(**args)
