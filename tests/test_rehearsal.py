"""The full-mode rehearsal: every notebook in full mode (DLCV_SMOKE=0, DLCV_BUDGET=smoke), offline.

Every file of the manifest is served from 127.0.0.1 by a plain HTTP file server (``DLCV_MIRROR``) as a
stand-in in its real format (``tests/rehearsal/datafiles.py``, ``weights.py``), with its digest in the
mirror's ``SHA256SUMS`` (as ``make mirror`` writes it; every client of the mirror checks against it).  A
cell the harness injects before the notebook's first cell mocks TFDS (``tfds.testing.mock_data``), and
``DLCV_TFDS_PROBE=0`` turns off the reachability check TFDS's mocked download does not need
(``tests/test_rehearsal_tfds.py`` rehearses that path with prepared datasets instead).  Any other host is
unreachable (a dead proxy), so a full-mode path that needs the real network fails here instead of on a
student's machine.

Every cell runs, at the tiny budgets of ``tests/rehearsal/budgets.py`` (papermill parameters): this rehearsal
checks the full-mode paths (downloads, loaders, branches), not what the models learn, which the smoke run of
``tests/test_notebooks.py`` checks at the notebooks' own budgets.
"""
from __future__ import annotations

import json
import shutil
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest

from tools.badges import ROOT
from helpers.download import SUMS_NAME, format_sums, mirror_path
from tools import run_notebooks
from tests.rehearsal.budgets import children_cpu, tiny

BUILD = ROOT / "build" / "rehearsal"
TIMEOUT = 600  # s: the run is stopped here
LIMIT = 240    # s: the test fails above this (target: under a minute a notebook at the tiny budgets)

