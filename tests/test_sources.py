"""tools/sources.py (``make sources``) against the local server: an answer, a 404, a 403, a host that
never answers, a wrong size; the mirror; the TFDS checksums it reads from the installed package."""
from __future__ import annotations

import io
import socket
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import sources  # noqa: E402
from tools.sources import Source  # noqa: E402


@pytest.fixture
def silent_host():
    """A URL whose host accepts the connection and then never answers (a stalled or throttled host)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)  # connections queue in the backlog; nothing ever accepts them
        yield f"http://127.0.0.1:{s.getsockname()[1]}/slow.bin"


def _by_name(rows):
    return {src.name: (res, ok, phrase) for src, res, ok, phrase in rows}


def test_answer_404_403_timeout_and_wrong_size_each_get_their_verdict(server, silent_host) -> None:
    body = bytes(range(256)) * 4
    checks = [
        Source("good", server.add("/good.bin", body), size=len(body), origin="TFDS"),
        Source("unrecorded", server.add("/free.bin", b"x" * 10)),
        Source("gone", server.url("/gone.bin"), size=5),
        Source("refused", server.add("/refused.bin", status=403), size=5),
        Source("slow", silent_host, size=5),
        Source("resized", server.add("/resized.bin", b"y" * 700), size=1024, origin="manifest"),
    ]
    out = io.StringIO()
    start = time.monotonic()
    rows = _by_name(sources.run(checks, timeout=1.5, out=out))
    assert time.monotonic() - start < 10  # the silent host costs its timeout, not more

    res, ok, phrase = rows["good"]
    assert ok and res.status == 200 and res.size == len(body) and phrase == "ok"
    res, ok, phrase = rows["unrecorded"]
    assert ok and res.size == 10 and "no size recorded" in phrase
    res, ok, phrase = rows["gone"]
    assert not ok and res.status == 404 and "HTTP 404" in phrase
    res, ok, phrase = rows["refused"]
    assert not ok and res.status == 403 and "HTTP 403" in phrase
    res, ok, phrase = rows["slow"]
    assert not ok and res.status is None and "timed out" in phrase and 1.0 < res.seconds < 6
    res, ok, phrase = rows["resized"]
    assert not ok and res.size == 700 and "WRONG SIZE: 700 bytes, expected 1024 (manifest)" in phrase

    text = out.getvalue()
    assert "2 of 6 sources answer as expected" in text
    for src in checks:  # every row prints its URL and its time
        assert src.url in text
    assert text.count("!! ") == 4
    assert server.hits("/good.bin") == 1  # one request per source


def test_sample_reports_a_rate_and_the_time_of_the_whole_file(server) -> None:
    body = b"z" * 80_000
    url = server.add("/throttled.bin", body, delay=0.05)  # 8 chunks of 10 kB, 50 ms apart
    res = sources.check(Source("throttled", url, size=len(body)), timeout=5, sample=40_000)
    assert res.status == 200 and res.size == len(body)
    assert res.rate is not None and 20_000 < res.rate < 2_000_000
    out = io.StringIO()
    sources.run([Source("throttled", url, size=len(body))], timeout=5, sample=40_000, out=out)
    assert "/s, whole file in ~" in out.getvalue()


def test_a_206_answer_reports_the_whole_size() -> None:
    from email.message import Message

    headers = Message()
    headers["Content-Range"] = "bytes 0-0/170052171"
    headers["Content-Length"] = "1"
    assert sources.total_size(206, headers) == 170052171
    assert sources.total_size(200, headers) == 1
    del headers["Content-Length"]
    assert sources.total_size(200, headers) is None


def test_main_checks_the_manifest_rows_at_their_urls(server, monkeypatch, capsys) -> None:
    from helpers.datasets import catalogue

    monkeypatch.setattr(catalogue, "MNIST_URL", server.add("/mnist.npz", b"m" * 64))
    monkeypatch.setattr(catalogue, "CIFAR10_URL", server.url("/missing.tar.gz"))
    monkeypatch.delenv("DLCV_MIRROR", raising=False)
    assert sources.main(["--only", "mnist", "--no-tfds", "--timeout", "3"]) == 0
    text = capsys.readouterr().out
    assert "1 of 1 sources answer as expected" in text and server.url("/mnist.npz") in text

    assert sources.main(["--only", "cifar10", "--no-tfds", "--timeout", "3"]) == 1
    text = capsys.readouterr().out
    assert "HTTP 404" in text
    # CIFAR-10's expected size is TFDS's record of the same URL, so a wrong size would show
    cifar = [s for s in sources.manifest_sources(sources.tfds_checksums()) if s.name == "cifar10"]
    assert cifar and cifar[0].size is None  # the monkeypatched URL is not TFDS's


def test_manifest_rows_get_tfds_sizes_where_tfds_records_their_url() -> None:
    rows = {s.name: s for s in sources.manifest_sources()}
    assert rows["cifar10"].size == 170052171 and rows["cifar10"].origin == "manifest"
    assert rows["cifar100"].size == 168513733
    # every URL of a row with several sources is checked, each against the row's size
    from helpers.datasets import catalogue

    url = catalogue.FASHION_ALT_BASE + "t10k-labels-idx1-ubyte.gz"
    known = {url: (5148, "ab" * 32, "t10k-labels-idx1-ubyte.gz")}
    fashion = [s for s in sources.manifest_sources(known) if s.name == "fashion_mnist/t10k-labels-idx1-ubyte.gz"]
    assert [s.url for s in fashion] == catalogue.fashion_urls("t10k-labels-idx1-ubyte.gz")
    assert all(s.size == 5148 for s in fashion)


def test_tfds_sources_come_from_the_installed_checksums_files() -> None:
    found = {}
    for src in sources.tfds_sources():
        found.setdefault(src.name, []).append(src)
    assert set(found) == {f"tfds/{n}" for n in sources.TFDS_DATASETS}
    for name, rows in found.items():
        for src in rows:  # every dataset's files have a URL, a size and a sha256 from TFDS
            assert src.url.startswith("http") and src.size and len(src.sha256 or "") == 64, (name, src)
    lfw = found["tfds/lfw"]
    assert [s.url for s in lfw] == ["https://ndownloader.figshare.com/files/5976018"]  # TFDS >= 4.9.8
    assert lfw[0].size == 180566744
    assert any("UCF101_videos.zip" in s.url and s.size > 6_000_000_000 for s in found["tfds/ucf101"])
    assert any(s.url.startswith("https://www.crcv.ucf.edu/") for s in found["tfds/ucf101"])


def test_parse_checksums_skips_what_is_not_a_record() -> None:
    text = ("# comment\nhttps://a/x.zip\t12\tABCD\tx.zip\n\nhttps://b/y\t7\tef01\t\nbad line\n"
            "https://c/z\tnot-a-size\tff\n")
    assert sources.parse_checksums(text) == {"https://a/x.zip": (12, "abcd", "x.zip"), "https://b/y": (7, "ef01", "")}


def test_a_folder_mirror_is_checked_on_disk(tmp_path, monkeypatch, capsys) -> None:
    from helpers.datasets import catalogue
    from helpers.download import mirror_path

    mirror = tmp_path / "mirror"
    have = mirror / mirror_path(catalogue.MNIST_URL)
    have.parent.mkdir(parents=True)
    have.write_bytes(b"n" * 33)
    (mirror / "tfds" / "lfw" / "0.1.1").mkdir(parents=True)
    (mirror / "tfds" / "lfw" / "0.1.1" / "lfw-train.tfrecord").write_bytes(b"r" * 5)
    monkeypatch.setenv("DLCV_MIRROR", str(mirror))
    assert sources.main(["--only", "mnist,cifar10"]) == 1
    text = capsys.readouterr().out
    assert f"checking the mirror {mirror.resolve().as_uri()}" in text
    assert "missing in the mirror folder" in text  # cifar10 is not in it
    assert "1 of 2 sources answer as expected" in text

    # a row with two sources is looked for once in a mirror, at its first URL's path
    fashion = [s for s in sources.manifest_sources() if s.name.startswith("fashion_mnist/")]
    assert len(fashion) == 8 and len(sources.through_mirror(fashion, mirror.resolve().as_uri())) == 4

    base = mirror.resolve().as_uri()
    checked = sources.through_mirror(sources.tfds_sources(("lfw", "oxford_iiit_pet")), base)
    lfw = [s for s in checked if s.name == "tfds/lfw"]
    assert len(lfw) == 1 and lfw[0].local is not None and "prepared in the mirror" in lfw[0].note
    assert sources.check(lfw[0]).size == 5
    pets = [s for s in checked if s.name == "tfds/oxford_iiit_pet"]
    assert pets and all(s.url.startswith("https://thor.robots.ox.ac.uk/") and "original host" in s.note
                        for s in pets)


def test_an_http_mirror_is_asked_at_the_mirror_path(server, monkeypatch) -> None:
    from helpers.datasets import catalogue
    from helpers.download import mirror_path

    rel = mirror_path(catalogue.MNIST_URL)
    server.add("/dlcv/" + rel, b"q" * 21)
    checked = sources.through_mirror([Source("mnist", catalogue.MNIST_URL, size=21)], server.url("/dlcv"))
    assert checked[0].url == server.url("/dlcv/" + rel)
    res = sources.check(checked[0], timeout=3)
    assert res.status == 200 and res.size == 21


def test_only_selects_rows_groups_and_tfds_datasets() -> None:
    assert sources.selected("cifar10", "cifar10") and not sources.selected("cifar100", "cifar10")
    assert sources.selected("fashion_mnist/t10k-labels-idx1-ubyte.gz", "fashion_mnist")
    assert not sources.selected("fashion_mnist/t10k-labels-idx1-ubyte.gz", "mnist")
    assert sources.selected("keras/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "keras")
    assert sources.selected("tfds/lfw", "lfw") and sources.selected("tfds/lfw", "tfds")


def test_a_certificate_that_does_not_verify_is_reported_not_bypassed(tmp_path) -> None:
    """UCF101's split list lives on a host whose certificate some clients reject: say so, never skip the check."""
    import shutil
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert), "-days", "1"], check=True, capture_output=True)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(b"abc")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"https://127.0.0.1:{httpd.server_address[1]}/splits.zip"
        res = sources.check(Source("tfds/ucf101", url, size=3), timeout=5)
        ok, phrase = sources.verdict(Source("tfds/ucf101", url, size=3), res)
        assert not ok and res.status is None and phrase.startswith("certificate does not verify")
    finally:
        httpd.shutdown()
        httpd.server_close()
