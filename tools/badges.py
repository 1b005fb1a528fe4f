"""Rewrite the badge row, the Colab setup cell and README's chapter table from pyproject.toml.

The repository address lives in one place, ``[tool.dlcv]`` of pyproject.toml::

    repository = "https://github.com/OWNER/REPO"
    branch = "main"
    colab-packages = ["mlxtend", "tensorflow-datasets", "tensorboard"]

Usage::

    python tools/badges.py           # rewrite every notebook and README.md
    python tools/badges.py --check   # exit 1 and list what disagrees, change nothing

A notebook is written only when its content changes, so the rest of the file stays as it was.
"""
from __future__ import annotations

import argparse
import copy
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

# (chapter number, notebook file, default title). The notebook's own title cell wins in README.
CHAPTERS: list[tuple[int, str, str]] = [
    (1, "01_getting_started.ipynb", "Getting started"),
    (2, "02_image_classification.ipynb", "Image classification"),
    (3, "03_image_retrieval.ipynb", "Image retrieval"),
    (4, "04_object_detection.ipynb", "Object detection"),
    (5, "05_semantic_segmentation.ipynb", "Semantic segmentation"),
    (6, "06_similarity_learning.ipynb", "Similarity learning"),
    (7, "07_image_captioning.ipynb", "Image captioning"),
    (8, "08_generative_models.ipynb", "Generative models"),
    (9, "09_video_classification.ipynb", "Video classification"),
    (10, "10_deployment.ipynb", "Deployment"),
]

NOTEBOOK_NAME = re.compile(r"^(\d{2})_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")
TITLE = re.compile(r"^# Chapter (\d+): (\S.*)$")

BADGES_START, BADGES_END = "<!-- badges:start -->", "<!-- badges:end -->"
CHAPTERS_START, CHAPTERS_END = "<!-- chapters:start -->", "<!-- chapters:end -->"
SETUP_TAG = "setup"
DEFAULT_COLAB_PACKAGES = ["mlxtend", "tensorflow-datasets", "tensorboard"]
COLAB_SVG = "https://colab.research.google.com/assets/colab-badge.svg"
GITHUB_SVG = "https://img.shields.io/badge/View%20on-GitHub-181717?logo=github"
NOT_YET = "planned"
NO_TIME = "—"


@dataclass(frozen=True)
class RepoConfig:
    """Where the notebooks are published, read from ``[tool.dlcv]``."""

    owner: str
    repo: str
    branch: str
    colab_packages: tuple[str, ...]

    @property
    def slug(self) -> str:
        """OWNER/REPO."""
        return f"{self.owner}/{self.repo}"


def load_config(root: Path = ROOT) -> RepoConfig:
    """Read ``[tool.dlcv]`` from ``root/pyproject.toml``; ValueError when it is missing or malformed."""
    with open(root / "pyproject.toml", "rb") as f:
        data = tomllib.load(f)
    section = data.get("tool", {}).get("dlcv", {})
    url = section.get("repository")
    if not url:
        raise ValueError("pyproject.toml: [tool.dlcv] repository is missing")
    m = re.match(r"^(?:https?://github\.com/|git@github\.com:)?([\w.-]+)/([\w.-]+?)(?:\.git)?/?$", url)
    if not m:
        raise ValueError(f"pyproject.toml: [tool.dlcv] repository {url!r} is not "
                         "https://github.com/OWNER/REPO or OWNER/REPO")
    packages = section.get("colab-packages", DEFAULT_COLAB_PACKAGES)
    if not isinstance(packages, list) or not all(isinstance(p, str) and p.strip() for p in packages):
        raise ValueError("pyproject.toml: [tool.dlcv] colab-packages must be a list of package names")
    return RepoConfig(m.group(1), m.group(2), section.get("branch", "main"), tuple(packages))


def colab_url(cfg: RepoConfig, name: str) -> str:
    """The Open in Colab address of ``notebooks/name``."""
    return f"https://colab.research.google.com/github/{cfg.slug}/blob/{cfg.branch}/notebooks/{name}"


def github_url(cfg: RepoConfig, name: str) -> str:
    """The View on GitHub address of ``notebooks/name``."""
    return f"https://github.com/{cfg.slug}/blob/{cfg.branch}/notebooks/{name}"


def colab_badge(cfg: RepoConfig, name: str) -> str:
    """Markdown for the Open in Colab badge."""
    return f"[![Open in Colab]({COLAB_SVG})]({colab_url(cfg, name)})"


