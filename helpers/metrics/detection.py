"""Detection metrics and box geometry: box formats, IoU, NMS, anchors and their matching, AP."""
from __future__ import annotations

from typing import Any

import numpy as np


BOX_FORMATS = ("xyxy", "xywh", "center_xywh")


def _boxes(boxes: Any, name: str = "boxes") -> np.ndarray:
    """``boxes`` as a float64 array whose last axis holds 4 numbers; ValueError otherwise."""
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 4)
    if arr.ndim == 0 or arr.shape[-1] != 4:
        raise ValueError(f"{name} must have shape (..., 4), got {np.shape(boxes)}")
    return arr


def _check_format(box_format: str) -> None:
    if box_format not in BOX_FORMATS:
        raise ValueError(f"unknown box format {box_format!r}: expected one of {', '.join(BOX_FORMATS)}")


def convert_boxes(boxes: Any, source: str = "xyxy", target: str = "xyxy") -> np.ndarray:
    """Convert boxes (..., 4) between 'xyxy' (corners), 'xywh' (corner + size) and 'center_xywh'."""
    _check_format(source)
    _check_format(target)
    b = _boxes(boxes)
    if source == "xywh":
        b = np.concatenate([b[..., :2], b[..., :2] + b[..., 2:]], axis=-1)
    elif source == "center_xywh":
        b = np.concatenate([b[..., :2] - b[..., 2:] / 2, b[..., :2] + b[..., 2:] / 2], axis=-1)
    if target == "xywh":
        return np.concatenate([b[..., :2], b[..., 2:] - b[..., :2]], axis=-1)
    if target == "center_xywh":
        return np.concatenate([(b[..., :2] + b[..., 2:]) / 2, b[..., 2:] - b[..., :2]], axis=-1)
    return b


def iou(boxes1: Any, boxes2: Any, box_format: str = "xyxy") -> np.ndarray:
    """Intersection over union of matching boxes; shapes (..., 4) broadcast against each other -> (...)."""
    a = convert_boxes(boxes1, box_format, "xyxy")
    b = convert_boxes(boxes2, box_format, "xyxy")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"box shapes {a.shape} and {b.shape} do not broadcast") from None
    w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = w * h
    area_a = np.clip(a[..., 2] - a[..., 0], 0, None) * np.clip(a[..., 3] - a[..., 1], 0, None)
    area_b = np.clip(b[..., 2] - b[..., 0], 0, None) * np.clip(b[..., 3] - b[..., 1], 0, None)
    union = area_a + area_b - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def iou_matrix(boxes1: Any, boxes2: Any, box_format: str = "xyxy") -> np.ndarray:
    """Pairwise IoU: boxes1 (N, 4) and boxes2 (M, 4) -> (N, M)."""
    a, b = _boxes(boxes1, "boxes1"), _boxes(boxes2, "boxes2")
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"iou_matrix expects (N, 4) and (M, 4), got {a.shape} and {b.shape}")
    return iou(a[:, None, :], b[None, :, :], box_format)


