"""Small labelled images: class silhouettes (Fashion-MNIST / CIFAR stand-ins), cat-like and dog-like
heads (cats vs dogs stand-in), and augmented variants of real photos (retrieval)."""
from __future__ import annotations

import numpy as np

from helpers import checks
from helpers.synthetic._draw import (MAX_CLASSES, SHAPES, _class_colours, _ellipse, _hsv_to_rgb, _jittered_grid,
                                     _shape_mask, _triangle)



def _check_image_args(n: int, size: int, channels: int, n_classes: int) -> None:
    checks.positive_int("n", n)
    checks.int_at_least("size", size, 8)
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels!r}")
    if checks.int_at_least("n_classes", n_classes, 2) > MAX_CLASSES:
        raise ValueError(f"n_classes must be an int in 2..{MAX_CLASSES}, got {n_classes!r}")


def balanced_labels(n: int, n_classes: int, seed: int = 0) -> np.ndarray:
    """``n`` labels int64, as balanced over ``n_classes`` as possible, in seeded random order."""
    checks.positive_int("n", n)
    checks.positive_int("n_classes", n_classes)
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
    checks.positive_int("n_per_class", n_per_class)
    h, w = checks.image_size("image_size", image_size, 16)
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

    checks.positive_int("n_variants", n_variants)
    if not isinstance(photos, dict) or not photos:
        raise ValueError("photos must be a non-empty dict {name: image array}")
    checks.int_at_least("size", size, 32)
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


