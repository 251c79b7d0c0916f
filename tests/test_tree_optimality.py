"""Shallow trees reported optimal match exhaustive enumeration on small random problems.

The enumeration (``tree_brute_force``) works on raw values from the split family's definition
and shares no code with the solver.
"""

import numpy as np
import pytest

from glassbox import ShallowTreeClassifier, ShallowTreeRegressor
from glassbox._regions import row_statistics
from glassbox.tree._search import Problem, ValueBounds, solve_small
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


CRITERIA = ("misclassification", "log_loss", "brier")


@pytest.mark.parametrize("task", TASKS + tuple(f"{task} {criterion}" for task in ("binary", "multiclass")
                                               for criterion in CRITERIA[1:]))
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_optimal_tree_matches_exhaustive_search(task, depth, seed):
    task, criterion = (task.split() + ["misclassification"])[:2]
    params = {} if task == "regression" else {"criterion": criterion}
    X, y, w, cat, n_classes = make_problem(100 * depth + seed, task, n_features=3 if depth == 3 else None)
    if depth == 3:  # keep the enumeration small: fewer rows and values
        X, y, w = X[:60], y[:60], w[:60]
        y[:n_classes] = np.arange(n_classes)
    rng = np.random.default_rng(seed)
    min_leaf = int(rng.choice([1, 1, 5]))
    complexity = float(rng.choice([0.0, 0.01]))
    model = fit(task, X, y, w, cat, max_depth=depth, min_samples_leaf=min_leaf, complexity=complexity, **params)
    data = bf.Data(X, np.asarray(y, dtype=float) if task == "regression" else y, w, task, cat, n_classes,
                   criterion)
    expected = bf.optimal_cost(data, depth, min_leaf, complexity)
    assert model.optimal_
    assert model.objective_ == pytest.approx(expected, abs=1e-9)
    assert model.tree_.max_depth <= depth


@pytest.mark.parametrize("task", ["binary", "regression", "binary log_loss", "binary brier"])
@pytest.mark.parametrize("seed", range(8))
def test_monotone_depth2_matches_exhaustive_search(task, seed):
    """Under the risk criteria the constraint holds on the smoothed probabilities the leaves
    predict (the enumeration's leaf values)."""
    task, criterion = (task.split() + ["misclassification"])[:2]
    params = {} if task == "regression" else {"criterion": criterion}
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
    model = fit(task, X.astype(float), y, w, set(), max_depth=2, monotonic_cst=list(cst), **params)
    data = bf.Data(X, np.asarray(y, dtype=float) if task == "regression" else y, w, task, set(), n_classes,
                   criterion)
    expected = bf.best_monotone_cost(data, 2, 1, 0.0, cst)
    assert model.optimal_
    assert model.objective_ == pytest.approx(expected, abs=1e-9)


def monotone_problem(seed, task):
    """Small data whose constraints bind: per-value effects that are not monotone, plus a trend
    along each constrained feature so that splitting on it is worth its clashes."""
    rng = np.random.default_rng(seed)
    p, k = [(2, 8), (3, 5), (4, 4)][seed % 3]  # features and values per feature
    n = int(rng.integers(60, 201))
    X = rng.integers(0, k, size=(n, p)).astype(float)
    for j in range(p):
        if rng.random() < 0.3:
            X[rng.random(n) < 0.1, j] = np.nan
    cst = rng.choice([-1, 0, 1], size=p)
    if not cst.any():
        cst[rng.integers(p)] = 1
    codes = np.where(np.isnan(X), k, X).astype(int)
    effects = rng.normal(size=(p, k + 1))  # per value, and for missing
    effects[:, :k] += 2.0 * cst[:, None] * np.linspace(-1, 1, k)[None, :]
    signal = effects[np.arange(p), codes].sum(axis=1)
    if task == "binary":
        y = (signal + rng.logistic(size=n) > 0).astype(int)
        y[:2] = [0, 1]
    else:
        y = signal + rng.normal(size=n)
    w = rng.integers(1, 4, size=n).astype(float)
    return X, y, w, cst


