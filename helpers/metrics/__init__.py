"""Evaluation metrics, each added once a notebook has taught it (NumPy only, fast to import).

Sections: retrieval (chapter 3), detection (chapter 4), segmentation (chapter 5).
"""
from __future__ import annotations

from typing import Any

import numpy as np

# ======================================================================== retrieval (chapter 3)

RETRIEVAL_METRICS = ("euclidean", "cosine")


def _ret_matrix(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (n_vectors, dim), got shape {np.shape(x)}")
    return arr


def pairwise_distances(queries: Any, gallery: Any, metric: str = "euclidean") -> np.ndarray:
    """Distances (Q, N) between query and gallery vectors: 'euclidean' (L2) or 'cosine' (1 - cosine)."""
    if metric not in RETRIEVAL_METRICS:
        raise ValueError(f"unknown metric {metric!r}: expected one of {', '.join(RETRIEVAL_METRICS)}")
    q, g = _ret_matrix(queries, "queries"), _ret_matrix(gallery, "gallery")
    if q.shape[1] != g.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} dimensions but the gallery has {g.shape[1]}")
    if metric == "cosine":
        qn = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        gn = g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12)
        return 1.0 - qn @ gn.T
    sq = (q ** 2).sum(1)[:, None] + (g ** 2).sum(1)[None, :] - 2.0 * q @ g.T
    return np.sqrt(np.maximum(sq, 0.0))


def rank_gallery(queries: Any, gallery: Any, metric: str = "euclidean", k: int | None = None,
                 exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force ranking: (indices (Q, k), distances (Q, k)) of the nearest gallery items per query.

    ``exclude_self=True`` when the queries are the gallery itself (leave-one-out): item i never
    retrieves itself. ``k=None`` ranks the whole gallery.
    """
    d = pairwise_distances(queries, gallery, metric)
    if exclude_self:
        if d.shape[0] != d.shape[1]:
            raise ValueError(f"exclude_self needs the queries to be the gallery, got {d.shape[0]} vs {d.shape[1]}")
        np.fill_diagonal(d, np.inf)
    n = d.shape[1] - (1 if exclude_self else 0)
    if k is None:
        k = n
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= n:
        raise ValueError(f"k must be an int in 1..{n}, got {k!r}")
    k = int(k)
    if k < n:
        part = np.argpartition(d, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(part, np.argsort(np.take_along_axis(d, part, 1), axis=1, kind="stable"), 1)
    else:
        order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(d, order, 1)


def _ret_relevance(retrieved_labels: Any, query_labels: Any) -> np.ndarray:
    r = np.asarray(retrieved_labels)
    q = np.asarray(query_labels).ravel()
    if r.ndim != 2 or r.shape[0] != q.shape[0]:
        raise ValueError(f"retrieved_labels must be (Q, k) with Q = len(query_labels); got {r.shape} and {q.shape}")
    return r == q[:, None]


def precision_at_k(retrieved_labels: Any, query_labels: Any, k: int) -> float:
    """Mean over queries of the fraction of the top ``k`` results whose label equals the query's."""
    rel = _ret_relevance(retrieved_labels, query_labels)
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= rel.shape[1]:
        raise ValueError(f"k must be an int in 1..{rel.shape[1]} (the ranked columns), got {k!r}")
    return float(rel[:, : int(k)].mean())


def retrieval_average_precision(relevance: Any, n_relevant: Any = None) -> np.ndarray:
    """Average precision of each ranked list: the mean of precision@i over the ranks i of relevant items.

    ``relevance`` (Q, R) booleans in rank order. ``n_relevant`` (Q,) is the number of relevant items
    in the whole gallery (default: the count in ``relevance``, exact when the ranking is complete);
    relevant items missing from a truncated ranking count as precision 0. Queries without any
    relevant item get AP 0.
    """
    rel = np.asarray(relevance, dtype=bool)
    if rel.ndim != 2:
        raise ValueError(f"relevance must be (Q, R) booleans, got shape {rel.shape}")
    total = rel.sum(1) if n_relevant is None else np.asarray(n_relevant, dtype=np.float64).ravel()
    if total.shape != (rel.shape[0],) or (total < rel.sum(1)).any():
        raise ValueError("n_relevant must have one count per query, at least the relevant items ranked")
    ranks = np.arange(1, rel.shape[1] + 1)
    precision = np.cumsum(rel, axis=1) / ranks
    summed = (precision * rel).sum(1)
    return np.where(total > 0, summed / np.maximum(total, 1), 0.0)


def mean_average_precision(retrieved_labels: Any, query_labels: Any, n_relevant: Any = None) -> float:
    """mAP of ranked label lists (Q, R) against the query labels (see ``retrieval_average_precision``)."""
    return float(retrieval_average_precision(_ret_relevance(retrieved_labels, query_labels), n_relevant).mean())


def recall_at_k(found: Any, true_neighbours: Any, k: int | None = None) -> float:
    """ANN recall@k: the mean fraction of each query's true k nearest neighbours that the index returned.

    ``found`` (Q, >=k) and ``true_neighbours`` (Q, >=k) hold item ids; -1 in ``found`` means "no result".
    """
    f, t = np.asarray(found), np.asarray(true_neighbours)
    if f.ndim != 2 or t.ndim != 2 or f.shape[0] != t.shape[0]:
        raise ValueError(f"found and true_neighbours must be (Q, k) id arrays, got {f.shape} and {t.shape}")
    k = t.shape[1] if k is None else k
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= min(f.shape[1], t.shape[1]):
        raise ValueError(f"k must be an int in 1..{min(f.shape[1], t.shape[1])}, got {k!r}")
    k = int(k)
    hits = [len(set(a[:k].tolist()) & set(b[:k].tolist())) for a, b in zip(f, t)]
    return float(np.mean(hits) / k)


# ======================================================================== detection (chapter 4)

BOX_FORMATS = ("xyxy", "xywh", "center_xywh")


def _det_boxes(boxes: Any, name: str = "boxes") -> np.ndarray:
    """``boxes`` as a float64 array whose last axis holds 4 numbers; ValueError otherwise."""
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 4)
    if arr.ndim == 0 or arr.shape[-1] != 4:
        raise ValueError(f"{name} must have shape (..., 4), got {np.shape(boxes)}")
    return arr


