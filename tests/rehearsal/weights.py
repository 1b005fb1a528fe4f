"""Stand-ins for the pretrained weights the course downloads (the ``keras/`` and ``keras_hub/`` manifest rows).

Each file is written in the real format under ``root / mirror_path(url)``:

* Keras application weights (``*.h5``): the ``keras.applications`` model that the file name implies
  (architecture, width, input size, with or without its top), built with ``weights=None`` from a fixed
  seed and saved in the legacy Keras HDF5 weights layout that the real files use, so that
  ``keras.applications.<Name>(weights=<that file>, <same config>)`` loads it.  Random weights: the
  notebooks run, their numbers mean nothing.
* ``imagenet_class_index.json``: the real layout ("0".."999" -> [wnid, name]) with made-up wnids and names.
* KerasHub presets: a small randomly initialised model of the same task and family (D-FINE object
  detector, 80 COCO classes; DeepLabV3+ segmenter on a small ResNet, 21 VOC classes) with the real
  preset's preprocessor class and image size (the DeepLab scale is a guess, see below), saved with ``save_to_preset`` and packed as a gzip tar with the
  preset's files at the archive root (what Kaggle serves for a model version).

Generating takes 15-20 s on two cores (building InceptionV3, ResNet50 ...; about 290 MB); pass ``cache`` to reuse what an
earlier call generated with the same Keras and KerasHub versions.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.datasets import catalogue
from helpers.download import mirror_path, sha256_of

# Bump when what is generated changes, so that caches made by older code are not reused.
FORMAT_VERSION = 1
SEED = 0
PRESET_DATE_SAVED = "2025-01-01@00:00:00"   # in the presets' metadata.json, so that each build gives the same bytes

# ------------------------------------------------------------------ Keras application weights

# <arch>_weights_tf_dim_ordering_tf_kernels[_notop].h5 -> keras.applications builder
_PLAIN_ARCHS = {
    "vgg16": "VGG16", "vgg19": "VGG19", "resnet50": "ResNet50", "resnet101": "ResNet101",
    "resnet152": "ResNet152", "resnet50v2": "ResNet50V2", "resnet101v2": "ResNet101V2",
    "resnet152v2": "ResNet152V2", "inception_v3": "InceptionV3", "inception_resnet_v2": "InceptionResNetV2",
    "xception": "Xception",
}
_EFFICIENTNET_V2 = {"b0": "EfficientNetV2B0", "b1": "EfficientNetV2B1", "b2": "EfficientNetV2B2",
                    "b3": "EfficientNetV2B3", "s": "EfficientNetV2S", "m": "EfficientNetV2M", "l": "EfficientNetV2L"}


def keras_app_config(file_name: str) -> tuple[str, dict[str, Any]]:
    """The ``keras.applications`` builder and keyword arguments a weight file's name implies.

    >>> keras_app_config("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128.h5")
    ('MobileNetV2', {'alpha': 1.0, 'input_shape': (128, 128, 3), 'include_top': True})
    """
    m = re.fullmatch(r"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_([\d.]+)_(\d+)(_no_top)?\.h5", file_name)
    if m:
        rows = int(m[2])
        return "MobileNetV2", {"alpha": float(m[1]), "input_shape": (rows, rows, 3), "include_top": not m[3]}
    m = re.fullmatch(r"(\w+?)_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5", file_name)
    if m and m[1] in _PLAIN_ARCHS:
        return _PLAIN_ARCHS[m[1]], {"include_top": not m[2]}
    m = re.fullmatch(r"efficientnetv2-(b[0-3]|s|m|l)(_notop)?\.h5", file_name)
    if m:
        return _EFFICIENTNET_V2[m[1]], {"include_top": not m[2]}
    m = re.fullmatch(r"efficientnet(b[0-7])(_notop)?\.h5", file_name)
    if m:
        return f"EfficientNet{m[1].upper()}", {"include_top": not m[2]}
    raise ValueError(f"no keras.applications configuration known for the weight file {file_name!r}")


def _write_keras_weights(file_name: str, target: Path) -> None:
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    name, kwargs = keras_app_config(file_name)
    keras.utils.set_random_seed(SEED)
    model = getattr(keras.applications, name)(weights=None, **kwargs)
    with h5py.File(target, "w") as f:          # the layout of the real files (Keras 2's save_weights to .h5)
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    keras.backend.clear_session()


def _write_class_index(target: Path) -> None:
    index = {str(i): [f"n{i:08d}", f"class_{i:03d}"] for i in range(1000)}
    target.write_text(json.dumps(index))


# ------------------------------------------------------------------ KerasHub presets

def _calibrate_detector(detector: Any, classes: tuple[int, ...] = (0, 2, 15, 16), share: float = 0.02) -> None:
    """Shift the class biases so that a few queries pass the 0.5 confidence threshold.

    With its random weights every logit sits near the prior (-4.4), so the detector would find nothing
    and the notebooks' drawing code would only ever see empty results.  For a few COCO classes (person,
    car, cat, dog) the bias moves so that about ``share`` of the queries on a seeded image score above 0.5.
    """
    import keras
    import numpy as np

    rng = np.random.default_rng(SEED)
    ramp = np.linspace(0, 255, 640, dtype="float32")
    images = np.stack([rng.uniform(0, 255, (480, 640, 3)).astype("float32"),
                       np.broadcast_to(ramp[None, :, None], (480, 640, 3)).copy()])
    logits = keras.ops.convert_to_numpy(detector(detector.preprocessor(images))["logits"])
    for layer in detector.backbone.decoder.class_embed:
        bias = layer.bias.numpy()
        for c in classes:
            bias[c] -= float(np.quantile(logits[..., c], 1 - share))
        layer.bias.assign(bias)


def _dfine_nano_standin() -> Any:
    """A tiny D-FINE (HGNetV2 stages 3/4, strides 16/32 like the nano) for 80 COCO classes.

    Preprocessor as in KerasHub's conversion of the D-FINE checkpoints: 640x640, pixels times 1/255,
    crop to aspect ratio.
    """
    import keras_hub
    from keras_hub.models import DFineBackbone, DFineObjectDetector, HGNetV2Backbone

    hgnet = HGNetV2Backbone(
        stem_channels=[3, 8, 8],
        stackwise_stage_filters=[[8, 8, 16, 1, 2, 3], [16, 8, 32, 1, 2, 3], [32, 16, 64, 1, 2, 5],
                                 [64, 16, 64, 1, 2, 5]],
        apply_downsample=[False, True, True, True], use_lightweight_conv_block=[False, False, True, True],
        depths=[1, 1, 1, 1], hidden_sizes=[16, 32, 64, 64], embedding_size=8, use_learnable_affine_block=True,
        hidden_act="relu", image_shape=(None, None, 3), out_features=["stage3", "stage4"])
    backbone = DFineBackbone(
        backbone=hgnet, decoder_in_channels=[32, 32], encoder_hidden_dim=32, num_denoising=0, num_labels=80,
        hidden_dim=32, learn_initial_query=False, num_queries=300, anchor_image_size=(640, 640),
        feat_strides=[16, 32], num_feature_levels=2, encoder_in_channels=[64, 64], encode_proj_layers=[1],
        num_attention_heads=2, encoder_ffn_dim=64, num_encoder_layers=1, hidden_expansion=0.34,
        depth_multiplier=0.5, eval_idx=-1, num_decoder_layers=1, decoder_attention_heads=2, decoder_ffn_dim=64,
        decoder_n_points=[2, 2], lqe_hidden_dim=16, num_lqe_layers=2, out_features=["stage3", "stage4"],
        image_shape=(None, None, 3), seed=SEED)
    converter = keras_hub.layers.DFineImageConverter(image_size=(640, 640), scale=1 / 255.0,
                                                     crop_to_aspect_ratio=True)
    preprocessor = keras_hub.models.DFineObjectDetectorPreprocessor(image_converter=converter)
    detector = DFineObjectDetector(backbone=backbone, num_classes=80, bounding_box_format="yxyx",
                                   preprocessor=preprocessor)
    _calibrate_detector(detector)
    return detector


def _deeplab_v3_plus_standin() -> Any:
    """DeepLabV3+ (low-level features P2, pyramid pooling on P5, rates 6/12/18) on a small bottleneck ResNet;
    21 PASCAL VOC classes, 512x512 input scaled by 1/255 (the real preset's converter settings are not in
    KerasHub's source; these are a guess that keeps the notebook's 512x512 call)."""
    import keras_hub

    encoder = keras_hub.models.ResNetBackbone(
        input_conv_filters=[16], input_conv_kernel_sizes=[7], stackwise_num_filters=[64, 16, 16, 16],
        stackwise_num_blocks=[1, 1, 1, 1], stackwise_num_strides=[1, 2, 2, 2], block_type="bottleneck_block",
        use_pre_activation=False, image_shape=(None, None, 3))
    backbone = keras_hub.models.DeepLabV3Backbone(
        image_encoder=encoder, low_level_feature_key="P2", spatial_pyramid_pooling_key="P5", upsampling_size=8,
        dilation_rates=[6, 12, 18], projection_filters=48, image_shape=(None, None, 3))
    converter = keras_hub.layers.DeepLabV3ImageConverter(image_size=(512, 512), scale=1 / 255.0)
    preprocessor = keras_hub.models.DeepLabV3ImageSegmenterPreprocessor(image_converter=converter)
    return keras_hub.models.DeepLabV3ImageSegmenter(backbone=backbone, num_classes=21, preprocessor=preprocessor)


PRESET_STANDINS: dict[str, Callable[[], Any]] = {
    "dfine_nano_coco": _dfine_nano_standin,
    "deeplab_v3_plus_resnet50_pascalvoc": _deeplab_v3_plus_standin,
}


def pack_preset(folder: Path, target: Path) -> None:
    """A gzip tar of ``folder``'s files at the archive root, byte for byte the same for the same files."""
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = tarfile.TarInfo(path.relative_to(folder).as_posix())
            info.size, info.mode, info.mtime = path.stat().st_size, 0o644, 0
            with open(path, "rb") as f:
                tar.addfile(info, f)


