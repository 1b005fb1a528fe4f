"""The Colab rehearsal: the setup cell and every notebook, at Colab's package versions (colab/versions.txt).

tools/colab_env.py builds ``build/colab-venv`` at the versions Colab publishes (TensorFlow, Keras, KerasHub,
NumPy, protobuf, ipywidgets, IPython, ... and its three OpenCV wheels laid down in the order that leaves
``cv2`` at OpenCV 5), once per content of colab/versions.txt, and restores it to that state before each
session. Then every notebook runs there in smoke mode, as a student's Colab runtime would run it:

* a first injected cell puts a stand-in ``google.colab`` module in ``sys.modules``, so the notebook's Colab
  branches run (the setup cell, chapter 10's own install cell); the harness changes nothing else;
* the setup cell runs as the notebook has it, except that the GitHub URL becomes a folder holding a copy of
  this checkout's package (still ``--no-deps``), since the rehearsal has no GitHub;
* the kernel is the Colab venv's Python, started in an empty folder (no checkout on sys.path), with the
  Colab venv's ``bin`` first on PATH (``!pip`` and ``!python`` are Colab's);
* after the run, no package the venv had before may have changed version (pip would have changed it under a
  running TensorFlow: a restart, which the README says is not needed), no pip command may have failed, and
  ``import cv2`` must give OpenCV 4 with CascadeClassifier and HOGDescriptor.

Every cell runs, at the tiny budgets of ``tests/rehearsal/budgets.py`` (papermill parameters): this rehearsal
checks that the notebooks run at Colab's versions, not what they learn, which the smoke run of
``tests/test_notebooks.py`` checks at the notebooks' own budgets.

Times go to ``build/colab/timings.json``. This machine has Python 3.11 only; Colab runs 3.13.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from tools.badges import ROOT, notebook_paths
from tools import badges, colab_env, run_notebooks
from tests.rehearsal.budgets import children_cpu, tiny

WORK = ROOT / "build" / "colab"
TIMEOUT = 900  # seconds per notebook, setup cell included
INJECTED = "colab-rehearsal"
FAKE_COLAB = (
    "# Injected by tests/test_colab.py: a stand-in for Colab's own module, so the Colab branches run.\n"
    "import sys, types\n"
    'sys.modules["google.colab"] = types.ModuleType("google.colab")'
)
PIP_ERROR = re.compile(r"^(ERROR: .*|error: .*|.*ResolutionImpossible.*|.* which is incompatible\.)$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _times(update: dict[str, float]) -> None:
    path = WORK / "timings.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data.update(update)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


# --- the versions file and the venv tool: cheap, no venv --------------------------------------------------


def test_versions_file_lists_colab_with_date_source_and_the_breaking_opencv_order():
    text = colab_env.VERSIONS.read_text(encoding="utf-8")
    assert "googlecolab/backend-info" in text and re.search(r"\b20\d\d-\d\d-\d\d\b", text)
    assert "Python 3.11" in text and "3.13" in text
    together, opencv = colab_env.read_versions()
    names = {colab_env.canonical(r.split("==")[0]) for r in together}
    assert {"tensorflow", "keras", "keras-hub", "tensorflow-datasets", "numpy", "protobuf", "ipywidgets",
            "ipython"} <= names
    # the OpenCV 4 wheel first, the OpenCV 5 ones after it: the order in which `import cv2` finds OpenCV 5
    majors = [r.split("==")[1].split(".")[0] for r in opencv]
    assert len(opencv) == 3 and majors[0] == "4" and set(majors[1:]) == {"5"}, opencv


def test_freeze_parsing_and_diff():
    before = colab_env.parse_freeze("numpy==2.1.3\nProtobuf==5.29.6\nopencv_python==5.0.0.93\n")
    assert before == {"numpy": "2.1.3", "protobuf": "5.29.6", "opencv-python": "5.0.0.93"}
    after = {"numpy": "2.1.3", "protobuf": "6.31.1", "mlxtend": "0.23.4"}
    assert colab_env.diff(before, after) == ({"protobuf": ("5.29.6", "6.31.1")}, {"mlxtend": "0.23.4"},
                                             {"opencv-python": "5.0.0.93"})


def test_setup_cell_says_why_nothing_needs_a_restart():
    source = badges.setup_source(badges.load_config(ROOT))
    assert "PIP_CONSTRAINT" in source and "restart" in source
    assert "tensorflow" not in source.replace("tensorflow-datasets", "")


# --- the rehearsal itself ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def colab() -> colab_env.ColabEnv:
    """The Colab venv, built or restored to Colab's state (once per test session)."""
    env = colab_env.build(log=print)
    _times({f"venv ({env.action})": env.seconds})
    return env


