"""Segmentation scenes with pixel masks: ultrasound-like nerves, coloured shapes, aerial tiles."""
from __future__ import annotations

import numpy as np

from helpers import checks
from helpers.synthetic._draw import _grid, _hsv_to_rgb

MASK_SCENE_CLASSES = ("background", "circle", "square", "triangle")
MASK_SCENE_HUES = (0.0, 0.02, 0.33, 0.62)  # red-ish circles, green-ish squares, blue-ish triangles
AERIAL_CLASSES = ("background", "building", "woodland", "water", "road")
AERIAL_COLOURS = np.array([[196, 190, 140], [220, 60, 60], [30, 120, 40], [40, 90, 200], [140, 140, 140]],
                          dtype=np.uint8)


def _smooth_field(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth random field in about [-1, 1]: a (cells+1)^2 grid of N(0,1) values, bilinearly interpolated."""
    coarse = rng.normal(0.0, 1.0, (cells + 1, cells + 1))
    t = np.linspace(0.0, cells, size)
    i = np.minimum(t.astype(int), cells - 1)
    f = t - i
    rows = coarse[i] * (1 - f)[:, None] + coarse[i + 1] * f[:, None]
    return rows[:, i] * (1 - f)[None, :] + rows[:, i + 1] * f[None, :]


def _box_blur(img: np.ndarray, radius: int = 1) -> np.ndarray:
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
    checks.positive_int("n", n)
    checks.int_at_least("size", size, 16)
    checks.number_in("nerve_fraction", nerve_fraction)
    rng = np.random.default_rng([seed, 5, 1])
    u, v = _grid(size)
    images = np.empty((n, size, size, 1), dtype=np.uint8)
    masks = np.zeros((n, size, size, 1), dtype=np.uint8)
    has_nerve = rng.random(n) < nerve_fraction
    for k in range(n):
        tissue = 0.45 + 0.12 * _smooth_field(rng, size, 4)
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
        speckle = _box_blur(rng.rayleigh(1.0, (size, size)), 1) / 1.2533  # mean 1
        img = np.clip(tissue, 0.0, None) * depth * speckle
        images[k, ..., 0] = np.clip(img * 200.0, 0, 255).astype(np.uint8)
    return images, masks


def _shape(u: np.ndarray, v: np.ndarray, kind: str, cu: float, cv: float, r: float,
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
    checks.positive_int("n", n)
    checks.int_at_least("size", size, 16)
    checks.positive_int("max_objects", max_objects)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng([seed, 5, 2])
    u, v = _grid(size)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    masks = np.zeros((n, size, size), dtype=np.uint8)
    for k in range(n):
        c0 = _hsv_to_rgb(rng.uniform(), rng.uniform(0.0, 0.3), rng.uniform(0.15, 0.45))
        img = c0 + 40.0 * _smooth_field(rng, size, 3)[..., None]
        for _ in range(rng.integers(1, max_objects + 1)):
            label = int(rng.integers(1, len(MASK_SCENE_CLASSES)))
            shape = _shape(u, v, MASK_SCENE_CLASSES[label], *rng.uniform(-0.7, 0.7, 2),
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
    checks.positive_int("n", n)
    checks.int_at_least("size", size, 16)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng([seed, 5, 3])
    u, v = _grid(size)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    masks = np.zeros((n, size, size), dtype=np.uint8)
    for k in range(n):
        label = np.zeros((size, size), dtype=np.uint8)
        field = _hsv_to_rgb(rng.uniform(0.12, 0.25), rng.uniform(0.25, 0.6), rng.uniform(0.5, 0.8))
        img = field + 25.0 * _smooth_field(rng, size, 2)[..., None]
        a = rng.uniform(0, np.pi)
        img += 10.0 * np.sin((np.cos(a) * u + np.sin(a) * v) * rng.uniform(15, 30))[..., None]  # ploughed rows
        if rng.random() < 0.6:  # water: a meandering river or a round pond
            if rng.random() < 0.6:
                centre = rng.uniform(-0.6, 0.6) + 0.25 * np.sin(rng.uniform(1, 3) * u + rng.uniform(0, 6))
                water = np.abs(v - centre) < rng.uniform(0.08, 0.18)
                if rng.random() < 0.5:
                    water = water.T
            else:
                water = _smooth_field(rng, size, 2) * 0.3 + np.hypot(u - rng.uniform(-0.5, 0.5),
                                                                       v - rng.uniform(-0.5, 0.5)) < rng.uniform(0.2, 0.45)
            label[water] = 3
        if rng.random() < 0.7:  # woodland: blobby patches from a thresholded smooth field
            wood = (_smooth_field(rng, size, 4) > rng.uniform(0.5, 1.0)) & (label == 0)
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
        canopy = 30.0 * _smooth_field(rng, size, 16)[..., None]  # tree crowns: fine, high-contrast texture
        for c, colour in colours.items():
            sel = label == c
            img[sel] = colour + (canopy[sel] if c == 2 else 0.0)
        img = img + rng.normal(0.0, noise, img.shape)
        images[k] = np.clip(img, 0, 255).astype(np.uint8)
        masks[k] = label
    return images, masks


