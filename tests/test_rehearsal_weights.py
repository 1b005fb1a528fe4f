"""The rehearsal's stand-ins for pretrained weights (tests/rehearsal/weights.py) load the way the course loads them.

Generated once into build/rehearsal-cache (ignored by git) and reused while the Keras and KerasHub versions
stay the same; the first run takes about 20 s more.
"""
from __future__ import annotations

import json
import tarfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from helpers.datasets import catalogue
from helpers.download import mirror_path, sha256_of
from tests.rehearsal import weights

CACHE = Path(__file__).resolve().parents[1] / "build" / "rehearsal-cache"
APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    root = tmp_path_factory.mktemp("mirror")
    return root, weights.write_weight_files(root, cache=CACHE)


def _file(mirror, url: str) -> Path:
    root, digests = mirror
    assert url in digests
    return root / mirror_path(url)


def test_every_keras_and_keras_hub_row_gets_a_file_with_its_digest(mirror, tmp_path):
    root, digests = mirror
    rows = [r for r in catalogue.files() if r["name"].startswith(("keras/", "keras_hub/"))]
    assert len(rows) == len(catalogue.KERAS_FILES) + len(catalogue.KERAS_HUB_PRESETS)
    assert set(digests) == {r["url"] for r in rows}
    for row in rows:
        path = root / mirror_path(row["url"])
        assert path.is_file() and path.stat().st_size > 0, row["name"]
        assert digests[row["url"]] == sha256_of(path), row["name"]
    # a second call served from the cache gives the same files
    assert weights.write_weight_files(tmp_path, cache=CACHE) == digests


@pytest.mark.parametrize("url", [u for u in catalogue.KERAS_FILES if u.endswith(".h5")])
def test_every_keras_weight_file_name_maps_to_a_configuration(url):
    """The stand-in's configuration is the one for which helpers.pretrained asks for this very file."""
    name, kwargs = weights.keras_app_config(url.rsplit("/", 1)[1])
    shape = kwargs.get("input_shape")
    assert catalogue.keras_weights_url(name, kwargs["include_top"], kwargs.get("alpha", 1.0),
                                       shape[0] if shape else None) == url


def test_keras_app_config_reads_the_file_names():
    assert weights.keras_app_config("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5") == \
        ("MobileNetV2", {"alpha": 0.35, "input_shape": (96, 96, 3), "include_top": False})
    assert weights.keras_app_config("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5") == \
        ("VGG16", {"include_top": False})
    assert weights.keras_app_config("efficientnetv2-b0.h5") == ("EfficientNetV2B0", {"include_top": True})
    with pytest.raises(ValueError, match="no keras.applications configuration"):
        weights.keras_app_config("mystery_net.h5")


_MNV2 = APPS + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_"
_LOADS = [  # (file URL, builder, configuration): the calls the notebooks make with weights="imagenet"
    (_MNV2 + "224.h5", "MobileNetV2", {"alpha": 1.0, "input_shape": (224, 224, 3), "include_top": True}),
    (_MNV2 + "128.h5", "MobileNetV2", {"alpha": 1.0, "input_shape": (128, 128, 3), "include_top": True}),
    (_MNV2 + "224_no_top.h5", "MobileNetV2", {"input_shape": (224, 224, 3), "include_top": False}),
    (_MNV2 + "224_no_top.h5", "MobileNetV2", {"input_shape": (112, 112, 3), "include_top": False}),
    (_MNV2 + "224_no_top.h5", "MobileNetV2", {"input_shape": (40, 40, 3), "include_top": False}),
    (APPS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "VGG16",
     {"include_top": False, "input_shape": (None, None, 3)}),
    (APPS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "VGG16",
     {"include_top": False, "input_shape": (150, 150, 3)}),
    (APPS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "VGG16",
     {"include_top": False, "input_shape": (48, 48, 3)}),
    (APPS + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "InceptionV3",
     {"include_top": False, "input_shape": None}),
    (APPS + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "ResNet50",
     {"include_top": False, "input_shape": (224, 224, 3)}),
    (APPS + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "ResNet50",
     {"include_top": False, "input_shape": (96, 96, 3)}),
    (APPS + "efficientnet_v2/efficientnetv2-b0_notop.h5", "EfficientNetV2B0",
     {"include_top": False, "input_shape": (224, 224, 3)}),
    (APPS + "efficientnet_v2/efficientnetv2-b0_notop.h5", "EfficientNetV2B0",
     {"include_top": False, "input_shape": (None, None, 3)}),
]


@pytest.mark.parametrize("url,builder,kwargs", _LOADS,
                         ids=[f"{b}-{k.get('input_shape')}-{'top' if k['include_top'] else 'notop'}"
                              for _, b, k in _LOADS])