# Regression seeds 4, 5 and 8 are problems whose best monotone tree has a root on a
# constrained feature whose two independently optimal subtrees clash, so only the coupled
# search finds it (the solver before it returned a worse tree there, not claimed optimal).
@pytest.mark.parametrize("task, seed", [("binary", 1), ("binary", 3), ("binary", 8), ("regression", 4),
                                        ("regression", 5), ("regression", 6), ("regression", 8),
                                        ("binary log_loss", 1), ("binary log_loss", 3), ("binary brier", 8)])
def test_monotone_depth3_matches_exhaustive_search(task, seed):
    task, criterion = (task.split() + ["misclassification"])[:2]
    params = {} if task == "regression" else {"criterion": criterion}
    X, y, w, cst = monotone_problem(seed, task)
    rng = np.random.default_rng(seed)
    min_leaf = int(rng.choice([1, 1, 5]))
    complexity = float(rng.choice([0.0, 0.01]))
    model = fit(task, X, y, w, set(), max_depth=3, min_samples_leaf=min_leaf, complexity=complexity,
                monotonic_cst=list(cst), **params)
    data = bf.Data(X.astype(object), y.astype(float) if task == "regression" else y, w, task, set(),
                   2 if task == "binary" else 0, criterion)
    assert model.optimal_
    assert model.objective_ == pytest.approx(bf.best_monotone_cost(data, 3, min_leaf, complexity, cst), abs=1e-9)
    # the constraints bind here: the unconstrained optimum is lower
    assert bf.optimal_cost(data, 3, min_leaf, complexity) < model.objective_ - 1e-9
    # the coupled search runs inside the per-feature workers: the same tree on two threads
    Model = ShallowTreeRegressor if task == "regression" else ShallowTreeClassifier
    two = Model(max_depth=3, min_samples_leaf=min_leaf, complexity=complexity, monotonic_cst=list(cst),
                categorical_features=None, time_limit=None, n_jobs=2, **params).fit(X, y, sample_weight=w)
    assert two.to_text() == model.to_text() and two.objective_ == model.objective_


def search_problem(data, w, task, cst, min_leaf, penalty, **problem):
    """The solver's view of ``bf.Data``: ordinal codes (missing -> n_bins) and row statistics,
    by ``data.criterion`` with its pseudo-row (the mean weight); ``problem``: more ``Problem``
    fields (a budget)."""
    codes = np.asfortranarray(np.array([np.where(c < 0, len(v), c) for c, v in zip(data.columns, data.values)]).T
                              .astype(np.uint8))
    n_bins = np.array([len(v) for v in data.values], dtype=np.intp)
    n_classes = 0 if task == "regression" else data.n_classes
    y = data.y if task == "regression" else data.y.astype(np.intp)
    stats = row_statistics(y, w, n_classes, extra=[np.ones_like(w)])  # the row count last
    return Problem(codes, stats, n_bins, np.asarray(cst, dtype=np.int8), n_classes, min_leaf,
                   penalty * data.scale, 1, np.inf, min_weight=1e-12 * w.sum(),
                   criterion=CRITERIA.index(data.criterion), pseudo=float(w.mean()), **problem)


