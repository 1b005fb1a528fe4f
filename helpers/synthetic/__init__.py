"""Seeded synthetic data: 2-D toy problems and the offline stand-ins for image datasets.

Everything here is plain NumPy, deterministic for a given ``seed`` and fast enough for smoke runs
on a laptop CPU.  It imports nothing from ``helpers`` except ``helpers.checks``: real data that a
generator needs (MNIST digits, photos) is passed in as an argument.

Rooms, by concept:

* ``points``   2-D toy problems (``toy_2d``, ``gaussian_ring``) and clustered feature vectors (retrieval)
* ``images``   class silhouettes (``class_images``), cat-like / dog-like heads (``two_class_photos``),
  augmented variants of photos (``photo_variants``)
* ``scenes``   detection scenes: digits on canvases with boxes, pedestrians in streets
* ``masks``    segmentation scenes with pixel masks: ultrasound nerves, shapes, aerial tiles
* ``captions`` scenes with template captions, a small corpus with known analogies
* ``faces``    cartoon faces with known landmarks and attributes
* ``video``    clips: digits moving in a direction, a pan/zoom over a photo
* a new generator goes into the room of what it makes (faces, captioned scenes, video clips, ...).
"""
from __future__ import annotations

from helpers.synthetic._draw import MAX_CLASSES, SHAPES
from helpers.synthetic.captions import digit_caption_scenes, factor_corpus, scene_caption
from helpers.synthetic.faces import cartoon_faces
from helpers.synthetic.images import balanced_labels, class_images, photo_variants, two_class_photos
from helpers.synthetic.masks import (AERIAL_CLASSES, AERIAL_COLOURS, MASK_SCENE_CLASSES, MASK_SCENE_HUES,
                                     aerial_tiles, shape_mask_scenes, ultrasound_images)
from helpers.synthetic.points import TOY_KINDS, clustered_vectors, gaussian_ring, toy_2d
from helpers.synthetic.scenes import digit_canvases, pedestrian_scenes
from helpers.synthetic.video import direction_names, moving_digits, pan_zoom

__all__ = ["AERIAL_CLASSES", "AERIAL_COLOURS", "MASK_SCENE_CLASSES", "MASK_SCENE_HUES", "MAX_CLASSES", "SHAPES",
           "TOY_KINDS", "aerial_tiles", "balanced_labels", "cartoon_faces", "class_images", "clustered_vectors",
           "digit_canvases", "digit_caption_scenes", "direction_names", "factor_corpus", "gaussian_ring",
           "moving_digits", "pan_zoom", "pedestrian_scenes", "photo_variants", "scene_caption",
           "shape_mask_scenes", "toy_2d", "two_class_photos", "ultrasound_images"]
