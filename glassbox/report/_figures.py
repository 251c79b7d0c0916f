"""The validation's figures: ROC curves and reliability plots, as bare matplotlib Figures (no
pyplot, nothing to close), drawn from a :class:`~glassbox.report.Validation`'s numbers only."""

import numpy as np

from glassbox._base import py_scalar
from glassbox.report._html import NotAvailable

_SIZE = (5.2, 4.4)
_DIAGONAL = dict(color="#9aa3b5", linestyle="--", linewidth=1)


def _figure():
    from matplotlib.figure import Figure

    return Figure(figsize=_SIZE, layout="constrained")


def roc_figure(validation):
    """The ROC curve of the event (binary) or of each class against the rest (multiclass), with
    the binary KS statistic drawn where it occurs: KS is the largest gap between the curve and
    the diagonal (true positive rate minus false positive rate)."""
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], **_DIAGONAL, label="no discrimination")
    for label, (fpr, tpr) in validation.roc.items():
        auc = validation.metrics.get("AUC" if validation.task == "binary" else f"AUC {label} vs rest")
        name = (f"event {py_scalar(label)!r}" if validation.task == "binary" else f"{label} vs rest")
        ax.plot(fpr, tpr, linewidth=1.8, label=f"{name}: AUC {_num(auc)}")
        if validation.task == "binary":
            k = int(np.argmax(tpr - fpr))
            ax.plot([fpr[k], fpr[k]], [fpr[k], tpr[k]], color="#c0392b", linewidth=1.5,
                    label=f"KS {_num(validation.metrics['KS'])}")
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="false positive rate", ylabel="true positive rate",
           title="ROC curve" + ("" if validation.task == "binary" else "s (one vs rest)"))
    ax.set_aspect("equal")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def reliability_figure(validation):
    """Mean observed against mean predicted in each calibration band (deciles of the prediction):
    points on the diagonal are calibrated, above it the model under-predicts."""
    fig = _figure()
    ax = fig.add_subplot()
    tables = validation.calibration
    lo = min(min(t["mean predicted"].min(), _observed(t).min()) for t in tables.values())
    hi = max(max(t["mean predicted"].max(), _observed(t).max()) for t in tables.values())
    if validation.task != "regression":
        lo, hi = 0.0, max(hi, 1e-9)
    pad = 0.03 * (hi - lo or 1.0)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], **_DIAGONAL, label="calibrated")
    for name, table in tables.items():
        label = (f"{name} vs rest" if validation.task == "multiclass" else "bands of the prediction")
        ax.plot(table["mean predicted"], _observed(table), marker="o", markersize=4, linewidth=1.4, label=label)
    what = "event rate" if validation.task == "binary" else ("class rate" if validation.task == "multiclass"
                                                            else "mean observed")
    ax.set(xlabel="mean predicted", ylabel=f"observed {what}" if validation.task != "regression" else what,
           title="Reliability (deciles of the prediction)")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def _observed(table):
    return table["observed rate"] if "observed rate" in table else table["mean observed"]


def _num(value):
    return str(value) if isinstance(value, NotAvailable) else f"{value:.3f}"
