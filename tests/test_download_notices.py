"""Before a slow download with no faster source (CIFAR's throttled host, UCF101's 6.96 GB, LFW's figshare),
the loader prints what it costs and the ways out; not when the file is cached, nor with a mirror."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.datasets import catalogue as C


@pytest.fixture(autouse=True)
def _no_mirror(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DLCV_MIRROR", raising=False)


def test_cifar_notice_states_size_time_rate_and_ways_out(tmp_path: Path, capsys) -> None:
    target = tmp_path / "cifar-10-binary.tar.gz"
    assert C.announce_download("cifar10", target) is True
    text = capsys.readouterr().out
    minutes = 170052171 / 66_000 / 60
    assert f"170.1 MB from www.cs.toronto.edu, about {minutes:.0f} min at 66.0 kB/s" in text
    assert "DLCV_SMOKE=1" in text and "DLCV_MIRROR" in text and str(target) in text
    assert "pytorch/vision#9536" in text  # the rate is an assumption with its source


def test_ucf101_notice_names_the_manual_folder_and_never_disables_certificates(tmp_path: Path, capsys) -> None:
    C.announce_download("ucf101", tmp_path / "tfds" / "ucf101")
    text = capsys.readouterr().out
    assert "7.0 GB" in text and re.search(r"about \d+ min at 10\.0 MB/s", text)
    assert f"{tmp_path / 'tfds'}/downloads/manual/" in text and "UCF101_videos.zip" in text
    assert "never turns the check off" in text and "verify_ssl" not in text
    assert "not what is downloaded" in text  # a smaller subset does not shorten the download: said plainly


def test_lfw_notice_gives_the_archive_tfds_checks(tmp_path: Path, capsys) -> None:
    C.announce_download("lfw", tmp_path / "tfds" / "lfw")
    text = capsys.readouterr().out
    assert "180.6 MB from ndownloader.figshare.com" in text and "403" in text
    assert C.LFW_SHA256[:16] in text and f"{tmp_path / 'tfds'}/downloads/manual/" in text


def test_no_notice_when_cached_or_mirrored(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    cached = tmp_path / "cifar-100-binary.tar.gz"
    cached.write_bytes(b"x")
    assert C.announce_download("cifar100", cached) is False
    monkeypatch.setenv("DLCV_MIRROR", str(tmp_path))
    assert C.announce_download("cifar100", tmp_path / "absent.tar.gz") is False
    assert capsys.readouterr().out == ""


def test_load_cifar10_prints_the_notice_before_it_downloads(tmp_path: Path, capsys,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.localserver import closed_port_url

    from helpers import datasets as D

    monkeypatch.setattr(C, "CIFAR10_URL", closed_port_url("/cifar-10-binary.tar.gz"))
    with pytest.raises(D.DownloadError):
        D.load_cifar10(smoke=False, data_dir=tmp_path)
    assert "Downloading cifar10: 170.1 MB" in capsys.readouterr().out
