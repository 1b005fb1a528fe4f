"""Build the published edition: a static HTML site of the executed notebooks, in ``build/book/``.

Usage::

    python tools/book.py                # build/executed + build/results -> build/book/ (make book)
    python tools/book.py --check-only   # only say whether the executed notebooks are there
    python tools/book.py --install-only # only install Jupyter Book into build/book-venv (make test, first)

Nothing is executed here: the chapter pages are the copies that ``make bench`` (or ``make bench BUDGET=full``,
or ``make test``'s smoke run) left in ``build/executed/``, with their outputs, and every page says at its top
which run made them (mode, budget, date, machine, from ``build/executed/timings.json``). Without them the
build stops and says to run ``make bench`` first.

Pages: README.md as the landing page, one page per chapter, the results table (``build/results/*.json``
and README's results section when it has one), the instructors' notes (README's sections for instructors).

Tool: Jupyter Book 1.0.x (Sphinx, MyST-NB, sphinx-book-theme), pinned in ``tools/book-requirements.txt``
and installed by this script into its own venv, ``build/book-venv`` (Sphinx and MyST pin markdown-it-py 3,
the course's venv has 4). Jupyter Book 2 (``mystmd``) was tried first and not chosen: its book theme is a
separate web application that ``myst build --html`` downloads from GitHub at build time, and no package on
npm or PyPI holds it, so it cannot build offline. The site loads nothing from another host: MathJax 2.7
comes from the ``jupyter-server-mathjax`` wheel (its static files only), the notebooks' badge images become
text links, the widget manager from a CDN is left out (executed runs hold static widget fallbacks), and
the theme's fonts and icons ship with the theme.
"""
from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import badges  # noqa: E402

EXECUTED = ROOT / "build" / "executed"
RESULTS = ROOT / "build" / "results"
OUT = ROOT / "build" / "book"
SRC = ROOT / "build" / "book-src"
BOOK_VENV = ROOT / "build" / "book-venv"
REQUIREMENTS = ROOT / "tools" / "book-requirements.txt"
MATHJAX_WHEEL = "jupyter-server-mathjax==0.2.6"
BANNER_CLASS = "dlcv-run"  # the run banner's <div> class (tests/test_book.py looks for it)
RESULTS_PAGE, INSTRUCTORS_PAGE = "results", "instructors"
MISSING = "run make bench first"


class BookError(RuntimeError):
    """Why the book cannot be built (the message is for the person who ran it)."""


# ---------------------------------------------------------------- inputs

def executed_notebooks(executed: Path = EXECUTED, root: Path = ROOT) -> list[Path]:
    """The executed copy of every notebook of ``notebooks/``; BookError naming the missing ones."""
    names = [p.name for p in badges.notebook_paths(root)]
    missing = [n for n in names if not (executed / n).is_file()]
    if not names or missing:
        raise BookError(f"no executed copy in {executed} of: {', '.join(missing) or 'any notebook'}; "
                        f"{MISSING} (make bench, or make test, executes them; make book never does)")
    return [executed / n for n in names]


def load_timings(executed: Path = EXECUTED) -> dict[str, dict]:
    try:
        return json.loads((executed / "timings.json").read_text())
    except (OSError, ValueError):
        return {}


def load_results(folder: Path = RESULTS) -> dict[str, dict]:
    out = {}
    for path in sorted(folder.glob("[0-9][0-9].json")):
        try:
            out[path.stem] = json.loads(path.read_text())
        except ValueError:
            continue
    return out


def _date(stamp: str) -> str:
    """'2026-12-04T23:54:55+00:00' -> '2026-12-04 23:54 UTC'."""
    try:
        t = datetime.datetime.fromisoformat(stamp).astimezone(datetime.timezone.utc)
    except (TypeError, ValueError):
        return stamp or "not recorded"
    return t.strftime("%Y-%m-%d %H:%M UTC")


def run_facts(entry: dict | None) -> dict[str, str]:
    """mode, budget, date, machine, time, status of one timings.json entry ('not recorded' where absent)."""
    entry = entry or {}
    unknown = "not recorded"
    mode = entry.get("mode") or unknown
    return {"mode": mode, "budget": entry.get("budget") or (unknown if mode == unknown else f"{mode} (default)"),
            "date": _date(entry.get("finished", "")), "machine": entry.get("machine") or unknown,
            "seconds": f"{entry['seconds']:.0f} s" if isinstance(entry.get("seconds"), (int, float)) else unknown,
            "status": entry.get("status") or unknown, "load": entry.get("load") or unknown}