def _det_check_format(box_format: str) -> None:
    if box_format not in BOX_FORMATS:
        raise ValueError(f"unknown box format {box_format!r}: expected one of {', '.join(BOX_FORMATS)}")


def convert_boxes(boxes: Any, source: str = "xyxy", target: str = "xyxy") -> np.ndarray:
    """Convert boxes (..., 4) between 'xyxy' (corners), 'xywh' (corner + size) and 'center_xywh'."""
    _det_check_format(source)
    _det_check_format(target)
    b = _det_boxes(boxes)
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
    a, b = _det_boxes(boxes1, "boxes1"), _det_boxes(boxes2, "boxes2")
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"iou_matrix expects (N, 4) and (M, 4), got {a.shape} and {b.shape}")
    return iou(a[:, None, :], b[None, :, :], box_format)


def nms(boxes: Any, scores: Any, iou_threshold: float = 0.5, score_threshold: float = -np.inf,
        max_output: int | None = None) -> np.ndarray:
    """Greedy non-maximum suppression: indices of the kept boxes (xyxy), highest score first.

    A box is dropped when its IoU with an already kept box is above ``iou_threshold``; boxes
    with a score not above ``score_threshold`` are dropped first (tf.image.non_max_suppression's rules).
    """
    b = _det_boxes(boxes)
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
    a, g = _det_boxes(anchors, "anchors"), _det_boxes(gt_boxes, "gt_boxes")
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


def _det_variance(variance: Any) -> np.ndarray:
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
    return deltas / _det_variance(variance)


def decode_boxes(deltas: Any, anchors: Any, variance: Any = None) -> np.ndarray:
    """The inverse of ``encode_boxes``: xyxy boxes from offsets (tx, ty, tw, th) and their anchors."""
    d = _det_boxes(deltas, "deltas") * _det_variance(variance)
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
    d, g = _det_boxes(det_boxes, "det_boxes"), _det_boxes(gt_boxes, "gt_boxes")
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
        db, ds, dl = _det_boxes(det[0], "detection boxes").reshape(-1, 4), np.ravel(det[1]), np.ravel(det[2])
        gb, gl = _det_boxes(gt[0], "ground-truth boxes").reshape(-1, 4), np.ravel(gt[1])
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


