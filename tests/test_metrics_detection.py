"""helpers.metrics, detection section: IoU, NMS, anchors, box encoding, AP and detection evaluation.

Reference values come from Keras (compute_iou, encode_box_to_deltas), TensorFlow
(non_max_suppression) and pycocotools (COCOeval), or are worked out by hand in the test.
"""
from __future__ import annotations

import contextlib
import io

import keras
import numpy as np
import pytest
import tensorflow as tf
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from helpers import metrics as M


def random_boxes(rng: np.random.Generator, n: int, size: float = 100.0) -> np.ndarray:
    """n random xyxy boxes with positive width and height inside [0, size]."""
    corners = np.sort(rng.uniform(0, size, (n, 2, 2)), axis=1)  # (n, [lo, hi], [x, y])
    return np.concatenate([corners[:, 0], corners[:, 1]], axis=1)


# ---------------------------------------------------------------- formats and IoU

def test_convert_boxes_round_trips_and_known_values() -> None:
    box = np.array([10.0, 20.0, 30.0, 60.0])
    assert M.convert_boxes(box, "xyxy", "xywh").tolist() == [10, 20, 20, 40]
    assert M.convert_boxes(box, "xyxy", "center_xywh").tolist() == [20, 40, 20, 40]
    rng = np.random.default_rng(0)
    boxes = random_boxes(rng, 50)
    for fmt in M.BOX_FORMATS:
        np.testing.assert_allclose(M.convert_boxes(M.convert_boxes(boxes, "xyxy", fmt), fmt, "xyxy"), boxes)


def test_iou_known_values() -> None:
    assert M.iou([0, 0, 10, 10], [5, 5, 15, 15]) == pytest.approx(25 / 175)
    assert M.iou([0, 0, 10, 10], [0, 0, 10, 10]) == pytest.approx(1.0)
    assert M.iou([0, 0, 10, 10], [10, 0, 20, 10]) == 0.0          # touching edges
    assert M.iou([0, 0, 10, 10], [20, 20, 30, 30]) == 0.0          # disjoint: clamped, not negative
    assert M.iou([0, 0, 10, 10], [2, 2, 4, 4]) == pytest.approx(4 / 100)  # contained
    assert M.iou([5, 5, 10, 10], [10, 10, 10, 10], box_format="center_xywh") == pytest.approx(25 / 175)
    assert M.iou([0, 0, 10, 10], [5, 5, 10, 10], box_format="xywh") == pytest.approx(25 / 175)
    assert M.iou([3, 3, 3, 3], [3, 3, 3, 3]) == 0.0                # degenerate boxes: no area, no nan


def test_iou_broadcasts_over_batch_shapes() -> None:
    rng = np.random.default_rng(1)
    a = M.convert_boxes(random_boxes(rng, 2 * 7 * 7 * 2).reshape(2, 7, 7, 2, 4), "xyxy", "center_xywh")
    b = a[::-1]
    out = M.iou(a, b, box_format="center_xywh")
    assert out.shape == (2, 7, 7, 2)
    flat = M.iou(a.reshape(-1, 4), b.reshape(-1, 4), box_format="center_xywh")
    np.testing.assert_allclose(out.ravel(), flat)
    assert np.all((out >= 0) & (out <= 1))


def test_iou_matrix_matches_keras_compute_iou() -> None:
    rng = np.random.default_rng(2)
    a, b = random_boxes(rng, 9), random_boxes(rng, 6)
    expected = keras.ops.convert_to_numpy(keras.utils.bounding_boxes.compute_iou(a, b, bounding_box_format="xyxy"))
    np.testing.assert_allclose(M.iou_matrix(a, b), expected, atol=1e-5)
    assert M.iou_matrix(a, np.zeros((0, 4))).shape == (9, 0)


@pytest.mark.parametrize("call, match", [
    (lambda: M.iou([0, 0, 1], [0, 0, 1, 1]), r"shape \(\.\.\., 4\)"),
    (lambda: M.iou([[0, 0, 1, 1]] * 3, [[0, 0, 1, 1]] * 2), "do not broadcast"),
    (lambda: M.iou([0, 0, 1, 1], [0, 0, 1, 1], box_format="yxyx"), "unknown box format"),
    (lambda: M.iou_matrix(np.zeros((2, 2, 4)), np.zeros((3, 4))), r"\(N, 4\)"),
    (lambda: M.convert_boxes([0, 0, 1, 1], "xyxy", "corners"), "unknown box format"),
])
def test_box_helpers_reject_bad_input(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------- NMS

def test_nms_hand_example() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]], float)
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    # box 3 wins, suppresses 0 (IoU 0.9) and 1 (IoU ~0.62); box 2 is alone
    assert M.nms(boxes, scores, 0.5).tolist() == [3, 2]
    assert M.nms(boxes, scores, 0.95).tolist() == [3, 0, 1, 2]
    assert M.nms(boxes, scores, 0.5, score_threshold=0.75).tolist() == [3]
    assert M.nms(boxes, scores, 0.95, max_output=2).tolist() == [3, 0]
    assert M.nms(np.zeros((0, 4)), np.zeros(0)).tolist() == []


