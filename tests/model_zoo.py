"""One fitted model per (estimator, data) case, shared by every inspection and export test.

DESIGN.md promises the same inspection surface for every estimator, so the explanation, model
file, code export and plot tests all parametrize over ``case_ids()`` and ask ``fitted(case)``
for the model: one suite, every estimator, every kind of target. The synthetic ``mixed_*`` data
always runs and has everything a model must handle (NaN, string, integer and pandas
categorical columns, unseen levels and NaN in the test rows); the ``shared:*`` cases use real
datasets from ``../shared/datasets`` and skip when they are absent.

Fits are cached per process, so a case is fitted once however many tests read it.
"""

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

import glassbox as gb
from glassbox.binning import UnseenCategoryWarning
from glassbox.rules._rulelist import NotProvenOptimalWarning
from benchmarks.datasets import available, load_dataset, split

_FAST_GAM = dict(outer_bags=2, interactions=2, random_state=0)
_FAST_RULES = dict(max_nodes=300)


def _teacher(model):
    """A black-box pipeline for the mixed data: codes the string columns, boosts on the rest."""
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2),
         ["color", "grade"]),
        remainder="passthrough",
    )
    return make_pipeline(encode, model)


def _hgb_classifier():
    return _teacher(HistGradientBoostingClassifier(max_iter=40, random_state=0))


def _hgb_regressor():
    return _teacher(HistGradientBoostingRegressor(max_iter=40, random_state=0))


# case id -> (estimator factory, data name). Data names: mixed_binary, mixed_multiclass,
# mixed_regression, mixed_counts, mixed_amounts (positive, skewed), or "shared:<dataset>".
CASES = {
    "gam_clf-binary": (lambda: gb.GAMClassifier(**_FAST_GAM), "mixed_binary"),
    "gam_clf-multiclass": (lambda: gb.GAMClassifier(**_FAST_GAM), "mixed_multiclass"),
    "gam_clf-monotone": (lambda: gb.GAMClassifier(monotonic_cst={"num": 1}, **_FAST_GAM), "mixed_binary"),
    "gam_reg-regression": (lambda: gb.GAMRegressor(**_FAST_GAM), "mixed_regression"),
    "gam_reg-poisson": (lambda: gb.GAMRegressor(loss="poisson", **_FAST_GAM), "mixed_counts"),
    "gam_reg-gamma": (lambda: gb.GAMRegressor(loss="gamma", **_FAST_GAM), "mixed_amounts"),
    "rules_clf-binary": (lambda: gb.RuleListClassifier(**_FAST_RULES), "mixed_binary"),
    "rules_clf-multiclass": (lambda: gb.RuleListClassifier(**_FAST_RULES), "mixed_multiclass"),
    "rules_reg-regression": (lambda: gb.RuleListRegressor(**_FAST_RULES), "mixed_regression"),
    "tree_clf-binary": (lambda: gb.ShallowTreeClassifier(max_depth=3), "mixed_binary"),
    "tree_clf-monotone": (lambda: gb.ShallowTreeClassifier(max_depth=2, monotonic_cst={"num": 1}), "mixed_binary"),
    "tree_clf-multiclass": (lambda: gb.ShallowTreeClassifier(max_depth=3), "mixed_multiclass"),
    "tree_reg-regression": (lambda: gb.ShallowTreeRegressor(max_depth=3), "mixed_regression"),
    "distilled_clf-binary": (
        lambda: gb.DistilledClassifier(_hgb_classifier(), gb.GAMClassifier(**_FAST_GAM), refit_teacher=True,
                                       random_state=0), "mixed_binary"),
    # Label-fitted students whose leaves / rules take the teacher's probabilities: every exporter,
    # model file and explainer must carry those values.
    "distilled_clf-tree": (
        lambda: gb.DistilledClassifier(_hgb_classifier(), gb.ShallowTreeClassifier(max_depth=2), refit_teacher=True,
                                       random_state=0), "mixed_binary"),
    "distilled_clf-rules-multiclass": (
        lambda: gb.DistilledClassifier(_hgb_classifier(), gb.RuleListClassifier(**_FAST_RULES), refit_teacher=True,
                                       random_state=0), "mixed_multiclass"),
    "distilled_reg-regression": (
        lambda: gb.DistilledRegressor(_hgb_regressor(), gb.ShallowTreeRegressor(max_depth=2), refit_teacher=True,
                                      random_state=0), "mixed_regression"),
    "gam_clf-compas": (lambda: gb.GAMClassifier(**_FAST_GAM), "shared:compas_raw"),
    "rules_clf-compas": (lambda: gb.RuleListClassifier(**_FAST_RULES), "shared:compas_raw"),
    "tree_clf-compas": (lambda: gb.ShallowTreeClassifier(max_depth=3), "shared:compas_raw"),
    "gam_clf-nursery": (lambda: gb.GAMClassifier(**_FAST_GAM), "shared:nursery"),
    "rules_clf-nursery": (lambda: gb.RuleListClassifier(**_FAST_RULES), "shared:nursery"),
    "tree_clf-nursery": (lambda: gb.ShallowTreeClassifier(max_depth=2), "shared:nursery"),
    "gam_reg-houses": (lambda: gb.GAMRegressor(**_FAST_GAM), "shared:537_houses"),
    "rules_reg-houses": (lambda: gb.RuleListRegressor(**_FAST_RULES), "shared:537_houses"),
    "tree_reg-houses": (lambda: gb.ShallowTreeRegressor(max_depth=3), "shared:537_houses"),
}


