"""helpers.pretrained: Keras application weights and KerasHub presets, and the one error when offline.

"Offline" here is real: every host but 127.0.0.1 goes through a proxy where nothing listens, so the
code under test meets the same connection failure a student without network meets.
"""
import time
from pathlib import Path

import keras_hub
import numpy as np
import pytest

from helpers import datasets, pretrained
from helpers.datasets import catalogue as C

pytestmark = pytest.mark.usefixtures("isolated_data_dir")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No network: a dead proxy for every scheme; returns the data folder."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy", "DLCV_MIRROR", "DLCV_DIGESTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "kagglehub"))
    return tmp_path / "data"


def test_builds_without_weights():
    model = pretrained.keras_application("MobileNetV2", weights=None, input_shape=(96, 96, 3), alpha=0.35)
    assert model.output_shape == (None, 1000)


def test_unknown_name_is_a_value_error():
    with pytest.raises(ValueError, match="unknown Keras application"):
        pretrained.keras_application("NotANet")
    with pytest.raises(ValueError):
        pretrained.keras_application("imagenet_utils")


def test_offline_weights_give_one_clear_error(offline: Path):
    t = time.perf_counter()
    with pytest.raises(pretrained.DownloadError) as info:
        pretrained.keras_application("MobileNetV2", weights="imagenet")
    assert time.perf_counter() - t < 30
    url = C.keras_weights_url("MobileNetV2")
    msg = str(info.value)
    assert "MobileNetV2 imagenet weights" in msg and url in msg
    assert str(offline / "keras" / url.rsplit("/", 1)[1]) in msg and "DLCV_SMOKE=1" in msg
    assert info.value._render_traceback_()[0].startswith("DownloadError: Could not download")
    assert not list((offline / "keras").glob("*.h5"))


def test_other_errors_pass_through():
    with pytest.raises(ValueError):
        pretrained.keras_application("MobileNetV2", weights=None, input_shape=(7, 7, 3))


def test_imagenet_decode_offline(offline: Path):
    with pytest.raises(pretrained.DownloadError, match="(?s)ImageNet class index.*DLCV_SMOKE=1"):
        pretrained.imagenet_decode(np.ones((1, 1000)) / 1000)
    with pytest.raises(ValueError, match="shape"):
        pretrained.imagenet_decode(np.ones((1, 10)))


@pytest.mark.parametrize("args, url_end", [
    (("MobileNetV2", True, 1.0, 224), "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"),
    (("MobileNetV2", False, 0.35, 97), "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5"),
    (("MobileNetV2", True, 0.5, None), "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224.h5"),
    (("ResNet101V2", False), "resnet/resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    (("EfficientNetV2S", True), "efficientnet_v2/efficientnetv2-s.h5"),
])
def test_weight_file_names_follow_keras(args, url_end):
    assert C.keras_weights_url(*args).endswith("/" + url_end)
    assert C.keras_weights_url("NASNetMobile") is None  # Keras downloads those itself


# ---------------------------------------------------------------- KerasHub presets, offline for real

def test_keras_hub_detector_offline_is_one_clear_error(offline: Path) -> None:
    t = time.perf_counter()
    with pytest.raises(pretrained.DownloadError) as info:
        pretrained.keras_hub_detector("dfine_nano_coco")
    assert time.perf_counter() - t < 60
    message = str(info.value)
    assert "dfine_nano_coco" in message and "DLCV_SMOKE=1" in message and "kagglehub" in message
    assert info.value._render_traceback_()[0].startswith("DownloadError: Could not download")


def test_keras_hub_segmenter_offline_is_one_download_error(offline: Path):
    with pytest.raises(pretrained.DownloadError, match="(?s)deeplab_v3_plus_resnet50_pascalvoc.*DLCV_SMOKE=1"):
        pretrained.keras_hub_segmenter()
    with pytest.raises(ValueError):
        pretrained.keras_hub_segmenter("")
    assert datasets.class_names("pascal_voc")[15] == "person" and len(datasets.class_names("pascal_voc")) == 21


def test_keras_hub_detector_passes_other_errors_and_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
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