@pytest.mark.parametrize("iou_threshold", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_nms_equals_tensorflow(iou_threshold: float) -> None:
    rng = np.random.default_rng(int(iou_threshold * 10))
    boxes = random_boxes(rng, 60, size=50)
    scores = rng.permutation(60) / 60 + 0.001      # distinct scores: no ties to order differently
    expected = tf.image.non_max_suppression(boxes[:, [1, 0, 3, 2]].astype("float32"), scores.astype("float32"),
                                            max_output_size=60, iou_threshold=iou_threshold,
                                            score_threshold=0.3).numpy()
    np.testing.assert_array_equal(M.nms(boxes, scores, iou_threshold, score_threshold=0.3), expected)


def test_nms_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"\(N, 4\) and scores \(N,\)"):
        M.nms(np.zeros((3, 4)), np.zeros(2))
    with pytest.raises(ValueError, match="iou_threshold"):
        M.nms(np.zeros((1, 4)), np.zeros(1), iou_threshold=1.5)
    with pytest.raises(ValueError, match="max_output"):
        M.nms(np.zeros((1, 4)), np.zeros(1), max_output=-1)


# ---------------------------------------------------------------- anchors and box encoding

def test_make_anchors_layout_and_shapes() -> None:
    anchors = M.make_anchors((2, 3), stride=16, sizes=(16, 32), ratios=(0.5, 1.0, 2.0))
    assert anchors.shape == (2 * 3 * 2 * 3, 4) and anchors.dtype == np.float32
    centres = (anchors[:, :2] + anchors[:, 2:]) / 2
    np.testing.assert_allclose(centres[:6], [[8, 8]] * 6)          # first position, all 6 shapes
    np.testing.assert_allclose(centres[6], [24, 8])                 # next column
    np.testing.assert_allclose(centres[3 * 6], [8, 24])             # next row
    wh = anchors[:6, 2:] - anchors[:6, :2]
    np.testing.assert_allclose(wh[:, 0] / wh[:, 1], [0.5, 1, 2, 0.5, 1, 2], rtol=1e-5)   # ratio = width / height
    np.testing.assert_allclose(np.sqrt(wh[:, 0] * wh[:, 1]), [16, 16, 16, 32, 32, 32], rtol=1e-5)
    with pytest.raises(ValueError, match="grid"):
        M.make_anchors((0, 3), 16)
    with pytest.raises(ValueError, match="positive"):
        M.make_anchors((2, 2), 16, sizes=(-1,))


def test_match_anchors_thresholds_and_forced_best() -> None:
    anchors = np.array([[0, 0, 10, 10], [0, 0, 10, 12], [0, 0, 20, 20], [50, 50, 60, 60], [100, 100, 110, 110]], float)
    gt = np.array([[0, 0, 10, 10], [52, 52, 65, 65]], float)
    index, labels, best = M.match_anchors(anchors, gt, positive_iou=0.7, negative_iou=0.3, force_best=True)
    # anchor 0: IoU 1 -> positive; anchor 1: 100/120 = 0.83 -> positive; anchor 2: 0.25 -> background;
    # anchor 3: 64/205 = 0.31 -> ignored by thresholds, but it is gt 1's best anchor -> forced positive
    assert labels.tolist() == [1, 1, 0, 1, 0]
    assert index.tolist() == [0, 0, -1, 1, -1]
    assert best[3] == pytest.approx(64 / 205)
    _, labels, _ = M.match_anchors(anchors, gt, positive_iou=0.7, negative_iou=0.3, force_best=False)
    assert labels.tolist() == [1, 1, 0, -1, 0]
    index, labels, _ = M.match_anchors(anchors, np.zeros((0, 4)))
    assert labels.tolist() == [0] * 5 and index.tolist() == [-1] * 5
    with pytest.raises(ValueError, match="negative_iou <= positive_iou"):
        M.match_anchors(anchors, gt, positive_iou=0.3, negative_iou=0.7)