def badge_block(cfg: RepoConfig, name: str) -> str:
    """The badge row of a notebook's title cell, markers included (no trailing newline)."""
    github = f"[![View on GitHub]({GITHUB_SVG})]({github_url(cfg, name)})"
    return "\n".join([BADGES_START, colab_badge(cfg, name), github, BADGES_END])


def _pip_arg(package: str) -> str:
    return package if re.fullmatch(r"[A-Za-z0-9._-]+", package) else f'"{package}"'


# Where the setup cell keeps Colab's own package list; PIP_CONSTRAINT points pip at it for the whole runtime.
COLAB_CONSTRAINTS = "/tmp/colab-has.txt"


def setup_source(cfg: RepoConfig) -> str:
    """The source of the Colab setup cell (cell 1 of every notebook).

    On Colab it installs this package and ``colab-packages`` with every package Colab already has held at
    Colab's version (a pip constraint file, set for the whole runtime), so nothing is upgraded under a running
    TensorFlow and no restart is needed; then it makes ``import cv2`` give Colab's own OpenCV 4 wheel when one
    of Colab's OpenCV 5 wheels shadows it (same version reinstalled, so the package list does not change).
    tests/test_colab.py runs these lines at Colab's versions (colab/versions.txt).
    """
    lines = [
        "# Colab only: install this course's `helpers` and the few packages Colab lacks (elsewhere `make lab` did).",
        "# PIP_CONSTRAINT holds every package Colab has at Colab's version: pip here (and in any later `%pip install`",
        "# in this runtime) adds packages and changes none, so there is nothing to restart.",
        "import sys",
        'if "google.colab" in sys.modules:',
        f"    !pip list --format=freeze | grep -vE '^(pip|setuptools|wheel|dlcv[-_]helpers)==' > {COLAB_CONSTRAINTS}",
        f"    %env PIP_CONSTRAINT={COLAB_CONSTRAINTS}",
    ]
    if cfg.colab_packages:
        lines.append("    %pip install -q " + " ".join(_pip_arg(p) for p in cfg.colab_packages))
    # last and without dependencies: pip then checks nobody's requirements (ours name TF 2.21, Colab has its own)
    lines.append(f'    %pip install -q --no-deps "git+https://github.com/{cfg.slug}@{cfg.branch}"')
    lines += [
        "    # Colab has three OpenCV wheels sharing one `cv2` folder; when an OpenCV 5 one was laid down last, `cv2` has",
        "    # no CascadeClassifier or HOGDescriptor (chapters 1, 2, 4, 6, 9). Then lay Colab's own OpenCV 4 wheel down",
        "    # again: the same version, so no package changes, and `cv2` is not imported yet, so no restart.",
        '    !python -c "import cv2; cv2.CascadeClassifier, cv2.HOGDescriptor" 2>/dev/null || pip install -q --no-deps'
        f" --force-reinstall $(grep -m1 -E '^opencv-(contrib-)?python(-headless)?==4[.]' {COLAB_CONSTRAINTS})",
    ]
    return "\n".join(lines)


def default_title(name: str) -> str:
    """'# Chapter N: Title' for a notebook file name (title from CHAPTERS, else from the name)."""
    for number, file, title in CHAPTERS:
        if file == name:
            return f"# Chapter {number}: {title}"
    m = NOTEBOOK_NAME.match(name)
    number = int(m.group(1)) if m else 0
    words = Path(name).stem.split("_")[1:] if m else [Path(name).stem]
    return f"# Chapter {number}: {' '.join(words).capitalize()}"


def with_badges(source: str, block: str) -> str:
    """``source`` with its badge block replaced by ``block``, or inserted after the first line."""
    start, end = source.find(BADGES_START), source.find(BADGES_END)
    if start != -1 and end > start:
        return source[:start] + block + source[end + len(BADGES_END):]
    first, sep, rest = source.partition("\n")
    if not first.startswith("#"):  # no title line: put the badges first
        return block + ("\n\n" + source if source.strip() else "")
    return first + "\n\n" + block + ("\n\n" + rest.lstrip("\n") if rest.strip() else "")


def _new_cell(nb: nbformat.NotebookNode, kind: str, source: str, **kwargs) -> nbformat.NotebookNode:
    cell = getattr(nbformat.v4, f"new_{kind}_cell")(source, **kwargs)
    if nb.get("nbformat_minor", 5) < 5:  # cell ids exist from nbformat 4.5 on
        cell.pop("id", None)
    return cell


