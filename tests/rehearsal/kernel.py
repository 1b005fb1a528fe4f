"""What the rehearsal's injected first cell runs inside a notebook's kernel: it mocks TFDS
(``tfds.testing.mock_data`` with the examples of ``tfds_mock``).

Nothing in ``helpers`` or the notebooks knows about it; everything else goes through the public switches
(DLCV_SMOKE, DLCV_BUDGET, DLCV_MIRROR, DLCV_DATA_DIR, DLCV_TFDS_PROBE) and the mirror's SHA256SUMS,
which pins the stand-ins' digests as ``make mirror`` pins a classroom's files.
"""
from __future__ import annotations


def activate() -> None:
    """Mock TFDS for the rest of the kernel's life."""
    from tests.rehearsal import tfds_mock

    tfds_mock.activate()
