"""Every notebook opened the way a student opens it: JupyterLab on 127.0.0.1, in Debian's Chromium.

For each notebook the test waits for the kernel, runs the code cells from the top to the ``helpers.setup``
cell one by one (Ctrl+Enter, as a student would), checks that the environment report is printed and that no cell shows an error, and
saves a screenshot to ``build/browser/``.  In chapter 1 it then runs the gradient-descent widget cell
live, moves the learning-rate slider with the keyboard and checks that the figure changes.

Needs the Python ``playwright`` package (a dev dependency: without it the module fails to import) and
Debian's Chromium, a system package (``make test`` installs it when it runs as root; elsewhere the test is
skipped and says so); the JupyterLab server is stopped in every case.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from helpers.serving import free_port
from tools.badges import ROOT, notebook_paths

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "build" / "browser"
REPORT = "| TensorFlow "  # part of helpers.config.environment_report's line
WIDGET_NOTEBOOK, WIDGET_CALL = "01_getting_started.ipynb", "widgets.gradient_descent("

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                                reason="no Chromium at /usr/bin/chromium (make test installs it when run as root)")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 with a random port and token; stopped after the module."""
    port, token = free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("lab-home")
    # Render every cell (JupyterLab 4 renders only the visible ones by default), and start a student's way.
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {**os.environ, "DLCV_SMOKE": "1", "DLCV_INTERACTIVE": "1", "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT / 'notebooks'}",
           "--ServerApp.port_retries=0", "--LabApp.news_url=",
           f"--FileContentsManager.checkpoints_kwargs=root_dir={home / 'checkpoints'}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not start:\n{(home / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def page(lab):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.set_default_timeout(60_000)
            yield pg
        finally:
            browser.close()


def _shutdown_kernels(base: str, token: str) -> None:
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=10) as r:
        kernels = json.load(r)
    for k in kernels:
        req = urllib.request.Request(f"{base}/api/kernels/{k['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(req, timeout=30).close()


def _errors(page) -> list[str]:
    texts = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                         ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    return [t for t in texts if "Traceback" in t or "Error" in t]


CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"


def _open(page, base: str, token: str, name: str, n_cells: int):
    page.goto(f"{base}/lab/tree/{name}?token={token}&reset")
    page.wait_for_function(f"() => document.querySelectorAll({CELLS!r}).length === {n_cells}", timeout=60_000)
    return page.locator(CELLS)


def _kernel_idle(base: str, token: str, timeout: float = 120.0) -> None:
    """Wait until the notebook's kernel has started and reports idle (cells sent earlier could be lost)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=10) as r:
            kernels = json.load(r)
        if kernels and all(k.get("execution_state") == "idle" for k in kernels):
            return
        time.sleep(0.5)
    raise TimeoutError(f"the kernel did not become idle within {timeout:.0f} s")


def _run_cell(page, cells, index: int) -> None:
    """Select code cell ``index``, run it (Ctrl+Enter, as a student would), wait for its prompt number."""
    cells.nth(index).locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Enter")
    prompt = cells.nth(index).locator(".jp-InputPrompt")
    page.wait_for_function("(el) => /\\[\\d+\\]/.test(el.textContent)", arg=prompt.element_handle(),
                           timeout=180_000)


def _run_to(page, cells, nb: dict, last: int) -> None:
    """Run every code cell from the top to cell ``last``, in order."""
    for index in range(last + 1):
        if nb["cells"][index]["cell_type"] == "code":
            _run_cell(page, cells, index)


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_notebook_opens_and_runs_its_first_cells(lab, page, path):
    base, token = lab
    nb = json.loads(path.read_text(encoding="utf-8"))
    setup_index = next(i for i, c in enumerate(nb["cells"])
                       if c["cell_type"] == "code" and "helpers.setup(" in "".join(c["source"]))
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        cells = _open(page, base, token, path.name, len(nb["cells"]))
        _kernel_idle(base, token)
        _run_to(page, cells, nb, setup_index)
        report = cells.nth(setup_index).locator(".jp-OutputArea-output").all_inner_texts()
        assert any(REPORT in t and "mode: smoke" in t for t in report), f"no environment report: {report}"
        assert not _errors(page), _errors(page)
        page.screenshot(path=str(SHOTS / f"{path.stem}.png"))
        if path.name == WIDGET_NOTEBOOK:
            _move_a_slider(page, cells, nb, setup_index)
    finally:
        _shutdown_kernels(base, token)


def _move_a_slider(page, cells, nb: dict, setup_index: int) -> None:
    """Run chapter 1's live gradient-descent widget and check that moving its slider redraws the figure."""
    imports = setup_index + 1  # the cell after setup imports numpy, matplotlib and helpers.widgets
    widget = next(i for i, c in enumerate(nb["cells"]) if WIDGET_CALL in "".join(c["source"]))
    _run_cell(page, cells, imports)
    _run_cell(page, cells, widget)
    output = cells.nth(widget).locator(".jp-Cell-outputArea")
    image = output.locator("img").first
    image.wait_for()
    before = image.get_attribute("src")
    handle = output.locator(".widget-slider .noUi-handle").first
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("([el, old]) => { const img = el.querySelector('img'); return img && img.src !== old; }",
                           arg=[output.element_handle(), before], timeout=30_000)
    assert output.locator("img").first.get_attribute("src") != before
    assert not _errors(page), _errors(page)
    cells.nth(widget).screenshot(path=str(SHOTS / "01_widget_after_slider.png"))
