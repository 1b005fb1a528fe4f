"""Plots the notebooks share: image grids, training curves, annotated matrices, 2-D decision boundaries."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # costs nothing at import time
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _as_images(images: Any) -> np.ndarray:
    arr = np.asarray(images)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (3, 4) or (arr.ndim == 4 and arr.shape[-1] not in (3, 4)):
        raise ValueError(f"expected images shaped (N, H, W), (N, H, W, 1|3|4) or (H, W), got {np.shape(images)}")
    return arr


def image_grid(images: Any, labels: Sequence[Any] | None = None, ncols: int = 8, cmap: str = "gray",
               title: str | None = None, size: float = 1.4, vmin: float | None = None,
               vmax: float | None = None) -> Figure:
    """Show images in a grid with optional per-image labels; returns the figure."""
    plt = _plt()
    arr = _as_images(images)
    n = len(arr)
    if n == 0:
        raise ValueError("image_grid needs at least one image")
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {n} images but {len(labels)} labels")
    if ncols <= 0:
        raise ValueError(f"ncols must be positive, got {ncols}")
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        img = arr[i]
        if img.dtype.kind == "f" and img.ndim == 3 and vmin is None:
            img = np.clip(img, 0.0, 1.0 if img.max() <= 1.0 else 255.0)
            if img.max() > 1.0:
                img = img / 255.0
        ax.imshow(img, cmap=cmap if img.ndim == 2 else None, vmin=vmin, vmax=vmax)
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def training_curves(history: Any, metrics: Sequence[str] | None = None, title: str | None = None) -> Figure:
    """Plot train/validation curves from a Keras History or a dict of lists; returns the figure."""
    plt = _plt()
    hist: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    if not isinstance(hist, Mapping) or not hist:
        raise ValueError("expected a keras History or a non-empty dict of metric lists")
    if metrics is None:
        metrics = [k for k in hist if not k.startswith("val_")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        if name not in hist:
            raise ValueError(f"metric {name!r} not in history (has {sorted(hist)})")
        epochs = np.arange(1, len(hist[name]) + 1)
        ax.plot(epochs, hist[name], "o-", label="train")
        if f"val_{name}" in hist:
            ax.plot(epochs, hist[f"val_{name}"], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_matrix(values: Any, ax: Any = None, title: str | None = None, cmap: str = "Blues",
                fmt: str = "{:g}", highlight: Sequence[tuple[int, int, int, int]] = ()) -> Axes:
    """Draw a small 2-D array as a coloured grid with each value written in its cell.

    ``highlight`` is a list of (row, col, height, width) rectangles to outline (a kernel window, say).
    """
    plt = _plt()
    arr = np.asarray(values)
    if arr.ndim != 2:
        raise ValueError(f"show_matrix expects a 2-D array, got shape {arr.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * arr.shape[1] + 1, 0.5 * arr.shape[0] + 0.8))
    ax.imshow(arr, cmap=cmap)
    mid = (float(arr.max()) + float(arr.min())) / 2
    for (r, c), v in np.ndenumerate(arr):
        ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=8,
                color="white" if v > mid else "black")
    for r, c, h, w in highlight:
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), w, h, fill=False, ec="red", lw=2))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def decision_boundary(predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray,
                      ax: Any = None, resolution: int = 150, title: str | None = None) -> Axes:
    """Shade the plane by ``predict`` (returns P(class 1) per 2-D point) and scatter the labelled points."""
    plt = _plt()
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary needs 2-D points shaped (N, 2), got {X.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    pad = 0.5
    x0, x1 = X[:, 0].min() - pad, X[:, 0].max() + pad
    y0, y1 = X[:, 1].min() - pad, X[:, 1].max() + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.c_[gx.ravel(), gy.ravel()].astype(np.float32)
    p = np.asarray(predict(grid)).reshape(gx.shape)
    ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
    ax.contour(gx, gy, p, levels=[0.5], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=14, linewidths=0.4)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


# ---------------------------------------------------------------- boxes on images

def draw_boxes(image: Any, boxes: Any, labels: Sequence[Any] | None = None, scores: Sequence[float] | None = None,
               ax: Any = None, class_names: Sequence[str] | None = None, color: Any = None,
               box_format: str = "xyxy", title: str | None = None, linewidth: float = 1.5,
               linestyle: str = "-", cmap: str = "gray") -> Axes:
    """Draw an image with boxes (pixel 'xyxy' or 'xywh') and optional labels and scores; returns the axes.

    ``color``: one matplotlib colour for every box, else one colour per class (or per box).
    """
    plt = _plt()
    b = np.asarray(boxes, dtype=np.float64)
    if b.size == 0:
        b = b.reshape(0, 4)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"boxes must have shape (N, 4), got {np.shape(boxes)}")
    if box_format not in ("xyxy", "xywh"):
        raise ValueError(f"box_format must be 'xyxy' or 'xywh', got {box_format!r}")
    for name, values in (("labels", labels), ("scores", scores)):
        if values is not None and len(values) != len(b):
            raise ValueError(f"got {len(b)} boxes but {len(values)} {name}")
    if box_format == "xywh":
        b = np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    ax.imshow(img, cmap=cmap if img.ndim == 2 else None)
    palette = plt.get_cmap("tab10")
    for i, (x1, y1, x2, y2) in enumerate(b):
        key = int(labels[i]) if labels is not None and np.issubdtype(type(labels[i]), np.integer) else i
        c = color if color is not None else palette(key % 10)
        ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, ec=c, lw=linewidth, ls=linestyle))
        parts = []
        if labels is not None:
            lab = labels[i]
            parts.append(str(class_names[int(lab)]) if class_names is not None else str(lab))
        if scores is not None:
            parts.append(f"{float(scores[i]):.2f}")
        if parts:
            ax.text(x1, y1 - 1, " ".join(parts), color="white", fontsize=7, va="bottom",
                    bbox={"facecolor": c, "alpha": 0.8, "pad": 1, "lw": 0})
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax


# ---------------------------------------------------------------- segmentation masks

def colourise_mask(mask: np.ndarray, colours: np.ndarray | None = None) -> np.ndarray:
    """Label mask (..., H, W) of ints -> RGB uint8 (..., H, W, 3), one colour per class (default: aerial tiles)."""
    mask = np.asarray(mask)
    if mask.dtype.kind not in "iu":
        raise ValueError(f"mask must hold integer class ids, got dtype {mask.dtype}")
    from helpers.synthetic import AERIAL_COLOURS

    palette = AERIAL_COLOURS if colours is None else np.asarray(colours, dtype=np.uint8)
    if palette.ndim != 2 or palette.shape[1] != 3:
        raise ValueError(f"colours must be shaped (n_classes, 3), got {palette.shape}")
    if mask.size and (mask.min() < 0 or mask.max() >= len(palette)):
        raise ValueError(f"mask values must be in 0..{len(palette) - 1}, got {mask.min()}..{mask.max()}")
    return palette[mask]
