"""GAM explanations: terms as InterpretML's ``univariate`` / ``interaction`` dicts, rows as
additive accounts (intercept + one contribution per term, summing to the raw output).

The dicts follow InterpretML's EBM explanation: a continuous term's ``names`` are the bin edges
(one more than ``scores``), a categorical term's are its level labels, a pair's ``left_names`` /
``right_names`` label the heatmap's rows and columns, and ``upper_bounds`` / ``lower_bounds`` are
the scores plus and minus one standard error across outer bags. glassbox adds the missing bin
(``missing``), which InterpretML leaves out, so no score the model uses is hidden.
"""

import numpy as np
import pandas as pd

from glassbox._base import py_scalar
from glassbox.explain._explanation import (
    fmt, local_selector, meta, perf_records, row_headline, row_index,
)

FITTED = "terms_"


def estimators():
    from glassbox.gam._gam import _BaseGAM

    return _BaseGAM


def term_kind(term):
    if term.is_pair:
        return "interaction"
    return "categorical" if term.bins[0].is_categorical else "continuous"


def display_edges(bins):
    """A continuous feature's bin edges for drawing: its thresholds, with the two unbounded end
    bins given a width (the model keeps no min or max; these outer edges are display only)."""
    t = np.asarray(bins.thresholds, dtype=np.float64)
    if len(t) == 0:
        return [0.0, 1.0]
    if len(t) == 1:
        pad = max(abs(t[0]) * 0.1, 1.0)
    else:
        pad = max(float(np.median(np.diff(t))), (t[-1] - t[0]) * 0.05)
    return [float(t[0] - pad)] + [float(v) for v in t] + [float(t[-1] + pad)]


def value_labels(bins):
    """Labels of a feature's value bins: levels as they are (``red``), intervals as ``(1, 2]``."""
    if not bins.is_categorical:
        return [bins.bin_label(c) for c in range(bins.n_bins)]
    return [str(bins.levels[c]) if c < len(bins.levels) else bins.bin_label(c) for c in range(bins.n_bins)]


def term_data(term, model):
    """One term's InterpretML data dict (see the module docstring)."""
    kind = term_kind(term)
    scores, errors, weights = term.scores, term.standard_errors, term.bin_weights
    if kind == "interaction":
        rows = [_axis_codes(term, axis) for axis in (0, 1)]
        cells = np.ix_(*rows)
        labels = [_code_labels(b, codes) for b, codes in zip(term.bins, rows)]
        return {
            "type": "interaction", "feature_type": kind, "term": term.name, "features": list(term.names),
            "left_names": labels[0], "right_names": labels[1],
            "scores": scores[cells].copy(),
            "upper_bounds": scores[cells] + errors[cells], "lower_bounds": scores[cells] - errors[cells],
            "bin_weights": weights[cells].copy(),
            **meta(model),
        }
    bins = term.bins[0]
    values = slice(0, bins.n_bins)
    names = display_edges(bins) if kind == "continuous" else value_labels(bins)
    miss = bins.missing_code
    missing = None
    if weights[miss] > 0:  # a missing bin never seen in training scores 0 and is not shown
        missing = {"score": _value(scores[miss]), "upper_bound": _value(scores[miss] + errors[miss]),
                   "lower_bound": _value(scores[miss] - errors[miss]), "weight": float(weights[miss])}
    return {
        "type": "univariate", "feature_type": kind, "term": term.name, "features": [bins.name],
        "names": names, "bin_labels": value_labels(bins),
        "scores": scores[values].copy(),
        "upper_bounds": scores[values] + errors[values], "lower_bounds": scores[values] - errors[values],
        "density": {"names": names, "scores": weights[values].copy()},
        "missing": missing,
        **meta(model),
    }


def _axis_codes(term, axis):
    """A pair axis's value codes, and its missing code when training rows had it."""
    bins = term.bins[axis]
    other = tuple(a for a in range(term.bin_weights.ndim) if a != axis)
    has_missing = term.bin_weights.sum(axis=other)[bins.missing_code] > 0
    return list(range(bins.n_bins)) + ([bins.missing_code] if has_missing else [])


