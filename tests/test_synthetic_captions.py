"""helpers.synthetic.captions: two-digit caption scenes and the factor corpus for word vectors."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.synthetic import captions as C


def fake_digits(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Digit k is a filled square of brightness 100 + 15 k, so the scene tells which digit is where."""
    x = np.zeros((n, 28, 28), np.uint8)
    y = np.arange(n) % 10
    for i in range(n):
        x[i, 4:24, 4:24] = 100 + 15 * y[i]
    return x, y.astype(np.uint8)


def test_scene_caption_template():
    assert C.scene_caption(7, "left of", 2) == "a seven left of a two"
    assert C.scene_caption(0, "below", 9, ("big", "small")) == "a big zero below a small nine"
    with pytest.raises(ValueError, match="relation"):
        C.scene_caption(1, "near", 2)
    with pytest.raises(ValueError, match="0..9"):
        C.scene_caption(10, "above", 2)


def test_scenes_layout_matches_captions_and_pixels():
    digits = fake_digits()
    images, caps, layout = C.digit_caption_scenes(60, digits, size=56, seed=1)
    assert images.shape == (60, 56, 56) and images.dtype == np.uint8
    assert len(caps) == 60 and all(len(c) == 2 for c in caps)
    for i in range(60):
        a, b = C.DIGIT_WORDS[layout["first"][i]], C.DIGIT_WORDS[layout["second"][i]]
        rel, opp = ("above", "below") if layout["vertical"][i] else ("left of", "right of")
        assert caps[i] == [f"a {a} {rel} a {b}", f"a {b} {opp} a {a}"]
        (x0, y0, x1, y1), (u0, v0, u1, v1) = layout["boxes"][i]
        along, across = (1, 0) if layout["vertical"][i] else (0, 1)
        box = layout["boxes"][i]
        assert box[0, along + 2] <= 28 <= box[1, along]  # first digit in the left / top half, second in the other
        centres = (box[:, :2] + box[:, 2:]) / 2
        assert abs(centres[0, across] - centres[1, across]) < abs(centres[0, along] - centres[1, along])  # not diagonal
        # the brightest pixel inside each box encodes the digit's label
        for k, (c0, r0, c1, r1) in enumerate(layout["boxes"][i].astype(int)):
            label = layout["first" if k == 0 else "second"][i]
            assert images[i, r0:r1, c0:c1].max() == 100 + 15 * label
    assert 0.3 < layout["vertical"].mean() < 0.7


def test_scenes_are_seeded_and_size_words_work():
    digits = fake_digits()
    a = C.digit_caption_scenes(10, digits, seed=3)
    b = C.digit_caption_scenes(10, digits, seed=3)
    c = C.digit_caption_scenes(10, digits, seed=4)
    assert np.array_equal(a[0], b[0]) and a[1] == b[1]
    assert not np.array_equal(a[0], c[0])
    images, caps, layout = C.digit_caption_scenes(40, digits, size=64, seed=0, size_words=True)
    assert images.shape == (40, 64, 64)
    widths = layout["boxes"][:, :, 2] - layout["boxes"][:, :, 0]
    assert np.all(widths[layout["big"]] > widths[~layout["big"]].max())
    for cap, big in zip(caps, layout["big"]):
        assert cap[0].split()[1] == ("big" if big[0] else "small")


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"size": 31}, {"size": 57}, {"noise": -1.0}])
def test_scenes_reject_bad_arguments(kwargs):
    args = {"n": 5, "digits": fake_digits(), "size": 56, "noise": 0.0} | kwargs
    with pytest.raises(ValueError):
        C.digit_caption_scenes(**args)


def test_scenes_reject_bad_digits():
    with pytest.raises(ValueError, match="digits"):
        C.digit_caption_scenes(5, (np.zeros((4, 28)), np.zeros(4)))


def test_factor_corpus_contexts_follow_the_factors():
    sentences, analogies = C.factor_corpus(3000, seed=0)
    assert len(sentences) == 3000
    assert C.factor_corpus(50, seed=1)[0] == C.factor_corpus(50, seed=1)[0]
    together = {}
    for s in sentences:
        words = s.split()
        for w in words:
            together.setdefault(w, set()).update(words)
    assert "he" in together["king"] and "she" not in together["king"]
    assert "crown" in together["queen"] and "farm" not in together["queen"]
    assert "capital" in together["paris"] and "nation" not in together["paris"]
    assert "nation" in together["italy"] and "french" not in together["italy"]
    vocab = set(together)
    assert all(w in vocab for quad in analogies for w in quad)
    with pytest.raises(ValueError):
        C.factor_corpus(0)
