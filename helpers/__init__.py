"""Support package for the runnable edition of *Deep Learning for Computer Vision*.

``import helpers`` is fast and does not import TensorFlow; the submodules that need it import it
when they are first used.  The notebooks use::

    import helpers
    cfg = helpers.setup(smoke=SMOKE)   # mode, seeds, strategy, dirs, environment report

The rule: ``helpers`` holds plumbing and what an earlier notebook has already written out; the model,
the loss, the training loop and the algorithm being taught are written in the notebook first.
Rooms are named by concept, never by chapter, and imports run one way
(``checks`` <- everything; ``archives`` <- ``download`` <- ``tfds_loader``; ``download`` <- ``datasets``,
``pretrained``; ``datasets`` -> ``synthetic``):

==================  ============================================================================
``config``          mode, budgets (``pick``), seeds, dirs, tf.distribute strategy, environment report
``checks``          argument checks with one message style (positive ints, image sizes, fractions)
``download``        the one download path: cache, sha256, atomic write, resume, locks, mirrors, digests
``archives``        safe extraction (nothing outside the target) and atomic folders
``tfds_loader``     TFDS datasets: reachability probe, one DownloadError, a mirror's prepared ``tfds/``
``datasets``        one ``load_*`` per dataset, by task (``classification``, ``detection``,
                    ``segmentation``, ...); ``datasets.catalogue`` has every URL, digest and licence
``pretrained``      where pretrained weights come from (keras.applications, KerasHub presets)
``synthetic``       seeded offline stand-ins, by what they make (``points``, ``images``, ``scenes``,
                    ``masks``, ...); imports nothing from helpers but ``checks``
``layers``          blocks a notebook has taught (VGG unit, residual, inception, ASPP, U-Net ...)
``metrics``         metrics a notebook has taught, by task (``retrieval``, ``detection``, ``segmentation``)
``summaries``       TensorBoard event files read back for static viewers; projector sprites
``plots``           image grids, curves, matrices, boxes and masks drawn on images
``widgets``         ipywidgets playgrounds, each with a static fallback
``report``          a notebook's headline numbers beside the book's, saved as JSON for ``make bench``
``serving``         SavedModel export, versions, signatures, the real ``tensorflow_model_server``
``standin_server``  the labelled TF Serving stand-in (REST + gRPC on 127.0.0.1) for CI and offline use
==================  ============================================================================

Where a new piece goes: a dataset loader into ``datasets/<task>.py`` (its row into the catalogue),
its offline stand-in into ``synthetic/<what it makes>.py``, a metric into ``metrics/<task>.py``,
pretrained weights into ``pretrained``; a new task gets a new file in each package, not a new banner.
"""
from __future__ import annotations

import importlib
import os
from typing import Any

# Quiet TensorFlow's C++ start-up chatter in notebooks (set before TensorFlow is first imported).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers.config import Config, in_colab, is_interactive, setup

_SUBMODULES = ("config", "checks", "archives", "download", "tfds_loader", "datasets", "pretrained", "synthetic",
               "layers", "metrics", "summaries", "plots", "widgets", "report", "serving", "standin_server")
__all__ = ["Config", "setup", "in_colab", "is_interactive", "__version__", *_SUBMODULES]


def _version() -> str:
    """The version pyproject.toml gives the installed distribution (its one source)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dlcv-helpers")
    except PackageNotFoundError:  # a checkout on sys.path that was never pip-installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """Import submodules lazily so ``helpers.plots`` works without importing everything up front."""
    if name == "__version__":
        globals()[name] = _version()
        return globals()[name]
    if name in _SUBMODULES:
        module = importlib.import_module(f"helpers.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
