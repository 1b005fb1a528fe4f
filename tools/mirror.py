"""Fill a mirror folder with every file of the course's manifest (``make mirror DEST=folder``).

Each file lands at ``DEST/<host>/<path of its URL>``, the layout ``DLCV_MIRROR`` reads, through the
course's own ``fetch``: a file already there and verified is kept (so an interrupted run resumes), a new
one is checked against its sha256 (or, where none is published, kept as downloaded), with a progress bar.
``DEST/SHA256SUMS`` lists every file's sha256 (``sha256sum -c SHA256SUMS`` in DEST checks them); every client of
the mirror checks its downloads against it.  Serve the folder with ``python -m http.server -d DEST 8000`` and set ``DLCV_MIRROR=http://HOST:8000``
on the students' machines, or copy it and set ``DLCV_MIRROR=/path/to/DEST``.

KerasHub presets (``keras_hub/...`` rows) are downloaded by ``kagglehub`` from their Kaggle handle and
stored as a .tar.gz of the preset folder at the row's URL path.  ``--tfds`` also prepares the TFDS
datasets into ``DEST/tfds`` with TFDS itself; a folder mirror reads them from there.

Usage::

    python tools/mirror.py DEST [--only mnist,cifar10] [--from URL_OR_FOLDER] [--tfds]
"""
from __future__ import annotations

import argparse
import os
import sys
import tarfile
import time
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def fill(dest: Path, only: set[str] | None = None, source: str | None = None) -> list[tuple[str, str, int, str]]:
    """Download the manifest into ``dest``; rows of (name, relative path, bytes, "ok" or the error).

    ``source``: copy from another mirror (a URL or folder laid out the same way) instead of the original
    URLs; presets then come as the archives that mirror keeps, not through kagglehub.
    """
    saved = os.environ.pop("DLCV_MIRROR", None)  # fill from the original URLs, never from a mirror ...
    if source:
        os.environ["DLCV_MIRROR"] = source  # ... unless asked to copy one
    try:
        rows = _fill(dest, only, source)
        _write_sums(dest, [r for r in rows if r[3] == "ok"])
        return rows
    finally:
        os.environ.pop("DLCV_MIRROR", None)
        if saved is not None:
            os.environ["DLCV_MIRROR"] = saved


def _write_sums(dest: Path, rows: list[tuple[str, str, int, str]]) -> None:
    """Add the files of ``rows`` to ``dest/SHA256SUMS`` (entries of earlier runs are kept)."""
    from helpers.download import SUMS_NAME, format_sums, known_sha256, parse_sums

    path = dest / SUMS_NAME
    sums = parse_sums(path.read_text()) if path.is_file() else {}
    sums.update({rel: known_sha256(dest / rel) for _, rel, _, _ in rows if not rel.startswith("tfds/")})
    if sums:
        tmp = path.with_name(f".{SUMS_NAME}.part")
        tmp.write_text(format_sums(sums))
        os.replace(tmp, path)


def _fill(dest: Path, only: set[str] | None, source: str | None) -> list[tuple[str, str, int, str]]:
    from helpers.datasets import catalogue
    from helpers.download import DownloadError, fetch_first, mirror_path

    rows = []
    for entry in catalogue.files():
        if only and entry["name"] not in only and entry["name"].split("/")[0] not in only:
            continue
        rel = mirror_path(entry["url"])
        folder = dest / PurePosixPath(rel).parent
        try:
            if entry.get("kaggle_handle") and not source:
                path = _preset_archive(str(entry["kaggle_handle"]), dest / rel)
            else:
                path = fetch_first(list(entry.get("urls") or [entry["url"]]), fname=PurePosixPath(rel).name,
                                   sha256=entry["sha256"], cache_dir=folder, dataset=entry["name"], timeout=60.0)
            rows.append((entry["name"], rel, path.stat().st_size, "ok"))
        except (DownloadError, OSError) as err:
            rows.append((entry["name"], rel, 0, str(err).splitlines()[0] if str(err) else type(err).__name__))
        except Exception as err:  # kagglehub's own errors (offline, not found)
            rows.append((entry["name"], rel, 0, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"))
    return rows


def _preset_archive(handle: str, target: Path) -> Path:
    """A KerasHub preset downloaded by kagglehub, packed (files at the root) into ``target`` (.tar.gz)."""
    if target.is_file():
        return target  # already in the mirror
    import kagglehub

    folder = Path(kagglehub.model_download(handle))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    with tarfile.open(tmp, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(folder).as_posix())
    os.replace(tmp, target)
    return target


TFDS_DATASETS = ("cats_vs_dogs", "oxford_iiit_pet", "lfw", "ucf101")


def fill_tfds(dest: Path, names: tuple[str, ...] = TFDS_DATASETS) -> list[tuple[str, str, int, str]]:
    """Prepare TFDS datasets into ``dest/tfds`` with TFDS's own download_and_prepare."""
    import tensorflow_datasets as tfds

    rows = []
    for name in names:
        try:
            builder = tfds.builder(name, data_dir=dest / "tfds")
            builder.download_and_prepare()
            size = sum(p.stat().st_size for p in Path(builder.data_dir).rglob("*") if p.is_file())
            rows.append((f"tfds/{name}", f"tfds/{name}", size, "ok"))
        except Exception as err:  # TFDS raises many kinds when offline
            rows.append((f"tfds/{name}", f"tfds/{name}", 0, f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fill a mirror folder with every file the course downloads.")
    parser.add_argument("dest", type=Path, help="the mirror folder (created if needed)")
    parser.add_argument("--only", default="", help="comma-separated manifest names (default: all)")
    parser.add_argument("--from", dest="source", default=None,
                        help="copy from another mirror (URL or folder) instead of the original URLs")
    parser.add_argument("--tfds", action="store_true", help=f"also prepare {', '.join(TFDS_DATASETS)} into DEST/tfds")
    args = parser.parse_args(argv)
    from helpers.datasets.catalogue import human_size

    only = {n.strip() for n in args.only.split(",") if n.strip()} or None
    start = time.monotonic()
    rows = fill(args.dest, only, args.source) + (fill_tfds(args.dest) if args.tfds else [])
    if not rows:
        print("no manifest entry matches --only", file=sys.stderr)
        return 1
    width = max(len(r[0]) for r in rows)
    for name, rel, size, status in rows:
        print(f"{name:{width}s}  {human_size(size):>10s}  {status if status != 'ok' else rel}")
    ok = [r for r in rows if r[3] == "ok"]
    print(f"{len(ok)}/{len(rows)} files, {human_size(sum(r[2] for r in ok))} in {args.dest} "
          f"({time.monotonic() - start:.0f} s)")
    return 0 if len(ok) == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
