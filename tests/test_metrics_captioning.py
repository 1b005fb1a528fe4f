"""helpers.metrics.captioning: corpus BLEU against hand-computed values, and cross-modal recall@k."""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import metrics as M


def test_ngram_counts():
    assert M.ngram_counts("a b a b".split(), 2) == {("a", "b"): 2, ("b", "a"): 1}
    assert M.ngram_counts(["a"], 2) == {}
    with pytest.raises(ValueError):
        M.ngram_counts(["a"], 0)


def test_bleu_perfect_and_hand_computed():
    refs = [["a seven left of a two", "a two right of a seven"]]
    assert M.corpus_bleu(refs, ["a two right of a seven"]) == pytest.approx(1.0)
    # p1 = 5/6, p2 = 4/5 ('a one' is not in a reference), same length: no brevity penalty
    assert M.corpus_bleu(refs, ["a seven left of a one"], max_order=2) == pytest.approx(math.sqrt(5 / 6 * 4 / 5))
    assert M.corpus_bleu(refs, ["a seven left of a one"], max_order=1) == pytest.approx(5 / 6)


def test_bleu_clipping_and_brevity():
    # 'the the the the' against 'the cat': 'the' is clipped at 1 -> p1 = 1/4
    assert M.corpus_bleu([["the cat"]], ["the the the the"], max_order=1) == pytest.approx(0.25)
    # a short hypothesis: p1 = 1, BP = exp(1 - 4/2)
    assert M.corpus_bleu([["the cat sat down"]], ["the cat"], max_order=1) == pytest.approx(math.exp(-1))
    refs = [["the cat sat down here now", "the cat sat"]]
    hyp = ["the cat sat down"]  # closest reference: length 3 (no penalty); shortest: length 3 as well
    assert M.corpus_bleu(refs, hyp, max_order=1, brevity="closest") == pytest.approx(1.0)
    refs = [["the cat sat down here", "a b"]]
    hyp = ["the cat sat down"]  # closest: 5 -> BP exp(1 - 5/4); shortest: 2 -> no penalty
    p1 = 4 / 4
    assert M.corpus_bleu(refs, hyp, max_order=1) == pytest.approx(p1 * math.exp(1 - 5 / 4))
    assert M.corpus_bleu(refs, hyp, max_order=1, brevity="shortest") == pytest.approx(p1)


def test_bleu_is_corpus_level_and_smooth():
    refs = [["a b c d"], ["e f g h"]]
    hyps = ["a b c d", "e f x y"]
    # BLEU-2 pooled over the corpus: p1 = 6/8, p2 = 4/6
    assert M.corpus_bleu(refs, hyps, max_order=2) == pytest.approx(math.sqrt(6 / 8 * 4 / 6))
    assert M.corpus_bleu([["a b"]], ["c d"], max_order=2) == 0.0
    assert M.corpus_bleu([["a b"]], ["c d"], max_order=2, smooth=True) == pytest.approx(math.sqrt(1 / 3 * 1 / 2))
    scores = M.bleu_1_to_4(refs, hyps)
    assert list(scores) == ["BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4"]
    assert scores["BLEU-1"] >= scores["BLEU-2"] >= scores["BLEU-3"] >= scores["BLEU-4"]
    assert M.corpus_bleu([[["a", "b"]]], [["a", "b"]], max_order=2) == pytest.approx(1.0)


@pytest.mark.parametrize("args", [([["a"]], ["a", "b"]), (["a b"], ["a b"]), ([[]], ["a"]), ([["a"]], [3])])
def test_bleu_rejects_bad_input(args):
    with pytest.raises(ValueError):
        M.corpus_bleu(*args)


def test_cross_modal_recall_at_k():
    sim = np.array([[0.9, 0.1, 0.5], [0.2, 0.3, 0.8], [0.7, 0.6, 0.1]])
    rel = np.eye(3, dtype=bool)
    assert M.cross_modal_recall_at_k(sim, rel, 1) == pytest.approx(1 / 3)  # only query 0 ranks its item first
    assert M.cross_modal_recall_at_k(sim, rel, 2) == pytest.approx(2 / 3)
    assert M.cross_modal_recall_at_k(sim, rel, 3) == 1.0
    with pytest.raises(ValueError):
        M.cross_modal_recall_at_k(sim, rel, 0)
    with pytest.raises(ValueError):
        M.cross_modal_recall_at_k(sim, rel[:2], 1)
