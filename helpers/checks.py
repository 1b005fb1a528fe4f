"""Argument checks shared by every helper: one place, one message style.

Each check returns the value in its plain Python type, or raises ``ValueError`` that says what was
expected and what was given: ``n must be a positive int, got -3``.  A bool is never accepted as a
number.  This module imports nothing from ``helpers``, so every other module may use it.
"""
from __future__ import annotations

import numbers
from typing import Any


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def int_at_least(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int when it is an integer >= ``minimum``; ValueError otherwise."""
    if not _is_int(value) or value < minimum:
        expected = "a positive int" if minimum == 1 else "an int >= 0" if minimum == 0 else f"an int >= {minimum}"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def positive_int(name: str, value: Any) -> int:
    """``value`` as an int when it is an integer >= 1; ValueError otherwise."""
    return int_at_least(name, value, 1)


def optional_positive_int(name: str, value: Any) -> int | None:
    """None, or ``value`` as an int when it is an integer >= 1; ValueError otherwise."""
    if value is None:
        return None
    if not _is_int(value) or value < 1:
        raise ValueError(f"{name} must be None or a positive int, got {value!r}")
    return int(value)


def image_size(name: str, value: Any, minimum: int = 16) -> tuple[int, int]:
    """``(height, width)`` as two ints >= ``minimum``; ValueError otherwise."""
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or any(not _is_int(s) or s < minimum for s in value)):
        raise ValueError(f"{name} must be (height, width) with ints >= {minimum}, got {value!r}")
    return int(value[0]), int(value[1])


def number_in(name: str, value: Any, low: float = 0.0, high: float = 1.0) -> float:
    """``value`` as a float when ``low <= value <= high`` (a fraction by default); ValueError otherwise."""
    if not _is_real(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low:g}, {high:g}], got {value!r}")
    return float(value)
