"""Segmentation metrics: labels are integer class maps of any shape (H, W), (N, H, W), ...; binary masks
may be bool, {0, 1} or soft probabilities in [0, 1]."""
from __future__ import annotations

from typing import Any

import numpy as np

from helpers import checks

def _labels(y_true: Any, y_pred: Any, num_classes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {t.shape} and {p.shape}")
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.dtype.kind not in "iub":
            raise ValueError(f"{name} must hold integer class ids (argmax the scores first), got dtype {a.dtype}")
    if num_classes is not None:
        checks.positive_int("num_classes", num_classes)
        for name, a in (("y_true", t), ("y_pred", p)):
            if a.size and (a.min() < 0 or a.max() >= num_classes):
                raise ValueError(f"{name} values must be in 0..{num_classes - 1}, got {a.min()}..{a.max()}")
    return t.astype(np.int64).ravel(), p.astype(np.int64).ravel()


def pixel_confusion_matrix(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """Counts (num_classes, num_classes) int64: row = true class, column = predicted class, over all pixels."""
    t, p = _labels(y_true, y_pred, num_classes)
    return np.bincount(t * num_classes + p, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def pixel_accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of pixels whose predicted class equals the true class."""
    t, p = _labels(y_true, y_pred)
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


def _binary(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {t.shape} and {p.shape}")
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.size and (not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1):
            raise ValueError(f"{name} must be a mask with values in [0, 1] (bool, 0/1 or probabilities)")
    return t, p


def _axes(t: np.ndarray, per_image: bool) -> tuple[int, ...] | None:
    if not per_image:
        return None
    if t.ndim < 2:
        raise ValueError(f"per_image=True needs a batch axis first, got shape {t.shape}")
    return tuple(range(1, t.ndim))


def dice_coefficient(y_true: Any, y_pred: Any, smooth: float = 0.0, per_image: bool = False) -> float | np.ndarray:
    """Dice = (2 sum(y * p) + smooth) / (sum(y) + sum(p) + smooth) of binary or soft masks; 1.0 when both are empty.

    ``per_image=True`` treats axis 0 as the batch and returns one value per image.
    """
    t, p = _binary(y_true, y_pred)
    if smooth < 0:
        raise ValueError(f"smooth must be >= 0, got {smooth!r}")
    axes = _axes(t, per_image)
    inter, total = np.sum(t * p, axis=axes), np.sum(t, axis=axes) + np.sum(p, axis=axes)
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = np.where(total + smooth > 0, (2 * inter + smooth) / (total + smooth), 1.0)
    return float(dice) if axes is None else dice


def mask_iou(y_true: Any, y_pred: Any, per_image: bool = False) -> float | np.ndarray:
    """IoU of binary or soft masks, sum(y * p) / (sum(y) + sum(p) - sum(y * p)); 1.0 when both are empty."""
    t, p = _binary(y_true, y_pred)
    axes = _axes(t, per_image)
    inter = np.sum(t * p, axis=axes)
    union = np.sum(t, axis=axes) + np.sum(p, axis=axes) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(union > 0, inter / union, 1.0)
    return float(value) if axes is None else value
