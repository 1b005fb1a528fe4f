"""Check every download source of the course without downloading it (``make sources``).

What an instructor runs the week before a course: for each file of the catalogue's manifest
(``helpers.datasets.catalogue.files()``, every URL of a row that lists several) and for each file of the
TFDS datasets the course loads (their URLs, sizes and sha256 as the installed TFDS records them in its
checksums files), one small request -- a GET of the first byte (``Range: bytes=0-0``), or a HEAD with
``--head`` -- and one line: HTTP status, size as the host reports it, the size expected (the manifest's,
or TFDS's record of the same URL), the time the answer took, and a verdict.  ``--sample N`` reads the
first N bytes instead and prints the transfer rate and how long the whole file would take at it (a
throttled host shows up here).  Certificates are always checked: a host whose certificate does not verify
is reported as such, never fetched without the check.

With ``DLCV_MIRROR`` set, the manifest files are checked in the mirror (``<mirror>/<host>/<path>``; a folder
mirror by its files), and a TFDS dataset prepared in a folder mirror's ``tfds/`` is reported from there;
TFDS datasets the mirror does not hold are checked at their original hosts (TFDS downloads them itself).

Usage::

    python tools/sources.py [--only cifar,lfw] [--no-tfds] [--timeout 15] [--sample BYTES] [--head]

Exit status 0 when every source answers with the expected size, 1 otherwise.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import importlib.util
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The TFDS datasets the course loads through helpers.tfds_loader.load_tfds (chapters 3, 5, 6, 9).
TFDS_DATASETS = ("cats_vs_dogs", "oxford_iiit_pet", "lfw", "ucf101")
USER_AGENT = "dlcv-sources"


@dataclass
class Source:
    """One URL to check: the manifest or TFDS name it belongs to, and what we expect of it."""

    name: str
    url: str
    size: int | None = None      # expected size in bytes, None when nothing records it
    sha256: str | None = None    # the published digest, shown for reference (nothing is downloaded)
    origin: str = ""             # where the expected size comes from ("manifest", "TFDS", ...)
    local: Path | None = None    # a file in a folder mirror: checked on disk, not over HTTP
    note: str = ""
    alternative: bool = False    # a second (third, ...) source of a row: a mirror keeps only the first


@dataclass
class Result:
    """What one check found."""

    status: int | None           # HTTP status, None when there was no answer
    size: int | None             # total size as reported (Content-Range, Content-Length, or the file's)
    seconds: float
    error: str = ""
    rate: float | None = None    # bytes/s over the sampled bytes (--sample)


# ---------------------------------------------------------------- what to check

def tfds_root() -> Path | None:
    """The installed tensorflow_datasets package folder (found without importing it), or None."""
    spec = importlib.util.find_spec("tensorflow_datasets")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _checksum_files(root: Path) -> dict[str, Path]:
    """{dataset name: its checksums file} in an installed TFDS (old and new layouts)."""
    found = {p.stem: p for p in sorted((root / "url_checksums").glob("*.txt"))}
    found.update({p.parent.name: p for p in sorted((root / "datasets").glob("*/checksums.tsv"))})
    return found


def parse_checksums(text: str) -> dict[str, tuple[int, str, str]]:
    """TFDS's checksums format (``url<TAB>size<TAB>sha256[<TAB>file name]``) as {url: (size, sha256, name)}."""
    records = {}
    for line in text.splitlines():
        fields = line.strip().split("\t")
        if len(fields) < 3 or line.startswith("#") or not fields[1].isdigit():
            continue
        records[fields[0]] = (int(fields[1]), fields[2].lower(), fields[3] if len(fields) > 3 else "")
    return records


def tfds_checksums(name: str | None = None, root: Path | None = None) -> dict[str, tuple[int, str, str]]:
    """The URLs the installed TFDS records, with size, sha256 and file name: of dataset ``name``, or of all."""
    root = root or tfds_root()
    if root is None:
        return {}
    files = _checksum_files(root)
    chosen = [files[name]] if name is not None and name in files else ([] if name is not None else files.values())
    records: dict[str, tuple[int, str, str]] = {}
    for path in chosen:
        records.update(parse_checksums(path.read_text(encoding="utf-8")))
    return records


