"""nbgrader assignments from the notebooks: exercise metadata, and the student release.

Every exercise is a code cell holding a ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block, followed by
its self-check cell.  ``tag_exercises`` gives them nbgrader's cell metadata: the solution cell is an
nbgrader "solution" cell, the self-check cell a locked, autograded "tests" cell worth ``POINTS`` points.
The notebooks in ``notebooks/`` carry that metadata (``python tools/student.py --tag`` writes it), so an
instructor can drop them into an nbgrader course as they are.

The student release is nbgrader's own ``generate_assignment`` run in a temporary course folder: each
solution block becomes (at the indentation of the BEGIN line)::

    # YOUR CODE HERE
    raise NotImplementedError()

and outputs are cleared; the self-checks stay.  Usage::

    python tools/student.py [--out build/student] [notebooks ...]   # the release (make student)
    python tools/student.py --tag                                     # write the metadata into notebooks/
"""
from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

if __package__ in (None, ""):  # run as `python tools/student.py`: make the `tools` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.badges import ROOT, notebook_paths, write_notebook  # noqa: E402
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
POINTS = 1
SCHEMA_VERSION = 3


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


def count_solutions(nb: nbformat.NotebookNode) -> int:
    """How many solution blocks the code cells of ``nb`` hold."""
    return sum(line.strip() == BEGIN for c in nb.cells if c.cell_type == "code"
               for line in c.source.split("\n"))


def has_solution(source: str) -> bool:
    """True when a cell's source holds a BEGIN SOLUTION line."""
    return any(line.strip() == BEGIN for line in source.split("\n"))


def exercise_cells(nb: nbformat.NotebookNode) -> list[tuple[int, int]]:
    """(solution cell index, self-check cell index) of every exercise; ValueError when a check is missing."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    pairs = []
    for pos, i in enumerate(code):
        if not has_solution(nb.cells[i].source):
            continue
        check = code[pos + 1] if pos + 1 < len(code) else None
        if check is None or has_solution(nb.cells[check].source) or "assert" not in nb.cells[check].source:
            raise ValueError(f"cell {i}: a solution cell must be followed by its self-check cell "
                             "(a code cell with assert statements)")
        pairs.append((i, check))
    return pairs


def tag_exercises(nb: nbformat.NotebookNode, prefix: str) -> nbformat.NotebookNode:
    """``nb`` with nbgrader metadata on every exercise's solution and self-check cells (other cells: none)."""
    nb = copy.deepcopy(nb)
    pairs = exercise_cells(nb)
    tagged = {i for pair in pairs for i in pair}
    for index, cell in enumerate(nb.cells):
        if index not in tagged:
            cell.metadata.pop("nbgrader", None)
    for number, (solution, check) in enumerate(pairs, start=1):
        nb.cells[solution].metadata["nbgrader"] = {
            "grade": False, "grade_id": f"{prefix}_exercise_{number}", "locked": False,
            "schema_version": SCHEMA_VERSION, "solution": True, "task": False}
        nb.cells[check].metadata["nbgrader"] = {
            "grade": True, "grade_id": f"{prefix}_exercise_{number}_check", "locked": True,
            "points": POINTS, "schema_version": SCHEMA_VERSION, "solution": False, "task": False}
    return nb


def assignment_name(path: Path) -> str:
    """The nbgrader assignment of a notebook: its file name without the suffix."""
    return path.stem


def create_gradebook(path: Path) -> str:
    """Create nbgrader's gradebook (SQLite) at ``path`` unless it exists, in a child process; its URL.

    nbgrader stamps a new gradebook with the output of the ``alembic`` command, found on ``PATH``; this
    environment's ``bin`` folder (where pip put ``alembic``) may not be on it, so the child gets it first on
    its own ``PATH`` and this process's environment stays as it is.  Once the gradebook exists nbgrader
    runs no command.
    """
    db_url = f"sqlite:///{path}"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    code = "import sys\nfrom nbgrader.api import Gradebook\nwith Gradebook(sys.argv[1], course_id=\"\"):\n    pass\n"
    proc = subprocess.run([sys.executable, "-c", code, db_url], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ValueError(f"nbgrader could not create its gradebook {path}:\n{proc.stderr[-2000:]}")
    return db_url


def nbgrader_api(course: Path, cell_timeout: int | None = None):  # noqa: ANN201 (nbgrader is imported lazily)
    """An NbGraderAPI for the course folder ``course`` (gradebook ``course/gradebook.db``); ``cell_timeout``
    seconds for each cell when it autogrades (nbgrader's default is 30)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    db_url = create_gradebook(Path(course) / "gradebook.db")
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = db_url
    if cell_timeout is not None:
        config.Execute.timeout = cell_timeout
    return NbGraderAPI(config=config)


def release(paths: list[Path], out: Path, course: Path | None = None) -> list[Path]:
    """Student copies of ``paths`` in ``out`` made by ``nbgrader generate_assignment``; ValueError on a failure."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(course) if course is not None else Path(tmp)
        api = nbgrader_api(root)
        written = []
        for path in paths:
            nb = tag_exercises(nbformat.read(path, as_version=4), assignment_name(path))
            source = root / "source" / assignment_name(path)
            source.mkdir(parents=True, exist_ok=True)
            write_notebook(nb, source / path.name)
            result = api.generate_assignment(assignment_name(path), force=True)
            if not result.get("success"):
                raise ValueError(f"{path.name}: nbgrader generate_assignment failed:\n"
                                 f"{result.get('error') or result.get('log')}")
            released = root / "release" / assignment_name(path) / path.name
            student = nbformat.read(released, as_version=4)
            student.metadata.pop("widgets", None)
            write_notebook(student, out / path.name)
            written.append(out / path.name)
        return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="nbgrader metadata and student releases of the notebooks.")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student", help="output folder")
    parser.add_argument("--tag", action="store_true", help="write nbgrader metadata into the notebooks in place")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or notebook_paths()
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    failed, ready = False, []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    try:
                        strip_solutions(cell.source)
                    except ValueError as e:
                        raise ValueError(f"cell {index}: {e}") from None
            tagged = tag_exercises(nb, assignment_name(path))
        except ValueError as e:
            print(f"{path.name}: {e}", file=sys.stderr)
            failed = True
            continue
        if args.tag and tagged != nb:
            write_notebook(tagged, path)
            print(f"{path}: nbgrader metadata on {len(exercise_cells(nb))} exercises")
        ready.append((path, count_solutions(nb)))
    if not args.tag and ready:
        try:
            targets = release([p for p, _ in ready], args.out)
        except ValueError as e:
            print(str(e), file=sys.stderr)
            return 1
        for target, (_, n) in zip(targets, ready):
            print(f"{target}: {n} solutions removed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
