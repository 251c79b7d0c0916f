"""The depth-3 search's budget (``max_root_splits``): which root splits it examines, that it is
exact among them, that the tree it gives depends on the budget and the data only (not on the
thread count), and that its lower bound holds.

Scopes are checked against one-split costs and the exhaustive enumeration of
``tree_brute_force`` (written from the split family's definition, sharing no code with the
search).
"""

import warnings

import numpy as np
import pytest

from glassbox import ShallowTreeClassifier, ShallowTreeRegressor
from glassbox.tree import NotProvenOptimalWarning
from glassbox.tree._search import root_scope, solve_depth3
from tests import tree_brute_force as bf
from tests.test_tree_optimality import make_problem, search_problem

CASES = [("binary", "misclassification"), ("binary", "log_loss"), ("binary", "brier"),
         ("multiclass", "log_loss"), ("multiclass", "misclassification"), ("regression", None)]


def _problem(data, w, task, min_leaf, penalty, budget):
    """The search's view of ``bf.Data``, unconstrained, with a budget."""
    return search_problem(data, w, task, np.zeros(len(data.values)), min_leaf, penalty, max_root_splits=budget)


def _one_split_cost(data, j, u, missing_left):
    """The loss of a root split's two sides as leaves, from the definition (row by row); a side
    without weight costs nothing."""
    col = data.columns[j]
    left = np.where(col < 0, missing_left, col <= u)
    return sum(bf.leaf(data, side, 1, 0.0)[0] * data.scale for side in (left, ~left) if data.w[side].sum() > 0)


def _setup(task, criterion, seed):
    X, y, w, cat, n_classes = make_problem(7000 + seed, task, n_features=3)
    X, y, w = X[:60], y[:60], w[:60]
    y[:n_classes] = np.arange(n_classes)
    y = np.asarray(y, dtype=float) if task == "regression" else y
    data = bf.Data(X, y, w, task, cat, n_classes, criterion or "misclassification")
    return data, w


@pytest.mark.parametrize("task,criterion", CASES)
@pytest.mark.parametrize("seed", range(5))
def test_the_scope_holds_the_best_root_splits_by_their_one_split_cost(task, criterion, seed):
    data, w = _setup(task, criterion, seed)
    budget = int(np.random.default_rng(seed).integers(1, 12))
    problem = _problem(data, w, task, 1, 0.0, budget)
    rows = np.arange(len(data.y), dtype=np.intp)
    lo, hi = problem.full_region()
    scope = root_scope(problem, len(rows), lo, hi, problem.histograms(rows))
    examined = {(f, lo[f] + s, m) for f, inside in scope.items() for s, m in zip(*np.nonzero(inside))}
    # every split the sweep tries: a threshold that moves rows (or the first), each missing side present
    every = [(j, u, m) for j, u, m, _, _ in bf.splits(data, np.ones(len(data.y), dtype=bool),
                                                      [(0, len(v) - 1) for v in data.values])
             if u == 0 or np.any(data.columns[j] == u)]
    assert problem.scopes == [(min(budget, len(every)), len(every))]
    assert examined <= {(j, u, int(m)) for j, u, m in every} and len(examined) == min(budget, len(every))
    cost = {(j, u, int(m)): _one_split_cost(data, j, u, m) for j, u, m in every}
    worst_in = max(cost[k] for k in examined)
    best_out = min([cost[k] for k in cost if k not in examined], default=np.inf)
    assert worst_in <= best_out + 1e-9 * max(1.0, worst_in)


@pytest.mark.parametrize("task,criterion", CASES)
@pytest.mark.parametrize("seed", range(5))
def test_a_budgeted_search_is_exact_among_the_root_splits_it_examines(task, criterion, seed):
    """The tree is the best of: the first incumbent (the search with no budget: the depth-2
    optimum's root with exact depth-2 subtrees) and every examined root split with both sides
    solved exhaustively."""
    data, w = _setup(task, criterion, seed)
    rng = np.random.default_rng(seed)
    min_leaf, penalty = int(rng.choice([1, 1, 4])), float(rng.choice([0.0, 0.01]))
    budget = int(rng.integers(1, 15))
    rows = np.arange(len(data.y), dtype=np.intp)
    problem = _problem(data, w, task, min_leaf, penalty, budget)
    lo, hi = problem.full_region()
    scope = root_scope(_problem(data, w, task, min_leaf, penalty, budget), len(rows), lo, hi,
                       problem.histograms(rows))
    _, cost, proven = solve_depth3(problem, rows, lo, hi)
    _, seed_cost, _ = solve_depth3(_problem(data, w, task, min_leaf, penalty, 0), rows, lo, hi)
    everything = np.ones(len(data.y), dtype=bool)
    region = [(0, len(v) - 1) for v in data.values]
    best = np.inf
    for j, u, m, left, right in bf.splits(data, everything, region):
        if (j, u) in [(f, lo[f] + s) for f in scope for s in np.flatnonzero(scope[f][:, int(m)])]:
            rl, rr = list(region), list(region)
            rl[j], rr[j] = (region[j][0], u), (u + 1, region[j][1])
            best = min(best, bf.best_cost(data, left, rl, 2, min_leaf, penalty)
                       + bf.best_cost(data, right, rr, 2, min_leaf, penalty))
    expected = min(best, seed_cost / data.scale)
    assert cost / data.scale == pytest.approx(expected, abs=1e-9)
    examined, there_are = problem.scopes[-1]
    assert proven == (examined == there_are)
    assert cost / data.scale >= bf.optimal_cost(data, 3, min_leaf, penalty) - 1e-9


