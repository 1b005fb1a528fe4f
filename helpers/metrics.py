"""Evaluation metrics, each added once a notebook has taught it (NumPy only, fast to import).

Sections: retrieval (chapter 3), detection (chapter 4), segmentation (chapter 5).
"""
from __future__ import annotations

from typing import Any

import numpy as np

# ======================================================================== retrieval (chapter 3)

# ======================================================================== detection (chapter 4)

# ======================================================================== segmentation (chapter 5)
