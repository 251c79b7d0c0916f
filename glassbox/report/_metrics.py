"""The validation numbers, as plain functions of arrays: scores, labels and row weights in,
numbers and small tables out.

Standard metrics are scikit-learn's own (``roc_auc_score``, ``brier_score_loss``, ``log_loss``,
``r2_score``...), so the report says exactly what a reviewer would compute; what scikit-learn
lacks (the KS statistic with its cut-off, bands of equal row count, the population stability
index) is written here once. A metric that cannot be computed on the rows given is a
:class:`~glassbox.report._html.NotAvailable` with the reason, not an error.
"""

import numpy as np
import pandas as pd
from sklearn import metrics

from glassbox.binning import format_threshold
from glassbox.report._html import NotAvailable

# A share of 0 in either population makes PSI's log infinite; the usual convention, kept here,
# counts it as this share instead.
PSI_FLOOR = 1e-4
# PSI's usual reading.
PSI_STABLE, PSI_SHIFTED = 0.1, 0.25

ONE_CLASS = NotAvailable("one class")


def psi_reading(value):
    """The usual reading of a population stability index."""
    if isinstance(value, NotAvailable):
        return str(value)
    if value < PSI_STABLE:
        return "stable"
    return "watch" if value <= PSI_SHIFTED else "shifted"


