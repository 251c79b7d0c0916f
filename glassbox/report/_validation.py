"""``validate(model, X, y)``: what a model-risk reviewer asks of a model on data it was not
fitted on, as numbers and tables (the report renders them; a script can test them).

The model is asked only through its public methods (``predict``, ``predict_proba``) and its
public fitted binning (``binner_``); the metrics come from :mod:`glassbox.report._metrics`.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import is_classifier

from glassbox._base import event_class as model_event
from glassbox.binning import UnseenCategoryWarning
from glassbox.distill import inspected
from glassbox.report._holdout import holdout, segment_groups
from glassbox.report._html import NotAvailable
from glassbox.report._metrics import (
    binary_metrics, calibration_table, multiclass_metrics, ratio, regression_metrics, roc_points,
)
from glassbox.report._profile import data_profile

# Calibration bands: deciles of the predictions.
CALIBRATION_BANDS = 10


def event_class(model):
    """The class a binary classifier's probability, AUC, KS and calibration are about: its event
    (``pos_label``, else ``classes_[1]``; a distilled model's student's), as every view reads it
    (:func:`glassbox._base.event_class`).

    Parameters
    ----------
    model : fitted binary classifier

    Returns
    -------
    label
        One of ``model.classes_``.
    """
    return model_event(inspected(model))[1]


@dataclass(frozen=True)
class Validation:
    """A model's validation on hold-out data: what :func:`validate` returns and the report shows.

    A value that cannot be computed on these rows (AUC with one class in the hold-out, a gamma
    deviance with a zero target) is a ``NotAvailable`` whose text says why (``"n/a: one class"``).

    Attributes
    ----------
    task : {"binary", "multiclass", "regression"}
    n_rows : int
        Hold-out rows.
    n_training_rows : int
        Rows the model's binning counted in training (a distilled student's include its
        synthetic rows).
    weighted : bool
        Whether the metrics are weighted by ``sample_weight``.
    event : label or None
        Binary classifiers: the event class (:func:`event_class`); probabilities, AUC, KS and
        calibration are about it.
    classes : list or None
        Classifiers: the model's classes.
    metrics : dict
        Metric name -> value. Binary: rows, event rate, mean predicted, AUC, Gini (2 AUC - 1),
        KS (the largest distance between the events' and non-events' CDFs of the predicted
        probability) and KS at probability (where it occurs), log loss, Brier score,
        accuracy. Multiclass: rows, macro AUC (one-vs-rest), AUC of each class vs the rest, log
        loss, Brier score (summed over classes: 0 to 2), accuracy. Regression: rows, mean
        observed, mean predicted, R², RMSE, MAE, and for a Poisson or gamma GAM its mean
        deviance and D² (deviance explained).
    calibration : dict
        Name (``"all"``, or each class for multiclass, one vs the rest) -> DataFrame with one row
        per band of about equal row count of the prediction (deciles; tied predictions share a
        band, and at most 10 distinct predictions get one band each): the band, rows, mean
        predicted, mean observed (``observed rate`` for classifiers), observed / predicted.
    roc : dict
        Classifiers: class -> ``(false positive rate, true positive rate)`` of its ROC curve
        (binary: the event class only), for each class present with its complement.
    profile : DataFrame
        One row per feature: missing share in training (from the model's binner) and in the
        hold-out, unseen levels with examples, the shares of the lowest and highest bins, and the
        PSI with its reading.
    segments : dict
        Segment name -> ``(how its groups were formed, DataFrame)``: one row for all rows, then
        one per group, with rows (and weight), and per task: event rate, mean predicted,
        observed / predicted, AUC (binary); accuracy, log loss, macro AUC (multiclass); mean
        observed, mean predicted, observed / predicted, RMSE, R² (regression).
    """

    task: str
    n_rows: int
    n_training_rows: int
    weighted: bool
    event: object = None
    classes: list = None
    metrics: dict = field(default_factory=dict)
    calibration: dict = field(default_factory=dict)
    roc: dict = field(default_factory=dict)
    profile: pd.DataFrame = None
    segments: dict = field(default_factory=dict)


def validate(model, X, y, *, sample_weight=None, segments=None):
    """Validate a fitted glassbox model on hold-out data: discrimination, calibration, the data
    profile against training, and the same by segment.

    Parameters
    ----------
    model : fitted glassbox estimator (a distilled model is validated as it predicts)
    X : DataFrame or array of shape (n_samples, n_features)
        Rows the model was not fitted on. A DataFrame may hold more columns than the model uses
        (ids, segment columns): the model takes its own, by name.
    y : array-like of shape (n_samples,)
        Their target: labels among the model's classes, or numbers for a regressor.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights for every metric (the data profile counts rows, as the model's binning does).
    segments : str, list of str, dict or DataFrame, default=None
        Groups to break the metrics down by (the fairness and segment view). A str names a column
        of X, used by the model or not (a protected attribute, a region). A dict maps a name to
        one value per row; a DataFrame gives one segment per column. Numeric columns with more
        than 10 distinct values are cut into 5 bands at quantiles of the hold-out; missing values
        are a group.

    Returns
    -------
    Validation

    Raises
    ------
    ValueError
        No rows; columns the model needs are missing; y has missing values or labels the model
        never saw; weights of the wrong length or sign; a segment column that is not in X.
    """
    shown = inspected(model)  # a distilled model's student holds the binning
    data = holdout(model, X, y, sample_weight, segments)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenCategoryWarning)  # the data profile lists them by name
        predicted = np.asarray(model.predict(data.X))
        proba = model.predict_proba(data.X) if is_classifier(model) else None
    n_rows = len(data.y)
    if proba is None:
        predicted = predicted.astype(np.float64)
        loss = getattr(getattr(shown, "loss_", None), "name", None)
        task = _Regression(data.y, predicted, loss)
        extra = {}
    elif len(model.classes_) == 2:
        task = _Binary(data.y, proba, list(model.classes_), event_class(model), predicted)
        extra = {"event": task.event, "classes": list(model.classes_)}
    else:
        task = _Multiclass(data.y, proba, list(model.classes_), predicted)
        extra = {"classes": list(model.classes_)}
    everything = np.ones(n_rows, dtype=bool)
    return Validation(
        task=task.name, n_rows=n_rows, n_training_rows=int(shown.binner_.features_[0].counts.sum()),
        weighted=data.weighted, **extra,
        metrics=task.metrics(everything, data.weight),
        calibration=task.calibration(data.weight),
        roc=task.roc(data.weight),
        profile=data_profile(shown.binner_, data.X),
        segments={name: _segment(task, values, data) for name, values in data.segments.items()},
    )


def _segment(task, values, data):
    labels, order, how = segment_groups(values)
    rows = []
    for group, rows_in in [("all rows", np.ones(len(labels), dtype=bool))] + [(g, labels == g) for g in order]:
        row = {"group": group, "rows": int(rows_in.sum())}
        if data.weighted:
            row["weight"] = float(data.weight[rows_in].sum())
        if data.weight[rows_in].sum() > 0:
            found = task.metrics(rows_in, data.weight)
            row.update({k: found[k] for k in task.segment_columns(found)})
        else:  # every row of the group weighs 0: it counts nowhere
            row.update({k: NotAvailable("zero weight") for k in task.segment_columns(None)})
        rows.append(row)
    return how, pd.DataFrame(rows)


class _Binary:
    name = "binary"

    def __init__(self, y, proba, classes, event, predicted):
        self.event = event
        self.is_event = y == event
        self.p = proba[:, classes.index(event)]
        self.correct = predicted == y

    def metrics(self, rows, weight):
        found = binary_metrics(self.is_event[rows], self.p[rows], weight[rows], self.correct[rows])
        found["observed / predicted"] = ratio(found["event rate"], found["mean predicted"])
        return found

    @staticmethod
    def segment_columns(found):
        return ["event rate", "mean predicted", "observed / predicted", "AUC"]

    def calibration(self, weight):
        return {"all": _observed_rate(calibration_table(self.p, self.is_event.astype(np.float64), weight,
                                                       CALIBRATION_BANDS, label="probability"))}

    def roc(self, weight):
        if not 0 < self.is_event.sum() < len(self.is_event):
            return {}
        return {self.event: roc_points(self.is_event, self.p, weight)}


class _Multiclass:
    name = "multiclass"

    def __init__(self, y, proba, classes, predicted):
        self.y, self.proba, self.classes = y, proba, classes
        self.correct = predicted == y

    def metrics(self, rows, weight):
        return multiclass_metrics(self.y[rows], self.proba[rows], self.classes, weight[rows], self.correct[rows])

    @staticmethod
    def segment_columns(found):
        return ["accuracy", "log loss", "macro AUC (one-vs-rest)"]

    def calibration(self, weight):
        return {c: _observed_rate(calibration_table(self.proba[:, k], (self.y == c).astype(np.float64), weight,
                                                    CALIBRATION_BANDS, label=f"probability of {c}"))
                for k, c in enumerate(self.classes)}

    def roc(self, weight):
        return {c: roc_points(self.y == c, self.proba[:, k], weight)
                for k, c in enumerate(self.classes) if 0 < np.sum(self.y == c) < len(self.y)}


class _Regression:
    name = "regression"

    def __init__(self, y, predicted, loss):
        self.y, self.predicted, self.loss = y, predicted, loss

    def metrics(self, rows, weight):
        found = regression_metrics(self.y[rows], self.predicted[rows], weight[rows], self.loss)
        found["observed / predicted"] = ratio(found["mean observed"], found["mean predicted"])
        return found

    @staticmethod
    def segment_columns(found):
        return ["mean observed", "mean predicted", "observed / predicted", "RMSE", "R²"]

    def calibration(self, weight):
        return {"all": calibration_table(self.predicted, self.y, weight, CALIBRATION_BANDS)}

    def roc(self, weight):
        return {}


def _observed_rate(table):
    return table.rename(columns={"mean observed": "observed rate"})
