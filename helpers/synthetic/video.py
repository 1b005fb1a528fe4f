"""Seeded moving-digit clips: the offline stand-in for action-recognition videos.

Each clip shows one real digit (passed in, e.g. from ``helpers.datasets.load_mnist``) that slides
across a dark canvas in a straight line at constant speed.  The label is the **direction** of the
motion, not the digit.

Two ways to place the digit:

* ``wrap=True`` (no frame leaks the label): the canvas is a torus, a digit that leaves one edge comes
  back at the opposite one, and its position in *every* frame is uniform over the canvas for every
  direction.  One frame alone says nothing about the label; only the change between frames does.
* ``wrap=False`` (the default, kept as an example of a leaky dataset): the digit stays inside the
  canvas and its position in the **middle** frame has the same distribution for every direction,
  but the first and last frames give the label away (a digit that will move right starts on the left).

NumPy only; imports nothing from ``helpers``.
"""
from __future__ import annotations

import numpy as np

from helpers import checks

DIRECTIONS_4 = ("right", "left", "down", "up")
DIRECTIONS_8 = ("right", "left", "down", "up", "down-right", "up-left", "down-left", "up-right")
_STEPS = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0),
          "down-right": (1, 1), "up-left": (-1, -1), "down-left": (1, -1), "up-right": (-1, 1)}


def direction_names(n_directions: int = 4) -> tuple[str, ...]:
    """Class names of ``moving_digits`` labels for 4 or 8 directions (label i -> name i)."""
    if n_directions == 4:
        return DIRECTIONS_4
    if n_directions == 8:
        return DIRECTIONS_8
    raise ValueError(f"n_directions must be 4 or 8, got {n_directions!r}")


