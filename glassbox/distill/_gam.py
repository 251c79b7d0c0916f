"""Distilling into GAMs: a binary GAMClassifier fitted to the teacher's log-odds.

A binary GAM classifier is additive in the log-odds. Fitting the teacher's log-odds with the
regressor's squared-error machinery hands the student the teacher's confidence on every row,
not only its decisions, so the student's shape functions follow the teacher's logit directly
(a student fitted to labels sees only which side of 0 the logit is on). The fitted regressor's
structure is the classifier's: same binning, terms and intercept, read as log-odds.
"""

from dataclasses import replace

import numpy as np

from glassbox._base import check_pos_label, fix_event
from glassbox._losses import classification_loss
from glassbox.gam import GAMClassifier, GAMRegressor


def fit_scores(student, X, log_odds, classes):
    """Fit ``student`` (an unfitted GAMClassifier) so that its decision_function follows ``log_odds``.

    ``log_odds`` are ``log p(classes[1]) - log p(classes[0])`` per row of ``X``; the student keeps
    every hyperparameter (bags, rounds, interactions, monotonic constraints on the log-odds).
    """
    regressor, sign = score_regressor(student, classes)
    return adopt_scores(student, regressor.fit(X, sign * np.asarray(log_odds)), sign, classes)


def score_regressor(student, classes):
    """``(regressor, sign)``: the unfitted GAMRegressor with the student's hyperparameters that
    fits ``sign`` times the log-odds of ``classes[1]`` (the log-odds of the student's event)."""
    if not isinstance(student, GAMClassifier):
        raise TypeError(f"only a GAMClassifier fits log-odds, not a {type(student).__name__}")
    classes = np.asarray(classes)
    if len(classes) != 2:
        raise ValueError(f"log-odds targets need a binary teacher; got {len(classes)} classes")
    params = student.get_params()
    sign = -1.0 if check_pos_label(params.pop("pos_label"), classes) == 0 else 1.0
    # The regressor fits the event's log-odds, which the constraints read (and its warnings
    # speak of); the tables are then turned back into the log-odds of classes[1], the raw score
    # of a GAMClassifier: a negation, exact.
    return GAMRegressor(loss="squared_error", **params), sign


def adopt_scores(student, regressor, sign, classes):
    """Make ``student`` the classifier whose raw score is the fitted ``regressor``'s, times ``sign``."""
    # Every fitted attribute (public, ending in "_") is the structure's: none is left behind.
    for name, value in vars(regressor).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(student, name, value)
    if sign < 0:
        student.terms_ = [replace(t, scores=-t.scores) for t in student.terms_]
        student.intercept_ = -student.intercept_
    student.classes_ = np.asarray(classes)
    student.loss_ = classification_loss(len(classes))  # its raw score is a log-odds
    fix_event(student)
    return student
