"""Safe archive extraction and atomic folders: nothing is written outside the target, nothing half-written stays.

``safe_extract`` checks every member of a zip or tar before writing anything (absolute paths, ``..`` escapes,
links that point outside, devices); ``atomic_folder`` builds a folder beside its target and swaps it in only on
success. ``helpers.download`` uses both for downloaded archives; imports nothing from helpers.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tarfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path


def _check_member_path(name: str, root: str) -> str:
    """The member's normalised absolute path under ``root``; ValueError when it would escape."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":"):
        raise ValueError(f"archive member {name!r} has an absolute path; refusing to extract")
    full = os.path.normpath(os.path.join(root, clean))
    if full != root and not full.startswith(root + os.sep):
        raise ValueError(f"archive member {name!r} would be written outside {root}; refusing to extract")
    return full


def _check_tar_member(member: tarfile.TarInfo, root: str) -> None:
    full = _check_member_path(member.name, root)
    if member.issym() or member.islnk():
        link = member.linkname.replace("\\", "/")
        if link.startswith("/"):
            raise ValueError(f"archive member {member.name!r} links to absolute path {member.linkname!r}; "
                             "refusing to extract")
        base = os.path.dirname(full) if member.issym() else root
        resolved = os.path.normpath(os.path.join(base, link))
        if resolved != root and not resolved.startswith(root + os.sep):
            raise ValueError(f"archive member {member.name!r} links outside the target folder "
                             f"({member.linkname!r}); refusing to extract")
    elif not (member.isfile() or member.isdir()):
        raise ValueError(f"archive member {member.name!r} is a device or fifo; refusing to extract")


def safe_extract(archive: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Extract a zip or tar(.gz/.bz2/.xz) into ``dest`` after checking every member stays inside it.

    Absolute paths, ``..`` escapes and links pointing outside raise ValueError naming the
    member, before anything is written.
    """
    archive, dest = Path(archive), Path(dest)
    root = os.path.realpath(dest)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                _check_member_path(name, root)
            dest.mkdir(parents=True, exist_ok=True)
            zf.extractall(dest)
        return dest
    if archive.is_file() and tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tf:
            members = tf.getmembers()
            for member in members:
                _check_tar_member(member, root)
            dest.mkdir(parents=True, exist_ok=True)
            if hasattr(tarfile, "data_filter"):
                tf.extractall(dest, members=members, filter="data")
            else:  # Python < 3.10.12: our own checks above are the guard
                tf.extractall(dest, members=members)
        return dest
    raise ValueError(f"{archive} is not a zip or tar archive")


@contextlib.contextmanager
def atomic_folder(target: Path, prefix: str | None = None) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``target``; on success it replaces ``target``, else it is removed.

    The folder is named ``.<prefix>.<random>.extracting`` (prefix defaults to the target's name), so a
    later fetch of the same file removes what a killed run left behind (``_remove_stale``).
    """
    tmp = target.parent / f".{prefix or target.name}.{uuid.uuid4().hex}.extracting"
    try:
        yield tmp
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
