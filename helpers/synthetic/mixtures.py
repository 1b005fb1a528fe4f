"""Seeded toy distributions for generative models: a ring of 2-D Gaussians (the classic mode-collapse test)."""
from __future__ import annotations

import numpy as np


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
