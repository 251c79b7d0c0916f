"""A GAMClassifier fitted to a teacher's log-odds: distillation's ``"scores"`` target for GAMs.

A binary GAM classifier is additive in the log-odds. Fitting the teacher's log-odds with the
regressor's squared-error machinery hands the student the teacher's confidence on every row,
not only its decisions, so the student's shape functions follow the teacher's logit directly
(a student fitted to labels sees only which side of 0 the logit is on). The fitted regressor's
tables are the classifier's tables: same binning, terms and intercept, read as log-odds.
"""

import numpy as np

from glassbox.gam._gam import GAMRegressor

# Fitted attributes a GAMClassifier shares with the GAMRegressor that fits its log-odds.
_SHARED = ("binner_", "n_features_in_", "feature_names_in_", "terms_", "intercept_", "n_rounds_")


def fit_log_odds(student, X, log_odds, classes):
    """Fit ``student`` (an unfitted GAMClassifier) so that its decision_function follows ``log_odds``.

    ``log_odds`` are ``log p(classes[1]) - log p(classes[0])`` per row of ``X``; the student keeps
    every hyperparameter (bags, rounds, interactions, monotonic constraints on the log-odds).
    """
    classes = np.asarray(classes)
    if len(classes) != 2:
        raise ValueError(f"log-odds targets need a binary teacher; got {len(classes)} classes")
    regressor = GAMRegressor(loss="squared_error", **student.get_params()).fit(X, log_odds)
    for name in _SHARED:
        if hasattr(regressor, name):
            setattr(student, name, getattr(regressor, name))
    student.classes_ = classes
    return student