def _halve(digits: np.ndarray) -> np.ndarray:
    """(N, 28, 28) -> (N, 14, 14) by 2x2 averaging (keeps the stroke contrast, no cv2 needed)."""
    n, h, w = digits.shape
    return digits[:, : h // 2 * 2, : w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2).mean(axis=(2, 4))


def moving_digits(digits: np.ndarray, n: int, frames: int = 8, size: int = 40, n_directions: int = 4,
                  speed: int = 2, noise: float = 8.0, half_size: bool = True, wrap: bool = False,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` clips (n, frames, size, size) uint8 of a digit moving in a straight line; label = direction.

    Returns ``(clips, labels, tracks)``: labels int64 in ``0..n_directions-1`` (names from
    ``direction_names``), tracks float (n, frames, 2) with the (row, col) of the digit's top-left
    corner in every frame.  With ``wrap=False`` the digit stays inside the canvas and its position in
    the middle frame (index ``frames // 2``) is uniform over the same square for every direction, so
    the first and last frames leak the label.  With ``wrap=True`` the canvas wraps around (a torus):
    the position in every frame is uniform over ``0..size-1`` for every direction, tracks are taken
    modulo ``size``, and no single frame carries the label.  ``digits`` is a (N, h, w) array of grey
    digits 0..255 (e.g. MNIST); with ``half_size`` they are shrunk 2x first.  ``speed`` is in
    pixels per frame along each moving axis; ``noise`` is the standard deviation of Gaussian pixel
    noise (0..255 scale).
    """
    digits = np.asarray(digits)
    if digits.ndim != 3 or len(digits) == 0:
        raise ValueError(f"digits must be a non-empty (N, h, w) array of grey images, got shape {digits.shape}")
    n, frames, size, speed = (checks.positive_int(k, v) for k, v in
                              (("n", n), ("frames", frames), ("size", size), ("speed", speed)))
    names = direction_names(n_directions)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    if not isinstance(wrap, (bool, np.bool_)):
        raise ValueError(f"wrap must be True or False, got {wrap!r}")
    sprites = _halve(digits.astype(np.float32)) if half_size else digits.astype(np.float32)
    d = sprites.shape[1]
    mid = frames // 2
    side = max(d, sprites.shape[2])
    free = size - side
    reach = speed * max(mid, frames - 1 - mid)  # farthest the digit gets from its middle-frame spot
    lo, hi = reach, free - reach
    if wrap and size < side:
        raise ValueError(f"a {side}-pixel digit needs size >= {side} on a wrapping canvas, got size={size}")
    if not wrap and hi < lo:
        raise ValueError(f"a {side}-pixel digit moving {speed} px/frame for {frames} frames "
                         f"needs size >= {side + 2 * reach}, got size={size}")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(names), n)
    which = rng.integers(0, len(sprites), n)
    clips = np.zeros((n, frames, size, size), np.float32)
    tracks = np.zeros((n, frames, 2), np.float64)
    t = np.arange(frames) - mid
    for k in range(n):
        step = np.array(_STEPS[names[labels[k]]], float) * speed
        sprite = sprites[which[k]]
        if wrap:
            # a torus: the middle position is uniform over the whole canvas, so is every other frame's
            start = rng.integers(0, size, 2).astype(float)
            pos = (start[None, :] + t[:, None] * step[None, :]) % size
            tracks[k] = pos
            for f in range(frames):
                rows = (int(pos[f, 0]) + np.arange(sprite.shape[0])) % size
                cols = (int(pos[f, 1]) + np.arange(sprite.shape[1])) % size
                cell = np.ix_(rows, cols)
                clips[k, f][cell] = np.maximum(clips[k, f][cell], sprite)
            continue
        # the middle frame's position is drawn from the same range for every direction and axis
        start = rng.integers(lo, hi + 1, 2).astype(float)
        pos = start[None, :] + t[:, None] * step[None, :]
        tracks[k] = pos
        for f in range(frames):
            r, c = int(pos[f, 0]), int(pos[f, 1])
            view = clips[k, f, r:r + sprite.shape[0], c:c + sprite.shape[1]]
            np.maximum(view, sprite, out=view)
    if noise:
        clips += rng.normal(0.0, noise, clips.shape).astype(np.float32)
    return np.clip(np.rint(clips), 0, 255).astype(np.uint8), labels.astype(np.int64), tracks


def pan_zoom(image: np.ndarray, frames: int = 24, out_size: int = 160, zoom: tuple[float, float] = (1.0, 1.6),
             pan: tuple[float, float] = (0.15, 0.15)) -> tuple[np.ndarray, np.ndarray]:
    """A virtual camera over a still ``image``: (frames, out_size, out_size, C) uint8 and the crop boxes.

    Frame f is a square crop whose side shrinks by the ``zoom`` factors (start, end) and whose
    centre drifts from the image centre by ``pan`` (fraction of the image, rows and cols) over the
    clip, resized by nearest-neighbour sampling; the crop is kept inside the image.  Boxes are
    (frames, 4) float ``[row0, col0, row1, col1]`` in the image's pixels, so a point (r, c) of the
    image appears in frame f at ``(r - row0) * out_size / (row1 - row0)``.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    frames, out_size = checks.positive_int("frames", frames), checks.positive_int("out_size", out_size)
    if len(zoom) != 2 or len(pan) != 2 or not (0 < zoom[0] and 0 < zoom[1]):
        raise ValueError(f"zoom must be two factors > 0 and pan two fractions, got zoom={zoom!r}, pan={pan!r}")
    h, w = image.shape[:2]
    base = min(h, w)
    s = np.linspace(0.0, 1.0, frames)
    sides = base / np.interp(s, [0, 1], zoom)
    centre_r = h / 2 + s * pan[0] * h
    centre_c = w / 2 + s * pan[1] * w
    video, boxes = [], []
    for f in range(frames):
        half = sides[f] / 2
        r0 = float(np.clip(centre_r[f] - half, 0, h - sides[f]))
        c0 = float(np.clip(centre_c[f] - half, 0, w - sides[f]))
        rows = np.clip((r0 + (np.arange(out_size) + 0.5) * sides[f] / out_size).astype(int), 0, h - 1)
        cols = np.clip((c0 + (np.arange(out_size) + 0.5) * sides[f] / out_size).astype(int), 0, w - 1)
        video.append(image[rows][:, cols])
        boxes.append([r0, c0, r0 + sides[f], c0 + sides[f]])
    return np.stack(video).astype(np.uint8), np.asarray(boxes)
