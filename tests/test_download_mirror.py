"""helpers.download with DLCV_MIRROR (a local HTTP mirror on 127.0.0.1, or a folder) and tools/mirror.py.

What bad input gets: an unreachable mirror, a mirror file with the wrong checksum, a file the mirror
lacks; each is one DownloadError naming the mirror, the file and the original URL, and nothing is kept.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import listing, sha
from helpers import download as D
from helpers.datasets import catalogue as C
from tests.localserver import LocalServer, closed_port_url
from tools import mirror

pytestmark = pytest.mark.usefixtures("isolated_data_dir")

ORIGINAL = "https://data.example.org/sets/digits/mnist.npz"  # never contacted: the mirror answers
BODY = b"the bytes of a dataset" * 100


def test_mirror_path_keeps_host_and_path():
    assert D.mirror_path(ORIGINAL) == "data.example.org/sets/digits/mnist.npz"
    assert D.mirror_path("https://h.org/a%20b/c.zip?x=1") == "h.org/a b/c.zip"
    with pytest.raises(ValueError):
        D.mirror_path("https://h.org/")


def test_fetch_reads_from_an_http_mirror(server: LocalServer, cache: Path, monkeypatch):
    server.add("/dlcv/data.example.org/sets/digits/mnist.npz", BODY)
    monkeypatch.setenv("DLCV_MIRROR", server.url("/dlcv/"))
    path = D.fetch(ORIGINAL, sha256=sha(BODY), cache_dir=cache, dataset="MNIST")
    assert path.read_bytes() == BODY and server.hits("/dlcv/data.example.org/sets/digits/mnist.npz") == 1


def test_fetch_reads_from_a_mirror_folder(tmp_path: Path, cache: Path, monkeypatch):
    folder = tmp_path / "mirror"
    (folder / "data.example.org" / "sets" / "digits").mkdir(parents=True)
    (folder / "data.example.org" / "sets" / "digits" / "mnist.npz").write_bytes(BODY)
    monkeypatch.setenv("DLCV_MIRROR", str(folder))
    assert D.fetch(ORIGINAL, sha256=sha(BODY), cache_dir=cache).read_bytes() == BODY


def test_a_file_the_mirror_lacks_is_named(server: LocalServer, cache: Path, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("DLCV_MIRROR", server.url("/dlcv"))
    with pytest.raises(D.DownloadError) as info:
        D.fetch(ORIGINAL, cache_dir=cache, dataset="MNIST")
    message = str(info.value)
    for part in ("has no data.example.org/sets/digits/mnist.npz", ORIGINAL, server.url("/dlcv"), "make mirror"):
        assert part in message
    assert listing(cache) == set()
    monkeypatch.setenv("DLCV_MIRROR", str(tmp_path / "empty-folder"))
    with pytest.raises(D.DownloadError, match="has no data.example.org/sets/digits/mnist.npz"):
        D.fetch(ORIGINAL, cache_dir=cache)


def test_an_unreachable_mirror_is_named(cache: Path, monkeypatch):
    base = closed_port_url("/dlcv")
    monkeypatch.setenv("DLCV_MIRROR", base)
    with pytest.raises(D.DownloadError) as info:
        D.fetch(ORIGINAL, cache_dir=cache, dataset="MNIST")
    message = str(info.value)
    assert "Could not reach the mirror" in message and base in message and ORIGINAL in message
    assert "data.example.org/sets/digits/mnist.npz" in message and listing(cache) == set()


def test_a_mirror_file_with_the_wrong_checksum_is_rejected(server: LocalServer, cache: Path, monkeypatch):
    server.add("/data.example.org/sets/digits/mnist.npz", b"tampered")
    monkeypatch.setenv("DLCV_MIRROR", server.url("/"))
    with pytest.raises(D.DownloadError, match=f"expected sha256 {sha(BODY)}"):
        D.fetch(ORIGINAL, sha256=sha(BODY), cache_dir=cache)
    assert listing(cache) == set()


def test_requests_with_credentials_never_go_to_the_mirror(server: LocalServer, cache: Path, monkeypatch):
    url = server.add("/private/archive.zip", BODY)
    monkeypatch.setenv("DLCV_MIRROR", closed_port_url("/dlcv"))
    path = D.fetch(url, cache_dir=cache, headers={"Authorization": "Bearer x"})
    assert path.read_bytes() == BODY


def test_every_manifest_row_is_complete():
    rows = C.files()
    assert {r["name"] for r in rows} >= {"mnist", "cifar10", "cifar100", "penn_fudan", "landcover_ai"}
    for row in rows:
        assert row["url"].startswith("https://") and row["license"], row
        D.mirror_path(row["url"])


def test_make_mirror_fills_resumes_and_serves(server: LocalServer, tmp_path: Path, cache: Path, monkeypatch, capsys):
    monkeypatch.setattr(C, "MNIST_URL", server.add("/keras/mnist.npz", BODY))
    monkeypatch.setattr(C, "MNIST_SHA256", sha(BODY))
    dest = tmp_path / "mirror"
    assert mirror.main([str(dest), "--only", "mnist"]) == 0
    rel = D.mirror_path(C.MNIST_URL)
    assert (dest / rel).read_bytes() == BODY and "1/1 files" in capsys.readouterr().out
    assert mirror.main([str(dest), "--only", "mnist"]) == 0  # resumes: nothing downloaded again
    assert server.hits("/keras/mnist.npz") == 1
    monkeypatch.setenv("DLCV_MIRROR", str(dest))  # the filled folder now serves the course
    server.close()
    assert D.fetch(C.MNIST_URL, sha256=C.MNIST_SHA256, cache_dir=cache).read_bytes() == BODY
