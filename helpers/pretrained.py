"""Where pretrained weights come from: keras.applications, KerasHub presets, MTCNN.

Each loader builds the model the notebook names and turns an offline weight download into one
clear ``DownloadError`` that says the way out.  Keras application weights go through
``helpers.download.fetch`` (mirror, digest registry, resume, lock) into ``<DLCV_DATA_DIR>/keras``, and the
model is built with ``weights=<that file>``: no Keras internals are touched.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import urllib.error
from collections.abc import Iterator
from http.client import HTTPException
from pathlib import Path
from typing import Any

import numpy as np

from helpers.config import default_data_dir
from helpers.download import DownloadError, fetch, mirror_base, registered_digest


# ---------------------------------------------------------------- pretrained Keras weights

KERAS_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


@contextlib.contextmanager
def _offline_is_a_download_error(what: str, url: str, cache: Path, way_out: str) -> Iterator[None]:
    """A connection failure inside (an OSError: urllib's, requests', kagglehub's) becomes one DownloadError."""
    try:
        yield
    except DownloadError:
        raise
    except (OSError, urllib.error.URLError, HTTPException) as err:
        raise DownloadError(f"Could not download the {what} from {url}: {err}\nCache path: {cache}\n"
                            f"Way out: {way_out}", dataset=what, url=url, path=cache) from None


def _keras_file(url: str, what: str) -> Path:
    """A Keras weight file (or the class index), fetched once and checked.

    Checked against the digest a registry or the catalogue pins; failing those, against the hash Keras
    publishes for it (``catalogue.KERAS_MD5``).  A file failing its check is deleted.
    """
    from helpers.datasets import catalogue

    path = fetch(url, sha256=catalogue.KERAS_FILES.get(url), cache_dir=default_data_dir(), subdir="keras",
                 dataset=what, timeout=60.0)
    md5 = catalogue.KERAS_MD5.get(url)
    if md5 and not (catalogue.KERAS_FILES.get(url) or registered_digest(url)):
        digest = hashlib.md5()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        actual = digest.hexdigest()
        if actual != md5:
            path.unlink()
            where = f"the mirror {mirror_base()}" if mirror_base() else url
            raise DownloadError(f"{path.name} from {where} does not match the hash Keras publishes for it "
                                f"(md5 {md5}, got {actual}); the file was discarded.\nWay out: run again to "
                                f"download it again, fill the mirror again (make mirror DEST=...), or pin the "
                                f"file's sha256 in a registry (DLCV_DIGESTS)", dataset=what, url=url, path=path)
    return path


def _readable_h5(path: Path) -> bool:
    import h5py

    try:
        with h5py.File(path, "r"):
            return True
    except OSError:
        return False


def keras_application(name: str, weights: str | None = "imagenet", **kwargs: Any) -> Any:
    """Build ``keras.applications.<name>``; its ImageNet weights come through ``fetch``.

    For the builders of ``catalogue.keras_weights_url`` the weight file is fetched (from ``DLCV_MIRROR``
    when set) and passed as ``weights=<path>``; being offline is one DownloadError saying the way out.  A
    cached file that turns out corrupt (truncated) is deleted and downloaded again once.  Other builders
    download through Keras itself.
    """
    import keras

    from helpers.datasets import catalogue

    builder = getattr(keras.applications, name, None)
    if builder is None or not callable(builder) or name[:1].islower():
        raise ValueError(f"unknown Keras application {name!r}; expected a class such as 'MobileNetV2', "
                         f"'VGG16', 'ResNet50' (see dir(keras.applications))")
    shape = kwargs.get("input_shape")
    rows = shape[0] if shape and keras.backend.image_data_format() == "channels_last" else \
        (shape[1] if shape else None)
    url = catalogue.keras_weights_url(name, kwargs.get("include_top", True), kwargs.get("alpha", 1.0),
                                      rows) if weights == "imagenet" else None
    if url is None:
        return builder(weights=weights, **kwargs)
    what = f"{name} imagenet weights"
    for attempt in (1, 2):
        path = _keras_file(url, what)
        try:
            return builder(weights=str(path), **kwargs)
        except Exception as err:
            if _readable_h5(path):
                raise
            path.unlink(missing_ok=True)
            if attempt == 2:
                raise DownloadError(f"The {what} file {path.name} is corrupt even after downloading it again "
                                    f"({err}).\nWay out: fill the mirror again (make mirror DEST=...), or "
                                    f"set DLCV_SMOKE=1", dataset=what, url=url, path=path) from None
            print(f"{path} is corrupt ({str(err).splitlines()[0] if str(err) else type(err).__name__}); "
                  f"it was deleted and is downloaded again")
    raise AssertionError("unreachable")


def imagenet_decode(scores: Any, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """The ``top`` ImageNet classes of each row of ``scores`` (N, 1000) as (wnid, name, score), best first,
    like ``keras.applications.imagenet_utils.decode_predictions``; the class index comes through ``fetch``."""
    from helpers.datasets import catalogue

    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[1] != 1000:
        raise ValueError(f"scores must have shape (samples, 1000), got {scores.shape}")
    index = json.loads(_keras_file(catalogue.CLASS_INDEX_URL, "ImageNet class index").read_text())
    return [[(*index[str(i)], float(row[i])) for i in row.argsort()[-top:][::-1]] for row in scores]


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
    cache = Path(os.environ.get("KAGGLEHUB_CACHE") or Path.home() / ".cache" / "kagglehub")
    with _offline_is_a_download_error(f"KerasHub preset {preset!r}", KERAS_HUB_URL, cache,
                                      f"set DLCV_SMOKE=1 ({smoke_note}), or run once with network so the "
                                      f"preset is cached"):
        return getattr(keras_hub.models, task).from_preset(source, **kwargs)


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