def test_encode_decode_round_trip_and_known_value() -> None:
    anchor = np.array([[0.0, 0.0, 10.0, 10.0]])
    box = np.array([[5.0, 0.0, 15.0, 20.0]])                      # centre (10, 10) vs (5, 5); size (10, 20)
    np.testing.assert_allclose(M.encode_boxes(box, anchor), [[0.5, 0.5, 0.0, np.log(2)]])
    np.testing.assert_allclose(M.encode_boxes(box, anchor, variance=[0.1, 0.1, 0.2, 0.2]),
                               [[5.0, 5.0, 0.0, np.log(2) / 0.2]])
    rng = np.random.default_rng(3)
    boxes, anchors = random_boxes(rng, 40) + [0, 0, 1, 1], random_boxes(rng, 40) + [0, 0, 1, 1]
    for variance in (None, [0.1, 0.1, 0.2, 0.2]):
        deltas = M.encode_boxes(boxes, anchors, variance)
        np.testing.assert_allclose(M.decode_boxes(deltas, anchors, variance), boxes, atol=1e-9)
    with pytest.raises(ValueError, match="positive width"):
        M.encode_boxes([[0, 0, 0, 5]], [[0, 0, 5, 5]])
    with pytest.raises(ValueError, match="variance"):
        M.encode_boxes(boxes, anchors, variance=[1, 1])


def test_encoding_matches_keras() -> None:
    rng = np.random.default_rng(4)
    boxes, anchors = random_boxes(rng, 30) + [0, 0, 1, 1], random_boxes(rng, 30) + [0, 0, 1, 1]
    variance = [0.1, 0.1, 0.2, 0.2]
    expected = keras.utils.bounding_boxes.encode_box_to_deltas(
        anchors.astype("float32"), boxes.astype("float32"), anchor_format="xyxy", box_format="xyxy",
        encoding_format="center_xywh", variance=variance)
    np.testing.assert_allclose(M.encode_boxes(boxes, anchors, variance), keras.ops.convert_to_numpy(expected),
                               rtol=1e-4, atol=1e-4)
    decoded = keras.utils.bounding_boxes.decode_deltas_to_boxes(
        anchors.astype("float32"), M.encode_boxes(boxes, anchors, variance).astype("float32"),
        anchor_format="xyxy", box_format="xyxy", encoded_format="center_xywh", variance=variance)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(decoded), boxes, atol=1e-3)


# ---------------------------------------------------------------- AP

def test_average_precision_hand_example() -> None:
    hits = np.array([1, 1, 0, 1, 0, 0, 1, 0, 0, 1])
    tp = np.cumsum(hits)
    recall, precision = tp / 6, tp / np.arange(1, 11)
    # monotone envelope: 1 up to recall 2/6, 0.75 up to 3/6, 4/7 up to 4/6, 0.5 up to 5/6
    expected_all = (2 / 6) * 1 + (1 / 6) * 0.75 + (1 / 6) * (4 / 7) + (1 / 6) * 0.5
    assert M.average_precision(recall, precision, "all") == pytest.approx(expected_all)
    # 11 points: recall >= 0, .1, .2, .3 -> 1; .4, .5 -> .75; .6 -> 4/7; .7, .8 -> .5; .9, 1 -> 0
    expected_11 = (4 * 1 + 2 * 0.75 + 4 / 7 + 2 * 0.5) / 11
    assert M.average_precision(recall, precision, "voc11") == pytest.approx(expected_11)
    assert M.average_precision([1.0], [1.0], "coco101") == pytest.approx(1.0)
    assert M.average_precision([], [], "all") == 0.0


def test_average_precision_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown AP method"):
        M.average_precision([0.5], [1.0], "voc12")
    with pytest.raises(ValueError, match="non-decreasing"):
        M.average_precision([0.5, 0.2], [1.0, 1.0])
    with pytest.raises(ValueError, match="differ in length"):
        M.average_precision([0.5, 0.6], [1.0])


def test_match_detections_prefers_unmatched_truth_and_score_order() -> None:
    gt = np.array([[0, 0, 10, 10], [0, 0, 10, 14]], float)
    dets = np.array([[0, 0, 10, 10], [0, 0, 10, 11], [50, 50, 60, 60]], float)
    # det 0 (score 0.9) takes gt 0; det 1 overlaps gt 0 best but it is taken, so it takes gt 1 (IoU 11/14)
    np.testing.assert_array_equal(M.match_detections(dets, [0.9, 0.8, 0.7], gt, 0.5), [True, True, False])
    # at IoU 0.8 det 1 no longer reaches gt 1
    np.testing.assert_array_equal(M.match_detections(dets, [0.9, 0.8, 0.7], gt, 0.8), [True, False, False])
    # a higher-scored duplicate takes the truth first
    np.testing.assert_array_equal(M.match_detections(dets[:1].repeat(2, 0), [0.1, 0.9], gt[:1], 0.5),
                                  [False, True])