@pytest.fixture(scope="module")
def package_src() -> Path:
    """What `pip install git+https://github.com/...` would get: this checkout's package files, nothing else."""
    src = WORK / "src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "helpers", src / "helpers", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return src


def rehearsal_copy(path: Path, src: Path) -> nbformat.NotebookNode:
    """``path`` as the rehearsal runs it: a stand-in google.colab first, the setup cell's URL -> ``src``."""
    nb = nbformat.read(path, as_version=4)
    cfg = badges.load_config(ROOT)
    setup = [c for c in nb.cells if badges.SETUP_TAG in c.get("metadata", {}).get("tags", [])]
    assert len(setup) == 1 and setup[0].source == badges.setup_source(cfg), \
        f"{path.name}: the setup cell is not the one `make badges` writes"
    url = f'"git+https://github.com/{cfg.slug}@{cfg.branch}"'
    assert setup[0].source.count(url) == 1
    setup[0].source = setup[0].source.replace(url, f'"{src}"')
    fake = nbformat.v4.new_code_cell(FAKE_COLAB, metadata={"tags": [INJECTED]})
    if nb.get("nbformat_minor", 5) < 5:  # cell ids exist from nbformat 4.5 on
        fake.pop("id", None)
    nb.cells.insert(0, fake)
    return nb


