"""Seeded cartoon faces with known landmarks and attributes (a stand-in for MTFL / MAFL).

Each face is a skin-coloured ellipse with hair, two eyes, a nose and a mouth, drawn with OpenCV
at four times the output size and shrunk with area averaging.  Because the generator places the
parts, it knows the five landmarks (the MTFL / MTCNN scheme: left eye, right eye, nose, left and
right mouth corner, "left" meaning the left of the image) and four attributes:

* ``gender``: 0 short hair, 1 long hair down both sides of the face (a stand-in, not a real cue);
* ``smile``: 0 straight mouth, 1 mouth curved upwards at the corners;
* ``glasses``: 0 none, 1 two rings around the eyes and a bridge;
* ``pose``: 5 head-yaw classes, 0 (turned far to the image left) ... 2 (frontal) ... 4 (far right):
  the inner features slide sideways inside the face outline.

Position, size, in-plane rotation, skin and hair tone, background and pixel noise vary at random.
Plain NumPy + OpenCV; imports nothing from ``helpers``.
"""
from __future__ import annotations

import numpy as np

from helpers import checks

LANDMARK_NAMES = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")
ATTRIBUTES = {"gender": 2, "smile": 2, "glasses": 2, "pose": 5}
_UP = 4  # drawing resolution factor (anti-aliasing by area resize)


def _rotate(points: np.ndarray, centre: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    d = points - centre
    return centre + np.stack([c * d[..., 0] - s * d[..., 1], s * d[..., 0] + c * d[..., 1]], axis=-1)


def _draw_face(rng: np.random.Generator, size: int, attrs: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    import cv2

    big = size * _UP
    canvas = np.full((big, big), rng.uniform(0.15, 0.85), np.float32)
    # a soft background gradient so the face is not always on a flat field
    ramp = np.linspace(-1, 1, big, dtype=np.float32)
    canvas += rng.uniform(-0.15, 0.15) * ramp[None, :] + rng.uniform(-0.15, 0.15) * ramp[:, None]
    a = rng.uniform(0.27, 0.34) * big           # half-width of the face
    b = a * rng.uniform(1.15, 1.3)              # half-height
    centre = np.array([big / 2 + rng.uniform(-0.06, 0.06) * big, big / 2 + rng.uniform(-0.05, 0.05) * big])
    angle = np.deg2rad(rng.uniform(-15, 15))
    yaw = (attrs["pose"] - 2) * 0.17 * a
    skin = rng.uniform(0.55, 0.95)
    hair = rng.uniform(0.0, 0.35) if skin > 0.6 else rng.uniform(0.75, 1.0)

    def pts(xy: list[tuple[float, float]]) -> np.ndarray:
        return _rotate(centre + np.asarray(xy, np.float64), centre, angle)

    def ipts(xy: list[tuple[float, float]]) -> np.ndarray:
        return np.round(pts(xy) * 16).astype(np.int32)  # 4 fractional bits for cv2's shift

    deg = float(np.rad2deg(angle))
    ctr = tuple(int(v) for v in np.round(centre * 16))
    if attrs["gender"] == 1:  # long hair: a wide dark shape behind the face down to the chin
        cv2.fillPoly(canvas, [ipts([(-1.25 * a, -0.2 * b), (-1.2 * a, 1.05 * b), (1.2 * a, 1.05 * b),
                                    (1.25 * a, -0.2 * b)])], hair, cv2.LINE_AA, shift=4)
    cv2.ellipse(canvas, ctr, (int(a * 1.08 * 16), int(b * 1.1 * 16)), deg, 180, 360, hair, -1, cv2.LINE_AA, shift=4)
    cv2.ellipse(canvas, ctr, (int(a * 16), int(b * 16)), deg, 0, 360, skin, -1, cv2.LINE_AA, shift=4)
    # a fringe over the forehead
    cv2.ellipse(canvas, tuple(int(v) for v in np.round(pts([(0, -0.72 * b)])[0] * 16)),
                (int(a * 0.95 * 16), int(b * 0.3 * 16)), deg, 180, 360, hair, -1, cv2.LINE_AA, shift=4)

    eye_y, mouth_y = -0.2 * b, 0.45 * b
    marks = pts([(-0.38 * a + yaw, eye_y), (0.38 * a + yaw, eye_y), (1.25 * yaw, 0.12 * b),
                 (-0.33 * a + yaw, mouth_y), (0.33 * a + yaw, mouth_y)])
    dark = max(0.0, skin - 0.5)
    eye_r = int(0.09 * a * 16)
    for p in marks[:2]:
        cv2.circle(canvas, tuple(int(v) for v in np.round(p * 16)), eye_r, dark, -1, cv2.LINE_AA, shift=4)
    cv2.polylines(canvas, [ipts([(1.15 * yaw, -0.05 * b), (1.35 * yaw + 0.07 * a, 0.12 * b),
                                 (1.25 * yaw - 0.05 * a, 0.14 * b)])], False, skin - 0.25, max(2, big // 60),
                  cv2.LINE_AA, shift=4)
    lip = 0.12 * b if attrs["smile"] else 0.0   # image y points down: a lower middle = corners up = a smile
    mouth = [(-0.33 * a + yaw + t * 0.66 * a, mouth_y + lip * (1 - (2 * t - 1) ** 2)) for t in np.linspace(0, 1, 9)]
    cv2.polylines(canvas, [ipts(mouth)], False, dark, max(3, big // 40), cv2.LINE_AA, shift=4)
    if attrs["glasses"]:
        ring = int(0.25 * a * 16)
        for p in marks[:2]:
            cv2.circle(canvas, tuple(int(v) for v in np.round(p * 16)), ring, 0.05, max(2, big // 70),
                       cv2.LINE_AA, shift=4)
        cv2.polylines(canvas, [ipts([(-0.38 * a + yaw + 0.25 * a, eye_y), (0.38 * a + yaw - 0.25 * a, eye_y)])],
                      False, 0.05, max(2, big // 70), cv2.LINE_AA, shift=4)
    small = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)
    small += rng.normal(0, 0.03, small.shape).astype(np.float32)
    return np.clip(small, 0, 1), (marks / _UP).astype(np.float32)


def cartoon_faces(n: int, size: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """``n`` grey cartoon faces (n, size, size) in [0, 1], landmarks (n, 5, 2) as (x, y) pixels, and attributes.

    The attributes are a dict of int arrays of length n: gender, smile, glasses (0/1) and pose (0..4),
    drawn independently and uniformly. The landmark order is ``LANDMARK_NAMES``.
    """
    n, size = checks.positive_int("n", n), checks.int_at_least("size", size, 16)
    rng = np.random.default_rng(seed)
    attrs = {name: rng.integers(0, k, n) for name, k in ATTRIBUTES.items()}
    images = np.empty((n, size, size), np.float32)
    marks = np.empty((n, 5, 2), np.float32)
    for i in range(n):
        images[i], marks[i] = _draw_face(rng, int(size), {k: int(v[i]) for k, v in attrs.items()})
    return images, marks, attrs
