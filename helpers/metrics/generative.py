"""Metrics for generative models, once a notebook has taught them: Frechet distance of features, mode coverage."""
from __future__ import annotations

import numpy as np


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray, eps: float = 1e-6) -> float:
    """Frechet distance between Gaussians fitted to two (N, D) feature sets (the formula of FID).

    ``eps`` is added to both covariance diagonals so that dead (constant) features do not make them singular.
    """
    import scipy.linalg

    a = np.asarray(features_a, dtype=np.float64)
    b = np.asarray(features_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"expected two (N, D) arrays with the same D, got shapes {a.shape} and {b.shape}")
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"need at least 2 rows in each set to estimate a covariance, got {len(a)} and {len(b)}")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    ridge = eps * np.eye(a.shape[1])
    cov_a = np.atleast_2d(np.cov(a, rowvar=False)) + ridge
    cov_b = np.atleast_2d(np.cov(b, rowvar=False)) + ridge
    covmean = scipy.linalg.sqrtm(cov_a @ cov_b)
    covmean = np.real(covmean)
    value = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2.0 * covmean)
    return float(max(value, 0.0))


def mode_coverage(samples: np.ndarray, centres: np.ndarray, radius: float,
                  min_count: int = 1) -> tuple[int, float]:
    """(modes with at least ``min_count`` samples within ``radius``, fraction of samples near any mode)."""
    s = np.asarray(samples, dtype=np.float64)
    c = np.asarray(centres, dtype=np.float64)
    if s.ndim != 2 or c.ndim != 2 or s.shape[1] != c.shape[1]:
        raise ValueError(f"expected (N, D) samples and (K, D) centres, got shapes {s.shape} and {c.shape}")
    if radius <= 0 or min_count < 1:
        raise ValueError(f"radius must be > 0 and min_count >= 1, got {radius} and {min_count}")
    if len(s) == 0:
        return 0, 0.0
    dist = np.linalg.norm(s[:, None, :] - c[None, :, :], axis=-1)
    nearest = dist.argmin(axis=1)
    near = dist.min(axis=1) <= radius
    counts = np.bincount(nearest[near], minlength=len(c))
    return int(np.sum(counts >= min_count)), float(near.mean())
