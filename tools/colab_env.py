"""A venv at Colab's package versions (colab/versions.txt), for the Colab rehearsal (tests/test_colab.py).

Usage::

    python tools/colab_env.py            # build build/colab-venv, or restore it to Colab's state; print its python
    python tools/colab_env.py --freeze   # ... and print its package list

The venv is built once per requirement list of colab/versions.txt (and ``RUNNER``, ``RECIPE``): its packages are installed in one
pip resolve, then the OpenCV wheels one at a time in the file's order, as Colab has them. The package list
right after the build is kept in the venv (``colab-pristine.txt``). A later call reuses the venv: it removes
what a rehearsal added, puts back any version a rehearsal changed, and lays the OpenCV wheels down again in
the file's order if ``import cv2`` no longer gives what it gave after the build.

This machine has Python 3.11 only; Colab runs 3.13 (see colab/versions.txt).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "colab" / "versions.txt"
VENV = ROOT / "build" / "colab-venv"
# Not Colab's list but what runs the notebooks there: a Jupyter kernel that works with Colab's IPython 7.34
# (Colab has one too). papermill itself runs from the project's own venv and drives this kernel.
RUNNER = ["ipykernel>=6.17,<7"]
RECIPE = 1  # bump when build() installs differently: the next run rebuilds the venv
STAMP = "colab-stamp.json"
PRISTINE = "colab-pristine.txt"
CV2_PROBE = ("import json, cv2; print(json.dumps({'version': cv2.__version__, "
             "'CascadeClassifier': hasattr(cv2, 'CascadeClassifier'), 'HOGDescriptor': hasattr(cv2, 'HOGDescriptor')}))")


@dataclass
class ColabEnv:
    """A built Colab venv: its folder, its python, the package list right after the build, how long it took."""

    venv: Path
    python: Path
    pristine: dict[str, str]
    cv2: dict
    seconds: float
    action: str  # "built", "reused" or "restored"

    @property
    def bin(self) -> Path:
        return self.python.parent


def canonical(name: str) -> str:
    """PEP 503 name: lower case, runs of -_. as one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_versions(path: Path = VERSIONS) -> tuple[list[str], list[str]]:
    """(requirements installed together, OpenCV wheels installed one at a time in order) from versions.txt."""
    together, opencv = [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!-]+", line):
            raise ValueError(f"{path}: {raw!r} is not NAME==VERSION")
        (opencv if canonical(line).startswith("opencv") else together).append(line)
    return together, opencv


def parse_freeze(text: str) -> dict[str, str]:
    """``pip list --format=freeze`` output -> {canonical name: version}."""
    out = {}
    for line in text.splitlines():
        name, sep, version = line.strip().partition("==")
        if sep:
            out[canonical(name)] = version
    return out


def clean_env() -> dict[str, str]:
    """This process's environment without what would let the Colab venv see this checkout or another venv."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_CONSTRAINT"):
        env.pop(name, None)
    return env


def _pip(python: Path, *args: str, timeout: int = 3600) -> str:
    cmd = [str(python), "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=clean_env(), cwd=python.parent)
    if proc.returncode != 0:
        noise = re.compile(r"^WARNING: Location 'file:.*is ignored")
        err = "\n".join(l for l in (proc.stdout + proc.stderr).splitlines() if not noise.match(l))
        raise RuntimeError(f"{' '.join(cmd[1:])} failed ({proc.returncode}):\n{err[-4000:]}")
    return proc.stdout


def freeze(python: Path) -> dict[str, str]:
    """{canonical name: version} of every distribution in the venv of ``python``."""
    return parse_freeze(_pip(python, "list", "--format=freeze"))


def probe_cv2(python: Path) -> dict:
    """What ``import cv2`` gives in a fresh process of ``python``: version and the two classes the course uses."""
    proc = subprocess.run([str(python), "-c", CV2_PROBE], capture_output=True, text=True, timeout=300,
                          env=clean_env(), cwd=python.parent)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["import cv2 failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def key(versions: Path = VERSIONS) -> str:
    """What the venv is built from: versions.txt's requirements (not its comments), the runner packages,
    the recipe's number and the Python."""
    payload = [*read_versions(versions), RUNNER, RECIPE, sys.version]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def lay_opencv(python: Path, opencv: list[str], force: bool) -> None:
    """Install the OpenCV wheels one at a time, in order, without dependencies (as Colab's image has them)."""
    for req in opencv:
        _pip(python, "install", "-q", "--no-deps", *(["--force-reinstall"] if force else []), req)


