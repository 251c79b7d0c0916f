"""Local moves on a rule list (``glassbox/rules/_polish.py``) against direct evaluation.

Every list is re-scored by ``_list_objective`` from the search tests, which evaluates the rules
row by row and shares no code with the kernels: the vectorised insertion scores must equal it
for every position and antecedent, and a polished list must have no single move left that
lowers its objective.
"""

import numpy as np
import pytest

from glassbox.rules._polish import _insertions, polish
from glassbox.rules._search import search
from tests.test_rulelist_search import _list_objective, _problem, _search_problem

KINDS = ["binary", "weighted", "multiclass", "regression"]


def _setup(kind, seed):
    classification = kind != "regression"
    n_classes = 3 if kind == "multiclass" else 2
    X, y, w, c = _problem(500 + seed, classification, n_classes=n_classes, weighted=kind == "weighted")
    problem, masks = _search_problem(X, y, w, classification, n_classes)

    def objective(rules):
        return _list_objective([masks[a] for a in rules], y, w, c, classification, n_classes)

    return problem, masks, c, objective


def _neighbours(rules, n_antecedents, max_rules):
    """Every list one move away: insert, delete, replace, move."""
    k = len(rules)
    if k < max_rules:
        for p in range(k + 1):
            for a in range(n_antecedents):
                yield rules[:p] + (a,) + rules[p:]
    for p in range(k):
        rest = rules[:p] + rules[p + 1:]
        yield rest
        for a in range(n_antecedents):
            yield rules[:p] + (a,) + rules[p + 1:]
        for q in range(k):
            yield rest[:q] + (rules[p],) + rest[q:]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("kind", KINDS)
def test_insertion_scores_match_direct_evaluation(kind, seed):
    problem, masks, c, objective = _setup(kind, seed)
    rng = np.random.default_rng(seed)
    for length in range(4):
        rules = tuple(int(a) for a in rng.integers(0, len(masks), length))
        scores = _insertions(problem, rules, c, [])
        assert scores.shape == (length + 1, len(masks))
        expected = np.array([[objective(rules[:p] + (a,) + rules[p:]) for a in range(len(masks))]
                             for p in range(length + 1)])
        np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-9)
        # Sums handed in for the first rules give the same scores as computing them afresh.
        layers = []
        _insertions(problem, rules, c, layers)
        np.testing.assert_array_equal(_insertions(problem, rules, c, layers[:1]), scores)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("kind", KINDS)
def test_polish_ends_where_no_single_move_helps(kind, seed):
    problem, masks, c, objective = _setup(kind, seed)
    rng = np.random.default_rng(100 + seed)
    for max_rules in (2, 4):
        start = tuple(int(a) for a in rng.integers(0, len(masks), min(max_rules, 2)))
        rules, value = polish(problem, start, c=c, max_rules=max_rules, max_sums=10**9)
        assert len(rules) <= max_rules
        assert value == pytest.approx(objective(rules), abs=1e-9)
        assert value <= objective(start) + 1e-12
        best_neighbour = min(objective(n) for n in _neighbours(rules, len(masks), max_rules))
        assert best_neighbour >= value - 1e-9


def test_budgeted_search_returns_a_polished_list():
    """With too small a budget for a certificate, the list returned still has no improving move
    (the beam alone grows lists at their end only)."""
    from glassbox.rules._antecedents import rows_to_bits
    from glassbox.rules._search import Problem

    rng = np.random.default_rng(7)
    n = 400
    X = rng.integers(0, 2, size=(n, 10)).astype(float)
    y = ((X[:, 0] == 1) & (X[:, 1] == 1) | (X[:, 2] == 1) & (X[:, 3] == 0) | (X[:, 4] == 1) & (X[:, 5] == 1)).astype(int)
    y = np.where(rng.random(n) < 0.9, y, 1 - y)
    w = np.ones(n)
    masks = [X[:, j] == v for j in range(10) for v in (0, 1)]
    masks += [masks[i] & masks[j] for i in range(len(masks)) for j in range(i + 1, len(masks)) if i // 2 != j // 2]
    problem = Problem(np.array([rows_to_bits(m) for m in masks]), 20, y, w, classification=True, n_classes=2)
    c = 0.005
    result = search(problem, c=c, max_rules=6, max_nodes=20, time_limit=None, beam_width=1)
    assert not result.optimal
    value = _list_objective([masks[a] for a in result.prefix], y, w, c, True, 2)
    assert value == pytest.approx(result.objective, abs=1e-12)
    best_neighbour = min(_list_objective([masks[a] for a in nb], y, w, c, True, 2)
                         for nb in _neighbours(result.prefix, len(masks), 6))
    assert best_neighbour >= result.objective - 1e-9
