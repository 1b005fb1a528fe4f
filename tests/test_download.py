"""helpers.download: fetch against a local HTTP server (cache, checksum, faults, locks), safe extraction, TFDS.

Every network test talks to a server on 127.0.0.1 started here; nothing leaves the machine.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import threading
import time
import types
from pathlib import Path

import pytest

from tests.fakes import listing, make_tar, make_zip, sha
from helpers import download as D
from helpers.tfds_loader import load_tfds
from helpers.datasets import catalogue as C
from helpers.datasets import load_cats_vs_dogs
from tests.localserver import LocalServer, closed_port_url

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("isolated_data_dir")


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(D, "RETRY_DELAY", 0.01)


def test_fetch_good_file_then_cache_without_network(server: LocalServer, cache: Path) -> None:
    body = os.urandom(50_000)
    url = server.add("/files/good.bin", body)
    path = D.fetch(url, sha256=sha(body), cache_dir=cache, progress=False)
    assert path == cache / "good.bin" and path.read_bytes() == body
    assert D.sha256_of(path) == sha(body)
    again = D.fetch(url, sha256=sha(body), cache_dir=cache, progress=False)
    assert again == path and server.hits("/files/good.bin") == 1
    assert listing(cache) == {"good.bin"}


def test_fetch_fname_subdir_and_no_checksum(server: LocalServer, cache: Path) -> None:
    url = server.add("/a/b/data.txt", b"hello")
    path = D.fetch(url, fname="renamed.txt", subdir="sub", cache_dir=cache, progress=False)
    assert path == cache / "sub" / "renamed.txt" and path.read_bytes() == b"hello"
    D.fetch(url, fname="renamed.txt", subdir="sub", cache_dir=cache, progress=False)
    assert server.hits("/a/b/data.txt") == 1
    assert listing(cache / "sub") == {"renamed.txt"}


def test_fetch_defaults_to_dlcv_data_dir(server: LocalServer, tmp_path: Path) -> None:
    url = server.add("/d.bin", b"abc")
    assert D.fetch(url, progress=False) == tmp_path / "default-data" / "d.bin"


def test_corrupt_cached_file_is_replaced(server: LocalServer, cache: Path) -> None:
    body = b"the right bytes" * 100
    url = server.add("/c.bin", body)
    cache.mkdir()
    (cache / "c.bin").write_bytes(b"garbage")
    path = D.fetch(url, sha256=sha(body), cache_dir=cache, progress=False)
    assert path.read_bytes() == body and server.hits("/c.bin") == 1
    assert listing(cache) == {"c.bin"}


def test_stale_part_file_from_a_killed_run_is_removed(server: LocalServer, cache: Path) -> None:
    url = server.add("/s.bin", b"fresh")
    cache.mkdir()
    (cache / f".s.bin.{'d' * 32}.part").write_bytes(b"half")          # a killed run of an older version
    (cache / f".s.bin.{'e' * 32}.extracting").mkdir()                   # a killed extraction
    (cache / f".s.bin.tar.gz.{'f' * 32}.part").write_bytes(b"other")  # another file's: not ours to remove
    assert D.fetch(url, cache_dir=cache, progress=False).read_bytes() == b"fresh"
    assert listing(cache) == {"s.bin", f".s.bin.tar.gz.{'f' * 32}.part"}


# ---------------------------------------------------------------- fetch: failures leave nothing

@pytest.mark.parametrize("status", [404, 500])
def test_http_errors(server: LocalServer, cache: Path, status: int) -> None:
    url = server.add("/err.bin", status=status)
    with pytest.raises(D.DownloadError, match=f"HTTP {status}") as info:
        D.fetch(url, cache_dir=cache, dataset="Errorset", progress=False)
    message = str(info.value)
    assert "Errorset" in message and url in message and str(cache / "err.bin") in message
    assert "DLCV_SMOKE=1" in message
    assert listing(cache) == set()


def test_truncated_transfer_is_retried_then_kept_for_a_resume(server: LocalServer, cache: Path) -> None:
    body = os.urandom(10_000)
    url = server.add("/t.bin", body, length=len(body) + 5_000, ranges=False)
    with pytest.raises(D.DownloadError, match="failed 4 times: truncated: got 10000 of 15000 bytes") as info:
        D.fetch(url, cache_dir=cache, progress=False)
    assert "the next call resumes" in str(info.value)
    assert server.hits("/t.bin") == 1 + D.RETRIES  # bounded
    assert listing(cache) == {".t.bin.part"} and (cache / ".t.bin.part").read_bytes() == body
    whole = body + os.urandom(5_000)
    server.add("/t.bin", whole)  # the server is fixed: the next call asks only for the missing bytes
    assert D.fetch(url, sha256=sha(whole), cache_dir=cache, progress=False).read_bytes() == whole
    assert server.ranges[-1] == ("/t.bin", "bytes=10000-")
    assert listing(cache) == {"t.bin"}


def test_a_transfer_that_breaks_off_resumes_from_where_it_stopped(server: LocalServer, cache: Path) -> None:
    body = os.urandom(80_000)
    url = server.add("/r.bin", body, cut=2)
    assert D.fetch(url, sha256=sha(body), cache_dir=cache, progress=False).read_bytes() == body
    asked = [r for p, r in server.ranges if p == "/r.bin"]
    assert asked == [None, "bytes=40000-", "bytes=60000-"]  # each retry continued the .part file
    assert listing(cache) == {"r.bin"}


def test_a_server_that_ignores_ranges_gets_a_fresh_download(server: LocalServer, cache: Path) -> None:
    body = os.urandom(30_000)
    url = server.add("/n.bin", body, cut=1, ranges=False)
    assert D.fetch(url, sha256=sha(body), cache_dir=cache, progress=False).read_bytes() == body
    assert server.hits("/n.bin") == 2


def test_server_errors_are_retried_with_backoff(server: LocalServer, cache: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    waits = []
    monkeypatch.setattr(D, "time", types.SimpleNamespace(sleep=waits.append))
    url = server.add("/busy.bin", b"ok", errors=[503, 502])
    assert D.fetch(url, cache_dir=cache, progress=False).read_bytes() == b"ok"
    assert server.hits("/busy.bin") == 3 and waits == [D.RETRY_DELAY, 2 * D.RETRY_DELAY]


def test_a_refusal_is_not_retried(server: LocalServer, cache: Path) -> None:
    url = server.add("/no.bin", status=403)
    with pytest.raises(D.DownloadError, match="HTTP 403"):
        D.fetch(url, cache_dir=cache, progress=False)
    assert server.hits("/no.bin") == 1


def test_credentials_never_follow_a_downgrade_or_another_host() -> None:
    import urllib.request

    handler = D._DropAuthElsewhere()

    def follow(old: str, new: str) -> str | None:
        req = urllib.request.Request(old, headers={"Authorization": "Bearer secret"})
        return handler.redirect_request(req, None, 302, "Found", {}, new).get_header("Authorization")

    assert follow("https://www.kaggle.com/a", "https://www.kaggle.com/b") == "Bearer secret"
    assert follow("http://127.0.0.1:8/a", "https://127.0.0.1:8/b") == "Bearer secret"  # an upgrade is fine
    assert follow("https://www.kaggle.com/a", "http://www.kaggle.com/b") is None      # downgrade
    assert follow("https://www.kaggle.com/a", "https://storage.example/b") is None   # another host


def test_a_cache_hit_is_not_hashed_again_until_the_file_changes(server: LocalServer, cache: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    body = os.urandom(20_000)
    url = server.add("/h.bin", body)
    path = D.fetch(url, sha256=sha(body), cache_dir=cache, progress=False)
    hashed = []
    real = D.sha256_of
    monkeypatch.setattr(D, "sha256_of", lambda p: hashed.append(p) or real(p))
    assert D.fetch(url, sha256=sha(body), cache_dir=cache, progress=False) == path
    assert hashed == []  # the marker .h.bin.sha256 vouched for it
    path.write_bytes(body[:-1] + b"\0")  # changed behind our back (same size, new mtime)
    assert D.fetch(url, sha256=sha(body), cache_dir=cache, progress=False).read_bytes() == body
    assert hashed == [path] and server.hits("/h.bin") == 2  # hashed, found corrupt, downloaded again


def test_a_digest_registry_overrides_the_catalogue(server: LocalServer, cache: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    body = b"the classroom's own file"
    url = server.add("/files/reg.bin", body)
    registry = tmp_path / "SHA256SUMS"
    registry.write_text(f"# pinned by the instructor\n{sha(body)}  {D.mirror_path(url)}\n")
    monkeypatch.setenv("DLCV_DIGESTS", str(registry))
    assert D.registered_digest(url) == sha(body) and D.registered_digest(url + "x") is None
    assert D.fetch(url, sha256="0" * 64, cache_dir=cache, progress=False).read_bytes() == body
    registry.write_text(f"{'1' * 64} *{url}\n")  # sha256sum's binary-mode marker, keyed by the URL itself
    with pytest.raises(D.DownloadError, match="Checksum mismatch"):
        D.fetch(url, cache_dir=tmp_path / "other", progress=False)
    registry.write_text("not a digest line\n")
    with pytest.raises(D.DownloadError, match="DLCV_DIGESTS.*line 1"):
        D.fetch(url, cache_dir=tmp_path / "third", progress=False)


def test_a_mirrors_sha256sums_is_checked(server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://data.example.org/sets/m.bin"
    mirror = tmp_path / "mirror"
    (mirror / "data.example.org" / "sets").mkdir(parents=True)
    (mirror / D.mirror_path(url)).write_bytes(b"tampered")
    (mirror / D.SUMS_NAME).write_text(D.format_sums({D.mirror_path(url): sha(b"original")}))
    monkeypatch.setenv("DLCV_MIRROR", str(mirror))
    with pytest.raises(D.DownloadError, match=f"Checksum mismatch.*expected sha256 {sha(b'original')}"):
        D.fetch(url, cache_dir=tmp_path / "cache", progress=False)
    (mirror / D.mirror_path(url)).write_bytes(b"original")
    assert D.fetch(url, cache_dir=tmp_path / "cache", progress=False).read_bytes() == b"original"


def test_wrong_checksum_names_both_digests(server: LocalServer, cache: Path) -> None:
    body = b"payload"
    url = server.add("/w.bin", body)
    wrong = "0" * 64
    with pytest.raises(D.DownloadError) as info:
        D.fetch(url, sha256=wrong, cache_dir=cache, progress=False)
    assert wrong in str(info.value) and sha(body) in str(info.value)
    assert "expected sha256" in str(info.value)
    assert listing(cache) == set()


@pytest.mark.parametrize("make_url", [closed_port_url, lambda: "http://nonexistent.invalid/mnist.npz"],
                         ids=["closed-port", "unresolvable-host"])
def test_offline_fails_fast_with_the_way_out(cache: Path, make_url) -> None:  # noqa: ANN001
    url = make_url()
    start = time.monotonic()
    with pytest.raises(D.DownloadError) as info:
        D.fetch(url, cache_dir=cache, dataset="MNIST", timeout=3.0, progress=False)
    assert time.monotonic() - start < 5.0
    message = str(info.value)
    target = cache / url.rsplit("/", 1)[1]
    for part in ("MNIST", url, str(target), "DLCV_SMOKE=1", f"put the file at {target}"):
        assert part in message
    assert info.value.dataset == "MNIST" and info.value.url == url and info.value.path == target
    assert listing(cache) == set()


def test_download_error_renders_only_the_message() -> None:
    err = D.DownloadError("first line\nsecond line", dataset="x")
    assert err._render_traceback_() == ["DownloadError: first line", "second line"]
    assert isinstance(err, RuntimeError)


@pytest.mark.parametrize("kwargs", [
    {"url": "not a url"}, {"url": "http://h/", "fname": None}, {"url": "http://h/x", "fname": "../x"},
    {"url": "http://h/x", "sha256": "abc"}, {"url": "http://h/x", "subdir": "../up"},
    {"url": "http://h/x", "timeout": 0}, {"url": "http://h/x.bin", "extract": True},
])
def test_fetch_rejects_bad_arguments(cache: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        D.fetch(cache_dir=cache, progress=False, **kwargs)


# ---------------------------------------------------------------- fetch: concurrency

def test_concurrent_fetches_in_threads(server: LocalServer, cache: Path) -> None:
    body = os.urandom(200_000)
    url = server.add("/big.bin", body, delay=0.02)
    results, errors = [], []

    def worker() -> None:
        try:
            results.append(D.fetch(url, sha256=sha(body), cache_dir=cache, progress=False))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [cache / "big.bin"] * 4
    assert (cache / "big.bin").read_bytes() == body
    assert server.hits("/big.bin") == 1  # the others waited on the lock, then found the file
    assert listing(cache) == {"big.bin"}  # no .part left


def test_concurrent_fetches_in_processes(server: LocalServer, cache: Path) -> None:
    body = os.urandom(100_000)
    url = server.add("/p.bin", body, delay=0.02)
    code = ("import sys; from helpers.download import fetch; "
            "print(fetch(sys.argv[1], sha256=sys.argv[2], cache_dir=sys.argv[3], progress=False))")
    procs = [subprocess.Popen([sys.executable, "-c", code, url, sha(body), str(cache)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert {out.strip() for out, _ in outputs} == {str(cache / "p.bin")}
    assert (cache / "p.bin").read_bytes() == body
    assert server.hits("/p.bin") == 1  # the lock made the others wait and reuse the file
    assert listing(cache) == {"p.bin"}


# ---------------------------------------------------------------- archives

@pytest.mark.parametrize("name, build", [
    ("pack.tar.gz", lambda m: make_tar(m)),
    ("pack.zip", make_zip),
])
def test_fetch_extracts_once(server: LocalServer, cache: Path, monkeypatch: pytest.MonkeyPatch,
                             name: str, build) -> None:  # noqa: ANN001
    members = {"pack/a.txt": b"alpha", "pack/sub/b.txt": b"beta"}
    body = build(members)
    url = server.add("/" + name, body)
    folder = D.fetch(url, sha256=sha(body), cache_dir=cache, extract=True, progress=False)
    assert folder == cache / "pack"
    assert (folder / "pack" / "a.txt").read_bytes() == b"alpha"
    assert (folder / "pack" / "sub" / "b.txt").read_bytes() == b"beta"
    assert listing(cache) == {name, "pack"}

    def boom(*args: object) -> None:
        raise AssertionError("extracted a second time")

    monkeypatch.setattr(D, "safe_extract", boom)
    assert D.fetch(url, sha256=sha(body), cache_dir=cache, extract=True, progress=False) == folder
    assert server.hits("/" + name) == 1
    assert listing(cache) == {name, "pack"}


def test_reextracts_when_the_archive_changed(server: LocalServer, cache: Path) -> None:
    url = server.add("/v.tar.gz", make_tar({"f.txt": b"one"}))
    folder = D.fetch(url, cache_dir=cache, extract=True, progress=False)
    assert (folder / "f.txt").read_bytes() == b"one"
    (cache / "v.tar.gz").unlink()
    server.add("/v.tar.gz", make_tar({"f.txt": b"two"}))
    folder = D.fetch(url, cache_dir=cache, extract=True, progress=False)
    assert (folder / "f.txt").read_bytes() == b"two"
    assert listing(cache) == {"v.tar.gz", "v"}


BAD_ARCHIVES = {
    "tar-dotdot": ("evil.tar.gz", lambda: make_tar({"ok.txt": b"1", "../escaped.txt": b"x"}), "../escaped.txt"),
    "zip-dotdot": ("evil.zip", lambda: make_zip({"ok.txt": b"1", "a/../../escaped.txt": b"x"}), "a/../../escaped.txt"),
    "tar-absolute": ("evil.tar", lambda: make_tar({"ok.txt": b"1", "/tmp/abs-escaped.txt": b"x"}, mode="w"),
                     "/tmp/abs-escaped.txt"),
    "zip-absolute": ("evil.zip", lambda: make_zip({"ok.txt": b"1", "/abs-escaped.txt": b"x"}), "/abs-escaped.txt"),
    "tar-symlink-out": ("evil.tar.gz", lambda: make_tar({"ok.txt": b"1"}, links={"link": ("../../etc", tarfile.SYMTYPE)}),
                        "link"),
    "tar-symlink-abs": ("evil.tar.gz", lambda: make_tar({"ok.txt": b"1"}, links={"pw": ("/etc/passwd", tarfile.SYMTYPE)}),
                        "pw"),
    "tar-hardlink-out": ("evil.tar.gz", lambda: make_tar({"ok.txt": b"1"}, links={"hl": ("../outside", tarfile.LNKTYPE)}),
                         "hl"),
}


@pytest.mark.parametrize("case", list(BAD_ARCHIVES))
def test_safe_extract_refuses_escapes(tmp_path: Path, case: str) -> None:
    fname, build, member = BAD_ARCHIVES[case]
    archive = tmp_path / fname
    archive.write_bytes(build())
    dest = tmp_path / "out" / "dest"
    with pytest.raises(ValueError, match="refusing to extract") as info:
        D.safe_extract(archive, dest)
    assert repr(member) in str(info.value)
    assert not dest.exists()  # nothing written, not even the good member
    assert listing(tmp_path) == {fname}
    assert listing(tmp_path / "out") == set()
    assert not Path("/tmp/abs-escaped.txt").exists() and not Path("/abs-escaped.txt").exists()


def test_safe_extract_allows_links_inside(tmp_path: Path) -> None:
    archive = tmp_path / "ok.tar"
    archive.write_bytes(make_tar({"d/f.txt": b"data"}, mode="w", links={"d/alias.txt": ("f.txt", tarfile.SYMTYPE)}))
    dest = D.safe_extract(archive, tmp_path / "dest")
    assert (dest / "d" / "alias.txt").read_bytes() == b"data"


def test_safe_extract_rejects_non_archives(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="not a zip or tar"):
        D.safe_extract(junk, tmp_path / "dest")


def test_fetch_extract_refuses_bad_archive_and_leaves_no_temp(server: LocalServer, cache: Path) -> None:
    body = make_tar({"../escaped.txt": b"x"})
    url = server.add("/evil.tar.gz", body)
    with pytest.raises(ValueError, match="outside"):
        D.fetch(url, cache_dir=cache, extract=True, progress=False)
    assert listing(cache) == {"evil.tar.gz"}  # the verified download itself is complete; no extraction folder
    assert not (cache.parent / "escaped.txt").exists()


# ---------------------------------------------------------------- MNIST

def test_load_tfds_offline_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = closed_port_url("/kagglecatsanddogs.zip")
    monkeypatch.setitem(C.TFDS_PROBE_URLS, "cats_vs_dogs", url)
    start = time.monotonic()
    with pytest.raises(D.DownloadError) as info:
        load_cats_vs_dogs(smoke=False, data_dir=tmp_path)
    assert time.monotonic() - start < 5.0
    message = str(info.value)
    for part in ("cats vs dogs", "'cats_vs_dogs'", url, str(tmp_path / "tfds"), "DLCV_SMOKE=1"):
        assert part in message


def test_load_tfds_unknown_dataset_is_named_not_a_download_error(tmp_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(ValueError, match="no_such_dataset_xyz") as info:
        load_tfds("no_such_dataset_xyz", split="train", data_dir=tmp_path)
    assert not isinstance(info.value, D.DownloadError) and time.monotonic() - start < 10  # no probe, no retries