def banner(lines: list[str], title: str = "Which run made these outputs") -> str:
    """The box at the top of every page (raw HTML, so it looks the same in Markdown and notebook pages)."""
    items = "".join(f"<li>{line}</li>" for line in lines)
    return (f'<div class="admonition important {BANNER_CLASS}">\n<p class="admonition-title">{html.escape(title)}'
            f'</p>\n<ul>{items}</ul>\n</div>\n')


def _mode_note(mode: str, budget: str, where: str = " (see the results page)") -> str:
    if mode == "smoke" and not budget.startswith("full"):
        return ("<strong>smoke run</strong>: offline stand-in data and tiny budgets, to show that the code runs. "
                f"Its numbers are not the chapter's results{where}.")
    if mode == "smoke":
        return "offline stand-in data with the full training budgets (<code>make bench BUDGET=full</code>)."
    return "full mode: the real datasets and full budgets."


def chapter_banner(entry: dict | None, name: str, cfg: badges.RepoConfig) -> str:
    f = run_facts(entry)
    e = html.escape
    lines = [f"mode <strong>{e(f['mode'])}</strong>, budget <strong>{e(f['budget'])}</strong>, "
             f"finished {e(f['date'])}, {e(f['seconds'])}, status {e(f['status'])}",
             f"machine: {e(f['machine'])} (load at the end: {e(f['load'])})",
             _mode_note(f["mode"], f["budget"]),
             f'<a href="{e(badges.colab_url(cfg, name))}">Open in Colab</a> · '
             f'<a href="{e(badges.github_url(cfg, name))}">View on GitHub</a> · '
             f'<a class="dlcv-download" href="_static/notebooks/{e(name)}" download>'
             f"Download this executed notebook (.ipynb)</a>"]
    return banner(lines)


def summary_banner(timings: dict[str, dict], names: list[str]) -> str:
    """For the pages without outputs of their own: the runs behind the chapter pages, grouped."""
    groups: dict[tuple, list[str]] = {}
    dates: dict[tuple, list[str]] = {}
    for name in names:
        f = run_facts(timings.get(name))
        key = (f["mode"], f["budget"], f["machine"])
        groups.setdefault(key, []).append(name[:2])
        dates.setdefault(key, []).append(f["date"])
    e = html.escape
    lines = []
    for (mode, budget, machine), chapters in groups.items():
        ds = sorted(dates[(mode, budget, machine)])
        when = ds[0] if ds[0] == ds[-1] else f"{ds[0]} to {ds[-1]}"
        lines.append(f"chapters {', '.join(chapters)}: mode <strong>{e(mode)}</strong>, budget "
                     f"<strong>{e(budget)}</strong>, finished {e(when)}, machine: {e(machine)}. "
                     f"{_mode_note(mode, budget)}")
    return banner(lines, "Which runs made the outputs on this site")


# ---------------------------------------------------------------- pages

_BADGE_IMG = re.compile(r"\[!\[([^\]]*)\]\([^)]*\)\]\(([^)]+)\)")  # [![alt](img)](target)
_REMOTE_CSS = re.compile(r"<link[^>]*href=[\"']https?://[^>]*>", re.I)
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\((notebooks/)?(\d\d_[a-z0-9_]+)\.ipynb\)")


def text_badges(markdown: str) -> str:
    """Badge images (hosted elsewhere) as text links to the same targets."""
    return _BADGE_IMG.sub(lambda m: f"[{m.group(1)}]({m.group(2)})", markdown)


def local_links(markdown: str, cfg: badges.RepoConfig, root: Path = ROOT) -> str:
    """README's links to notebooks/NN.ipynb -> the chapter page; other relative links to files -> GitHub."""
    markdown = _LINK.sub(lambda m: f"[{m.group(1)}]({m.group(3)}.ipynb)", markdown)

    def to_github(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"^(https?:|mailto:|#|\d\d_[a-z0-9_]+\.ipynb|results\.md|instructors\.md)", target):
            return m.group(0)
        path = target.split("#")[0]
        if (root / path).exists():
            kind = "tree" if (root / path).is_dir() else "blob"
            return f"[{m.group(1)}](https://github.com/{cfg.slug}/{kind}/{cfg.branch}/{target})"
        return m.group(0)

    return re.sub(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)", to_github, markdown)


