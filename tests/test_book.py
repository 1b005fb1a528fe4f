"""The published edition (``make book``), built from the smoke run this session already made, read in Chromium.

``tests/conftest.py`` runs this module after ``tests/test_notebooks.py``, whose smoke executions leave the
executed notebooks in ``build/executed/``; this test never executes a notebook, and fails (saying to run the
notebooks first) when they are missing. It builds ``build/book/`` with ``tools/book.py``, serves it on
127.0.0.1 and opens the landing page, every chapter page, the results page and the instructors' notes in
Debian's Chromium (Playwright), recording every request: none may go to another host, every internal link
must answer 200 (and its #anchor must exist), every chapter page must show figures and no error output,
and every page must show which run made its outputs. Full-page screenshots go to ``build/book-screens/``.

Needs Chromium as tests/test_browser.py does (skipped with the same reason without it) and the network to
PyPI the first time, when tools/book.py installs Jupyter Book into ``build/book-venv``.
"""
from __future__ import annotations

import functools
import html.parser
import re
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from helpers.serving import free_port
from tools import book
from tools.badges import ROOT, notebook_paths

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "build" / "book-screens"
CHAPTERS = [p.stem for p in notebook_paths(ROOT)]

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                                    reason="no Chromium at /usr/bin/chromium (make test installs it when run as root)")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no line per request in the test output
        pass


