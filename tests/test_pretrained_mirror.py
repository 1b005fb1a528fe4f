"""helpers.pretrained with DLCV_MIRROR: Keras weights, the ImageNet class index and KerasHub presets come
from the mirror, checked; load_tfds reads datasets prepared in a folder mirror."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from helpers import download as D
from helpers.tfds_loader import load_tfds
from helpers import pretrained
from helpers.datasets import catalogue as C
from tests.fakes import make_tar, sha

MNV2_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5")
INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"


def _in_mirror(root: Path, url: str, data: bytes) -> Path:
    path = root / D.mirror_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "mirror"
    root.mkdir()
    monkeypatch.setenv("DLCV_MIRROR", str(root))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path / "data"))
    return root


@pytest.fixture(scope="module")
def small_weights(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[np.ndarray]]:
    """A random MobileNetV2 (alpha 0.35, 96 px) saved in Keras's legacy .h5 weights format."""
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    keras.utils.set_random_seed(3)
    model = keras.applications.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3))
    path = tmp_path_factory.mktemp("w") / "w.h5"
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path.read_bytes(), model.get_weights()


def test_keras_weights_come_from_the_mirror(mirror: Path, small_weights, tmp_path: Path):
    data, expected = small_weights
    source = _in_mirror(mirror, MNV2_URL, data)
    model = pretrained.keras_application("MobileNetV2", alpha=0.35, input_shape=(96, 96, 3))
    weights = model.get_weights()
    assert len(weights) == len(expected) and all(np.array_equal(a, b) for a, b in zip(weights, expected))
    cached = tmp_path / "data" / "keras" / MNV2_URL.rsplit("/", 1)[1]
    assert cached.read_bytes() == data
    source.unlink()  # the next build needs no mirror
    again = pretrained.keras_application("MobileNetV2", alpha=0.35, input_shape=(96, 96, 3))
    assert all(np.array_equal(a, b) for a, b in zip(again.get_weights(), expected))


def test_a_truncated_cached_weight_file_is_replaced(mirror: Path, small_weights, tmp_path: Path, capsys):
    data, expected = small_weights
    _in_mirror(mirror, MNV2_URL, data)
    cached = tmp_path / "data" / "keras" / MNV2_URL.rsplit("/", 1)[1]
    cached.parent.mkdir(parents=True)
    cached.write_bytes(data[: len(data) // 2])  # a copy that stopped halfway
    model = pretrained.keras_application("MobileNetV2", alpha=0.35, input_shape=(96, 96, 3))
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), expected))
    assert "is corrupt" in capsys.readouterr().out and cached.read_bytes() == data
    (mirror / D.mirror_path(MNV2_URL)).write_bytes(data[:1000])  # the mirror's copy is broken too
    cached.write_bytes(data[:1000])
    with pytest.raises(D.DownloadError, match="corrupt even after downloading it again"):
        pretrained.keras_application("MobileNetV2", alpha=0.35, input_shape=(96, 96, 3))


def test_a_pinned_digest_is_checked(mirror: Path, small_weights, tmp_path: Path, monkeypatch):
    data, _ = small_weights
    _in_mirror(mirror, MNV2_URL, data)
    monkeypatch.setitem(C.KERAS_FILES, MNV2_URL, "0" * 64)
    with pytest.raises(D.DownloadError, match="Checksum mismatch"):
        pretrained.keras_application("MobileNetV2", alpha=0.35, input_shape=(96, 96, 3))
    assert not list((tmp_path / "data" / "keras").glob("*.h5"))


def test_a_weight_file_missing_from_the_mirror_names_it(mirror: Path):
    with pytest.raises(D.DownloadError) as info:
        pretrained.keras_application("MobileNetV2", alpha=0.35, input_shape=(96, 96, 3))
    msg = str(info.value)
    assert "has no" in msg and D.mirror_path(MNV2_URL) in msg and MNV2_URL in msg


def test_class_index_is_checked_against_keras_hash_unless_pinned(mirror: Path, tmp_path: Path, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i:03d}"] for i in range(1000)}
    data = json.dumps(index).encode()
    _in_mirror(mirror, INDEX_URL, data)
    scores = np.zeros((2, 1000))
    scores[0, 7], scores[0, 3], scores[1, 999] = 1.0, 0.5, 0.25
    with pytest.raises(D.DownloadError, match="does not match the hash Keras publishes"):
        pretrained.imagenet_decode(scores, top=1)
    assert not (tmp_path / "data" / "keras" / "imagenet_class_index.json").exists()
    registry = tmp_path / "SHA256SUMS"
    registry.write_text(D.format_sums({D.mirror_path(INDEX_URL): sha(data)}))
    monkeypatch.setenv("DLCV_DIGESTS", str(registry))  # an instructor's pin replaces Keras's hash
    assert pretrained.imagenet_decode(scores, top=2) == [
        [("n00000007", "class_007", 1.0), ("n00000003", "class_003", 0.5)],
        [("n00000999", "class_999", 0.25), ("n00000998", "class_998", 0.0)]]


