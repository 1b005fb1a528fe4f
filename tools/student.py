"""Write student copies of the notebooks: solutions replaced by a stub, outputs stripped.

Inside a code cell, every block from a ``### BEGIN SOLUTION`` line to the next ``### END SOLUTION``
line becomes (nbgrader's convention, at the indentation of the BEGIN line)::

    # YOUR CODE HERE
    raise NotImplementedError()

Usage::

    python tools/student.py [--out build/student]
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def strip_solutions(source: str) -> str:
    """Replace each BEGIN/END SOLUTION block of ``source`` by the stub; ValueError on unbalanced markers."""
    out: list[str] = []
    indent: str | None = None
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if indent is not None:
                raise ValueError(f"line {number}: {BEGIN} inside another solution block")
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + s for s in STUB)
        elif marker == END:
            if indent is None:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise ValueError(f"{BEGIN} without {END}")
    return "\n".join(out)


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with solutions stubbed and outputs, execution counts and widget state removed."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            cell.source = strip_solutions(cell.source)
        except ValueError as e:
            raise ValueError(f"cell {index}: {e}") from None
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    return nb


def count_solutions(nb: nbformat.NotebookNode) -> int:
    """How many solution blocks the code cells of ``nb`` hold."""
    return sum(line.strip() == BEGIN for c in nb.cells if c.cell_type == "code"
               for line in c.source.split("\n"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write student copies of the notebooks (solutions removed).")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student", help="output folder")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    failed = False
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            student = student_notebook(nb)
        except ValueError as e:
            print(f"{path.name}: {e}", file=sys.stderr)
            failed = True
            continue
        target = args.out / path.name
        text = nbformat.writes(student)
        target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        print(f"{target}: {count_solutions(nb)} solutions removed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
