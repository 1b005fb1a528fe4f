"""Every manifest row is verified by a published digest (sha256, or Keras's md5 labelled as such) or is
listed as trust-on-first-use; the published digests agree with the sources they are quoted from (the
installed TFDS's checksums files, Keras's own modules)."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from helpers.datasets import catalogue as C  # noqa: E402
from tools.sources import tfds_checksums  # noqa: E402


def _keras_src() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("keras")
    return Path(list(spec.submodule_search_locations)[0]) / "src"


def test_every_row_has_a_published_digest_or_is_trust_on_first_use() -> None:
    rows = C.files()
    names = [str(r["name"]) for r in rows]
    assert set(C.TRUST_ON_FIRST_USE) <= set(names)  # the list names real rows only
    for row in rows:
        name, sha, md5 = str(row["name"]), row.get("sha256"), row.get("md5")
        where = str(row["digest_source"])
        if name in C.TRUST_ON_FIRST_USE:
            assert sha is None and md5 is None, f"{name} has a digest: take it off TRUST_ON_FIRST_USE"
            assert where.startswith("none published: trust on first use")
            continue
        assert sha or md5, f"{name}: no published digest and not listed as trust-on-first-use"
        if sha:
            assert re.fullmatch(r"[0-9a-f]{64}", str(sha)) and where.startswith("sha256 in "), (name, where)
        else:  # only Keras's md5 is published: the row says so
            assert re.fullmatch(r"[0-9a-f]{32}", str(md5)) and where.startswith("md5 in Keras's"), (name, where)
    published = [n for n in names if n not in C.TRUST_ON_FIRST_USE]
    assert len(published) == 12 and len(C.TRUST_ON_FIRST_USE) == 9  # of 21 rows


def test_sha256_and_sizes_agree_with_the_installed_tfds() -> None:
    known = tfds_checksums()
    matched = 0
    for row in C.files():
        for url in row.get("urls") or [row["url"]]:
            if url in known:
                size, sha, _ = known[url]
                assert row["sha256"] == sha, (row["name"], url)
                assert row.get("size") in (None, size), (row["name"], url)
                matched += 1
    assert matched == 6  # Fashion-MNIST x4 (Zalando's S3 URLs), CIFAR-10, CIFAR-100
    for name in C.FASHION_FILES:  # Keras's GCS copies are held to the same digest and size
        assert C.fashion_urls(name)[1] in known and C.FASHION_SIZES[name] == known[C.fashion_urls(name)[1]][0]


def test_md5_and_mnist_digest_are_the_ones_in_keras_own_source() -> None:
    src = _keras_src()
    assert C.MNIST_SHA256 in (src / "datasets" / "mnist.py").read_text()
    modules = {"vgg16_": "vgg16.py", "inception_v3_": "inception_v3.py", "resnet50_": "resnet.py",
               "efficientnetv2-b0_": "efficientnet_v2.py", "imagenet_class_index": "imagenet_utils.py"}
    checked = 0
    for row in C.files():
        if "md5" not in row:
            continue
        module = next(m for key, m in modules.items() if key in str(row["name"]))
        assert str(row["md5"]) in (src / "applications" / module).read_text(), row["name"]
        checked += 1
    assert checked == 5
    assert "file_hash" not in (src / "applications" / "mobilenet_v2.py").read_text()  # why it is TOFU


def test_lfw_row_names_tfds_figshare_archive_and_the_pin_allows_only_tfds_that_uses_it() -> None:
    assert tfds_checksums("lfw") == {C.LFW_URL: (C.LFW_SIZE, C.LFW_SHA256, "lfw.tgz")}
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    tfds = [d for d in deps if d.replace("_", "-").startswith("tensorflow-datasets")]
    assert len(tfds) == 1 and ">=4.9.8" in tfds[0].replace(" ", ""), tfds


def test_make_mirror_pins_a_trust_on_first_use_row_and_clients_check_it(server, tmp_path, monkeypatch) -> None:
    import hashlib

    from helpers import download as D
    from tools import mirror

    body = b"PK-penn-fudan-stand-in"
    monkeypatch.delenv("DLCV_MIRROR", raising=False)
    monkeypatch.delenv("DLCV_DIGESTS", raising=False)
    monkeypatch.setattr(C, "PENN_FUDAN_URL", server.add("/ped/PennFudanPed.zip", body))
    assert C.PENN_FUDAN_SHA256 is None and "penn_fudan" in C.TRUST_ON_FIRST_USE
    dest = tmp_path / "mirror"
    assert mirror.main([str(dest), "--only", "penn_fudan"]) == 0
    rel = D.mirror_path(C.PENN_FUDAN_URL)
    assert D.parse_sums((dest / D.SUMS_NAME).read_text())[rel] == hashlib.sha256(body).hexdigest()

    monkeypatch.setenv("DLCV_MIRROR", str(dest))
    D._MIRROR_SUMS.clear()
    (dest / rel).write_bytes(b"PK-changed-after-the-mirror-was-made")
    with pytest.raises(D.DownloadError, match="Checksum mismatch"):
        D.fetch(C.PENN_FUDAN_URL, sha256=None, cache_dir=tmp_path / "student", progress=False)
    (dest / rel).write_bytes(body)
    got = D.fetch(C.PENN_FUDAN_URL, sha256=None, cache_dir=tmp_path / "student", progress=False)
    assert got.read_bytes() == body


def test_make_mirror_takes_a_row_from_its_second_source(server, tmp_path, monkeypatch) -> None:
    import hashlib

    from helpers import download as D
    from tools import mirror

    name = "t10k-labels-idx1-ubyte.gz"
    body = b"labels-stand-in"
    monkeypatch.delenv("DLCV_MIRROR", raising=False)
    monkeypatch.delenv("DLCV_DIGESTS", raising=False)
    monkeypatch.setattr(C, "FASHION_URL_BASE", server.url("/gcs/"))  # answers 404
    monkeypatch.setattr(C, "FASHION_ALT_BASE", server.url("/s3/"))
    server.add("/s3/" + name, body)
    monkeypatch.setattr(C, "FASHION_SHA256", {**C.FASHION_SHA256, name: hashlib.sha256(body).hexdigest()})
    dest = tmp_path / "mirror"
    assert mirror.main([str(dest), "--only", f"fashion_mnist/{name}"]) == 0
    # kept where clients look for it: the mirror path of the row's first URL
    assert (dest / D.mirror_path(C.fashion_urls(name)[0])).read_bytes() == body
