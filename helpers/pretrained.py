"""Where pretrained weights come from: keras.applications, KerasHub presets, MTCNN.

Each loader builds the model the notebook names and turns an offline weight download into one
clear ``DownloadError`` that says the way out.
"""
from __future__ import annotations

import os
import socket
import urllib.error
from http.client import HTTPException
from pathlib import Path
from typing import Any

import numpy as np

from helpers.download import DownloadError


# ---------------------------------------------------------------- pretrained Keras weights

KERAS_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


def _keras_cache() -> Path:
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "models"


def _weights_error(what: str, err: BaseException) -> DownloadError:
    path = _keras_cache()
    return DownloadError(
        f"Could not download the {what} from {KERAS_WEIGHTS_URL}: {err}\n"
        f"Cache path: {path}\n"
        f"Way out: set DLCV_SMOKE=1 (smoke mode builds the model with weights=None), "
        f"or copy the weight file into {path}", dataset=what, url=KERAS_WEIGHTS_URL, path=path)


def _is_network_error(err: BaseException) -> bool:
    return isinstance(err, (urllib.error.URLError, OSError, HTTPException, socket.timeout)) or \
        "URL fetch failure" in str(err)


def keras_application(name: str, weights: str | None = "imagenet", **kwargs: Any) -> Any:
    """Build ``keras.applications.<name>``; an offline weight download becomes one clear DownloadError."""
    import keras

    builder = getattr(keras.applications, name, None)
    if builder is None or not callable(builder) or name[:1].islower():
        raise ValueError(f"unknown Keras application {name!r}; expected a class such as 'MobileNetV2', "
                         f"'VGG16', 'ResNet50' (see dir(keras.applications))")
    try:
        return builder(weights=weights, **kwargs)
    except Exception as err:  # keras wraps network failures in a plain Exception
        if weights is not None and _is_network_error(err):
            raise _weights_error(f"{name} {weights} weights", err) from None
        raise


def imagenet_decode(scores: Any, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """``keras.applications.imagenet_utils.decode_predictions`` with the same clear error when offline."""
    import keras

    try:
        return keras.applications.imagenet_utils.decode_predictions(np.asarray(scores), top=top)
    except Exception as err:
        if _is_network_error(err):
            raise _weights_error("ImageNet class index", err) from None
        raise



KERAS_HUB_URL = "https://www.kaggle.com/models/keras (KerasHub presets)"


def keras_hub_preset(task: str, preset: str, smoke_note: str, **kwargs: Any) -> Any:
    """``keras_hub.models.<task>.from_preset(preset)``; an offline download becomes one DownloadError."""
    import keras_hub

    try:
        return getattr(keras_hub.models, task).from_preset(preset, **kwargs)
    except Exception as err:
        if _is_network_error(err):
            cache = Path(os.environ.get("KAGGLEHUB_CACHE") or Path.home() / ".cache" / "kagglehub")
            raise DownloadError(
                f"Could not download the KerasHub preset {preset!r} from {KERAS_HUB_URL}: {err}\n"
                f"Cache path: {cache}\nWay out: set DLCV_SMOKE=1 ({smoke_note}), "
                f"or run once with network so the preset is cached",
                dataset=preset, url=KERAS_HUB_URL, path=cache) from None
        raise


def keras_hub_detector(preset: str = "dfine_nano_coco", bounding_box_format: str = "yxyx",
                       **kwargs: Any) -> Any:
    """``keras_hub.models.ObjectDetector.from_preset(preset)``; an offline download becomes one DownloadError.

    Its ``predict`` returns a dict of 'boxes' (in ``bounding_box_format``, pixels of the image it
    was given), 'confidence', 'labels' and 'num_detections'.  'yxyx' is the format every KerasHub
    detector honours in 0.32 (D-FINE always decodes to it).
    """
    if not isinstance(preset, str) or not preset:
        raise ValueError(f"preset must be a KerasHub preset name such as 'retinanet_resnet50_fpn_coco', "
                         f"got {preset!r}")
    return keras_hub_preset("ObjectDetector", preset, "smoke mode uses an offline stand-in detector",
                            bounding_box_format=bounding_box_format, **kwargs)



def keras_hub_segmenter(preset: str = "deeplab_v3_plus_resnet50_pascalvoc", **kwargs: Any) -> Any:
    """``keras_hub.models.ImageSegmenter.from_preset(preset)``; an offline download becomes one DownloadError.

    The default preset is DeepLab v3+ (ResNet-50) trained on PASCAL VOC: 21 classes,
    ``class_names('pascal_voc')``; ``predict`` on (N, H, W, 3) images in 0..255 returns per-pixel logits
    at the preprocessor's image size.
    """
    if not isinstance(preset, str) or not preset:
        raise ValueError(f"preset must be a KerasHub segmenter preset such as 'deeplab_v3_plus_resnet50_pascalvoc', "
                         f"got {preset!r}")
    return keras_hub_preset("ImageSegmenter", preset, "smoke mode skips the pretrained segmenter", **kwargs)