def nms(boxes: Any, scores: Any, iou_threshold: float = 0.5, score_threshold: float = -np.inf,
        max_output: int | None = None) -> np.ndarray:
    """Greedy non-maximum suppression: indices of the kept boxes (xyxy), highest score first.

    A box is dropped when its IoU with an already kept box is above ``iou_threshold``; boxes
    with a score not above ``score_threshold`` are dropped first (tf.image.non_max_suppression's rules).
    """
    b = _boxes(boxes)
    s = np.asarray(scores, dtype=np.float64)
    if b.ndim != 2 or s.shape != (len(b),):
        raise ValueError(f"expected boxes (N, 4) and scores (N,), got {b.shape} and {s.shape}")
    if not 0.0 <= iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold must be in [0, 1], got {iou_threshold!r}")
    if max_output is not None and (isinstance(max_output, bool) or int(max_output) != max_output
                                   or max_output < 0):
        raise ValueError(f"max_output must be None or an int >= 0, got {max_output!r}")
    limit = len(b) if max_output is None else int(max_output)
    order = [i for i in np.argsort(-s, kind="stable") if s[i] > score_threshold]
    keep: list[int] = []
    while order and len(keep) < limit:
        best = order.pop(0)
        keep.append(best)
        if order:
            overlaps = iou(b[best][None], b[order])
            order = [i for i, o in zip(order, overlaps) if o <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def make_anchors(grid: tuple[int, int], stride: float, sizes: Any = (32.0,),
                 ratios: Any = (0.5, 1.0, 2.0)) -> np.ndarray:
    """Anchor boxes xyxy, (rows * cols * len(sizes) * len(ratios), 4): every size x ratio (width/height)
    centred on every cell of a ``grid`` = (rows, cols) feature map with ``stride`` pixels per cell."""
    if len(grid) != 2 or any(isinstance(g, bool) or int(g) != g or g <= 0 for g in grid):
        raise ValueError(f"grid must be (rows, cols) positive ints, got {grid!r}")
    sizes, ratios = np.asarray(sizes, dtype=np.float64).ravel(), np.asarray(ratios, dtype=np.float64).ravel()
    if stride <= 0 or sizes.size == 0 or ratios.size == 0 or (sizes <= 0).any() or (ratios <= 0).any():
        raise ValueError("stride, sizes and ratios must be positive (and sizes/ratios non-empty)")
    w = (sizes[:, None] * np.sqrt(ratios)[None, :]).ravel()
    h = (sizes[:, None] / np.sqrt(ratios)[None, :]).ravel()
    rows, cols = int(grid[0]), int(grid[1])
    cy, cx = np.meshgrid((np.arange(rows) + 0.5) * stride, (np.arange(cols) + 0.5) * stride, indexing="ij")
    centres = np.stack([cx.ravel(), cy.ravel()], axis=1)[:, None, :]
    half = np.stack([w, h], axis=1)[None, :, :] / 2
    return np.concatenate([centres - half, centres + half], axis=-1).reshape(-1, 4).astype(np.float32)


def match_anchors(anchors: Any, gt_boxes: Any, positive_iou: float = 0.5, negative_iou: float = 0.4,
                  force_best: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Assign each anchor a ground-truth box by IoU: (gt index or -1, label 1/0/-1, best IoU), per anchor.

    Label 1 (positive) when the best IoU >= ``positive_iou``, 0 (background) when < ``negative_iou``,
    -1 (ignored in the loss) in between.  ``force_best``: each ground truth's best anchor is positive.
    """
    a, g = _boxes(anchors, "anchors"), _boxes(gt_boxes, "gt_boxes")
    if a.ndim != 2 or g.ndim != 2:
        raise ValueError(f"expected anchors (A, 4) and gt_boxes (G, 4), got {a.shape} and {g.shape}")
    if not 0.0 <= negative_iou <= positive_iou <= 1.0:
        raise ValueError(f"need 0 <= negative_iou <= positive_iou <= 1, got {negative_iou}, {positive_iou}")
    if len(g) == 0:
        return np.full(len(a), -1, np.int64), np.zeros(len(a), np.int64), np.zeros(len(a))
    m = iou_matrix(a, g)
    index, best = m.argmax(axis=1), m.max(axis=1)
    labels = np.where(best >= positive_iou, 1, np.where(best < negative_iou, 0, -1))
    if force_best:
        for j, i in enumerate(m.argmax(axis=0)):
            if m[i, j] > 0:
                index[i], labels[i] = j, 1
    index = np.where(labels == 1, index, -1)
    return index.astype(np.int64), labels.astype(np.int64), best


def _variance(variance: Any) -> np.ndarray:
    v = np.ones(4) if variance is None else np.asarray(variance, dtype=np.float64)
    if v.shape != (4,) or (v <= 0).any():
        raise ValueError(f"variance must be None or 4 positive numbers, got {variance!r}")
    return v


def encode_boxes(boxes: Any, anchors: Any, variance: Any = None) -> np.ndarray:
    """Offsets (tx, ty, tw, th) of xyxy ``boxes`` from their ``anchors`` (R-CNN/SSD encoding):
    centre shift over anchor size, log of the size ratio, each divided by ``variance``."""
    b = convert_boxes(boxes, "xyxy", "center_xywh")
    a = convert_boxes(anchors, "xyxy", "center_xywh")
    if (b[..., 2:] <= 0).any() or (a[..., 2:] <= 0).any():
        raise ValueError("boxes and anchors must have positive width and height to be encoded")
    deltas = np.concatenate([(b[..., :2] - a[..., :2]) / a[..., 2:], np.log(b[..., 2:] / a[..., 2:])], axis=-1)
    return deltas / _variance(variance)


def decode_boxes(deltas: Any, anchors: Any, variance: Any = None) -> np.ndarray:
    """The inverse of ``encode_boxes``: xyxy boxes from offsets (tx, ty, tw, th) and their anchors."""
    d = _boxes(deltas, "deltas") * _variance(variance)
    a = convert_boxes(anchors, "xyxy", "center_xywh")
    centre = a[..., :2] + d[..., :2] * a[..., 2:]
    size = a[..., 2:] * np.exp(d[..., 2:])
    return convert_boxes(np.concatenate([centre, size], axis=-1), "center_xywh", "xyxy")


AP_METHODS = ("all", "voc11", "coco101")


def average_precision(recall: Any, precision: Any, method: str = "all") -> float:
    """Area under a precision-recall curve given as cumulative points in decreasing-score order.

    'all': every recall step, with precision made monotone (VOC 2010+); 'voc11': mean of the
    interpolated precision at recall 0, 0.1, ..., 1 (VOC 2007); 'coco101': the same at 101 recall
    levels, as pycocotools does.
    """
    if method not in AP_METHODS:
        raise ValueError(f"unknown AP method {method!r}: expected one of {', '.join(AP_METHODS)}")
    r, p = np.asarray(recall, dtype=np.float64).ravel(), np.asarray(precision, dtype=np.float64).ravel()
    if r.shape != p.shape:
        raise ValueError(f"recall and precision differ in length: {r.shape} vs {p.shape}")
    if r.size and (np.any(np.diff(r) < -1e-12) or r.min() < 0 or r.max() > 1 + 1e-12):
        raise ValueError("recall must be non-decreasing values in [0, 1]")
    if r.size == 0:
        return 0.0
    envelope = np.maximum.accumulate(p[::-1])[::-1]  # best precision at this recall or beyond
    if method == "all":
        steps = np.diff(np.concatenate([[0.0], r]))
        return float(np.sum(steps * envelope))
    levels = np.linspace(0, 1, 11 if method == "voc11" else 101)
    at = np.searchsorted(r, levels - (1e-12 if method == "voc11" else 0.0), side="left")
    return float(np.mean([envelope[i] if i < len(r) else 0.0 for i in at]))


def match_detections(det_boxes: Any, det_scores: Any, gt_boxes: Any, iou_threshold: float = 0.5) -> np.ndarray:
    """True-positive flags for one image and one class: in decreasing score order, each detection
    takes the unmatched ground truth it overlaps most, if that IoU >= ``iou_threshold``."""
    d, g = _boxes(det_boxes, "det_boxes"), _boxes(gt_boxes, "gt_boxes")
    s = np.asarray(det_scores, dtype=np.float64).ravel()
    if d.ndim != 2 or g.ndim != 2 or s.shape != (len(d),):
        raise ValueError(f"expected det_boxes (N, 4), det_scores (N,), gt_boxes (G, 4); "
                         f"got {d.shape}, {s.shape}, {g.shape}")
    tp = np.zeros(len(d), dtype=bool)
    if len(d) == 0 or len(g) == 0:
        return tp
    overlaps = iou_matrix(d, g)
    taken = np.zeros(len(g), dtype=bool)
    for i in np.argsort(-s, kind="stable"):
        candidates = np.where(taken, -1.0, overlaps[i])
        j = int(np.argmax(candidates))
        if candidates[j] >= iou_threshold:
            tp[i], taken[j] = True, True
    return tp


def evaluate_detections(detections: Any, ground_truths: Any, iou_threshold: float = 0.5,
                        method: str = "all", classes: Any = None) -> dict[str, Any]:
    """Per-class precision-recall curves, AP and mAP over a set of images.

    ``detections[i] = (boxes (k, 4) xyxy, scores (k,), labels (k,))`` and
    ``ground_truths[i] = (boxes (g, 4), labels (g,))`` for image i. Returns a dict with
    'ap' {class: AP}, 'map' (mean over classes that have ground truth), 'precision' and
    'recall' {class: array in decreasing-score order}, 'n_gt' {class: count}.
    """
    if len(detections) != len(ground_truths):
        raise ValueError(f"{len(detections)} images of detections but {len(ground_truths)} of ground truth")
    if not 0.0 < iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold must be in (0, 1], got {iou_threshold!r}")
    dets, gts = [], []
    for i, (det, gt) in enumerate(zip(detections, ground_truths)):
        if len(det) != 3 or len(gt) != 2:
            raise ValueError(f"image {i}: detections must be (boxes, scores, labels) and ground truth "
                             "(boxes, labels)")
        db, ds, dl = _boxes(det[0], "detection boxes").reshape(-1, 4), np.ravel(det[1]), np.ravel(det[2])
        gb, gl = _boxes(gt[0], "ground-truth boxes").reshape(-1, 4), np.ravel(gt[1])
        if not len(db) == len(ds) == len(dl) or len(gb) != len(gl):
            raise ValueError(f"image {i}: boxes, scores and labels differ in length")
        dets.append((db, ds.astype(np.float64), dl.astype(np.int64)))
        gts.append((gb, gl.astype(np.int64)))
    if classes is None:
        classes = sorted({int(c) for _, gl in gts for c in gl} | {int(c) for _, _, dl in dets for c in dl})
    out: dict[str, Any] = {"ap": {}, "precision": {}, "recall": {}, "n_gt": {}}
    for c in classes:
        scores, flags, n_gt = [], [], 0
        for (db, ds, dl), (gb, gl) in zip(dets, gts):
            dm, gm = dl == c, gl == c
            n_gt += int(gm.sum())
            flags.append(match_detections(db[dm], ds[dm], gb[gm], iou_threshold))
            scores.append(ds[dm])
        out["n_gt"][c] = n_gt
        if n_gt == 0:
            continue
        s, f = np.concatenate(scores), np.concatenate(flags)
        order = np.argsort(-s, kind="stable")
        tp = np.cumsum(f[order])
        recall = tp / n_gt
        precision = tp / np.arange(1, len(tp) + 1)
        out["recall"][c], out["precision"][c] = recall, precision
        out["ap"][c] = average_precision(recall, precision, method)
    out["map"] = float(np.mean(list(out["ap"].values()))) if out["ap"] else 0.0
    return out