def test_keras_application_loads_the_stand_in(mirror, url, builder, kwargs):
    import keras

    path = _file(mirror, url)
    model = getattr(keras.applications, builder)(weights=str(path), **kwargs)
    # the weights came from the file (not the builder's own random initialisation)
    with h5py.File(path, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f.attrs["layer_names"]]
        layer = next(n for n in names if len(f[n].attrs["weight_names"]))
        stored = f[layer][f[layer].attrs["weight_names"][0]][()]
    np.testing.assert_array_equal(model.get_layer(layer).get_weights()[0], stored)
    keras.backend.clear_session()


def test_imagenet_class_index_has_the_real_layout(mirror):
    index = json.loads(_file(mirror, "https://storage.googleapis.com/download.tensorflow.org/data/"
                                     "imagenet_class_index.json").read_text())
    assert sorted(index, key=int) == [str(i) for i in range(1000)]
    assert all(len(v) == 2 and all(isinstance(s, str) for s in v) for v in index.values())
    assert len({v[0] for v in index.values()}) == 1000


def _extract(mirror, preset: str, dest: Path) -> Path:
    archive = _file(mirror, catalogue.KERAS_HUB_PRESETS[preset]["url"])
    assert archive.name == "download"
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        assert "config.json" in names and "metadata.json" in names
        assert all("/" not in n for n in names), names      # the preset's files at the archive root
        tar.extractall(dest, filter="data")
    return dest


def test_detector_preset_stand_in(mirror, tmp_path):
    import keras_hub

    folder = _extract(mirror, "dfine_nano_coco", tmp_path / "dfine")
    detector = keras_hub.models.ObjectDetector.from_preset(str(folder), bounding_box_format="yxyx")
    assert type(detector).__name__ == "DFineObjectDetector"
    assert detector.num_classes == 80
    images = np.random.default_rng(1).uniform(0, 255, (2, 320, 480, 3)).astype("float32")
    out = detector.predict(images, verbose=0)
    assert {"boxes", "confidence", "labels", "num_detections"} <= set(out)
    assert out["boxes"].shape[:1] == (2,) and out["boxes"].shape[-1] == 4
    assert np.ravel(out["num_detections"]).shape == (2,)


def test_detector_stand_in_in_notebook_04s_calls(mirror, tmp_path):
    """Notebook 04's detect(): one photo at a time, resized to the converter's size; its class biases are set
    so that the drawing code sees boxes.  (A second predict with another batch size fails inside KerasHub
    0.32's NonMaxSuppression, the real preset as well: the notebook always predicts batches of one.)"""
    import keras_hub
    import skimage.data
    import tensorflow as tf

    folder = _extract(mirror, "dfine_nano_coco", tmp_path / "dfine")
    hub_model = keras_hub.models.ObjectDetector.from_preset(str(folder), bounding_box_format="yxyx")
    converter = getattr(hub_model.preprocessor, "image_converter", None)
    hub_size = tuple(getattr(converter, "image_size", None) or (640, 640))
    assert hub_size == (640, 640) and hub_model.num_classes == 80
    found = []
    for photo in (skimage.data.astronaut(), skimage.data.coffee()):
        out = hub_model.predict(tf.image.resize(photo[None].astype("float32"), hub_size).numpy(), verbose=0)
        n = int(np.ravel(out["num_detections"])[0])
        assert 0 <= n <= np.asarray(out["boxes"]).shape[1]
        yxyx = np.asarray(out["boxes"], dtype=float)[0, :n]
        assert np.all(np.isfinite(yxyx))
        assert np.all(np.asarray(out["confidence"], dtype=float)[0, :n] >= 0.5)
        assert np.all((np.asarray(out["labels"]).astype(int)[0, :n] >= 0) & (np.asarray(out["labels"])[0, :n] < 80))
        found.append(n)
    assert found[0] > 0, found


def test_segmenter_preset_stand_in(mirror, tmp_path):
    import keras_hub

    folder = _extract(mirror, "deeplab_v3_plus_resnet50_pascalvoc", tmp_path / "deeplab")
    segmenter = keras_hub.models.ImageSegmenter.from_preset(str(folder))
    assert type(segmenter).__name__ == "DeepLabV3ImageSegmenter"
    images = np.random.default_rng(2).uniform(0, 255, (2, 512, 512, 3)).astype("float32")
    scores = segmenter.predict(images, verbose=0)
    assert scores.shape == (2, 512, 512, 21)
    assert np.all(np.isfinite(scores))
    # notebook 05: one photo at a time, resized to 512x512, argmax over the classes
    import keras
    import skimage.data
    for photo in (skimage.data.astronaut(), skimage.data.chelsea()):
        image = keras.ops.convert_to_numpy(keras.ops.image.resize(photo[None].astype("float32"), (512, 512)))
        labels = np.argmax(segmenter.predict(image, verbose=0)[0], axis=-1)
        assert labels.shape == (512, 512) and labels.max() < 21