def sections(markdown: str, keep) -> list[str]:
    """The '## ' sections of ``markdown`` whose heading passes ``keep`` (code fences are not headings)."""
    out, current, fence = [], None, False
    for line in markdown.splitlines(keepends=True):
        if line.lstrip().startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            if current is not None:
                out.append("".join(current))
            current = [line] if keep(line[3:].strip()) else None
        elif not fence and line.startswith("# "):
            if current is not None:
                out.append("".join(current))
            current = None
        elif current is not None:
            current.append(line)
    if current is not None:
        out.append("".join(current))
    return out


def is_results_heading(title: str) -> bool:
    return title.lower().startswith("results")


def results_banner(results: dict[str, dict], timings: dict[str, dict]) -> str:
    """Which runs saved the numbers of the results page (build/results/NN.json), grouped.

    The machine is the one timings.json names for that chapter when its run finished within the hour after
    the numbers were saved (the same run); otherwise it is not known here."""
    groups: dict[tuple, list[tuple[str, str]]] = {}
    for chapter, record in sorted(results.items()):
        entry = next((v for k, v in timings.items() if k.startswith(chapter + "_")), {})
        machine = "not recorded"
        try:
            saved = datetime.datetime.fromisoformat(record.get("finished", ""))
            ended = datetime.datetime.fromisoformat(entry.get("finished", ""))
            if 0 <= (ended - saved).total_seconds() <= 3600 and entry.get("machine"):
                machine = entry["machine"]
        except (TypeError, ValueError):
            pass
        key = (record.get("mode", "not recorded"), record.get("budget", "not recorded"), machine)
        groups.setdefault(key, []).append((chapter, _date(record.get("finished", ""))))
    e = html.escape
    lines = []
    for (mode, budget, machine), items in groups.items():
        ds = sorted(d for _, d in items)
        when = ds[0] if ds[0] == ds[-1] else f"{ds[0]} to {ds[-1]}"
        lines.append(f"chapters {', '.join(c for c, _ in items)}: mode <strong>{e(mode)}</strong>, budget "
                     f"<strong>{e(budget)}</strong>, finished {e(when)}, machine: {e(machine)}. "
                     f"{_mode_note(mode, budget, '')}")
    return banner(lines or ["no chapter saved results (build/results/ is empty)"],
                  "Which runs saved the numbers on this page")


def results_page(results: dict[str, dict], readme: str, names: list[str], timings: dict) -> str:
    from helpers.report import format_value

    parts = ["# Results\n\n", results_banner(results, timings), "\n"]
    readme_parts = sections(readme, is_results_heading)
    if readme_parts:
        parts.append("The table README.md keeps (the run it names is stated there):\n\n")
        # one level down under this page's title; links to notebooks/NN.ipynb -> the chapter pages
        parts += ["#" + _LINK.sub(lambda m: f"[{m.group(1)}]({m.group(3)}.ipynb)", p) for p in readme_parts]
    parts.append("## Saved by the last run of each chapter\n\n"
                 "Each chapter's summary cell saves its headline numbers beside the book's "
                 "(`build/results/NN.json`). The mode, budget and date of the run that saved them are above "
                 "each table.\n\n")
    titles = {p.name[:2]: (badges.chapter_title(p) or badges.default_title(p.name), p.name) for p in
              badges.notebook_paths(ROOT)}
    for chapter, (title, name) in titles.items():
        record = results.get(chapter)
        parts.append(f"### Chapter {int(chapter)}: [{title}]({name})\n\n")
        if record is None:
            parts.append("No results saved (the chapter did not run to its summary cell in this build).\n\n")
            continue
        parts.append(f"mode **{record.get('mode', '?')}**, budget **{record.get('budget', '?')}**, "
                     f"finished {_date(record.get('finished', ''))}\n\n| result | this run | book |\n| --- | --- | --- |\n")
        for key, value in record.get("results", {}).items():
            cells = [str(key), format_value(value), str(record.get("book", {}).get(key, ""))]
            parts.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |\n")
        parts.append("\n")
    return "".join(parts)


