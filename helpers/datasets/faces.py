"""Face datasets: Labeled Faces in the Wild (LFW) with identities.

Full mode reads TFDS ``lfw`` (13,233 photos of 5,749 people, 250 x 250 RGB, the person's name as
the label), keeps people with at least ``min_images`` photos, crops the centre (LFW photos are
centred on the face found by a Viola-Jones detector) and resizes.  Smoke mode returns the 100
faces of ``skimage.data.lfw_subset()``: real LFW crops, but without identities, so every face is
its own label; notebooks must present anything computed on them as a mechanics demo.
"""
from __future__ import annotations

import os

import numpy as np

from helpers import checks
from helpers.config import resolve_smoke
from helpers.tfds_loader import load_tfds



def _resize(images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    out = [cv2.resize(im, (size[1], size[0]), interpolation=cv2.INTER_AREA if im.shape[0] > size[0]
                      else cv2.INTER_CUBIC) for im in images]
    return np.clip(np.stack(out), 0, 255).astype(np.uint8).reshape(len(images), size[0], size[1], -1)


def _smoke_lfw(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    import skimage.data

    faces = (skimage.data.lfw_subset()[:100] * 255).round().astype(np.uint8)  # the first 100 are faces
    rgb = np.repeat(_resize(faces, size), 3, axis=-1)
    return rgb, np.arange(len(rgb), dtype=np.int64), [f"lfw_subset face {i}" for i in range(len(rgb))]


def load_lfw(smoke: bool | None = None, data_dir: str | os.PathLike | None = None,
             image_size: tuple[int, int] = (100, 100), min_images: int = 10, max_per_person: int | None = 40,
             crop: int = 150) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """LFW faces as (images uint8 (N, H, W, 3), labels int (N,), names) where ``names[label]`` is the person.

    Full: TFDS ``lfw``, people with at least ``min_images`` photos (at most ``max_per_person`` each, the
    first in file order), the central ``crop`` x ``crop`` pixels resized to ``image_size``.  Smoke: the
    100 ``skimage.data.lfw_subset`` faces, label i = face i (no identities).
    """
    size = checks.image_size("image_size", image_size, 1)
    min_images, crop = checks.positive_int("min_images", min_images), checks.int_at_least("crop", crop, 8)
    if max_per_person is not None and (isinstance(max_per_person, bool) or not isinstance(max_per_person, int)
                                       or max_per_person < min_images):
        raise ValueError(f"max_per_person must be None or an int >= min_images ({min_images}), got {max_per_person!r}")
    if crop > 250:
        raise ValueError(f"crop must be at most 250 (the LFW photo side), got {crop}")
    if resolve_smoke(smoke):
        return _smoke_lfw(size)
    from helpers.datasets import catalogue
    from helpers.download import _data_dir

    catalogue.announce_download("lfw", _data_dir(data_dir) / "tfds" / "lfw")
    ds = load_tfds("lfw", split="train", data_dir=data_dir, as_supervised=True, dataset="LFW")
    by_person: dict[str, list[np.ndarray]] = {}
    for label, image in ds.as_numpy_iterator():
        name = label.decode("utf-8") if isinstance(label, bytes) else str(label)
        images = by_person.setdefault(name, [])
        if max_per_person is None or len(images) < max_per_person:
            h, w = image.shape[:2]
            top, left = max(0, (h - crop) // 2), max(0, (w - crop) // 2)
            images.append(image[top:top + crop, left:left + crop])
    names = sorted(n for n, ims in by_person.items() if len(ims) >= min_images)
    if not names:
        raise ValueError(f"no person in LFW has at least min_images={min_images} photos")
    images = np.concatenate([_resize(np.stack(by_person[n]), size) for n in names])
    labels = np.concatenate([np.full(len(by_person[n]), i, np.int64) for i, n in enumerate(names)])
    return images, labels, names
