"""Examples for ``tfds.testing.mock_data`` in the rehearsal: small, seeded, shaped like the real datasets.

TFDS's own random examples do not fit the course (LFW would have one photo per random name, UCF101 random
labels over 101 classes and clips of up to 50 frames of 256 x 256), so ``as_dataset`` here yields, per
dataset, examples with every feature of the real builder: faces grouped into people, clips of the first
classes, pets with trimap masks.  Only the rehearsal harness activates it (``activate``).
"""
from __future__ import annotations

import zlib
from typing import Any

import numpy as np

# examples per (dataset, split); the notebooks' smoke budgets need no more
COUNTS = {("cats_vs_dogs", "train"): 300, ("oxford_iiit_pet", "train"): 240, ("oxford_iiit_pet", "test"): 80,
          ("lfw", "train"): 144, ("ucf101", "train"): 270, ("ucf101", "test"): 150}


def _blob_scene(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """A textured background with one ellipse 'animal'; its trimap (1 pet, 2 background, 3 outline)."""
    yy, xx = np.mgrid[:h, :w]
    cy, cx = rng.uniform(0.35, 0.65) * h, rng.uniform(0.35, 0.65) * w
    ry, rx = rng.uniform(0.15, 0.3) * h, rng.uniform(0.15, 0.3) * w
    r = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2
    colour = rng.integers(40, 255, 3)
    image = rng.integers(0, 90, (h, w, 3)).astype(np.uint8)
    image[r <= 1] = colour
    trimap = np.full((h, w), 2, np.uint8)
    trimap[r <= 1.15] = 3
    trimap[r <= 0.85] = 1
    return image, trimap[..., None]


def _faces() -> np.ndarray:
    """skimage's 100 real LFW face crops (25 x 25 grey) as 250 x 250 RGB photos."""
    import skimage.data
    from skimage.transform import resize

    small = skimage.data.lfw_subset()  # float 0..1
    big = np.stack([resize(f, (250, 250), order=1, anti_aliasing=False) for f in small])
    return np.repeat((big * 255).astype(np.uint8)[..., None], 3, axis=-1)


def _examples(name: str, split: str, features: Any):
    rng = np.random.default_rng(zlib.crc32(f"{name}/{split}".encode()))
    n = COUNTS.get((name, split), 8)
    if name == "cats_vs_dogs":
        for i in range(n):
            image, _ = _blob_scene(rng, int(rng.integers(80, 160)), int(rng.integers(80, 160)))
            yield {"image": image, "image/filename": f"PetImages/{'Cat' if i % 2 == 0 else 'Dog'}/{i}.jpg".encode(),
                   "label": np.int64(i % 2)}
    elif name == "oxford_iiit_pet":
        for i in range(n):
            image, trimap = _blob_scene(rng, int(rng.integers(96, 160)), int(rng.integers(96, 160)))
            yield {"image": image, "label": np.int64(i % 37), "species": np.int64(i % 2),
                   "file_name": f"pet_{i:04d}.jpg".encode(), "segmentation_mask": trimap,
                   "head_bbox": np.array([0.2, 0.2, 0.6, 0.6], np.float32)}
    elif name == "lfw":
        faces = _faces()
        for i in range(n):
            person = i % 12
            face = faces[(person * 7 + i // 12) % len(faces)]
            yield {"label": f"Person_{person:02d}".encode(), "image": face}
    elif name == "ucf101":
        base = rng.integers(0, 255, (64, 64, 3)).astype(np.uint8)
        for i in range(n):
            label = i % 6  # the first classes and one the loader must skip
            step = (label + 1) * 3
            frames = [np.kron(np.roll(base, t * step, axis=label % 2), np.ones((4, 4, 1), np.uint8))
                      for t in range(10)]
            yield {"video": np.stack(frames), "label": np.int64(label)}
    else:
        raise KeyError(f"the rehearsal has no mock examples for TFDS dataset {name!r}")


def as_dataset(self: Any, split: Any, *args: Any, **kwargs: Any) -> Any:
    """``DatasetBuilder._as_dataset`` under the mock: the examples above, typed as the builder's features."""
    import tensorflow as tf

    features = self.info.features
    split_name = str(split).split("[")[0]
    signature = tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype), features.get_tensor_info())
    return tf.data.Dataset.from_generator(lambda: _examples(self.name, split_name, features),
                                          output_signature=signature)


_ACTIVE: list[Any] = []  # a context nobody references is closed by the garbage collector


def activate() -> Any:
    """Enter ``tfds.testing.mock_data`` with these examples for the rest of the process; returns the context."""
    import tensorflow_datasets as tfds

    context = tfds.testing.mock_data(as_dataset_fn=as_dataset, policy=tfds.testing.MockPolicy.USE_CODE)
    context.__enter__()
    _ACTIVE.append(context)
    return context
