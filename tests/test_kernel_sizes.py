"""No size or class count reaches a kernel unchecked: every estimator fits (or refuses with a
clear error) whatever the number of classes, features, rows and bins, and never crashes.

A crash here would end the test process (before this suite, ``ShallowTreeClassifier`` on 70
classes overflowed a fixed 64-entry buffer in the depth-2 solver and died with SIGSEGV). The
region loss shared by rule lists and trees is checked against its twin here too.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glassbox as gb
from glassbox._ext._regions import region_losses
from glassbox._regions import region_loss, region_weight
from glassbox.rules import NotProvenOptimalWarning
from tests import tree_brute_force as bf


@pytest.mark.parametrize("n_classes", [0, 2, 3, 9, 70])
def test_region_loss_kernel_matches_twin(n_classes):
    rng = np.random.default_rng(n_classes)
    width = (n_classes or 3) + 1  # the loss block and one family column
    stats = np.abs(rng.normal(size=(200, width))) * rng.integers(0, 2, size=(200, 1))
    if not n_classes:
        stats[:, 1] = rng.normal(size=200) * stats[:, 0]  # w*y of any sign
        stats[:, 2] = stats[:, 1] ** 2 / np.maximum(stats[:, 0], 1e-300) + np.abs(rng.normal(size=200))
    loss, weight = region_losses(np.ascontiguousarray(stats), n_classes)
    # NumPy sums many classes pairwise, the kernel in order: equal to rounding.
    np.testing.assert_allclose(loss, region_loss(stats, n_classes), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weight, region_weight(stats, n_classes), rtol=1e-12, atol=0)


@pytest.mark.parametrize("depth", [1, 2])
def test_seventy_class_tree_is_exact(depth):
    """70 classes: the old solver's fixed buffer held 64 statistics (a segfault); now the tree is
    found, and it is the optimum of exhaustive enumeration."""
    rng = np.random.default_rng(70 + depth)
    n, k = 420, 70
    X = np.empty((n, 2), dtype=object)
    X[:, 0] = rng.integers(0, 6, n).astype(float)
    X[:, 1] = rng.integers(0, 4, n).astype(float)
    y = ((X[:, 0] * 12 + X[:, 1] * 3).astype(int) + rng.integers(0, 3, n)) % k
    y[:k] = np.arange(k)  # every class present
    w = rng.integers(1, 3, n).astype(float)
    model = gb.ShallowTreeClassifier(max_depth=depth, categorical_features=None, time_limit=None, n_jobs=2).fit(
        X, y, sample_weight=w)
    assert model.n_classes_ == k and model.optimal_
    assert model.tree_.n_leaves > 1
    data = bf.Data(X, y, w, "multiclass", set(), k, model.criterion)
    assert model.objective_ == pytest.approx(bf.optimal_cost(data, depth, 1, 0.0), abs=1e-9)


FAST = {
    "GAMClassifier": dict(outer_bags=1, max_rounds=20, interactions=2, random_state=0),
    "GAMRegressor": dict(outer_bags=1, max_rounds=20, interactions=2, random_state=0),
    "RuleListClassifier": dict(max_nodes=30, max_card=2),
    "RuleListRegressor": dict(max_nodes=30, max_card=2),
    "ShallowTreeClassifier": dict(time_limit=5.0),
    "ShallowTreeRegressor": dict(time_limit=5.0),
}


@st.composite
def fits(draw):
    """An estimator and data of drawn sizes: rows, features (some categorical, some constant),
    classes (up to many more than the old 64-entry buffer held), bins and depth."""
    name = draw(st.sampled_from(sorted(FAST)))
    classifier = name.endswith("Classifier")
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(1, 300))
    p = draw(st.integers(1, 6))
    X = rng.normal(size=(n, p)).round(draw(st.integers(0, 3)))
    if draw(st.booleans()):
        X[:, 0] = 1.0  # a constant feature
    if draw(st.booleans()):
        X[rng.random((n, p)) < 0.2] = np.nan
    params = dict(FAST[name])
    if classifier:
        k = draw(st.sampled_from([2, 3, 5, 63, 64, 65, 70, 130]))
        y = rng.integers(0, k, n)
        y[: min(k, n)] = np.arange(min(k, n))  # as many classes as the rows allow
    else:
        y = rng.normal(size=n) * draw(st.sampled_from([1.0, 1e-8, 1e8]))
    max_bins = draw(st.sampled_from([2, 3, 16, 254]))
    if name.startswith("ShallowTree"):
        params.update(max_depth=draw(st.integers(1, 3)), max_bins=min(max_bins, 16))
    elif name.startswith("GAM"):
        params.update(max_bins=max_bins, max_interaction_bins=min(max_bins, 8))
    return name, params, X, y


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(fits())
def test_any_size_fits_or_is_refused_clearly(case):
    name, params, X, y = case
    model = getattr(gb, name)(**params)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotProvenOptimalWarning)
            warnings.simplefilter("ignore", UserWarning)  # e.g. "no feature splits the rows"
            model.fit(X, y)
    except ValueError as err:  # a refusal must say what is wrong
        assert "one class" in str(err) or "only" in str(err), err
        return
    predictions = model.predict(X)
    assert predictions.shape == (X.shape[0],)
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        assert proba.shape == (X.shape[0], len(model.classes_))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    else:
        assert np.all(np.isfinite(predictions))

