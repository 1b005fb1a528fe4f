"""Detection scenes: MNIST digits pasted on canvases with their boxes, street scenes with pedestrians."""
from __future__ import annotations

import numpy as np

from helpers import checks
from helpers.synthetic._draw import _ellipse, _hsv_to_rgb


def boxes_from_mask(mask: np.ndarray) -> np.ndarray:
    """Tight boxes float32 (k, 4) ``[x1, y1, x2, y2]`` (exclusive end) of instances 1..k of an id mask."""
    m = np.asarray(mask)
    if m.ndim != 2:
        raise ValueError(f"mask must be a 2-D array of instance ids, got shape {m.shape}")
    out = []
    for k in np.unique(m):
        if k == 0:
            continue
        ys, xs = np.nonzero(m == k)
        out.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    return np.asarray(out, dtype=np.float32).reshape(-1, 4)


def _paste_size(digit_size: int | tuple[int, int]) -> tuple[int, int]:
    lo, hi = (digit_size, digit_size) if np.isscalar(digit_size) else tuple(digit_size)
    if any(isinstance(v, bool) or int(v) != v for v in (lo, hi)) or not 8 <= lo <= hi:
        raise ValueError(f"digit_size must be an int >= 8 or a (min, max) pair of them, got {digit_size!r}")
    return int(lo), int(hi)


def digit_canvases(n: int, canvas_size: int | tuple[int, int] = 64, n_digits: int | tuple[int, int] = (1, 3),
                   digit_size: int | tuple[int, int] = (20, 32), seed: int = 0, *,
                   digits: tuple[np.ndarray, np.ndarray], overlap: bool = False, noise: float = 0.0,
                   return_masks: bool = False) -> tuple:
    """``n`` grey canvases with MNIST digits pasted at random places and sizes, for detection.

    Returns ``(images, boxes, labels)``: images uint8 (n, H, W); boxes a list of float32
    (k_i, 4) arrays, tight around each digit's ink, in pixel ``[x1, y1, x2, y2]`` (x2, y2
    exclusive); labels a list of int64 (k_i,) digit classes.  ``return_masks=True`` adds
    masks uint8 (n, H, W) holding the instance number (1..k_i, 0 = background).
    ``n_digits`` and ``digit_size`` are an int or an inclusive (min, max) range; the digit
    images come from ``digits=(x, y)`` (uint8 (N, 28, 28), labels), for example
    ``helpers.datasets.load_mnist()[0]``.  Digits do not overlap unless
    ``overlap=True`` (a canvas may hold fewer digits when no free place is found).
    """
    checks.positive_int("n", n)
    h, w = (canvas_size, canvas_size) if np.isscalar(canvas_size) else tuple(canvas_size)
    lo_n, hi_n = (n_digits, n_digits) if np.isscalar(n_digits) else tuple(n_digits)
    if isinstance(lo_n, bool) or int(lo_n) != lo_n or not 0 <= lo_n <= hi_n:
        raise ValueError(f"n_digits must be an int >= 0 or an inclusive (min, max) range, got {n_digits!r}")
    lo_s, hi_s = _paste_size(digit_size)
    if any(isinstance(v, bool) or int(v) != v for v in (h, w)) or min(h, w) < hi_s:
        raise ValueError(f"canvas_size must be ints >= the largest digit size {hi_s}, got {canvas_size!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
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
    checks.positive_int("n", n)
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
            if not body.any():
                continue
            colour = _hsv_to_rgb(rng.uniform(), rng.uniform(0.2, 0.9), rng.uniform(0.05, 0.45))
            img[body] = colour
            mask[body] = len(img_boxes) + 1
            img_boxes.append(boxes_from_mask(body)[0].tolist())
        img = img + rng.normal(0.0, 6.0, img.shape)
        images.append(np.clip(img, 0, 255).astype(np.uint8))
        boxes.append(np.asarray(img_boxes, dtype=np.float32).reshape(-1, 4))
        masks.append(mask)
    return images, boxes, masks


