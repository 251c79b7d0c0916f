"""Rule lists on data wider than the default budget: conjunctions among the best-ranked features.

The default budget's fewest expansions must pay for scoring every candidate; where they cannot,
the conjunctions are limited to those among the features a greedy reference ranks best
(``glassbox/rules/_budget.py``). The budget is made small here (``_search._DEFAULT_WORK``) so that
small data take that path.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from glassbox import RuleListClassifier, RuleListRegressor
from glassbox.rules import NotProvenOptimalWarning, resolved_defaults
from glassbox.rules import _budget, _search
from glassbox.rules._antecedents import NO_MEMBERS, among_features, mine_antecedents
from glassbox.rules._search import default_budget_excess


def _frame(seed, n=500, p=12):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"x{j}" for j in range(p)])
    X["level"] = pd.Categorical(rng.choice(list("abcd"), n))
    X.loc[rng.random(n) < 0.1, "x1"] = np.nan
    signal = X["x0"] + (X["level"] == "b") * 1.5 - X["x2"].fillna(0) * X["x3"]
    return X, signal.to_numpy() + rng.normal(size=n) * 0.5


def _mined(X, max_card=2):
    binned = RuleListClassifier()._fit_bins(X)
    return mine_antecedents(binned, np.ones(len(X)), max_card=max_card, min_support=0.01, max_thresholds=4,
                            n_threads=1)


@pytest.mark.parametrize("seed", range(6))
def test_among_features_keeps_every_single_and_exactly_the_conjunctions_within(seed):
    X, _ = _frame(seed)
    full = _mined(X, max_card=2 + seed % 2)
    rng = np.random.default_rng(seed)
    features = np.sort(rng.choice(X.shape[1], size=rng.integers(0, X.shape[1] + 1), replace=False))
    limited = among_features(full, features)
    n = full.n_single
    assert limited.n_single == n and not limited.complete
    np.testing.assert_array_equal(limited.conjunction_features, features)
    np.testing.assert_array_equal(limited.bits[:n], full.bits[:n])
    assert [limited.conditions[a] for a in range(n)] == [full.conditions[a] for a in range(n)]
    expected = [a for a in range(n, len(full.conditions))
                if all(c.feature in set(features.tolist()) for c in full.conditions[a])]
    assert len(limited.conditions) == n + len(expected)
    for new, old in enumerate(expected, start=n):  # in the mined order, with their rows and partners
        assert limited.conditions[new] == full.conditions[old]
        np.testing.assert_array_equal(limited.bits[new], full.bits[old])
        np.testing.assert_array_equal(limited.nested[new], full.nested[old])
    np.testing.assert_array_equal(limited.nested[:n], full.nested[:n])


def test_among_no_features_leaves_the_singles():
    X, _ = _frame(0)
    full = _mined(X)
    limited = among_features(full, np.zeros(0, dtype=np.intp))
    assert len(limited.conditions) == full.n_single
    assert getattr(limited.conditions, "members", NO_MEMBERS).shape[0] == 0


@pytest.mark.parametrize("work", [2e5, 5e5, 1e6, 3e6])
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_the_default_budget_keeps_conjunctions_among_the_best_ranked_features(work, kind, monkeypatch):
    """Within the budget's fewest expansions (or no conjunction left), and the features kept are
    the reference's best, a prefix of its ranking."""
    X, signal = _frame(3)
    model, y = (RuleListClassifier(), (signal > 0.5).astype(int)) if kind == "classifier" else (RuleListRegressor(),
                                                                                              signal)
    unlimited = model._prepare(X, y, None, kind == "classifier")[1]
    assert unlimited.conjunction_features is None  # the real budget searches these data whole
    monkeypatch.setattr(_search, "_DEFAULT_WORK", work)
    ranking = []
    from glassbox.rules import _rulelist

    real_rank = _rulelist.rank_features

    def spy(*args):
        ranking.append(real_rank(*args))
        return ranking[-1]

    monkeypatch.setattr(_rulelist, "rank_features", spy)
    excesses = []  # (candidates, excess) of every problem the limit built, the mined one first

    def excess_spy(problem):
        excesses.append((len(problem.bits), default_budget_excess(problem)))
        return excesses[-1][1]

    monkeypatch.setattr(_budget, "default_budget_excess", excess_spy)
    _, limited, problem = model._prepare(X, y, None, kind == "classifier")[:3]
    assert len(ranking) == 1  # ranked once, whoever asks
    features = limited.conjunction_features
    assert features is not None and not limited.complete
    np.testing.assert_array_equal(features, np.sort(ranking[0][:len(features)]))
    n_conjunctions = len(limited.conditions) - limited.n_single
    (n_singles, singles), (n_kept, kept) = excesses[1], excesses[-1]  # the mined problem, then the singles'
    assert n_singles == limited.n_single
    assert n_kept == len(limited.conditions) and kept == default_budget_excess(problem)
    # Within the budget, or within the singles' own work plus the conjunctions' half budget.
    assert kept <= max(1.0, singles + _budget._CONJUNCTION_SHARE) or n_conjunctions == 0
    assert limited.n_single == unlimited.n_single
    assert n_conjunctions < len(unlimited.conditions) - unlimited.n_single


