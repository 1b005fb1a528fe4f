"""helpers.metrics, retrieval section (chapter 3): distances, brute-force ranking, precision@k,
average precision / mAP (checked by hand and against scikit-learn) and ANN recall@k."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import metrics


def test_pairwise_distances_by_hand():
    q = np.array([[0.0, 0.0], [1.0, 0.0]])
    g = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(metrics.pairwise_distances(q, g), [[5, 1, 2], [np.sqrt(20), 0, np.sqrt(5)]])
    cos = metrics.pairwise_distances([[1.0, 0.0]], [[2.0, 0.0], [0.0, 3.0], [-1.0, 0.0], [1.0, 1.0]], "cosine")
    np.testing.assert_allclose(cos, [[0.0, 1.0, 2.0, 1 - np.sqrt(0.5)]], atol=1e-12)


def test_cosine_ranking_equals_euclidean_ranking_of_unit_vectors():
    rng = np.random.default_rng(0)
    q, g = rng.normal(size=(5, 8)), rng.normal(size=(40, 8))
    unit = lambda a: a / np.linalg.norm(a, axis=1, keepdims=True)  # noqa: E731
    by_cos, _ = metrics.rank_gallery(q, g, "cosine")
    by_l2, _ = metrics.rank_gallery(unit(q), unit(g), "euclidean")
    np.testing.assert_array_equal(by_cos, by_l2)


def test_rank_gallery_orders_by_distance():
    gallery = np.array([[0.0], [1.0], [3.0], [7.0]])
    idx, dist = metrics.rank_gallery([[2.1]], gallery)
    np.testing.assert_array_equal(idx, [[2, 1, 0, 3]])
    np.testing.assert_allclose(dist, [[0.9, 1.1, 2.1, 4.9]])
    idx2, dist2 = metrics.rank_gallery([[2.1]], gallery, k=2)
    np.testing.assert_array_equal(idx2, [[2, 1]])
    np.testing.assert_allclose(dist2, [[0.9, 1.1]])


def test_rank_gallery_leave_one_out():
    pts = np.array([[0.0], [1.0], [5.0]])
    idx, dist = metrics.rank_gallery(pts, pts, exclude_self=True)
    np.testing.assert_array_equal(idx, [[1, 2], [0, 2], [1, 0]])
    assert np.isfinite(dist).all()
    with pytest.raises(ValueError, match="exclude_self"):
        metrics.rank_gallery(pts[:2], pts, exclude_self=True)


def test_rank_gallery_partial_sort_matches_full_sort():
    rng = np.random.default_rng(1)
    q, g = rng.normal(size=(20, 16)), rng.normal(size=(300, 16))
    full, _ = metrics.rank_gallery(q, g)
    top, _ = metrics.rank_gallery(q, g, k=10)
    np.testing.assert_array_equal(full[:, :10], top)


def test_precision_at_k_by_hand():
    ranked = np.array([[1, 1, 0, 1], [2, 0, 0, 2]])
    assert metrics.precision_at_k(ranked, [1, 2], 1) == pytest.approx(1.0)
    assert metrics.precision_at_k(ranked, [1, 2], 2) == pytest.approx((1.0 + 0.5) / 2)
    assert metrics.precision_at_k(ranked, [1, 2], 4) == pytest.approx((0.75 + 0.5) / 2)


def test_average_precision_by_hand():
    rel = np.array([[1, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], dtype=bool)
    np.testing.assert_allclose(metrics.retrieval_average_precision(rel), [(1 + 2 / 3) / 2, 1 / 4, 0.0])
    np.testing.assert_allclose(metrics.retrieval_average_precision(rel, n_relevant=[3, 1, 2]),
                               [(1 + 2 / 3) / 3, 1 / 4, 0.0])
    assert metrics.mean_average_precision([[5, 4, 5, 4]], [5]) == pytest.approx((1 + 2 / 3) / 2)


def test_average_precision_agrees_with_sklearn():
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(2)
    feats = rng.normal(size=(60, 5))
    labels = rng.integers(0, 3, size=60)
    feats[:, 0] += 2.0 * labels  # make labels partly recoverable
    idx, dist = metrics.rank_gallery(feats, feats, exclude_self=True)
    ours = metrics.retrieval_average_precision(labels[idx] == labels[:, None])
    d = metrics.pairwise_distances(feats, feats)
    for i in range(60):
        others = np.arange(60) != i
        ref = average_precision_score(labels[others] == labels[i], -d[i, others])
        assert ours[i] == pytest.approx(ref, abs=1e-12)


def test_recall_at_k():
    exact = np.array([[1, 2, 3], [4, 5, 6]])
    found = np.array([[3, 2, 9], [4, -1, -1]])
    assert metrics.recall_at_k(found, exact) == pytest.approx((2 / 3 + 1 / 3) / 2)
    assert metrics.recall_at_k(found, exact, k=1) == pytest.approx(0.5)  # {3} vs {1}, {4} vs {4}
    assert metrics.recall_at_k(exact, exact) == 1.0


@pytest.mark.parametrize("call, message", [
    (lambda: metrics.pairwise_distances([[1.0]], [[1.0]], "manhattan"), "unknown metric"),
    (lambda: metrics.pairwise_distances([1.0, 2.0], [[1.0, 2.0]]), "2-D"),
    (lambda: metrics.pairwise_distances([[1.0, 2.0]], [[1.0, 2.0, 3.0]]), "dimensions"),
    (lambda: metrics.rank_gallery([[1.0]], [[1.0], [2.0]], k=3), "k must be"),
    (lambda: metrics.rank_gallery([[1.0]], [[1.0], [2.0]], k=0), "k must be"),
    (lambda: metrics.precision_at_k([[1, 2]], [1], 3), "k must be"),
    (lambda: metrics.precision_at_k([[1, 2]], [1, 2], 1), "retrieved_labels"),
    (lambda: metrics.retrieval_average_precision([1, 0]), "relevance"),
    (lambda: metrics.retrieval_average_precision([[1, 1]], n_relevant=[1]), "n_relevant"),
    (lambda: metrics.recall_at_k([[1, 2]], [[1, 2, 3]], k=3), "k must be"),
    (lambda: metrics.recall_at_k([1, 2], [[1, 2]]), "id arrays"),
])
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- retrieval data (helpers.synthetic, chapter 3)

def test_clustered_vectors_are_seeded_and_clustered():
    from helpers import synthetic

    x, labels = synthetic.clustered_vectors(2000, dim=32, n_clusters=20, intrinsic_dim=4, noise=0.05, seed=3)
    assert x.shape == (2000, 32) and x.dtype == np.float32 and labels.shape == (2000,)
    assert labels.min() >= 0 and labels.max() < 20
    again, _ = synthetic.clustered_vectors(2000, dim=32, n_clusters=20, intrinsic_dim=4, noise=0.05, seed=3)
    np.testing.assert_array_equal(x, again)
    other, _ = synthetic.clustered_vectors(2000, dim=32, n_clusters=20, intrinsic_dim=4, noise=0.05, seed=4)
    assert not np.allclose(x, other)
    nearest, _ = metrics.rank_gallery(x[:200], x, k=2)  # the first result is the point itself
    assert np.mean(labels[nearest[:, 1]] == labels[:200]) > 0.95, "neighbours should share the cluster"


def test_clustered_vectors_large_n_in_chunks():
    from helpers import synthetic

    x, labels = synthetic.clustered_vectors(70000, dim=8, n_clusters=5, intrinsic_dim=2, seed=0)
    assert x.shape == (70000, 8) and np.isfinite(x).all() and len(np.unique(labels)) == 5


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "n must be"), ({"n": 10, "dim": 4, "intrinsic_dim": 5}, "intrinsic_dim"),
    ({"n": 10, "noise": -1.0}, "noise"), ({"n": 10, "n_clusters": 2.5}, "n_clusters"),
])
def test_clustered_vectors_rejects_bad_input(kwargs, message):
    from helpers import synthetic

    with pytest.raises(ValueError, match=message):
        synthetic.clustered_vectors(**kwargs)


def test_photo_variants_views_map_back_to_the_photo():
    import cv2
    from skimage import data as skdata

    from helpers import synthetic

    base = skdata.astronaut()[:300, 100:500]                          # 300 x 400, a real photo
    photos = {"rgb": base, "grey": base[..., 0], "float": base.astype(np.float32) / 255.0}
    images, labels, homographies = synthetic.photo_variants(photos, n_variants=3, size=96, seed=1)
    assert images.shape == (9, 96, 96, 3) and images.dtype == np.uint8
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    crop = cv2.resize(base[:, 50:350], (96, 96), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(images[0], crop)
    np.testing.assert_array_equal(images[3], np.repeat(crop[..., :1], 3, axis=2))
    np.testing.assert_allclose(homographies[0], np.eye(3))
    centre = (slice(32, 64), slice(32, 64))

    def corr(a, b):
        return np.corrcoef(a[centre].astype(float).ravel(), b[centre].astype(float).ravel())[0, 1]

    for view, h in zip(images[1:3], homographies[1:3]):
        assert not np.array_equal(view, crop)
        back = cv2.warpPerspective(view, h, (96, 96))
        assert corr(back, crop) > 0.9 > corr(view, crop), "the homography should undo the view (up to brightness)"


@pytest.mark.parametrize("kwargs, message", [
    ({"photos": {}}, "non-empty dict"), ({"photos": {"a": np.zeros((40, 40, 3))}, "size": 8}, "size"),
    ({"photos": {"a": np.zeros((40,))}}, "photo 'a'"), ({"photos": {"a": np.zeros((40, 40))}, "n_variants": 0},
                                                         "n_variants"),
])
def test_photo_variants_rejects_bad_input(kwargs, message):
    from helpers import synthetic

    with pytest.raises(ValueError, match=message):
        synthetic.photo_variants(**kwargs)
