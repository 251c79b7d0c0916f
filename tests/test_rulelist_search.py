"""Rule-list search vs exhaustive enumeration on tiny problems.

The enumeration below builds its own antecedents (``x_j == 0`` / ``x_j == 1`` on binary
features) and scores every list of up to ``max_rules`` rules by direct evaluation; it shares no
code with glassbox's search. Whenever the search claims ``optimal_``, the objectives must match,
and ``objective_`` must be the objective of the printed rules re-scored here.
"""

import itertools
import warnings

import numpy as np
import pytest

from glassbox import RuleListClassifier, RuleListRegressor
from glassbox.rules import NotProvenOptimalWarning
from tests import twins

MAX_RULES = 3


def _antecedent_rows(X):
    return [X[:, j] == v for j in range(X.shape[1]) for v in (0, 1)]


CRITERIA = ["misclassification", "log_loss", "brier"]


def _list_objective(masks, y, w, c, classification, n_classes, criterion="misclassification"):
    """Objective of the list whose rules capture ``masks`` in order, by definition (smoothing:
    one pseudo-row of the mean weight per class)."""
    free = np.ones(len(y), dtype=bool)
    loss = 0.0
    for mask in list(masks) + [np.ones(len(y), dtype=bool)]:
        rows = free & mask
        free &= ~mask
        if classification:
            loss += twins.class_loss_naive(y[rows], w[rows], n_classes, criterion, w.mean())[0]
        elif w[rows].sum() > 0:
            mean = np.average(y[rows], weights=w[rows])
            loss += np.sum(w[rows] * (y[rows] - mean) ** 2)
    if classification:
        return loss / w.sum() + c * len(masks)
    variance = np.average((y - np.average(y, weights=w)) ** 2, weights=w)
    return loss / (w.sum() * variance) + c * len(masks)


def _brute_force(X, y, w, c, classification, n_classes=2, criterion="misclassification"):
    return _exhaustive(_antecedent_rows(X), y, w, c, classification, n_classes, MAX_RULES, criterion)


def _problem(seed, classification, n_classes=2, weighted=False):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 61))
    X = rng.integers(0, 2, size=(n, 4)).astype(float)
    if classification:
        # A noisy logical rule, so the optimum has a few rules rather than none.
        signal = ((X[:, 0] == 1) & (X[:, 1] == 0)) | (X[:, 2] == 1)
        y = np.where(rng.random(n) < 0.8, signal, rng.integers(0, n_classes, n)).astype(int)
        y = np.where((y == 0) & (X[:, 3] == 1) & (n_classes > 2), 2, y)
    else:
        y = 2.0 * X[:, 0] - 3.0 * X[:, 1] * X[:, 2] + rng.normal(0, 1, n)
    if weighted == "continuous":  # as many weights as rows: the statistics are summed row by row
        w = rng.uniform(0.5, 3.0, n)
    else:  # integer weights: counted as rows of a class and a weight (rules._search.WeightGroups)
        w = rng.integers(1, 4, n).astype(float) if weighted else np.ones(n)
    c = float(rng.choice([0.005, 0.01, 0.03, 0.06]))
    return X, y, w, c


def _fit(estimator, X, y, w):
    with warnings.catch_warnings():
        warnings.simplefilter("error", NotProvenOptimalWarning)
        return estimator.fit(X, y, sample_weight=w)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("weighted", [False, True, "continuous"])
@pytest.mark.parametrize("criterion", CRITERIA)
def test_classifier_optimum_matches_brute_force(seed, weighted, criterion):
    X, y, w, c = _problem(seed, True, weighted=weighted)
    model = _fit(RuleListClassifier(c=c, criterion=criterion, max_card=1, min_support=0.0, max_rules=MAX_RULES),
                 X, y, w)
    assert model.optimal_
    expected = _brute_force(X, y, w, c, True, criterion=criterion)
    assert model.objective_ == pytest.approx(expected, abs=1e-12)
    assert model.lower_bound_ == pytest.approx(model.objective_, abs=1e-12)
    # The printed rules, re-scored independently, have the reported objective.
    masks = [np.logical_and.reduce([cond.evaluate(model.binner_.transform(X)) for cond in r.conditions])
             for r in model.rules_[:-1]]
    assert _list_objective(masks, y, w, c, True, 2, criterion) == pytest.approx(model.objective_, abs=1e-12)
    # Each rule predicts the probabilities its loss was counted with.
    if criterion != "misclassification":
        free = np.ones(len(y), dtype=bool)
        for mask, rule in zip(masks + [np.ones(len(y), dtype=bool)], model.rules_):
            rows = free & mask
            free &= ~mask
            counts = np.bincount(y[rows], weights=w[rows], minlength=2)
            np.testing.assert_allclose(rule.value, (counts + w.mean()) / (counts.sum() + 2 * w.mean()), rtol=1e-12)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("criterion", CRITERIA)
