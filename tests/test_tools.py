"""tools/badges.py, tools/student.py and tools/run_notebooks.py on temporary copies (no real execution)."""
from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from tools import badges, run_notebooks, student

ROOT = badges.ROOT

PYPROJECT = """\
[project]
name = "x"

[tool.dlcv]
repository = "https://github.com/alice/dlcv"
branch = "course"
colab-packages = ["mlxtend", "opencv-contrib-python-headless<5"]
"""

README = """\
# Course

<!-- chapters:start -->
| Ch. | Notebook | Open in Colab | Smoke run (2 CPU cores) |
| --- | --- | --- | --- |
| 1 | Getting started | planned | 95 s |
<!-- chapters:end -->

More text.
"""


def _notebook(cells) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A tiny repository: pyproject.toml, README.md and one notebook without badges or setup cell."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "README.md").write_text(README)
    (tmp_path / "notebooks").mkdir()
    nb = _notebook([nbformat.v4.new_markdown_cell("# Chapter 1: Getting started\n\nIntro text."),
                    nbformat.v4.new_code_cell("SMOKE = None", metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell("print('hello')")])
    badges.write_notebook(nb, tmp_path / "notebooks" / "01_getting_started.ipynb")
    return tmp_path


NB_PATH = Path("notebooks") / "01_getting_started.ipynb"


# ----------------------------------------------------------------------------- badges

def test_load_config(repo):
    cfg = badges.load_config(repo)
    assert (cfg.owner, cfg.repo, cfg.branch) == ("alice", "dlcv", "course")
    assert cfg.colab_packages == ("mlxtend", "opencv-contrib-python-headless<5")


def test_load_config_defaults_and_errors(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.dlcv]\nrepository = "bob/repo.git"\n')
    cfg = badges.load_config(tmp_path)
    assert (cfg.slug, cfg.branch, cfg.colab_packages) == ("bob/repo", "main", tuple(badges.DEFAULT_COLAB_PACKAGES))
    (tmp_path / "pyproject.toml").write_text('[tool.dlcv]\nrepository = "https://gitlab.com/a/b/c"\n')
    with pytest.raises(ValueError, match="repository"):
        badges.load_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.other]\n")
    with pytest.raises(ValueError, match="missing"):
        badges.load_config(tmp_path)


