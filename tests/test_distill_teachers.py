"""Real gradient-boosting teachers: LightGBM and XGBoost, through their scikit-learn models and
their own boosters, on data with a categorical column and missing values.

The teacher's answers are checked against the library's own outputs (labels against ``predict``,
logits against the raw margin), so a column-order or class-order slip cannot pass."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score

from glassbox import (
    DistilledClassifier,
    GAMClassifier,
    RuleListClassifier,
    ShallowTreeClassifier,
    ShallowTreeRegressor,
    distill,
)
from glassbox.distill import Teacher

lgb = pytest.importorskip("lightgbm", reason="LightGBM teachers (lightgbm is in the test extra)")
xgb = pytest.importorskip("xgboost", reason="XGBoost teachers (xgboost-cpu is in the test extra)")

N_TREES = 30

# The default rule-list budget does not certify these lists; what is tested is the teaching.
pytestmark = pytest.mark.filterwarnings("ignore::glassbox.rules.NotProvenOptimalWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame({
        "a": rng.normal(size=n),
        "b": rng.uniform(size=n),
        "c": pd.Categorical(rng.choice(["x", "y", "z"], n)),
    })
    X.loc[rng.random(n) < 0.1, "a"] = np.nan
    signal = 2 * np.nan_to_num(X["a"].to_numpy()) - 3 * (X["b"] > 0.5) + (X["c"] == "y")
    return {
        "X": X,
        "binary": (signal + rng.logistic(size=n) > 0).astype(int).to_numpy(),
        "multiclass": np.digitize(signal, [-1, 1]),
        "regression": (signal + rng.normal(size=n)).to_numpy(),
    }


def _model(library, task):
    if library == "lightgbm":
        cls = lgb.LGBMRegressor if task == "regression" else lgb.LGBMClassifier
        return cls(n_estimators=N_TREES, verbose=-1, random_state=0)
    cls = xgb.XGBRegressor if task == "regression" else xgb.XGBClassifier
    return cls(n_estimators=N_TREES, enable_categorical=True, tree_method="hist", random_state=0)


def _margin(library, model, X):
    if library == "lightgbm":
        return model.predict(X, raw_score=True)
    return model.predict(X, output_margin=True)


@pytest.mark.parametrize("library", ["lightgbm", "xgboost"])
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_teacher_reads_boosters_labels_and_margins(data, library, task):
    X, y = data["X"], data[task]
    if library == "lightgbm" and task == "multiclass":
        y = np.asarray(["low", "mid", "high"])[y]  # string classes: columns follow classes_
    model = _model(library, task).fit(X, y)
    teacher = Teacher.wrap(model)
    assert teacher.task == task
    labels, proba, scores = teacher.ask(X)
    np.testing.assert_array_equal(labels, model.predict(X))
    margin = np.asarray(_margin(library, model, X), dtype=np.float64)
    if task == "multiclass":
        margin = margin - margin.mean(axis=1, keepdims=True)  # softmax logits are defined up to a shift
    if task == "regression":
        np.testing.assert_allclose(scores, margin, rtol=1e-6)
        return
    # XGBoost gives float32 probabilities: the logit recovered from them is good to ~1e-3 where
    # the probabilities are not within float32 rounding of 0 or 1.
    moderate = np.all(np.abs(margin) < 8, axis=-1) if margin.ndim == 2 else np.abs(margin) < 8
    assert moderate.mean() > 0.8
    np.testing.assert_allclose(scores[moderate], margin[moderate], atol=1e-3 if library == "xgboost" else 1e-8)


@pytest.mark.parametrize("library", ["lightgbm", "xgboost"])
@pytest.mark.parametrize("task, student", [
    ("binary", RuleListClassifier()),
    ("binary", GAMClassifier(random_state=0)),
    ("multiclass", ShallowTreeClassifier(max_depth=3)),
    ("regression", ShallowTreeRegressor(max_depth=3)),
])
def test_boosted_teacher_distils_into_each_student(data, library, task, student):
    X, y = data["X"], data[task]
    model = _model(library, task).fit(X, y)
    fitted, report = distill(model, student, X, y=y, random_state=0)
    taught = model.predict(X)
    if task == "regression":
        assert r2_score(taught, fitted.predict(X)) > 0.7
        return
    np.testing.assert_array_equal(fitted.classes_, model.classes_)
    # Better than always answering the teacher's most common label, on rows of every kind.
    majority = np.max(np.unique(taught, return_counts=True)[1]) / len(taught)
    assert np.mean(fitted.predict(X) == taught) > majority + 0.1
    assert report.to_frame().loc["agreement", "holdout"] > majority


def test_distilled_classifier_with_a_lightgbm_teacher_is_not_refitted(data):
    X, y = data["X"], data["binary"]
    model = _model("lightgbm", "binary").fit(X, y)
    before = model.booster_.model_to_string()
    distilled = DistilledClassifier(model, RuleListClassifier(), random_state=0).fit(X)
    assert model.booster_.model_to_string() == before
    np.testing.assert_array_equal(distilled.predict(X), distilled.student_.predict(X))
    assert "agreement" in distilled.fidelity_.to_frame().index


def test_boosters_are_callable_teachers(data):
    X, y = data["X"], data["binary"]
    booster = lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(X, y), N_TREES)
    # A binary callable may give P(classes[1]) alone, as Booster.predict does.
    labels, proba, scores = Teacher.wrap(booster.predict, task="binary", classes=[0, 1]).ask(X)
    p1 = booster.predict(X)
    np.testing.assert_array_equal(labels, (p1 > 0.5).astype(int))
    np.testing.assert_allclose(scores, booster.predict(X, raw_score=True), atol=1e-8)

    multi = lgb.train({"objective": "multiclass", "num_class": 3, "verbose": -1},
                      lgb.Dataset(X, data["multiclass"]), N_TREES)
    labels, _, _ = Teacher.wrap(multi.predict, task="multiclass", classes=[0, 1, 2]).ask(X)
    np.testing.assert_array_equal(labels, multi.predict(X).argmax(axis=1))

    dmatrix = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, y, enable_categorical=True), N_TREES)
    fitted, _ = distill(lambda Z: dmatrix.predict(xgb.DMatrix(Z, enable_categorical=True)), RuleListClassifier(),
                        X, task="binary", classes=[0, 1], random_state=0)
    assert list(fitted.classes_) == [0, 1]


def test_boosters_given_as_models_are_refused_with_the_way_out(data):
    X, y = data["X"], data["binary"]
    booster = lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(X, y), N_TREES)
    # Its predict gives probabilities: taken as labels they would be a silent wrong target.
    with pytest.raises(ValueError, match=r"not among its classes \[0, 1\].*callable teacher"):
        distill(booster, RuleListClassifier(), X, task="binary", classes=[0, 1])
    with pytest.raises(TypeError, match="taken for a regression model: it has no classes_"):
        distill(booster, RuleListClassifier(), X)
    dmatrix = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, y, enable_categorical=True), N_TREES)
    with pytest.raises(RuntimeError, match="the teacher's predict failed on X of shape"):
        distill(dmatrix, RuleListClassifier(), X, task="binary", classes=[0, 1])


@pytest.mark.parametrize("library", ["lightgbm", "xgboost"])
def test_renamed_columns_are_refused_before_the_teacher_is_asked(data, library):
    X, y = data["X"], data["binary"]
    model = _model(library, "binary").fit(X, y)
    with pytest.raises(ValueError, match=r"missing \['b'\], unexpected \['B'\]"):
        distill(model, RuleListClassifier(), X.rename(columns={"b": "B"}))
