"""Extreme but finite inputs: the same model or a clear error, never NaN, inf or a silently
different model.

- Sample weights are scale-free: every estimator computes with weights relative to their mean,
  so multiplying all weights by a constant fits the same model (bit for bit for powers of two;
  uniform weights of any size fit the unweighted model), while the weights a model reports (a
  rule's, a leaf's, a GAM bin's) stay in the units given. Weights whose total no float can hold
  are refused.
- Regression targets beyond +-1e100, or varying by less than 1e-100, are refused: the squared
  errors summed while fitting would overflow or vanish.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glassbox as gb
from glassbox.rules import NotProvenOptimalWarning

FAST = {
    "GAMClassifier": dict(outer_bags=2, max_rounds=40, interactions=1, random_state=0),
    "GAMRegressor": dict(outer_bags=2, max_rounds=40, interactions=1, random_state=0),
    "RuleListClassifier": dict(max_nodes=80),
    "RuleListRegressor": dict(max_nodes=80),
    "ShallowTreeClassifier": dict(max_depth=2),
    "ShallowTreeRegressor": dict(max_depth=2),
}


def _data(seed, n=240):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n).round(1),
                      "c": rng.choice(["x", "y", "z"], n)})
    X.loc[rng.random(n) < 0.1, "a"] = np.nan
    signal = np.nan_to_num(X["a"].to_numpy()) + (X["c"] == "x").to_numpy()
    classes = (signal + rng.normal(size=n) * 0.6 > 0.4).astype(int)
    values = 3 * signal + rng.normal(size=n)
    return X, classes, values, rng


def _fit(name, X, y, w=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotProvenOptimalWarning)
        return getattr(gb, name)(**FAST[name]).fit(X, y, sample_weight=w)


def _outputs(model, X):
    return model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)


def _reported_weights(model):
    """Every weight a fitted model reports, in the units it was given."""
    if hasattr(model, "rules_"):
        return np.array([r.weight for r in model.rules_])
    if hasattr(model, "tree_"):
        return model.tree_.weight
    return np.concatenate([t.bin_weights.ravel() for t in model.terms_])


@settings(max_examples=24, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(name=st.sampled_from(sorted(FAST)), seed=st.integers(0, 2**31 - 1),
       power=st.sampled_from([-1000, -300, -20, 7, 300, 900]))
def test_weights_scaled_by_a_power_of_two_fit_the_same_model(name, seed, power):
    X, classes, values, rng = _data(seed)
    y = classes if name.endswith("Classifier") else values
    w = rng.uniform(0.05, 1.0, len(y))
    base = _fit(name, X, y, w)
    scaled = _fit(name, X, y, w * 2.0**power)
    np.testing.assert_array_equal(_outputs(scaled, X), _outputs(base, X))
    assert _fit_text(scaled) == _fit_text(base)
    np.testing.assert_array_equal(_reported_weights(scaled), _reported_weights(base) * 2.0**power)


def _fit_text(model):
    """The structure without its reported weights (which keep the units given)."""
    if hasattr(model, "tree_"):
        return model.tree_.leaves and [(leaf.to_text(), leaf.prediction) for leaf in model.tree_.leaves]
    if hasattr(model, "rules_"):
        return [(r.to_text(), r.prediction, tuple(r.value)) for r in model.rules_]
    return [(t.name, t.scores.tobytes()) for t in model.terms_]


@pytest.mark.parametrize("name", sorted(FAST))
@pytest.mark.parametrize("weight", [1e-320, 1e-3, 7.0, 1e300])
def test_uniform_weights_of_any_size_fit_the_unweighted_model(name, weight):
    X, classes, values, _ = _data(5)
    y = classes if name.endswith("Classifier") else values
    np.testing.assert_array_equal(_outputs(_fit(name, X, y, np.full(len(y), weight)), X),
                                  _outputs(_fit(name, X, y), X))


@pytest.mark.parametrize("name", sorted(FAST))
def test_weights_whose_total_overflows_are_refused(name):
    X, classes, values, _ = _data(6)
    y = classes if name.endswith("Classifier") else values
    with pytest.raises(ValueError, match="sample_weight sums to more than the largest float .* divide the weights"):
        _fit(name, X, y, np.full(len(y), 1e308))


@pytest.mark.parametrize("name", ["GAMRegressor", "RuleListRegressor", "ShallowTreeRegressor"])
@pytest.mark.parametrize("target", ["huge", "flat", "negative huge"])
def test_targets_whose_squares_overflow_or_vanish_are_refused(name, target):
    X, _, values, _ = _data(7)
    y = {"huge": values * 1e150, "flat": values * 1e-120, "negative huge": -1e101 + 0 * values}[target]
    with pytest.raises(ValueError, match="squared errors a regressor sums would overflow or vanish. Rescale y"):
        _fit(name, X, y)


def test_regression_targets_up_to_the_bound_fit_finite_models():
    X, _, values, _ = _data(8)
    for scale in (1e90, 1e-90):
        for name in ("GAMRegressor", "RuleListRegressor", "ShallowTreeRegressor"):
            predicted = _fit(name, X, values * scale).predict(X)
            assert np.all(np.isfinite(predicted))
            assert np.corrcoef(predicted, values)[0, 1] > 0.8, (name, scale)


@pytest.mark.parametrize("method", ["munge", "marginal"])
def test_augmentation_of_values_near_the_largest_float_stays_finite(method):
    """MUNGE's neighbour search and draws work on each column scaled by a power of two (exact):
    near 1.8e308 nothing overflows, and a distilled student is fitted as on ordinary values."""
    rng = np.random.default_rng(9)
    n = 200
    X = pd.DataFrame({"a": np.clip(rng.normal(size=n) * 1.7e308, -1.79e308, 1.79e308), "b": rng.normal(size=n)})
    synthetic = _augment(X, method)
    assert np.all(np.isfinite(synthetic.to_numpy(dtype=float)))

    def teacher(rows):
        a = np.asarray(rows["a"], dtype=float)
        assert np.all(np.isfinite(a)), "the teacher was given non-finite values"
        p = np.where(a > 0, 0.9, 0.1)
        return np.column_stack([1 - p, p])

    student, report = gb.distill(teacher, gb.ShallowTreeClassifier(max_depth=2), X, augment=method,
                                 task="binary", classes=[0, 1], random_state=0)
    assert report.splits["holdout"]["agreement"] > 0.9


def _augment(X, method):
    from glassbox.distill import augment

    return augment(X, method, 500, random_state=0)


@pytest.mark.parametrize("name", sorted(FAST))
def test_zero_weights_do_not_change_which_columns_are_categorical(name):
    # The rows holding the column's strings have weight zero. Trees and rule lists drop such rows
    # before binning, but the column (strings and numbers) must stay categorical, so that the
    # fitted rows themselves can be predicted.
    X, classes, values, rng = _data(5)
    code = np.where(rng.random(len(X)) < 0.2, "unknown", rng.integers(0, 3, len(X))).astype(object)
    code[code != "unknown"] = code[code != "unknown"].astype(int)
    X["code"] = pd.Series(code, dtype=object)
    w = np.where(X["code"] == "unknown", 0.0, 1.0)
    y = classes if name.endswith("Classifier") else values
    model = _fit(name, X, y, w)
    assert model.binner_.features_[3].is_categorical
    _outputs(model, X)  # the fitted rows, strings included
    if name.startswith("GAM"):
        return  # a GAM keeps zero-weight rows (they shape its bins and bags, not its loss)
    # For trees and rule lists a weight of zero is the row's absence, given the column's type.
    kept = w > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = getattr(gb, name)(**FAST[name], categorical_features=["c", "code"]).fit(X[kept], y[kept])
        np.testing.assert_array_equal(_outputs(model, X), _outputs(alone, X))
