"""helpers.synthetic.video: moving-digit clips (label = direction) and the pan/zoom virtual camera."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import synthetic as S
from helpers.synthetic.video import direction_names, moving_digits, pan_zoom


def _digits(n=10, seed=0):
    rng = np.random.default_rng(seed)
    d = np.zeros((n, 28, 28), np.uint8)
    d[:, 6:22, 10:18] = rng.integers(150, 256, (n, 16, 8))  # a bright bar, like a "1"
    return d


def test_shapes_types_and_determinism():
    c, y, tr = moving_digits(_digits(), 50, frames=8, size=40, seed=3)
    assert c.shape == (50, 8, 40, 40) and c.dtype == np.uint8
    assert y.shape == (50,) and y.dtype == np.int64 and set(y) <= {0, 1, 2, 3}
    assert tr.shape == (50, 8, 2)
    c2, y2, tr2 = moving_digits(_digits(), 50, frames=8, size=40, seed=3)
    assert np.array_equal(c, c2) and np.array_equal(y, y2) and np.array_equal(tr, tr2)
    c3, _, _ = moving_digits(_digits(), 50, frames=8, size=40, seed=4)
    assert not np.array_equal(c, c3)
    assert S.moving_digits is moving_digits  # re-exported


def test_tracks_follow_the_label_direction():
    _, y, tr = moving_digits(_digits(), 200, frames=6, size=40, speed=3, seed=1)
    step = np.diff(tr, axis=1)                          # (n, frames-1, 2)
    expected = {0: (0, 3), 1: (0, -3), 2: (3, 0), 3: (-3, 0)}
    for label, (dr, dc) in expected.items():
        assert np.all(step[y == label] == (dr, dc))
    assert tr.min() >= 0 and tr.max() <= 40 - 14


def test_middle_frame_position_does_not_give_the_label_away():
    _, y, tr = moving_digits(_digits(), 2000, frames=8, size=40, seed=2)
    mid = tr[:, 4]
    for label in range(4):
        sel = mid[y == label]
        assert sel.min(axis=0).tolist() == [8, 8] and sel.max(axis=0).tolist() == [18, 18]
        assert np.allclose(sel.mean(axis=0), 13, atol=0.6)


def test_default_first_frame_leaks_the_label():
    """wrap=False (kept as an example of a leaky dataset): right-movers start on the left, left-movers on the right."""
    _, y, tr = moving_digits(_digits(), 2000, frames=8, size=40, seed=2)
    first = tr[:, 0, 1]
    assert first[y == 0].max() < first[y == 1].min()          # start columns do not even overlap
    assert first[y == 0].max() == 10 and first[y == 1].min() == 16


def test_wrap_puts_every_frame_uniformly_on_the_canvas_for_every_direction():
    _, y, tr = moving_digits(_digits(), 4000, frames=8, size=40, wrap=True, seed=2)
    assert tr.min() >= 0 and tr.max() <= 39
    for f in range(8):
        for label in range(4):
            sel = tr[y == label, f]
            assert sel.min(axis=0).tolist() == [0, 0] and sel.max(axis=0).tolist() == [39, 39]
            assert np.allclose(sel.mean(axis=0), 19.5, atol=1.5)
            counts = np.bincount(sel[:, 1].astype(int), minlength=40)
            assert counts.min() > 0.4 * counts.mean()                # no column is rare for any class


def test_wrap_tracks_follow_the_direction_modulo_the_canvas():
    _, y, tr = moving_digits(_digits(), 200, frames=6, size=30, speed=3, wrap=True, seed=1)
    step = (np.diff(tr, axis=1) + 15) % 30 - 15                     # shortest signed step on the torus
    expected = {0: (0, 3), 1: (0, -3), 2: (3, 0), 3: (-3, 0)}
    for label, (dr, dc) in expected.items():
        assert np.all(step[y == label] == (dr, dc))


def test_wrap_draws_the_digit_around_the_edges_without_losing_ink():
    c, _, tr = moving_digits(_digits(), 30, frames=6, size=20, noise=0.0, wrap=True, seed=5)
    ink = c.reshape(30, 6, -1).astype(int).sum(-1)
    assert np.all(ink == ink[:, :1]) and np.all(ink > 0)          # the whole digit is in every frame
    for k in range(30):
        for f in range(6):
            r, col = tr[k, f].astype(int)
            rows, cols = (r + np.arange(14)) % 20, (col + np.arange(14)) % 20
            assert c[k, f][np.ix_(rows, cols)].astype(int).sum() == ink[k, f]   # all ink in the wrapped box
    assert any(tr[k, f, 1] > 20 - 14 for k in range(30) for f in range(6))   # some digits are split by an edge


def test_default_output_does_not_depend_on_the_wrap_code():
    a = moving_digits(_digits(), 20, seed=7)
    b = moving_digits(_digits(), 20, seed=7, wrap=False)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    w = moving_digits(_digits(), 20, seed=7, wrap=True)
    assert np.array_equal(a[1], w[1])                               # same labels, different positions
    assert not np.array_equal(a[2], w[2])


def test_pixels_put_the_digit_where_the_track_says():
    c, _, tr = moving_digits(_digits(), 20, frames=5, size=40, noise=0.0, seed=5)
    for k in range(20):
        for f in range(5):
            r, col = tr[k, f].astype(int)
            inside = c[k, f, r:r + 14, col:col + 14].astype(int).sum()
            assert inside == c[k, f].astype(int).sum() > 0  # all ink within the 14x14 sprite box


def test_eight_directions_and_names():
    _, y, tr = moving_digits(_digits(), 400, frames=4, size=32, n_directions=8, seed=0)
    assert set(y) == set(range(8))
    diag = np.diff(tr[y == 4], axis=1)
    assert np.all(diag == (2, 2))
    assert direction_names(4) == ("right", "left", "down", "up") and len(direction_names(8)) == 8


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n_directions": 5}, {"size": 20}, {"noise": -1.0},
                                    {"frames": 2.5}, {"wrap": "yes"}, {"wrap": True, "size": 13}])
def test_bad_arguments(kwargs):
    args = {"n": 5}
    args.update(kwargs)
    with pytest.raises(ValueError):
        moving_digits(_digits(), **args)
    with pytest.raises(ValueError):
        moving_digits(np.zeros((28, 28)), 5)


def test_pan_zoom_boxes_and_frames():
    img = np.arange(200 * 300, dtype=np.int64).reshape(200, 300) % 251
    video, boxes = pan_zoom(img.astype(np.uint8), frames=10, out_size=50, zoom=(1.0, 2.0), pan=(0.1, 0.1))
    assert video.shape == (10, 50, 50) and video.dtype == np.uint8
    side = boxes[:, 2] - boxes[:, 0]
    assert np.isclose(side[0], 200) and np.isclose(side[-1], 100)
    assert np.all(np.diff(side) < 0) and np.allclose(side, boxes[:, 3] - boxes[:, 1])
    assert boxes.min() >= 0 and boxes[:, 2].max() <= 200 and boxes[:, 3].max() <= 300
    # frame pixel (i, j) is the image pixel at the box position of its centre
    f, i, j = 9, 10, 20
    r = int(boxes[f, 0] + (i + 0.5) * side[f] / 50)
    c = int(boxes[f, 1] + (j + 0.5) * side[f] / 50)
    assert video[f, i, j] == img[r, c]
    with pytest.raises(ValueError):
        pan_zoom(np.zeros(5))