def test_multiclass_optimum_matches_brute_force(seed, criterion):
    X, y, w, c = _problem(100 + seed, True, n_classes=3)
    model = _fit(RuleListClassifier(c=c, criterion=criterion, max_card=1, min_support=0.0, max_rules=MAX_RULES),
                 X, y, w)
    assert model.optimal_
    assert model.objective_ == pytest.approx(_brute_force(X, y, w, c, True, n_classes=3, criterion=criterion),
                                             abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("weighted", [False, True])
def test_regressor_optimum_matches_brute_force(seed, weighted):
    X, y, w, c = _problem(200 + seed, False, weighted=weighted)
    model = _fit(RuleListRegressor(c=c, max_card=1, min_support=0.0, max_rules=MAX_RULES), X, y, w)
    assert model.optimal_
    assert model.objective_ == pytest.approx(_brute_force(X, y, w, c, False), abs=1e-9)


def test_budget_hit_warns_and_reports_a_valid_bound():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(0, 1, 300) > 0).astype(int)
    with pytest.warns(NotProvenOptimalWarning) as caught:
        default = RuleListClassifier(c=0.001, max_nodes=3).fit(X, y)
    gap = default.objective_ - default.lower_bound_
    assert f"has a training mean log loss lower by more than {gap:.3g}" in str(caught[0].message)
    with pytest.warns(NotProvenOptimalWarning, match="not proven optimal|before the rule list was proven") as caught:
        model = RuleListClassifier(c=0.001, max_nodes=3, criterion="misclassification").fit(X, y)
    assert not model.optimal_
    assert model.lower_bound_ <= model.objective_
    # The gap is said in the data's terms: error at equal length, as a share and in rows.
    gap = model.objective_ - model.lower_bound_
    message = str(caught[0].message)
    assert f"misclassifies more than {gap:.1%} less of the training weight, about {gap * 300:.0f} of the 300" in message
    with pytest.warns(NotProvenOptimalWarning) as caught:
        regressor = RuleListRegressor(c=0.001, max_nodes=3).fit(X, X[:, 0] * X[:, 1])
    gap = regressor.objective_ - regressor.lower_bound_
    assert f"has a training R² higher by more than {gap:.3g}" in str(caught[0].message)


# --- each bound on its own: switching it off never changes the certified optimum -------------

_FLAGS = ["BOUND_HIERARCHICAL", "BOUND_LOOKAHEAD", "BOUND_EQUIVALENT", "BOUND_SUPPORT",
          "BOUND_ACCURATE", "BOUND_CAPTURE", "BOUND_DEDUP"]


def _search_problem(X, y, w, classification, n_classes, criterion="misclassification"):
    """The search's own problem over the brute force's antecedents (plus duplicates and
    conjunctions, so that duplicate-capture and capture-map pruning have work to do)."""
    from glassbox.rules._antecedents import rows_to_bits
    from glassbox.rules._search import Problem

    singles = _antecedent_rows(X)  # x0 == 0, x0 == 1, x1 == 0, ...
    extra = [singles[0] & singles[2], singles[0] & singles[2], singles[1] | ~singles[1], singles[3] & singles[5]]
    masks = singles + extra
    bits = np.array([rows_to_bits(m) for m in masks])
    # Earlier antecedents nested with each: the conjunctions' parts, the duplicate's twin, the
    # all-rows rule's subset.
    n = len(singles)
    nested = np.full((len(masks), 2), -1, dtype=np.intp)
    nested[n:] = [[0, 2], [n, 0], [1, -1], [3, 5]]
    target = y if classification else (y - np.average(y, weights=w)) / np.sqrt(
        np.average((y - np.average(y, weights=w)) ** 2, weights=w))
    problem = Problem(bits, n, target, w, classification=classification, n_classes=n_classes, nested=nested,
                      criterion=CRITERIA.index(criterion))
    return problem, masks


