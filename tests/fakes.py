"""Archives and files built in memory for the download and dataset tests (the real formats, fake content)."""
from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

import numpy as np


def sha(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def listing(folder: Path) -> set[str]:
    """Names in ``folder`` (empty when it does not exist), but fetch's bookkeeping: ``.<name>.lock``
    (filelock keeps its lock files: removing one on release would race with a waiting process) and
    ``.<name>.sha256`` (the verified digest of a cached file)."""
    names = set(os.listdir(folder)) if folder.exists() else set()
    return {n for n in names if not (n.startswith(".") and n.endswith((".lock", ".sha256")))}


def make_tar(members: dict[str, bytes], mode: str = "w:gz", links: dict[str, tuple[str, bytes]] | None = None) -> bytes:
    """A tar archive in memory: regular files, plus links {name: (linkname, tarfile.SYMTYPE/LNKTYPE)}."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name, (target, kind) in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            tf.addfile(info)
    return buf.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()




def tif_bytes(array: np.ndarray) -> bytes:
    """A TIFF file of ``array``."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="TIFF")
    return buf.getvalue()



def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file (LeCun's format): magic 0x00000800 | ndim (0x08 = unsigned byte), big-endian int32 dims."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = (0x800 | array.ndim).to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def cifar_records(images: np.ndarray, *labels: np.ndarray) -> bytes:
    """CIFAR binary records: the label byte(s), then 1024 red, 1024 green, 1024 blue bytes (rows of 32)."""
    pixels = images.transpose(0, 3, 1, 2).reshape(len(images), 3 * 32 * 32)
    cols = [np.asarray(lab, dtype=np.uint8).reshape(-1, 1) for lab in labels]
    return np.ascontiguousarray(np.concatenate(cols + [pixels], axis=1), dtype=np.uint8).tobytes()
