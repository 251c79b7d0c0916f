"""What a black-box teacher says about X, whatever kind of model it is.

A teacher is anything with ``predict_proba``, ``decision_function`` or ``predict`` (scikit-learn
estimators and pipelines, LightGBM's and XGBoost's scikit-learn models, ...) or a plain callable.
:class:`Teacher` asks it once per call, in the most informative way it offers, and turns the
answer into the three things distillation needs: labels, probabilities (when it has them) and raw
scores (logits for classifiers, values for regressors).

A callable classifier teacher returns probabilities, one column per class; a binary one may
return the probability of ``classes[1]`` alone, as LightGBM's and XGBoost's own ``Booster.predict``
do -- those boosters are callable teachers (``lambda X: booster.predict(X)``, with ``task=`` and
``classes=``), since their ``predict`` gives probabilities, not labels. What a teacher returns is
checked against what it claims to be (labels among its classes, probabilities in [0, 1] summing to
one), so a model of another kind is an error, never a silent wrong target.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from glassbox._base import py_scalar

# Probabilities are clipped away from 0 and 1 before logits: a teacher that is certain would
# otherwise give the student infinite targets.
PROBA_EPS = 1e-9

# How far probabilities may stray from [0, 1] and rows from summing to one: float32 probabilities
# (XGBoost's) round at about 1e-7; anything further off is not a probability.
PROBA_TOL = 1e-5

TASKS = ("binary", "multiclass", "regression")


@dataclass(frozen=True)
class Teacher:
    """A fitted black box with a known task and the method used to query it.

    Attributes
    ----------
    model : object
        The teacher as given (never refitted).
    task : {"binary", "multiclass", "regression"}
    method : {"predict_proba", "decision_function", "predict", "call"}
        How the teacher is asked: probabilities are preferred, then decision scores, then labels.
    classes : ndarray or None
        The teacher's classes (classification), in the order of its probability columns.
    """

    model: object
    task: str
    method: str
    classes: np.ndarray = None

    @classmethod
    def wrap(cls, model, *, task=None, classes=None):
        """Inspect ``model`` and decide how to query it; raise a clear error if it cannot be."""
        if isinstance(model, Teacher):
            return model
        if task is not None and task not in TASKS:
            raise ValueError(f"task must be one of {TASKS} or None, got {task!r}")
        _check_fitted(model)
        methods = [m for m in ("predict_proba", "decision_function", "predict") if callable(getattr(model, m, None))]
        if not methods:
            if callable(model):
                return cls._wrap_callable(model, task, classes)
            raise TypeError(
                f"the teacher ({type(model).__name__}) has no predict_proba, decision_function or predict "
                "method and is not callable; pass a fitted model or a function of X."
            )
        model_classes = getattr(model, "classes_", None) if classes is None else np.asarray(classes)
        classifier = task in ("binary", "multiclass") or (
            task is None and (_is(is_classifier, model) or (model_classes is not None and not _is(is_regressor, model)))
        )
        if not classifier:
            if "predict" not in methods:
                raise TypeError(f"a regression teacher needs predict; {type(model).__name__} has only {methods}")
            return cls(model, "regression", "predict")
        if model_classes is None:
            raise ValueError(
                "the teacher looks like a classifier but has no classes_; pass classes=[...] "
                "in the order of its probability columns."
            )
        model_classes = np.asarray(model_classes)
        inferred = "binary" if len(model_classes) == 2 else "multiclass"
        if len(model_classes) < 2:
            raise ValueError(f"the teacher knows only one class ({model_classes.tolist()}); nothing to distil.")
        if task is not None and task != inferred:
            raise ValueError(f"task={task!r} but the teacher has {len(model_classes)} classes ({inferred}).")
        return cls(model, inferred, methods[0], model_classes)

    @classmethod
    def _wrap_callable(cls, function, task, classes):
        if task is None:
            raise ValueError(
                "a callable teacher needs task= ('binary', 'multiclass' or 'regression'): "
                "its output alone cannot say whether it is a probability or a value."
            )
        if task == "regression":
            return cls(function, task, "call")
        if classes is None:
            raise ValueError("a callable classifier teacher needs classes=[...], one per probability column.")
        return cls(function, task, "call", np.asarray(classes))

    @property
    def is_classifier(self):
        return self.task != "regression"

    @property
    def has_scores(self):
        """Whether the teacher gives more than labels (probabilities, decision scores, values)."""
        return self.method != "predict" or not self.is_classifier

    @property
    def has_probabilities(self):
        """Whether a classifier teacher gives probabilities (so its scores are true logits)."""
        return self.is_classifier and self.method in ("predict_proba", "call")

    def ask(self, X):
        """Query the teacher once: ``(labels, probabilities or None, scores)``.

        Classification scores are logits: ``log p1 - log p0`` for binary teachers, log
        probabilities centred per row for multiclass ones. A teacher with only
        ``decision_function`` gives its decision scores as they are and no probabilities (an SVM
        margin is not a logit); one with only ``predict`` gives labels alone. Regression scores
        are the predicted values.
        """
        _check_feature_names(self.model, X)
        raw = self._call(X)
        n = X.shape[0]
        if self.task == "regression":
            values = _as_float(raw, (n,), "predictions")
            return values, None, values
        k = len(self.classes)
        if self.method == "predict":
            labels = np.asarray(raw).reshape(-1)
            if labels.shape != (n,):
                raise ValueError(f"the teacher's predict returned shape {np.shape(raw)} for {n} rows")
            _check_labels(labels, self.classes)
            return labels, None, None
        if self.method == "decision_function":
            scores = _as_float(raw, (n,) if k == 2 else (n, k), "decision scores")
            index = (scores > 0).astype(int) if k == 2 else np.argmax(scores, axis=1)
            return self.classes[index], None, scores
        if self.method == "call" and k == 2 and np.ndim(raw) == 1:
            # A binary callable may give P(classes[1]) alone, like a booster's predict.
            p1 = _as_float(raw, (n,), "probabilities")
            raw = np.column_stack([1.0 - p1, p1])
        proba = _as_float(raw, (n, k), "probabilities")
        _check_probabilities(proba, self.method)
        logp = log_probabilities(proba)
        scores = logp[:, 1] - logp[:, 0] if k == 2 else logp - logp.mean(axis=1, keepdims=True)
        return self.classes[np.argmax(proba, axis=1)], proba, scores

    def _call(self, X):
        name = "the teacher" if self.method == "call" else f"the teacher's {self.method}"
        try:
            return self.model(X) if self.method == "call" else getattr(self.model, self.method)(X)
        except Exception as err:  # any failure of foreign code is reported with the data's shape
            raise RuntimeError(
                f"{name} failed on X of shape {X.shape}: {type(err).__name__}: {err}. "
                "Check that X has the columns and types the teacher was trained on."
            ) from err


def log_probabilities(proba):
    """``log(proba)``, probabilities clipped to [PROBA_EPS, 1] first (finite logits)."""
    return np.log(np.clip(proba, PROBA_EPS, 1.0))


def _check_fitted(model):
    """A scikit-learn estimator that is not fitted is said to be so (not, later, to lack classes)."""
    if not isinstance(model, BaseEstimator):
        return  # other libraries' models say so themselves when asked
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ValueError(
            f"the teacher ({type(model).__name__}) is not fitted: fit it first, or let a DistilledClassifier / "
            "DistilledRegressor fit a copy on (X, y) with refit_teacher=True."
        ) from None


def _is(predicate, model):
    """scikit-learn's is_classifier / is_regressor, for models that are not scikit-learn's: those
    raise on a missing ``__sklearn_tags__``, so fall back to the old ``_estimator_type``."""
    try:
        return predicate(model)
    except Exception:  # foreign model without scikit-learn tags
        kind = getattr(model, "_estimator_type", None)
        return kind == ("classifier" if predicate is is_classifier else "regressor")


def _check_feature_names(model, X):
    expected = getattr(model, "feature_names_in_", None)
    if expected is None or not isinstance(X, pd.DataFrame):
        return
    expected = [str(c) for c in expected]
    given = [str(c) for c in X.columns]
    if given == expected:
        return
    missing = [c for c in expected if c not in given]
    extra = [c for c in given if c not in expected]
    detail = f"missing {missing}, unexpected {extra}" if missing or extra else "same columns in another order"
    raise ValueError(
        f"X's columns do not match the teacher's feature_names_in_ ({detail}); "
        "pass X with the columns the teacher was trained on, in that order."
    )


def _check_labels(labels, classes):
    unknown = ~np.isin(labels, classes)
    if unknown.any():
        raise ValueError(
            f"the teacher's predict returned {int(unknown.sum())} values that are not among its classes "
            f"{np.asarray(classes).tolist()} (e.g. {py_scalar(labels[unknown][0])!r}). If its predict gives "
            "probabilities or scores (a LightGBM or XGBoost Booster does), pass it as a callable "
            "teacher that returns probabilities, with task= and classes=: "
            "distill(lambda X: booster.predict(X), student, X, task='binary', classes=[0, 1])."
        )


def _check_probabilities(proba, method):
    source = "the teacher" if method == "call" else f"the teacher's {method}"
    low, high = proba.min(), proba.max()
    if low < -PROBA_TOL or high > 1 + PROBA_TOL:
        raise ValueError(
            f"{source} returned values from {low:.6g} to {high:.6g}, which are not probabilities; "
            "a classifier teacher must give class probabilities in [0, 1] (not logits or margins)."
        )
    sums = proba.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > PROBA_TOL * proba.shape[1]:
        raise ValueError(
            f"{source} returned probabilities whose rows do not sum to 1 (row {worst} sums to "
            f"{sums[worst]:.6g}); give one column per class, in the order of classes."
        )


def _as_float(raw, shape, what):
    try:
        values = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"the teacher's {what} are not numeric: {err}") from None
    if values.ndim == 2 and len(shape) == 1 and values.shape[1] == 1:
        values = values[:, 0]
    if values.shape != shape:
        raise ValueError(f"the teacher returned {what} of shape {values.shape}; expected {shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"the teacher returned {int((~np.isfinite(values)).sum())} NaN or infinite {what}")
    return values
