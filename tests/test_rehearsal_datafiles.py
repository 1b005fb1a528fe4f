"""tests/rehearsal/datafiles.py: the dataset stand-ins of the full-mode rehearsal, read back through the real
loaders in full mode from a mirror folder (DLCV_MIRROR) whose SHA256SUMS pins their digests."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from tests.rehearsal import datafiles as R

from helpers import datasets as D
from helpers.datasets import catalogue as C
from helpers.download import SUMS_NAME, format_sums, mirror_path, sha256_of

pytestmark = pytest.mark.usefixtures("isolated_data_dir")


@pytest.fixture(scope="module")
def mirror(dataset_stand_ins, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A copy of the session's stand-ins (written once, also for tests/test_rehearsal.py's mirror)."""
    import shutil

    source, digests = dataset_stand_ins
    root = tmp_path_factory.mktemp("mirror") / "mirror"
    shutil.copytree(source, root)
    return root, dict(digests)


@pytest.fixture
def pinned(mirror, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DLCV_MIRROR at the folder, whose SHA256SUMS lists the stand-ins' digests (as make mirror writes it)."""
    root, digests = mirror
    (root / SUMS_NAME).write_text(format_sums({mirror_path(url): digest for url, digest in digests.items()}))
    monkeypatch.setenv("DLCV_MIRROR", str(root))
    return root


def test_every_dataset_row_has_its_file_and_digest(mirror) -> None:
    root, digests = mirror
    rows = [r for r in C.files() if not r["name"].startswith(("keras/", "keras_hub/"))]
    assert {r["name"] for r in rows} >= {"mnist", "cifar10", "cifar100", "penn_fudan", "landcover_ai",
                                         "flickr8k/images", "flickr8k/text"}
    assert set(digests) == {r["url"] for r in rows}
    for url, digest in digests.items():
        path = root / mirror_path(url)
        assert path.is_file() and sha256_of(path) == digest
    files = [p for p in root.rglob("*") if p.is_file() and p.name != SUMS_NAME]
    assert len(files) == len(rows)
    assert sum(p.stat().st_size for p in files) < 80 * 2**20


def test_bytes_are_deterministic() -> None:
    assert R.fashion_mnist_files() == R.fashion_mnist_files()
    assert R.landcover_zip() == R.landcover_zip()


def test_a_wrong_pin_is_refused(pinned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = tmp_path / "instructor-SHA256SUMS"  # DLCV_DIGESTS comes before the mirror's own list
    registry.write_text(format_sums({mirror_path(C.MNIST_URL): "0" * 64}))
    monkeypatch.setenv("DLCV_DIGESTS", str(registry))
    with pytest.raises(D.DownloadError, match="Checksum mismatch"):
        D.load_mnist(smoke=False, data_dir=tmp_path)


# ---------------------------------------------------------------- through the real loaders, full mode

def _nearest_mean_accuracy(x: np.ndarray, y: np.ndarray, xt: np.ndarray, yt: np.ndarray) -> float:
    x, xt = x.reshape(len(x), -1).astype(np.float32), xt.reshape(len(xt), -1).astype(np.float32)
    classes = np.unique(y)
    means = np.stack([x[y == c].mean(0) for c in classes])
    d = (xt ** 2).sum(1)[:, None] - 2 * xt @ means.T + (means ** 2).sum(1)[None]
    return float((classes[d.argmin(1)] == yt).mean())


def test_mnist(pinned: Path, tmp_path: Path) -> None:
    (x, y), (xt, yt) = D.load_mnist(smoke=False, data_dir=tmp_path)
    assert x.shape == (4000, 28, 28) and xt.shape == (1000, 28, 28)
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8 and y.shape == (4000,)
    assert np.bincount(yt, minlength=10).tolist() == [100] * 10 and set(np.unique(y)) == set(range(10))
    assert x.max() == 255 and (x == 0).mean() > 0.5  # real digits: white strokes on black
    with np.load(tmp_path / "mnist.npz") as f:
        assert sorted(f.files) == ["x_test", "x_train", "y_test", "y_train"]
    assert _nearest_mean_accuracy(x, y, xt, yt) > 0.7


def test_fashion_mnist(pinned: Path, tmp_path: Path) -> None:
    (x, y), (xt, yt) = D.load_fashion_mnist(smoke=False, data_dir=tmp_path)
    assert x.shape == (2000, 28, 28) and xt.shape == (500, 28, 28) and y.shape == (2000,) and yt.shape == (500,)
    assert x.dtype == y.dtype == np.uint8 and set(np.unique(y)) == set(np.unique(yt)) == set(range(10))
    assert _nearest_mean_accuracy(x, y, xt, yt) > 0.3  # learnable, well above chance (0.1)


def test_cifar10(pinned: Path, tmp_path: Path) -> None:
    (x, y), (xt, yt) = D.load_cifar10(smoke=False, data_dir=tmp_path)
    assert x.shape == (2000, 32, 32, 3) and y.shape == (2000, 1) and xt.shape == (500, 32, 32, 3)
    assert x.dtype == y.dtype == np.uint8 and set(np.unique(y)) == set(np.unique(yt)) == set(range(10))
    folder = tmp_path / "cifar-10-binary" / "cifar-10-batches-bin"
    assert (folder / "batches.meta.txt").read_text().split() == C.CLASS_NAMES["cifar10"]
    assert [(folder / f"data_batch_{i}.bin").stat().st_size for i in range(1, 6)] == [400 * 3073] * 5


def test_cifar100_fine_and_coarse(pinned: Path, tmp_path: Path) -> None:
    (x, fine), (xt, fine_t) = D.load_cifar100(smoke=False, data_dir=tmp_path)
    (x2, coarse), (_, coarse_t) = D.load_cifar100(smoke=False, data_dir=tmp_path, label_mode="coarse")
    assert x.shape == (3000, 32, 32, 3) and xt.shape == (600, 32, 32, 3) and fine.shape == (3000, 1)
    assert np.array_equal(x, x2) and set(np.unique(fine)) == set(range(100))
    assert set(np.unique(coarse)) == set(range(20))
    table = R.cifar100_fine_to_coarse()
    assert np.array_equal(coarse, table[fine]) and np.array_equal(coarse_t, table[fine_t])
    fine_names, coarse_names = C.CLASS_NAMES["cifar100"], C.CLASS_NAMES["cifar100_coarse"]
    assert coarse_names[table[fine_names.index("apple")]] == "fruit_and_vegetables"
    assert coarse_names[table[fine_names.index("whale")]] == "aquatic_mammals"
    assert np.bincount(table, minlength=20).tolist() == [5] * 20
    folder = tmp_path / "cifar-100-binary" / "cifar-100-binary"
    assert (folder / "fine_label_names.txt").read_text().split() == fine_names
    assert (folder / "coarse_label_names.txt").read_text().split() == coarse_names


def test_penn_fudan(pinned: Path, tmp_path: Path) -> None:
    images, boxes, masks = D.load_penn_fudan(smoke=False, data_dir=tmp_path)
    assert len(images) == len(boxes) == len(masks) == 24
    assert len({im.shape for im in images}) > 1  # sizes vary, like the real photos
    for im, bx, m in zip(images, boxes, masks):
        assert im.dtype == m.dtype == np.uint8 and im.ndim == 3 and im.shape[2] == 3 and m.shape == im.shape[:2]
        assert bx.dtype == np.float32 and 1 <= len(bx) <= 3 and sorted(np.unique(m)) == list(range(len(bx) + 1))
    root = tmp_path / "PennFudanPed" / "PennFudanPed"
    names = sorted(p.stem for p in (root / "PNGImages").glob("*.png"))
    assert names[0] == "FudanPed00001" and names[-1].startswith("PennPed")
    # the annotation files give the same boxes, 1-based and inclusive as in the real archive
    for name, bx in zip(names, boxes):
        text = (root / "Annotation" / f"{name}.txt").read_text()
        found = [[int(v) for v in t] for t in
                 re.findall(r"\(Xmax, Ymax\) : \((\d+), (\d+)\) - \((\d+), (\d+)\)", text)]
        expected = (bx.astype(int) + np.array([1, 1, 0, 0])).tolist()
        assert found == expected, name
        assert f"Objects with ground truth : {len(bx)} " in text
    assert D.load_penn_fudan(smoke=False, data_dir=tmp_path, max_images=5)[0][0].shape == images[0].shape


def test_landcover(pinned: Path, tmp_path: Path) -> None:
    (x, m), (xv, mv) = D.load_landcover(smoke=False, data_dir=tmp_path, n_train=60, n_val=15)
    assert x.shape == (60, 64, 64, 3) and m.shape == (60, 64, 64) and xv.shape == (15, 64, 64, 3)
    assert x.dtype == m.dtype == np.uint8
    assert set(np.unique(np.concatenate([m.ravel(), mv.ravel()]))) == set(range(5))
    root = tmp_path / "landcover.ai.v1"
    assert {p.name for p in root.iterdir()} >= {"images", "masks", "split.py", "train.txt", "val.txt", "test.txt"}
    assert len(list((root / "images").glob("*.tif"))) == len(list((root / "masks").glob("*.tif"))) == 6
    (big, bm), _ = D.load_landcover(smoke=False, data_dir=tmp_path, tile_size=224, n_train=2, n_val=1)
    assert big.shape == (2, 224, 224, 3) and bm.shape == (2, 224, 224)


def test_flickr8k(pinned: Path, tmp_path: Path) -> None:
    data = D.load_flickr8k(smoke=False, data_dir=tmp_path, image_size=64)
    assert {k: len(v[0]) for k, v in data.items()} == {"train": 60, "val": 20, "test": 20}
    for images, captions in data.values():
        assert images.shape[1:] == (64, 64, 3) and images.dtype == np.uint8 and images.std() > 10
        assert len(captions) == len(images) and all(len(refs) == 5 for refs in captions)
        assert all(isinstance(c, str) and c.endswith(" .") for refs in captions for c in refs)
    first = [refs[0].lower().split() for refs in data["test"][1]]
    assert sum("dog" in words for words in first) >= 3 and all("a" in words for words in first)
    words = {w for _, caps in data.values() for refs in caps for c in refs for w in c.lower().split()}
    assert {"a", "the", "dog", "cat"} <= words
    with zipfile.ZipFile(pinned / mirror_path(C.FLICKR8K_IMAGES_URL)) as zf:
        assert all(re.fullmatch(r"Flicker8k_Dataset/\d{10}_[0-9a-f]{10}\.jpg", n) for n in zf.namelist())
    assert len(D.load_flickr8k(smoke=False, data_dir=tmp_path, image_size=64, max_images=7)["train"][1]) == 7