def _distribution(requirement: str) -> str:
    """The normalised distribution name of a requirement string (PEP 503)."""
    from packaging.requirements import Requirement

    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def test_colab_installs_only_declared_dependencies():
    """What the Colab setup cell installs is a subset of the project's dependencies, so Colab never runs
    code against a package the local install does not have (nor a different one under another name)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_distribution(r) for r in project["dependencies"]}
    colab = [_distribution(p) for p in badges.load_config(ROOT).colab_packages]
    assert colab and not [p for p in colab if p not in declared], f"not in [project] dependencies: {colab}"
    assert _distribution("importlib_resources>=6") == "importlib-resources"  # names compare normalised


def test_setup_source_installs_only_what_colab_lacks(repo):
    source = badges.setup_source(badges.load_config(repo))
    lines = source.splitlines()
    assert lines[:2] == [
        "# Colab only: install this course's `helpers` and the few packages Colab lacks (elsewhere `make lab` did).",
        "# PIP_CONSTRAINT holds every package Colab has at Colab's version: pip here (and in any later `%pip install`",
    ]
    code = [line for line in lines if not line.lstrip().startswith("#")]
    assert code[:7] == [
        "import sys",
        'if "google.colab" in sys.modules:',
        "    !pip list --format=freeze | grep -vE '^(pip|setuptools|wheel|dlcv[-_]helpers)==' > /tmp/colab-has.txt",
        "    %env PIP_CONSTRAINT=/tmp/colab-has.txt",
        '    %pip install -q mlxtend "opencv-contrib-python-headless<5"',
        '    %pip install -q --no-deps "git+https://github.com/alice/dlcv@course"',
        '    !python -c "import cv2; cv2.CascadeClassifier, cv2.HOGDescriptor" 2>/dev/null || pip install -q --no-deps'
        " --force-reinstall $(grep -m1 -E '^opencv-(contrib-)?python(-headless)?==4[.]' /tmp/colab-has.txt)",
    ]
    assert len(code) == 7
    assert "tensorflow" not in source.replace("tensorflow-datasets", "")


def test_badges_rewrite_inserts_fixes_and_is_idempotent(repo):
    path = repo / NB_PATH
    assert badges.run(repo, check=True) == [str(NB_PATH), "README.md"]
    assert badges.main(["--check", "--root", str(repo)]) == 1

    assert badges.run(repo) == [str(NB_PATH), "README.md"]
    nb = nbformat.read(path, as_version=4)
    title = nb.cells[0].source
    assert title.startswith("# Chapter 1: Getting started\n\n<!-- badges:start -->\n")
    assert title.endswith("<!-- badges:end -->\n\nIntro text.")
    assert ("https://colab.research.google.com/github/alice/dlcv/blob/course/notebooks/01_getting_started.ipynb"
            in title)
    assert "https://github.com/alice/dlcv/blob/course/notebooks/01_getting_started.ipynb" in title
    assert nb.cells[1].metadata["tags"] == ["setup"] and "git+https://github.com/alice/dlcv@course" in nb.cells[1].source
    assert [c.source for c in nb.cells[2:]] == ["SMOKE = None", "print('hello')"]  # the rest is kept

    text = path.read_text()
    assert text.endswith("}\n") and text.startswith('{\n "cells": [\n  {\n')  # nbformat, indent 1
    assert badges.run(repo, check=True) == []
    assert badges.main(["--check", "--root", str(repo)]) == 0
    assert badges.run(repo) == []
    assert path.read_text() == text  # idempotent, byte for byte


def test_badges_fix_a_wrong_badge_and_a_moved_setup_cell(repo):
    badges.run(repo)
    path = repo / NB_PATH
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("/blob/course/", "/blob/old/")
    nb.cells[1].source = "%pip install tensorflow"
    nb.cells.append(nb.cells.pop(1))  # setup cell moved to the end
    badges.write_notebook(nb, path)
    assert badges.run(repo, check=True) == [str(NB_PATH)]
    badges.run(repo)
    fixed = nbformat.read(path, as_version=4)
    assert "/blob/old/" not in fixed.cells[0].source
    assert fixed.cells[1].source == badges.setup_source(badges.load_config(repo))
    assert len(fixed.cells) == 4 and sum("setup" in c.metadata.get("tags", []) for c in fixed.cells) == 1


def test_badges_keep_other_bytes_of_a_file_untouched(repo):
    """A notebook that already agrees is not rewritten, even if another tool formatted it differently."""
    badges.run(repo)
    path = repo / NB_PATH
    odd = json.dumps(json.loads(path.read_text()), indent=2)  # no trailing newline, indent 2
    path.write_text(odd)
    assert badges.run(repo) == []
    assert path.read_text() == odd


def test_readme_table_lists_all_chapters_and_keeps_times(repo):
    badges.run(repo)
    text = (repo / "README.md").read_text()
    block = text[text.index(badges.CHAPTERS_START):text.index(badges.CHAPTERS_END)]
    rows = [line for line in block.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 10
    assert rows[0] == ("| 1 | [Getting started](notebooks/01_getting_started.ipynb) | "
                       "[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                       "(https://colab.research.google.com/github/alice/dlcv/blob/course/notebooks/"
                       "01_getting_started.ipynb) | 95 s |")
    assert rows[1] == "| 2 | Image classification | planned | — |"
    assert rows[9].startswith("| 10 | Deployment | planned |")
    assert text.endswith("<!-- chapters:end -->\n\nMore text.\n")


def test_readme_without_chapter_block_is_reported(repo):
    (repo / "README.md").write_text("# nothing here\n")
    assert "README.md (no chapters block)" in badges.run(repo, check=True)


def test_cell_zero_without_title_gets_one(repo):
    path = repo / NB_PATH
    nb = _notebook([nbformat.v4.new_code_cell("x = 1")])
    badges.write_notebook(nb, path)
    badges.run(repo)
    fixed = nbformat.read(path, as_version=4)
    assert fixed.cells[0].source.startswith("# Chapter 1: Getting started\n\n<!-- badges:start -->")
    assert fixed.cells[2].source == "x = 1"


def test_old_nbformat_minor_stays_valid(repo):
    """A 4.4 notebook (no cell ids) gets new cells without ids, so it stays valid."""
    path = repo / NB_PATH
    raw = {"nbformat": 4, "nbformat_minor": 4, "metadata": {},
           "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Chapter 1: Getting started"]}]}
    path.write_text(json.dumps(raw))
    badges.run(repo)
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat_minor == 4 and all("id" not in c for c in nb.cells) and len(nb.cells) == 2


# ----------------------------------------------------------------------------- student copies

SOLVED = """\
import numpy as np

