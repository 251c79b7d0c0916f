"""Candidate features on wide data (``glassbox._candidates``): the one-feature histogram kernel
against its NumPy twin, best single splits against brute force, the reference's ranking on
generated data, exactness relative to the candidates (a tree searched on the candidates is the
tree fitted on those columns alone), and the rule lists' pair order.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassbox import RuleListClassifier, ShallowTreeClassifier, ShallowTreeRegressor
from glassbox._candidates import best_splits, feature_histograms, rank_features
from glassbox._ext._tree_histogram import add_feature_histograms
from glassbox._regions import CRITERIA, region_loss, row_statistics
from glassbox.rules._antecedents import _extension_chunks, _ranked_pair_chunks


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 7), st.integers(1, 9), st.integers(1, 5), st.integers(1, 3),
       st.integers(0, 2**31))
def test_feature_histograms_match_their_twin(n, p, width, n_stats, threads, seed):
    rng = np.random.default_rng(seed)
    codes = np.asfortranarray(rng.integers(0, width, size=(n, p)).astype(np.uint8))
    stats = rng.normal(size=(n, n_stats))
    rows = np.flatnonzero(rng.random(n) < 0.6).astype(np.intp)
    hist = np.zeros((p, width, n_stats))
    add_feature_histograms(codes, rows, stats, hist, threads)
    twin = np.zeros_like(hist)
    for g in range(p):
        for r in rows:
            twin[g, codes[r, g]] += stats[r]
    np.testing.assert_allclose(hist, twin, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("criterion", range(len(CRITERIA)))
@pytest.mark.parametrize("n_classes", [0, 2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_best_splits_match_brute_force(criterion, n_classes, seed):
    """Every threshold and missing side of every feature, scored from the rows directly."""
    rng = np.random.default_rng(seed)
    n, p = 80, 4
    n_bins = rng.integers(1, 6, size=p)
    codes = np.column_stack([rng.integers(0, b + 1, size=n) for b in n_bins]).astype(np.uint8)  # b: missing
    y = rng.integers(0, n_classes, size=n) if n_classes else rng.normal(size=n)
    w = rng.integers(1, 4, size=n).astype(float)
    stats = row_statistics(y, w, n_classes, extra=[np.ones(n)])
    hist = feature_histograms(np.asfortranarray(codes), np.arange(n, dtype=np.intp), stats, n_bins, 1)
    cost, threshold, missing_left, leaf = best_splits(hist, n_bins, n_classes, criterion, 0.75)
    for f in range(p):
        best = np.inf
        for u in range(n_bins[f] - 1):
            for m in (False, True):
                left = np.where(codes[:, f] == n_bins[f], m, codes[:, f] <= u)
                best = min(best, sum(float(region_loss(stats[side].sum(axis=0), n_classes, criterion, 0.75))
                                     for side in (left, ~left)))
        assert cost[f] == pytest.approx(best, rel=1e-9, abs=1e-9)
        assert leaf[f] == pytest.approx(float(region_loss(stats.sum(axis=0), n_classes, criterion, 0.75)))
        if np.isfinite(best):
            left = np.where(codes[:, f] == n_bins[f], missing_left[f], codes[:, f] <= threshold[f])
            got = sum(float(region_loss(stats[side].sum(axis=0), n_classes, criterion, 0.75)) for side in (left, ~left))
            assert got == pytest.approx(best, rel=1e-9, abs=1e-9)


def _wide(seed, n=1500, p=60, kind="binary"):
    """Noise columns around three that matter: a main effect (column a), and b which matters
    only where a is high (an interaction without a main effect of its own)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    a, b = rng.choice(p, 2, replace=False)
    signal = 1.5 * X[:, a] + 2.5 * (X[:, a] > 0.5) * X[:, b]
    if kind == "regression":
        return X, signal + 0.3 * rng.normal(size=n), a, b
    return X, (signal + 0.5 * rng.normal(size=n) > 0.8).astype(int), a, b


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["binary", "regression"])
def test_the_reference_ranks_a_main_effect_and_its_interaction_above_noise(seed, kind):
    from glassbox.binning import Binner

    X, y, a, b = _wide(seed, kind=kind)
    codes = Binner(max_bins=32).fit_transform(X)
    n_bins = codes.max(axis=0).astype(np.intp) + 1
    n_classes = 0 if kind == "regression" else 2
    stats = row_statistics(y, np.ones(len(y)), n_classes, extra=[np.ones(len(y))])
    ranked = rank_features(np.asfortranarray(codes), stats, n_bins, np.zeros(X.shape[1], bool), n_classes, 1, 1.0, 2)
    assert ranked[0] == a and b in ranked[:3]
    assert sorted(ranked) == list(range(X.shape[1]))