def manifest_sources(known: dict[str, tuple[int, str, str]] | None = None) -> list[Source]:
    """One Source per URL of every manifest row (a row may list several byte-identical URLs)."""
    from helpers.datasets import catalogue

    known = tfds_checksums() if known is None else known
    sources = []
    for row in catalogue.files():
        urls = list(row.get("urls") or [row["url"]])
        size, origin = row.get("size"), "manifest" if row.get("size") else ""
        if size is None:  # TFDS's record of any URL of the row (they are the same bytes)
            for url in urls:
                if url in known:
                    size, origin = known[url][0], "TFDS"
                    break
        for i, url in enumerate(urls):
            sources.append(Source(row["name"], url, size, row.get("sha256"), origin, alternative=i > 0))
    return sources


def tfds_sources(names: tuple[str, ...] = TFDS_DATASETS) -> list[Source]:
    """One Source per URL TFDS downloads for each dataset in ``names`` (from the installed TFDS)."""
    sources = []
    for name in names:
        records = tfds_checksums(name)
        if not records:
            sources.append(Source(f"tfds/{name}", "", note="no checksums file in the installed TFDS"))
        for url, (size, sha, _) in sorted(records.items()):
            sources.append(Source(f"tfds/{name}", url, size, sha, "TFDS"))
    return sources


def _mirror_folder(base: str) -> Path | None:
    parts = urllib.parse.urlparse(base)
    return Path(urllib.request.url2pathname(parts.path)) if parts.scheme == "file" else None


def through_mirror(sources: list[Source], base: str) -> list[Source]:
    """The same checks against the mirror ``base`` (``DLCV_MIRROR``): manifest files at their mirror path;
    TFDS datasets from a folder mirror's ``tfds/`` when prepared there, else at their original hosts."""
    from helpers.download import mirror_path

    folder = _mirror_folder(base)
    out, seen_tfds = [], set()
    for src in sources:
        if src.name.startswith("tfds/"):
            name = src.name.split("/", 1)[1]
            prepared = folder / "tfds" / name if folder is not None else None
            if prepared is not None and prepared.is_dir():
                if name not in seen_tfds:
                    seen_tfds.add(name)
                    out.append(Source(src.name, prepared.as_uri(), local=prepared,
                                      note="prepared in the mirror's tfds/"))
                continue
            out.append(Source(src.name, src.url, src.size, src.sha256, src.origin,
                              note="not in the mirror: TFDS downloads it from the original host"))
            continue
        if src.alternative:  # the mirror keeps the row's file at its first URL's path only
            continue
        rel = mirror_path(src.url)
        if folder is not None:
            out.append(Source(src.name, (folder / rel).as_uri(), src.size, src.sha256, src.origin,
                              local=folder / rel))
        else:
            out.append(Source(src.name, f"{base}/{urllib.parse.quote(rel)}", src.size, src.sha256, src.origin))
    return out


# ---------------------------------------------------------------- checking

def total_size(status: int, headers) -> int | None:  # noqa: ANN001 (an http.client.HTTPMessage)
    """The whole file's size from an answer: Content-Range's total for a 206, else Content-Length."""
    if status == 206:
        total = (headers.get("Content-Range") or "").rpartition("/")[2].strip()
        return int(total) if total.isdigit() else None
    length = headers.get("Content-Length") or ""
    return int(length) if length.strip().isdigit() else None


