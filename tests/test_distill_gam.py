"""GAM students taught a binary teacher's log-odds (distill's "scores" target)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import r2_score
from sklearn.svm import LinearSVC

from glassbox import DistilledClassifier, GAMClassifier, distill

GAM = dict(outer_bags=2, interactions=0, random_state=0)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(3000, 5, n_informative=4, n_redundant=0, random_state=1)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    labels = np.where(y == 1, "yes", "no")
    # A logistic regression's log-odds are additive (linear) in the features: a GAM can follow
    # them almost exactly, so how closely it does measures the target, not the model's capacity.
    teacher = LogisticRegression().fit(X, labels)
    return X, labels, teacher


def _teacher_log_odds(teacher, X):
    p = teacher.predict_proba(X)
    return np.log(p[:, 1]) - np.log(p[:, 0])


def test_auto_target_fits_the_log_odds_and_keeps_the_teachers_classes(data):
    X, labels, teacher = data
    student, report = distill(teacher, GAMClassifier(**GAM), X, random_state=0)
    assert isinstance(student, GAMClassifier)
    assert list(student.classes_) == ["no", "yes"]
    hold = report.splits["holdout"]
    assert hold["score_r2"] > 0.97 and hold["agreement"] > 0.97
    # And on fresh rows from the same distribution, against the teacher's log-odds directly.
    X_new, _ = make_classification(2000, 5, n_informative=4, n_redundant=0, random_state=2)
    X_new = pd.DataFrame(X_new, columns=X.columns)
    r2 = r2_score(_teacher_log_odds(teacher, X_new), student.decision_function(X_new))
    assert r2 > 0.97, r2
    proba = student.predict_proba(X_new)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(student.predict(X_new)) <= {"no", "yes"}


def test_log_odds_student_has_every_fitted_attribute_a_label_fitted_gam_has(data):
    """The log-odds fit runs the regressor's machinery; the student must still be a complete
    GAMClassifier: the same public fitted attributes as one fitted to labels, a logit link, and
    a model file that loads back to the same predictions."""
    from glassbox.export import from_dict, to_dict

    X, labels, teacher = data
    student, _ = distill(teacher, GAMClassifier(**GAM), X, target="scores", random_state=0)
    by_labels = GAMClassifier(**GAM).fit(X, labels)

    def fitted(model):
        return {k for k in vars(model) if k.endswith("_") and not k.startswith("_")}

    assert fitted(student) == fitted(by_labels)
    assert student.loss_ == by_labels.loss_ and student.loss_.link == "logit"
    np.testing.assert_array_equal(student.classes_, by_labels.classes_)
    loaded = from_dict(to_dict(student))
    np.testing.assert_array_equal(loaded.predict_proba(X), student.predict_proba(X))


def test_log_odds_target_follows_the_teacher_closer_than_labels(data):
    X, labels, teacher = data
    scores_student, _ = distill(teacher, GAMClassifier(**GAM), X, target="scores", random_state=0)
    labels_student, _ = distill(teacher, GAMClassifier(**GAM), X, target="labels", random_state=0)
    truth = _teacher_log_odds(teacher, X)
    r2_scores = r2_score(truth, scores_student.decision_function(X))
    r2_labels = r2_score(truth, labels_student.decision_function(X))
    assert r2_scores > r2_labels + 0.05, (r2_scores, r2_labels)


def test_explain_local_of_a_log_odds_student_sums_to_its_decision_function(data):
    X, labels, teacher = data
    model = DistilledClassifier(teacher, GAMClassifier(**GAM), random_state=0).fit(X)
    student = model.student_
    frame = student.explain_local(X.iloc[:50])
    frame = frame.to_frame() if hasattr(frame, "to_frame") else frame
    np.testing.assert_allclose(frame.sum(axis=1).to_numpy(), student.decision_function(X.iloc[:50]),
                               rtol=1e-12, atol=1e-12)


def test_margin_teacher_cannot_give_log_odds(data):
    X, labels, _ = data
    svm = LinearSVC().fit(X, labels)
    with pytest.raises(ValueError, match="decision scores, not probabilities"):
        distill(svm, GAMClassifier(**GAM), X, target="scores")
    student, _ = distill(svm, GAMClassifier(**GAM), X, random_state=0)  # auto: its labels
    assert list(student.classes_) == ["no", "yes"]
    np.testing.assert_array_equal(np.unique(student.predict(X)), ["no", "yes"])


def test_multiclass_teacher_teaches_labels_under_auto_and_refuses_scores():
    X, y = make_classification(900, 5, n_informative=4, n_redundant=0, n_classes=3, random_state=0)
    teacher = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="need a binary teacher"):
        distill(teacher, GAMClassifier(**GAM), X, target="scores")
    student, report = distill(teacher, GAMClassifier(**GAM), X, random_state=0)
    assert list(student.classes_) == [0, 1, 2]
    assert report.splits["holdout"]["agreement"] > 0.8