def psi(expected, actual):
    """Population stability index between two distributions over the same groups.

    ``sum((a - e) * ln(a / e))`` over groups, with ``e`` and ``a`` the shares of each group in
    the expected (training) and actual (hold-out) counts; a share of 0 counts as ``PSI_FLOOR``.
    """
    expected = np.asarray(expected, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    if expected.sum() <= 0 or actual.sum() <= 0:
        return NotAvailable("no rows")
    e = np.maximum(expected / expected.sum(), PSI_FLOOR)
    a = np.maximum(actual / actual.sum(), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def quantile_bands(values, n_bands):
    """Bands of about equal row count over finite ``values``: ``(band of each value, labels)``.

    At most ``n_bands`` distinct values: one band each (``"= 0.21"``). Otherwise the edges are
    values of the data (``inverted_cdf`` quantiles) and band ``i`` holds the values in
    ``(edges[i], edges[i + 1]]`` (the first band also ``edges[0]``), so tied values always share
    a band and there are fewer bands than asked when values tie.
    """
    values = np.asarray(values, dtype=np.float64)
    distinct = np.unique(values)
    if len(distinct) <= n_bands:
        return np.searchsorted(distinct, values), [f"= {t}" for t in _short(distinct)]
    edges = np.unique(np.quantile(values, np.linspace(0, 1, n_bands + 1), method="inverted_cdf"))
    text = _short(edges)
    labels = [("[" if i == 0 else "(") + f"{text[i]}, {text[i + 1]}]" for i in range(len(edges) - 1)]
    return np.searchsorted(edges[1:-1], values, side="left"), labels


def _short(values):
    """Values with the fewest significant digits (at least 3) that still tell every two apart."""
    for digits in range(3, 18):
        text = [f"{v:.{digits}g}" for v in values]
        if len(set(text)) == len(text):
            return text
    return [format_threshold(v) for v in values]


def mean(values, weight):
    return float(np.average(values, weights=weight))


def ratio(observed, predicted):
    """Observed / predicted: above 1, the model under-predicts (a ratio of means reads so only
    when both are positive)."""
    if predicted <= 0 or observed < 0:
        return NotAvailable("a mean is not positive")
    return observed / predicted


def ks_statistic(scores, is_event, weight):
    """Kolmogorov-Smirnov statistic between the scores of events and of non-events.

    The largest gap between the two (weighted) empirical CDFs, and the score where it occurs:
    rows scoring at most that value hold the largest share of one class beyond the other.
    Returns ``(statistic, score)``.
    """
    order = np.argsort(scores, kind="stable")
    s, event, w = scores[order], is_event[order], weight[order]
    last = np.r_[s[1:] != s[:-1], True]  # the CDFs step once per distinct score
    cdf_event = np.cumsum(w * event)[last] / np.sum(w * event)
    cdf_other = np.cumsum(w * ~event)[last] / np.sum(w * ~event)
    gap = np.abs(cdf_event - cdf_other)
    k = int(np.argmax(gap))
    return float(gap[k]), float(s[last][k])


def binary_metrics(is_event, p_event, weight, correct):
    """Discrimination and calibration of the event's probability ``p_event`` (``correct``: the
    model's predicted label is the row's label)."""
    out = {"rows": len(is_event), "event rate": mean(is_event, weight), "mean predicted": mean(p_event, weight)}
    two_classes = 0 < out["event rate"] < 1
    if two_classes:
        out["AUC"] = float(metrics.roc_auc_score(is_event, p_event, sample_weight=weight))
        out["Gini"] = 2 * out["AUC"] - 1
        out["KS"], out["KS at probability"] = ks_statistic(p_event, is_event, weight)
    else:
        out["AUC"] = out["Gini"] = out["KS"] = out["KS at probability"] = ONE_CLASS
    out["log loss"] = float(metrics.log_loss(is_event, p_event, sample_weight=weight, labels=[False, True]))
    out["Brier score"] = float(metrics.brier_score_loss(is_event, p_event, sample_weight=weight, pos_label=True))
    out["accuracy"] = mean(correct, weight)
    return out


def one_vs_rest_auc(is_class, p_class, weight):
    if not 0 < mean(is_class, weight) < 1:
        return ONE_CLASS
    return float(metrics.roc_auc_score(is_class, p_class, sample_weight=weight))


def multiclass_metrics(y, proba, classes, weight, correct):
    """One-vs-rest AUC per class and their macro average, log loss, multiclass Brier, accuracy."""
    out = {"rows": len(y)}
    aucs = [one_vs_rest_auc(y == c, proba[:, k], weight) for k, c in enumerate(classes)]
    defined = [a for a in aucs if not isinstance(a, NotAvailable)]
    out["macro AUC (one-vs-rest)"] = float(np.mean(defined)) if defined else ONE_CLASS
    if 0 < len(defined) < len(aucs):  # averaged over the classes that can be ranked here: say so
        out["macro AUC over"] = f"{len(defined)} of {len(aucs)} classes (the others are absent or alone here)"
    for c, auc in zip(classes, aucs):
        out[f"AUC {c} vs rest"] = auc
    out["log loss"] = float(metrics.log_loss(y, proba, sample_weight=weight, labels=list(classes)))
    onehot = (np.asarray(y)[:, None] == np.asarray(classes)[None, :]).astype(np.float64)
    # The sum over classes (Brier's original multiclass score: 0 perfect, 2 worst).
    out["Brier score"] = mean(np.sum((proba - onehot) ** 2, axis=1), weight)
    out["accuracy"] = mean(correct, weight)
    return out


# Deviance of the GAM losses whose scale is not the squared error's: sklearn's Tweedie power.
DEVIANCE_POWER = {"poisson": 1, "gamma": 2}


def regression_metrics(y, predicted, weight, loss=None):
    """R², RMSE, MAE, means; for a Poisson or gamma model, its mean deviance and D²."""
    out = {"rows": len(y), "mean observed": mean(y, weight), "mean predicted": mean(predicted, weight)}
    out["R²"] = (float(metrics.r2_score(y, predicted, sample_weight=weight)) if len(y) > 1 and np.ptp(y) > 0
                 else NotAvailable("constant target"))
    out["RMSE"] = float(np.sqrt(metrics.mean_squared_error(y, predicted, sample_weight=weight)))
    out["MAE"] = float(metrics.mean_absolute_error(y, predicted, sample_weight=weight))
    if loss in DEVIANCE_POWER:
        power = DEVIANCE_POWER[loss]
        if np.any(y < 0) or (power == 2 and np.any(y <= 0)):
            why = NotAvailable(f"{loss} deviance needs {'positive' if power == 2 else 'non-negative'} targets")
            out[f"mean {loss} deviance"] = out[f"D² ({loss} deviance explained)"] = why
        else:
            out[f"mean {loss} deviance"] = float(
                metrics.mean_tweedie_deviance(y, predicted, sample_weight=weight, power=power))
            out[f"D² ({loss} deviance explained)"] = (
                float(metrics.d2_tweedie_score(y, predicted, sample_weight=weight, power=power))
                if len(y) > 1 and np.ptp(y) > 0 else NotAvailable("constant target"))
    return out


def calibration_table(predicted, observed, weight, n_bands=10, label="predicted"):
    """Rows grouped into bands of about equal count by ``predicted``: per band its range, rows,
    mean predicted, mean observed and their ratio (observed / predicted)."""
    band, labels = quantile_bands(predicted, n_bands)
    rows = []
    for i, name in enumerate(labels):
        inside = band == i
        w = weight[inside]
        p, o = mean(predicted[inside], w), mean(observed[inside], w)
        rows.append({f"{label} band": name, "rows": int(inside.sum()), "mean predicted": p,
                     "mean observed": o, "observed / predicted": ratio(o, p)})
    return pd.DataFrame(rows)


def roc_points(is_event, p_event, weight):
    """``(false positive rate, true positive rate)`` arrays of the ROC curve."""
    fpr, tpr, _ = metrics.roc_curve(is_event, p_event, sample_weight=weight)
    return fpr, tpr