def build(venv: Path = VENV, versions: Path = VERSIONS, log=print) -> ColabEnv:
    """Build ``venv`` at Colab's versions, or reuse it (restored to the state right after its build)."""
    start = time.monotonic()
    python = venv / "bin" / "python"
    together, opencv = read_versions(versions)
    want = key(versions)
    stamp = venv / STAMP
    try:
        meta = json.loads(stamp.read_text())
        pristine = parse_freeze((venv / PRISTINE).read_text())
        reusable = meta.get("key") == want and python.exists()
    except (OSError, ValueError):
        meta, pristine, reusable = {}, {}, False
    if reusable:
        action = restore(python, pristine, opencv, meta["cv2"], log)
        return ColabEnv(venv, python, pristine, meta["cv2"], round(time.monotonic() - start, 1), action)

    log(f"colab_env: building {venv} at the versions of {versions.relative_to(ROOT) if versions.is_relative_to(ROOT) else versions}")
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True, text=True, env=clean_env())
    _pip(python, "install", "-q", *together, *RUNNER)
    lay_opencv(python, opencv, force=False)
    listing = _pip(python, "list", "--format=freeze")
    pristine = parse_freeze(listing)
    missing = [r for r in together + opencv
               if pristine.get(canonical(r.split("==")[0])) != r.split("==")[1]]
    if missing:
        raise RuntimeError(f"colab_env: after the build these are not at Colab's version: {missing}")
    cv2 = probe_cv2(python)
    (venv / PRISTINE).write_text(listing)
    stamp.write_text(json.dumps({"key": want, "cv2": cv2, "built": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=1))
    seconds = round(time.monotonic() - start, 1)
    log(f"colab_env: built in {seconds} s; import cv2 -> {cv2}")
    return ColabEnv(venv, python, pristine, cv2, seconds, "built")


def diff(before: dict[str, str], after: dict[str, str]) -> tuple[dict[str, tuple[str, str]], dict[str, str], dict[str, str]]:
    """(changed {name: (before, after)}, added {name: version}, removed {name: version})."""
    changed = {n: (v, after[n]) for n, v in before.items() if n in after and after[n] != v}
    added = {n: v for n, v in after.items() if n not in before}
    removed = {n: v for n, v in before.items() if n not in after}
    return changed, added, removed


def restore(python: Path, pristine: dict[str, str], opencv: list[str], cv2: dict, log=print) -> str:
    """Put the venv back to its package list right after the build; 'reused' when nothing had to change."""
    changed, added, removed = diff(pristine, freeze(python))
    action = "reused"
    if added:
        _pip(python, "uninstall", "-y", *sorted(added))
        action = "restored"
    back = [f"{n}=={pristine[n]}" for n in sorted({*changed, *removed}) if not n.startswith("opencv")]
    if back:
        _pip(python, "install", "-q", "--no-deps", "--force-reinstall", *back)
        action = "restored"
    if any(n.startswith("opencv") for n in {*changed, *removed}) or probe_cv2(python) != cv2:
        lay_opencv(python, opencv, force=True)
        action = "restored"
    if action != "reused":
        left = diff(pristine, freeze(python))
        if any(left):
            raise RuntimeError(f"colab_env: could not restore {python.parent.parent}: changed, added, removed = {left}")
        log(f"colab_env: restored (removed {sorted(added)}, put back {back})")
    return action


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=VENV)
    parser.add_argument("--freeze", action="store_true", help="print the package list too")
    args = parser.parse_args(argv)
    env = build(args.venv)
    print(f"{env.action} in {env.seconds} s: {env.python}; import cv2 -> {env.cv2}")
    if args.freeze:
        print("\n".join(f"{n}=={v}" for n, v in sorted(env.pristine.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