def _wide(seed, n=500, p=8):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[rng.random((n, p)) < 0.05] = np.nan
    logit = 1.2 * np.nan_to_num(X[:, 0]) - np.nan_to_num(X[:, 1]) * np.nan_to_num(X[:, 2]) + 0.5 * rng.normal(size=n)
    return X, (logit > 0.3).astype(int)


@pytest.mark.parametrize("seed", range(2))
def test_the_tree_depends_on_the_budget_not_on_threads_and_improves_with_it(seed):
    """Scopes nest as the budget grows (a fixed ranking), so the objective never rises; with
    one thread or two, the same tree; every split examined: proven optimal, as without a budget."""
    X, y = _wide(seed)
    previous = np.inf
    for budget in (0, 2, 9, 40, 10**6):
        fits = []
        for n_jobs in (1, 2):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fits.append(ShallowTreeClassifier(max_root_splits=budget, max_bins=8, time_limit=None,
                                                  n_jobs=n_jobs).fit(X, y))
            warned = [c for c in caught if issubclass(c.category, NotProvenOptimalWarning)]
            assert len(warned) == (0 if fits[-1].optimal_ else 1)
        one, two = fits
        assert one.to_text() == two.to_text() and one.objective_ == two.objective_
        assert np.array_equal(one.predict_proba(X), two.predict_proba(X))
        assert one.objective_ <= previous + 1e-12
        assert one.lower_bound_ <= one.objective_ and one.optimality_gap_ == one.objective_ - one.lower_bound_
        previous = one.objective_
    unlimited = ShallowTreeClassifier(max_bins=8, time_limit=None, max_root_splits=2**31 - 1).fit(X, y)
    assert one.optimal_ and one.optimality_gap_ == 0.0 and one.to_text() == unlimited.to_text()
    with pytest.warns(NotProvenOptimalWarning, match=r"examined 2 of \d+ root splits .* max_root_splits=\d+"):
        ShallowTreeClassifier(max_root_splits=2, max_bins=8).fit(X, y)


@pytest.mark.parametrize("task,criterion", CASES)
@pytest.mark.parametrize("seed", range(4))
def test_the_lower_bound_is_below_the_exhaustive_optimum(task, criterion, seed):
    """On few distinct values rows repeat, so the equivalent-points bound has teeth; whatever the
    budget, it never exceeds the true optimum (depth 3, enumerated)."""
    rng = np.random.default_rng(seed)
    n = 70
    X = rng.integers(0, 3, size=(n, 3)).astype(float)
    n_classes = {"binary": 2, "multiclass": 3, "regression": 0}[task]
    y = (X[:, 0] + rng.integers(0, 3, n)) % 3 if n_classes == 3 else (X[:, 0] + rng.normal(size=n))
    y = y if task == "regression" else (np.asarray(y) > 1).astype(int) if n_classes == 2 else y.astype(int)
    w = rng.integers(1, 4, size=n).astype(float)
    params = {"criterion": criterion} if criterion else {}
    Model = ShallowTreeRegressor if task == "regression" else ShallowTreeClassifier
    data = bf.Data(X.astype(object), y if n_classes else y.astype(float), w, task, set(), n_classes,
                   criterion or "misclassification")
    optimum = bf.optimal_cost(data, 3, 1, 0.01)
    for budget in (0, 1, None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotProvenOptimalWarning)
            model = Model(max_root_splits=budget, complexity=0.01, time_limit=None, **params).fit(X, y, sample_weight=w)
        assert model.lower_bound_ <= optimum + 1e-9 <= model.objective_ + 2e-9
        if model.optimal_:
            assert model.objective_ == pytest.approx(optimum, abs=1e-9) and model.optimality_gap_ == 0.0
        else:
            assert model.lower_bound_ > 0.01  # more than one leaf's penalty: repeated rows owe their loss


@pytest.mark.parametrize("bad", [-1, 1.5, "all", True])
def test_a_malformed_budget_is_refused_clearly(bad):
    X, y = _wide(0, n=50, p=3)
    with pytest.raises((ValueError, TypeError), match="max_root_splits"):
        ShallowTreeClassifier(max_root_splits=bad).fit(X, y)


@pytest.mark.parametrize("fits", [True, False])
def test_the_default_budget_examines_every_split_that_fits_else_stops_at_the_uncertified_work(fits, monkeypatch):
    """Every root split when all fit ``DEFAULT_WORK`` (the tree can be certified); otherwise the
    best-ranked that ``UNCERTIFIED_WORK`` pays for, the same scope as that explicit count."""
    from glassbox.tree import _search

    X, y = _wide(5)
    explicit = ShallowTreeClassifier(max_bins=8, time_limit=None, max_root_splits=2**31 - 1).fit(X, y)
    monkeypatch.setattr(_search, "DEFAULT_WORK", 1e12 if fits else 1e3)
    monkeypatch.setattr(_search, "UNCERTIFIED_WORK", 2.2e5)
    seen = []
    real_scope = _search.root_scope

    def spy(problem, *args):
        out = real_scope(problem, *args)
        seen.append(problem.scopes[-1])
        return out

    monkeypatch.setattr(_search, "root_scope", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotProvenOptimalWarning)
        default = ShallowTreeClassifier(max_bins=8, time_limit=None).fit(X, y)
    examined, there_are = seen[-1]
    if fits:
        assert examined == there_are and default.optimal_ == explicit.optimal_
        assert default.objective_ == explicit.objective_
    else:
        assert 0 < examined < there_are and not default.optimal_
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotProvenOptimalWarning)
            same = ShallowTreeClassifier(max_bins=8, time_limit=None, max_root_splits=examined).fit(X, y)
        assert seen[-1] == (examined, there_are) and same.objective_ == default.objective_