def _code_labels(bins, codes):
    names = value_labels(bins)  # once per axis, not once per code
    return ["missing" if code == bins.missing_code else names[code] for code in codes]


def _value(x):
    return x.tolist() if isinstance(x, np.ndarray) else float(x)


def global_parts(model):
    terms = model.terms_
    importances = [t.importance() for t in terms]
    overall = {"type": "univariate", "names": [t.name for t in terms], "scores": importances,
               "intercept": _value(np.asarray(model.intercept_)), "link": model._link_text(), **meta(model)}
    selector = pd.DataFrame({
        "Name": [t.name for t in terms],
        "Type": [term_kind(t) for t in terms],
        "# Bins": [np.nan if t.is_pair else t.bins[0].n_bins for t in terms],
        "% Non-zero": np.nan,
        "Importance": importances,
    })
    from glassbox.explain import _interpret, _plots

    return dict(overall=overall, specific=[term_data(t, model) for t in terms], selector=selector,
                frame=model.to_frame(), text=model.to_text(), render=_interpret.render_gam,
                draw=_plots.draw_gam_global)


def local_parts(model, X, y):
    frame = model._local_frame(X)
    perf = perf_records(model, X, y)
    names = [t.name for t in model.terms_]
    classes = getattr(model, "classes_", None)
    multiclass = np.ndim(model.intercept_) > 0
    if multiclass:
        intercept = np.asarray(model.intercept_, dtype=np.float64)
        blocks = [frame[label].to_numpy() for label in classes]  # each (n, 1 + n_terms)
        contributions = np.stack(blocks, axis=-1)                  # (n, 1 + n_terms, K)
    else:
        intercept = float(model.intercept_)
        contributions = frame.to_numpy()
    table = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    specific = []
    for i in range(len(frame)):
        row = contributions[i, 1:]
        values = ["" if t.is_pair else py_scalar(table.iloc[i, t.features[0]]) for t in model.terms_]
        specific.append({
            "type": "univariate", "names": list(names),
            "scores": [np.array(v) for v in row] if multiclass else [float(v) for v in row],
            "values": values,
            "extra": {"names": ["Intercept"], "scores": [intercept.copy() if multiclass else intercept],
                      "values": [1]},
            "raw": _value(_raw(contributions[i])),
            "link": model._link_text(),
            "perf": perf[i],
            **meta(model),
        })
    from glassbox.explain import _interpret, _plots

    return dict(overall=None, specific=specific, selector=local_selector(perf, row_index(X)), frame=frame,
                text=_local_text(model, frame.index, specific, classes), render=_interpret.render_gam,
                draw=_plots.draw_local)


def _raw(account):
    """Intercept plus contributions, added in the model's own order (so the sum is its raw output
    to the last bit)."""
    total = account[0]
    for part in account[1:]:
        total = total + part
    return total


def _local_text(model, index, specific, classes):
    lines = []
    for label, d in zip(index, specific):
        perf = d["perf"]
        k = perf["predicted"] if np.ndim(model.intercept_) else None
        lines.append(row_headline(label, perf))
        scale = d["link"] if k is None else f"logit of class {py_scalar(classes[k])!r}"
        pick = (lambda v: float(v)) if k is None else (lambda v: float(v[k]))
        lines.append(f"  {'intercept':<32} {pick(d['extra']['scores'][0]):+.6g}")
        for term, score, value in zip(model.terms_, d["scores"], d["values"]):
            shown = term.name if term.is_pair else f"{term.name} = {fmt(value)}"
            lines.append(f"  {shown:<32} {pick(score):+.6g}")
        raw = d["raw"] if k is None else d["raw"][k]
        lines.append(f"  {'= ' + scale:<32} {raw:.6g}")
    return "\n".join(lines)
