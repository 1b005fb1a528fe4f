"""Detection datasets: Penn-Fudan pedestrians (boxes and instance masks)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from helpers.config import resolve_smoke
from helpers.datasets import catalogue as C
from helpers.download import DownloadError, _data_dir, fetch
from helpers.synthetic.scenes import boxes_from_mask


def _read_penn_fudan(root: Path, max_images: int | None) -> tuple[list, list, list]:
    from PIL import Image

    if (root / "PennFudanPed").is_dir():
        root = root / "PennFudanPed"
    photos = sorted((root / "PNGImages").glob("*.png"))
    if not photos or not (root / "PedMasks").is_dir():
        raise DownloadError(f"{root} does not look like Penn-Fudan (no PNGImages/*.png or PedMasks/); delete "
                            f"it so the next call downloads the archive again", dataset="Penn-Fudan", path=root)
    images, boxes, masks = [], [], []
    for photo in photos[:max_images]:
        mask_path = root / "PedMasks" / f"{photo.stem}_mask.png"
        if not mask_path.is_file():
            raise DownloadError(f"Penn-Fudan: {photo.name} has no mask {mask_path}; delete {root} and retry",
                                dataset="Penn-Fudan", path=root)
        with Image.open(photo) as im:
            images.append(np.asarray(im.convert("RGB")))
        with Image.open(mask_path) as im:
            mask = np.asarray(im).astype(np.uint8)
        if mask.shape != images[-1].shape[:2]:
            raise DownloadError(f"Penn-Fudan: {mask_path.name} is {mask.shape}, its photo "
                                f"{images[-1].shape[:2]}", dataset="Penn-Fudan", path=root)
        masks.append(mask)
        boxes.append(boxes_from_mask(mask))
    return images, boxes, masks


def load_penn_fudan(smoke: bool | None = None, data_dir: str | os.PathLike | None = None,
                    max_images: int | None = None, url: str | None = None) -> tuple[list, list, list]:
    """Penn-Fudan pedestrians as ``(images, boxes, masks)`` lists, one entry per photo.

    images uint8 (H, W, 3) (sizes vary); boxes float32 (k, 4) pixel ``[x1, y1, x2, y2]``
    (exclusive end) computed from the instance masks; masks uint8 (H, W) with 0 = background
    and 1..k = the people.  Full: downloads and extracts the zip once (``url`` is for mirrors
    and tests).  Smoke: ``helpers.synthetic.pedestrian_scenes`` (12 scenes), same types.
    """
    if max_images is not None and (isinstance(max_images, bool) or int(max_images) != max_images
                                   or max_images <= 0):
        raise ValueError(f"max_images must be None or a positive int, got {max_images!r}")
    if resolve_smoke(smoke):
        from helpers.synthetic import pedestrian_scenes

        return pedestrian_scenes(int(max_images or C.SMOKE_PENN_FUDAN), seed=0)
    folder = fetch(url or C.PENN_FUDAN_URL, fname="PennFudanPed.zip", sha256=C.PENN_FUDAN_SHA256, cache_dir=_data_dir(data_dir),
                   dataset="Penn-Fudan pedestrians", extract=True, timeout=60.0)
    return _read_penn_fudan(folder, None if max_images is None else int(max_images))
