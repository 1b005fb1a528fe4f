"""The one download path: cache, checksum, atomic write, locks, extraction, DownloadError.

``fetch`` writes to ``.<name>.part`` in the cache folder, checks the size and the sha256, then
renames it into place, so the cache never holds a half-written file.  A transfer that breaks off is
retried a few times (with backoff), each time resuming the ``.part`` file with an HTTP Range request;
one killed outright is resumed by the next fetch.  Concurrent fetches of the same file (threads or
processes) are serialised by ``filelock`` on ``.<name>.lock`` next to the target.  A verified file
gets a marker ``.<name>.sha256`` (digest, size, mtime), so a cache hit does not hash it again.

Nothing here knows a dataset: the URLs and digests live in ``helpers.datasets.catalogue``.

``DLCV_MIRROR`` (a base URL such as ``http://classroom:8000/dlcv``, or a folder) sends every download
to a mirror first, at ``<mirror>/<host>/<path of the original URL>`` (the layout ``make mirror``
writes), with the same checksum checks; a file the mirror lacks is an error that names it.
``DLCV_DIGESTS`` names a digest registry in ``sha256sum``'s format (``<sha256>  <mirror path or URL>``
per line); a digest listed there is the one a file must have (see ``registered_digest``).
TFDS datasets go through ``helpers.tfds_loader.load_tfds``; archive safety is ``helpers.archives``.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.client import HTTPException
from pathlib import Path, PurePosixPath
from typing import Any


from helpers.archives import atomic_folder, safe_extract  # noqa: F401 (re-exported)
from helpers.config import default_data_dir

_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")
_MARKER = ".dlcv-complete"
_CHUNK = 1 << 20

PROBE_TIMEOUT = 8.0
LOCK_TIMEOUT = 6 * 3600.0  # s: how long a fetch waits for another process downloading the same file
RETRIES = 3                # extra attempts after a transfer breaks off (or HTTP 429/5xx)
RETRY_DELAY = 2.0          # s before the first retry, doubled for each next one


# ---------------------------------------------------------------- errors

class DownloadError(RuntimeError):
    """A download failed (offline, HTTP error, truncated, wrong checksum); the message says the way out."""

    def __init__(self, message: str, *, dataset: str | None = None, url: str | None = None,
                 path: Path | str | None = None) -> None:
        super().__init__(message)
        self.dataset, self.url, self.path = dataset, url, path

    def _render_traceback_(self) -> list[str]:
        """IPython hook: print only the message, not a traceback."""
        lines = str(self).splitlines() or [""]
        return [f"{type(self).__name__}: {lines[0]}", *lines[1:]]


def mirror_base() -> str | None:
    """``DLCV_MIRROR`` as a base URL without the trailing slash (a folder becomes a file:// URL), or None."""
    value = os.environ.get("DLCV_MIRROR", "").strip()
    if not value:
        return None
    if urllib.parse.urlparse(value).scheme in {"http", "https", "file"}:
        return value.rstrip("/")
    return Path(value).expanduser().resolve().as_uri()


def mirror_path(url: str) -> str:
    """Where ``url`` lives inside a mirror: ``<host>/<path>`` (query and fragment dropped)."""
    parts = urllib.parse.urlparse(url)
    path = PurePosixPath(urllib.parse.unquote(parts.path)).as_posix().lstrip("/")
    if not parts.netloc or not path or ".." in PurePosixPath(path).parts:
        raise ValueError(f"cannot mirror {url!r}: expected a URL with a host and a file path")
    return f"{parts.netloc}/{path}"


def _mirrored(url: str, base: str) -> str:
    return f"{base}/{urllib.parse.quote(mirror_path(url))}"


def _mirror_error(dataset: str, url: str, source: str, base: str, target: Path, reason: object,
                  missing: bool) -> DownloadError:
    if missing:
        head = (f"The mirror {base} has no {mirror_path(url)} ({dataset}; its original URL is {url}): {reason}\n"
                f"Way out: add the file to the mirror (make mirror DEST=...), or unset DLCV_MIRROR to download "
                f"from the original URL, or set DLCV_SMOKE=1 for the offline smoke data")
    else:
        head = (f"Could not reach the mirror {base} for {mirror_path(url)} ({dataset}; original URL {url}): "
                f"{reason}\nWay out: start the mirror or fix DLCV_MIRROR, unset it to download from the "
                f"original URL, or set DLCV_SMOKE=1 for the offline smoke data")
    return DownloadError(f"{head}\nCache path: {target}", dataset=dataset, url=source, path=target)


def _way_out(path: Path) -> str:
    return f"Way out: set DLCV_SMOKE=1 for the offline smoke data, or put the file at {path}"


def _offline_error(dataset: str, url: str, path: Path, reason: object) -> DownloadError:
    return DownloadError(
        f"Could not download {dataset} from {url}: {reason}\n"
        f"Cache path: {path}\n{_way_out(path)}", dataset=dataset, url=url, path=path)


# ---------------------------------------------------------------- digest registries

SUMS_NAME = "SHA256SUMS"
_MIRROR_SUMS: dict[str, dict[str, str]] = {}


def parse_sums(text: str) -> dict[str, str]:
    """``sha256sum`` output (``<hex>  <path>``, or ``<hex> *<path>``) as {path: hex}; blanks and # lines skipped."""
    sums = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        digest, _, path = line.partition(" ")
        path = path.strip().lstrip("*")
        if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest) or not path:
            raise ValueError(f"line {number} is not '<sha256>  <path>': {line!r}")
        sums[path] = digest.lower()
    return sums


