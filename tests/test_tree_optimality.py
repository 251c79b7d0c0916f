"""Shallow trees reported optimal match exhaustive enumeration on small random problems.

The enumeration (``tree_brute_force``) works on raw values from the split family's definition
and shares no code with the solver.
"""

import numpy as np
import pytest

from glassbox import ShallowTreeClassifier, ShallowTreeRegressor
from tests import tree_brute_force as bf

TASKS = ("binary", "multiclass", "regression")


def make_problem(seed, task, *, n_features=None, categorical=True, missing=True):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 121))
    p = int(n_features or rng.integers(1, 5))
    X = np.empty((n, p), dtype=object)
    cat = set()
    for j in range(p):
        k = int(rng.integers(2, 9))
        if categorical and j == p - 1 and p > 1 and rng.random() < 0.5:
            X[:, j] = rng.choice([f"l{i}" for i in range(k)], size=n)
            cat.add(j)
        else:
            X[:, j] = rng.integers(0, k, size=n).astype(float) * 1.5
        if missing and rng.random() < 0.4:
            X[rng.random(n) < 0.15, j] = None if j in cat else np.nan
    signal = np.nan_to_num(np.array([v if isinstance(v, float) else 0.0 for v in X[:, 0]], dtype=float))
    if task == "regression":
        y = signal + rng.normal(size=n)
        n_classes = 0
    else:
        n_classes = 2 if task == "binary" else 3
        y = (signal / 3 + rng.normal(size=n) > 1).astype(int) if n_classes == 2 else rng.integers(0, 3, n)
        y[:n_classes] = np.arange(n_classes)  # every class present
    w = rng.integers(1, 4, size=n).astype(float)
    return X, y, w, cat, n_classes


def fit(task, X, y, w, cat, **params):
    Model = ShallowTreeRegressor if task == "regression" else ShallowTreeClassifier
    return Model(categorical_features=sorted(cat) or None, time_limit=None, n_jobs=1, **params).fit(
        X, y, sample_weight=w)


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_optimal_tree_matches_exhaustive_search(task, depth, seed):
    X, y, w, cat, n_classes = make_problem(100 * depth + seed, task, n_features=3 if depth == 3 else None)
    if depth == 3:  # keep the enumeration small: fewer rows and values
        X, y, w = X[:60], y[:60], w[:60]
        y[:n_classes] = np.arange(n_classes)
    rng = np.random.default_rng(seed)
    min_leaf = int(rng.choice([1, 1, 5]))
    complexity = float(rng.choice([0.0, 0.01]))
    model = fit(task, X, y, w, cat, max_depth=depth, min_samples_leaf=min_leaf, complexity=complexity)
    data = bf.Data(X, np.asarray(y, dtype=float) if task == "regression" else y, w, task, cat, n_classes)
    expected = bf.optimal_cost(data, depth, min_leaf, complexity)
    assert model.optimal_
    assert model.objective_ == pytest.approx(expected, abs=1e-9)
    assert model.tree_.max_depth <= depth


@pytest.mark.parametrize("task", ["binary", "regression"])
@pytest.mark.parametrize("seed", range(8))
def test_monotone_depth2_matches_exhaustive_search(task, seed):
    rng = np.random.default_rng(seed)
    X, y, w, cat, n_classes = make_problem(1000 + seed, task, n_features=3, categorical=False)
    X, y, w = X[:50], y[:50], w[:50]
    if task == "binary":
        y[:2] = [0, 1]
    # shrink to <= 5 values per feature so every depth-2 tree can be enumerated
    for j in range(X.shape[1]):
        col = X[:, j].astype(float)
        X[:, j] = np.where(np.isnan(col), np.nan, np.minimum(col, 6.0))
    cst = rng.choice([-1, 0, 1], size=3)
    if not cst.any():
        cst[0] = 1
    model = fit(task, X.astype(float), y, w, set(), max_depth=2, monotonic_cst=list(cst))
    data = bf.Data(X, np.asarray(y, dtype=float) if task == "regression" else y, w, task, set(), n_classes)
    expected = bf.best_monotone_cost(data, 2, 1, 0.0, cst)
    assert model.optimal_
    assert model.objective_ == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_monotone_depth3_never_beats_the_optimum_and_is_exact_when_claimed(seed):
    rng = np.random.default_rng(seed)
    X, y, w, cat, n_classes = make_problem(2000 + seed, "binary", n_features=2, categorical=False, missing=False)
    X, y, w = X[:40], y[:40], w[:40]
    y[:2] = [0, 1]
    for j in range(X.shape[1]):
        X[:, j] = np.minimum(X[:, j].astype(float), 4.5)
    cst = np.array([1, int(rng.choice([-1, 0]))])
    model = fit("binary", X.astype(float), y, w, set(), max_depth=3, monotonic_cst=list(cst))
    data = bf.Data(X, y, w, "binary", set(), 2)
    expected = bf.best_monotone_cost(data, 3, 1, 0.0, cst)
    assert model.objective_ >= expected - 1e-9
    if model.optimal_:
        assert model.objective_ == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_multiclass_categorical_splits_match_exhaustive_search(seed):
    # levels with class mixes that differ per class, so which class orders the levels matters
    rng = np.random.default_rng(3000 + seed)
    n, k = 150, 6
    X = np.empty((n, 2), dtype=object)
    X[:, 0] = rng.choice([f"l{i}" for i in range(k)], size=n)
    X[:, 1] = rng.choice(["a", "b", "c"], size=n)
    mix = rng.dirichlet(np.ones(3) * 0.5, size=k)
    level = np.array([int(v[1:]) for v in X[:, 0]])
    y = np.array([rng.choice(3, p=mix[i]) for i in level])
    y[:3] = [0, 1, 2]
    w = rng.integers(1, 4, size=n).astype(float)
    depth = int(rng.choice([1, 2]))
    model = fit("multiclass", X, y, w, {0, 1}, max_depth=depth)
    data = bf.Data(X, y, w, "multiclass", {0, 1}, 3)
    assert model.optimal_
    assert model.objective_ == pytest.approx(bf.optimal_cost(data, depth, 1, 0.0), abs=1e-9)
