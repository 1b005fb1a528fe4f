"""The notebooks as nbgrader assignments: the release of every notebook, and nbgrader's autograder on one.

The source notebooks' autograding is their smoke execution (tests/test_notebooks.py scores every
self-check cell of the executed copy with nbgrader's own rule), so no notebook runs twice for it.
Here every notebook is released with nbgrader's ``generate_assignment`` and checked statically, and
the release of chapter 1 (the cheapest to run) goes through a real ``nbgrader autograde``: untouched it
scores zero, and with one exercise filled in it scores exactly that exercise's points.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from tools.badges import notebook_paths
from tools import student

GRADED = "01_getting_started.ipynb"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course folder with every notebook generated as an assignment (source/ and release/)."""
    root = tmp_path_factory.mktemp("course")
    student.release(notebook_paths(), root / "student", course=root)
    return root


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_release_replaces_every_solution_and_keeps_every_check(course, path):
    source = nbformat.read(path, as_version=4)
    release = nbformat.read(course / "student" / path.name, as_version=4)
    pairs = student.exercise_cells(source)
    assert len(pairs) >= 3 and len(release.cells) == len(source.cells)
    for solution, check in pairs:
        stubbed = release.cells[solution]
        assert student.BEGIN not in stubbed.source and "raise NotImplementedError()" in stubbed.source
        assert release.cells[check].source == source.cells[check].source
        assert release.cells[check].metadata.nbgrader["locked"] and release.cells[check].metadata.nbgrader["grade"]
    assert student.count_solutions(release) == 0
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in release.cells if c.cell_type == "code")


def _autograde(course: Path, notebook: nbformat.NotebookNode, who: str) -> tuple[float, float, dict[str, float]]:
    """Submit ``notebook`` as student ``who``, run ``nbgrader autograde`` and read the gradebook."""
    from nbgrader.api import Gradebook

    assignment = Path(GRADED).stem
    folder = course / "submitted" / who / assignment
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    student.write_notebook(notebook, folder / GRADED)
    api = student.nbgrader_api(course, cell_timeout=300)
    result = api.autograde(assignment, who, force=True, create=True)
    assert result.get("success"), result.get("error") or result.get("log")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(assignment.replace(".ipynb", ""), assignment, who)
        per_check = {g.name: g.score for g in submission.grades}
        return submission.score, submission.max_score, per_check


def test_autograde_student_release_zero_then_exactly_one_exercise(course):
    release = nbformat.read(course / "release" / Path(GRADED).stem / GRADED, as_version=4)
    source = student.tag_exercises(nbformat.read(notebook_paths()[0].parent / GRADED, as_version=4),
                                   Path(GRADED).stem)
    pairs = student.exercise_cells(source)
    score, total, per_check = _autograde(course, release, "untouched")
    assert total == len(pairs) * student.POINTS and score == 0, per_check

    filled = nbformat.read(course / "release" / Path(GRADED).stem / GRADED, as_version=4)
    solution, check = pairs[1]  # exercise 2: conv_output_size
    filled.cells[solution].source = source.cells[solution].source
    score, total, per_check = _autograde(course, filled, "one_exercise")
    check_id = source.cells[check].metadata.nbgrader["grade_id"]
    assert score == student.POINTS and per_check[check_id] == student.POINTS, per_check