def instructors_page(readme: str, names: list[str], timings: dict, cfg: badges.RepoConfig) -> str:
    notes = sections(readme, lambda t: "instructor" in t.lower())
    if not notes:
        raise BookError("README.md has no '## For instructors' section for the instructors' notes")
    student = (ROOT / "tools" / "student.py").read_text().split('"""')[1].strip()
    body = "".join("#" + p for p in notes)
    return (f"# Instructors' notes\n\n{summary_banner(timings, names)}\n"
            f"From `README.md`, the sections for instructors.\n\n{local_links(text_badges(body), cfg)}\n"
            f"## How the student copies are made (`tools/student.py`)\n\n```text\n{student}\n```\n")


def chapter_notebook(path: Path, entry: dict | None, cfg: badges.RepoConfig):
    """The executed notebook with the run banner and text links under its title; no CDN widget state."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)  # the widget manager would come from a CDN; runs saved static fallbacks
    block = re.compile(re.escape(badges.BADGES_START) + r".*?" + re.escape(badges.BADGES_END), re.S)
    top = chapter_banner(entry, path.name, cfg)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            if block.search(cell.source):
                cell.source = block.sub(lambda _: top, cell.source, count=1)
            else:
                title, _, rest = cell.source.partition("\n")
                cell.source = f"{title}\n\n{top}\n{rest}"
            break
    else:
        raise BookError(f"{path.name}: no title cell ('# Chapter N: ...') to put the run banner under")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = text_badges(cell.source)
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            html_out = out.get("data", {}).get("text/html")
            if isinstance(html_out, str) and _REMOTE_CSS.search(html_out):
                # matplotlib's animation player links Font Awesome 4 from a CDN; the theme's own Font Awesome
                # draws the same fa-* icons
                out["data"]["text/html"] = _REMOTE_CSS.sub("", html_out)
    return nb


# ---------------------------------------------------------------- build

def ensure_venv(venv_dir: Path = BOOK_VENV, requirements: Path = REQUIREMENTS) -> Path:
    """build/book-venv with the pinned Jupyter Book (reinstalled when the requirements file changes)."""
    python = venv_dir / "bin" / "python"
    stamp = venv_dir / ".installed"
    if python.exists() and stamp.exists() and stamp.read_text() == requirements.read_text():
        return python
    print(f"installing Jupyter Book into {venv_dir} (once) ...", flush=True)
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(requirements)], check=True)
    subprocess.run([*pip, "--no-deps", MATHJAX_WHEEL], check=True)
    stamp.write_text(requirements.read_text())
    return python


def mathjax_dir(python: Path) -> Path:
    code = ("import importlib.util as u, pathlib; "  # found, not imported (that needs jupyter_server)
            "print(pathlib.Path(u.find_spec('jupyter_server_mathjax').submodule_search_locations[0]) / 'static')")
    return Path(subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True).stdout.strip())


CONFIG = """\
# written by tools/book.py: Jupyter Book 1 configuration of the published edition
title: "Deep Learning for Computer Vision, the runnable edition"
author: "the course's authors"
copyright: "{year}"
only_build_toc_files: true
execute:
  execute_notebooks: "off"
parse:
  myst_enable_extensions: [dollarmath, amsmath, html_image, linkify]
html:
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  use_multitoc_numbering: false
  extra_footer: "Outputs come from the run named at the top of each page."
launch_buttons:
  notebook_interface: classic
  binderhub_url: ""
  colab_url: ""
  thebe: false
sphinx:
  config:
    myst_heading_anchors: 3
    myst_linkify_fuzzy_links: false  # bare https:// addresses become links, README.md does not
    html_static_path: ["_static"]
    html_extra_path: ["_vendor"]
    html_show_sourcelink: false
    html_theme_options:
      use_download_button: false
      use_fullscreen_button: false
      navigation_with_keys: false
      analytics: {{}}
    mathjax_path: "../mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
    mathjax3_config: null
    mathjax2_config:
      tex2jax:
        inlineMath: [["\\\\(", "\\\\)"]]
        displayMath: [["\\\\[", "\\\\]"]]
        processClass: "math|output_area"
        ignoreClass: "document"
        processEscapes: true
      "HTML-CSS": {{availableFonts: [], imageFont: null, preferredFont: null, webFont: "STIX-Web"}}
      SVG: {{font: "STIX-Web"}}
      messageStyle: "none"
    nb_ipywidgets_js: {{}}
    suppress_warnings: ["myst.header", "mystnb.unknown_mime_type"]
