"""2-D toy problems (circles, xor, gaussians, spiral, moons) and clustered feature vectors."""
from __future__ import annotations

import numpy as np

from helpers import checks

TOY_KINDS = ("circles", "xor", "gaussians", "spiral", "moons")


# ---------------------------------------------------------------- 2-D toy problems

def _split_counts(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def _circles(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    n0, n1 = _split_counts(n)
    r = np.concatenate([rng.uniform(0.0, 0.5, n0), rng.uniform(0.7, 1.0, n1)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1), y


def _xor(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    pad = 0.05
    x = rng.uniform(-1.0, 1.0, (n, 2))
    x = x + np.sign(x) * pad  # keep points off the axes so labels are unambiguous
    y = (x[:, 0] * x[:, 1] < 0).astype(np.float64)
    return x, y


def _gaussians(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    n0, n1 = _split_counts(n)
    a = rng.normal([-0.5, -0.5], 0.25, (n0, 2))
    b = rng.normal([0.5, 0.5], 0.25, (n1, 2))
    return np.concatenate([a, b]), np.concatenate([np.zeros(n0), np.ones(n1)])


def _spiral(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    parts, labels = [], []
    for label, count in enumerate(_split_counts(n)):
        t = np.sqrt(rng.uniform(0.0, 1.0, count)) * 1.75 * 2 * np.pi
        r = t / (1.75 * 2 * np.pi)
        phase = label * np.pi
        parts.append(np.stack([r * np.cos(t + phase), r * np.sin(t + phase)], axis=1))
        labels.append(np.full(count, label))
    return np.concatenate(parts), np.concatenate(labels).astype(np.float64)


def _moons(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    n0, n1 = _split_counts(n)
    t0 = rng.uniform(0.0, np.pi, n0)
    t1 = rng.uniform(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    x = np.concatenate([upper, lower]) - [0.5, 0.25]
    return x / 1.5, np.concatenate([np.zeros(n0), np.ones(n1)])


_TOY = {"circles": _circles, "xor": _xor, "gaussians": _gaussians, "spiral": _spiral, "moons": _moons}


def toy_2d(kind: str, n: int = 400, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D binary toy problem like the TensorFlow Playground's: X float32 (n, 2) in about [-1, 1], y int64 (n,).

    ``kind`` is one of circles, xor, gaussians, spiral, moons; ``noise`` is the standard
    deviation of Gaussian jitter added to the points.  Points come shuffled.
    """
    if kind not in _TOY:
        raise ValueError(f"unknown toy kind {kind!r}: expected one of {', '.join(TOY_KINDS)}")
    checks.positive_int("n", n)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    x, y = _TOY[kind](rng, int(n))
    x = x + rng.normal(0.0, noise, x.shape)
    order = rng.permutation(len(y))
    return x[order].astype(np.float32), y[order].astype(np.int64)



def clustered_vectors(n: int, dim: int = 128, n_clusters: int = 100, intrinsic_dim: int = 12,
                      noise: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Feature-like vectors for nearest-neighbour benchmarks: (n, dim) float32 and cluster ids (n,).

    Like CNN features, the points lie near a low-dimensional set: each is a cluster centre plus a
    random combination of ``intrinsic_dim`` directions of its cluster, plus a little isotropic
    ``noise``. (Uniform random vectors are the worst case for approximate search and unlike
    real features.)
    """
    for label, value in (("n", n), ("dim", dim), ("n_clusters", n_clusters), ("intrinsic_dim", intrinsic_dim)):
        checks.positive_int(label, value)
    if intrinsic_dim > dim:
        raise ValueError(f"intrinsic_dim ({intrinsic_dim}) must be <= dim ({dim})")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_clusters, dim)).astype(np.float32)
    bases = rng.normal(size=(n_clusters, intrinsic_dim, dim)).astype(np.float32) / np.sqrt(dim)
    labels = rng.integers(0, n_clusters, size=n)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 65536):  # in chunks, to keep memory small for large n
        lab = labels[start:start + 65536]
        z = rng.normal(size=(len(lab), intrinsic_dim)).astype(np.float32)
        out[start:start + len(lab)] = centres[lab] + np.einsum("ni,nid->nd", z, bases[lab]) \
            + noise * rng.normal(size=(len(lab), dim)).astype(np.float32)
    return out, labels


# ---------------------------------------------------------------- a ring of Gaussians (mode collapse)

def gaussian_ring(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.05,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points (float32, (n, 2)) from ``modes`` equal Gaussians on a circle, and the (modes, 2) centres."""
    if n < 0 or modes < 1 or radius <= 0 or std < 0:
        raise ValueError(f"expected n >= 0, modes >= 1, radius > 0, std >= 0; got {n}, {modes}, {radius}, {std}")
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    which = rng.integers(0, modes, size=n)
    points = centres[which] + rng.normal(0.0, std, size=(n, 2))
    return points.astype(np.float32), centres.astype(np.float32)
