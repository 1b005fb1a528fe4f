"""The TFDS half of full mode through our own code, no TFDS mock: ``helpers.tfds_loader.load_tfds`` (via the
cats-vs-dogs loader) reads a dataset prepared in a folder mirror's ``tfds/`` (what ``make mirror --tfds``
writes), and without a mirror the probe fails offline with our DownloadError.

The stand-in is stored with TFDS's own writer under the real builder's name, version and features, so the
real ``cats_vs_dogs`` builder reads it; its examples are the rehearsal mock's (``tests/rehearsal/tfds_mock``).
"""
from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from helpers import download as D
from helpers.tfds_loader import load_tfds
from helpers.datasets import catalogue as C
from helpers.datasets import load_cats_vs_dogs

pytestmark = pytest.mark.usefixtures("isolated_data_dir")


@pytest.fixture(scope="module")
def tfds_mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import tensorflow_datasets as tfds

    from tests.rehearsal import tfds_mock

    root = tmp_path_factory.mktemp("mirror")
    real = tfds.builder("cats_vs_dogs")
    examples = list(enumerate(itertools.islice(tfds_mock._examples("cats_vs_dogs", "train", None), 20)))
    tfds.dataset_builders.store_as_tfds_dataset(
        name="cats_vs_dogs", version=str(real.version), features=real.info.features, config=None,
        split_datasets={"train": examples}, data_dir=root / "tfds", description="rehearsal stand-in")
    return root


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # every host but 127.0.0.1 is a dead end
    for name in ("NO_PROXY", "no_proxy", "DLCV_MIRROR", "DLCV_TFDS_PROBE"):
        monkeypatch.delenv(name, raising=False)


def test_a_folder_mirrors_prepared_dataset_is_read_in_place(tfds_mirror: Path, tmp_path: Path, offline,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLCV_MIRROR", str(tfds_mirror))
    folder = load_cats_vs_dogs(smoke=False, data_dir=tmp_path, n_per_class=(6, 3))
    counts = {f"{split}/{kind}": len(list((folder / split / kind).glob("*.jpg")))
              for split in ("train", "validation") for kind in ("cats", "dogs")}
    assert counts == {"train/cats": 6, "train/dogs": 6, "validation/cats": 3, "validation/dogs": 3}
    assert not (tmp_path / "tfds" / "cats_vs_dogs").exists()  # read from the mirror, nothing copied


def test_without_the_mirror_the_probe_fails_offline_in_seconds(tfds_mirror: Path, tmp_path: Path, offline) -> None:
    start = time.monotonic()
    with pytest.raises(D.DownloadError) as info:
        load_cats_vs_dogs(smoke=False, data_dir=tmp_path, n_per_class=(6, 3))
    assert time.monotonic() - start < 15
    message = str(info.value)
    for part in ("cats vs dogs", "'cats_vs_dogs'", C.TFDS_PROBE_URLS["cats_vs_dogs"], str(tmp_path / "tfds"),
                 "DLCV_SMOKE=1"):
        assert part in message


def test_an_empty_mirror_folder_falls_back_to_the_probe(tmp_path: Path, offline, monkeypatch) -> None:
    (tmp_path / "mirror" / "tfds").mkdir(parents=True)
    monkeypatch.setenv("DLCV_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(D.DownloadError, match="Could not download cats vs dogs"):
        load_cats_vs_dogs(smoke=False, data_dir=tmp_path / "data", n_per_class=(6, 3))


def _local_builder():
    """A TFDS dataset generated on the spot (no download), registered once per process."""
    import numpy as np
    import tensorflow_datasets as tfds

    if "dlcv_probe_digits" in tfds.list_builders(with_community_datasets=False):
        return
    class DlcvProbeDigits(tfds.core.GeneratorBasedBuilder):
        VERSION = tfds.core.Version("1.0.0")

        def _info(self):
            return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict(
                {"x": tfds.features.Tensor(shape=(2,), dtype=np.int64), "y": tfds.features.ClassLabel(num_classes=2)}),
                supervised_keys=("x", "y"))

        def _split_generators(self, dl_manager):
            return {"train": self._generate_examples()}

        def _generate_examples(self):
            for i in range(4):
                yield i, {"x": np.array([i, i]), "y": i % 2}


def test_dlcv_tfds_probe_0_turns_the_probe_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.localserver import closed_port_url

    _local_builder()
    dead = closed_port_url("/never.zip")
    with pytest.raises(D.DownloadError, match="never.zip"):
        load_tfds("dlcv_probe_digits", split="train", data_dir=tmp_path, probe_url=dead)
    monkeypatch.setenv("DLCV_TFDS_PROBE", "0")
    ds = load_tfds("dlcv_probe_digits", split="train", data_dir=tmp_path, probe_url=dead)
    assert sorted(int(y) for _, y in ds.as_numpy_iterator()) == [0, 0, 1, 1]