def run_on_colab(colab: colab_env.ColabEnv, nb: nbformat.NotebookNode, name: str,
                 monkeypatch: pytest.MonkeyPatch, parameters: dict[str, object] | None = None
                 ) -> tuple[run_notebooks.Result, nbformat.NotebookNode]:
    """Execute ``nb`` with the Colab venv's kernel in smoke mode (papermill ``parameters``, if any); the result
    and the executed notebook."""
    copies, executed, content = WORK / "notebooks", WORK / "executed", WORK / "content"
    for folder in (copies, executed, content):
        folder.mkdir(parents=True, exist_ok=True)
    copy = copies / name
    nbformat.write(nb, copy)
    jupyter = WORK / "jupyter"
    spec = jupyter / "kernels" / run_notebooks.KERNEL_NAME / "kernel.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(json.dumps({"argv": [str(colab.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                "display_name": "Python (Colab rehearsal)", "language": "python"}, indent=1))
    # the kernel sees neither this checkout nor the project's venv
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.delenv("PIP_CONSTRAINT", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    path = os.pathsep.join([str(colab.bin), *[p for p in os.environ.get("PATH", "").split(os.pathsep)
                                              if p and Path(p).resolve() != (ROOT / ".venv" / "bin").resolve()]])
    base = content / "dlcv"  # Colab's default is /content/dlcv; the rehearsal keeps it under build/
    env = {"JUPYTER_PATH": str(jupyter), "PATH": path, "DLCV_DATA_DIR": str(base / "data"),
           "DLCV_LOG_DIR": str(base / "logs"), "DLCV_MODEL_DIR": str(base / "models")}
    result = run_notebooks.execute(copy, out_dir=executed, smoke=True, timeout=TIMEOUT, env_extra=env, cwd=content,
                                   parameters=parameters)
    out = executed / name
    return result, (nbformat.read(out, as_version=4) if out.exists() else nbformat.v4.new_notebook())


def pip_errors(nb: nbformat.NotebookNode) -> list[str]:
    """pip's error lines in the outputs of every cell that runs pip (the %pip magic never raises)."""
    errors = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "pip" not in cell.source:
            continue
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            text = ANSI.sub("", text if isinstance(text, str) else "".join(text))
            errors += [m.group(0) for m in PIP_ERROR.finditer(text)]
    return errors


def check_colab_kept(colab: colab_env.ColabEnv, what: str) -> dict[str, str]:
    """No package Colab had changed version or went away, and cv2 is OpenCV 4 with both classes; what was added."""
    changed, added, removed = colab_env.diff(colab.pristine, colab_env.freeze(colab.python))
    assert not changed and not removed, (
        f"{what} changed packages Colab already has (a student would need to restart the runtime, and the README "
        f"says no restart is needed): changed {changed}, removed {removed}")
    cv2 = colab_env.probe_cv2(colab.python)
    assert cv2.get("CascadeClassifier") and cv2.get("HOGDescriptor") and cv2["version"].startswith("4."), \
        f"after {what}, import cv2 gives {cv2}"
    return added


@pytest.mark.colab
def test_setup_cell_adds_packages_and_changes_none_of_colabs(colab, package_src, monkeypatch):
    assert colab.cv2.get("version", "").startswith("5.") and not colab.cv2.get("CascadeClassifier"), \
        f"the Colab venv should start with the OpenCV layout that breaks the course, got {colab.cv2}"
    nb = rehearsal_copy(notebook_paths()[0], package_src)
    last = max(i for i, c in enumerate(nb.cells) if badges.SETUP_TAG in c.get("metadata", {}).get("tags", []))
    nb.cells = nb.cells[:last + 1] + [nbformat.v4.new_code_cell(
        "import cv2, helpers, mlxtend, mtcnn, faiss, annoy, pycocotools\n"
        "print('cv2', cv2.__version__, hasattr(cv2, 'CascadeClassifier'), hasattr(cv2, 'HOGDescriptor'))\n"
        "print('helpers from', helpers.__file__)")]
    start = time.monotonic()
    result, executed = run_on_colab(colab, nb, "setup_cell.ipynb", monkeypatch)
    _times({"setup cell (first run)": round(time.monotonic() - start, 1)})
    assert result.status == "ok", f"{result.error}\n{result.output}"
    assert not pip_errors(executed), pip_errors(executed)
    added = check_colab_kept(colab, "the setup cell")
    assert {"dlcv-helpers", "mlxtend", "mtcnn", "faiss-cpu", "annoy", "pycocotools"} <= set(added), added
    printed = "".join(o.get("text", "") for o in executed.cells[-1].get("outputs", []))
    assert "cv2 4." in printed and "True True" in printed, printed
    assert str(ROOT / "helpers") not in printed, "the kernel imported helpers from the checkout, not the install"


@pytest.mark.colab
def test_notebook_runs_on_colab(colab, package_src, notebook_path, monkeypatch):
    cpu = children_cpu()
    result, executed = run_on_colab(colab, rehearsal_copy(notebook_path, package_src), notebook_path.name,
                                    monkeypatch, parameters=tiny(notebook_path.name))
    cpu = children_cpu() - cpu
    _times({notebook_path.name: result.seconds})
    print(f"{notebook_path.name}: {result.seconds} s on Colab's versions ({result.status}; CPU {cpu:.0f} s, "
          f"load {result.load})")
    problems = [] if result.status == "ok" else [
        f"{notebook_path.name} on Colab's versions: {result.error}\n(executed copy: {WORK / 'executed'})\n"
        f"{result.output}"]
    problems += [f"pip reported: {e}" for e in pip_errors(executed)]
    try:
        check_colab_kept(colab, notebook_path.name)
    except AssertionError as e:
        problems.append(str(e))
    assert not problems, "\n".join(problems)
