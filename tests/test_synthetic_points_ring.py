"""helpers.synthetic.points: the seeded ring of Gaussians (gaussian_ring)."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import synthetic


def test_gaussian_ring_shapes_centres_and_spread():
    pts, centres = synthetic.gaussian_ring(4000, modes=8, radius=2.0, std=0.05, seed=3)
    assert pts.shape == (4000, 2) and pts.dtype == np.float32
    assert centres.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 2.0, rtol=1e-6)
    np.testing.assert_allclose(centres[2], [0.0, 2.0], atol=1e-6)
    dist = np.linalg.norm(pts[:, None] - centres[None], axis=-1)
    assert dist.min(axis=1).max() < 0.05 * 6
    counts = np.bincount(dist.argmin(axis=1), minlength=8)
    assert counts.min() > 400  # about 500 per mode


def test_gaussian_ring_is_seeded():
    a, _ = synthetic.gaussian_ring(10, seed=5)
    b, _ = synthetic.gaussian_ring(10, seed=5)
    c, _ = synthetic.gaussian_ring(10, seed=6)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_gaussian_ring_rejects_bad_arguments():
    with pytest.raises(ValueError):
        synthetic.gaussian_ring(-1)
    with pytest.raises(ValueError):
        synthetic.gaussian_ring(10, modes=0)