"""


def stage(src: Path, executed: Path, results_dir: Path, python: Path) -> list[str]:
    """Write the book's sources into ``src``; the page names, landing page first."""
    cfg = badges.load_config(ROOT)
    paths = executed_notebooks(executed)
    names = [p.name for p in paths]
    timings = load_timings(executed)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if src.exists():
        shutil.rmtree(src)
    (src / "_static" / "notebooks").mkdir(parents=True)
    # an extra path, not a static one: Jupyter Book adds a <script> for every .js file of the static paths,
    # and MathJax loads its own parts
    shutil.copytree(mathjax_dir(python), src / "_vendor" / "mathjax")
    landing = readme.split("\n", 1)
    (src / "index.md").write_text(f"{landing[0]}\n\n{summary_banner(timings, names)}\n"
                                  f"{local_links(text_badges(landing[1]), cfg)}", encoding="utf-8")
    (src / f"{RESULTS_PAGE}.md").write_text(results_page(load_results(results_dir), readme, names, timings),
                                            encoding="utf-8")
    (src / f"{INSTRUCTORS_PAGE}.md").write_text(instructors_page(readme, names, timings, cfg), encoding="utf-8")
    import nbformat

    for path in paths:
        shutil.copy2(path, src / "_static" / "notebooks" / path.name)  # the download link's target
        nbformat.write(chapter_notebook(path, timings.get(path.name), cfg), src / path.name)
    toc = ["format: jb-book", "root: index", "parts:", "- caption: Chapters", "  chapters:"]
    toc += [f"  - file: {Path(n).stem}" for n in names]
    toc += ["- caption: About the runs", "  chapters:", f"  - file: {RESULTS_PAGE}", f"  - file: {INSTRUCTORS_PAGE}"]
    (src / "_toc.yml").write_text("\n".join(toc) + "\n")
    (src / "_config.yml").write_text(CONFIG.format(year=datetime.date.today().year))
    return ["index", *[Path(n).stem for n in names], RESULTS_PAGE, INSTRUCTORS_PAGE]


def build(out: Path = OUT, executed: Path = EXECUTED, results_dir: Path = RESULTS, src: Path = SRC) -> list[str]:
    """Stage the sources and run Jupyter Book; the page names. BookError when something is missing."""
    executed_notebooks(executed)  # fail before installing anything
    python = ensure_venv()
    pages = stage(src, executed, results_dir, python)
    jb = python.parent / "jupyter-book"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([str(jb), "build", str(src), "--builder", "html", "--warningiserror", "--quiet"],
                          capture_output=True, text=True, env=env)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        causes = [line for line in log.splitlines() if re.search(r"warning|error", line, re.I)
                  and "site-packages" not in line]
        raise BookError(f"jupyter-book build failed ({proc.returncode}):\n" + "\n".join(causes[-20:] or [log[-6000:]]))
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(src / "_build" / "html", out)
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--executed", type=Path, default=EXECUTED, help="executed notebooks and timings.json")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the chapters' results JSON files")
    parser.add_argument("--out", type=Path, default=OUT, help="where the HTML goes")
    parser.add_argument("--check-only", action="store_true", help="only check that the executed notebooks exist")
    parser.add_argument("--install-only", action="store_true",
                        help="only install Jupyter Book into build/book-venv (make test does, before its offline part)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    if args.install_only:
        print(f"Jupyter Book is in {ensure_venv().parent.parent}")
        return 0
    try:
        executed_notebooks(args.executed)
        if args.check_only:
            print(f"every executed notebook is in {args.executed}")
            return 0
        pages = build(args.out, args.executed, args.results)
    except BookError as err:
        print(f"make book: {err}", file=sys.stderr)
        return 2
    print(f"built {len(pages)} pages into {args.out} in {time.monotonic() - start:.0f} s; "
          f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