@pytest.mark.parametrize("wrap", ["", "dfine_nano_coco/"])
def test_keras_hub_preset_is_read_from_the_mirror_archive(mirror: Path, monkeypatch, wrap: str):
    import keras_hub

    row = C.KERAS_HUB_PRESETS["dfine_nano_coco"]
    data = make_tar({wrap + "config.json": b"{}", wrap + "metadata.json": b"{}"})
    _in_mirror(mirror, str(row["url"]), data)
    monkeypatch.setitem(row, "sha256", sha(data))
    seen = []
    monkeypatch.setattr(keras_hub.models.ObjectDetector, "from_preset",
                        classmethod(lambda cls, preset, **kw: seen.append((preset, kw)) or "model"))
    assert pretrained.keras_hub_detector("dfine_nano_coco") == "model"
    folder = Path(seen[0][0])
    assert (folder / "config.json").read_bytes() == b"{}" and seen[0][1] == {"bounding_box_format": "yxyx"}


def test_keras_hub_preset_missing_from_the_mirror(mirror: Path):
    row = C.KERAS_HUB_PRESETS["deeplab_v3_plus_resnet50_pascalvoc"]
    with pytest.raises(D.DownloadError) as info:
        pretrained.keras_hub_segmenter()
    assert D.mirror_path(str(row["url"])) in str(info.value) and str(row["url"]) in str(info.value)


@functools.lru_cache(maxsize=None)  # a TFDS name can be registered once per process
def _tiny_builder():
    import tensorflow_datasets as tfds

    class DlcvTinyDigits(tfds.core.GeneratorBasedBuilder):
        """Twelve 4x4 'images', generated locally: a TFDS dataset to prepare without network."""

        VERSION = tfds.core.Version("1.0.0")

        def _info(self):
            return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict(
                {"image": tfds.features.Tensor(shape=(4, 4), dtype=np.uint8), "label": tfds.features.ClassLabel(num_classes=3)}),
                supervised_keys=("image", "label"))

        def _split_generators(self, dl_manager):
            return {"train": self._generate_examples()}

        def _generate_examples(self):
            for i in range(12):
                yield i, {"image": np.full((4, 4), i, np.uint8), "label": i % 3}

    return DlcvTinyDigits


def test_load_tfds_reads_a_dataset_prepared_in_a_folder_mirror(mirror: Path, tmp_path: Path):
    _tiny_builder()(data_dir=mirror / "tfds").download_and_prepare()
    ds = load_tfds("dlcv_tiny_digits", split="train", data_dir=tmp_path / "students")
    pairs = sorted((int(x[0, 0]), int(y)) for x, y in ds.as_numpy_iterator())
    assert pairs == [(i, i % 3) for i in range(12)]
    assert not (tmp_path / "students" / "tfds" / "dlcv_tiny_digits").exists()  # read in place, not copied


def test_make_mirror_packs_a_preset_that_the_course_then_loads(tmp_path: Path, monkeypatch):
    import kagglehub
    import keras_hub

    from tools import mirror as tool

    downloaded = tmp_path / "kaggle" / "dfine"
    (downloaded / "assets").mkdir(parents=True)
    (downloaded / "config.json").write_text('{"x": 1}')
    (downloaded / "assets" / "vocab.txt").write_text("a\nb\n")
    handles = []
    monkeypatch.setattr(kagglehub, "model_download", lambda handle: handles.append(handle) or str(downloaded))
    dest = tmp_path / "mirror"
    rows = tool.fill(dest, {"keras_hub/dfine_nano_coco"})
    assert [r[3] for r in rows] == ["ok"] and handles == [C.KERAS_HUB_PRESETS["dfine_nano_coco"]["handle"]]
    assert tool.fill(dest, {"keras_hub/dfine_nano_coco"})[0][3] == "ok" and len(handles) == 1  # kept, not refetched
    monkeypatch.setenv("DLCV_MIRROR", str(dest))
    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path / "data"))
    seen = []
    monkeypatch.setattr(keras_hub.models.ObjectDetector, "from_preset",
                        classmethod(lambda cls, preset, **kw: seen.append(preset) or "model"))
    pretrained.keras_hub_detector("dfine_nano_coco")
    folder = Path(seen[0])
    assert (folder / "config.json").read_text() == '{"x": 1}' and (folder / "assets" / "vocab.txt").is_file()


def test_make_mirror_tfds_prepares_datasets_a_folder_mirror_serves(tmp_path: Path, monkeypatch):
    from tools import mirror as tool

    _tiny_builder()
    dest = tmp_path / "mirror"
    rows = tool.fill_tfds(dest, ("dlcv_tiny_digits", "no_such_dataset_xyz"))
    assert rows[0][3] == "ok" and rows[0][2] > 0
    assert rows[1][3].startswith("DatasetNotFoundError")  # reported in the summary, not raised
    monkeypatch.setenv("DLCV_MIRROR", str(dest))
    ds = load_tfds("dlcv_tiny_digits", split="train", data_dir=tmp_path / "students")
    assert len(list(ds.as_numpy_iterator())) == 12


def test_manifest_preset_handles_are_keras_hubs_own():
    import keras_hub

    registry = {**keras_hub.models.ObjectDetector.presets, **keras_hub.models.ImageSegmenter.presets}
    for preset, row in C.KERAS_HUB_PRESETS.items():
        assert registry[preset]["kaggle_handle"] == "kaggle://" + row["handle"], preset
        assert row["url"] == C.KAGGLE_MODELS_URL + row["handle"] + "/download"
