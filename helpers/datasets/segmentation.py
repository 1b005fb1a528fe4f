"""Segmentation datasets: Oxford-IIIT Pet masks (TFDS), Kaggle ultrasound nerves, LandCover.ai aerial tiles."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from helpers import checks
from helpers.config import resolve_smoke
from helpers.datasets import catalogue as C
from helpers.tfds_loader import load_tfds
from helpers.download import DownloadError, _data_dir, extract, fetch


def _resize(image: np.ndarray, size: tuple[int, int], nearest: bool) -> np.ndarray:
    """uint8 (H, W) or (H, W, C) resized to size = (height, width) with PIL (nearest for label maps)."""
    from PIL import Image

    squeeze = image.ndim == 3 and image.shape[-1] == 1
    im = Image.fromarray(image[..., 0] if squeeze else image)
    im = im.resize((size[1], size[0]), Image.NEAREST if nearest else Image.BILINEAR)
    out = np.asarray(im)
    return out[..., None] if squeeze else out


def _square_crop(images: np.ndarray, masks: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    h, w = size
    return np.ascontiguousarray(images[:, :h, :w]), np.ascontiguousarray(masks[:, :h, :w])


# ---------------------------------------------------------------- Oxford-IIIT Pet masks

def _pet_split(split: str, n: int | None, size: tuple[int, int], data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    import tensorflow_datasets as tfds

    ds = load_tfds("oxford_iiit_pet", split=split, data_dir=data_dir, as_supervised=False,
                   dataset="Oxford-IIIT Pet masks")
    if n is not None:
        ds = ds.take(n)
    images, masks = [], []
    for ex in tfds.as_numpy(ds):
        trimap = np.asarray(ex["segmentation_mask"])
        trimap = trimap[..., 0] if trimap.ndim == 3 else trimap
        images.append(_resize(np.asarray(ex["image"], dtype=np.uint8), size, nearest=False))
        # TFDS trimap: 1 = pet, 2 = background, 3 = the uncertain outline; the outline counts as pet here.
        masks.append(_resize((trimap != 2).astype(np.uint8), size, nearest=True)[..., None])
    if not images:
        raise ValueError(f"TFDS oxford_iiit_pet split {split!r} gave no examples")
    return np.stack(images), np.stack(masks)


def load_pet_masks(smoke: bool | None = None, data_dir: str | os.PathLike | None = None,
                   image_size: tuple[int, int] = (128, 128), n_train: int | None = None,
                   n_val: int | None = None) -> tuple[tuple, tuple]:
    """Oxford-IIIT Pet as ((x_train, m_train), (x_val, m_val)) for binary segmentation.

    images uint8 (N, h, w, 3); masks uint8 (N, h, w, 1), 1 = pet (its outline included), 0 = background.
    Full: TFDS 'train' and 'test' splits (all of them unless ``n_train`` / ``n_val`` cap the counts),
    resized to ``image_size``.  Smoke: synthetic shape scenes, 200 + 50, any shape = foreground.
    """
    size = checks.image_size("image_size", image_size)
    n_train, n_val = checks.optional_positive_int("n_train", n_train), checks.optional_positive_int("n_val", n_val)
    if resolve_smoke(smoke):
        from helpers.synthetic import shape_mask_scenes

        default = C.SMOKE_SEGMENTATION["oxford_iiit_pet_masks"]
        out = []
        for n, seed in ((n_train or default[0], 0), (n_val or default[1], 1)):
            x, m = shape_mask_scenes(n, max(size), seed=seed)
            out.append(_square_crop(x, (m > 0).astype(np.uint8)[..., None], size))
        return out[0], out[1]
    root = _data_dir(data_dir)
    return _pet_split("train", n_train, size, root), _pet_split("test", n_val, size, root)


# ---------------------------------------------------------------- Kaggle ultrasound nerve segmentation

def _kaggle_auth() -> str | None:
    """The Authorization header for Kaggle's API from KAGGLE_API_TOKEN, KAGGLE_USERNAME/KAGGLE_KEY or
    ~/.kaggle (access_token or kaggle.json; KAGGLE_CONFIG_DIR moves that folder); None without credentials."""
    import base64
    import json

    config = Path(os.environ.get("KAGGLE_CONFIG_DIR") or Path.home() / ".kaggle")
    token = os.environ.get("KAGGLE_API_TOKEN", "").strip()
    if not token and (config / "access_token").is_file():
        token = (config / "access_token").read_text(encoding="utf-8").strip()
    if token:
        return f"Bearer {token}"
    user, key = os.environ.get("KAGGLE_USERNAME", "").strip(), os.environ.get("KAGGLE_KEY", "").strip()
    if not (user and key) and (config / "kaggle.json").is_file():
        try:
            info = json.loads((config / "kaggle.json").read_text(encoding="utf-8"))
            user, key = str(info.get("username", "")).strip(), str(info.get("key", "")).strip()
        except (OSError, ValueError, AttributeError):
            user = key = ""
    if user and key:
        return "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()
    return None


def has_kaggle_credentials() -> bool:
    """True when a Kaggle API token or username/key is configured (environment or ~/.kaggle)."""
    return _kaggle_auth() is not None


def _no_kaggle_error(folder: Path) -> DownloadError:
    return DownloadError(
        f"The Kaggle ultrasound nerve data needs a Kaggle account: no credentials found (KAGGLE_API_TOKEN, "
        f"KAGGLE_USERNAME + KAGGLE_KEY, or ~/.kaggle/kaggle.json).\nCreate an API token on kaggle.com "
        f"(Settings > API) and accept the competition rules at {C.NERVE_RULES_URL}.\nCache path: {folder}\n"
        f"Way out: set DLCV_SMOKE=1 for the synthetic ultrasound images, use load_pet_masks() for real photos "
        f"with masks, or unzip the competition files into {folder / C.NERVE_COMPETITION}",
        dataset="Kaggle ultrasound nerve segmentation", url=C.NERVE_RULES_URL, path=folder)


def _nerve_pairs(root: Path) -> list[tuple[Path, Path]]:
    """(image, mask) paths of the training frames, unpacking a nested train.zip when the archive has one."""
    masks = sorted(root.rglob("*_mask.tif"))
    if not masks:
        for inner in sorted(root.rglob("*.zip")):
            extract(inner)
        masks = sorted(root.rglob("*_mask.tif"))
    pairs = [(m.with_name(m.name.replace("_mask.tif", ".tif")), m) for m in masks]
    pairs = [(i, m) for i, m in pairs if i.is_file()]
    if not pairs:
        raise DownloadError(f"{root} holds no training pairs (N_M.tif with N_M_mask.tif); delete it so the next "
                            f"call downloads the archive again", dataset="Kaggle ultrasound nerve segmentation",
                            path=root)

    def key(pair: tuple[Path, Path]) -> tuple:
        parts = pair[0].stem.split("_")
        return tuple(int(p) if p.isdigit() else p for p in parts)

    return sorted(pairs, key=key)


def load_ultrasound_nerve(smoke: bool | None = None, data_dir: str | os.PathLike | None = None,
                          image_size: tuple[int, int] = (96, 96), max_images: int | None = None,
                          seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The Kaggle ultrasound nerve training frames as (images uint8 (N, h, w, 1), masks uint8 (N, h, w, 1) in {0, 1}).

    Full: needs Kaggle credentials (see ``has_kaggle_credentials``) and the competition rules accepted;
    downloads the competition archive once (about 1 GB), then reads ``max_images`` frames (all when None,
    a seeded random subset otherwise) resized to ``image_size``.  Without credentials: one DownloadError
    saying how to get them.  Smoke: ``helpers.synthetic.ultrasound_images`` (300 unless ``max_images``).
    """
    from PIL import Image

    size = checks.image_size("image_size", image_size)
    max_images = checks.optional_positive_int("max_images", max_images)
    if resolve_smoke(smoke):
        from helpers.synthetic import ultrasound_images

        x, m = ultrasound_images(max_images or C.SMOKE_SEGMENTATION["ultrasound_nerve"], max(size), seed=seed)
        return _square_crop(x, m, size)
    folder = _data_dir(data_dir) / "ultrasound_nerve"
    root = folder / C.NERVE_COMPETITION
    if not (root.is_dir() and any(root.rglob("*_mask.tif"))):  # fetched and unpacked, or unzipped by hand
        auth = _kaggle_auth()
        if auth is None:
            raise _no_kaggle_error(folder)
        url = f"{C.KAGGLE_API_URL}/competitions/data/download-all/{C.NERVE_COMPETITION}"
        hint = (f"Kaggle refused these credentials: check the token and accept the competition rules at "
                f"{C.NERVE_RULES_URL} with the same account")
        # Kaggle publishes no digest: the archive is checked by its size here and its layout below.
        fetch(url, fname=f"{C.NERVE_COMPETITION}.zip", cache_dir=folder, dataset="Kaggle ultrasound nerve segmentation",
              timeout=60.0, headers={"Authorization": auth}, refused_hint=hint, extract=True)
    pairs = _nerve_pairs(root)
    if max_images is not None and max_images < len(pairs):
        keep = np.sort(np.random.default_rng(seed).choice(len(pairs), max_images, replace=False))
        pairs = [pairs[i] for i in keep]
    images, masks = [], []
    for image_path, mask_path in pairs:
        with Image.open(image_path) as im:
            images.append(_resize(np.asarray(im.convert("L")), size, nearest=False))
        with Image.open(mask_path) as im:
            masks.append((_resize(np.asarray(im.convert("L")), size, nearest=True) > 127).astype(np.uint8))
    return np.stack(images)[..., None], np.stack(masks)[..., None]


