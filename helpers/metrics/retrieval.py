"""Retrieval metrics: distances, ranking, precision@k, average precision, recall of approximate search."""
from __future__ import annotations

from typing import Any

import numpy as np


RETRIEVAL_METRICS = ("euclidean", "cosine")


def _matrix(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (n_vectors, dim), got shape {np.shape(x)}")
    return arr


def pairwise_distances(queries: Any, gallery: Any, metric: str = "euclidean") -> np.ndarray:
    """Distances (Q, N) between query and gallery vectors: 'euclidean' (L2) or 'cosine' (1 - cosine)."""
    if metric not in RETRIEVAL_METRICS:
        raise ValueError(f"unknown metric {metric!r}: expected one of {', '.join(RETRIEVAL_METRICS)}")
    q, g = _matrix(queries, "queries"), _matrix(gallery, "gallery")
    if q.shape[1] != g.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} dimensions but the gallery has {g.shape[1]}")
    if metric == "cosine":
        qn = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        gn = g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12)
        return 1.0 - qn @ gn.T
    sq = (q ** 2).sum(1)[:, None] + (g ** 2).sum(1)[None, :] - 2.0 * q @ g.T
    return np.sqrt(np.maximum(sq, 0.0))


def rank_gallery(queries: Any, gallery: Any, metric: str = "euclidean", k: int | None = None,
                 exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force ranking: (indices (Q, k), distances (Q, k)) of the nearest gallery items per query.

    ``exclude_self=True`` when the queries are the gallery itself (leave-one-out): item i never
    retrieves itself. ``k=None`` ranks the whole gallery.
    """
    d = pairwise_distances(queries, gallery, metric)
    if exclude_self:
        if d.shape[0] != d.shape[1]:
            raise ValueError(f"exclude_self needs the queries to be the gallery, got {d.shape[0]} vs {d.shape[1]}")
        np.fill_diagonal(d, np.inf)
    n = d.shape[1] - (1 if exclude_self else 0)
    if k is None:
        k = n
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= n:
        raise ValueError(f"k must be an int in 1..{n}, got {k!r}")
    k = int(k)
    if k < n:
        part = np.argpartition(d, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(part, np.argsort(np.take_along_axis(d, part, 1), axis=1, kind="stable"), 1)
    else:
        order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(d, order, 1)


def _relevance(retrieved_labels: Any, query_labels: Any) -> np.ndarray:
    r = np.asarray(retrieved_labels)
    q = np.asarray(query_labels).ravel()
    if r.ndim != 2 or r.shape[0] != q.shape[0]:
        raise ValueError(f"retrieved_labels must be (Q, k) with Q = len(query_labels); got {r.shape} and {q.shape}")
    return r == q[:, None]


def precision_at_k(retrieved_labels: Any, query_labels: Any, k: int) -> float:
    """Mean over queries of the fraction of the top ``k`` results whose label equals the query's."""
    rel = _relevance(retrieved_labels, query_labels)
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= rel.shape[1]:
        raise ValueError(f"k must be an int in 1..{rel.shape[1]} (the ranked columns), got {k!r}")
    return float(rel[:, : int(k)].mean())


def retrieval_average_precision(relevance: Any, n_relevant: Any = None) -> np.ndarray:
    """Average precision of each ranked list: the mean of precision@i over the ranks i of relevant items.

    ``relevance`` (Q, R) booleans in rank order. ``n_relevant`` (Q,) is the number of relevant items
    in the whole gallery (default: the count in ``relevance``, exact when the ranking is complete);
    relevant items missing from a truncated ranking count as precision 0. Queries without any
    relevant item get AP 0.
    """
    rel = np.asarray(relevance, dtype=bool)
    if rel.ndim != 2:
        raise ValueError(f"relevance must be (Q, R) booleans, got shape {rel.shape}")
    total = rel.sum(1) if n_relevant is None else np.asarray(n_relevant, dtype=np.float64).ravel()
    if total.shape != (rel.shape[0],) or (total < rel.sum(1)).any():
        raise ValueError("n_relevant must have one count per query, at least the relevant items ranked")
    ranks = np.arange(1, rel.shape[1] + 1)
    precision = np.cumsum(rel, axis=1) / ranks
    summed = (precision * rel).sum(1)
    return np.where(total > 0, summed / np.maximum(total, 1), 0.0)


def mean_average_precision(retrieved_labels: Any, query_labels: Any, n_relevant: Any = None) -> float:
    """mAP of ranked label lists (Q, R) against the query labels (see ``retrieval_average_precision``)."""
    return float(retrieval_average_precision(_relevance(retrieved_labels, query_labels), n_relevant).mean())


def recall_at_k(found: Any, true_neighbours: Any, k: int | None = None) -> float:
    """ANN recall@k: the mean fraction of each query's true k nearest neighbours that the index returned.

    ``found`` (Q, >=k) and ``true_neighbours`` (Q, >=k) hold item ids; -1 in ``found`` means "no result".
    """
    f, t = np.asarray(found), np.asarray(true_neighbours)
    if f.ndim != 2 or t.ndim != 2 or f.shape[0] != t.shape[0]:
        raise ValueError(f"found and true_neighbours must be (Q, k) id arrays, got {f.shape} and {t.shape}")
    k = t.shape[1] if k is None else k
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= min(f.shape[1], t.shape[1]):
        raise ValueError(f"k must be an int in 1..{min(f.shape[1], t.shape[1])}, got {k!r}")
    k = int(k)
    hits = [len(set(a[:k].tolist()) & set(b[:k].tolist())) for a, b in zip(f, t)]
    return float(np.mean(hits) / k)
