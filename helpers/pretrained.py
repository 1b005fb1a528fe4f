"""Where pretrained weights come from: keras.applications, KerasHub presets, MTCNN.

Each loader builds the model the notebook names and turns an offline weight download into one
clear ``DownloadError`` that says the way out.
"""
from __future__ import annotations

import contextlib
import os
import socket
import urllib.error
from collections.abc import Iterator
from http.client import HTTPException
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from helpers.config import default_data_dir
from helpers.download import DownloadError, fetch, mirror_base


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


@contextlib.contextmanager
def keras_downloads_from_mirror() -> Iterator[None]:
    """While active, and only when ``DLCV_MIRROR`` is set: Keras's weight downloads come from the mirror.

    keras.applications fetches each file with ``keras.utils.get_file(fname, origin, file_hash=...)``;
    here that origin is fetched through ``helpers.download.fetch`` (mirror first, atomic, into Keras's
    own cache folder) and checked against the manifest's sha256 when it pins one
    (``catalogue.KERAS_FILES``), else against the hash Keras itself passes.
    """
    base = mirror_base()
    if base is None:
        yield
        return
    from keras.src.utils import file_utils

    from helpers.datasets import catalogue

    original = file_utils.get_file

    def get_file(fname: str | None = None, origin: str | None = None, *args: Any, **kwargs: Any) -> str:
        if not origin or args or kwargs.get("extract") or kwargs.get("untar"):
            return original(fname, origin, *args, **kwargs)
        fname = fname or PurePosixPath(origin).name
        pinned = catalogue.KERAS_FILES.get(origin)
        path = fetch(origin, fname=fname, sha256=pinned, cache_dir=_keras_cache(), dataset=fname, timeout=60.0)
        keras_hash = kwargs.get("file_hash") or kwargs.get("md5_hash")
        if pinned is None and keras_hash and not file_utils.validate_file(str(path), keras_hash):
            path.unlink(missing_ok=True)
            raise DownloadError(f"{fname} from the mirror {base} does not match the hash Keras expects "
                                f"({keras_hash}); the file was discarded.\nWay out: fill the mirror again "
                                f"(make mirror DEST=...), or unset DLCV_MIRROR", dataset=fname, url=origin, path=path)
        return str(path)

    file_utils.get_file = get_file
    try:
        yield
    finally:
        file_utils.get_file = original


def keras_application(name: str, weights: str | None = "imagenet", **kwargs: Any) -> Any:
    """Build ``keras.applications.<name>``; an offline weight download becomes one clear DownloadError.

    With ``DLCV_MIRROR`` set, the weight file comes from the mirror (see ``keras_downloads_from_mirror``).
    """
    import keras

    builder = getattr(keras.applications, name, None)
    if builder is None or not callable(builder) or name[:1].islower():
        raise ValueError(f"unknown Keras application {name!r}; expected a class such as 'MobileNetV2', "
                         f"'VGG16', 'ResNet50' (see dir(keras.applications))")
    try:
        with keras_downloads_from_mirror():
            return builder(weights=weights, **kwargs)
    except DownloadError:
        raise
    except Exception as err:  # keras wraps network failures in a plain Exception
        if weights is not None and _is_network_error(err):
            raise _weights_error(f"{name} {weights} weights", err) from None
        raise


def imagenet_decode(scores: Any, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """``keras.applications.imagenet_utils.decode_predictions`` with the same clear error when offline."""
    import keras

    try:
        with keras_downloads_from_mirror():
            return keras.applications.imagenet_utils.decode_predictions(np.asarray(scores), top=top)
    except DownloadError:
        raise
    except Exception as err:
        if _is_network_error(err):
            raise _weights_error("ImageNet class index", err) from None
        raise



KERAS_HUB_URL = "https://www.kaggle.com/models/keras (KerasHub presets)"


def _mirrored_preset(preset: str) -> str:
    """The folder of a KerasHub preset fetched from ``DLCV_MIRROR`` (a .tar.gz of the preset's files)."""
    from helpers.datasets import catalogue

    row = catalogue.KERAS_HUB_PRESETS[preset]
    folder = fetch(str(row["url"]), fname=f"{preset}.tar.gz", sha256=row["sha256"],
                   cache_dir=default_data_dir(), subdir="keras_hub", dataset=f"KerasHub preset {preset}",
                   extract=True, timeout=60.0)
    inner = [p for p in folder.iterdir() if p.is_dir()]
    if not (folder / "config.json").is_file() and len(inner) == 1 and (inner[0] / "config.json").is_file():
        folder = inner[0]  # an archive that wraps the preset in one folder
    if not (folder / "config.json").is_file():
        raise DownloadError(f"the mirrored KerasHub preset {preset!r} has no config.json in {folder}\n"
                            f"Way out: fill the mirror again (make mirror DEST=...), or unset DLCV_MIRROR",
                            dataset=preset, url=str(row["url"]), path=folder)
    return str(folder)


def keras_hub_preset(task: str, preset: str, smoke_note: str, **kwargs: Any) -> Any:
    """``keras_hub.models.<task>.from_preset(preset)``; an offline download becomes one DownloadError.

    With ``DLCV_MIRROR`` set, a preset of the manifest (``catalogue.KERAS_HUB_PRESETS``) is loaded from
    the mirror's archive of its folder instead of from Kaggle.
    """
    import keras_hub

    from helpers.datasets import catalogue

    source = _mirrored_preset(preset) if mirror_base() and preset in catalogue.KERAS_HUB_PRESETS else preset
    try:
        return getattr(keras_hub.models, task).from_preset(source, **kwargs)
    except DownloadError:
        raise
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
