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


# The AUC against the teacher on partitioned rows is counted from histograms of the student's
# logits: 2**14 bins over [-30, 30] (a logit beyond that is a probability within 1e-13 of 0 or
# 1). Pairs in one bin count half, as tied scores do; the report gives the most that can move it.
AUC_BINS, AUC_RANGE = 1 << 14, 30.0


def fidelity_sums(teacher, student, X, y=None):
    """What :func:`measure` reads off rows X, as counts, moments and histograms that add up over
    blocks of rows (:func:`merge_fidelity_sums`); :func:`fidelity_from_sums` turns them into
    :func:`measure`'s metrics. A plain function of one block: how a fidelity report is computed on
    data held in partitions, without gathering them."""
    out = {"n_rows": int(X.shape[0])}
    if out["n_rows"] == 0:
        return out
    labels, _, scores = teacher.ask(X)
    if teacher.task == "regression":
        predicted = student.predict(X)
        out["score"] = _moments(scores, predicted)
        if y is not None:
            out["student"], out["teacher"] = _moments(y, predicted), _moments(y, scores)
        return out
    predicted = np.asarray(student.predict(X))
    out["agree"] = np.array([np.sum(predicted == labels)])
    out["per_class"] = np.array([[np.sum(labels == c), np.sum(predicted[labels == c] == c)] for c in teacher.classes])
    student_scores = student_logits(student, X, teacher.classes)
    out["ranks"] = _rank_histograms(labels, student_scores, teacher.classes)
    if scores is not None:
        out["score"] = _moments(np.ravel(scores), np.ravel(student_scores))
    if y is not None:
        y = np.asarray(y)
        out["correct"] = np.array([np.sum(predicted == y), np.sum(labels == y)])
    return out


def merge_fidelity_sums(parts):
    """The :func:`fidelity_sums` of all the blocks' rows together."""
    merged = {"n_rows": sum(p["n_rows"] for p in parts)}
    for key in {k for p in parts for k in p} - {"n_rows"}:
        values = [p[key] for p in parts if key in p]
        merged[key] = _merge_moments(values) if isinstance(values[0], tuple) else np.sum(values, axis=0)
    return merged


def fidelity_from_sums(sums, teacher):
    """:func:`measure`'s metrics from merged :func:`fidelity_sums`. The AUC against the teacher
    comes with ``auc_vs_teacher_max_error``: how far the binned count can be from the exact one."""
    out = {"n_rows": int(sums["n_rows"])}
    if teacher.task == "regression":
        out["score_r2"], out["score_rmse"] = _r2_rmse(sums.get("score"))
        if "student" in sums:
            out["student_r2"], out["teacher_r2"] = _r2_rmse(sums["student"])[0], _r2_rmse(sums["teacher"])[0]
        return out
    n = max(out["n_rows"], 1)
    out["agreement"] = float(sums.get("agree", [0])[0] / n) if out["n_rows"] else float("nan")
    per_class = sums.get("per_class", np.zeros((len(teacher.classes), 2)))
    for c, (count, agreed) in zip(teacher.classes, per_class):
        out[f"agreement_{c}"] = float(agreed / count) if count else float("nan")
    out["auc_vs_teacher"], out["auc_vs_teacher_max_error"] = _binned_auc(sums.get("ranks"), per_class[:, 0])
    if "score" in sums:
        out["score_r2"], out["score_rmse"] = _r2_rmse(sums["score"])
    if "correct" in sums:
        out["student_accuracy"], out["teacher_accuracy"] = (float(v / n) for v in sums["correct"])
    return out


def _moments(truth, predicted):
    """``(n, mean of truth, sum of squared deviations of truth, sum of squared errors)``."""
    truth = np.asarray(truth, dtype=np.float64)
    mean = float(truth.mean()) if truth.size else 0.0
    return (truth.size, mean, float(np.sum((truth - mean) ** 2)),
            float(np.sum((truth - np.asarray(predicted, dtype=np.float64)) ** 2)))


def _merge_moments(parts):
    """Chan et al.'s pairwise merge: no cancellation from sums of squares."""
    n, mean, m2, sse = 0, 0.0, 0.0, 0.0
    for nb, mb, m2b, sseb in parts:
        if nb == 0:
            continue
        delta, total = mb - mean, n + nb
        mean, m2 = mean + delta * nb / total, m2 + m2b + delta ** 2 * n * nb / total
        n, sse = total, sse + sseb
    return n, mean, m2, sse


def _r2_rmse(moments):
    if moments is None or moments[0] == 0:
        return float("nan"), float("nan")
    n, _, m2, sse = moments
    r2 = float("nan") if n < 2 or m2 == 0 else float(1 - sse / m2)
    return r2, float(np.sqrt(sse / n))


def _rank_histograms(labels, scores, classes):
    """Per class (one for binary): histograms of the student's logit for that class among rows
    the teacher gives it and among the others, shape (n_curves, 2, AUC_BINS)."""
    if len(classes) == 2:
        curves = [(labels == classes[1], scores)]
    else:
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        p = np.exp(logp)  # ranked by each class's own logit, log p - log(1 - p): the order of p
        curves = [(labels == c, logp[:, j] - np.log1p(-np.minimum(p[:, j], 1 - 1e-16))) for j, c in enumerate(classes)]
    out = np.zeros((len(curves), 2, AUC_BINS), dtype=np.int64)
    for k, (positive, score) in enumerate(curves):
        bins = np.clip(((np.asarray(score) + AUC_RANGE) * (AUC_BINS / (2 * AUC_RANGE))).astype(np.int64), 0, AUC_BINS - 1)
        out[k, 0] = np.bincount(bins[positive], minlength=AUC_BINS)
        out[k, 1] = np.bincount(bins[~positive], minlength=AUC_BINS)
    return out


def _binned_auc(ranks, class_counts):
    """``(AUC, most it can be off)`` from :func:`_rank_histograms`; multiclass: one-vs-rest,
    weighted by the teacher's class counts, over the classes present (as :func:`measure`)."""
    if ranks is None:
        return float("nan"), float("nan")
    aucs, errors, weights = [], [], []
    for k, (pos, neg) in enumerate(ranks):
        n_pos, n_neg = pos.sum(), neg.sum()
        if n_pos == 0 or n_neg == 0:
            continue
        below = np.cumsum(neg) - neg
        tied = float(np.sum(pos * neg.astype(np.float64)))
        aucs.append((float(np.sum(pos * below.astype(np.float64))) + 0.5 * tied) / (n_pos * n_neg))
        errors.append(0.5 * tied / (n_pos * n_neg))
        weights.append(n_pos if len(ranks) > 1 else 1)
    if not aucs:
        return float("nan"), float("nan")
    return float(np.average(aucs, weights=weights)), float(np.average(errors, weights=weights))
