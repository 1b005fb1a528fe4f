"""Execute the notebooks headless with papermill and report the wall time of each.

Usage::

    python tools/run_notebooks.py                 # every notebook, smoke mode
    python tools/run_notebooks.py --nb 02         # the notebooks whose name starts with 02
    python tools/run_notebooks.py --smoke 0       # full mode (real data, downloads)
    python tools/run_notebooks.py --markdown build/bench.md             # times and every chapter's results
    python tools/run_notebooks.py --budget full --markdown build/bench.md  # offline data, full budgets

``NB`` and ``SMOKE`` in the environment are the defaults of ``--nb`` and ``--smoke`` (that is how
``make run NB=02 SMOKE=0`` reaches this script). Executed copies go to ``build/executed/`` with
``timings.json`` beside them. The kernel is this interpreter: a kernel spec named ``dlcv`` that points
at ``sys.executable`` is written under ``build/jupyter`` and put first on ``JUPYTER_PATH``.
The exit status is 1 when a notebook failed or timed out.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "executed"
KERNEL_NAME = "dlcv"
DEFAULT_TIMEOUT = 600  # seconds per notebook
INJECTED_TAG = "injected-by-harness"  # a cell a test harness puts before the notebook's own (the rehearsal)
PAPERMILL_TAGS = {"papermill-error-cell-tag", "injected-parameters", INJECTED_TAG}


@dataclass
class Result:
    """The outcome of one notebook run."""

    notebook: str
    mode: str
    seconds: float
    status: str  # "ok", "failed" or "timeout"
    error: str = ""
    output: str = ""
    load: str = ""  # the load averages (1, 5, 15 min) when it finished: other jobs slow a run down
    cpu_seconds: float = 0.0  # CPU time of papermill and the kernel: what the run cost, whatever the load
    budget: str = ""  # DLCV_BUDGET of the run ("smoke" or "full"; empty: the mode's own)


def select(nb: str | None, folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks of ``folder`` whose file name starts with one of the comma-separated prefixes in ``nb``."""
    paths = sorted(folder.glob("*.ipynb"))
    prefixes = [p.strip() for p in (nb or "").split(",") if p.strip()]
    if prefixes:
        paths = [p for p in paths if any(p.name.startswith(x) for x in prefixes)]
    return paths


def parse_smoke(value: str | int | bool | None) -> bool:
    """'1'/'true'/'yes'/'on' -> smoke, '0'/'false'/'no'/'off' -> full; empty or None means smoke."""
    if value is None or isinstance(value, bool):
        return True if value is None else value
    text = str(value).strip().lower()
    if text in {"", "1", "true", "yes", "on", "smoke"}:
        return True
    if text in {"0", "false", "no", "off", "full"}:
        return False
    raise argparse.ArgumentTypeError(f"SMOKE={value!r}: expected 1 (smoke) or 0 (full)")


def ensure_kernel(root: Path = ROOT) -> dict[str, str]:
    """Write a kernel spec for this interpreter under ``root/build/jupyter``; the env that finds it first."""
    jupyter_dir = root / "build" / "jupyter"
    spec_dir = jupyter_dir / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python {platform.python_version()} (dlcv)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    text = json.dumps(spec, indent=1) + "\n"
    spec_file = spec_dir / "kernel.json"
    if not spec_file.exists() or spec_file.read_text() != text:
        spec_file.write_text(text)
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(jupyter_dir), env.get("JUPYTER_PATH", "")) if p)
    return env