def _write_preset(preset: str, target: Path) -> None:
    import keras

    if preset not in PRESET_STANDINS:
        raise ValueError(f"no stand-in known for the KerasHub preset {preset!r}; "
                         f"known: {sorted(PRESET_STANDINS)}")
    keras.utils.set_random_seed(SEED)
    model = PRESET_STANDINS[preset]()
    with tempfile.TemporaryDirectory(prefix="preset-") as tmp:
        model.save_to_preset(tmp)
        metadata = Path(tmp) / "metadata.json"       # its save date is the only thing that changes run to run
        if metadata.is_file():
            meta = json.loads(metadata.read_text())
            if "date_saved" in meta:
                meta["date_saved"] = PRESET_DATE_SAVED
                metadata.write_text(json.dumps(meta, indent=4))
        pack_preset(Path(tmp), target)
    keras.backend.clear_session()


# ------------------------------------------------------------------ the manifest rows

def weight_rows() -> list[dict[str, Any]]:
    """The manifest rows this module writes: names starting with 'keras/' or 'keras_hub/'."""
    return [row for row in catalogue.files() if str(row["name"]).startswith(("keras/", "keras_hub/"))]


def _writer(row: dict[str, Any]) -> Callable[[Path], None]:
    name = str(row["name"])
    if name.startswith("keras_hub/"):
        preset = name.split("/", 1)[1]
        return lambda target: _write_preset(preset, target)
    file_name = str(row["url"]).rsplit("/", 1)[1]
    if file_name == "imagenet_class_index.json":
        return _write_class_index
    if file_name.endswith(".h5"):
        return lambda target: _write_keras_weights(file_name, target)
    raise ValueError(f"no stand-in known for the manifest row {name!r} ({row['url']})")