def _exhaustive(masks, y, w, c, classification, n_classes, max_rules, criterion="misclassification"):
    best = np.inf
    for length in range(max_rules + 1):
        for combo in itertools.product(range(len(masks)), repeat=length):
            best = min(best, _list_objective([masks[a] for a in combo], y, w, c, classification, n_classes,
                                             criterion))
    return best


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["binary", "weighted", "continuous", "multiclass", "regression",
                                  *(f"{kind} {criterion}" for kind in ("binary", "weighted", "continuous", "multiclass")
                                    for criterion in CRITERIA[1:])])
def test_no_bound_prunes_the_optimum(seed, kind):
    from glassbox._ext import _rulelist
    from glassbox.rules._search import search

    kind, criterion = (kind.split() + ["misclassification"])[:2]
    classification = kind != "regression"
    n_classes = 3 if kind == "multiclass" else 2
    weighted = {"weighted": True, "continuous": "continuous"}.get(kind, False)
    X, y, w, c = _problem(300 + seed, classification, n_classes=n_classes, weighted=weighted)
    problem, masks = _search_problem(X, y, w, classification, n_classes, criterion)
    assert (problem.groups is None) == (kind in ("continuous", "regression"))  # each path is tested
    expected = _exhaustive(masks, y, w, c, classification, n_classes, MAX_RULES, criterion)
    everything = _rulelist.BOUND_ALL
    runs = {"all": everything, "none": 0}
    runs.update({flag: everything & ~getattr(_rulelist, flag) for flag in _FLAGS})
    nodes = {}
    for name, bounds in runs.items():
        result = search(problem, c=c, max_rules=MAX_RULES, max_nodes=10**6, time_limit=None, beam_width=2,
                        bounds=bounds)
        assert result.optimal, name
        assert result.objective == pytest.approx(expected, abs=1e-9), name
        assert result.lower_bound == pytest.approx(result.objective, abs=1e-12), name
        # The reported rules have the reported objective.
        assert _list_objective([masks[a] for a in result.prefix], y, w, c, classification, n_classes, criterion) == \
            pytest.approx(result.objective, abs=1e-9), name
        nodes[name] = result.n_nodes
    assert nodes["all"] < nodes["none"], "the bounds should prune something"


@pytest.mark.parametrize("seed", range(20))
def test_counted_weight_groups_give_the_summed_statistics(seed):
    """Statistics counted by (class, weight) groups equal those summed row by row, for weights of
    few values (class weights, small integers, equal), and many distinct weights are summed."""
    from glassbox.rules import _search
    from glassbox.rules._antecedents import rows_to_bits

    rng = np.random.default_rng(seed)
    n, n_classes = int(rng.integers(1, 300)), int(rng.integers(2, 5))
    y = rng.integers(0, n_classes, n)
    kind = seed % 3
    w = (rng.uniform(0.1, 5.0, n_classes)[y] if kind == 0 else rng.integers(1, 4, n).astype(float) if kind == 1
         else np.full(n, rng.uniform(0.1, 5.0)))
    bits = np.array([rows_to_bits(rng.random(n) < rng.uniform(0, 1)) for _ in range(6)])
    counted = _search.Problem(bits, 6, y, w, classification=True, n_classes=n_classes)
    assert counted.groups is not None
    mask = rows_to_bits(rng.random(n) < 0.7)
    summed = _search.Problem(bits, 6, y, w, classification=True, n_classes=n_classes)
    summed.groups = None
    np.testing.assert_allclose(counted.sums(mask), summed.sums(mask), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(counted.mask_stats(mask), summed.mask_stats(mask), rtol=1e-12, atol=1e-12)
    many = _search.Problem(bits, 6, y, rng.uniform(0.5, 1.5, n) if n > 40 else w, classification=True,
                           n_classes=n_classes)
    assert (many.groups is None) == (n > 40)


def test_many_rules_exhaust_the_child_batches():
    """More candidate rules than a cursor queues at once (32): later batches are found by
    scoring a prefix's children again, and the optimum still matches exhaustive enumeration."""
    from glassbox._ext import _rulelist
    from glassbox.rules._antecedents import rows_to_bits
    from glassbox.rules._search import Problem, search

    rng = np.random.default_rng(11)
    n = 60
    X = rng.integers(0, 2, size=(n, 20)).astype(float)
    y = np.where(rng.random(n) < 0.75, (X[:, 0] == 1) | (X[:, 5] == 0), rng.integers(0, 2, n)).astype(int)
    w = np.ones(n)
    masks = _antecedent_rows(X)
    problem = Problem(np.array([rows_to_bits(m) for m in masks]), len(masks), y, w, classification=True, n_classes=2)
    expected = _exhaustive(masks, y, w, 0.0, True, 2, 2)
    for bounds in (_rulelist.BOUND_ALL, 0):
        result = search(problem, c=0.0, max_rules=2, max_nodes=10**6, time_limit=None, beam_width=1, bounds=bounds)
        assert result.optimal
        assert result.objective == pytest.approx(expected, abs=1e-12)


def _wide_problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)).round(2)
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=n) > 0).astype(int)
    return X, y


