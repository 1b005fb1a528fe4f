"""Support package for the runnable edition of *Deep Learning for Computer Vision*.

``import helpers`` is fast and does not import TensorFlow; the submodules that need it
import it when they are first used.  The notebooks use::

    import helpers
    cfg = helpers.setup(smoke=SMOKE)   # mode, seeds, strategy, dirs, environment report
"""
from __future__ import annotations

import importlib
import os
from typing import Any

# Quiet TensorFlow's C++ start-up chatter in notebooks (set before TensorFlow is first imported).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers.config import Config, in_colab, is_interactive, setup

__version__ = "0.1.0"
_SUBMODULES = ("config", "download", "datasets", "pretrained", "synthetic", "layers", "metrics",
               "summaries", "plots", "widgets", "serving")
__all__ = ["Config", "setup", "in_colab", "is_interactive", "__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    """Import submodules lazily so ``helpers.plots`` works without importing everything up front."""
    if name in _SUBMODULES:
        module = importlib.import_module(f"helpers.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
