"""helpers.synthetic.faces: seeded cartoon faces with known landmarks and attributes."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from helpers.synthetic import cartoon_faces
from helpers.synthetic.faces import ATTRIBUTES, LANDMARK_NAMES


def test_shapes_ranges_and_seed() -> None:
    images, marks, attrs = cartoon_faces(64, size=40, seed=3)
    assert images.shape == (64, 40, 40) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert marks.shape == (64, len(LANDMARK_NAMES), 2)
    assert set(attrs) == set(ATTRIBUTES)
    for name, k in ATTRIBUTES.items():
        assert attrs[name].shape == (64,) and set(np.unique(attrs[name])) <= set(range(k))
    again = cartoon_faces(64, size=40, seed=3)
    np.testing.assert_array_equal(images, again[0])
    np.testing.assert_array_equal(marks, again[1])
    assert not np.array_equal(images, cartoon_faces(64, size=40, seed=4)[0])


def test_landmark_geometry() -> None:
    _, marks, attrs = cartoon_faces(300, size=40, seed=0)
    assert np.all((marks > 2) & (marks < 38)), "every landmark lies inside the image"
    eyes_mid, mouth_mid = marks[:, :2].mean(1), marks[:, 3:].mean(1)
    assert np.all(mouth_mid[:, 1] > eyes_mid[:, 1] + 5), "the mouth is below the eyes (rotation at most 15 deg)"
    assert np.all(marks[:, 0, 0] < marks[:, 1, 0]), "left eye on the image left"
    # pose moves the inner features sideways relative to the face: the nose's offset from the
    # eye midpoint grows with the pose class
    offset = marks[:, 2, 0] - eyes_mid[:, 0]
    means = [offset[attrs["pose"] == p].mean() for p in range(5)]
    assert all(a < b for a, b in itertools.pairwise(means)), means


def test_attributes_change_pixels() -> None:
    """Glasses darken the eye region; the other attributes are independent draws of the seed."""
    images, marks, attrs = cartoon_faces(400, size=40, seed=1)
    ring = []
    for im, m in zip(images, marks):
        x, y = np.round(m[0]).astype(int)
        ring.append(im[max(0, y - 4):y + 5, max(0, x - 4):x + 5].mean())
    ring = np.array(ring)
    assert ring[attrs["glasses"] == 1].mean() < ring[attrs["glasses"] == 0].mean() - 0.02
    for name, k in ATTRIBUTES.items():
        counts = np.bincount(attrs[name], minlength=k)
        assert counts.min() > 400 / k / 2, (name, counts)


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": -1}, {"n": 2.5}, {"n": True}, {"n": 3, "size": 8}])
def test_rejects_bad_input(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        cartoon_faces(**kwargs)
