"""helpers.metrics.generative: Frechet distance and mode coverage."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import metrics as M


def test_frechet_distance_of_identical_sets_is_zero():
    x = np.random.default_rng(0).normal(size=(500, 4))
    assert M.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_matches_closed_form_for_diagonal_gaussians():
    # means differ by (3, 0); covariances diag(1, 4) and diag(4, 1):
    # |dmu|^2 = 9; trace = 5 + 5 - 2 * (sqrt(4) + sqrt(4)) = 2  ->  11
    a = np.array([[1.0, 0.0], [0.0, 4.0]])
    b = np.array([[4.0, 0.0], [0.0, 1.0]])
    rng = np.random.default_rng(1)
    za = rng.normal(size=(200_000, 2))
    zb = rng.normal(size=(200_000, 2))
    xa = za @ np.sqrt(a)
    xb = zb @ np.sqrt(b) + np.array([3.0, 0.0])
    assert M.frechet_distance(xa, xb) == pytest.approx(11.0, rel=0.02)


def test_frechet_distance_is_symmetric_and_grows_with_shift():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(300, 3)), rng.normal(size=(300, 3))
    assert M.frechet_distance(x, y) == pytest.approx(M.frechet_distance(y, x), rel=1e-6)
    assert M.frechet_distance(x, y + 1.0) > M.frechet_distance(x, y + 0.5) > M.frechet_distance(x, y)


def test_frechet_distance_rejects_bad_shapes():
    with pytest.raises(ValueError, match="same D"):
        M.frechet_distance(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        M.frechet_distance(np.zeros((1, 2)), np.zeros((5, 2)))


def test_mode_coverage_counts_modes_and_quality():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    samples = np.array([[0.1, 0.0], [0.0, -0.2], [10.0, 0.1], [5.0, 5.0]])
    modes, quality = M.mode_coverage(samples, centres, radius=0.5)
    assert modes == 2 and quality == pytest.approx(0.75)
    assert M.mode_coverage(samples, centres, radius=0.5, min_count=2) == (1, pytest.approx(0.75))
    assert M.mode_coverage(np.zeros((0, 2)), centres, 1.0) == (0, 0.0)
    with pytest.raises(ValueError):
        M.mode_coverage(samples, centres, radius=0.0)


def test_frechet_distance_survives_constant_features():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
    x[:, 0] = 0.0
    y[:, 0] = 0.0   # a dead ReLU unit: zero variance in both sets
    value = M.frechet_distance(x, y)
    assert np.isfinite(value) and value < 0.2