# ---------------------------------------------------------------- LandCover.ai aerial tiles

def _landcover_photos(root: Path) -> list[tuple[Path, Path]]:
    images = sorted(p for p in root.rglob("*.tif") if p.parent.name == "images")
    pairs = [(p, p.parent.parent / "masks" / p.name) for p in images]
    pairs = [pair for pair in pairs if pair[1].is_file()]
    if len(pairs) < 2:
        raise DownloadError(f"{root} does not look like LandCover.ai (need images/*.tif with masks/*.tif of the "
                            f"same name, at least 2 photos); delete it so the next call downloads the archive "
                            f"again", dataset="LandCover.ai", path=root)
    return pairs


def _read_big_image(path: Path, mode: str) -> np.ndarray:
    """A (possibly 9000 x 9500) TIFF as uint8: (H, W, 3) for ``mode`` "RGB", (H, W) for "L".

    Read with OpenCV, whose own size limit (2**30 pixels) is far above these photos: Pillow refuses them as
    possible decompression bombs, and lifting its ``Image.MAX_IMAGE_PIXELS`` would lift it for every thread
    of the process.  The files are the dataset's own, checked by their digest before they get here.
    """
    import cv2

    if mode not in ("RGB", "L"):
        raise ValueError(f"mode must be 'RGB' or 'L', got {mode!r}")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR if mode == "RGB" else cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError(f"{path}: not an image OpenCV can read")
    return np.ascontiguousarray(image[..., ::-1]) if mode == "RGB" else image