def test_categorical_levels_are_ordered_before_their_splits_are_scored():
    """A categorical feature whose risky levels are not neighbours in code order still ranks
    first: the reference sorts its levels by class share."""
    rng = np.random.default_rng(1)
    n = 2000
    level = rng.integers(0, 8, size=n)
    y = (rng.random(n) < np.where(np.isin(level, [0, 3, 6]), 0.8, 0.1)).astype(int)
    noise = rng.integers(0, 8, size=(n, 5))
    codes = np.asfortranarray(np.column_stack([noise, level]).astype(np.uint8))
    stats = row_statistics(y, np.ones(n), 2, extra=[np.ones(n)])
    n_bins = np.full(6, 8, dtype=np.intp)
    categorical = np.array([False] * 5 + [True])
    assert rank_features(codes, stats, n_bins, categorical, 2, 0, 1.0, 1)[0] == 5


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("Model", [ShallowTreeClassifier, ShallowTreeRegressor])
def test_a_tree_on_candidates_is_the_tree_fitted_on_those_columns(seed, Model):
    """Exact relative to the candidates: the same tree (and objective, bound and predictions) as
    a fit on the candidate columns alone; the candidates are the reference's best, and "auto"
    keeps every feature on narrow data."""
    X, y, a, b = _wide(seed, n=800, p=40, kind="regression" if Model is ShallowTreeRegressor else "binary")
    params = dict(max_depth=2, max_bins=16, time_limit=None)
    model = Model(candidate_features=6, **params).fit(X, y)
    picked = model.candidate_features_
    assert len(picked) == 6 and np.all(np.diff(picked) > 0) and a in picked
    alone = Model(candidate_features=None, **params).fit(X[:, picked], y)
    assert model.objective_ == alone.objective_ and model.optimal_ == alone.optimal_
    assert np.array_equal(model.predict(X), alone.predict(X[:, picked]))
    used = model.tree_.feature[model.tree_.feature >= 0]
    assert set(used) <= set(picked)
    assert np.array_equal(picked[alone.tree_.feature[alone.tree_.feature >= 0]], used)
    narrow = Model(**params).fit(X[:, :5], y)
    assert np.array_equal(narrow.candidate_features_, np.arange(5))


def test_wide_data_fits_a_depth3_tree_on_the_reference_candidates():
    """300 columns x 32 bins: the pairwise histograms of all of them need far more than the
    memory cap; "auto" searches the best-ranked within 640 bins and finds the signal."""
    X, y, a, b = _wide(7, n=2000, p=300)
    model = ShallowTreeClassifier(max_root_splits=60).fit(X, y)  # a budget: a fast test
    assert len(model.candidate_features_) <= 640 // 20 and a in model.candidate_features_
    assert a in model.tree_.feature
    with pytest.raises(ValueError, match="candidate_features"):
        ShallowTreeClassifier(candidate_features=None, max_root_splits=60).fit(X, y)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "all", "AUTO"])
def test_malformed_candidate_features_are_refused_clearly(bad):
    X, y, _, _ = _wide(0, n=100, p=5)
    with pytest.raises(ValueError, match="candidate_features must be an integer >= 1.*or \"auto\""):
        ShallowTreeClassifier(candidate_features=bad).fit(X, y)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=2, max_size=40), st.randoms(use_true_random=False))
def test_ranked_pairs_are_every_pair_best_features_first(single_features, random):
    """The ranked order yields the same pairs as the unranked one, each once, members in index
    order, and every pair among the best k features before any with a worse one."""
    features = np.array(single_features, dtype=np.intp)
    usable = np.array(sorted(random.sample(range(len(features)), random.randint(2, len(features)))), dtype=np.intp)
    rank = np.array(random.sample(range(7), 7), dtype=np.intp)
    level = [(int(a),) for a in usable]
    plain = [tuple(row) for chunk in _extension_chunks(level, usable, features) for row in chunk]
    ranked = [tuple(row) for chunk in _ranked_pair_chunks(usable, features, rank) for row in chunk]
    assert sorted(ranked) == sorted(plain) and len(set(ranked)) == len(ranked)
    worst = [max(rank[features[usable[i]]], rank[features[j]]) for i, j in ranked]
    assert worst == sorted(worst)
    assert all(usable[i] < j for i, j in ranked)


@pytest.mark.parametrize("seed", [0, 3])
def test_wide_rule_lists_mine_conjunctions_among_the_reference_features_first(seed):
    """With room for few conjunctions, those mined combine the best-ranked features: the list
    finds the interaction (a rule on a and b together) that column order alone never reaches
    (mined in column order, these lists have no conjunction at all)."""
    from glassbox.rules import _antecedents

    X, y, a, b = _wide(seed, n=3000, p=150)
    cap = _antecedents.MAX_MINED_BYTES
    try:
        _antecedents.MAX_MINED_BYTES = 4 << 20  # 4 MiB: a few hundred conjunctions
        with pytest.warns(UserWarning, match="mining the candidate rules stopped"):
            model = RuleListClassifier(max_thresholds=4).fit(X, y)
    finally:
        _antecedents.MAX_MINED_BYTES = cap
    pairs = [{c.feature for c in rule.conditions} for rule in model.rules_ if len(rule.conditions) == 2]
    assert {a, b} in pairs