def case_ids(*, shared=True):
    """Every case id (``shared=False``: only the synthetic ones, which always run)."""
    return [c for c in CASES if shared or not CASES[c][1].startswith("shared:")]


@dataclass(frozen=True)
class Fitted:
    """A fitted model and the rows to check it on (``X_test`` has NaN and, where the data has
    categorical columns, unseen levels)."""

    case: str
    model: object
    X_train: pd.DataFrame
    y_train: np.ndarray
    X_test: pd.DataFrame
    y_test: np.ndarray

    @property
    def is_classifier(self):
        return hasattr(self.model, "classes_")


def fitted(case):
    """The fitted model of ``case``; skips the test when its shared dataset is absent."""
    data = CASES[case][1]
    if data.startswith("shared:") and data.split(":", 1)[1] not in available():
        pytest.skip(f"shared dataset {data.split(':', 1)[1]!r} not found")
    return _fit(case)


@functools.lru_cache(maxsize=None)
def _fit(case):
    factory, data = CASES[case]
    X_train, y_train, X_test, y_test = _data(data)
    model = factory()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotProvenOptimalWarning)
        model.fit(X_train, y_train)
    return Fitted(case, model, X_train, y_train, X_test, y_test)


def quiet(call, *args, **kwargs):
    """Call ``call`` with the unseen-category warning silenced (the test rows have unseen levels
    on purpose)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenCategoryWarning)
        return call(*args, **kwargs)


@functools.lru_cache(maxsize=None)
def _data(name):
    if name.startswith("shared:"):
        X, y, meta = load_dataset(name.split(":", 1)[1])
        X_train, X_test, y_train, y_test = split(X, y, meta["task"], seed=0)
        # Keep the fits quick: the inspection tests need real columns, not every row.
        X_train, y_train = X_train.iloc[:2500], np.asarray(y_train)[:2500]
        X_test, y_test = X_test.iloc[:500].copy(), np.asarray(y_test)[:500]
        return X_train.reset_index(drop=True), y_train, X_test.reset_index(drop=True), y_test
    return _mixed(name)


def _mixed(task, n_train=700, n_test=200):
    rng = np.random.default_rng(0)
    n = n_train + n_test
    num = rng.normal(size=n)
    num[rng.random(n) < 0.1] = np.nan
    skew = rng.exponential(size=n) * 100
    count = rng.integers(0, 12, size=n).astype(np.float64)
    color = rng.choice(np.array(["red", "green", "blue", "white"], dtype=object), size=n, p=[0.4, 0.3, 0.2, 0.1])
    color[rng.random(n) < 0.08] = None
    grade = pd.Categorical(rng.choice([1, 2, 3], size=n), categories=[1, 2, 3])
    X = pd.DataFrame({"num": num, "skew": skew, "count": count, "color": color, "grade": grade})
    # The test rows see levels the fit never saw, and NaN where the fit had none.
    X.loc[n_train:n_train + 9, "color"] = "purple"
    X.loc[n_train + 10:n_train + 14, "count"] = np.nan

    signal = (np.nan_to_num(num) + 0.02 * np.minimum(skew, 500)
              - 0.15 * count + (color == "red") - 0.5 * (grade == 3))
    if task == "mixed_binary":
        y = (signal + rng.logistic(size=n) * 0.7 > 0).astype(int)
    elif task == "mixed_multiclass":
        bins = np.quantile(signal, [1 / 3, 2 / 3])
        y = np.array(["low", "mid", "high"], dtype=object)[np.digitize(signal + rng.normal(size=n) * 0.5, bins)]
    elif task == "mixed_regression":
        y = 3 * signal + rng.normal(size=n)
    elif task == "mixed_counts":
        y = rng.poisson(np.exp(0.5 * signal)).astype(float)
    elif task == "mixed_amounts":
        y = rng.gamma(2.0, np.exp(0.3 * signal) / 2.0)
    else:
        raise KeyError(task)
    X_train, X_test = X.iloc[:n_train].reset_index(drop=True), X.iloc[n_train:].reset_index(drop=True)
    return X_train, y[:n_train], X_test, y[n_train:]
