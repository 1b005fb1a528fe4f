"""Shared fixtures and the sealed test environment.

The session starts from a clean environment, whatever the machine exports: every ``DLCV_*`` variable
(an instructor's ``DLCV_MIRROR``, ``DLCV_SMOKE``, ``DLCV_DATA_DIR``, ...) and ``KERAS_BACKEND`` are removed,
and ``KERAS_HOME`` points at a fresh folder, so neither a user's ``~/.keras/keras.json`` (its backend) nor
their weight cache reaches a test.  This runs when pytest imports this file, before any test module (and
so before Keras or the helpers) is imported; tests that need a variable set it with ``monkeypatch``.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

SEALED = ("KERAS_BACKEND", "KERAS_HOME")


def seal_environment(environ: dict | None = None) -> list[str]:
    """Remove every ``DLCV_*`` variable, ``KERAS_BACKEND`` and ``KERAS_HOME`` from ``environ``
    (default ``os.environ``); the names removed."""
    environ = os.environ if environ is None else environ
    removed = sorted(n for n in environ if n.startswith("DLCV_") or n in SEALED)
    for name in removed:
        del environ[name]
    return removed


UNSEALED = seal_environment()
if "keras" in sys.modules:  # Keras read KERAS_BACKEND/KERAS_HOME already: the seal would come too late
    raise RuntimeError("keras was imported before tests/conftest.py sealed the environment")
KERAS_HOME = Path(tempfile.mkdtemp(prefix="dlcv-tests-keras-"))
os.environ["KERAS_HOME"] = str(KERAS_HOME)
os.environ.setdefault("MPLBACKEND", "Agg")  # no window ever opens during tests

import pytest  # noqa: E402

from tools.badges import ROOT, notebook_paths  # noqa: E402

SECTIONS_JSON = Path(__file__).resolve().parent / "sections.json"


def load_sections() -> dict[str, list[str]]:
    """tests/sections.json: notebook file name -> the book's section numbers it must have."""
    return json.loads(SECTIONS_JSON.read_text(encoding="utf-8"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "notebook: executes a notebook in smoke mode (slow)")
    config.addinivalue_line("markers", "rehearsal: executes a notebook in full mode against the offline stand-in mirror (slow)")
    # Skip nothing silently: always list skipped/xfailed tests with their reasons in the summary.
    chars = config.option.reportchars or ""
    if "a" not in chars and "A" not in chars:
        config.option.reportchars = chars.replace("N", "") + "sxX"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(KERAS_HOME, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    removed = ", ".join(UNSEALED) or "nothing"
    return f"sealed environment: removed {removed}; KERAS_HOME={KERAS_HOME}"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} test(s) were skipped; see the reasons in the short test summary.", yellow=True)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """tests/test_book.py builds the book from the executed notebooks that tests/test_notebooks.py's smoke
    runs write: its tests go right after the last of those, whatever the file names' order."""
    book = [i for i in items if i.path.name == "test_book.py"]
    if not book:
        return
    rest = [i for i in items if i.path.name != "test_book.py"]
    after = max((n for n, i in enumerate(rest) if i.path.name == "test_notebooks.py"), default=-1)
    items[:] = rest[:after + 1] + book + rest[after + 1:]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``notebook_path`` runs once per notebook in notebooks/ (ids: file names)."""
    if "notebook_path" in metafunc.fixturenames:
        paths = notebook_paths()
        metafunc.parametrize("notebook_path", paths, ids=[p.name for p in paths])


@pytest.fixture(scope="session")
def notebooks() -> list[Path]:
    """Every notebook in notebooks/."""
    return notebook_paths()


@pytest.fixture(scope="session")
def sections() -> dict[str, list[str]]:
    """The section numbers each notebook must have as headings."""
    return load_sections()


@pytest.fixture(scope="session")
def dataset_stand_ins(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The rehearsal's dataset stand-ins (tests/rehearsal/datafiles.py), written once per session for the
    full-mode rehearsal's mirror and the stand-ins' own tests: (folder, {url: sha256}). Users copy the folder
    before they change anything in it."""
    from tests.rehearsal.datafiles import write_dataset_files

    root = tmp_path_factory.mktemp("dataset-stand-ins")
    return root, write_dataset_files(root)


@pytest.fixture
def server():
    """A local HTTP server on 127.0.0.1 (tests/localserver.py), stopped after the test."""
    from tests.localserver import LocalServer

    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test writes into the repository's data/ folder, no real Kaggle credentials are read, and the
    mode comes from arguments only.  Returns the default data dir the helpers now see."""
    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "kaggle-config"))
    for name in ("DLCV_SMOKE", "KAGGLE_API_TOKEN", "KAGGLE_USERNAME", "KAGGLE_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "default-data"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache folder for fetch() that does not exist yet."""
    return tmp_path / "cache"
