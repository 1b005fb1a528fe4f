"""helpers.pretrained.keras_application / imagenet_decode: pretrained weights and their offline error."""
import time

import numpy as np
import pytest

from helpers import datasets, pretrained


def test_builds_without_weights():
    model = pretrained.keras_application("MobileNetV2", weights=None, input_shape=(96, 96, 3), alpha=0.35)
    assert model.output_shape == (None, 1000)


def test_unknown_name_is_a_value_error():
    with pytest.raises(ValueError, match="unknown Keras application"):
        pretrained.keras_application("NotANet")
    with pytest.raises(ValueError):
        pretrained.keras_application("imagenet_utils")


def test_offline_weights_give_one_clear_error(monkeypatch, tmp_path):
    from keras.src.applications import mobilenet_v2

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://example.invalid/w.h5: None -- [Errno -2] Name or service not known")

    monkeypatch.setattr(mobilenet_v2.file_utils, "get_file", offline)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    t = time.perf_counter()
    with pytest.raises(pretrained.DownloadError) as info:
        pretrained.keras_application("MobileNetV2", weights="imagenet")
    assert time.perf_counter() - t < 30
    msg = str(info.value)
    assert "MobileNetV2 imagenet weights" in msg and pretrained.KERAS_WEIGHTS_URL in msg
    assert str(tmp_path / "models") in msg and "DLCV_SMOKE=1" in msg
    assert info.value._render_traceback_()[0].startswith("DownloadError: Could not download")


def test_other_errors_pass_through():
    with pytest.raises(ValueError):
        pretrained.keras_application("MobileNetV2", weights=None, input_shape=(7, 7, 3))


def test_imagenet_decode_offline(monkeypatch):
    from keras.src.applications import imagenet_utils

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://example.invalid/index.json: None -- offline")

    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(imagenet_utils.file_utils, "get_file", offline)
    with pytest.raises(pretrained.DownloadError, match="ImageNet class index"):
        pretrained.imagenet_decode(np.ones((1, 1000)) / 1000)



# ---------------------------------------------------------------- KerasHub detector

def test_keras_hub_detector_offline_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    keras_hub = pytest.importorskip("keras_hub")

    def offline(*args, **kwargs):
        raise OSError("HTTPSConnectionPool(host='api.kaggle.com'): Failed to resolve 'api.kaggle.com'")

    monkeypatch.setattr(keras_hub.models.ObjectDetector, "from_preset", offline)
    with pytest.raises(pretrained.DownloadError) as info:
        pretrained.keras_hub_detector("dfine_nano_coco")
    message = str(info.value)
    assert "dfine_nano_coco" in message and "DLCV_SMOKE=1" in message and "Cache path" in message
    assert info.value._render_traceback_()[0].startswith("DownloadError: Could not download")


def test_keras_hub_detector_passes_other_errors_and_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    keras_hub = pytest.importorskip("keras_hub")
    calls = []

    def fake(preset, **kwargs):
        calls.append((preset, kwargs))
        if preset == "nope":
            raise ValueError("unknown preset 'nope'")
        return "model"

    monkeypatch.setattr(keras_hub.models.ObjectDetector, "from_preset", fake)
    assert pretrained.keras_hub_detector("retinanet_resnet50_fpn_coco", bounding_box_format="xyxy") == "model"
    assert calls[-1] == ("retinanet_resnet50_fpn_coco", {"bounding_box_format": "xyxy"})
    with pytest.raises(ValueError, match="unknown preset"):
        pretrained.keras_hub_detector("nope")
    with pytest.raises(ValueError, match="preset must be"):
        pretrained.keras_hub_detector("")



# ---------------------------------------------------------------- KerasHub segmenter

def test_keras_hub_segmenter_offline_is_one_download_error(monkeypatch: pytest.MonkeyPatch):
    import keras_hub

    def offline(*args, **kwargs):
        raise OSError("Failed to resolve 'api.kaggle.com'")

    monkeypatch.setattr(keras_hub.models.ImageSegmenter, "from_preset", offline)
    with pytest.raises(pretrained.DownloadError, match="(?s)deeplab_v3_plus_resnet50_pascalvoc.*DLCV_SMOKE=1"):
        pretrained.keras_hub_segmenter()
    with pytest.raises(ValueError):
        pretrained.keras_hub_segmenter("")
    assert datasets.class_names("pascal_voc")[15] == "person" and len(datasets.class_names("pascal_voc")) == 21
