"""Inputs glassbox used to take in silence, or answer with an error that did not say what was
wrong: each now gets a message naming the problem and what to do (or, where the input is valid,
the right answer)."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import glassbox as gb
from glassbox.export import ModelFileError, from_dict, to_dict

ESTIMATORS = ["GAMClassifier", "GAMRegressor", "RuleListClassifier", "RuleListRegressor", "ShallowTreeClassifier",
              "ShallowTreeRegressor"]
SMALL = {"GAMClassifier": dict(outer_bags=1, max_rounds=10), "GAMRegressor": dict(outer_bags=1, max_rounds=10),
         "RuleListClassifier": dict(max_nodes=20), "RuleListRegressor": dict(max_nodes=20)}


def _data(n=120):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    return X, (X["a"] > 0).astype(int).to_numpy(), X["a"].to_numpy() * 2


def _estimator(name, **params):
    return getattr(gb, name)(**{**SMALL.get(name, {}), **params})


@pytest.mark.parametrize("name", ESTIMATORS)
def test_complex_values_are_refused(name):
    X, classes, values = _data()
    y = classes if name.endswith("Classifier") else values
    frame = X.assign(c=X["a"] + 1j * X["b"])
    with pytest.raises(ValueError, match="feature 'c' holds complex numbers; pass their real and imaginary parts"):
        _estimator(name).fit(frame, y)
    with pytest.raises(ValueError, match="Complex data not supported"):
        _estimator(name).fit(frame.to_numpy(), y)


@pytest.mark.parametrize("name", ["GAMRegressor", "RuleListRegressor", "ShallowTreeRegressor"])
def test_dates_and_durations_are_not_regression_targets(name):
    X, _, _ = _data()
    dates = pd.Series(pd.date_range("2020-01-01", periods=len(X), freq="D"))
    with pytest.raises(ValueError, match="y holds dates .* needs numbers: convert them, e.g. to days"):
        _estimator(name).fit(X, dates)
    with pytest.raises(ValueError, match="y holds durations"):
        _estimator(name).fit(X, dates - dates[0])


@pytest.mark.parametrize("name", ESTIMATORS)
@pytest.mark.parametrize("seed", ["seed", -1, 1.5, 2**40])
def test_bad_random_state_is_refused_on_small_data(name, seed):
    """Seeds are drawn from only on large data (row subsamples): checked at every fit anyway."""
    X, classes, values = _data()
    y = classes if name.endswith("Classifier") else values
    with pytest.raises(ValueError, match=r"random_state must be None, an int in \[0, 2\*\*32 - 1\]"):
        _estimator(name, random_state=seed).fit(X, y)


@pytest.mark.parametrize("name", ["GAMClassifier", "RuleListClassifier", "ShallowTreeClassifier"])
def test_labels_of_mixed_types_are_refused_clearly(name):
    X, _, _ = _data(120)
    y = np.array(["a", 1, 2.5] * 40, dtype=object)
    with pytest.raises(ValueError, match=r"y mixes labels of different types \(float, int, str\).*y.astype\(str\)"):
        _estimator(name).fit(X, y)


def test_unfitted_teacher_is_said_to_be_unfitted():
    X, classes, _ = _data()
    with pytest.raises(ValueError, match="the teacher \\(LogisticRegression\\) is not fitted: fit it first"):
        gb.distill(LogisticRegression(), gb.ShallowTreeClassifier(), X)
    model = gb.DistilledClassifier(LogisticRegression(), gb.ShallowTreeClassifier(max_depth=1),
                                   refit_teacher=True).fit(X, classes)
    assert model.predict(X).shape == (len(X),)


def test_distill_refuses_targets_of_another_length():
    X, classes, _ = _data()
    teacher = LogisticRegression().fit(X, classes)
    with pytest.raises(ValueError, match="X has 120 rows but y has 119"):
        gb.distill(teacher, gb.ShallowTreeClassifier(), X, y=classes[:-1])


@pytest.mark.parametrize("n", [2, 4, 5])
def test_a_rule_list_fitted_on_five_rows_or_fewer_saves_and_loads(n):
    """c='auto' is 5 / n_samples there, 1 or more: the file is valid and loads."""
    X = pd.DataFrame({"a": np.arange(n, dtype=float)})
    y = np.arange(n) % 2
    with pytest.warns(UserWarning):
        model = gb.RuleListClassifier().fit(X, y)
    assert model.c_ >= 1
    loaded = from_dict(json.loads(json.dumps(to_dict(model))))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_rule_with_more_conditions_than_max_card_is_refused():
    """A hand-made file could hold a rule of 1,200 conditions: it would load, and its SQL would
    fail in SQLite (expression tree too large). A fitted rule has at most max_card, on distinct
    features."""
    X, classes, _ = _data(300)
    X["c"] = X["a"] * X["b"]
    model = gb.RuleListClassifier(max_nodes=50, max_card=2).fit(X, classes)
    data = to_dict(model)
    rule = next(r for r in data["structure"]["rules"] if r["conditions"])
    first = rule["conditions"][0]
    rule["conditions"] = [first] * 3
    with pytest.raises(ModelFileError, match="3 conditions; a rule of this list has at most max_card=2"):
        from_dict(json.loads(json.dumps(data)))
    rule["conditions"] = [first, dict(first)]
    with pytest.raises(ModelFileError, match="a rule tests each feature once"):
        from_dict(json.loads(json.dumps(data)))


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "1", [1]])
def test_a_rule_list_time_limit_that_is_not_positive_is_refused(bad):
    """A budget that is not a positive number is a clear error (issue 17, bad input), as for trees
    and GAMs, before the fit's clock reads it."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(ValueError, match="time_limit must be a number > 0"):
        gb.RuleListClassifier(time_limit=bad).fit(X, y)


def test_an_infinite_rule_list_time_limit_means_no_limit():
    import warnings

    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        unlimited = gb.RuleListClassifier(time_limit=float("inf")).fit(X, y)
        plain = gb.RuleListClassifier().fit(X, y)
    assert [str(r) for r in unlimited.rules_] == [str(r) for r in plain.rules_]