@pytest.fixture(scope="module")
def site():
    """build/book built from build/executed, served on 127.0.0.1; the base URL, the pages and build seconds."""
    start = time.monotonic()
    try:
        pages = book.build()
    except book.BookError as err:
        pytest.fail(f"the book could not be built: {err}\n(tests/test_notebooks.py's smoke executions write "
                    f"build/executed; run them first, e.g. make test, or make bench)", pytrace=False)
    seconds = time.monotonic() - start
    print(f"book built in {seconds:.0f} s: {len(pages)} pages")
    server = ThreadingHTTPServer(("127.0.0.1", free_port()),
                                 functools.partial(_Quiet, directory=str(book.OUT)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def _fetch(url: str) -> tuple[int, frozenset[str]]:
    """HTTP status of ``url`` and, for HTML, the ids (and names) of its elements."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            status, body, kind = r.status, r.read(), r.headers.get_content_type()
    except urllib.error.HTTPError as err:
        return err.code, frozenset()
    ids = _Ids()
    if kind == "text/html":
        ids.feed(body.decode("utf-8", "replace"))
    return status, frozenset(ids.ids)


@needs_chromium
def test_book_in_chromium(site):
    base, pages = site
    assert pages[0] == "index" and set(CHAPTERS) <= set(pages) and {"results", "instructors"} <= set(pages)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    requests: list[str] = []
    failed: list[str] = []
    links: dict[str, str] = {}  # absolute href -> the page it is on
    report: dict[str, dict] = {}
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            # every request is recorded; one to another host is refused as well as reported
            def route(r):
                requests.append(r.request.url)
                host = urllib.parse.urlsplit(r.request.url).hostname
                if r.request.url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
                    r.continue_()
                else:
                    r.abort()
            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.on("requestfailed", lambda r: None if r.url.startswith(("about:", "data:", "blob:"))
                    else failed.append(f"{r.url} ({r.failure})"))
            page.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
            for name in pages:
                t0 = time.monotonic()
                page.goto(f"{base}/{name}.html", wait_until="networkidle")
                if page.locator(".math").count():  # MathJax 2, served from this site, typesets the formulas
                    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
                                           " && document.querySelectorAll('.MathJax, .MathJax_Display').length > 0")
                page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
                facts = page.evaluate("""() => {
                    const main = document.querySelector('main article') || document.querySelector('main');
                    const banner = main.querySelector('.dlcv-run');
                    const first = main.querySelector('h1');
                    const outputs = main.querySelectorAll('.cell_output, .output');
                    return {
                      banner: banner ? banner.innerText : '',
                      bannerTop: banner ? banner.getBoundingClientRect().top + window.scrollY : -1,
                      beforeOutputs: !!banner && (outputs.length === 0 ||
                          !!(banner.compareDocumentPosition(outputs[0]) & Node.DOCUMENT_POSITION_FOLLOWING)),
                      title: first ? first.innerText : '',
                      figures: [...main.querySelectorAll('img')].filter(i => i.complete && i.naturalWidth > 0).length,
                      brokenImages: [...main.querySelectorAll('img')].filter(i => !(i.complete && i.naturalWidth > 0))
                          .map(i => i.getAttribute('src')),
                      errors: [...main.querySelectorAll('.output.traceback, .output.error, .output.stderr')]
                          .map(e => e.innerText).filter(t => /Traceback|Error\\b/.test(t)),
                      rawMath: (main.innerText.match(/\\\\\\(|\\\\\\)/g) || []).length,
                      links: [...document.querySelectorAll('a[href]')].map(a => a.href),
                      colab: [...main.querySelectorAll('a[href*="colab.research.google.com"]')].length,
                      download: [...main.querySelectorAll('a.dlcv-download')].map(a => a.href),
                    };
                }""")
                report[name] = {**facts, "seconds": time.monotonic() - t0}
                for href in facts["links"]:
                    links.setdefault(href, name)
                if not facts["banner"] or "mode" not in facts["banner"] or "budget" not in facts["banner"] \
                        or "machine" not in facts["banner"] or "finished" not in facts["banner"]:
                    problems.append(f"{name}: no run banner (mode, budget, date, machine) at the top")
                elif facts["bannerTop"] > 700 or not facts["beforeOutputs"]:
                    problems.append(f"{name}: the run banner is not at the top ({facts['bannerTop']:.0f} px)")
                if facts["brokenImages"]:
                    problems.append(f"{name}: images that did not load: {facts['brokenImages']}")
                if facts["rawMath"]:
                    problems.append(f"{name}: {facts['rawMath']} formula delimiters left untypeset")
                if name in CHAPTERS:
                    if facts["figures"] == 0:
                        problems.append(f"{name}: no rendered figure")
                    if facts["errors"]:
                        problems.append(f"{name}: error or stderr output: {[e[:200] for e in facts['errors']]}")
                    if not facts["colab"] or len(facts["download"]) != 1:
                        problems.append(f"{name}: needs an Open in Colab link and one download link")
        finally:
            browser.close()

    # every internal link answers 200, and its #anchor is an id on the page it points to
    internal = {u for u in links if urllib.parse.urlsplit(u).hostname == "127.0.0.1"}
    for url in sorted(internal):
        target, _, anchor = url.partition("#")
        status, ids = _fetch(target)
        if status != 200:
            problems.append(f"{links[url]}: link {url} answers HTTP {status}")
        elif anchor and urllib.parse.unquote(anchor) not in ids:
            problems.append(f"{links[url]}: link {url}: no #{anchor} on that page")

    foreign = sorted({u for u in requests if urllib.parse.urlsplit(u).hostname not in (None, "127.0.0.1")
                      and not u.startswith(("data:", "blob:", "about:"))})
    print(f"{len(pages)} pages, {len(requests)} requests ({len(foreign)} to other hosts), "
          f"{len(internal)} internal links checked; figures per chapter: "
          + ", ".join(f"{n[:2]} {report[n]['figures']}" for n in CHAPTERS if n in report)
          + "; seconds per page: " + ", ".join(f"{n[:12]} {r['seconds']:.0f}" for n, r in report.items()))
    assert not foreign, f"the site asked other hosts than 127.0.0.1 for: {foreign[:20]}"
    assert not failed, f"requests that failed: {failed[:20]}"
    assert len(internal) >= len(pages), f"only {len(internal)} internal links on {len(pages)} pages"
    assert not problems, "\n".join(problems)
    # the chapter pages' banners name the run of build/executed/timings.json
    timings = book.load_timings()
    for name in CHAPTERS:
        entry = timings.get(f"{name}.ipynb", {})
        assert entry.get("mode") and f"mode {entry['mode']}" in report[name]["banner"], (name, report[name]["banner"])
    assert all((SHOTS / f"{name}.png").stat().st_size > 10_000 for name in pages)


def test_book_without_executed_notebooks_says_what_to_run(tmp_path, capsys):
    status = book.main(["--executed", str(tmp_path), "--out", str(tmp_path / "book")])
    err = capsys.readouterr().err
    assert status == 2 and "run make bench first" in err and "01_getting_started.ipynb" in err
    assert not (tmp_path / "book").exists()


def test_badges_become_text_links_and_readme_links_point_into_the_book():
    cfg = book.badges.load_config(ROOT)
    md = ("[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.example/x)\n"
          "[Getting started](notebooks/01_getting_started.ipynb), [helpers](helpers/), [gone](nothing/here.txt),"
          " [up](#quick-start)")
    out = book.local_links(book.text_badges(md), cfg)
    assert "colab-badge.svg" not in out and "[Open in Colab](https://colab.example/x)" in out
    assert "[Getting started](01_getting_started.ipynb)" in out and "[up](#quick-start)" in out
    assert f"[helpers](https://github.com/{cfg.slug}/tree/{cfg.branch}/helpers/)" in out
    assert "[gone](nothing/here.txt)" in out  # not in the repository: left for the build to report


def test_sections_skip_code_fences():
    md = "# T\n## Quick start\nA\n## For instructors\nB\n```bash\n## not a heading\n```\nC\n## Layout\nD\n"
    (notes,) = book.sections(md, lambda t: "instructor" in t.lower())
    assert notes.startswith("## For instructors") and "## not a heading" in notes and "C" in notes
    assert "Layout" not in notes


def test_chapter_page_has_the_run_banner_and_no_remote_assets(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    cfg = book.badges.load_config(ROOT)
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Chapter 9: Video\n\n{book.badges.badge_block(cfg, '09_v.ipynb')}"),
                nbformat.v4.new_code_cell("anim", outputs=[nbformat.v4.new_output(
                    "display_data", data={"text/html": '<link rel="stylesheet" href="https://cdn.example/fa.css">'
                                                       "<div>player</div>"})])]
    path = tmp_path / "09_v.ipynb"
    nbformat.write(nb, path)
    entry = {"mode": "smoke", "budget": "full", "finished": "2026-12-05T01:02:03+00:00", "seconds": 61.0,
             "status": "ok", "machine": "Linux x86_64, 2 CPU cores", "load": "1.0 1.0 1.0"}
    page = book.chapter_notebook(path, entry, cfg)
    title = page.cells[0].source
    assert title.startswith("# Chapter 9: Video") and book.BANNER_CLASS in title
    assert "mode <strong>smoke</strong>, budget <strong>full</strong>, finished 2026-12-05 01:02 UTC" in title
    assert "Linux x86_64, 2 CPU cores" in title and 'href="_static/notebooks/09_v.ipynb"' in title
    assert book.badges.colab_url(cfg, "09_v.ipynb") in title and "colab-badge.svg" not in title
    assert "widgets" not in page.metadata
    assert page.cells[1].outputs[0]["data"]["text/html"] == "<div>player</div>"
    # a run without the new fields says so instead of guessing
    old = book.chapter_notebook(path, {"mode": "smoke", "finished": "2026-12-04T23:54:55+00:00"}, cfg)
    assert "budget <strong>smoke (default)</strong>" in old.cells[0].source and "not recorded" in old.cells[0].source


def test_timings_name_the_budget_and_machine_the_pages_show(tmp_path):
    from tools import run_notebooks

    result = run_notebooks.Result("01_a.ipynb", "smoke", 3.0, "ok", budget="full")
    run_notebooks.save_timings([result], tmp_path)
    entry = book.load_timings(tmp_path)["01_a.ipynb"]
    assert entry["budget"] == "full" and entry["machine"] == run_notebooks.machine() and entry["finished"]
    facts = book.run_facts(entry)
    assert facts["budget"] == "full" and "CPU cores" in facts["machine"]