# What each notebook must fetch from the mirror in full mode (manifest names); the rehearsal fails if a
# notebook stops using the mirror for one of them, or fetches something that is not in the manifest.
EXPECTED = {
    "01": {"mnist", "keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
           "keras/imagenet_class_index.json"},
    "02": {"mnist", "cifar10", "cifar100", "fashion_mnist/train-labels-idx1-ubyte.gz",
           "fashion_mnist/train-images-idx3-ubyte.gz", "fashion_mnist/t10k-labels-idx1-ubyte.gz",
           "fashion_mnist/t10k-images-idx3-ubyte.gz", "keras/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"},
    "03": {"mnist", "keras/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
           "keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128.h5",
           "keras/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "keras/imagenet_class_index.json"},
    "04": {"mnist", "penn_fudan", "keras_hub/dfine_nano_coco"},
    "05": {"landcover_ai", "keras_hub/deeplab_v3_plus_resnet50_pascalvoc"},  # ResNet-50: FCN_BACKBONE="resnet50" only
    "06": {"mnist"},
    "07": {"flickr8k/images", "flickr8k/text", "keras/efficientnetv2-b0_notop.h5"},
    "08": {"mnist", "keras/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"},
    "09": {"mnist", "keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"},
    "10": {"mnist"},
}


class _Mirror(SimpleHTTPRequestHandler):
    """``python -m http.server`` for the mirror folder, remembering every path asked for."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        with self.server.lock:
            self.server.asked.append(self.path)


@pytest.fixture(scope="module")
def mirror(dataset_stand_ins):
    """Stand-ins of every manifest file, served on 127.0.0.1; yields (base URL, server, manifest path).
    The dataset stand-ins are a copy of the session's (written once, also for their own tests)."""
    from tests.rehearsal.weights import write_weight_files

    root = BUILD / "mirror"
    shutil.rmtree(root, ignore_errors=True)
    start = time.monotonic()
    source, dataset_digests = dataset_stand_ins
    shutil.copytree(source, root)
    digests = dataset_digests | write_weight_files(root, cache=ROOT / "build" / "rehearsal-cache")
    print(f"rehearsal mirror: {len(digests)} stand-ins written in {time.monotonic() - start:.1f} s")
    manifest = BUILD / "manifest.json"
    manifest.write_text(json.dumps(digests, indent=1))
    (root / SUMS_NAME).write_text(format_sums({mirror_path(url): digest for url, digest in digests.items()}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Mirror, directory=str(root)))
    server.lock, server.asked = threading.Lock(), []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server, manifest
    server.shutdown()
    server.server_close()


def _inject(source: Path, target: Path) -> None:
    """A copy of the notebook with the rehearsal's cell first (papermill then adds its parameters)."""
    nb = nbformat.read(source, as_version=4)
    cell = nbformat.v4.new_code_cell(
        "# injected by tests/test_rehearsal.py, not part of the notebook: mock TFDS\n"
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.rehearsal.kernel import activate\nactivate()")
    cell.metadata["tags"] = [run_notebooks.INJECTED_TAG]  # not counted in error messages' "cell N"
    nb.cells.insert(0, cell)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def _fetched(asked: list[str]) -> set[str]:
    """Manifest names of the mirror paths asked for (GET or HEAD); unknown paths as themselves."""
    import urllib.parse

    from helpers.datasets import catalogue
    from helpers.download import mirror_path

    names = {mirror_path(str(row["url"])): str(row["name"]) for row in catalogue.files()}
    return {names.get(urllib.parse.unquote(p).lstrip("/"), p) for p in asked if p != "/" + SUMS_NAME}


def _rehearse(notebook_path: Path, mirror, expected: set[str], label: str = "",
              parameters: dict[str, object] | None = None) -> None:
    base, server, _ = mirror
    name = notebook_path.stem + (f"-{label}" if label else "") + ".ipynb"
    work = BUILD / "work" / name
    shutil.rmtree(work, ignore_errors=True)
    source = BUILD / "notebooks" / name
    _inject(notebook_path, source)
    env = {"DLCV_BUDGET": "smoke", "DLCV_MIRROR": base, "DLCV_TFDS_PROBE": "0", "DLCV_DATA_DIR": str(work / "data"),
           "DLCV_LOG_DIR": str(work / "logs"), "DLCV_MODEL_DIR": str(work / "models"),
           "KERAS_HOME": str(work / "keras"), "KAGGLEHUB_CACHE": str(work / "kagglehub"),
           # every other host is a dead end: a full-mode path that needs the real network fails here
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    with server.lock:
        server.asked.clear()
    out = BUILD / "executed"
    cpu = children_cpu()
    result = run_notebooks.execute(source, out, smoke=False, timeout=TIMEOUT, env_extra=env,
                                   cwd=notebook_path.parent, parameters=parameters)
    cpu = children_cpu() - cpu
    run_notebooks.save_timings([result], out)
    print(f"{name} (full mode, rehearsal): {result.status} in {result.seconds:.1f} s "
          f"(CPU {cpu:.0f} s, load {result.load})")
    assert result.status == "ok", (f"{name} {result.status} in full mode after {result.seconds:.0f} s: "
                                   f"{result.error}\n{result.output}")
    executed = nbformat.read(out / name, as_version=4)
    text = "\n".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "mode: full with smoke budgets" in text, "the notebook did not run in full mode"
    with server.lock:
        fetched = _fetched(server.asked)
    unknown = {f for f in fetched if f.startswith("/")}
    assert not unknown, f"{name} asked the mirror for files outside the manifest: {sorted(unknown)}"
    assert fetched == expected, f"{name} fetched {sorted(fetched)} from the mirror; expected {sorted(expected)}"
    assert result.seconds <= LIMIT, f"{name} took {result.seconds:.0f} s in the rehearsal (limit {LIMIT} s)"
    shutil.rmtree(work, ignore_errors=True)  # its downloads (up to a few hundred MB); kept when the run fails


@pytest.mark.rehearsal
def test_runs_in_full_mode_offline(notebook_path: Path, mirror) -> None:
    _rehearse(notebook_path, mirror, EXPECTED[notebook_path.name[:2]], parameters=tiny(notebook_path.name))


# The book's FCN on an ImageNet ResNet-50 is a parameter of chapter 5 (not its default): rehearsed on a
# few 224-pixel tiles, so that the one Keras file no default run loads is loaded from the mirror too.
RESNET_FCN = tiny("05", FCN_BACKBONE="resnet50", SCENES=24, FCN_EPOCHS=1)
RESNET_FCN_EXPECTED = EXPECTED["05"] | {"keras/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"}


@pytest.mark.rehearsal
def test_chapter_5_with_the_books_resnet_backbone(mirror) -> None:
    _rehearse(ROOT / "notebooks" / "05_semantic_segmentation.ipynb", mirror, RESNET_FCN_EXPECTED,
              label="resnet50", parameters=RESNET_FCN)


def test_every_manifest_file_is_rehearsed() -> None:
    """The rehearsal loads every file of the manifest somewhere: a new row needs a notebook that uses it."""
    from helpers.datasets import catalogue

    used = set().union(*EXPECTED.values(), RESNET_FCN_EXPECTED)
    assert used == {str(row["name"]) for row in catalogue.files()}


@pytest.mark.rehearsal
def test_make_mirror_copies_the_rehearsal_mirror(mirror, tmp_path: Path, monkeypatch, capsys) -> None:
    """``make mirror FROM=...`` over the whole manifest: every stand-in copied, checked against the source
    mirror's SHA256SUMS, and the copy gets its own SHA256SUMS."""
    from helpers.datasets import catalogue as C
    from helpers.download import mirror_path, parse_sums, sha256_of
    from tools import mirror as tool

    base, server, manifest = mirror
    digests = json.loads(manifest.read_text())
    dest = tmp_path / "classroom"
    assert tool.main([str(dest), "--from", base]) == 0
    out = capsys.readouterr().out
    assert f"{len(C.files())}/{len(C.files())} files" in out
    for row in C.files():
        assert sha256_of(dest / mirror_path(str(row["url"]))) == digests[str(row["url"])], row["name"]
    assert parse_sums((dest / SUMS_NAME).read_text()) == {mirror_path(u): d for u, d in digests.items()}
    # a corrupted source file is refused, and the copy already made is kept as it is
    bad = BUILD / "mirror" / mirror_path(C.MNIST_URL)
    good = bad.read_bytes()
    try:
        bad.write_bytes(good[:-10] + b"0123456789")
        assert tool.main([str(tmp_path / "second"), "--from", base, "--only", "mnist"]) == 1
        assert "Checksum mismatch" in capsys.readouterr().out
        assert not (tmp_path / "second" / mirror_path(C.MNIST_URL)).exists()
    finally:
        bad.write_bytes(good)


def test_the_injected_cell_is_not_counted_in_error_messages(tmp_path: Path) -> None:
    """'cell N' in a rehearsal failure is the notebook's own cell N, as in the smoke run's messages."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# title"),
                                         nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("1 / 0")])
    plain, injected = tmp_path / "plain.ipynb", tmp_path / "injected.ipynb"
    nbformat.write(nb, plain)
    _inject(plain, injected)
    for path in (plain, injected):
        executed = nbformat.read(path, as_version=4)
        cell = [c for c in executed.cells if c.source == "1 / 0"][0]
        cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero")]
        nbformat.write(executed, path)
    assert run_notebooks.first_error(plain) == run_notebooks.first_error(injected) == \
        "cell 2 `1 / 0`: ZeroDivisionError: division by zero"


def test_tiny_budgets_name_parameters_the_notebooks_have() -> None:
    """Every notebook has tiny budgets, and each name is in its ``parameters`` cell (papermill would only warn
    about an unknown name, and the rehearsals would quietly run that budget at the notebook's own value)."""
    from tests.rehearsal.budgets import TINY
    from tools.badges import notebook_paths

    paths = {p.name[:2]: p for p in notebook_paths()}
    assert set(TINY) == set(paths)
    for number, budgets in TINY.items():
        nb = nbformat.read(paths[number], as_version=4)
        cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(cells) == 1, f"{paths[number].name}: {len(cells)} parameters cells"
        names = {line.split("=")[0].strip() for line in cells[0].source.splitlines() if "=" in line}
        assert set(budgets) <= names, f"{paths[number].name}: not in its parameters cell: {set(budgets) - names}"
        assert set(RESNET_FCN) <= names or number != "05"