@pytest.mark.parametrize("task", ["binary", "regression"])
@pytest.mark.parametrize("seed", range(6))
def test_depth2_value_bounds_match_exhaustive_search(task, seed):
    # The kernel's value bounds (used to couple two subtrees) against their definition: every
    # grid point inside a box is predicted within the box's range.
    X, y, w, cst = monotone_problem(10 * seed + 1, task)  # 3 features with 5 values
    rng = np.random.default_rng(seed)
    data = bf.Data(X.astype(object), y.astype(float) if task == "regression" else y, w, task, set(),
                   2 if task == "binary" else 0)
    p = X.shape[1]
    problem = search_problem(data, w, task, cst, 1, 0.0)
    grid = bf.Grid(data, cst)
    everywhere = np.ones(len(grid.points), dtype=bool)
    region = [(0, len(v) - 1) for v in data.values]
    costs, predictions = bf.monotone_trees(data, grid, np.ones(len(y), dtype=bool), everywhere, region, 2, 1,
                                           0.0, {})
    spread = np.quantile(data.y, [0.2, 0.5, 0.8]) if task == "regression" else np.array([0.3, 0.5, 0.7])
    bounds = ValueBounds.none(p)
    ok = np.ones(len(costs), dtype=bool)
    for _ in range(int(rng.integers(1, 4))):
        lo = rng.integers(0, problem.n_bins, size=p)
        hi = np.minimum(lo + rng.integers(0, 3, size=p), problem.n_bins - 1)
        lo[rng.random(p) < 0.2] = 1  # an empty interval: the box holds only the missing code
        hi[lo > hi] = 0
        miss = rng.random(p) < 0.5
        low, high = (-np.inf, spread[1]) if rng.random() < 0.5 else (spread[1], np.inf)
        if rng.random() < 0.3:
            low, high = spread[0], spread[2]
        bounds = bounds.add(lo[None], hi[None], miss[None].astype(np.uint8), [low], [high])
        code = grid.points
        inside = np.all(((code >= lo) & (code <= hi)) | ((code < 0) & miss), axis=1)
        inside_values = predictions[:, inside]
        ok &= np.all((inside_values >= low) & (inside_values <= high), axis=1)
    lo_bin, hi_bin = problem.full_region()
    rows = np.arange(len(y), dtype=np.intp)
    _, cost, free = solve_small(problem, rows, lo_bin, hi_bin, 2, bounds=bounds, keep_empty=True)
    expected = costs[ok].min() if ok.any() else np.inf
    assert cost / data.scale == pytest.approx(expected, abs=1e-9)
    assert free / data.scale == pytest.approx(bf.optimal_cost(data, 2, 1, 0.0), abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("criterion", CRITERIA)
def test_multiclass_categorical_splits_match_exhaustive_search(seed, criterion):
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
    model = fit("multiclass", X, y, w, {0, 1}, max_depth=depth, criterion=criterion)
    data = bf.Data(X, y, w, "multiclass", {0, 1}, 3, criterion)
    assert model.optimal_
    assert model.objective_ == pytest.approx(bf.optimal_cost(data, depth, 1, 0.0), abs=1e-9)


@pytest.mark.parametrize("depth", [2, 3])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_unweighted_log_loss_reads_its_tables_and_matches_exhaustive_search(task, depth, seed):
    """Unweighted class weights are whole numbers, so the log loss reads x log(x + m) from the
    solver's tables (_ext/_regions.pxd) instead of taking logarithms; the optimum is the same."""
    X, y, _, cat, n_classes = make_problem(500 + 10 * depth + seed, task, n_features=3 if depth == 3 else None)
    if depth == 3:
        X, y = X[:60], y[:60]
        y[:n_classes] = np.arange(n_classes)
    w = np.ones(len(y))
    model = fit(task, X, y, w, cat, max_depth=depth, criterion="log_loss")
    data = bf.Data(X, y, w, task, cat, n_classes, "log_loss")
    assert model.optimal_
    assert model.objective_ == pytest.approx(bf.optimal_cost(data, depth, 1, 0.0), abs=1e-9)
    stats = row_statistics(np.asarray(y, dtype=np.intp), w, n_classes, extra=[w])
    problem = Problem(np.zeros((len(y), 1), dtype=np.uint8, order="F"), stats, np.array([1]), np.zeros(1, np.int8),
                      n_classes, 1, 0.0, 1, np.inf, criterion=1)
    assert problem._log_table_size() == len(y) + 1  # the tables were used
