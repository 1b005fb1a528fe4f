"""Drawing primitives shared by the generators: colours, coordinate grids, shape masks."""
from __future__ import annotations

import numpy as np


SHAPES = ("disk", "square", "ring", "plus", "cross", "triangle",
          "hstripes", "vstripes", "checker", "two_dots")
MAX_CLASSES = len(SHAPES) * 10


# ---------------------------------------------------------------- image helpers

def _hsv_to_rgb(h: float, s: float, v: float) -> np.ndarray:
    """One HSV colour (all in [0, 1]) to RGB in [0, 255]."""
    i = int(h * 6.0) % 6
    f = h * 6.0 - int(h * 6.0)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
    return np.array(rgb) * 255.0


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in [-1, 1]: (u, v) = (column, row)."""
    c = (np.arange(size) + 0.5) / size * 2.0 - 1.0
    v, u = np.meshgrid(c, c, indexing="ij")
    return u, v


def _shape_mask(shape: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Boolean mask of silhouette ``shape`` (index into SHAPES) in normalised coordinates."""
    r = np.hypot(u, v)
    box = np.maximum(np.abs(u), np.abs(v))
    name = SHAPES[shape]
    if name == "disk":
        return r < 0.6
    if name == "square":
        return box < 0.5
    if name == "ring":
        return (r > 0.38) & (r < 0.68)
    if name == "plus":
        return ((np.abs(u) < 0.18) & (np.abs(v) < 0.7)) | ((np.abs(v) < 0.18) & (np.abs(u) < 0.7))
    if name == "cross":
        return ((np.abs(u - v) < 0.25) | (np.abs(u + v) < 0.25)) & (box < 0.62)
    if name == "triangle":
        return (v < 0.55) & (np.abs(u) < (v + 0.65) * 0.6)
    if name == "hstripes":
        return (box < 0.7) & (np.sin(v * 3.0 * np.pi) > 0)
    if name == "vstripes":
        return (box < 0.7) & (np.sin(u * 3.0 * np.pi) > 0)
    if name == "checker":
        return (box < 0.7) & (np.sin(u * 2.5 * np.pi) * np.sin(v * 2.5 * np.pi) > 0)
    return (np.hypot(u - 0.42, v) < 0.28) | (np.hypot(u + 0.42, v) < 0.28)


def _jittered_grid(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The pixel grid seen through a random shift, scale and small rotation."""
    u, v = _grid(size)
    du, dv = rng.uniform(-0.3, 0.3, 2)
    scale = rng.uniform(0.65, 1.1)
    angle = rng.uniform(-0.4, 0.4)
    cos, sin = np.cos(angle), np.sin(angle)
    uu, vv = (u - du) / scale, (v - dv) / scale
    return cos * uu + sin * vv, -sin * uu + cos * vv


def _class_colours(rng: np.random.Generator, label: int, n_classes: int,
                   channels: int) -> tuple[np.ndarray, np.ndarray]:
    """Foreground and background colour of one image; informative only beyond 10 classes."""
    variant = label // len(SHAPES)
    if channels == 1:
        level = 150 + 10 * variant if n_classes > len(SHAPES) else rng.uniform(130, 240)
        return np.array([level + rng.uniform(-4, 4)]), np.array([rng.uniform(0, 70)])
    hue = (variant / 10 + rng.uniform(-0.02, 0.02)) % 1.0 if n_classes > len(SHAPES) else rng.uniform()
    fg = _hsv_to_rgb(hue, rng.uniform(0.6, 1.0), rng.uniform(0.75, 1.0))
    bg = _hsv_to_rgb(rng.uniform(), rng.uniform(0.0, 0.35), rng.uniform(0.1, 0.45))
    return fg, bg



# ---------------------------------------------------------------- cats-vs-dogs stand-in

def _ellipse(u: np.ndarray, v: np.ndarray, cu: float, cv: float, ru: float, rv: float,
             angle: float = 0.0) -> np.ndarray:
    cos, sin = np.cos(angle), np.sin(angle)
    du, dv = u - cu, v - cv
    a, b = cos * du + sin * dv, -sin * du + cos * dv
    return (a / ru) ** 2 + (b / rv) ** 2 <= 1.0


def _triangle(u: np.ndarray, v: np.ndarray, p1: tuple, p2: tuple, p3: tuple) -> np.ndarray:
    def side(a: tuple, b: tuple) -> np.ndarray:
        return (u - b[0]) * (a[1] - b[1]) - (a[0] - b[0]) * (v - b[1])

    d1, d2, d3 = side(p1, p2), side(p2, p3), side(p3, p1)
    neg = (d1 < 0) | (d2 < 0) | (d3 < 0)
    pos = (d1 > 0) | (d2 > 0) | (d3 > 0)
    return ~(neg & pos)