def _reason(err: BaseException) -> str:
    reason = getattr(err, "reason", None) or err
    if isinstance(reason, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(reason):
        return f"certificate does not verify ({getattr(reason, 'verify_message', '') or reason})"
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in str(reason):
        return "no answer (timed out)"
    if isinstance(reason, socket.gaierror):
        return f"host name does not resolve: offline, or DNS ({reason})"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return str(reason) or type(reason).__name__


def check(src: Source, timeout: float = 15.0, sample: int = 1, head: bool = False) -> Result:
    """One request for ``src``: its status, the size reported, the time taken (and a rate for sample > 1)."""
    start = time.monotonic()
    if src.local is not None:
        if src.local.is_dir():
            size = sum(p.stat().st_size for p in src.local.rglob("*") if p.is_file())
            return Result(200, size, time.monotonic() - start)
        if src.local.is_file():
            return Result(200, src.local.stat().st_size, time.monotonic() - start)
        return Result(404, None, time.monotonic() - start, "missing in the mirror folder")
    if not src.url:
        return Result(None, None, 0.0, src.note or "no URL")
    headers = {"User-Agent": USER_AGENT}
    if not head:
        headers["Range"] = f"bytes=0-{max(1, sample) - 1}"
    request = urllib.request.Request(src.url, headers=headers, method="HEAD" if head else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            first = time.monotonic()
            size = total_size(response.status, response.headers)
            rate = None
            if not head and sample > 1:
                got = 0
                while got < sample:
                    chunk = response.read(min(1 << 16, sample - got))
                    if not chunk:
                        break
                    got += len(chunk)
                spent = time.monotonic() - first
                rate = got / spent if spent > 0 and got else None
            return Result(response.status, size, first - start, rate=rate)
    except urllib.error.HTTPError as e:
        return Result(e.code, None, time.monotonic() - start, f"HTTP {e.code} {e.reason}")
    except (urllib.error.URLError, HTTPException, OSError) as e:
        return Result(None, None, time.monotonic() - start, _reason(e))


def verdict(src: Source, res: Result) -> tuple[bool, str]:
    """(as expected?, one short phrase)."""
    if res.status is None or res.status >= 400:
        return False, res.error or f"HTTP {res.status}"
    if res.status not in (200, 206):
        return False, f"unexpected HTTP {res.status}"
    if src.size is not None and res.size is not None and res.size != src.size:
        return False, f"WRONG SIZE: {res.size} bytes, expected {src.size} ({src.origin})"
    if src.size is None:
        return True, "answers (no size recorded to compare)"
    if res.size is None:
        return True, "answers (host reports no size)"
    return True, "ok"


def human(n: float | None) -> str:
    """catalogue.human_size, with '?' for a size the host did not state."""
    from helpers.datasets.catalogue import human_size

    return "?" if n is None else human_size(n)


def run(sources: list[Source], timeout: float = 15.0, sample: int = 1, head: bool = False,
        workers: int = 8, out=None) -> list[tuple[Source, Result, bool, str]]:  # noqa: ANN001
    """Check every source (a few at a time), print one line each in order; return the rows."""
    out = out or sys.stdout
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda s: check(s, timeout, sample, head), sources))
    rows = []
    width = min(40, max([len(s.name) for s in sources] + [4]))  # longer names push their line out
    print(f"{'name':{width}s}  {'HTTP':>4s}  {'size':>9s}  {'expected':>9s}  {'time':>6s}  verdict / URL", file=out)
    for src, res in zip(sources, results):
        ok, phrase = verdict(src, res)
        if res.rate is not None:
            phrase += f"; {human(res.rate)}/s"
            if res.size:
                phrase += f", whole file in ~{res.size / res.rate / 60:.0f} min at this rate"
        if src.note:
            phrase += f" [{src.note}]"
        status = str(res.status) if res.status is not None else "-"
        print(f"{src.name:{width}s}  {status:>4s}  {human(res.size):>9s}  {human(src.size):>9s}  "
              f"{res.seconds:5.1f}s  {'' if ok else '!! '}{phrase}\n{'':{width}s}  {src.url}", file=out)
        rows.append((src, res, ok, phrase))
    good = sum(r[2] for r in rows)
    print(f"{good} of {len(rows)} sources answer as expected", file=out)
    return rows


def selected(name: str, key: str) -> bool:
    """``--only`` matching: the name itself, a group (``keras``, ``fashion_mnist``), or a TFDS dataset's name."""
    return name == key or name.startswith(key.rstrip("/") + "/") or name == f"tfds/{key}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check every download source of the course (one small request each).")
    parser.add_argument("--only", default="", help="comma-separated names to keep: manifest rows, groups (keras, fashion_mnist) or TFDS "
                             "datasets (e.g. cifar10,lfw)")
    parser.add_argument("--no-tfds", action="store_true", help="skip the TFDS datasets' sources")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for each answer (default 15)")
    parser.add_argument("--sample", type=int, default=1,
                        help="bytes to read from each source; > 1 also prints the rate and the whole file's time")
    parser.add_argument("--head", action="store_true", help="send HEAD requests instead of one-byte GETs")
    parser.add_argument("--workers", type=int, default=8, help="checks at a time (default 8)")
    args = parser.parse_args(argv)
    sources = manifest_sources() + ([] if args.no_tfds else tfds_sources())
    keep = [k.strip() for k in args.only.split(",") if k.strip()]
    if keep:
        sources = [s for s in sources if any(selected(s.name, k) for k in keep)]
    if not sources:
        print("no source matches --only", file=sys.stderr)
        return 2
    from helpers.download import mirror_base

    base = mirror_base()
    if base:
        print(f"DLCV_MIRROR={os.environ.get('DLCV_MIRROR')}: checking the mirror {base}")
        sources = through_mirror(sources, base)
    rows = run(sources, args.timeout, args.sample, args.head, args.workers)
    return 0 if all(r[2] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
