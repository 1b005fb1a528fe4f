"""helpers.synthetic, chapter 4: digit canvases for detection and the pedestrian street scenes."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import datasets, synthetic


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """A small fixed set of source digits (no MNIST load needed): a filled square per class, label = class."""
    x = np.zeros((10, 28, 28), np.uint8)
    for k in range(10):
        x[k, 4:24, 6 + k // 2:22 - k // 2] = 200 + k
    return x, np.arange(10)


def test_digit_canvases_shapes_types_and_boxes(digits) -> None:
    images, boxes, labels, masks = synthetic.digit_canvases(30, (64, 80), (1, 3), (16, 28), seed=3, digits=digits,
                                                            return_masks=True)
    assert images.shape == (30, 64, 80) and images.dtype == np.uint8
    assert masks.shape == images.shape and masks.dtype == np.uint8
    assert len(boxes) == len(labels) == 30
    for img, b, lab, mask in zip(images, boxes, labels, masks):
        assert b.dtype == np.float32 and b.shape == (len(lab), 4) and lab.dtype == np.int64
        assert 1 <= len(lab) <= 3
        assert np.all(b[:, :2] >= 0) and np.all(b[:, 2] <= 80) and np.all(b[:, 3] <= 64)
        assert np.all(b[:, 2:] > b[:, :2])
        for k, (x1, y1, x2, y2) in enumerate(b.astype(int)):
            inst = mask == k + 1
            ys, xs = np.nonzero(inst)
            # the box is tight around the instance's ink, in [x1, y1, x2, y2) pixels
            assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (x1, y1, x2, y2)
            assert img[inst].min() > 40
        assert img[mask == 0].max(initial=0) <= 40       # only faint resampling edges outside the masks
    # the pasted source decides the label: source k has brightness 200 + k
    for img, b, lab in zip(images, boxes, labels):
        for (x1, y1, x2, y2), c in zip(b.astype(int), lab):
            assert abs(int(img[y1:y2, x1:x2].max()) - (200 + c)) <= 2


def test_digit_canvases_do_not_overlap_unless_asked(digits) -> None:
    _, boxes, _ = synthetic.digit_canvases(40, 48, 3, 20, seed=1, digits=digits)
    for b in boxes:
        for i in range(len(b)):
            for j in range(i + 1, len(b)):
                assert b[i, 2] <= b[j, 0] or b[j, 2] <= b[i, 0] or b[i, 3] <= b[j, 1] or b[j, 3] <= b[i, 1]
    _, boxes, _ = synthetic.digit_canvases(40, 32, 3, 24, seed=1, digits=digits, overlap=True)
    assert all(len(b) == 3 for b in boxes)


def test_digit_canvases_are_deterministic_and_noise_works(digits) -> None:
    a = synthetic.digit_canvases(5, 64, (0, 4), (16, 32), seed=9, digits=digits)
    b = synthetic.digit_canvases(5, 64, (0, 4), (16, 32), seed=9, digits=digits)
    c = synthetic.digit_canvases(5, 64, (0, 4), (16, 32), seed=10, digits=digits)
    np.testing.assert_array_equal(a[0], b[0])
    assert all(np.array_equal(x, y) for x, y in zip(a[1], b[1]))
    assert not np.array_equal(a[0], c[0])
    noisy, _, _ = synthetic.digit_canvases(5, 64, (0, 4), (16, 32), seed=9, digits=digits, noise=20.0)
    assert not np.array_equal(noisy, a[0])
    empty, boxes, labels = synthetic.digit_canvases(3, 40, 0, 16, digits=digits)
    assert empty.max() == 0 and all(len(b) == 0 and b.shape == (0, 4) for b in boxes)


def test_digit_canvases_need_digits_and_take_mnist_smoke() -> None:
    with pytest.raises(TypeError, match="digits"):
        synthetic.digit_canvases(4, 96, 2, 28, seed=0)  # pylint: disable=missing-kwoa
    images, boxes, labels = synthetic.digit_canvases(4, 96, 2, 28, seed=0, digits=datasets.load_mnist(smoke=True)[0])
    assert images.shape == (4, 96, 96) and all(len(b) == 2 for b in boxes)
    assert set(np.concatenate(labels)) <= set(range(10))


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 0}, "positive int"),
    ({"n_digits": (3, 1)}, "n_digits"),
    ({"n_digits": -1}, "n_digits"),
    ({"digit_size": 4}, "digit_size"),
    ({"digit_size": (30, 20)}, "digit_size"),
    ({"canvas_size": 20, "digit_size": 28}, "canvas_size"),
    ({"noise": -1.0}, "noise"),
    ({"digits": (np.zeros((3, 28)), np.zeros(3))}, "digits must be"),
])
def test_digit_canvases_reject_bad_input(kwargs, match, digits) -> None:
    args = {"n": 2, "canvas_size": 64, "digits": digits, **kwargs}
    with pytest.raises(ValueError, match=match):
        synthetic.digit_canvases(**args)


def test_pedestrian_scenes_shapes_masks_and_boxes() -> None:
    images, boxes, masks = synthetic.pedestrian_scenes(6, image_size=(200, 260), n_people=(1, 3), seed=2)
    assert len(images) == len(boxes) == len(masks) == 6
    for img, b, m in zip(images, boxes, masks):
        assert img.shape == (200, 260, 3) and img.dtype == np.uint8
        assert m.shape == (200, 260) and m.dtype == np.uint8
        assert b.dtype == np.float32 and 1 <= len(b) <= 3
        np.testing.assert_array_equal(datasets.boxes_from_mask(m), b)
        heights, widths = b[:, 3] - b[:, 1], b[:, 2] - b[:, 0]
        assert np.all(heights > 1.5 * widths)            # standing people are taller than wide
        for i in range(len(b)):                           # people do not overlap
            for j in range(i + 1, len(b)):
                assert b[i, 2] <= b[j, 0] or b[j, 2] <= b[i, 0]
    again = synthetic.pedestrian_scenes(6, image_size=(200, 260), n_people=(1, 3), seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(images, again[0]))


def test_pedestrian_scenes_are_found_by_hog() -> None:
    """The stand-in is only useful if OpenCV's pedestrian detector sees people in it."""
    import cv2
    from helpers import metrics

    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    images, boxes, _ = synthetic.pedestrian_scenes(12, seed=0)
    found = total = 0
    for img, b in zip(images, boxes):
        rects, _ = hog.detectMultiScale(img, winStride=(8, 8), padding=(16, 16), scale=1.05, groupThreshold=1)
        det = np.asarray(rects, float).reshape(-1, 4)
        det[:, 2:] += det[:, :2]
        total += len(b)
        if len(det):
            found += int((metrics.iou_matrix(b, det).max(axis=1) >= 0.3).sum())
    assert found >= total // 2


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 0}, "positive int"),
    ({"image_size": (40, 300)}, "image_size"),
    ({"n_people": (2, 1)}, "n_people"),
    ({"height": (150, 250)}, "height"),
])
def test_pedestrian_scenes_reject_bad_input(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        synthetic.pedestrian_scenes(**{"n": 1, **kwargs})