# ======================================================================== segmentation (chapter 5)
# Per-pixel metrics, taught in chapter 5: labels are integer class maps of any shape (H, W), (N, H, W), ...;
# binary masks may be bool, {0, 1} or soft probabilities in [0, 1].

def _seg_labels(y_true: Any, y_pred: Any, num_classes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {t.shape} and {p.shape}")
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.dtype.kind not in "iub":
            raise ValueError(f"{name} must hold integer class ids (argmax the scores first), got dtype {a.dtype}")
    if num_classes is not None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
            raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
        for name, a in (("y_true", t), ("y_pred", p)):
            if a.size and (a.min() < 0 or a.max() >= num_classes):
                raise ValueError(f"{name} values must be in 0..{num_classes - 1}, got {a.min()}..{a.max()}")
    return t.astype(np.int64).ravel(), p.astype(np.int64).ravel()


def pixel_confusion_matrix(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """Counts (num_classes, num_classes) int64: row = true class, column = predicted class, over all pixels."""
    t, p = _seg_labels(y_true, y_pred, num_classes)
    return np.bincount(t * num_classes + p, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def pixel_accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of pixels whose predicted class equals the true class."""
    t, p = _seg_labels(y_true, y_pred)
    if t.size == 0:
        raise ValueError("pixel_accuracy needs at least one pixel")
    return float(np.mean(t == p))


def class_iou(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """IoU (Jaccard) of each class, TP / (TP + FP + FN), float64 (num_classes,); NaN for a class absent from both."""
    cm = pixel_confusion_matrix(y_true, y_pred, num_classes).astype(np.float64)
    tp = np.diag(cm)
    union = cm.sum(axis=0) + cm.sum(axis=1) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, tp / union, np.nan)


def mean_iou(y_true: Any, y_pred: Any, num_classes: int) -> float:
    """Mean of ``class_iou`` over the classes present in y_true or y_pred (what keras.metrics.MeanIoU reports)."""
    ious = class_iou(y_true, y_pred, num_classes)
    if np.all(np.isnan(ious)):
        raise ValueError("mean_iou needs at least one pixel")
    return float(np.nanmean(ious))


def _seg_binary(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {t.shape} and {p.shape}")
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.size and (not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1):
            raise ValueError(f"{name} must be a mask with values in [0, 1] (bool, 0/1 or probabilities)")
    return t, p


def _seg_axes(t: np.ndarray, per_image: bool) -> tuple[int, ...] | None:
    if not per_image:
        return None
    if t.ndim < 2:
        raise ValueError(f"per_image=True needs a batch axis first, got shape {t.shape}")
    return tuple(range(1, t.ndim))


def dice_coefficient(y_true: Any, y_pred: Any, smooth: float = 0.0, per_image: bool = False) -> float | np.ndarray:
    """Dice = (2 sum(y * p) + smooth) / (sum(y) + sum(p) + smooth) of binary or soft masks; 1.0 when both are empty.

    ``per_image=True`` treats axis 0 as the batch and returns one value per image.
    """
    t, p = _seg_binary(y_true, y_pred)
    if smooth < 0:
        raise ValueError(f"smooth must be >= 0, got {smooth!r}")
    axes = _seg_axes(t, per_image)
    inter, total = np.sum(t * p, axis=axes), np.sum(t, axis=axes) + np.sum(p, axis=axes)
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = np.where(total + smooth > 0, (2 * inter + smooth) / (total + smooth), 1.0)
    return float(dice) if axes is None else dice


def mask_iou(y_true: Any, y_pred: Any, per_image: bool = False) -> float | np.ndarray:
    """IoU of binary or soft masks, sum(y * p) / (sum(y) + sum(p) - sum(y * p)); 1.0 when both are empty."""
    t, p = _seg_binary(y_true, y_pred)
    axes = _seg_axes(t, per_image)
    inter = np.sum(t * p, axis=axes)
    union = np.sum(t, axis=axes) + np.sum(p, axis=axes) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(union > 0, inter / union, 1.0)
    return float(value) if axes is None else value
from helpers.metrics.captioning import bleu_1_to_4, corpus_bleu, cross_modal_recall_at_k, ngram_counts  # noqa: E402,F401
