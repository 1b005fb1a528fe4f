"""helpers.summaries.make_sprite: the projector's sprite image (the notebook writes the rest of the
projector files itself, chapter 3)."""
from __future__ import annotations


import numpy as np
import pytest

from helpers import summaries


def test_make_sprite_tiles_row_by_row():
    imgs = np.stack([np.full((2, 3), v, np.uint8) for v in (10, 20, 30, 40, 50)])
    sprite = summaries.make_sprite(imgs)
    assert sprite.shape == (3 * 2, 3 * 3) and sprite.dtype == np.uint8  # ceil(sqrt(5)) = 3 tiles a side
    assert sprite[0, 0] == 10 and sprite[0, 3] == 20 and sprite[0, 6] == 30 and sprite[2, 0] == 40
    assert sprite[2, 3] == 50 and sprite[2, 6] == 0 and sprite[4, 0] == 0
    floats = summaries.make_sprite(np.ones((4, 2, 2, 3)) * 0.5)
    assert floats.shape == (4, 4, 3) and np.all(floats == 128)


@pytest.mark.parametrize("images, message", [
    (np.zeros((0, 4, 4)), "N > 0"),
    (np.zeros((4, 4)), "shape"),
    (np.zeros((3, 4, 4, 2)), "shape"),
    (np.zeros((400, 500, 500)), "at most 8192"),
])
def test_make_sprite_rejects_bad_input(images, message):
    with pytest.raises(ValueError, match=message):
        summaries.make_sprite(images)