def sync_notebook(nb: nbformat.NotebookNode, name: str, cfg: RepoConfig) -> bool:
    """Make ``nb``'s badge row and setup cell agree with ``cfg`` in place; True when something changed."""
    before = copy.deepcopy(nb.cells)
    cells = nb.cells
    if not cells or cells[0].cell_type != "markdown":
        cells.insert(0, _new_cell(nb, "markdown", default_title(name)))
    cells[0].source = with_badges(cells[0].source, badge_block(cfg, name))

    source = setup_source(cfg)
    tagged = [i for i, c in enumerate(cells) if SETUP_TAG in c.get("metadata", {}).get("tags", [])]
    if tagged:
        cell = cells.pop(tagged[0])
        if cell.cell_type != "code":
            cell = _new_cell(nb, "code", source, metadata=cell.metadata)
    else:
        cell = _new_cell(nb, "code", source, metadata={"tags": [SETUP_TAG]})
    cell.source = source
    cell.outputs, cell.execution_count = [], None
    cells.insert(1, cell)
    return cells != before


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat 4."""
    return nbformat.read(path, as_version=4)


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write with nbformat's defaults (indent 1) and a trailing newline."""
    text = nbformat.writes(nb)
    Path(path).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def notebook_paths(root: Path = ROOT) -> list[Path]:
    """Every notebook in ``root/notebooks``, sorted."""
    return sorted((root / "notebooks").glob("*.ipynb"))


def chapter_title(path: Path) -> str | None:
    """The title after '# Chapter N: ' in a notebook's first cell, or None."""
    try:
        nb = read_notebook(path)
    except Exception:  # a broken notebook is reported by the tests, not here
        return None
    if nb.cells and nb.cells[0].cell_type == "markdown":
        m = TITLE.match(nb.cells[0].source.partition("\n")[0].strip())
        if m:
            return m.group(2).strip()
    return None


def _old_times(block: str) -> dict[int, str]:
    """Chapter number -> smoke-run time cell of the existing table, so hand-written times survive."""
    times = {}
    for line in block.splitlines():
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cols) >= 4 and cols[0].isdigit():
            times[int(cols[0])] = cols[3]
    return times


def chapters_table(cfg: RepoConfig, root: Path = ROOT, old_block: str = "") -> str:
    """README's chapter table, markers included: all 10 chapters, 'planned' where no notebook exists."""
    times = _old_times(old_block)
    rows = [CHAPTERS_START,
            "| Ch. | Notebook | Open in Colab | Smoke run (2 CPU cores) |",
            "| --- | --- | --- | --- |"]
    for number, name, title in CHAPTERS:
        path = root / "notebooks" / name
        if path.exists():
            title = chapter_title(path) or title
            cells = (f"[{title}](notebooks/{name})", colab_badge(cfg, name))
        else:
            cells = (title, NOT_YET)
        rows.append(f"| {number} | {cells[0]} | {cells[1]} | {times.get(number, NO_TIME)} |")
    rows.append(CHAPTERS_END)
    return "\n".join(rows)


def sync_readme(text: str, cfg: RepoConfig, root: Path = ROOT) -> str:
    """README text with its chapter table regenerated; ValueError when the markers are missing."""
    start, end = text.find(CHAPTERS_START), text.find(CHAPTERS_END)
    if start == -1 or end < start:
        raise ValueError(f"README.md has no {CHAPTERS_START} ... {CHAPTERS_END} block")
    old = text[start:end + len(CHAPTERS_END)]
    return text[:start] + chapters_table(cfg, root, old) + text[end + len(CHAPTERS_END):]


def run(root: Path = ROOT, check: bool = False) -> list[str]:
    """Sync every notebook and README.md (or only compare when ``check``); the files that disagreed."""
    cfg = load_config(root)
    stale = []
    for path in notebook_paths(root):
        nb = read_notebook(path)
        if sync_notebook(nb, path.name, cfg):
            stale.append(str(path.relative_to(root)))
            if not check:
                write_notebook(nb, path)
    readme = root / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        try:
            new = sync_readme(text, cfg, root)
        except ValueError:
            stale.append("README.md (no chapters block)")
        else:
            if new != text:
                stale.append("README.md")
                if not check:
                    readme.write_text(new, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file disagrees")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)
    stale = run(args.root, check=args.check)
    if args.check:
        if stale:
            print("Badges or setup cells disagree with pyproject.toml; run `make badges`:")
            print("\n".join(f"  {s}" for s in stale))
            return 1
        print("badges: everything agrees with pyproject.toml")
        return 0
    print("\n".join(f"rewrote {s}" for s in stale) or "badges: nothing to change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
