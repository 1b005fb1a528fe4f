"""Seeded synthetic data: 2-D toy problems and the offline stand-ins for image datasets.

Everything here is plain NumPy, deterministic for a given ``seed`` and fast enough for smoke
runs on a laptop CPU.  The image generators are the smoke-mode stand-ins that
``helpers.datasets`` returns when there is no network:

* ``class_images``: small images of ``n_classes`` classes, each class a distinct silhouette
  (disk, square, ring, plus, cross, triangle, stripes, checkerboard, two dots) drawn with
  random position, size, rotation, contrast and pixel noise.  Beyond 10 classes the class also
  fixes the colour (colour images) or the brightness (grey images), so up to 100 classes.
* ``two_class_photos``: colour "photos" of two kinds of animal heads, cat-like (pointed ears
  on top) and dog-like (floppy ears on the sides, a snout), on cluttered backgrounds, with fur
  colours drawn from the same palette for both classes: learnable, but not from colour alone.
"""
from __future__ import annotations

import numpy as np

TOY_KINDS = ("circles", "xor", "gaussians", "spiral", "moons")
SHAPES = ("disk", "square", "ring", "plus", "cross", "triangle",
          "hstripes", "vstripes", "checker", "two_dots")
MAX_CLASSES = len(SHAPES) * 10


# ---------------------------------------------------------------- 2-D toy problems

def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


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
    _check_count("n", n)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    x, y = _TOY[kind](rng, int(n))
    x = x + rng.normal(0.0, noise, x.shape)
    order = rng.permutation(len(y))
    return x[order].astype(np.float32), y[order].astype(np.int64)


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


def _check_image_args(n: int, size: int, channels: int, n_classes: int) -> None:
    _check_count("n", n)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 8:
        raise ValueError(f"size must be an int >= 8, got {size!r}")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels!r}")
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) \
            or not 2 <= n_classes <= MAX_CLASSES:
        raise ValueError(f"n_classes must be an int in 2..{MAX_CLASSES}, got {n_classes!r}")


def balanced_labels(n: int, n_classes: int, seed: int = 0) -> np.ndarray:
    """``n`` labels int64, as balanced over ``n_classes`` as possible, in seeded random order."""
    _check_count("n", n)
    _check_count("n_classes", n_classes)
    return np.random.default_rng(seed).permutation(np.arange(n) % n_classes).astype(np.int64)


