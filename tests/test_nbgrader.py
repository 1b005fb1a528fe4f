"""The notebooks as nbgrader assignments: the release of every notebook, and nbgrader's autograder on one.

The source notebooks' autograding is their smoke execution (tests/test_notebooks.py scores every
self-check cell of the executed copy with nbgrader's own rule), so no notebook runs twice for it.
Here every notebook is released with nbgrader's ``generate_assignment`` and checked statically, and
the release of chapter 1 (the cheapest to run) goes through a real ``nbgrader autograde``: the README's
instructor commands, run as written in a new folder, grade the untouched release zero, and with one
exercise filled in it scores exactly that exercise's points.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools.badges import ROOT, notebook_paths
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


def readme_instructor_commands() -> str:
    """The README's bash block with the nbgrader commands, as an instructor would type it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)
    found = [b for b in blocks if "nbgrader generate_assignment" in b]
    assert len(found) == 1, "README.md should have one bash block with the nbgrader commands"
    return found[0]


def test_readme_instructor_commands_work_as_written(tmp_path):
    """Run the README's commands with bash in a new folder that has the repository's notebooks and .venv,
    from a PATH without .venv/bin (a new shell); `make instructor` is covered by make test's own install."""
    block = readme_instructor_commands()
    lines = block.splitlines()
    makes = [line for line in lines if line.startswith("make ")]
    assert [m.split("#")[0].strip() for m in makes] == ["make instructor"], makes
    assert re.search(r"^instructor:", (ROOT / "Makefile").read_text(), flags=re.MULTILINE)
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(r.startswith("nbgrader") for r in extras["instructor"]), "make instructor should install nbgrader"
    assert any(r.startswith("dlcv-helpers[") and "instructor" in r for r in extras["dev"]), \
        "make test's install (the dev extra) should cover make instructor's"
    venv = Path(sys.prefix)
    (tmp_path / ".venv").symlink_to(venv, target_is_directory=True)
    (tmp_path / "notebooks").symlink_to(ROOT / "notebooks", target_is_directory=True)
    script = "set -e\n" + "\n".join(line for line in lines if line not in makes) + "\n"
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and not (Path(p) / "nbgrader").exists() and not (Path(p) / "alembic").exists())
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"the README's commands failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    with open(tmp_path / "course" / "grades.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["student_id"] == "alice"]
    source = student.tag_exercises(nbformat.read(ROOT / "notebooks" / GRADED, as_version=4), Path(GRADED).stem)
    total = len(student.exercise_cells(source)) * student.POINTS
    assert len(rows) == 1 and float(rows[0]["score"]) == 0 and float(rows[0]["max_score"]) == total, rows


def test_autograde_one_exercise_scores_exactly_its_point(course):
    source = student.tag_exercises(nbformat.read(notebook_paths()[0].parent / GRADED, as_version=4),
                                   Path(GRADED).stem)
    pairs = student.exercise_cells(source)
    filled = nbformat.read(course / "release" / Path(GRADED).stem / GRADED, as_version=4)
    solution, check = pairs[1]  # exercise 2: conv_output_size
    filled.cells[solution].source = source.cells[solution].source
    score, total, per_check = _autograde(course, filled, "one_exercise")
    check_id = source.cells[check].metadata.nbgrader["grade_id"]
    assert total == len(pairs) * student.POINTS, per_check
    assert score == student.POINTS and per_check[check_id] == student.POINTS, per_check
