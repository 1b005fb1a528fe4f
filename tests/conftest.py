"""Shared fixtures: the repository root, the notebooks, the syllabus sections."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
SECTIONS_JSON = Path(__file__).resolve().parent / "sections.json"

if str(ROOT) not in sys.path:  # so tests can `import tools.badges`
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("MPLBACKEND", "Agg")  # no window ever opens during tests


def notebook_paths() -> list[Path]:
    """Every notebook in notebooks/, sorted; tests parametrize over this at collection time."""
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


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


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} test(s) were skipped; see the reasons in the short test summary.", yellow=True)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``notebook_path`` runs once per notebook in notebooks/ (ids: file names)."""
    if "notebook_path" in metafunc.fixturenames:
        paths = notebook_paths()
        metafunc.parametrize("notebook_path", paths, ids=[p.name for p in paths])


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout's root folder."""
    return ROOT


@pytest.fixture(scope="session")
def notebooks() -> list[Path]:
    """Every notebook in notebooks/."""
    return notebook_paths()


@pytest.fixture(scope="session")
def sections() -> dict[str, list[str]]:
    """The section numbers each notebook must have as headings."""
    return load_sections()


@pytest.fixture
def server():
    """A local HTTP server on 127.0.0.1 (tests/localserver.py), stopped after the test."""
    from localserver import LocalServer

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
