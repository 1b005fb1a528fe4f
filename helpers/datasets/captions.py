"""Captioning data: Flickr8k (8,091 photos x 5 captions) in full mode, two-digit scenes in smoke mode.

``load_flickr8k`` returns the same structure in both modes: ``{"train" | "val" | "test":
(images uint8 (N, H, W, 3), captions list of N lists of reference strings)}``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from helpers import checks
from helpers.config import resolve_smoke
from helpers.datasets import catalogue as C
from helpers.download import _data_dir, fetch

SPLIT_FILES = {"train": "Flickr_8k.trainImages.txt", "val": "Flickr_8k.devImages.txt",
               "test": "Flickr_8k.testImages.txt"}
SMOKE_SCENES = {"train": 3000, "val": 300, "test": 500}


def _find(root: Path, name: str) -> Path:
    hits = sorted(root.rglob(name))
    if not hits:
        raise FileNotFoundError(f"{name} not found under {root}; the Flickr8k archive looks incomplete "
                                "(delete the folder to download it again)")
    return hits[0]


def read_flickr_tokens(path: str | os.PathLike) -> dict[str, list[str]]:
    """Parse Flickr8k.token.txt ('image.jpg#k<TAB>caption' lines) into {image file: [captions]}."""
    captions: dict[str, list[str]] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        key, sep, text = line.partition("\t")
        name = key.split("#")[0].strip()
        if not sep or not name:
            raise ValueError(f"{path}:{n}: expected 'image.jpg#k<TAB>caption', got {line[:60]!r}")
        captions.setdefault(name, []).append(re.sub(r"\s+", " ", text).strip())
    return captions


def _read_image(path: Path, image_size: int) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as img:
        return np.asarray(img.convert("RGB").resize((image_size, image_size), Image.BILINEAR), np.uint8)


def _smoke(image_size: int, sizes: dict[str, int]) -> dict[str, tuple[np.ndarray, list[list[str]]]]:
    from helpers.datasets import load_mnist
    from helpers.synthetic.captions import digit_caption_scenes

    (x_train, y_train), (x_test, y_test) = load_mnist(smoke=True)
    out = {}
    for k, (split, n) in enumerate(sizes.items()):
        digits = (x_train, y_train) if split == "train" else (x_test, y_test)
        images, captions, _ = digit_caption_scenes(n, digits, size=image_size, seed=100 + k)
        out[split] = (np.repeat(images[..., None], 3, axis=-1), captions)
    return out


def load_flickr8k(smoke: bool | None = None, data_dir: str | os.PathLike | None = None, image_size: int | None = None,
                  max_images: int | None = None, images_url: str | None = None,
                  text_url: str | None = None) -> dict[str, tuple[np.ndarray, list[list[str]]]]:
    """Flickr8k as {split: (images uint8 (N, S, S, 3), [[5 captions] per image])}, splits train/val/test.

    Full mode downloads the two archives once (about 1 GB); ``max_images`` keeps the first images of
    each split. Smoke mode returns two-digit scenes (S = ``image_size``, default 56) with 2 captions each.
    """
    max_images = checks.optional_positive_int("max_images", max_images)
    if image_size is not None:
        image_size = checks.int_at_least("image_size", image_size, 32)
    images_url, text_url = images_url or C.FLICKR8K_IMAGES_URL, text_url or C.FLICKR8K_TEXT_URL
    if resolve_smoke(smoke):
        sizes = {k: (v if max_images is None else min(v, int(max_images))) for k, v in SMOKE_SCENES.items()}
        return _smoke(int(image_size or 56) // 2 * 2, sizes)
    folder = _data_dir(data_dir)
    text_root = fetch(text_url, sha256=C.FLICKR8K_SHA256["text"], cache_dir=folder, subdir="flickr8k",
                      dataset="Flickr8k captions", extract=True)
    image_root = fetch(images_url, sha256=C.FLICKR8K_SHA256["images"], cache_dir=folder, subdir="flickr8k",
                       dataset="Flickr8k images", extract=True)
    captions = read_flickr_tokens(_find(text_root, "Flickr8k.token.txt"))
    side = int(image_size or 224)
    files = {p.name: p for p in image_root.rglob("*.jpg")}
    out = {}
    for split, list_name in SPLIT_FILES.items():
        names = [s.strip() for s in _find(text_root, list_name).read_text().splitlines() if s.strip()]
        names = [s for s in names if s in captions and s in files]
        if max_images is not None:
            names = names[:int(max_images)]
        images = np.zeros((len(names), side, side, 3), np.uint8)
        for i, name in enumerate(names):
            images[i] = _read_image(files[name], side)
        out[split] = (images, [captions[s] for s in names])
    return out
