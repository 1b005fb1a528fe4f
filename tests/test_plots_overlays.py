"""helpers.plots overlays: boxes, labels and scores drawn on an image; label masks coloured."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402
from helpers.synthetic import AERIAL_COLOURS  # noqa: E402


def _rects(ax):
    return [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]


def test_draw_boxes_draws_one_rectangle_per_box_with_labels_and_scores() -> None:
    image = np.zeros((50, 60), np.uint8)
    boxes = np.array([[5, 10, 25, 40], [30, 5, 55, 20]], float)
    ax = plots.draw_boxes(image, boxes, labels=[1, 0], scores=[0.91, 0.5], class_names=["cat", "dog"],
                          title="two boxes")
    rects = _rects(ax)
    assert len(rects) == 2
    assert (rects[0].get_x(), rects[0].get_y(), rects[0].get_width(), rects[0].get_height()) == (5, 10, 20, 30)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["dog 0.91", "cat 0.50"]
    assert ax.get_title() == "two boxes"
    assert ax.images[0].get_array().shape == (50, 60)
    plt.close("all")


def test_draw_boxes_xywh_colour_and_empty() -> None:
    fig, ax = plt.subplots()
    out = plots.draw_boxes(np.zeros((20, 20, 3), np.uint8), [[2, 3, 4, 5]], box_format="xywh", color="red", ax=ax)
    assert out is ax
    rect = _rects(ax)[0]
    assert (rect.get_x(), rect.get_y(), rect.get_width(), rect.get_height()) == (2, 3, 4, 5)
    assert matplotlib.colors.to_rgba(rect.get_edgecolor()) == matplotlib.colors.to_rgba("red")
    ax = plots.draw_boxes(np.zeros((20, 20)), np.zeros((0, 4)))
    assert _rects(ax) == [] and len(ax.texts) == 0
    # same label, same colour; different labels, different colours
    ax = plots.draw_boxes(np.zeros((20, 20)), [[0, 0, 5, 5], [6, 6, 9, 9], [1, 1, 3, 3]], labels=[3, 3, 4])
    colours = [r.get_edgecolor() for r in _rects(ax)]
    assert colours[0] == colours[1] != colours[2]
    plt.close("all")


@pytest.mark.parametrize("kwargs, match", [
    ({"boxes": [[0, 0, 1]]}, r"shape \(N, 4\)"),
    ({"boxes": [[0, 0, 1, 1]], "labels": [1, 2]}, "1 boxes but 2 labels"),
    ({"boxes": [[0, 0, 1, 1]], "scores": []}, "1 boxes but 0 scores"),
    ({"boxes": [[0, 0, 1, 1]], "box_format": "yxyx"}, "box_format"),
])
def test_draw_boxes_rejects_bad_input(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        plots.draw_boxes(np.zeros((10, 10)), **kwargs)
    plt.close("all")


def test_colourise_mask():
    m = np.array([[0, 1], [4, 3]], dtype=np.uint8)
    rgb = plots.colourise_mask(m)
    assert rgb.shape == (2, 2, 3) and rgb.dtype == np.uint8
    assert np.array_equal(rgb[1, 0], AERIAL_COLOURS[4])
    custom = plots.colourise_mask(np.array([0, 1]), colours=[[0, 0, 0], [255, 255, 255]])
    assert custom.tolist() == [[0, 0, 0], [255, 255, 255]]


@pytest.mark.parametrize("call", [
    lambda: plots.colourise_mask(np.array([0.5])),
    lambda: plots.colourise_mask(np.array([7])),
    lambda: plots.colourise_mask(np.array([0]), colours=[1, 2, 3]),
])
def test_colourise_mask_rejects_bad_input(call):
    with pytest.raises(ValueError):
        call()