def test_time_limit_covers_mining_too():
    """Mining the candidates (millions of conjunctions on wide data) runs under the fit's clock:
    a fit that took 19 s against time_limit=1 (mining first, unbounded) now stops near its
    limit, says why, and claims no certificate. (The bound asserted is loose: a busy machine.)"""
    import time as clock

    X, y = _wide_problem(2000, 150)
    start = clock.perf_counter()
    with pytest.warns(NotProvenOptimalWarning, match="mining the candidate rules stopped at .* of them \\(half the time limit\\)"):
        model = RuleListClassifier(max_nodes=300, time_limit=1.0).fit(X, y)
    assert clock.perf_counter() - start < 6.0
    assert not model.optimal_ and model.lower_bound_ <= model.objective_
    assert model.predict(X).shape == (len(y),)


def test_mining_stops_at_its_memory_cap_and_says_so(monkeypatch):
    """Conjunctions of three on wide data run to billions (such a fit was killed for memory):
    mining stops at a cap, the list is the best among the candidates mined, and its lower bound
    still holds for every list (the equivalent points' loss, not the search's bound over the
    truncated candidates)."""
    from glassbox.rules import _antecedents

    X, y = _wide_problem(300, 30, seed=1)
    full = RuleListClassifier(max_card=3, max_nodes=40)
    with pytest.warns(NotProvenOptimalWarning):
        full.fit(X, y)
    monkeypatch.setattr(_antecedents, "MAX_MINED_BYTES", 2 << 20)
    with pytest.warns(NotProvenOptimalWarning, match="stopped at .* \\(the 2 MiB of memory they may take\\)"):
        capped = RuleListClassifier(max_card=3, max_nodes=40).fit(X, y)
    assert capped.n_antecedents_ < full.n_antecedents_
    assert not capped.optimal_
    assert capped.lower_bound_ <= full.objective_ + 1e-12  # a bound on the full space's optimum


def _same_partition(a, b):
    """Whether two class-id arrays group the rows alike (whatever the ids)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("seed", range(12))
def test_equivalence_classes_match_their_definition(seed):
    """Rows with the same bit on every antecedent share a class, and only they: against a direct
    grouping of the rows' bit patterns, with repeated rows, more antecedents than one refinement
    block, rows that differ only on the last antecedents, and rows that all differ early (the
    refinement stops there)."""
    from glassbox.rules._antecedents import rows_to_bits
    from glassbox.rules._search import _REFINE_BLOCK, _equivalence_classes

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    n_ant = int(rng.choice([1, 5, _REFINE_BLOCK, 3 * _REFINE_BLOCK + 7]))
    distinct = rng.random((max(1, n // int(rng.choice([1, 3, 20]))), n_ant)) < rng.uniform(0.05, 0.95)
    if seed % 2:  # patterns that agree on every antecedent but the last two: only those split them
        distinct[:, :-2] = distinct[0, :-2]
    masks = distinct[rng.integers(0, len(distinct), size=n)].T  # (n_ant, n): rows repeat patterns
    bits = np.array([rows_to_bits(m) for m in masks])
    _, expected = np.unique(masks.T, axis=0, return_inverse=True)
    got = _equivalence_classes(bits, n)
    assert got.shape == (n,) and _same_partition(got, expected.reshape(-1))
    late = _equivalence_classes(bits, n, deadline=0.0)  # past the deadline: every row alone
    assert np.array_equal(late, np.arange(n))