def relu(x):
    \"\"\"Exercise 1.\"\"\"
    ### BEGIN SOLUTION
    y = np.maximum(x, 0)
    return y
    ### END SOLUTION

### BEGIN SOLUTION
answer = relu(np.arange(-2, 3))
### END SOLUTION
print(answer)"""


def test_strip_solutions_keeps_indentation_and_the_rest():
    assert student.strip_solutions(SOLVED) == """\
import numpy as np

def relu(x):
    \"\"\"Exercise 1.\"\"\"
    # YOUR CODE HERE
    raise NotImplementedError()

# YOUR CODE HERE
raise NotImplementedError()
print(answer)"""
    assert student.strip_solutions("a = 1\n") == "a = 1\n"


@pytest.mark.parametrize("bad,message", [
    ("### BEGIN SOLUTION\nx = 1\n", "without ### END"),
    ("x = 1\n### END SOLUTION\n", "without ### BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
])
def test_strip_solutions_rejects_unbalanced_markers(bad, message):
    with pytest.raises(ValueError, match=message):
        student.strip_solutions(bad)


def test_student_tool_writes_copies_without_solutions_or_outputs(repo, tmp_path):
    path = repo / NB_PATH
    nb = nbformat.read(path, as_version=4)
    solved = nbformat.v4.new_code_cell(SOLVED, execution_count=3,
                                       outputs=[nbformat.v4.new_output("stream", name="stdout", text="[0 0 0 1 2]\n")])
    nb.cells.append(solved)
    check = "assert list(answer) == [0, 0, 0, 1, 2]"
    nb.cells.append(nbformat.v4.new_code_cell(check))
    nb.cells.append(nbformat.v4.new_markdown_cell("Markdown about solution blocks stays as it is"))
    nb.metadata["widgets"] = {"state": {}}
    badges.write_notebook(nb, path)
    out = tmp_path / "student"
    assert student.main(["--out", str(out), str(path)]) == 0
    copy = nbformat.read(out / path.name, as_version=4)
    assert len(copy.cells) == len(nb.cells)
    code = copy.cells[-3]
    assert "np.maximum" not in code.source and code.source.count("raise NotImplementedError()") == 2
    assert code.outputs == [] and code.execution_count is None
    assert code.metadata.nbgrader["solution"] and not code.metadata.nbgrader["grade"]
    test_cell = copy.cells[-2]
    assert test_cell.source == check and test_cell.metadata.nbgrader["locked"]
    assert test_cell.metadata.nbgrader["grade"] and test_cell.metadata.nbgrader["points"] == student.POINTS
    assert "widgets" not in copy.metadata
    assert copy.cells[-1].source == "Markdown about solution blocks stays as it is"
    assert [c.source for c in copy.cells[:-3]] == [c.source for c in nb.cells[:-3]]
    assert student.count_solutions(nb) == 2 and student.count_solutions(copy) == 0
    nbformat.validate(copy)
    assert nbformat.read(path, as_version=4).cells[-3].source == SOLVED  # the original is untouched


def test_a_solution_without_its_self_check_is_refused(repo, tmp_path, capsys):
    path = repo / NB_PATH
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"))
    badges.write_notebook(nb, path)
    assert student.main(["--out", str(tmp_path / "s"), str(path)]) == 1
    assert "must be followed by its self-check cell" in capsys.readouterr().err


def test_release_leaves_this_process_path_alone(repo, tmp_path, monkeypatch):
    """nbgrader needs the `alembic` command of this environment; only its child process gets it on PATH."""
    monkeypatch.setenv("PATH", os.pathsep.join(["/usr/bin", "/bin"]))  # this environment's bin/ is not on it
    out = tmp_path / "student"
    assert student.main(["--out", str(out), str(repo / NB_PATH)]) == 0
    assert os.environ["PATH"] == os.pathsep.join(["/usr/bin", "/bin"])
    assert (out / NB_PATH.name).is_file()
    course = tmp_path / "course"
    student.create_gradebook(course / "gradebook.db")
    import sqlite3

    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0]  # stamped by alembic
    assert os.environ["PATH"] == os.pathsep.join(["/usr/bin", "/bin"])


def test_student_tool_fails_on_unbalanced_markers(repo, tmp_path, capsys):
    path = repo / NB_PATH
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1"))
    badges.write_notebook(nb, path)
    assert student.main(["--out", str(tmp_path / "s"), str(path)]) == 1
    assert "cell 3: ### BEGIN SOLUTION without ### END SOLUTION" in capsys.readouterr().err


# ----------------------------------------------------------------------------- run_notebooks

@pytest.fixture
def notebook_dir(tmp_path) -> Path:
    for name in ["01_getting_started.ipynb", "02_image_classification.ipynb", "03_image_retrieval.ipynb",
                 "10_deployment.ipynb"]:
        (tmp_path / name).write_text("{}")
    return tmp_path


def _names(paths):
    return [p.name[:2] for p in paths]


@pytest.mark.parametrize("nb,expected", [
    ("", ["01", "02", "03", "10"]), (None, ["01", "02", "03", "10"]), ("02", ["02"]), ("0", ["01", "02", "03"]),
    ("01,10", ["01", "10"]), (" 03 ", ["03"]), ("02_image", ["02"]), ("99", []),
])
def test_select_filters_by_prefix(notebook_dir, nb, expected):
    assert _names(run_notebooks.select(nb, notebook_dir)) == expected


def test_parse_args_reads_nb_and_smoke_from_the_environment(monkeypatch):
    monkeypatch.delenv("NB", raising=False)
    monkeypatch.delenv("SMOKE", raising=False)
    args = run_notebooks.parse_args([])
    assert (args.nb, args.smoke, args.timeout, args.markdown) == ("", True, 600, None)
    monkeypatch.setenv("NB", "02")
    monkeypatch.setenv("SMOKE", "0")
    args = run_notebooks.parse_args([])
    assert (args.nb, args.smoke) == ("02", False)
    args = run_notebooks.parse_args(["--nb", "03", "--smoke", "1", "--markdown", "b.md", "--timeout", "5"])
    assert (args.nb, args.smoke, args.markdown, args.timeout) == ("03", True, Path("b.md"), 5)


@pytest.mark.parametrize("value,smoke", [("1", True), ("", True), (None, True), ("true", True), ("0", False),
                                         ("full", False), ("no", False), (False, False)])
def test_parse_smoke(value, smoke):
    assert run_notebooks.parse_smoke(value) is smoke


def test_bad_arguments_exit_with_usage(monkeypatch):
    monkeypatch.delenv("SMOKE", raising=False)
    for argv in (["--smoke", "maybe"], ["--timeout", "0"]):
        with pytest.raises(SystemExit) as e:
            run_notebooks.parse_args(argv)
        assert e.value.code == 2


def test_no_matching_notebook_is_an_error(capsys):
    assert run_notebooks.main(["--nb", "no-such-notebook"]) == 1
    assert "no notebook" in capsys.readouterr().err


def test_kernel_spec_points_at_this_interpreter(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere")
    env = run_notebooks.ensure_kernel(tmp_path)
    spec = json.loads((tmp_path / "build/jupyter/kernels/dlcv/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert env["JUPYTER_PATH"].split(":") == [str(tmp_path / "build/jupyter"), "/elsewhere"]
    from jupyter_client.kernelspec import KernelSpecManager

    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    assert KernelSpecManager().get_kernel_spec("dlcv").argv[0] == sys.executable


def test_first_error_names_the_cell_and_the_exception(tmp_path):
    def banner():
        return nbformat.v4.new_markdown_cell("<span>An Exception was encountered</span>",
                                             metadata={"tags": ["papermill-error-cell-tag"]})

    nb = _notebook([banner(), nbformat.v4.new_code_cell("x = 1"), banner(),
                    nbformat.v4.new_code_cell("\nraise_it = 1 / 0  # divide\nmore()", outputs=[
                        nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                               traceback=[])])])
    path = tmp_path / "x.ipynb"
    badges.write_notebook(nb, path)
    assert run_notebooks.first_error(path) == \
        "cell 1 `raise_it = 1 / 0  # divide`: ZeroDivisionError: division by zero"  # papermill's banners skipped
    assert run_notebooks.first_error(tmp_path / "missing.ipynb") == ""


def test_execute_a_tiny_notebook(tmp_path):
    """papermill with this interpreter's kernel, cwd = the notebook's folder, DLCV_SMOKE set; errors and
    timeouts reported (throwaway notebooks, not the course's)."""
    code = nbformat.v4.new_code_cell
    probe = "import os, sys\nprint(os.environ['DLCV_SMOKE'], os.environ['MPLBACKEND'], sys.executable, os.getcwd())"
    notebooks = {"ok": [code(probe)], "bad": [code("x = 1"), code("# boom\nraise ValueError('bad input')")],
                 "slow": [code("import time\ntime.sleep(120)")]}
    for name, cells in notebooks.items():
        badges.write_notebook(_notebook(cells), tmp_path / f"{name}.ipynb")
    out = tmp_path / "out"

    ok = run_notebooks.execute(tmp_path / "ok.ipynb", out, smoke=True, root=tmp_path)
    assert ok.status == "ok", ok.output
    assert 0.2 < ok.cpu_seconds < 3 * ok.seconds + 60, ok  # papermill and its kernel: a second or more of Python
    text = nbformat.read(out / "ok.ipynb", as_version=4).cells[0].outputs[0].text.split()
    assert text == ["1", run_notebooks.INLINE_BACKEND, sys.executable, str(tmp_path)]

    bad = run_notebooks.execute(tmp_path / "bad.ipynb", out, smoke=False, root=tmp_path)
    assert (bad.status, bad.mode, bad.error) == ("failed", "full", "cell 1 `# boom`: ValueError: bad input")

    slow = run_notebooks.execute(tmp_path / "slow.ipynb", out, timeout=4, root=tmp_path)
    assert slow.status == "timeout" and 4 <= slow.seconds < 30, slow


def test_table_and_timings(tmp_path):
    results = [run_notebooks.Result("01_a.ipynb", "smoke", 12.34, "ok", load="1.0 2.0 2.5", cpu_seconds=20.2),
               run_notebooks.Result("02_b.ipynb", "smoke", 3.0, "failed", "cell 4 `x`: ValueError: a|b")]
    table = run_notebooks.table(results)
    assert table.splitlines() == [
        "| notebook | mode | wall time (s) | CPU time (s) | load at end (1/5/15 min) | status |",
        "| --- | --- | ---: | ---: | --- | --- |",
        "| 01_a.ipynb | smoke | 12.3 | 20 | 1.0 2.0 2.5 | ok |",
        "| 02_b.ipynb | smoke | 3.0 | 0 |  | failed: cell 4 `x`: ValueError: a\\|b |",
        "| **total** | | 15.3 | 20 | | 1/2 ok |"]
    run_notebooks.save_timings(results[:1], tmp_path)
    run_notebooks.save_timings([run_notebooks.Result("02_b.ipynb", "full", 7.0, "ok")], tmp_path)
    data = json.loads((tmp_path / "timings.json").read_text())
    assert list(data) == ["01_a.ipynb", "02_b.ipynb"]
    assert data["01_a.ipynb"]["seconds"] == 12.34 and data["02_b.ipynb"]["mode"] == "full"


def test_tools_run_as_scripts(repo, tmp_path):
    """`python tools/X.py --help` works from any folder (the Makefile calls them this way)."""
    import subprocess

    for tool in ("badges", "student", "run_notebooks"):
        proc = subprocess.run([sys.executable, str(ROOT / "tools" / f"{tool}.py"), "--help"],
                              cwd=tmp_path, capture_output=True, text=True)
        assert proc.returncode == 0 and "usage" in proc.stdout, proc.stderr
