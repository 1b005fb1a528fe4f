"""Dataset loaders: full mode downloads once into a cache, smoke mode returns an offline stand-in.

Every ``load_*`` returns the same types in both modes; the mode comes from the ``smoke`` argument,
else the ``DLCV_SMOKE`` environment variable (see ``helpers.config.resolve_smoke``).

Rooms, by concept:

* ``catalogue``       one row per dataset (URL, sha256, licence, smoke stand-in), class names, budgets
* ``classification``  MNIST, Fashion-MNIST, CIFAR-10/100, cats vs dogs
* ``detection``       Penn-Fudan pedestrians
* ``segmentation``    Oxford-IIIT Pet masks, Kaggle ultrasound nerves, LandCover.ai
* ``faces``           Labeled Faces in the Wild (TFDS)
* ``video``           UCF101 clips (TFDS)
* ``captions``        Flickr8k photos with five captions each
* a new dataset goes into the room of its task (faces, captions, video, ...): its row into
  ``catalogue``, its loader into the room, its smoke stand-in into ``helpers.synthetic``.

The download itself (cache, checksum, locks, extraction) is ``helpers.download``, TFDS ``helpers.tfds_loader``; pretrained
weights are ``helpers.pretrained``.  TensorFlow, TFDS, Pillow and mlxtend are imported inside the
functions that need them.
"""
from __future__ import annotations

from helpers.datasets.captions import load_flickr8k
from helpers.datasets.catalogue import class_names, describe
from helpers.datasets.classification import (load_cats_vs_dogs, load_cifar10, load_cifar100, load_fashion_mnist,
                                             load_mnist)
from helpers.datasets.detection import boxes_from_mask, load_penn_fudan
from helpers.datasets.faces import load_lfw
from helpers.datasets.segmentation import (has_kaggle_credentials, load_landcover, load_pet_masks,
                                           load_ultrasound_nerve)
from helpers.datasets.video import load_ucf101
from helpers.download import DownloadError

__all__ = ["DownloadError", "boxes_from_mask", "class_names", "describe", "has_kaggle_credentials",
           "load_cats_vs_dogs", "load_cifar10", "load_cifar100", "load_fashion_mnist", "load_flickr8k",
           "load_landcover", "load_lfw", "load_mnist", "load_penn_fudan", "load_pet_masks", "load_ucf101",
           "load_ultrasound_nerve"]
