"""helpers.synthetic, chapter 5 section: ultrasound-like images, shape scenes and aerial tiles with masks."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import synthetic as S


def test_ultrasound_shapes_types_and_determinism():
    x, m = S.ultrasound_images(40, size=48, seed=3)
    assert x.shape == m.shape == (40, 48, 48, 1)
    assert x.dtype == m.dtype == np.uint8
    assert set(np.unique(m)) <= {0, 1}
    x2, m2 = S.ultrasound_images(40, size=48, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(m, m2)
    x3, _ = S.ultrasound_images(40, size=48, seed=4)
    assert not np.array_equal(x, x3)


def test_ultrasound_nerve_fraction_and_size():
    _, m = S.ultrasound_images(400, size=32, nerve_fraction=0.6, seed=0)
    has = m.reshape(len(m), -1).max(axis=1) > 0
    assert 0.5 < has.mean() < 0.7
    area = m.reshape(len(m), -1)[has].mean(axis=1)
    assert 0.005 < area.min() and area.max() < 0.2  # a nerve is a small part of the frame
    _, none = S.ultrasound_images(20, size=32, nerve_fraction=0.0)
    _, all_ = S.ultrasound_images(20, size=32, nerve_fraction=1.0)
    assert none.max() == 0 and all(all_.reshape(20, -1).max(axis=1) == 1)


def test_ultrasound_nerve_is_visible_in_the_image():
    """The nerve's rim is brighter than the tissue around it: the task is learnable."""
    x, m = S.ultrasound_images(200, size=64, nerve_fraction=1.0, seed=1)
    from scipy import ndimage

    rim = np.stack([ndimage.binary_dilation(k[..., 0], iterations=2) & ~ndimage.binary_erosion(k[..., 0], iterations=2)
                    for k in m])
    ring = np.stack([ndimage.binary_dilation(k[..., 0], iterations=8) for k in m]) & ~np.stack(
        [ndimage.binary_dilation(k[..., 0], iterations=4) for k in m])
    img = x[..., 0].astype(float)
    assert img[rim].mean() > 1.3 * img[ring].mean()


def test_shape_mask_scenes():
    x, m = S.shape_mask_scenes(60, size=40, max_objects=3, seed=0)
    assert x.shape == (60, 40, 40, 3) and m.shape == (60, 40, 40)
    assert x.dtype == m.dtype == np.uint8
    assert set(np.unique(m)) == set(range(len(S.MASK_SCENE_CLASSES)))
    assert all(len(np.unique(k)) >= 2 for k in m)  # every scene has at least one shape
    x2, m2 = S.shape_mask_scenes(60, size=40, max_objects=3, seed=0)
    assert np.array_equal(x, x2) and np.array_equal(m, m2)
    # the classes lean to their hues: mean red is highest on circles, green on squares, blue on triangles
    for label, channel in ((1, 0), (2, 1), (3, 2)):
        colour = x[m == label].astype(float).mean(axis=0)
        assert np.argmax(colour) == channel, (label, colour)


def test_shape_mask_scenes_shapes_fill_their_boxes_as_expected():
    _, m = S.shape_mask_scenes(90, size=64, max_objects=1, seed=5)
    fills = {1: [], 2: [], 3: []}
    for k in m:
        label = int(k.max())
        ys, xs = np.nonzero(k == label)
        fills[label].append(len(ys) / ((np.ptp(ys) + 1) * (np.ptp(xs) + 1)))
    assert 0.7 < np.median(fills[1]) < 0.86  # a disk fills pi/4 of its box
    assert 0.5 <= np.median(fills[2]) <= 1.0  # a rotated square fills 1/2 .. 1
    assert np.median(fills[3]) < 0.6  # a triangle fills at most about half


def test_aerial_tiles_classes_and_layout():
    x, m = S.aerial_tiles(120, size=64, seed=0)
    assert x.shape == (120, 64, 64, 3) and m.shape == (120, 64, 64) and x.dtype == m.dtype == np.uint8
    assert set(np.unique(m)) == set(range(len(S.AERIAL_CLASSES)))
    freq = np.bincount(m.ravel(), minlength=5) / m.size
    assert freq[0] > 0.4 and all(freq[1:] > 0.02)  # background dominates, every class shows up
    assert all((k == 4).any() for k in m)  # every tile has a road
    # water is bluer than woodland on average
    water, wood = x[m == 3].astype(float).mean(axis=0), x[m == 2].astype(float).mean(axis=0)
    assert water[2] - water[1] > wood[2] - wood[1]
    x2, m2 = S.aerial_tiles(120, size=64, seed=0)
    assert np.array_equal(x, x2) and np.array_equal(m, m2)


@pytest.mark.parametrize("call", [
    lambda: S.ultrasound_images(0),
    lambda: S.ultrasound_images(2, size=8),
    lambda: S.ultrasound_images(2, nerve_fraction=1.5),
    lambda: S.shape_mask_scenes(2, max_objects=0),
    lambda: S.shape_mask_scenes(2, noise=-1.0),
    lambda: S.aerial_tiles(-3),
    lambda: S.aerial_tiles(2, size=12.5),
])
def test_bad_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()