def _landcover_tiles(pairs: list[tuple[Path, Path]], n: int, tile: int, downscale: int,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random tiles spread evenly over the photos, each ``tile * downscale`` pixels shrunk to ``tile``."""
    from PIL import Image

    window = tile * downscale
    per_photo = np.full(len(pairs), n // len(pairs))
    per_photo[: n % len(pairs)] += 1
    images, masks = [], []
    for (image_path, mask_path), count in zip(pairs, per_photo):
        if count == 0:
            continue
        photo, labels = _read_big_image(image_path, "RGB"), _read_big_image(mask_path, "L")
        if photo.shape[:2] != labels.shape or min(labels.shape) < window:
            raise DownloadError(f"LandCover.ai: {mask_path.name} is {labels.shape}, its photo {photo.shape[:2]} "
                                f"(need both equal and >= {window} pixels)", dataset="LandCover.ai", path=mask_path)
        for _ in range(count):
            r = int(rng.integers(0, labels.shape[0] - window + 1))
            c = int(rng.integers(0, labels.shape[1] - window + 1))
            crop = photo[r:r + window, c:c + window]
            if downscale > 1:
                crop = np.asarray(Image.fromarray(crop).resize((tile, tile), Image.BOX))
            images.append(crop)
            masks.append(labels[r:r + window:downscale, c:c + window:downscale])
    return np.stack(images), np.stack(masks).astype(np.uint8)


def load_landcover(smoke: bool | None = None, data_dir: str | os.PathLike | None = None, tile_size: int = 64,
                   n_train: int | None = None, n_val: int | None = None, downscale: int = 2,
                   max_photos: int | None = None, seed: int = 0, url: str | None = None) -> tuple[tuple, tuple]:
    """LandCover.ai aerial tiles as ((x_train, m_train), (x_val, m_val)).

    images uint8 (N, t, t, 3); masks uint8 (N, t, t) with ``class_names('landcover_ai')`` ids 0 background,
    1 building, 2 woodland, 3 water, 4 road.  Full: downloads the archive once (about 1.5 GB), keeps the
    last fifth of the orthophotos (at least one) for validation, and cuts seeded random tiles of
    ``tile_size * downscale`` pixels shrunk by ``downscale`` (2: a 64-pixel tile covers 32-64 m).
    ``max_photos`` caps how many training photos are read (each is up to 9000 x 9500 pixels).  Defaults
    2000 + 400 tiles.  Smoke: ``helpers.synthetic.aerial_tiles`` with the same classes, 200 + 50.
    """
    tile_size = checks.int_at_least("tile_size", tile_size, 16)
    downscale = checks.positive_int("downscale", downscale)
    n_train, n_val = checks.optional_positive_int("n_train", n_train), checks.optional_positive_int("n_val", n_val)
    max_photos = checks.optional_positive_int("max_photos", max_photos)
    if resolve_smoke(smoke):
        from helpers.synthetic import aerial_tiles

        default = C.SMOKE_SEGMENTATION["landcover_ai"]
        return (aerial_tiles(n_train or default[0], int(tile_size), seed=seed),
                aerial_tiles(n_val or default[1], int(tile_size), seed=seed + 1))
    folder = fetch(url or C.LANDCOVER_URL, fname="landcover.ai.v1.zip", sha256=C.LANDCOVER_SHA256, cache_dir=_data_dir(data_dir),
                   dataset="LandCover.ai", extract=True, timeout=60.0)
    pairs = _landcover_photos(folder)
    n_val_photos = max(1, len(pairs) // 5)
    train_pairs, val_pairs = pairs[:-n_val_photos], pairs[-n_val_photos:]
    if max_photos is not None:
        train_pairs = train_pairs[:max_photos]
        val_pairs = val_pairs[:max(1, max_photos // 4)]
    rng = np.random.default_rng(seed)
    n_train, n_val = n_train or C.FULL_LANDCOVER[0], n_val or C.FULL_LANDCOVER[1]
    return (_landcover_tiles(train_pairs, n_train, int(tile_size), int(downscale), rng),
            _landcover_tiles(val_pairs, n_val, int(tile_size), int(downscale), rng))