def first_error(executed: Path) -> str:
    """'cell N `first source line`: Ename: message' for the first error of an executed notebook.

    N counts the cells of the source notebook (papermill's own banner cells are not counted).
    """
    try:
        import nbformat

        nb = nbformat.read(executed, as_version=4)
    except Exception:
        return ""
    cells = [c for c in nb.cells if not set(c.get("metadata", {}).get("tags", [])) & PAPERMILL_TAGS]
    for index, cell in enumerate(cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                lines = [line for line in cell.source.splitlines() if line.strip()]
                head = lines[0].strip() if lines else ""
                if len(head) > 70:
                    head = head[:67] + "..."
                return f"cell {index} `{head}`: {out.get('ename', '')}: {out.get('evalue', '')}".strip()
    return ""


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill papermill and the kernel it started (the kernel runs in a session of its own)."""
    try:
        import psutil  # comes with ipython and tensorflow-datasets

        victims = [*psutil.Process(proc.pid).children(recursive=True), psutil.Process(proc.pid)]
    except Exception:  # no psutil, or papermill already gone
        victims = []
    for p in victims:
        try:
            p.kill()
        except Exception:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def execute(path: Path, out_dir: Path = OUT, smoke: bool = True, timeout: int = DEFAULT_TIMEOUT,
            root: Path = ROOT, env_extra: dict[str, str] | None = None, cwd: Path | None = None,
            parameters: dict[str, object] | None = None) -> Result:
    """Run one notebook (see ``_execute``) and add the CPU seconds it used (papermill and its kernel)."""
    before = _children_cpu()
    result = _execute(path, out_dir, smoke, timeout, root, env_extra, cwd, parameters)
    result.cpu_seconds = round(_children_cpu() - before, 1)
    return result


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes (a killed kernel's are lost)."""
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    except (ImportError, OSError):  # not on Windows
        return 0.0
    return usage.ru_utime + usage.ru_stime


def _execute(path: Path, out_dir: Path = OUT, smoke: bool = True, timeout: int = DEFAULT_TIMEOUT,
             root: Path = ROOT, env_extra: dict[str, str] | None = None, cwd: Path | None = None,
             parameters: dict[str, object] | None = None) -> Result:
    """Run one notebook with papermill in a subprocess (cwd = its folder), killed after ``timeout`` s.

    ``env_extra`` adds environment variables for the kernel; ``cwd`` runs it from another folder;
    ``parameters`` are papermill's (set after the notebook's ``parameters`` cell).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / path.name
    target.unlink(missing_ok=True)  # so an old copy is never read as this run's result
    env = ensure_kernel(root)
    # the inline backend, so the executed copies keep their figures (Agg would drop them)
    # and static widgets/TensorBoard (nobody can use live ones in a batch run)
    env.update(DLCV_SMOKE="1" if smoke else "0", MPLBACKEND=INLINE_BACKEND, PYTHONUNBUFFERED="1",
               DLCV_INTERACTIVE="0")
    env.update(env_extra or {})
    cmd = [sys.executable, "-m", "papermill", str(path), str(target), "--kernel", KERNEL_NAME,
           "--cwd", str(cwd or path.parent), "--execution-timeout", str(timeout), "--no-progress-bar",
           "--no-request-save-on-cell-execute", "--autosave-cell-every", "30"]
    if parameters:
        cmd += ["-y", json.dumps(parameters)]  # JSON is YAML
    mode = "smoke" if smoke else "full"
    budget = env.get("DLCV_BUDGET", "").strip().lower() or mode
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        output, _ = proc.communicate()
        seconds = time.monotonic() - start
        return Result(path.name, mode, round(seconds, 1), "timeout",
                      f"stopped after {timeout} s; partial output in {target}", _tail(output), budget=budget)
    seconds = round(time.monotonic() - start, 1)
    if proc.returncode == 0:
        return Result(path.name, mode, seconds, "ok", output=_tail(output, 5), load=_load(), budget=budget)
    error = first_error(target) or (_tail(output, 1) or f"papermill exited with {proc.returncode}")
    return Result(path.name, mode, seconds, "failed", error, _tail(output), load=_load(), budget=budget)


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # not on every system
        return ""


def table(results: list[Result]) -> str:
    """A markdown table: notebook | mode | wall time (s) | status."""
    rows = ["| notebook | mode | wall time (s) | CPU time (s) | load at end (1/5/15 min) | status |",
            "| --- | --- | ---: | ---: | --- | --- |"]
    for r in results:
        status = r.status if not r.error else f"{r.status}: {r.error}".replace("|", "\\|")
        rows.append(f"| {r.notebook} | {r.mode} | {r.seconds:.1f} | {r.cpu_seconds:.0f} | {r.load} | {status} |")
    total = sum(r.seconds for r in results)
    cpu = sum(r.cpu_seconds for r in results)
    rows.append(f"| **total** | | {total:.1f} | {cpu:.0f} | | {sum(r.status == 'ok' for r in results)}/{len(results)} ok |")
    return "\n".join(rows)


def save_timings(results: list[Result], out_dir: Path = OUT) -> Path:
    """Merge ``results`` into ``out_dir/timings.json`` (one entry per notebook, newest wins), each with the
    time it finished and the machine (``make book`` prints them at the top of every page)."""
    path = out_dir / "timings.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    for r in results:
        entry = {k: v for k, v in asdict(r).items() if k not in {"notebook", "output"}}
        data[r.notebook] = {**entry, "finished": stamp, "machine": machine()}
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(data.items())), indent=1) + "\n")
    return path


def results_markdown(results: list[Result], folder: Path) -> str:
    """Per chapter: this run's headline numbers (``build/results/NN.json``) beside the book's, mode, budget, time."""
    sys.path.insert(0, str(ROOT))
    from helpers.report import format_value, load_results

    saved = load_results(folder)
    parts = []
    for r in results:
        chapter = r.notebook[:2]
        record = saved.get(chapter)
        title = f"## {r.notebook}"
        if record is None:
            parts.append(f"{title}\n\nno results saved ({r.status})")
            continue
        rows = [f"{title}\n", f"mode {record['mode']}, budgets {record['budget']}, {r.seconds:.1f} s, "
                f"finished {record['finished']}\n", "| result | this run | book |", "| --- | --- | --- |"]
        for key, value in record["results"].items():
            book = record["book"].get(key, "")
            cells = [str(key), format_value(value), str(book)]
            rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        parts.append("\n".join(rows))
    return "\n\n".join(parts)


def machine() -> str:
    """One line about where the timings were taken."""
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, "
            f"Python {platform.python_version()}, CI={os.environ.get('CI', 'false')}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Execute notebooks with papermill and time them.")
    parser.add_argument("--nb", default=os.environ.get("NB", ""),
                        help="run only notebooks whose name starts with this (comma-separated), e.g. 02")
    parser.add_argument("--smoke", type=parse_smoke, default=os.environ.get("SMOKE", "1"),
                        help="1 = smoke mode (default), 0 = full mode")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for executed copies and timings.json")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per notebook")
    parser.add_argument("--markdown", type=Path, help="also write the table and each chapter's results to this "
                        "file (make bench)")
    parser.add_argument("--budget", choices=["", "smoke", "full"], default=os.environ.get("BUDGET", ""),
                        help="DLCV_BUDGET for the runs: 'full' runs the offline data with the full budgets")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    paths = select(args.nb)
    if not paths:
        print(f"no notebook in {NOTEBOOKS} matches NB={args.nb!r}", file=sys.stderr)
        return 1
    if args.budget:
        os.environ["DLCV_BUDGET"] = args.budget
    results_folder = ROOT / "build" / "results"
    os.environ.setdefault("DLCV_RESULTS_DIR", str(results_folder))
    results_folder = Path(os.environ["DLCV_RESULTS_DIR"])
    for path in paths:  # no stale numbers from an earlier run in the report
        (results_folder / f"{path.name[:2]}.json").unlink(missing_ok=True)
    results = []
    for path in paths:
        print(f"running {path.name} ({'smoke' if args.smoke else 'full'}) ...", flush=True)
        result = execute(path, args.out, smoke=args.smoke, timeout=args.timeout)
        print(f"  {result.status} in {result.seconds:.1f} s", flush=True)
        if result.status != "ok":
            print(f"  {result.error}\n" + "\n".join("    " + line for line in result.output.splitlines()),
                  flush=True)
        results.append(result)
    report = table(results)
    print("\n" + report)
    timings = save_timings(results, args.out)
    print(f"\nexecuted notebooks and {timings.name} are in {args.out}")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        budget = args.budget or ("smoke" if args.smoke else "full")
        args.markdown.write_text(f"# Notebook run times and results\n\n{machine()}; budgets: {budget}\n\n"
                                 f"{report}\n\n{results_markdown(results, results_folder)}\n")
        print(f"wrote {args.markdown}")
    return 0 if all(r.status == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
