"""helpers.metrics, segmentation section (chapter 5): pixel accuracy, confusion matrix, IoU, Dice."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import metrics as M

TRUE = np.array([[0, 0, 1],
                 [1, 2, 2]])
PRED = np.array([[0, 1, 1],
                 [1, 2, 0]])


def test_confusion_matrix_rows_are_true_classes():
    cm = M.pixel_confusion_matrix(TRUE, PRED, 3)
    assert cm.dtype == np.int64
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert cm.sum() == TRUE.size


def test_pixel_accuracy_and_class_iou_by_hand():
    assert M.pixel_accuracy(TRUE, PRED) == pytest.approx(4 / 6)
    # class 0: TP 1, FP 1, FN 1; class 1: TP 2, FP 1, FN 0; class 2: TP 1, FP 0, FN 1
    assert M.class_iou(TRUE, PRED, 3) == pytest.approx([1 / 3, 2 / 3, 1 / 2])
    assert M.mean_iou(TRUE, PRED, 3) == pytest.approx((1 / 3 + 2 / 3 + 1 / 2) / 3)


def test_absent_class_is_nan_and_left_out_of_the_mean():
    ious = M.class_iou(TRUE, PRED, 5)
    assert np.isnan(ious[3]) and np.isnan(ious[4])
    assert M.mean_iou(TRUE, PRED, 5) == pytest.approx(M.mean_iou(TRUE, PRED, 3))


def test_mean_iou_matches_keras_meaniou():
    import keras

    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, (3, 16, 16))
    p = np.where(rng.random(t.shape) < 0.7, t, rng.integers(0, 4, t.shape))
    p[p == 3] = 0  # class 3 never predicted
    metric = keras.metrics.MeanIoU(num_classes=4)
    metric.update_state(t, p)
    assert M.mean_iou(t, p, 4) == pytest.approx(float(metric.result()), abs=1e-6)


def test_pixel_accuracy_misleads_on_imbalanced_masks():
    truth = np.zeros((100, 100), dtype=np.uint8)
    truth[40:50, 40:50] = 1  # 1 % foreground
    nothing = np.zeros_like(truth)
    assert M.pixel_accuracy(truth, nothing) == pytest.approx(0.99)
    assert M.class_iou(truth, nothing, 2)[1] == 0.0
    assert M.dice_coefficient(truth, nothing) == 0.0


def test_dice_and_mask_iou_by_hand():
    a = np.array([1, 1, 1, 0, 0], dtype=bool)
    b = np.array([0, 1, 1, 1, 0], dtype=bool)
    assert M.dice_coefficient(a, b) == pytest.approx(2 * 2 / (3 + 3))
    assert M.mask_iou(a, b) == pytest.approx(2 / 4)
    d, j = M.dice_coefficient(a, b), M.mask_iou(a, b)
    assert d == pytest.approx(2 * j / (1 + j))  # the identity linking the two
    assert M.dice_coefficient(a, b, smooth=1.0) == pytest.approx((4 + 1) / (6 + 1))


def test_soft_dice_matches_keras_dice_loss():
    import keras

    rng = np.random.default_rng(1)
    t = (rng.random((2, 8, 8, 1)) > 0.6).astype("float32")
    p = rng.random((2, 8, 8, 1)).astype("float32")
    # by default Keras computes one Dice over the whole batch ...
    assert float(keras.losses.Dice()(t, p)) == pytest.approx(1 - M.dice_coefficient(t, p), abs=1e-5)
    # ... and with axis=(1, 2, 3) one per image, then averages the losses
    per_image = float(keras.losses.Dice(axis=(1, 2, 3))(t, p))
    assert per_image == pytest.approx(1 - float(np.mean(M.dice_coefficient(t, p, per_image=True))), abs=1e-5)


def test_empty_masks_and_per_image():
    empty = np.zeros((2, 4, 4))
    assert M.dice_coefficient(empty, empty) == 1.0 and M.mask_iou(empty, empty) == 1.0
    t = np.zeros((2, 4, 4))
    t[0, :2] = 1
    p = t.copy()
    p[1, 0, 0] = 1  # image 1: false positive on an empty mask
    assert M.dice_coefficient(t, p, per_image=True).tolist() == [1.0, 0.0]
    assert M.mask_iou(t, p, per_image=True).tolist() == [1.0, 0.0]


@pytest.mark.parametrize("call", [
    lambda: M.pixel_confusion_matrix(TRUE, PRED[:, :2], 3),
    lambda: M.pixel_confusion_matrix(TRUE, PRED.astype(float), 3),
    lambda: M.pixel_confusion_matrix(TRUE, PRED, 2),
    lambda: M.pixel_confusion_matrix(TRUE, PRED, 0),
    lambda: M.pixel_accuracy(np.array([], int), np.array([], int)),
    lambda: M.dice_coefficient(np.ones(3), np.full(3, 2.0)),
    lambda: M.dice_coefficient(np.ones(3), np.ones(3), smooth=-1),
    lambda: M.mask_iou(np.ones(3), np.ones(4)),
    lambda: M.mask_iou(np.ones(3), np.ones(3), per_image=True),
])
def test_bad_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()
