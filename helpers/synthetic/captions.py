"""Seeded captioning stand-ins: two-digit scenes with templated captions, and a small word corpus
whose words are built from known factors (so that word-vector analogies have a right answer).

Plain NumPy; imports nothing from ``helpers``.  Real digits come in as an argument, e.g.
``digits=helpers.datasets.load_mnist()[0]``.
"""
from __future__ import annotations


import numpy as np

from helpers import checks

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
RELATIONS = ("left of", "right of", "above", "below")
_OPPOSITE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}


def _resize_nearest(img: np.ndarray, side: int) -> np.ndarray:
    rows = (np.arange(side) * img.shape[0] / side).astype(int)
    cols = (np.arange(side) * img.shape[1] / side).astype(int)
    return img[rows][:, cols]


def scene_caption(first: int, relation: str, second: int, sizes: tuple[str, str] | None = None) -> str:
    """The template caption 'a seven left of a two' (with optional size words: 'a big seven ...')."""
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {RELATIONS}, got {relation!r}")
    if not (0 <= int(first) <= 9 and 0 <= int(second) <= 9):
        raise ValueError(f"digits must be in 0..9, got {first!r} and {second!r}")
    a, b = DIGIT_WORDS[int(first)], DIGIT_WORDS[int(second)]
    if sizes is not None:
        a, b = f"{sizes[0]} {a}", f"{sizes[1]} {b}"
    return f"a {a} {relation} a {b}"


