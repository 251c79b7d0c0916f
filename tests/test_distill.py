"""distill() and the Distilled* estimators with real glass-box students."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression

from glassbox import (
    DistilledClassifier,
    DistilledRegressor,
    GAMClassifier,
    RuleListClassifier,
    ShallowTreeClassifier,
    ShallowTreeRegressor,
    distill,
    load,
    save,
)
from glassbox.distill import augment
from glassbox.rules._search import default_max_nodes


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(1200, 6, n_informative=4, random_state=0)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    X.loc[::17, "f2"] = np.nan
    teacher = HistGradientBoostingClassifier(max_iter=50, random_state=0).fit(X, y)
    return X, y, teacher


class CountingTeacher:
    """A fitted teacher that records every fit and predict call."""

    def __init__(self, model):
        self.model, self.fits, self.asks = model, 0, 0
        self.classes_ = model.classes_

    def fit(self, X, y):
        self.fits += 1
        return self

    def predict_proba(self, X):
        self.asks += 1
        return self.model.predict_proba(X)


def test_teacher_is_asked_never_refitted_and_student_not_modified(binary):
    X, y, model = binary
    teacher = CountingTeacher(model)
    student = ShallowTreeClassifier(max_depth=2)
    fitted, report = distill(teacher, student, X, y=y, random_state=0)
    assert teacher.fits == 0 and teacher.asks > 0
    assert not hasattr(student, "tree_") and fitted is not student
    assert report.student_size == {"leaves": fitted.tree_.n_leaves}


def test_student_learns_the_teachers_labels_on_the_fit_rows(binary):
    X, y, teacher = binary
    fitted, report = distill(teacher, ShallowTreeClassifier(max_depth=2), X, holdout=0.25, random_state=3)
    holdout = report.splits["holdout"]
    assert holdout["n_rows"] == 300
    # The same student fitted directly on the teacher's labels of all rows but the held-out
    # ones agrees with the teacher at least as well as chance would and as the report says.
    agreement_all = np.mean(fitted.predict(X) == teacher.predict(X))
    assert holdout["agreement"] > 0.8 and abs(agreement_all - holdout["agreement"]) < 0.05
    again, report_again = distill(teacher, ShallowTreeClassifier(max_depth=2), X, holdout=0.25, random_state=3)
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))
    assert report_again.to_dict() == report.to_dict()


@pytest.mark.parametrize("method", ["marginal", "munge"])
def test_augmented_rows_are_fitted_on_and_measured_separately(binary, method):
    X, y, teacher = binary
    fitted, report = distill(teacher, ShallowTreeClassifier(max_depth=2), X, y=y, augment=method,
                             n_samples=2000, random_state=0)
    assert set(report.splits) == {"holdout", f"augmented ({method})"}
    assert report.splits[f"augmented ({method})"]["n_rows"] == 400  # holdout share of n_samples
    assert "student_accuracy" in report.splits["holdout"]
    assert "student_accuracy" not in report.splits[f"augmented ({method})"]  # no truth there


def test_default_augments_tree_and_rule_students_with_four_munge_rows_per_real_row(binary):
    X, y, teacher = binary  # 1200 rows: 960 fitted on, 240 held out
    tree, report = distill(teacher, ShallowTreeClassifier(max_depth=2), X, random_state=0)
    assert tree.tree_.n_samples[0] == 960 * 5  # the real rows and 4 x 960 synthetic ones
    assert report.splits["augmented (munge)"]["n_rows"] == round(0.2 * 4 * 960)
    rules, report = distill(teacher, RuleListClassifier(max_rules=3, max_card=1, c=0.05), X, random_state=0)
    assert sum(rule.n_samples for rule in rules.rules_) == 960 * 5
    assert "augmented (munge)" in report.splits
    plain, report = distill(teacher, ShallowTreeClassifier(max_depth=2), X, augment=None, random_state=0)
    assert plain.tree_.n_samples[0] == 960 and set(report.splits) == {"holdout"}
    marginal, _ = distill(teacher, ShallowTreeClassifier(max_depth=2), X, augment="marginal", random_state=0)
    assert marginal.tree_.n_samples[0] == 960 * 2  # marginal rows: one per real row by default
    model = DistilledClassifier(teacher, ShallowTreeClassifier(max_depth=2), random_state=0).fit(X)
    assert model.student_.tree_.n_samples[0] == 960 * 5


def test_synthetic_rows_do_not_shrink_a_rule_lists_defaults(binary):
    """c="auto" and the default search budget both fall as rows are added; a distilled rule list
    keeps the values they have on the real rows, and explicit values are left alone."""
    X, y, teacher = binary
    X = X.iloc[:300]  # small enough that c="auto" is 5 / n_samples, not its 0.005 floor
    labels = teacher.predict(X)

    def budget(rows, rows_labels):
        problem = RuleListClassifier()._prepare(rows, rows_labels, None, True)[2]
        return default_max_nodes(problem)

    fitted, _ = distill(teacher, RuleListClassifier(), X, holdout=0.0, random_state=0)
    assert sum(rule.n_samples for rule in fitted.rules_) == 300 * 5  # fitted on synthetic rows too
    assert fitted.c == fitted.c_ == pytest.approx(5 / 300)
    assert fitted.max_nodes == budget(X, labels)
    everything = pd.concat([X, augment(X, "munge", 4 * 300, random_state=0)], ignore_index=True)
    assert fitted.max_nodes > budget(everything, teacher.predict(everything))  # what it would have had
    explicit, _ = distill(teacher, RuleListClassifier(c=0.02, max_nodes=40), X, holdout=0.0, random_state=0)
    assert (explicit.c, explicit.c_, explicit.max_nodes) == (0.02, 0.02, 40)
    plain, _ = distill(teacher, RuleListClassifier(), X, augment=None, holdout=0.0, random_state=0)
    assert (plain.c, plain.max_nodes) == ("auto", None) and plain.c_ == pytest.approx(5 / 300)
    model = DistilledClassifier(teacher, RuleListClassifier(), holdout=0.0, random_state=0).fit(X)
    assert model.student_.max_nodes == budget(X, labels) and model.student.max_nodes is None


def test_default_does_not_augment_gam_students(binary):
    X, y, teacher = binary
    _, report = distill(teacher, GAMClassifier(outer_bags=1, interactions=0, random_state=0), X, random_state=0)
    assert set(report.splits) == {"holdout"}
    with pytest.raises(ValueError, match="none are drawn for a GAMClassifier student"):
        distill(teacher, GAMClassifier(), X, n_samples=100)


def _unsure(Z):
    """P(class 1) is 0.7 where f0 > 0, else 0.3: never confident."""
    p = np.where(np.asarray(Z["f0"]) > 0, 0.7, 0.3)
    return np.column_stack([1 - p, p])


@pytest.mark.parametrize("augment", [None, "auto"])
def test_trees_and_rule_lists_choose_on_labels_and_take_the_teachers_probabilities(binary, augment):
    X, _, _ = binary
    kwargs = dict(task="binary", classes=[0, 1], augment=augment, holdout=0.0, random_state=0)
    stump, _ = distill(_unsure, ShallowTreeClassifier(max_depth=1), X, **kwargs)
    rules, _ = distill(_unsure, RuleListClassifier(max_rules=2, c=0.05), X, **kwargs)
    assert stump.tree_.feature[0] == 0
    # Fitted to labels, each side of the split on f0 would read (nearly) 1.0; the leaves say what
    # the teacher says there, 0.7 (a few rows across the bin edge nearest 0 aside).
    leaves = stump.tree_.value[stump.tree_.feature == -1]
    np.testing.assert_allclose(leaves.max(axis=1), 0.7, atol=0.02)
    np.testing.assert_allclose([max(rule.value) for rule in rules.rules_], 0.7, atol=0.02)
    if augment is None:  # fitted on X itself: the taught values can be recomputed from the teacher
        for student in (stump, rules):
            fired = student.explain_local(X).to_frame()["rule"].to_numpy()
            log_p = np.log(_unsure(X))
            for text in np.unique(fired):
                mean = log_p[fired == text].mean(axis=0)
                expected = np.exp(mean) / np.exp(mean).sum()
                np.testing.assert_allclose(student.predict_proba(X)[fired == text][0], expected, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::glassbox.rules.NotProvenOptimalWarning")
@pytest.mark.parametrize("student", [ShallowTreeClassifier(max_depth=2), RuleListClassifier(max_rules=3, c=0.01)])
def test_taught_probabilities_never_change_the_structure_or_its_predictions(binary, student, tmp_path):
    X, _, teacher = binary
    fitted, _ = distill(teacher, student, X, augment=None, holdout=0.0, random_state=0)
    on_labels = clone(student).fit(X, teacher.predict(X))
    if hasattr(fitted, "rules_"):
        assert [r.conditions for r in fitted.rules_] == [r.conditions for r in on_labels.rules_]
    else:
        np.testing.assert_array_equal(fitted.tree_.goes_left, on_labels.tree_.goes_left)
    np.testing.assert_array_equal(fitted.predict(X), on_labels.predict(X))
    assert fitted.objective_ == on_labels.objective_
    assert not np.allclose(fitted.predict_proba(X), on_labels.predict_proba(X))
    # The taught probabilities are the model's: a saved and loaded student gives them bit for bit.
    path = tmp_path / "student.json"
    save(fitted, path)
    np.testing.assert_array_equal(load(path).predict_proba(X), fitted.predict_proba(X))


def test_a_region_whose_taught_probabilities_would_flip_its_class_keeps_its_label_shares(binary):
    X, _, _ = binary

    def lopsided(Z):  # class 1 on about 69% of rows, but unsure there and sure of class 0 elsewhere
        p = np.where(np.asarray(Z["f0"]) > -0.5, 0.55, 0.01)
        return np.column_stack([1 - p, p])

    default_only, _ = distill(lopsided, RuleListClassifier(max_rules=0), X, task="binary", classes=[0, 1],
                              augment=None, holdout=0.0)
    # The mean log-odds favour class 0, the labels class 1: the rule keeps its (smoothed) label shares.
    share = np.mean(np.asarray(X["f0"]) > -0.5)
    n = len(X)
    np.testing.assert_allclose(default_only.rules_[0].value, [(n * (1 - share) + 1) / (n + 2), (n * share + 1) / (n + 2)])
    assert set(default_only.predict(X)) == {1}


def test_taught_probabilities_follow_class_names_not_column_positions(binary):
    X, _, _ = binary

    def three(Z):  # columns in the order "c", "a", "b": not the sorted order the student keeps
        f0 = np.asarray(Z["f0"])
        p = np.where(f0[:, None] > 0, [0.6, 0.3, 0.1], [0.1, 0.2, 0.7])
        return p

    stump, _ = distill(three, ShallowTreeClassifier(max_depth=1), X, task="multiclass", classes=["c", "a", "b"],
                       augment=None, holdout=0.0, random_state=0)
    assert list(stump.classes_) == ["b", "c"]  # the teacher never predicts "a"
    proba = stump.predict_proba(X)
    right = np.asarray(X["f0"]) > 0
    # Each side's taught (b, c) probabilities are the teacher's renormalised over the student's
    # classes (a few rows across the bin edge nearest 0 aside).
    np.testing.assert_allclose(np.median(proba[right], axis=0), [0.1 / 0.7, 0.6 / 0.7], atol=0.02)
    np.testing.assert_allclose(np.median(proba[~right], axis=0), [0.7 / 0.8, 0.1 / 0.8], atol=0.02)


def test_a_monotone_tree_keeps_the_label_shares_it_was_constrained_on(binary):
    X, _, _ = binary
    kwargs = dict(task="binary", classes=[0, 1], augment=None, holdout=0.0, random_state=0)
    free, _ = distill(_unsure, ShallowTreeClassifier(max_depth=1), X, **kwargs)
    monotone, _ = distill(_unsure, ShallowTreeClassifier(max_depth=1, monotonic_cst={"f0": 1}), X, **kwargs)
    leaves = monotone.tree_.value[monotone.tree_.feature == -1]
    assert leaves.max(axis=1).min() > 0.9  # label shares (pure sides), not the teacher's 0.7
    assert free.tree_.value[free.tree_.feature == -1].max() < 0.75


def test_regression_teacher_into_regressor_student():
    X, y = make_regression(800, 4, noise=5, random_state=0)
    teacher = HistGradientBoostingRegressor(max_iter=50, random_state=0).fit(X, y)
    fitted, report = distill(teacher, ShallowTreeRegressor(max_depth=3), X, y=y, random_state=0)
    holdout = report.splits["holdout"]
    assert 0.3 < holdout["score_r2"] <= 1 and holdout["score_rmse"] > 0
    assert set(holdout) == {"n_rows", "score_r2", "score_rmse", "student_r2", "teacher_r2"}


def test_distilled_classifier_is_the_student(binary):
    X, y, teacher = binary
    model = DistilledClassifier(teacher, ShallowTreeClassifier(max_depth=2), random_state=0).fit(X, y)
    assert model.teacher_ is teacher
    np.testing.assert_array_equal(model.predict(X), model.student_.predict(X))
    np.testing.assert_array_equal(model.predict_proba(X), model.student_.predict_proba(X))
    np.testing.assert_array_equal(model.classes_, teacher.classes_)
    assert model.to_text() == model.student_.to_text()
    assert "Fidelity of the student" in str(model)
    assert not hasattr(model, "decision_function") or hasattr(model.student_, "decision_function")
    refit = DistilledClassifier(LogisticRegression(), ShallowTreeClassifier(max_depth=1), refit_teacher=True).fit(X.fillna(0), y)
    assert refit.teacher_ is not refit.teacher and hasattr(refit.teacher_, "coef_")
    assert not hasattr(refit.teacher, "coef_")


def test_distilled_regressor():
    X, y = make_regression(400, 3, random_state=0)
    teacher = HistGradientBoostingRegressor(max_iter=30).fit(X, y)
    model = DistilledRegressor(teacher, ShallowTreeRegressor(max_depth=2), random_state=0).fit(X)
    np.testing.assert_array_equal(model.predict(X), model.student_.predict(X))
    assert "score_r2" in model.fidelity_.splits["holdout"]


def test_distill_errors(binary):
    X, y, teacher = binary
    with pytest.raises(TypeError, match="must be a glassbox estimator"):
        distill(teacher, LogisticRegression(), X)
    with pytest.raises(TypeError, match="binary teacher needs a classifier student"):
        distill(teacher, ShallowTreeRegressor(), X)
    with pytest.raises(TypeError, match="regression teacher needs a regressor student"):
        distill(HistGradientBoostingRegressor(max_iter=5).fit(X, y), ShallowTreeClassifier(), X)
    with pytest.raises(ValueError, match="target must be one of"):
        distill(teacher, ShallowTreeClassifier(), X, target="soft")
    with pytest.raises(ValueError, match="ShallowTreeClassifier fits labels, not scores"):
        distill(teacher, ShallowTreeClassifier(), X, target="scores")
    with pytest.raises(ValueError, match=r"holdout must be a number in \[0, 1\)"):
        distill(teacher, ShallowTreeClassifier(), X, holdout=1.0)
    with pytest.raises(ValueError, match="pass augment="):
        distill(teacher, ShallowTreeClassifier(), X, augment=None, n_samples=100)
    with pytest.raises(ValueError, match=r"missing \['f5'\]"):
        distill(teacher, ShallowTreeClassifier(), X.drop(columns="f5"))
    with pytest.raises(TypeError, match="sparse"):
        import scipy.sparse as sp
        distill(teacher, ShallowTreeClassifier(), sp.csr_matrix(np.ones((5, 6))))

    constant = CountingTeacher(teacher)
    constant.predict_proba = lambda Z: np.tile([1.0, 0.0], (len(Z), 1))
    with pytest.raises(ValueError, match="predicts only class 0 on these"):
        distill(constant, ShallowTreeClassifier(), X)
    with pytest.raises(ValueError, match="requires y to be passed"):
        DistilledClassifier(clone(teacher), ShallowTreeClassifier(), refit_teacher=True).fit(X)


def test_distilling_a_real_black_box(shared_dataset):
    X, y, _ = shared_dataset("fico")
    teacher = HistGradientBoostingClassifier(random_state=0).fit(X, y)
    # augment=None keeps the suite fast (the default would fit on five times the rows).
    student, report = distill(teacher, ShallowTreeClassifier(max_depth=3), X, y=y, augment=None, random_state=0)
    holdout = report.splits["holdout"]
    majority = max(np.mean(teacher.predict(X) == c) for c in teacher.classes_)
    assert holdout["agreement"] > majority + 0.1  # far better than always answering one class
    assert 0.5 < holdout["auc_vs_teacher"] <= 1
