"""helpers.pretrained.keras_application / imagenet_decode: pretrained weights and their offline error."""
import time

import numpy as np
import pytest

from helpers import pretrained


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
