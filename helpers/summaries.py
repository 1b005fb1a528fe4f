"""TensorBoard event files read back for static viewers (CI, GitHub, nbviewer): scalars, histograms,
images and graphs drawn with matplotlib; the projector's sprite and files (chapter 3).

Chapters 1 and 2 write their summaries in the notebook (``tf.summary.create_file_writer``,
``tf.summary.scalar/histogram/image``, ``tf.summary.trace_on/trace_export``); this module only holds the
plumbing around that lesson.
"""
from __future__ import annotations

import os
import shlex
import signal
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def file_writer(logdir: str | Path) -> Any:
    """A ``tf.summary`` writer for ``logdir`` (created if missing); chapter 1 shows the call itself."""
    import tensorflow as tf

    Path(logdir).mkdir(parents=True, exist_ok=True)
    return tf.summary.create_file_writer(str(logdir))


def log_scalars(writer: Any, scalars: Mapping[str, float], step: int) -> None:
    """Write each name -> number of ``scalars`` at ``step`` (``tf.summary.scalar``, taught in chapter 1)."""
    import tensorflow as tf

    with writer.as_default():
        for name, value in scalars.items():
            tf.summary.scalar(name, float(value), step=step)
    writer.flush()


def _event_dirs(logdir: Path) -> list[Path]:
    return sorted({p.parent for p in Path(logdir).rglob("events.out.tfevents.*")})


def _accumulator(path: Path):
    from tensorboard.backend.event_processing import event_accumulator as ea

    acc = ea.EventAccumulator(str(path), size_guidance={ea.TENSORS: 0, ea.HISTOGRAMS: 0,
                                                        ea.SCALARS: 0, ea.IMAGES: 4})
    acc.Reload()
    return acc


