"""Rule lists under monotonic_cst: monotone on dense grids, the projection against brute force."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss

import glassbox as gb
from glassbox.export import ModelFileError, from_dict, to_dict
from glassbox.rules._monotone import isotonic_on_pairs


def _data(n=3000, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"score": rng.uniform(300, 850, n), "util": rng.uniform(0, 1, n),
                      "region": rng.choice(["n", "s", "e"], n), "age": rng.uniform(18, 80, n)})
    X.loc[rng.rand(n) < 0.05, "util"] = np.nan
    # util's effect rises overall but wiggles: an unconstrained list goes both ways along it.
    logit = -(X["score"] - 575) / 80 + 1.5 * X["util"].fillna(0.5) + (X["region"] == "s") \
        + 2 * np.sin(X["util"].fillna(0.5) * 8) + 0.02 * (X["age"] - 50)
    return X, logit, rng


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


def _assert_monotone_on_grids(model, X, constraints, predict, n_base=60, seed=1):
    rng = np.random.RandomState(seed)
    for name, direction in constraints.items():
        lo, hi = X[name].min(), X[name].max()
        grid = np.linspace(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo), 400)
        for i in rng.choice(len(X), n_base, replace=False):
            rows = pd.concat([X.iloc[[i]]] * len(grid), ignore_index=True)
            rows[name] = grid
            steps = np.diff(predict(rows)) * direction
            assert np.all(steps >= 0), (name, i, steps.min())


@pytest.mark.parametrize("pos_label, criterion",
                         [(None, "log_loss"), ("Bad", "log_loss"), ("Bad", "misclassification")])
@pytest.mark.parametrize("constraints", [{"util": 1}, {"util": -1}, {"score": 1, "util": 1}, {"age": -1}])
def test_classifier_respects_the_constraint_on_dense_grids(pos_label, criterion, constraints):
    X, logit, rng = _data()
    y = np.where(rng.uniform(size=len(X)) < 1 / (1 + np.exp(-logit)), "Bad", "Good")
    model = _fit(gb.RuleListClassifier(pos_label=pos_label, monotonic_cst=constraints, criterion=criterion), X, y)
    event = list(model.classes_).index(pos_label or "Good")
    _assert_monotone_on_grids(model, X, constraints, lambda Z: model.predict_proba(Z)[:, event])
    assert list(model.monotonic_cst_) == [constraints.get(c, 0) for c in X.columns]
    # Every rule's class is its more probable one, and the objective is the list's as it predicts.
    for rule in model.rules_:
        assert rule.prediction == model.classes_[int(np.argmax(rule.value))]
        assert rule.value.sum() == pytest.approx(1.0)
    if criterion == "misclassification":
        error = np.mean(model.predict(X) != y)
    else:
        error = log_loss(y, model.predict_proba(X), labels=model.classes_)
    assert model.objective_ == pytest.approx(error + model.c_ * (len(model.rules_) - 1), abs=1e-12)


def test_a_constraint_that_changes_the_list_drops_the_certificate():
    X, logit, rng = _data()
    y = np.where(rng.uniform(size=len(X)) < 1 / (1 + np.exp(-logit)), "Bad", "Good")
    free = _fit(gb.RuleListClassifier(pos_label="Bad"), X, y)
    tied = _fit(gb.RuleListClassifier(pos_label="Bad", monotonic_cst={"util": 1}), X, y)
    changed = [a.value[0] != b.value[0] for a, b in zip(free.rules_, tied.rules_)]
    assert [r.conditions for r in free.rules_] == [r.conditions for r in tied.rules_]  # same search
    assert any(changed) and not tied.optimal_
    assert tied.lower_bound_ == free.lower_bound_ <= tied.objective_


def test_a_list_already_monotone_is_left_as_it_is():
    X, logit, rng = _data()
    y = np.where(rng.uniform(size=len(X)) < 1 / (1 + np.exp(-logit)), "Bad", "Good")
    X = X.assign(noise=rng.normal(size=len(X)))
    free = _fit(gb.RuleListClassifier(), X, y)
    # A feature the list never reads constrains nothing.
    assert all(cond.name != "noise" for r in free.rules_ for cond in r.conditions)
    tied = _fit(gb.RuleListClassifier(monotonic_cst={"noise": 1}), X, y)
    assert all(np.array_equal(a.value, b.value) for a, b in zip(free.rules_, tied.rules_))
    assert tied.optimal_ == free.optimal_ and tied.objective_ == free.objective_


@pytest.mark.parametrize("constraints", [{"util": 1}, {"score": -1, "age": 1}])
def test_regressor_respects_the_constraint_on_dense_grids(constraints):
    X, logit, _ = _data(2000)
    model = _fit(gb.RuleListRegressor(monotonic_cst=constraints), X, logit)
    _assert_monotone_on_grids(model, X, constraints, model.predict)


def test_the_constrained_list_survives_its_model_file_and_a_tampered_one_is_refused():
    X, logit, rng = _data()
    y = np.where(rng.uniform(size=len(X)) < 1 / (1 + np.exp(-logit)), "Bad", "Good")
    model = _fit(gb.RuleListClassifier(pos_label="Bad", monotonic_cst={"util": 1}), X, y)
    data = to_dict(model)
    loaded = from_dict(data)
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert np.array_equal(loaded.monotonic_cst_, model.monotonic_cst_)
    tampered = to_dict(model)
    tampered["params"]["monotonic_cst"] = {"util": -1}
    with pytest.raises(ModelFileError, match="against monotonic_cst"):
        from_dict(tampered)


def test_what_cannot_be_constrained_is_refused():
    X, logit, rng = _data(600)
    y3 = np.where(logit > 1, "a", np.where(logit > -1, "b", "c"))
    with pytest.raises(ValueError, match="only supported for binary classification and regression, but y has 3"):
        gb.RuleListClassifier(monotonic_cst={"util": 1}).fit(X, y3)
    with pytest.raises(ValueError, match="region"):
        gb.RuleListClassifier(monotonic_cst={"region": 1}).fit(X, logit > 0)


def _brute_force(values, weights, pairs):
    """Slow twin: the minimum-lower-set algorithm, enumerating every lower set of the order."""
    k = len(values)
    remaining = list(range(k))
    out = np.empty(k)
    while remaining:
        best = None
        for size in range(1, len(remaining) + 1):
            for subset in itertools.combinations(remaining, size):
                chosen = set(subset)
                # a lower set: whatever must be <= a member is a member too
                if any(b in chosen and a in remaining and a not in chosen for a, b in pairs):
                    continue
                mean = np.average(values[list(subset)], weights=weights[list(subset)])
                if best is None or mean < best[0] - 1e-12 or (abs(mean - best[0]) <= 1e-12 and size > len(best[1])):
                    best = (mean, subset)
        out[list(best[1])] = best[0]
        remaining = [r for r in remaining if r not in best[1]]
    return out


@pytest.mark.parametrize("seed", range(40))
def test_the_projection_is_the_isotonic_regression(seed):
    rng = np.random.RandomState(seed)
    k = rng.randint(2, 8)
    values, weights = rng.uniform(0, 1, k), rng.uniform(0.1, 3, k)
    order = rng.permutation(k)  # pairs along a random order: a partial order (no cycles)
    pairs = {(int(order[i]), int(order[j])) for i in range(k) for j in range(i + 1, k) if rng.rand() < 0.4}
    got = isotonic_on_pairs(values, weights, pairs)
    assert all(got[a] <= got[b] for a, b in pairs)  # exactly: a model file is checked so on loading
    assert np.allclose(got, _brute_force(values, weights, pairs), rtol=0, atol=1e-7)


@pytest.mark.parametrize("seed", range(60))
def test_the_projection_is_exactly_feasible_on_long_lists_with_empty_rules(seed):
    rng = np.random.RandomState(seed)
    k = rng.randint(5, 40)
    values = rng.uniform(0, 1, k)
    weights = rng.uniform(0, 800, k) * (rng.rand(k) < 0.8)  # some rules capture no weight
    order = rng.permutation(k)
    pairs = {(int(order[i]), int(order[j])) for i in range(k) for j in range(i + 1, k) if rng.rand() < 0.2}
    got = isotonic_on_pairs(values, weights, pairs)
    assert all(got[a] <= got[b] for a, b in pairs)
    assert np.all(np.isfinite(got)) and got.min() >= values.min() and got.max() <= values.max()