def class_images(n: int, size: int = 32, channels: int = 3, n_classes: int = 10,
                 seed: int = 0, noise: float = 24.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images uint8 (n, size, size, channels) of ``n_classes`` silhouette classes, labels int64 (n,).

    Class ``c`` is silhouette ``SHAPES[c % 10]``; beyond 10 classes, ``c // 10`` also fixes the
    hue (colour) or brightness (grey).  Position, size, rotation, contrast and Gaussian pixel
    noise (std ``noise`` grey levels) vary per image.  Labels are balanced.
    """
    _check_image_args(n, size, channels, n_classes)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    labels = balanced_labels(n, n_classes, seed)
    rng = np.random.default_rng([seed, 1])
    images = np.empty((n, size, size, channels), dtype=np.uint8)
    for i, label in enumerate(labels):
        u, v = _jittered_grid(rng, size)
        mask = _shape_mask(int(label) % len(SHAPES), u, v)
        fg, bg = _class_colours(rng, int(label), n_classes, channels)
        img = np.where(mask[..., None], fg, bg) + rng.normal(0.0, noise, (size, size, channels))
        images[i] = np.clip(img, 0, 255).astype(np.uint8)
    return images, labels


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


def _background(rng: np.random.Generator, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A smooth two-colour gradient with a few soft distractor blobs."""
    c0 = _hsv_to_rgb(rng.uniform(), rng.uniform(0.1, 0.6), rng.uniform(0.3, 0.9))
    c1 = _hsv_to_rgb(rng.uniform(), rng.uniform(0.1, 0.6), rng.uniform(0.3, 0.9))
    angle = rng.uniform(0, 2 * np.pi)
    t = np.clip((np.cos(angle) * u + np.sin(angle) * v + 1.0) / 2.0, 0, 1)[..., None]
    img = c0 * (1 - t) + c1 * t
    for _ in range(rng.integers(1, 4)):
        blob = _ellipse(u, v, *rng.uniform(-1, 1, 2), *rng.uniform(0.08, 0.3, 2), rng.uniform(0, np.pi))
        img[blob] = 0.5 * img[blob] + 0.5 * _hsv_to_rgb(rng.uniform(), rng.uniform(0.2, 0.8), rng.uniform(0.3, 1.0))
    return img


def _animal_head(rng: np.random.Generator, u: np.ndarray, v: np.ndarray, dog: bool,
                 img: np.ndarray) -> None:
    """Paint a cat-like (pointed ears on top) or dog-like (floppy side ears, snout) head."""
    cu, cv = rng.uniform(-0.25, 0.25, 2)
    r = rng.uniform(0.3, 0.45)
    tilt = rng.uniform(-0.3, 0.3)
    fur = _hsv_to_rgb(rng.uniform(0.02, 0.12), rng.uniform(0.2, 0.8), rng.uniform(0.25, 0.95))
    dark = fur * rng.uniform(0.35, 0.6)
    if dog:
        for side in (-1, 1):
            ear = _ellipse(u, v, cu + side * r * 0.95, cv + r * 0.25, r * 0.3, r * 0.7, side * 0.35 + tilt)
            img[ear] = dark
    else:
        for side in (-1, 1):
            base_in, base_out = cu + side * r * 0.15, cu + side * r * 0.9
            tip = (cu + side * r * 0.7, cv - r * 1.45)
            ear = _triangle(u, v, (base_in, cv - r * 0.5), (base_out, cv - r * 0.2), tip)
            img[ear] = fur
    head = _ellipse(u, v, cu, cv, r, r * rng.uniform(0.85, 1.05), tilt)
    img[head] = fur
    for side in (-1, 1):
        eye = _ellipse(u, v, cu + side * r * 0.38, cv - r * 0.15, r * 0.1, r * 0.12)
        img[eye] = (20.0, 20.0, 20.0)
    if dog:
        snout = _ellipse(u, v, cu, cv + r * 0.45, r * 0.42, r * 0.3, tilt)
        img[snout] = fur * 0.5 + 120.0
        img[_ellipse(u, v, cu, cv + r * 0.32, r * 0.14, r * 0.1)] = (15.0, 15.0, 15.0)
    else:
        img[_triangle(u, v, (cu - r * 0.1, cv + r * 0.2), (cu + r * 0.1, cv + r * 0.2),
                      (cu, cv + r * 0.32))] = (200.0, 110.0, 120.0)


def two_class_photos(n_per_class: int, image_size: tuple[int, int] = (96, 96),
                     seed: int = 0, noise: float = 12.0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic cat-like (label 0) and dog-like (label 1) colour photos: uint8 (2n, h, w, 3), labels int64.

    Both classes share backgrounds and fur colours; they differ in ear shape and the snout.
    Images come in seeded random order.
    """
    _check_count("n_per_class", n_per_class)
    if len(image_size) != 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer))
                                   or s < 16 for s in image_size):
        raise ValueError(f"image_size must be (height, width) with ints >= 16, got {image_size!r}")
    h, w = (int(s) for s in image_size)
    labels = np.random.default_rng(seed).permutation(np.repeat([0, 1], n_per_class)).astype(np.int64)
    rng = np.random.default_rng([seed, 2])
    cv, cu = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w) * (w / h), indexing="ij")
    images = np.empty((len(labels), h, w, 3), dtype=np.uint8)
    for i, label in enumerate(labels):
        img = _background(rng, cu, cv)
        _animal_head(rng, cu, cv, bool(label), img)
        img = img + rng.normal(0.0, noise, img.shape)
        images[i] = np.clip(img, 0, 255).astype(np.uint8)
    return images, labels


# ======================================================================== chapter 3

# ======================================================================== chapter 4

# ======================================================================== chapter 5