def test_evaluate_detections_small_set() -> None:
    truth = [(np.array([[0, 0, 10, 10], [20, 20, 30, 30]], float), np.array([0, 1])),
             (np.array([[0, 0, 10, 10]], float), np.array([0]))]
    dets = [(np.array([[0, 0, 10, 10], [21, 21, 31, 31], [40, 40, 50, 50]], float), np.array([0.9, 0.6, 0.8]),
             np.array([0, 1, 0])),
            (np.array([[1, 0, 11, 10]], float), np.array([0.7]), np.array([0]))]
    ev = M.evaluate_detections(dets, truth, iou_threshold=0.5)
    # class 0: ranked 0.9 TP, 0.8 FP, 0.7 TP (IoU 90/110) of 2 truths -> AP = 0.5 * 1 + 0.5 * 2/3
    assert ev["ap"][0] == pytest.approx(0.5 + 0.5 * 2 / 3)
    assert ev["ap"][1] == pytest.approx(1.0)                      # IoU 81/119 = 0.68 >= 0.5
    assert ev["map"] == pytest.approx((0.5 + 1 / 3 + 1) / 2)
    assert ev["n_gt"] == {0: 2, 1: 1}
    np.testing.assert_allclose(ev["recall"][0], [0.5, 0.5, 1.0])
    assert M.evaluate_detections(dets, truth, iou_threshold=0.75)["ap"][1] == 0.0
    # a class with detections but no truth has no AP and does not enter the mean
    dets[0] = (dets[0][0], dets[0][1], np.array([0, 1, 7]))
    ev = M.evaluate_detections(dets, truth)
    assert 7 not in ev["ap"] and ev["n_gt"][7] == 0
    with pytest.raises(ValueError, match="images of detections"):
        M.evaluate_detections(dets[:1], truth)
    with pytest.raises(ValueError, match="differ in length"):
        M.evaluate_detections([(np.zeros((2, 4)), np.zeros(1), np.zeros(2))], truth[:1])


def _coco_stats(detections, truth, n_classes):
    """pycocotools' AP@[.5:.95] and AP@0.5 for the same xyxy detections and truth."""

    def xywh(b):
        return [float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])]

    anns = []
    for i, (boxes, labels) in enumerate(truth):
        for b, c in zip(boxes, labels):
            anns.append({"id": len(anns) + 1, "image_id": i, "category_id": int(c), "bbox": xywh(b),
                         "iscrowd": 0, "area": float((b[2] - b[0]) * (b[3] - b[1]))})
    gt = COCO()
    gt.dataset = {"images": [{"id": i} for i in range(len(truth))], "annotations": anns,
                  "categories": [{"id": c} for c in range(n_classes)]}
    with contextlib.redirect_stdout(io.StringIO()):
        gt.createIndex()
        dt = gt.loadRes([{"image_id": i, "category_id": int(c), "bbox": xywh(b), "score": float(s)}
                         for i, (boxes, scores, labels) in enumerate(detections)
                         for b, s, c in zip(boxes, scores, labels)])
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats[0], ev.stats[1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ap_matches_pycocotools(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_classes, truth, detections = 3, [], []
    scores = iter(rng.permutation(10_000) / 10_000 + 1e-4)       # distinct scores across the whole set
    for _ in range(25):
        gt_boxes = random_boxes(rng, int(rng.integers(0, 5)), size=200) + [0, 0, 5, 5]
        gt_labels = rng.integers(0, n_classes, len(gt_boxes))
        truth.append((gt_boxes, gt_labels))
        # detections: jittered copies of some truths (some with the wrong class) plus random false alarms
        keep = rng.random(len(gt_boxes)) < 0.8
        jitter = gt_boxes[keep] + rng.normal(0, 4, (int(keep.sum()), 4))
        jitter[:, 2:] = np.maximum(jitter[:, 2:], jitter[:, :2] + 1)
        labels = np.where(rng.random(len(jitter)) < 0.85, gt_labels[keep], rng.integers(0, n_classes, len(jitter)))
        extra = random_boxes(rng, int(rng.integers(0, 4)), size=200) + [0, 0, 5, 5]
        boxes = np.concatenate([jitter, extra])
        labels = np.concatenate([labels, rng.integers(0, n_classes, len(extra))])
        detections.append((boxes, np.array([next(scores) for _ in boxes]), labels))
    coco_ap, coco_ap50 = _coco_stats(detections, truth, n_classes)
    ours_ap50 = M.evaluate_detections(detections, truth, 0.5, method="coco101")["map"]
    ours_ap = np.mean([M.evaluate_detections(detections, truth, t, method="coco101")["map"]
                       for t in np.linspace(0.5, 0.95, 10)])
    assert ours_ap50 == pytest.approx(coco_ap50, abs=1e-9)
    assert ours_ap == pytest.approx(coco_ap, abs=1e-9)
    assert 0.2 < ours_ap50 < 1.0                                  # a non-trivial case