def digit_caption_scenes(n: int, digits: tuple[np.ndarray, np.ndarray], size: int = 56, seed: int = 0,
                         size_words: bool = False, noise: float = 0.0
                         ) -> tuple[np.ndarray, list[list[str]], dict[str, np.ndarray]]:
    """``n`` grey scenes (n, size, size) uint8 of two real digits side by side or one above the other
    (each digit in its half along the relation, near the middle across it).

    Returns (images, captions, layout): ``captions[i]`` holds two equivalent references
    ('a seven left of a two', 'a two right of a seven'); ``layout`` has 'first' and 'second'
    (digit labels, first = left or top), 'vertical' (bool), 'boxes' (n, 2, 4) xyxy pixels and,
    with ``size_words``, 'big' (n, 2) bool (a big digit fills its half, a small one about 60 %).
    """
    checks.positive_int("n", n)
    checks.positive_int("size", size)
    if size < 32 or size % 2:
        raise ValueError(f"size must be an even int >= 32, got {size!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    try:
        x, y = (np.asarray(a) for a in digits)
    except (TypeError, ValueError):
        raise ValueError("digits must be a pair (images (N, H, W), labels (N,))") from None
    if x.ndim != 3 or y.ndim != 1 or len(x) != len(y) or len(x) < 2:
        raise ValueError(f"digits must be images (N, H, W) and labels (N,), got {x.shape} and {y.shape}")
    rng = np.random.default_rng(seed)
    half = size // 2
    images = np.zeros((n, size, size), np.float32)
    first, second = np.zeros(n, np.int64), np.zeros(n, np.int64)
    vertical = rng.random(n) < 0.5
    big = rng.random((n, 2)) < 0.5 if size_words else np.ones((n, 2), bool)
    boxes = np.zeros((n, 2, 4), np.float32)
    captions: list[list[str]] = []
    for i in range(n):
        picks = rng.choice(len(x), 2, replace=False)
        for k, j in enumerate(picks):
            side = half - 2 if big[i, k] else int(round(0.6 * half))
            digit = _resize_nearest(x[j].astype(np.float32), side)
            slack = half - side
            off_a = k * half + int(rng.integers(0, slack + 1))   # along the relation axis
            centre = (size - side) // 2                          # across it: near the middle, so that
            jitter = side // 4                                   # the relation is never diagonal
            off_b = centre + int(rng.integers(-jitter, jitter + 1))
            r0, c0 = (off_a, off_b) if vertical[i] else (off_b, off_a)
            region = images[i, r0:r0 + side, c0:c0 + side]
            np.maximum(region, digit, out=region)
            boxes[i, k] = (c0, r0, c0 + side, r0 + side)
        first[i], second[i] = int(y[picks[0]]), int(y[picks[1]])
        relation = "above" if vertical[i] else "left of"
        words = ("big" if big[i, 0] else "small", "big" if big[i, 1] else "small") if size_words else None
        flipped = None if words is None else (words[1], words[0])
        captions.append([scene_caption(first[i], relation, second[i], words),
                         scene_caption(second[i], _OPPOSITE[relation], first[i], flipped)])
    if noise:
        images += rng.normal(0.0, noise, images.shape)
    layout = {"first": first, "second": second, "vertical": vertical, "boxes": boxes}
    if size_words:
        layout["big"] = big
    return np.clip(images, 0, 255).astype(np.uint8), captions, layout


# ---------------------------------------------------------------- a corpus with known word factors

# Each word is a combination of factors; every sentence shows a word next to context words of
# one of its factors, so co-occurrence (what skip-gram and CBOW learn from) is a sum of factors.
_PEOPLE = {"king": ("male", "royal", "adult"), "queen": ("female", "royal", "adult"),
           "prince": ("male", "royal", "young"), "princess": ("female", "royal", "young"),
           "man": ("male", "common", "adult"), "woman": ("female", "common", "adult"),
           "boy": ("male", "common", "young"), "girl": ("female", "common", "young")}
_PLACES = {"france": ("french", "country"), "paris": ("french", "city"),
           "italy": ("italian", "country"), "rome": ("italian", "city"),
           "japan": ("japanese", "country"), "tokyo": ("japanese", "city"),
           "spain": ("spanish", "country"), "madrid": ("spanish", "city"),
           "egypt": ("egyptian", "country"), "cairo": ("egyptian", "city")}
_CONTEXT = {"male": ("he", "his", "him"), "female": ("she", "her", "hers"),
            "royal": ("throne", "crown", "palace"), "common": ("farm", "market", "village"),
            "adult": ("old", "married", "work"), "young": ("little", "school", "toys"),
            "french": ("french", "wine", "seine"), "italian": ("italian", "pasta", "tiber"),
            "japanese": ("japanese", "sushi", "yen"), "spanish": ("spanish", "paella", "flamenco"),
            "egyptian": ("egyptian", "nile", "pyramids"),
            "country": ("nation", "border", "flag"), "city": ("capital", "streets", "mayor")}
ANALOGIES = (("man", "king", "woman", "queen"), ("boy", "prince", "girl", "princess"),
             ("king", "prince", "queen", "princess"), ("man", "woman", "king", "queen"),
             ("france", "paris", "italy", "rome"), ("japan", "tokyo", "spain", "madrid"),
             ("egypt", "cairo", "france", "paris"))
_FILLERS = ("the", "a", "and", "of", "is", "was", "in", "with")


def factor_corpus(n_sentences: int = 5000, seed: int = 0, window: int = 2
                  ) -> tuple[list[str], tuple[tuple[str, str, str, str], ...]]:
    """Sentences where each people/place word appears with context words of one of its factors
    (gender, rank, age; nationality, country or city), plus filler words.

    Returns (sentences, analogies): analogies a:b :: c:d that hold by construction
    (king - man + woman = queen, paris - france + italy = rome, ...).
    """
    checks.positive_int("n_sentences", n_sentences)
    checks.positive_int("window", window)
    rng = np.random.default_rng(seed)
    table = {**_PEOPLE, **_PLACES}
    words = list(table)
    sentences = []
    for _ in range(n_sentences):
        word = words[int(rng.integers(len(words)))]
        factors = table[word]
        tokens = [word]
        for _ in range(window):
            factor = factors[int(rng.integers(len(factors)))]
            ctx = _CONTEXT[factor]
            tokens.insert(int(rng.integers(len(tokens) + 1)), ctx[int(rng.integers(len(ctx)))])
        if rng.random() < 0.5:
            tokens.insert(int(rng.integers(len(tokens) + 1)), _FILLERS[int(rng.integers(len(_FILLERS)))])
        sentences.append(" ".join(tokens))
    return sentences, ANALOGIES