def format_sums(sums: dict[str, str]) -> str:
    """{path: hex} in ``sha256sum``'s format (``sha256sum -c`` in the folder checks it), sorted by path."""
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(sums.items()))


def _mirror_sums(base: str) -> dict[str, str]:
    """``<mirror>/SHA256SUMS`` (what ``make mirror`` writes), or {} when the mirror has none."""
    if base not in _MIRROR_SUMS:
        try:
            with urllib.request.urlopen(f"{base}/{SUMS_NAME}", timeout=PROBE_TIMEOUT) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            if e.code == 404:
                _MIRROR_SUMS[base] = {}  # a mirror without the list: nothing to check against
            return {}
        except (urllib.error.URLError, HTTPException, OSError, UnicodeDecodeError):
            return {}  # unreachable or absent: the download itself reports the mirror's state
        _MIRROR_SUMS[base] = parse_sums(text)
    return _MIRROR_SUMS[base]


def registered_digest(url: str) -> str | None:
    """The sha256 a digest registry gives for ``url`` (by its mirror path ``<host>/<path>`` or the URL itself).

    Registries, first match wins: the file named by ``DLCV_DIGESTS``, then ``<DLCV_MIRROR>/SHA256SUMS``.
    A registered digest overrides the catalogue's: it describes the files this classroom actually serves.
    """
    try:
        keys: tuple[str, ...] = (mirror_path(url), url)
    except ValueError:  # a file:// URL has no host
        keys = (url,)
    path = os.environ.get("DLCV_DIGESTS", "").strip()
    if path:
        try:
            sums = parse_sums(Path(path).expanduser().read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise DownloadError(f"DLCV_DIGESTS={path} cannot be read as a digest registry: {e}\n"
                                f"Way out: fix the file (lines '<sha256>  <host>/<path>') or unset DLCV_DIGESTS",
                                path=path) from None
        for key in keys:
            if key in sums:
                return sums[key]
    base = mirror_base()
    if base is not None:
        sums = _mirror_sums(base)
        for key in keys:
            if key in sums:
                return sums[key]
    return None


# ---------------------------------------------------------------- files and locks

def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_plain_name(kind: str, name: str) -> None:
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\0" in name:
        raise ValueError(f"{kind} must be a plain file name, got {name!r}")


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold ``filelock``'s exclusive lock on ``lock_path`` (threads and processes; Windows too).

    Where the filesystem has no ``flock`` (some network mounts), a ``SoftFileLock`` (a lock file that
    exists while held) takes its place.  The lock file itself stays: removing it on release would race.
    """
    from filelock import FileLock, SoftFileLock, Timeout

    lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT)
    try:
        try:
            lock.acquire()
        except NotImplementedError:  # filelock < 4 on a filesystem without flock
            lock = SoftFileLock(f"{lock_path}.soft", timeout=LOCK_TIMEOUT)
            lock.acquire()
    except Timeout:
        raise DownloadError(f"Waited {LOCK_TIMEOUT:.0f} s for another download of the same file to finish "
                            f"(lock {lock_path}).\nWay out: if no other notebook or process is downloading it, "
                            f"delete {lock_path} and run again", path=lock_path) from None
    try:
        yield
    finally:
        lock.release()


def _remove_stale(folder: Path, name: str) -> None:
    """Remove what a killed earlier run left of ``name``: ``.<name>.<32 hex>.part`` files and
    ``.<name>.<32 hex>.extracting`` folders (never another file's, never the resumable ``.<name>.part``);
    call under the lock of ``name``."""
    pattern = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{32}}\.(part|extracting)")
    for p in folder.iterdir():
        if not pattern.fullmatch(p.name):
            continue
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


# ---------------------------------------------------------------- download

class _DropAuthElsewhere(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but send the Authorization header only to the host and scheme it was meant for:
    never to another host (Kaggle answers with a signed storage URL elsewhere), never over a downgrade
    from https to http."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN202
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        old, to = urllib.parse.urlparse(req.full_url), urllib.parse.urlparse(newurl)
        if new is not None and (to.netloc != old.netloc or (old.scheme == "https" and to.scheme != "https")):
            new.remove_header("Authorization")
        return new


class _Interrupted(Exception):
    """A transfer that broke off (or a server error worth retrying); the .part file is kept for a resume."""


def _transfer(url: str, part: Path, *, target: Path, timeout: float, progress: bool,
              headers: dict[str, str] | None) -> tuple[str, int, int | None]:
    """One attempt: continue ``part`` from its size (HTTP Range) or start it; return (sha256, bytes, expected).

    Raises _Interrupted when the bytes stop coming, urllib's errors when there is no answer at all.
    """
    from tqdm.auto import tqdm

    have = part.stat().st_size if part.is_file() else 0
    extra = {"Range": f"bytes={have}-"} if have and urllib.parse.urlparse(url).scheme in {"http", "https"} else {}
    request = urllib.request.Request(url, headers={"User-Agent": "dlcv-helpers", **(headers or {}), **extra})
    opener = urllib.request.build_opener(_DropAuthElsewhere)
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416:  # the part is already whole (or the file changed): start again
            part.unlink(missing_ok=True)
            raise _Interrupted("HTTP 416 for the resumed range") from None
        if e.code == 429 or e.code >= 500:
            raise _Interrupted(f"HTTP {e.code} {e.reason}") from e
        raise
    with response:
        resumed = bool(extra) and response.status == 206
        digest = hashlib.sha256()
        if resumed:
            with open(part, "rb") as f:
                for chunk in iter(lambda: f.read(_CHUNK), b""):
                    digest.update(chunk)
        else:
            have = 0
        length = response.headers.get("Content-Length")
        expected = have + int(length) if length and length.isdigit() else None
        received = have
        try:
            with open(part, "ab" if resumed else "wb") as out, \
                    tqdm(total=expected, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
                         desc=target.name, disable=not progress, leave=False) as bar:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
        except (HTTPException, socket.timeout, ConnectionError) as e:
            raise _Interrupted(f"the transfer broke off after {received} bytes ({e or type(e).__name__})") from e
    if expected is not None and received != expected:
        raise _Interrupted(f"truncated: got {received} of {expected} bytes")
    return digest.hexdigest(), received, expected


def _download(url: str, part: Path, *, dataset: str, target: Path, timeout: float, progress: bool,
              headers: dict[str, str] | None = None, refused_hint: str = "", raw_errors: bool = False) -> str:
    """Stream ``url`` into ``part`` (resuming it), retrying a broken transfer; return the sha256.

    This is the only place in ``helpers`` that reads bytes from the network.  Raises DownloadError;
    ``raw_errors``: let connection and HTTP errors through, for the caller to explain (a mirror).
    A failure to connect at all is not retried, so that being offline fails in seconds.
    """
    for attempt in range(RETRIES + 1):
        try:
            return _transfer(url, part, target=target, timeout=timeout, progress=progress, headers=headers)[0]
        except _Interrupted as e:
            reason = e
            if attempt < RETRIES:
                time.sleep(RETRY_DELAY * 2 ** attempt)
        except urllib.error.HTTPError as e:
            if raw_errors:
                raise
            hint = f"\n{refused_hint}" if refused_hint and e.code in (401, 403) else ""
            raise DownloadError(
                f"Could not download {dataset} from {url}: HTTP {e.code} {e.reason}{hint}\n"
                f"Cache path: {target}\n{_way_out(target)}", dataset=dataset, url=url, path=target) from None
        except (urllib.error.URLError, HTTPException, socket.timeout, OSError) as e:
            if raw_errors:
                raise
            raise _offline_error(dataset, url, target, getattr(e, "reason", None) or e) from None
    kept = part.stat().st_size if part.is_file() else 0
    raise DownloadError(
        f"Download of {dataset} from {url} failed {RETRIES + 1} times: {reason}.\n"
        f"The {kept} bytes received are kept in {part.name}; the next call resumes from there.\n"
        f"Cache path: {target}\n{_way_out(target)}", dataset=dataset, url=url, path=target)


def _fetch_file(url: str, target: Path, sha256: str | None, dataset: str, timeout: float,
                progress: bool, headers: dict[str, str] | None = None, refused_hint: str = "") -> str:
    """Download into ``target`` via ``.<name>.part``, verified; return its sha256.  Call under the lock.

    With ``DLCV_MIRROR`` set the bytes come from the mirror (not for requests that carry credentials).
    A failed transfer keeps the part for a resume; an HTTP error or a wrong checksum discards it.
    """
    base = mirror_base() if not headers else None
    source = _mirrored(url, base) if base else url
    part = target.parent / f".{target.name}.part"
    try:
        actual = _download(source, part, dataset=dataset, target=target, timeout=timeout, progress=progress,
                           headers=headers, refused_hint=refused_hint, raw_errors=base is not None)
    except urllib.error.HTTPError as e:
        part.unlink(missing_ok=True)
        raise _mirror_error(dataset, url, source, base, target, f"HTTP {e.code} {e.reason}",
                            missing=e.code == 404) from None
    except (urllib.error.URLError, HTTPException, socket.timeout, OSError) as e:
        reason = getattr(e, "reason", None) or e
        missing = isinstance(reason, FileNotFoundError) or isinstance(e, FileNotFoundError)
        raise _mirror_error(dataset, url, source, base, target, reason, missing=missing) from None
    if sha256 is not None and actual != sha256.lower():
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"Checksum mismatch for {dataset} from {source}: expected sha256 {sha256.lower()}, "
            f"got {actual}. The download was discarded.\nCache path: {target}\n{_way_out(target)}",
            dataset=dataset, url=source, path=target)
    os.replace(part, target)
    _remember_digest(target, actual)
    return actual


def _digest_marker(target: Path) -> Path:
    return target.parent / f".{target.name}.sha256"


def _remember_digest(target: Path, digest: str) -> None:
    """Write ``.<name>.sha256``: the digest with the size and mtime it belongs to."""
    st = target.stat()
    _digest_marker(target).write_text(f"{digest} {st.st_size} {st.st_mtime_ns}\n")


def known_sha256(target: str | os.PathLike) -> str:
    """The sha256 of ``target``, from its marker ``.<name>.sha256`` while size and mtime are unchanged, else
    hashed (and remembered)."""
    target = Path(target)
    st = target.stat()
    try:
        digest, size, mtime = _digest_marker(target).read_text().split()
        if int(size) == st.st_size and int(mtime) == st.st_mtime_ns:
            return digest
    except (OSError, ValueError):
        pass
    digest = sha256_of(target)
    _remember_digest(target, digest)
    return digest


def _cached_digest(target: Path, sha256: str | None) -> str | None:
    """The sha256 of a usable cached ``target``, or None; a file not matching ``sha256`` is deleted."""
    if not target.is_file():
        return None
    digest = known_sha256(target)
    if sha256 is None or digest == sha256.lower():
        return digest
    target.unlink()
    _digest_marker(target).unlink(missing_ok=True)
    return None


def _archive_stem(name: str) -> str:
    for suffix in _ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    raise ValueError(f"cannot extract {name!r}: expected one of {', '.join(_ARCHIVE_SUFFIXES)}")


def fetch(url: str, *, fname: str | None = None, sha256: str | None = None,
          cache_dir: str | os.PathLike | None = None, subdir: str | None = None,
          dataset: str | None = None, extract: bool = False, timeout: float = 20.0,
          progress: bool = True, headers: dict[str, str] | None = None, refused_hint: str = "") -> Path:
    """Download ``url`` once into the cache (verified, atomic) and return its path, or its extracted folder.

    A cached file whose sha256 matches is returned without touching the network (its digest is kept
    in a marker, so it is not hashed again); a corrupt one is downloaded again.  A digest registry
    (``registered_digest``) overrides ``sha256``.  Failures raise DownloadError; only a transfer that
    broke off leaves its ``.part`` file, which the next call resumes.
    ``headers`` go with the request (an ``Authorization`` header only to ``url``'s own host, never
    to a redirect elsewhere); ``refused_hint`` is added to the error of an HTTP 401 or 403.
    Without a published ``sha256`` the caller checks what it got (size here, layout after extraction).
    """
    if not isinstance(url, str) or urllib.parse.urlparse(url).scheme not in {"http", "https", "ftp", "file"}:
        raise ValueError(f"url must be an http(s)/ftp/file URL, got {url!r}")
    fname = fname or PurePosixPath(urllib.parse.urlparse(url).path).name
    _check_plain_name("fname", fname)
    if sha256 is not None and (len(sha256) != 64 or any(c not in "0123456789abcdefABCDEF" for c in sha256)):
        raise ValueError(f"sha256 must be 64 hex digits or None, got {sha256!r}")
    if not timeout or timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
    sha256 = registered_digest(url) or sha256
    folder = Path(cache_dir) if cache_dir is not None else default_data_dir()
    if subdir:
        if Path(subdir).is_absolute() or ".." in Path(subdir).parts:
            raise ValueError(f"subdir must be a relative folder inside the cache, got {subdir!r}")
        folder = folder / subdir
    stem = _archive_stem(fname) if extract else None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / fname
    dataset = dataset or fname
    with _locked(folder / f".{fname}.lock"):
        _remove_stale(folder, fname)
        digest = _cached_digest(target, sha256)
        if digest is None:
            digest = _fetch_file(url, target, sha256, dataset, timeout, progress, headers, refused_hint)
        if stem is None:
            return target
        return _extract_once(target, folder / stem, digest)


def fetch_first(urls: list[str] | tuple[str, ...], *, fname: str | None = None, sha256: str | None = None,
                dataset: str | None = None, **kw: Any) -> Path:
    """``fetch`` from the first of several byte-identical sources that answers and verifies.

    Every source is held to the same digest (a registry's digest for the first URL, else ``sha256``) and
    lands in the same cache file (``fname``, by default the first URL's file name); a cached file is used
    without asking any of them.  When none works, the DownloadError lists each source with its reason.
    """
    urls = list(urls)
    if not urls:
        raise ValueError("fetch_first needs at least one URL")
    fname = fname or PurePosixPath(urllib.parse.urlparse(urls[0]).path).name
    if len(urls) == 1:
        return fetch(urls[0], fname=fname, sha256=sha256, dataset=dataset, **kw)
    pinned = registered_digest(urls[0]) or sha256
    tried, last = [], None
    for url in urls:
        try:
            return fetch(url, fname=fname, sha256=pinned, dataset=dataset, **kw)
        except DownloadError as e:
            last = e
            tried.append(f"  {url}: {str(e).splitlines()[0]}")
    assert last is not None
    name = dataset or fname
    raise DownloadError(
        f"Could not download {name} from any of its {len(urls)} sources (tried in this order):\n"
        + "\n".join(tried) + f"\nCache path: {last.path}\n{_way_out(Path(str(last.path)))}",
        dataset=name, url=urls[0], path=last.path)


# ---------------------------------------------------------------- archives

def extract(archive: str | os.PathLike, dest: str | os.PathLike | None = None) -> Path:
    """Extract ``archive`` once into ``dest`` (default: beside it, named by its stem), holding its lock.

    For archives inside an archive (a ``train.zip`` in a competition's zip): extracted atomically, and
    again only when the archive changed.
    """
    archive = Path(archive)
    dest = Path(dest) if dest is not None else archive.parent / _archive_stem(archive.name)
    with _locked(archive.parent / f".{archive.name}.lock"):
        _remove_stale(archive.parent, archive.name)
        return _extract_once(archive, dest, known_sha256(archive))


def _extract_once(archive: Path, dest: Path, digest: str) -> Path:
    """Extract ``archive`` (sha256 ``digest``) into ``dest`` unless done (marker file); atomic via a temp folder."""
    marker = dest / _MARKER
    if marker.is_file() and marker.read_text().strip() == digest:
        return dest
    with atomic_folder(dest, prefix=archive.name) as tmp:
        safe_extract(archive, tmp)
        (tmp / _MARKER).write_text(digest + "\n")
    return dest


def _data_dir(data_dir: str | os.PathLike | None) -> Path:
    return Path(data_dir) if data_dir is not None else default_data_dir()

