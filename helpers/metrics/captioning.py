"""Captioning metrics, taught in chapter 7: corpus BLEU-1..4 and recall@k of cross-modal retrieval."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np


def _tokens(text: Any) -> list[str]:
    if isinstance(text, str):
        return text.split()
    if isinstance(text, Sequence) and all(isinstance(t, str) for t in text):
        return list(text)
    raise ValueError(f"expected a sentence as a string or a list of word strings, got {text!r}")


def ngram_counts(tokens: Sequence[str], n: int) -> Counter:
    """Counts of the n-grams (tuples of n words) in a token list."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(references: Sequence[Sequence[Any]], hypotheses: Sequence[Any], max_order: int = 4,
                brevity: str = "closest", smooth: bool = False) -> float:
    """Corpus BLEU-``max_order`` (Papineni et al., 2002): clipped n-gram precisions of every order up to
    ``max_order`` summed over the corpus, their geometric mean, times the brevity penalty.

    ``references[i]``: the reference sentences of hypothesis i (strings or token lists).
    ``brevity``: the reference length used per sentence, 'closest' (nltk, sacrebleu) or 'shortest'
    (keras_hub.metrics.Bleu, the TensorFlow NMT script). ``smooth``: add one to every n-gram count (Lin and Och).
    """
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} reference sets but {len(hypotheses)} hypotheses")
    if isinstance(max_order, bool) or not isinstance(max_order, int) or max_order < 1:
        raise ValueError(f"max_order must be a positive int, got {max_order!r}")
    if brevity not in ("closest", "shortest"):
        raise ValueError(f"brevity must be 'closest' or 'shortest', got {brevity!r}")
    matches, totals = np.zeros(max_order), np.zeros(max_order)
    hyp_len = ref_len = 0
    for refs, hyp in zip(references, hypotheses):
        if isinstance(refs, str) or len(refs) == 0:
            raise ValueError("each entry of references must be a non-empty list of reference sentences")
        h, rs = _tokens(hyp), [_tokens(r) for r in refs]
        hyp_len += len(h)
        lengths = [len(r) for r in rs]
        ref_len += min(lengths) if brevity == "shortest" else min(lengths, key=lambda n: (abs(n - len(h)), n))
        for n in range(1, max_order + 1):
            counts = ngram_counts(h, n)
            most = Counter()
            for r in rs:
                most |= ngram_counts(r, n)  # per n-gram, the largest count in any one reference
            matches[n - 1] += sum(min(c, most[g]) for g, c in counts.items())
            totals[n - 1] += max(len(h) - n + 1, 0)
    if smooth:
        matches, totals = matches + 1, totals + 1
    if hyp_len == 0 or np.any(matches == 0):
        return 0.0
    log_precision = float(np.mean(np.log(matches / totals)))
    penalty = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return penalty * math.exp(log_precision)


def bleu_1_to_4(references: Sequence[Sequence[Any]], hypotheses: Sequence[Any], **kwargs: Any) -> dict[str, float]:
    """{'BLEU-1': ..., 'BLEU-4': ...}: ``corpus_bleu`` with max_order 1 to 4."""
    return {f"BLEU-{n}": corpus_bleu(references, hypotheses, max_order=n, **kwargs) for n in range(1, 5)}


def cross_modal_recall_at_k(similarity: Any, relevant: Any, k: int) -> float:
    """Fraction of queries (rows of ``similarity``, Q x G) with at least one relevant item (``relevant``,
    a bool Q x G matrix) among their ``k`` most similar gallery items."""
    s, r = np.asarray(similarity, dtype=np.float64), np.asarray(relevant, dtype=bool)
    if s.ndim != 2 or s.shape != r.shape:
        raise ValueError(f"similarity and relevant must be matrices of one shape, got {s.shape} and {r.shape}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= s.shape[1]:
        raise ValueError(f"k must be an int in 1..{s.shape[1]}, got {k!r}")
    top = np.argsort(-s, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.take_along_axis(r, top, axis=1).any(axis=1)))
