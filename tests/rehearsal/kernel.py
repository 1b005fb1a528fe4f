"""What the rehearsal's injected first cell runs inside a notebook's kernel.

It mocks TFDS (``tfds.testing.mock_data`` with the examples of ``tfds_mock``) and pins the digests the
catalogue checks to those of the stand-ins (the test manifest).  Nothing in ``helpers`` or the notebooks
knows about it; everything else goes through the public switches (DLCV_SMOKE, DLCV_BUDGET, DLCV_MIRROR,
DLCV_DATA_DIR).
"""
from __future__ import annotations

import json
from pathlib import Path


def pin_digests(digests: dict[str, str]) -> None:
    """Set every digest the catalogue holds for a URL of ``digests`` (datasets, Keras files, presets)."""
    from helpers.datasets import catalogue as C
    from tests.rehearsal.datafiles import pin_dataset_digests

    pin_dataset_digests(digests)
    for url in C.KERAS_FILES:
        if url in digests:
            C.KERAS_FILES[url] = digests[url]
    for row in C.KERAS_HUB_PRESETS.values():
        if row["url"] in digests:
            row["sha256"] = digests[str(row["url"])]


def activate(manifest: str | Path) -> None:
    """Mock TFDS and pin the test manifest's digests, for the rest of the kernel's life."""
    from tests.rehearsal import tfds_mock

    tfds_mock.activate()
    pin_digests(json.loads(Path(manifest).read_text()))
