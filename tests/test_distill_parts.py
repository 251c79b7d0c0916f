"""Distillation's parts: the teacher adapter, augmentation and the fidelity measures."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from glassbox.distill import FidelityReport, Teacher, augment
from glassbox.distill._fidelity import measure, student_logits


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(400, 5, random_state=0)
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(5)]), y


# --- teacher ---------------------------------------------------------------------------------


def test_probability_teacher_gives_labels_probabilities_and_logits(binary):
    X, y = binary
    model = LogisticRegression().fit(X, y)
    teacher = Teacher.wrap(model)
    assert (teacher.task, teacher.method) == ("binary", "predict_proba")
    labels, proba, scores = teacher.ask(X)
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X))
    np.testing.assert_allclose(scores, model.decision_function(X), rtol=1e-6, atol=1e-6)  # its logit


def test_multiclass_logits_are_centred_log_probabilities():
    X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    model = HistGradientBoostingClassifier(max_iter=20).fit(X, y)
    labels, proba, scores = Teacher.wrap(model).ask(X)
    np.testing.assert_allclose(scores.sum(axis=1), 0, atol=1e-9)
    np.testing.assert_allclose(np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True), proba, rtol=1e-6)
    np.testing.assert_array_equal(labels, model.predict(X))


def test_margin_teacher_gives_scores_but_no_probabilities(binary):
    X, y = binary
    model = LinearSVC().fit(X, y)
    teacher = Teacher.wrap(model)
    labels, proba, scores = teacher.ask(X)
    assert teacher.method == "decision_function" and proba is None
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(scores, model.decision_function(X))


def test_label_only_and_callable_teachers(binary):
    X, y = binary

    class LabelsOnly:
        classes_ = np.array([0, 1])

        def predict(self, X):
            return (X["f0"] > 0).astype(int).to_numpy()

    labels, proba, scores = Teacher.wrap(LabelsOnly()).ask(X)
    assert proba is None and scores is None
    np.testing.assert_array_equal(labels, (X["f0"] > 0).astype(int))

    regression = Teacher.wrap(lambda Z: np.asarray(Z)[:, 0] * 2.0, task="regression")
    values, _, scores = regression.ask(X)
    np.testing.assert_allclose(values, X["f0"] * 2.0)
    np.testing.assert_allclose(scores, values)

    proba_fn = Teacher.wrap(lambda Z: np.column_stack([1 - (np.asarray(Z)[:, 0] > 0) * 0.8, (np.asarray(Z)[:, 0] > 0) * 0.8]),
                            task="binary", classes=["no", "yes"])
    labels, _, _ = proba_fn.ask(X)
    np.testing.assert_array_equal(labels, np.where(X["f0"] > 0, "yes", "no"))

    # A binary callable may give the probability of classes[1] alone (as a booster's predict does).
    p1 = 1 / (1 + np.exp(-np.asarray(X)[:, 0]))
    labels, proba, scores = Teacher.wrap(lambda Z: p1, task="binary", classes=["no", "yes"]).ask(X)
    np.testing.assert_array_equal(labels, np.where(p1 > 0.5, "yes", "no"))
    np.testing.assert_allclose(proba, np.column_stack([1 - p1, p1]))
    np.testing.assert_allclose(scores, np.asarray(X)[:, 0], atol=1e-9)


def test_regression_teacher():
    X, y = make_regression(200, 4, random_state=0)
    model = LinearRegression().fit(X, y)
    teacher = Teacher.wrap(model)
    assert teacher.task == "regression"
    np.testing.assert_allclose(teacher.ask(X)[2], model.predict(X))


def test_teacher_errors(binary):
    X, y = binary
    with pytest.raises(TypeError, match="no predict_proba, decision_function or predict"):
        Teacher.wrap(object())
    with pytest.raises(ValueError, match="callable teacher needs task="):
        Teacher.wrap(lambda Z: Z)
    with pytest.raises(ValueError, match="needs classes="):
        Teacher.wrap(lambda Z: Z, task="binary")
    with pytest.raises(ValueError, match="task must be one of"):
        Teacher.wrap(LogisticRegression().fit(X, y), task="ranking")
    with pytest.raises(ValueError, match="task='multiclass' but the teacher has 2 classes"):
        Teacher.wrap(LogisticRegression().fit(X, y), task="multiclass")
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"missing \['f4'\], unexpected \['zz'\]"):
        Teacher.wrap(model).ask(X.rename(columns={"f4": "zz"}))
    with pytest.raises(ValueError, match="same columns in another order"):
        Teacher.wrap(model).ask(X[X.columns[::-1]])

    def broken(Z):
        raise KeyError("column 'age'")

    with pytest.raises(RuntimeError, match=r"the teacher failed on X of shape \(400, 5\): KeyError"):
        Teacher.wrap(broken, task="regression").ask(X)
    with pytest.raises(ValueError, match="2 NaN or infinite predictions"):
        Teacher.wrap(lambda Z: np.r_[np.nan, np.inf, np.zeros(len(Z) - 2)], task="regression").ask(X)
    with pytest.raises(ValueError, match=r"shape \(400, 3\); expected \(400, 2\)"):
        Teacher.wrap(lambda Z: np.full((len(Z), 3), 1 / 3), task="binary", classes=[0, 1]).ask(X)
    # What a teacher returns must be what it claims: logits are not probabilities, ...
    logits = model.decision_function(X)
    with pytest.raises(ValueError, match="not probabilities; a classifier teacher must give class probabilities"):
        Teacher.wrap(lambda Z: logits, task="binary", classes=[0, 1]).ask(X)
    with pytest.raises(ValueError, match=r"rows do not sum to 1 \(row 0 sums to 0\.9\)"):
        Teacher.wrap(lambda Z: np.full((len(Z), 2), 0.45), task="binary", classes=[0, 1]).ask(X)
    # ... and a predict giving probabilities is not a predict giving labels.
    class ProbabilityPredict:
        classes_ = np.array([0, 1])

        def predict(self, Z):
            return model.predict_proba(Z)[:, 1]

    with pytest.raises(ValueError, match=r"returned 400 values that are not among its classes \[0, 1\]"):
        Teacher.wrap(ProbabilityPredict()).ask(X)


# --- augmentation ----------------------------------------------------------------------------


def _mixed(n=300, seed=0):
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 1, n)
    return pd.DataFrame(
        {
            "income": np.where(rng.random(n) < 0.1, np.nan, income),
            "debt": income * 0.3 + rng.normal(0, 100, n),  # depends on income
            "children": rng.integers(0, 4, n),
            "region": pd.Series(rng.choice(["north", "south", "east"], n), dtype="category"),
            "job": pd.Series(np.where(rng.random(n) < 0.05, None, rng.choice(["a", "b"], n)), dtype=object),
        }
    )


@pytest.mark.parametrize("method", ["marginal", "munge"])
def test_augmented_rows_keep_columns_kinds_levels_and_missing(method):
    X = _mixed()
    out = augment(X, method, 1000, random_state=0)
    assert list(out.columns) == list(X.columns) and len(out) == 1000
    assert out["children"].dtype == X["children"].dtype
    assert set(out["children"].unique()) <= set(range(0, 4)) | ({-1, 4} if method == "munge" else set())
    assert isinstance(out["region"].dtype, pd.CategoricalDtype)
    assert set(out["region"].dropna()) <= {"north", "south", "east"}
    assert set(out["job"].dropna()) <= {"a", "b"}
    assert out["income"].isna().any() and out["job"].isna().any()
    pd.testing.assert_frame_equal(out, augment(X, method, 1000, random_state=0))


def test_marginal_draws_columns_independently_and_munge_keeps_dependence():
    X = _mixed(2000)
    real = X[["income", "debt"]].corr().iloc[0, 1]
    marginal = augment(X, "marginal", 4000, random_state=1)[["income", "debt"]].corr().iloc[0, 1]
    munge = augment(X, "munge", 4000, random_state=1)[["income", "debt"]].corr().iloc[0, 1]
    assert real > 0.9
    assert abs(marginal) < 0.1
    assert munge > 0.8


def test_munge_without_swaps_copies_real_rows():
    X = _mixed(50)
    out = augment(X, "munge", 200, random_state=0, p=0.0)
    merged = out.astype(str).merge(X.astype(str).drop_duplicates(), how="left", indicator=True)
    assert (merged["_merge"] == "both").all()


def test_numpy_input_stays_numpy():
    X = np.random.default_rng(0).normal(size=(40, 3))
    out = augment(X, "munge", 25, random_state=0)
    assert isinstance(out, np.ndarray) and out.shape == (25, 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"method": "smote", "n_samples": 5}, "augment must be one of"),
        ({"method": "munge", "n_samples": 0}, "positive integer"),
        ({"method": "munge", "n_samples": 5, "p": 2.0}, "0 <= p <= 1"),
    ],
)
def test_augment_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        augment(_mixed(10), **kwargs)
    with pytest.raises(ValueError, match="at least 2 rows"):
        augment(_mixed(10).iloc[:1], "marginal", 5)


# --- fidelity --------------------------------------------------------------------------------


def test_fidelity_measures_match_direct_computation(binary):
    X, y = binary
    teacher_model = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(X, y)
    student = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, teacher_model.predict(X))
    teacher = Teacher.wrap(teacher_model)
    m = measure(teacher, student, X, y)
    t_labels = teacher_model.predict(X)
    s_labels = student.predict(X)
    assert m["agreement"] == pytest.approx(np.mean(s_labels == t_labels))
    assert m["agreement_1"] == pytest.approx(np.mean(s_labels[t_labels == 1] == 1))
    assert m["student_accuracy"] == pytest.approx(np.mean(s_labels == y))
    assert m["teacher_accuracy"] == pytest.approx(np.mean(t_labels == y))
    p = np.clip(student.predict_proba(X)[:, 1], 1e-9, 1 - 1e-9)
    assert m["auc_vs_teacher"] == pytest.approx(roc_auc_score(t_labels, np.log(p) - np.log1p(-p)))
    t_logit = teacher_model.decision_function(X)
    s_logit = student_logits(student, X, teacher.classes)
    assert m["score_r2"] == pytest.approx(r2_score(t_logit, s_logit), rel=1e-6)


def test_report_prints_frames_and_serialises(binary):
    report = FidelityReport(
        "binary", [0, 1],
        {"holdout": {"n_rows": 80, "agreement": 0.95, "agreement_0": float("nan")},
         "augmented": {"n_rows": 500, "agreement": 0.9, "agreement_0": 0.8}},
        {"leaves": 4},
    )
    text = str(report)
    assert "4 leaves" in text and "0.9500" in text and "-" in text
    assert report.to_frame().loc["agreement", "augmented"] == 0.9
    data = json.loads(report.to_json())
    assert data["splits"]["holdout"]["agreement_0"] is None