def cache_key() -> str:
    """The cache subfolder: what is generated depends on these versions."""
    import keras
    import keras_hub

    return f"weights-v{FORMAT_VERSION}-keras{keras.__version__}-keras_hub{keras_hub.__version__}"


def _generate(writer: Callable[[Path], None], target: Path) -> None:
    """Write through a temporary name in the same folder, so a broken run leaves no half file behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _place(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target`` (copy where links are not possible)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_weight_files(root: Path, cache: Path | None = None) -> dict[str, str]:
    """Write a stand-in of every keras/ and keras_hub/ manifest file at root / mirror_path(url); return {url: sha256}.

    With ``cache`` (a folder), files are generated once into ``cache / cache_key()`` and hard-linked (or
    copied) into ``root``; later calls with the same Keras and KerasHub versions reuse them.
    """
    root = Path(root)
    store = Path(cache) / cache_key() if cache is not None else None
    digests: dict[str, str] = {}
    for row in weight_rows():
        url = str(row["url"])
        target = root / mirror_path(url)
        if store is None:
            _generate(_writer(row), target)
        else:
            cached = store / mirror_path(url)
            if not cached.is_file():
                _generate(_writer(row), cached)
            _place(cached, target)
        digests[url] = sha256_of(target)
    return digests


if __name__ == "__main__":   # python -m tests.rehearsal.weights ROOT [CACHE]: generate and time it
    import sys
    import time

    start = time.perf_counter()
    written = write_weight_files(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
    for url, digest in written.items():
        path = Path(sys.argv[1]) / mirror_path(url)
        print(f"{path.stat().st_size:>12,d}  {digest[:12]}  {mirror_path(url)}")
    print(f"{len(written)} files in {time.perf_counter() - start:.1f} s")