def read_scalars(logdir: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every scalar in the event files under ``logdir``: ``{"run/tag": (steps, values)}``."""
    from tensorboard.util import tensor_util

    logdir = Path(logdir)
    if not logdir.exists():
        raise ValueError(f"log directory {logdir} does not exist")
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for d in _event_dirs(logdir):
        acc = _accumulator(d)
        run = d.relative_to(logdir).as_posix()
        prefix = "" if run == "." else run + "/"
        tags = acc.Tags()
        for tag in tags.get("tensors", []):
            if acc.SummaryMetadata(tag).plugin_data.plugin_name != "scalars":
                continue
            events = acc.Tensors(tag)
            vals = [tensor_util.make_ndarray(e.tensor_proto) for e in events]
            if vals and all(np.ndim(v) == 0 for v in vals):
                out[prefix + tag] = (np.array([e.step for e in events]),
                                     np.array([float(v) for v in vals]))
        for tag in tags.get("scalars", []):
            events = acc.Scalars(tag)
            out[prefix + tag] = (np.array([e.step for e in events]), np.array([e.value for e in events]))
    return out


def _plugin_tensors(logdir: str | Path, plugin: str) -> dict[str, list[tuple[int, np.ndarray]]]:
    """Every tensor summary of ``plugin`` under ``logdir``: ``{"run/tag": [(step, array), ...]}``."""
    from tensorboard.util import tensor_util

    logdir = Path(logdir)
    if not logdir.exists():
        raise ValueError(f"log directory {logdir} does not exist")
    out: dict[str, list[tuple[int, np.ndarray]]] = {}
    for d in _event_dirs(logdir):
        acc = _accumulator(d)
        run = d.relative_to(logdir).as_posix()
        prefix = "" if run == "." else run + "/"
        for tag in acc.Tags().get("tensors", []):
            if acc.SummaryMetadata(tag).plugin_data.plugin_name == plugin:
                out[prefix + tag] = [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]
    return out


def read_histograms(logdir: str | Path) -> dict[str, list[tuple[int, np.ndarray]]]:
    """Every ``tf.summary.histogram`` under ``logdir``: ``{"run/tag": [(step, buckets), ...]}``.

    ``buckets`` has one row per bucket: left edge, right edge, count (TensorBoard's own format).
    """
    return {k: [(step, np.asarray(b, dtype=np.float64).reshape(-1, 3)) for step, b in v]
            for k, v in _plugin_tensors(logdir, "histograms").items()}


def _as_hwc(image: np.ndarray) -> np.ndarray:
    return image[..., None] if image.ndim == 2 else image


def read_images(logdir: str | Path) -> dict[str, list[tuple[int, list[np.ndarray]]]]:
    """Every ``tf.summary.image`` under ``logdir``: ``{"run/tag": [(step, [uint8 image (H, W, C), ...]), ...]}``.

    Grey images come back with C = 1, as they were written.
    """
    import io

    from PIL import Image

    out: dict[str, list[tuple[int, list[np.ndarray]]]] = {}
    for key, events in _plugin_tensors(logdir, "images").items():
        # the tensor holds width, height, then one encoded PNG per image
        out[key] = [(step, [_as_hwc(np.asarray(Image.open(io.BytesIO(png)))) for png in value[2:]])
                    for step, value in events]
    return out


def read_graph(logdir: str | Path) -> Any:
    """The first GraphDef stored under ``logdir``, or None.

    Reads a graph written by ``tf.summary.graph``, or else the largest function graph recorded by
    ``tf.summary.trace_on(graph=True)`` + ``tf.summary.trace_export``.
    """
    from tensorboard.util import tensor_util
    from tensorflow.core.protobuf import config_pb2

    traced = []
    for d in _event_dirs(Path(logdir)):
        acc = _accumulator(d)
        if acc.Tags().get("graph"):
            return acc.Graph()
        for tag in acc.Tags().get("tensors", []):
            if acc.SummaryMetadata(tag).plugin_data.plugin_name == "graph_run_metadata_graph":
                for event in acc.Tensors(tag):
                    meta = config_pb2.RunMetadata()
                    meta.ParseFromString(tensor_util.make_ndarray(event.tensor_proto).item())
                    traced += [f.pre_optimization_graph for f in meta.function_graphs]
    return max(traced, key=lambda g: len(g.node)) if traced else None


def plot_scalars(logdir: str | Path, tags: Sequence[str] | None = None, ncols: int = 3) -> Any:
    """Static stand-in for TensorBoard's scalars tab: one panel per tag (runs overlaid)."""
    import matplotlib.pyplot as plt

    data = read_scalars(logdir)
    if not data:
        raise ValueError(f"no scalar summaries found under {logdir}")
    by_tag: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for key, series in data.items():
        run, _, tag = key.rpartition("/") if key.count("/") and not tags else ("", "", key)
        if tags is not None:
            match = [t for t in tags if key.endswith(t)]
            if not match:
                continue
            tag, run = match[0], key[: -len(match[0])].rstrip("/")
        by_tag.setdefault(tag, {})[run or "."] = series
    if not by_tag:
        raise ValueError(f"none of the tags {tags} found; available: {sorted(data)}")
    n = len(by_tag)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.8 * nrows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax, (tag, runs) in zip(axes.flat, sorted(by_tag.items())):
        for run, (steps, vals) in sorted(runs.items()):
            ax.plot(steps, vals, marker="." if len(steps) < 30 else None, label=run)
        ax.set_title(tag, fontsize=9)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        if len(runs) > 1:
            ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_graph(graph_def: Any, ax: Any = None, title: str | None = None) -> Any:
    """Static stand-in for TensorBoard's graph tab: ops drawn left to right by depth, edges as arrows."""
    import matplotlib.pyplot as plt

    nodes = {n.name: [i.lstrip("^").split(":")[0] for i in n.input] for n in graph_def.node}
    if not nodes:
        raise ValueError("the graph has no nodes")
    ops = {n.name: n.op for n in graph_def.node}
    depth: dict[str, int] = {}

    def level(name: str, seen: frozenset = frozenset()) -> int:
        if name not in depth:
            parents = [p for p in nodes.get(name, []) if p in nodes and p not in seen]
            depth[name] = 1 + max((level(p, seen | {name}) for p in parents), default=-1)
        return depth[name]

    for name in nodes:
        level(name)
    columns: dict[int, list[str]] = {}
    for name, d in depth.items():
        columns.setdefault(d, []).append(name)
    pos = {name: (d, -i + (len(col) - 1) / 2) for d, col in columns.items() for i, name in enumerate(col)}
    if ax is None:
        _, ax = plt.subplots(figsize=(2.4 * (len(columns)) + 1, 1.2 * max(len(c) for c in columns.values()) + 1))
    for name, parents in nodes.items():
        for p in parents:
            if p in pos:
                ax.annotate("", xy=pos[name], xytext=pos[p],
                            arrowprops=dict(arrowstyle="->", color="gray", shrinkA=22, shrinkB=22))
    for name, (x, y) in pos.items():
        ax.text(x, y, f"{name}\n({ops[name]})", ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round", fc="#dbe9f6", ec="#4a7bb7"))
    ax.set_xlim(-0.7, max(columns) + 0.7)
    ys = [y for _, y in pos.values()]
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def tensorboard_args(logdir: str | Path) -> str:
    """The argument string of ``%tensorboard`` / ``tensorboard.notebook.start`` for ``logdir``, quoted, so a
    folder with spaces (Colab's ``/content/drive/My Drive``) stays one argument."""
    return "--logdir " + shlex.quote(str(Path(logdir).resolve()))


def show_tensorboard(logdir: str | Path, static: Callable[[], Any] | None = None) -> None:
    """Open TensorBoard inline when interactive; otherwise draw ``static()`` (default: the scalars).

    TensorBoard runs as its own process until :func:`stop_tensorboard` (or the end of the machine's
    session) stops it; calling this again for the same folder shows the running one.
    """
    from helpers.config import is_interactive

    args = tensorboard_args(logdir)
    if is_interactive():
        from tensorboard import notebook

        notebook.start(args)
        print(f"TensorBoard keeps running; stop it with helpers.summaries.stop_tensorboard({str(logdir)!r})")
        return
    print(f"(static view of {logdir}; run interactively to open TensorBoard: %tensorboard {args})")
    if static is not None:
        static()
    else:
        import matplotlib.pyplot as plt

        plot_scalars(logdir)
        plt.show()


def stop_tensorboard(logdir: str | Path | None = None) -> list[int]:
    """Stop the TensorBoard servers started for ``logdir`` (every one of this user's when None).

    Uses TensorBoard's own record of the servers it started (``tensorboard.manager``); returns their
    process ids.  A server sent SIGTERM removes its record as it exits.
    """
    from tensorboard import manager

    wanted = None if logdir is None else Path(logdir).resolve()
    stopped = []
    for info in manager.get_all():
        if wanted is not None and (not info.logdir or Path(info.logdir).resolve() != wanted):
            continue
        try:
            os.kill(info.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):  # exited without removing its record, or not ours
            continue
        stopped.append(info.pid)
    return stopped


# ---------------------------------------------------------------- embedding projector sprites

SPRITE_LIMIT = 8192  # px: the largest sprite TensorBoard's projector accepts


def make_sprite(images: Any) -> np.ndarray:
    """Tile images (N, H, W[, C]) row by row into one square uint8 sprite, as the projector expects."""
    arr = np.asarray(images)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (3, 4) or len(arr) == 0 or (arr.ndim == 4 and arr.shape[-1] not in (3, 4)):
        raise ValueError(f"images must be (N, H, W) or (N, H, W, 1|3|4) with N > 0, got shape {np.shape(images)}")
    if arr.dtype != np.uint8:
        arr = arr.astype(np.float64)
        if arr.max() <= 1.0:
            arr = arr * 255.0
        arr = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    n, h, w = arr.shape[:3]
    side = int(np.ceil(np.sqrt(n)))
    if side * max(h, w) > SPRITE_LIMIT:
        raise ValueError(f"a sprite of {n} images of {h}x{w} would be {side * h}x{side * w} px; the projector "
                         f"accepts at most {SPRITE_LIMIT}x{SPRITE_LIMIT}: use fewer or smaller thumbnails")
    sprite = np.zeros((side * h, side * w) + arr.shape[3:], dtype=np.uint8)
    for i, img in enumerate(arr):
        r, c = divmod(i, side)
        sprite[r * h:(r + 1) * h, c * w:(c + 1) * w] = img
    return sprite
