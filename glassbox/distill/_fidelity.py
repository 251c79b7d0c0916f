"""How faithful a student is to its teacher, measured on rows the student never saw."""

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import mean_squared_error, r2_score, roc_auc_score

from glassbox._base import py_scalar
from glassbox.distill._teacher import log_probabilities


@dataclass(frozen=True)
class FidelityReport:
    """Agreement between a distilled student and its teacher, per evaluation split.

    Attributes
    ----------
    task : {"binary", "multiclass", "regression"}
    classes : list or None
        The teacher's classes (classification).
    splits : dict
        ``{split name: {metric: value}}``, e.g. ``"holdout"`` (real rows held out of the
        student's fit) and ``"augmented"`` (synthetic rows held out likewise). Metrics:

        - ``n_rows``;
        - classification: ``agreement`` (student label == teacher label), ``agreement_<class>``
          (the same among rows the teacher assigns to that class), ``auc_vs_teacher`` (the
          student's scores ranking the teacher's labels; one-vs-rest weighted for multiclass),
          ``score_r2`` / ``score_rmse`` (student logits vs teacher logits, when the teacher gives
          scores);
        - regression: ``score_r2`` / ``score_rmse`` (student vs teacher predictions);
        - when true labels are given (real rows only): ``student_accuracy`` / ``teacher_accuracy``
          or ``student_r2`` / ``teacher_r2``.
    student_size : dict
        ``{"rules": n}``, ``{"leaves": n}`` or ``{"terms": n}``.
    """

    task: str
    classes: list
    splits: dict
    student_size: dict = field(default_factory=dict)

    def to_frame(self):
        """One row per metric, one column per split."""
        return pd.DataFrame(self.splits)

    def to_dict(self):
        """Plain JSON-serialisable data."""
        return {
            "task": self.task,
            "classes": None if self.classes is None else [_plain(c) for c in self.classes],
            "splits": {k: {m: _plain(v) for m, v in d.items()} for k, d in self.splits.items()},
            "student_size": {k: int(v) for k, v in self.student_size.items()},
        }

    def to_json(self, **kwargs):
        return json.dumps(self.to_dict(), **kwargs)

    def __str__(self):
        size = ", ".join(f"{v} {k}" for k, v in self.student_size.items()) or "unknown size"
        names = list(self.splits)
        metrics = list(dict.fromkeys(m for split in self.splits.values() for m in split))
        widths = [max(10, len(n)) for n in names]
        width = max(len(m) for m in metrics)
        lines = [f"Fidelity of the student ({size}) to its {self.task} teacher, on rows it never saw"]
        lines.append(" " * width + "".join(f"  {n:>{w}}" for n, w in zip(names, widths)))
        for metric in metrics:
            cells = "".join(f"  {_fmt(self.splits[n].get(metric)):>{w}}" for n, w in zip(names, widths))
            lines.append(f"{metric:<{width}}{cells}")
        return "\n".join(lines)


def measure(teacher, student, X, y=None):
    """Metrics of ``student`` against ``teacher`` (a :class:`Teacher`) on rows X."""
    labels, proba, scores = teacher.ask(X)
    out = {"n_rows": int(X.shape[0])}
    if teacher.task == "regression":
        predicted = student.predict(X)
        out["score_r2"] = _r2(scores, predicted)
        out["score_rmse"] = float(np.sqrt(mean_squared_error(scores, predicted)))
        if y is not None:
            out["student_r2"] = _r2(y, predicted)
            out["teacher_r2"] = _r2(y, scores)
        return out
    predicted = np.asarray(student.predict(X))
    out["agreement"] = float(np.mean(predicted == labels))
    for c in teacher.classes:
        mask = labels == c
        out[f"agreement_{c}"] = float(np.mean(predicted[mask] == c)) if mask.any() else float("nan")
    student_scores = student_logits(student, X, teacher.classes)
    out["auc_vs_teacher"] = _auc(labels, student_scores, teacher.classes)
    if scores is not None:
        out["score_r2"] = _r2(np.ravel(scores), np.ravel(student_scores))
        out["score_rmse"] = float(np.sqrt(mean_squared_error(np.ravel(scores), np.ravel(student_scores))))
    if y is not None:
        y = np.asarray(y)
        out["student_accuracy"] = float(np.mean(predicted == y))
        out["teacher_accuracy"] = float(np.mean(labels == y))
    return out


def student_logits(student, X, classes):
    """The student's scores on the teacher's logit scale, columns in the teacher's class order.

    Binary: ``log p1 - log p0`` (or the student's own decision function); multiclass: log
    probabilities centred per row, as for the teacher. A class the student never learned (it was
    absent from what it was fitted on) has probability 0, clipped like the teacher's.
    """
    student_classes = list(student.classes_)
    if hasattr(student, "decision_function") and len(classes) == 2 and student_classes == list(classes):
        return np.asarray(student.decision_function(X), dtype=np.float64)
    proba = np.zeros((X.shape[0], len(classes)))
    own = student.predict_proba(X)
    for j, c in enumerate(classes):
        if c in student_classes:
            proba[:, j] = own[:, student_classes.index(c)]
    logp = log_probabilities(proba)
    if len(classes) == 2:
        return logp[:, 1] - logp[:, 0]
    return logp - logp.mean(axis=1, keepdims=True)


def _auc(labels, scores, classes):
    present = [c for c in classes if np.any(labels == c)]
    if len(present) < 2:
        return float("nan")  # the teacher said one class only: nothing to rank
    if len(classes) == 2:
        return float(roc_auc_score(labels == classes[1], scores))
    proba = np.exp(scores - scores.max(axis=1, keepdims=True))
    keep = [list(classes).index(c) for c in present]
    proba = proba[:, keep] / proba[:, keep].sum(axis=1, keepdims=True)
    if len(present) == 2:  # only two of the classes occur here: a binary ranking
        return float(roc_auc_score(labels == present[1], proba[:, 1]))
    return float(roc_auc_score(labels, proba, multi_class="ovr", average="weighted", labels=present))


def _r2(truth, predicted):
    truth = np.asarray(truth, dtype=np.float64)
    if truth.size < 2 or np.all(truth == truth[0]):
        return float("nan")
    return float(r2_score(truth, np.asarray(predicted, dtype=np.float64)))


def _plain(value):
    value = py_scalar(value)
    if isinstance(value, float) and not np.isfinite(value):
        return None  # JSON has no NaN
    return value


def _fmt(value):
    if isinstance(value, (int, np.integer)):
        return str(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    return f"{value:.4f}"