def test_a_limited_fit_warns_and_an_explicit_budget_searches_every_conjunction(monkeypatch):
    """The warning says what was limited and what to change; conjunction_features_ records it
    (every rule of several conditions within it), in the model file too."""
    X, signal = _frame(4)
    y = (signal > 0.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotProvenOptimalWarning)
        everything = RuleListClassifier().fit(X, y).n_antecedents_
    monkeypatch.setattr(_search, "_DEFAULT_WORK", 5e5)
    with pytest.warns(NotProvenOptimalWarning, match=r"among the \d+ features a greedy reference ranks best") as w:
        model = RuleListClassifier().fit(X, y)
    assert "Set max_nodes to search every conjunction" in str(w[0].message)
    assert model.n_antecedents_ < everything and not model.optimal_
    assert model.optimality_gap_ > 0
    combined = set(model.conjunction_features_.tolist())
    assert len(combined) < X.shape[1]
    assert all({c.feature for c in rule.conditions} <= combined for rule in model.rules_ if len(rule.conditions) > 1)
    from glassbox.export import from_dict, to_dict

    loaded = from_dict(to_dict(model))  # the file keeps the limit
    np.testing.assert_array_equal(loaded.conjunction_features_, model.conjunction_features_)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotProvenOptimalWarning)
        explicit = RuleListClassifier(max_nodes=60).fit(X, y)
    assert explicit.n_antecedents_ == everything


def test_mining_stops_at_max_conjunctions_best_ranked_first():
    X, _ = _frame(5, p=40)
    binned = RuleListClassifier()._fit_bins(X)
    order = np.arange(X.shape[1])[::-1]  # a made-up ranking: the last column best
    capped = mine_antecedents(binned, np.ones(len(X)), max_card=2, min_support=0.01, max_thresholds=4, n_threads=1,
                              max_conjunctions=5000, rank_features=lambda: order)
    n_conjunctions = len(capped.conditions) - capped.n_single
    assert capped.stopped_by == "budget" and not capped.complete and 0 < n_conjunctions <= 5000
    rank = np.argsort(order)
    worst = [max(rank[c.feature] for c in capped.conditions[a]) for a in range(capped.n_single, len(capped.conditions))]
    assert worst == sorted(worst) and worst[-1] < X.shape[1] - 10  # best-ranked first, stopped early
    mined = mine_antecedents(binned, np.ones(len(X)), max_card=2, min_support=0.01, max_thresholds=4, n_threads=1,
                             max_conjunctions=10**6, rank_features=lambda: order)
    assert mined.stopped_by == "" and len(mined.conditions) > len(capped.conditions)


def test_distillation_leaves_a_limited_budget_to_the_student(monkeypatch):
    """A fixed max_nodes would search every conjunction of the student's rows: when the real
    rows' candidates were limited, the student's own default limits them again."""
    X, signal = _frame(6)
    y = (signal > 0.5).astype(int)
    assert "max_nodes" in resolved_defaults(RuleListClassifier(), X, y)
    monkeypatch.setattr(_search, "_DEFAULT_WORK", 5e5)
    assert "max_nodes" not in resolved_defaults(RuleListClassifier(), X, y)


def test_a_list_pickled_before_conjunction_features_combined_every_feature(tmp_path):
    import pickle

    from glassbox import load, save

    X, signal = _frame(7, n=200, p=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotProvenOptimalWarning)
        fitted = RuleListRegressor(max_nodes=200).fit(X, signal)
    np.testing.assert_array_equal(fitted.conjunction_features_, np.arange(X.shape[1]))
    del fitted.conjunction_features_  # what a list pickled before the attribute holds
    model = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(model.conjunction_features_, np.arange(X.shape[1]))
    save(model, tmp_path / "list.json")  # which reads it
    np.testing.assert_array_equal(load(tmp_path / "list.json").predict(X), model.predict(X))
    assert not hasattr(pickle.loads(pickle.dumps(RuleListRegressor())), "conjunction_features_")


def test_an_expansion_costs_more_units_with_more_classes():
    """A unit is calibrated on a binary problem's three count groups; K classes count K + 1
    groups (or sum K + 1 statistics per row with random weights), so the same candidates cost
    (K + 1) / 3 times the words, and the default budget allows fewer expansions."""
    from glassbox.rules._search import _WORDS_PER_CANDIDATE, _expansion_work

    rng = np.random.default_rng(11)
    X = pd.DataFrame(rng.integers(0, 6, size=(3000, 5)).astype(float))
    work = {}
    for k in (2, 6, 26):
        y = rng.integers(0, k, size=len(X))
        for weighted in (False, True):
            w = rng.uniform(0.5, 1.5, len(X)) if weighted else None
            _, antecedents, problem = RuleListClassifier(max_nodes=100)._prepare(X, y, w, True)[:3]
            n_candidates, n_words = problem.bits.shape
            work[k, weighted] = _expansion_work(problem) / n_candidates
            if not weighted:
                assert len(problem.groups.bits) == k + 1  # a group per class and the minority's
                assert work[k, weighted] == n_words * max(1.0, (k + 1) / 3) + _WORDS_PER_CANDIDATE
    assert work[2, False] < work[6, False] < work[26, False]
    assert work[2, True] < work[6, True] < work[26, True]
