"""A notebook's headline numbers, printed next to the book's and saved as JSON for ``make bench``.

Every summary cell ends with::

    helpers.report.save_results(cfg, "04", results, book)

which prints one line per result (with the book's number where it gives one) and writes
``build/results/04.json`` (``DLCV_RESULTS_DIR`` moves that folder): the mode and budget the numbers
came from, the time, the results and the book's numbers.  ``tools/run_notebooks.py --markdown``
(``make bench``) reads these files back into one table per chapter.
"""
from __future__ import annotations

import datetime
import json
import math
import numbers
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpers.config import project_root

_CHAPTER = re.compile(r"^\d{2}$")


def results_dir() -> Path:
    """``DLCV_RESULTS_DIR``, else ``build/results`` in this checkout, else ``~/dlcv/results``."""
    if os.environ.get("DLCV_RESULTS_DIR"):
        return Path(os.environ["DLCV_RESULTS_DIR"]).expanduser()
    root = project_root()
    return root / "build" / "results" if root is not None else Path.home() / "dlcv" / "results"


def _plain(value: Any) -> Any:
    """A JSON-safe copy: NumPy scalars to Python numbers, NaN/inf to None, tuples to lists."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def format_value(value: Any) -> str:
    """How a result is shown: real numbers that are not integers (Python or NumPy floats) with 4 significant
    digits, tuples and lists element by element, everything else as text."""
    if isinstance(value, (tuple, list)):
        inner = ", ".join(format_value(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return f"{float(value):.4g}"
    return str(value)


def save_results(cfg: Any, chapter: str, results: Mapping[str, Any], book: Mapping[str, Any] | None = None,
                 quiet: bool = False) -> Path:
    """Print ``results`` beside the book's numbers and write them to ``results_dir()/<chapter>.json``."""
    if not isinstance(chapter, str) or not _CHAPTER.match(chapter):
        raise ValueError(f"chapter must be two digits such as '04', got {chapter!r}")
    if not isinstance(results, Mapping) or not results:
        raise ValueError("results must be a non-empty dict {name: measured value}")
    book = dict(book or {})
    record = {
        "chapter": chapter,
        "mode": getattr(cfg, "mode", "unknown"),
        "budget": getattr(cfg, "budget", "unknown"),
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "results": _plain(dict(results)),
        "book": _plain(book),
    }
    if not quiet:
        width = max(len(k) for k in results)
        print(f"mode: {record['mode']}, budgets: {record['budget']}")
        for key, value in results.items():
            line = f"  {key:{width}s}  {format_value(value)}"
            print(line + (f"   | book: {book[key]}" if key in book else ""))
        for key in [k for k in book if k not in results]:
            print(f"  {key:{width}s}  (not measured in this run)   | book: {book[key]}")
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{chapter}.json"
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_results(folder: str | os.PathLike | None = None) -> dict[str, dict[str, Any]]:
    """Every ``NN.json`` in ``folder`` (default ``results_dir()``), by chapter; unreadable files are skipped."""
    folder = Path(folder) if folder is not None else results_dir()
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("[0-9][0-9].json")):
        try:
            out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return out
