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

def clustered_vectors(n: int, dim: int = 128, n_clusters: int = 100, intrinsic_dim: int = 12,
                      noise: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Feature-like vectors for nearest-neighbour benchmarks: (n, dim) float32 and cluster ids (n,).

    Like CNN features, the points lie near a low-dimensional set: each is a cluster centre plus a
    random combination of ``intrinsic_dim`` directions of its cluster, plus a little isotropic
    ``noise``. (Uniform random vectors are the worst case for approximate search and unlike
    real features.)
    """
    for label, value in (("n", n), ("dim", dim), ("n_clusters", n_clusters), ("intrinsic_dim", intrinsic_dim)):
        _check_count(label, value)
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


def photo_variants(photos: dict[str, np.ndarray], n_variants: int = 4, size: int = 192,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A small labelled photo gallery: each photo centre-cropped to ``size`` plus random views of it.

    ``photos`` maps a name to an RGB (or grey) image, e.g. ``skimage.data`` photos. View 0 is the
    plain crop; the others are rotated (up to 25 degrees), scaled (0.75 to 1.25), shifted and
    brightness-jittered copies: the same scene seen again, as geometric verification expects.
    Returns images (N, size, size, 3) uint8, labels (N,) and the 3x3 homographies (N, 3, 3)
    mapping each view's pixels back to the plain crop.
    """
    import cv2

    _check_count("n_variants", n_variants)
    if not isinstance(photos, dict) or not photos:
        raise ValueError("photos must be a non-empty dict {name: image array}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 32:
        raise ValueError(f"size must be an int >= 32, got {size!r}")
    rng = np.random.default_rng(seed)
    images, labels, homographies = [], [], []
    for label, (name, photo) in enumerate(photos.items()):
        img = np.asarray(photo)
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        if img.ndim != 3 or img.shape[2] < 3:
            raise ValueError(f"photo {name!r} must be (H, W) or (H, W, 3), got shape {img.shape}")
        img = img[..., :3]
        if img.dtype != np.uint8:
            img = np.clip(img * (255.0 if img.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
        h, w = img.shape[:2]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        crop = cv2.resize(img[top:top + side, left:left + side], (size, size), interpolation=cv2.INTER_AREA)
        for v in range(n_variants):
            if v == 0:
                m = np.eye(3)
                view = crop.copy()
            else:
                angle, scale = rng.uniform(-25, 25), rng.uniform(0.75, 1.25)
                m = np.vstack([cv2.getRotationMatrix2D((size / 2, size / 2), angle, scale), [0, 0, 1]])
                m[:2, 2] += rng.uniform(-0.1, 0.1, 2) * size
                view = cv2.warpAffine(crop, m[:2], (size, size), borderMode=cv2.BORDER_REFLECT)
                view = np.clip(view.astype(np.float32) * rng.uniform(0.8, 1.2), 0, 255).astype(np.uint8)
            images.append(view)
            labels.append(label)
            homographies.append(np.linalg.inv(m))
    return np.stack(images), np.asarray(labels), np.stack(homographies)


# ======================================================================== chapter 4

def _paste_size(digit_size: int | tuple[int, int]) -> tuple[int, int]:
    lo, hi = (digit_size, digit_size) if np.isscalar(digit_size) else tuple(digit_size)
    if any(isinstance(v, bool) or int(v) != v for v in (lo, hi)) or not 8 <= lo <= hi:
        raise ValueError(f"digit_size must be an int >= 8 or a (min, max) pair of them, got {digit_size!r}")
    return int(lo), int(hi)


def digit_canvases(n: int, canvas_size: int | tuple[int, int] = 64, n_digits: int | tuple[int, int] = (1, 3),
                   digit_size: int | tuple[int, int] = (20, 32), seed: int = 0,
                   digits: tuple[np.ndarray, np.ndarray] | None = None, smoke: bool | None = None,
                   overlap: bool = False, noise: float = 0.0, return_masks: bool = False) -> tuple:
    """``n`` grey canvases with MNIST digits pasted at random places and sizes, for detection.

    Returns ``(images, boxes, labels)``: images uint8 (n, H, W); boxes a list of float32
    (k_i, 4) arrays, tight around each digit's ink, in pixel ``[x1, y1, x2, y2]`` (x2, y2
    exclusive); labels a list of int64 (k_i,) digit classes.  ``return_masks=True`` adds
    masks uint8 (n, H, W) holding the instance number (1..k_i, 0 = background).
    ``n_digits`` and ``digit_size`` are an int or an inclusive (min, max) range; the digit
    images come from ``digits=(x, y)`` (uint8 (N, 28, 28), labels) or else from
    ``helpers.datasets.load_mnist(smoke)``'s training split.  Digits do not overlap unless
    ``overlap=True`` (a canvas may hold fewer digits when no free place is found).
    """
    _check_count("n", n)
    h, w = (canvas_size, canvas_size) if np.isscalar(canvas_size) else tuple(canvas_size)
    lo_n, hi_n = (n_digits, n_digits) if np.isscalar(n_digits) else tuple(n_digits)
    if isinstance(lo_n, bool) or int(lo_n) != lo_n or not 0 <= lo_n <= hi_n:
        raise ValueError(f"n_digits must be an int >= 0 or an inclusive (min, max) range, got {n_digits!r}")
    lo_s, hi_s = _paste_size(digit_size)
    if any(isinstance(v, bool) or int(v) != v for v in (h, w)) or min(h, w) < hi_s:
        raise ValueError(f"canvas_size must be ints >= the largest digit size {hi_s}, got {canvas_size!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if digits is None:
        from helpers.datasets import load_mnist

        digits = load_mnist(smoke=smoke)[0]
    src_x, src_y = np.asarray(digits[0]), np.asarray(digits[1]).ravel()
    if src_x.ndim != 3 or len(src_x) != len(src_y) or len(src_x) == 0:
        raise ValueError(f"digits must be (images (N, h, w), labels (N,)), got shapes {src_x.shape}, {src_y.shape}")
    from PIL import Image

    rng = np.random.default_rng([seed, 4])
    h, w = int(h), int(w)
    images = np.zeros((n, h, w), dtype=np.uint8)
    masks = np.zeros((n, h, w), dtype=np.uint8) if return_masks else None
    boxes, labels = [], []
    for i in range(n):
        taken: list[tuple[int, int, int, int]] = []
        img_boxes, img_labels = [], []
        for _ in range(int(rng.integers(lo_n, hi_n + 1))):
            k = int(rng.integers(len(src_x)))
            size = int(rng.integers(lo_s, hi_s + 1))
            for _try in range(50):
                y0, x0 = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
                if overlap or all(x0 >= bx1 or x0 + size <= bx0 or y0 >= by1 or y0 + size <= by0
                                  for bx0, by0, bx1, by1 in taken):
                    break
            else:
                continue
            patch = np.asarray(Image.fromarray(src_x[k].astype(np.uint8)).resize((size, size), Image.BILINEAR))
            ink = patch > 40
            if not ink.any():
                continue
            taken.append((x0, y0, x0 + size, y0 + size))
            ys, xs = np.nonzero(ink)
            img_boxes.append([x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1, y0 + ys.max() + 1])
            img_labels.append(int(src_y[k]))
            region = images[i, y0:y0 + size, x0:x0 + size]
            np.maximum(region, patch, out=region)
            if masks is not None:
                masks[i, y0:y0 + size, x0:x0 + size][ink] = len(img_labels)
        boxes.append(np.asarray(img_boxes, dtype=np.float32).reshape(-1, 4))
        labels.append(np.asarray(img_labels, dtype=np.int64))
    if noise > 0:
        images = np.clip(images + rng.normal(0.0, noise, images.shape), 0, 255).astype(np.uint8)
    return (images, boxes, labels, masks) if return_masks else (images, boxes, labels)


def _person(u: np.ndarray, v: np.ndarray, cx: float, top: float, height: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of a standing person silhouette (head, torso, arms, legs) ``height`` pixels tall."""
    hh = height
    head_r = 0.07 * hh
    mask = (u - cx) ** 2 + (v - (top + head_r)) ** 2 <= head_r ** 2
    neck = top + 2 * head_r
    torso_w, torso_h = 0.13 * hh, 0.36 * hh
    mask |= (np.abs(u - cx) <= torso_w) & (v >= neck) & (v <= neck + torso_h)
    mask |= _ellipse(u, v, cx, neck + 0.04 * hh, torso_w * 1.05, 0.05 * hh)  # shoulders
    hip = neck + torso_h
    stride = rng.uniform(0.0, 0.12) * hh
    for side in (-1, 1):
        # legs: thick segments from the hip to the feet, spread by the stride
        foot_x = cx + side * (0.06 * hh + stride / 2)
        t = np.clip((v - hip) / (top + hh - hip), 0, 1)
        leg_x = cx + side * 0.06 * hh + (foot_x - cx - side * 0.06 * hh) * t
        mask |= (np.abs(u - leg_x) <= 0.055 * hh) & (v >= hip - 0.02 * hh) & (v <= top + hh)
        # arms: hang beside the torso, swung slightly
        swing = rng.uniform(-0.05, 0.08) * hh
        ta = np.clip((v - neck) / (0.38 * hh), 0, 1)
        arm_x = cx + side * (torso_w + 0.03 * hh + swing * ta)
        mask |= (np.abs(u - arm_x) <= 0.035 * hh) & (v >= neck + 0.02 * hh) & (v <= neck + 0.38 * hh)
    return mask


def pedestrian_scenes(n: int, image_size: tuple[int, int] = (240, 320), n_people: int | tuple[int, int] = (1, 3),
                      height: tuple[int, int] = (110, 190), seed: int = 0) -> tuple[list, list, list]:
    """Street-like colour scenes with standing-person silhouettes: the offline stand-in for Penn-Fudan.

    Returns ``(images, boxes, masks)`` as lists (like ``helpers.datasets.load_penn_fudan``):
    images uint8 (H, W, 3), boxes float32 (k, 4) pixel ``[x1, y1, x2, y2]`` (exclusive end),
    masks uint8 (H, W) with instance numbers 1..k (0 = background).  People do not overlap.
    """
    _check_count("n", n)
    if len(image_size) != 2 or any(isinstance(s, bool) or int(s) != s or s < 64 for s in image_size):
        raise ValueError(f"image_size must be (height, width) with ints >= 64, got {image_size!r}")
    lo_p, hi_p = (n_people, n_people) if np.isscalar(n_people) else tuple(n_people)
    if isinstance(lo_p, bool) or int(lo_p) != lo_p or not 0 <= lo_p <= hi_p:
        raise ValueError(f"n_people must be an int >= 0 or an inclusive (min, max) range, got {n_people!r}")
    H, W = int(image_size[0]), int(image_size[1])
    lo_h, hi_h = int(height[0]), int(height[1])
    if not 32 <= lo_h <= hi_h or hi_h > H - 4:
        raise ValueError(f"height must be (min, max) with 32 <= min <= max <= image height - 4, got {height!r}")
    rng = np.random.default_rng([seed, 5])
    v, u = np.mgrid[0:H, 0:W].astype(np.float64)
    images, boxes, masks = [], [], []
    for _ in range(n):
        horizon = rng.uniform(0.35, 0.55) * H
        sky, ground = _hsv_to_rgb(rng.uniform(), rng.uniform(0.0, 0.3), rng.uniform(0.6, 0.95)), \
            _hsv_to_rgb(rng.uniform(), rng.uniform(0.0, 0.2), rng.uniform(0.35, 0.7))
        img = np.where((v < horizon)[..., None], sky, ground).astype(np.float64)
        for _b in range(int(rng.integers(2, 6))):  # buildings and poles in the background
            x0, bw = rng.uniform(0, W), rng.uniform(10, W / 3)
            top = rng.uniform(0.05, 0.4) * H
            block = (u >= x0) & (u < x0 + bw) & (v >= top) & (v < horizon)
            img[block] = _hsv_to_rgb(rng.uniform(), rng.uniform(0.1, 0.5), rng.uniform(0.4, 0.9))
        mask = np.zeros((H, W), dtype=np.uint8)
        img_boxes: list[list[float]] = []
        for _p in range(int(rng.integers(lo_p, hi_p + 1))):
            hh = rng.uniform(lo_h, hi_h)
            half = 0.25 * hh
            for _try in range(40):
                cx = rng.uniform(half + 2, W - half - 2)
                feet = rng.uniform(min(max(horizon + 8, hh + 2), H - 2), H - 2)  # standing on the ground
                top = feet - hh
                if all(cx + half + 4 < b[0] or cx - half - 4 > b[2] for b in img_boxes):
                    break
            else:
                continue
            body = _person(u, v, cx, top, hh, rng) & (mask == 0)
            ys, xs = np.nonzero(body)
            if len(ys) == 0:
                continue
            colour = _hsv_to_rgb(rng.uniform(), rng.uniform(0.2, 0.9), rng.uniform(0.05, 0.45))
            img[body] = colour
            mask[body] = len(img_boxes) + 1
            img_boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
        img = img + rng.normal(0.0, 6.0, img.shape)
        images.append(np.clip(img, 0, 255).astype(np.uint8))
        boxes.append(np.asarray(img_boxes, dtype=np.float32).reshape(-1, 4))
        masks.append(mask)
    return images, boxes, masks


# ======================================================================== chapter 5
# Segmentation data: ultrasound-like images with nerve masks, few-class shape scenes, aerial tiles.
MASK_SCENE_CLASSES = ("background", "circle", "square", "triangle")
MASK_SCENE_HUES = (0.0, 0.02, 0.33, 0.62)  # red-ish circles, green-ish squares, blue-ish triangles
AERIAL_CLASSES = ("background", "building", "woodland", "water", "road")
AERIAL_COLOURS = np.array([[196, 190, 140], [220, 60, 60], [30, 120, 40], [40, 90, 200], [140, 140, 140]],
                          dtype=np.uint8)


def _seg_check_size(size: int, minimum: int = 16) -> None:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < minimum:
        raise ValueError(f"size must be an int >= {minimum}, got {size!r}")


def _seg_check_fraction(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")


def _seg_smooth_field(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth random field in about [-1, 1]: a (cells+1)^2 grid of N(0,1) values, bilinearly interpolated."""
    coarse = rng.normal(0.0, 1.0, (cells + 1, cells + 1))
    t = np.linspace(0.0, cells, size)
    i = np.minimum(t.astype(int), cells - 1)
    f = t - i
    rows = coarse[i] * (1 - f)[:, None] + coarse[i + 1] * f[:, None]
    return rows[:, i] * (1 - f)[None, :] + rows[:, i + 1] * f[None, :]


def _seg_box_blur(img: np.ndarray, radius: int = 1) -> np.ndarray:
    """Mean over a (2r+1)^2 window with edge padding (separable)."""
    k = 2 * radius + 1
    pad = np.pad(img, radius, mode="edge")
    c = np.cumsum(np.pad(pad, ((1, 0), (0, 0))), axis=0)
    rows = (c[k:] - c[:-k]) / k
    c = np.cumsum(np.pad(rows, ((0, 0), (1, 0))), axis=1)
    return (c[:, k:] - c[:, :-k]) / k


def ultrasound_images(n: int, size: int = 64, nerve_fraction: float = 0.6,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Speckled ultrasound-like grey images uint8 (n, size, size, 1) and nerve masks uint8 (n, size, size, 1) in {0, 1}.

    About ``nerve_fraction`` of the images hold one elliptical "nerve" (a bright rim around a
    mottled interior), which is the mask; every image also has tissue layers, depth attenuation,
    multiplicative speckle and dark round "vessels" that are not part of the mask.
    """
    _check_count("n", n)
    _seg_check_size(size)
    _seg_check_fraction("nerve_fraction", nerve_fraction)
    rng = np.random.default_rng([seed, 5, 1])
    u, v = _grid(size)
    images = np.empty((n, size, size, 1), dtype=np.uint8)
    masks = np.zeros((n, size, size, 1), dtype=np.uint8)
    has_nerve = rng.random(n) < nerve_fraction
    for k in range(n):
        tissue = 0.45 + 0.12 * _seg_smooth_field(rng, size, 4)
        for _ in range(rng.integers(1, 4)):  # bright fascia lines, gently curved
            y0, amp, freq, phase = rng.uniform(-0.9, 0.9), rng.uniform(0, 0.15), rng.uniform(0.5, 2), rng.uniform(0, 6)
            line = np.exp(-((v - y0 - amp * np.sin(freq * np.pi * u + phase)) / 0.03) ** 2)
            tissue += rng.uniform(0.2, 0.45) * line
        for _ in range(rng.integers(0, 3)):  # vessels: dark (anechoic) disks with a thin bright wall
            cu, cv_, r = rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8), rng.uniform(0.08, 0.2)
            d = np.hypot(u - cu, v - cv_) / r
            tissue = np.where(d < 1, 0.08, tissue) + 0.25 * np.exp(-((d - 1.05) / 0.12) ** 2)
        if has_nerve[k]:
            cu, cv_ = rng.uniform(-0.55, 0.55, 2)
            ru, rv = rng.uniform(0.16, 0.32), rng.uniform(0.12, 0.24)
            angle = rng.uniform(0, np.pi)
            cos, sin = np.cos(angle), np.sin(angle)
            a, b = cos * (u - cu) + sin * (v - cv_), -sin * (u - cu) + cos * (v - cv_)
            d = np.sqrt((a / ru) ** 2 + (b / rv) ** 2)
            inside = d <= 1.0
            fascicles = 0.5 + 0.5 * np.sin(a * rng.uniform(25, 40)) * np.sin(b * rng.uniform(25, 40))
            tissue = np.where(inside, 0.35 + 0.3 * fascicles, tissue)
            tissue += 0.45 * np.exp(-((d - 1.0) / 0.12) ** 2)  # hyperechoic epineurium
            masks[k, ..., 0] = inside
        depth = 1.0 - 0.35 * (v + 1) / 2  # deeper rows are darker
        speckle = _seg_box_blur(rng.rayleigh(1.0, (size, size)), 1) / 1.2533  # mean 1
        img = np.clip(tissue, 0.0, None) * depth * speckle
        images[k, ..., 0] = np.clip(img * 200.0, 0, 255).astype(np.uint8)
    return images, masks


def _seg_shape(u: np.ndarray, v: np.ndarray, kind: str, cu: float, cv: float, r: float,
                  angle: float) -> np.ndarray:
    cos, sin = np.cos(angle), np.sin(angle)
    a, b = cos * (u - cu) + sin * (v - cv), -sin * (u - cu) + cos * (v - cv)
    if kind == "circle":
        return np.hypot(a, b) <= r
    if kind == "square":
        return np.maximum(np.abs(a), np.abs(b)) <= r * 0.85
    # an equilateral triangle pointing up in its own frame
    return (b <= r * 0.5) & (np.abs(a) * np.sqrt(3) <= b + r)


def shape_mask_scenes(n: int, size: int = 64, max_objects: int = 3, seed: int = 0,
                 noise: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """Colour scenes uint8 (n, size, size, 3) of circles, squares and triangles, label masks uint8 (n, size, size).

    Mask values index ``MASK_SCENE_CLASSES`` (0 background, 1 circle, 2 square, 3 triangle).  Each
    image has 1..``max_objects`` shapes of random size, rotation and colour on a smooth background;
    each class leans to a hue (``MASK_SCENE_HUES``, +-0.12, so hues overlap), the way sky tends to
    be blue.  Later shapes cover earlier ones, and the mask says what is visible.
    """
    _check_count("n", n)
    _seg_check_size(size)
    _check_count("max_objects", max_objects)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng([seed, 5, 2])
    u, v = _grid(size)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    masks = np.zeros((n, size, size), dtype=np.uint8)
    for k in range(n):
        c0 = _hsv_to_rgb(rng.uniform(), rng.uniform(0.0, 0.3), rng.uniform(0.15, 0.45))
        img = c0 + 40.0 * _seg_smooth_field(rng, size, 3)[..., None]
        for _ in range(rng.integers(1, max_objects + 1)):
            label = int(rng.integers(1, len(MASK_SCENE_CLASSES)))
            shape = _seg_shape(u, v, MASK_SCENE_CLASSES[label], *rng.uniform(-0.7, 0.7, 2),
                                  rng.uniform(0.15, 0.35), rng.uniform(0, 2 * np.pi))
            hue = (MASK_SCENE_HUES[label] + rng.uniform(-0.12, 0.12)) % 1.0  # a class leans to a hue, with overlap
            img[shape] = _hsv_to_rgb(hue, rng.uniform(0.5, 1.0), rng.uniform(0.6, 1.0))
            masks[k][shape] = label
        img = img + rng.normal(0.0, noise, img.shape)
        images[k] = np.clip(img, 0, 255).astype(np.uint8)
    return images, masks


def aerial_tiles(n: int, size: int = 64, seed: int = 0, noise: float = 8.0) -> tuple[np.ndarray, np.ndarray]:
    """Aerial-photo-like colour tiles uint8 (n, size, size, 3) and label masks uint8 (n, size, size).

    Mask values index ``AERIAL_CLASSES`` (LandCover.ai's five: background, building, woodland,
    water, road): fields with texture, a river or pond, patches of woodland, straight roads and
    rectangular roofs along them.  Colours vary per tile so that texture and shape matter too.
    """
    _check_count("n", n)
    _seg_check_size(size)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng([seed, 5, 3])
    u, v = _grid(size)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    masks = np.zeros((n, size, size), dtype=np.uint8)
    for k in range(n):
        label = np.zeros((size, size), dtype=np.uint8)
        field = _hsv_to_rgb(rng.uniform(0.12, 0.25), rng.uniform(0.25, 0.6), rng.uniform(0.5, 0.8))
        img = field + 25.0 * _seg_smooth_field(rng, size, 2)[..., None]
        a = rng.uniform(0, np.pi)
        img += 10.0 * np.sin((np.cos(a) * u + np.sin(a) * v) * rng.uniform(15, 30))[..., None]  # ploughed rows
        if rng.random() < 0.6:  # water: a meandering river or a round pond
            if rng.random() < 0.6:
                centre = rng.uniform(-0.6, 0.6) + 0.25 * np.sin(rng.uniform(1, 3) * u + rng.uniform(0, 6))
                water = np.abs(v - centre) < rng.uniform(0.08, 0.18)
                if rng.random() < 0.5:
                    water = water.T
            else:
                water = _seg_smooth_field(rng, size, 2) * 0.3 + np.hypot(u - rng.uniform(-0.5, 0.5),
                                                                       v - rng.uniform(-0.5, 0.5)) < rng.uniform(0.2, 0.45)
            label[water] = 3
        if rng.random() < 0.7:  # woodland: blobby patches from a thresholded smooth field
            wood = (_seg_smooth_field(rng, size, 4) > rng.uniform(0.5, 1.0)) & (label == 0)
            label[wood] = 2
        roads = np.zeros((size, size), dtype=bool)
        for _ in range(rng.integers(1, 3)):
            a = rng.choice([0.0, np.pi / 2]) + rng.uniform(-0.3, 0.3)
            offset = rng.uniform(-0.6, 0.6)
            dist = np.cos(a) * u + np.sin(a) * v - offset
            roads |= np.abs(dist) < rng.uniform(0.04, 0.07)
            along = -np.sin(a) * u + np.cos(a) * v
            for side in (-1, 1):  # houses lined up beside the road
                for t in rng.uniform(-0.9, 0.9, rng.integers(1, 5)):
                    w, h = rng.uniform(0.08, 0.16), rng.uniform(0.08, 0.14)
                    gap = side * (0.12 + h)
                    house = (np.abs(dist - gap) < h) & (np.abs(along - t) < w)
                    label[house & (label != 3)] = 1
        label[roads] = 4
        colours = {1: _hsv_to_rgb(rng.choice([0.0, 0.03, 0.6]), rng.uniform(0.3, 0.7), rng.uniform(0.55, 0.9)),
                   2: _hsv_to_rgb(rng.uniform(0.25, 0.35), rng.uniform(0.5, 0.8), rng.uniform(0.2, 0.4)),
                   3: _hsv_to_rgb(rng.uniform(0.52, 0.62), rng.uniform(0.4, 0.8), rng.uniform(0.3, 0.6)),
                   4: _hsv_to_rgb(0.0, 0.0, rng.uniform(0.45, 0.7))}
        canopy = 30.0 * _seg_smooth_field(rng, size, 16)[..., None]  # tree crowns: fine, high-contrast texture
        for c, colour in colours.items():
            sel = label == c
            img[sel] = colour + (canopy[sel] if c == 2 else 0.0)
        img = img + rng.normal(0.0, noise, img.shape)
        images[k] = np.clip(img, 0, 255).astype(np.uint8)
        masks[k] = label
    return images, masks


def colourise_mask(mask: np.ndarray, colours: np.ndarray | None = None) -> np.ndarray:
    """Label mask (..., H, W) of ints -> RGB uint8 (..., H, W, 3) with one colour per class (default: AERIAL_COLOURS)."""
    mask = np.asarray(mask)
    if mask.dtype.kind not in "iu":
        raise ValueError(f"mask must hold integer class ids, got dtype {mask.dtype}")
    palette = AERIAL_COLOURS if colours is None else np.asarray(colours, dtype=np.uint8)
    if palette.ndim != 2 or palette.shape[1] != 3:
        raise ValueError(f"colours must be shaped (n_classes, 3), got {palette.shape}")
    if mask.size and (mask.min() < 0 or mask.max() >= len(palette)):
        raise ValueError(f"mask values must be in 0..{len(palette) - 1}, got {mask.min()}..{mask.max()}")
    return palette[mask]
from helpers.synthetic.faces import cartoon_faces  # noqa: E402,F401
