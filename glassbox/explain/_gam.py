"""GAM views: the model as text and as a frame, terms as InterpretML's ``univariate`` /
``interaction`` dicts, rows as additive accounts (intercept + one contribution per term, summing
to the raw output).

The dicts follow InterpretML's EBM explanation: a continuous term's ``names`` are the bin edges
(one more than ``scores``), a categorical term's are its level labels, a pair's ``left_names`` /
``right_names`` label the heatmap's rows and columns, and ``upper_bounds`` / ``lower_bounds`` are
the scores plus and minus one standard error across outer bags. glassbox adds the missing bin
(``missing``), which InterpretML leaves out, so no score the model uses is hidden.
"""

from dataclasses import replace

import numpy as np
import pandas as pd

from glassbox._base import event_class, event_sign, py_scalar
from glassbox.binning import format_threshold
from glassbox.explain._common import fmt, local_selector, meta, perf_records, row_headline, row_index, value_table


def link_text(model):
    """What the raw score is: ``log-odds of class 'yes'``, ``mean``, ``log of the mean``..."""
    link = model.loss_.link
    if link == "logit":
        return f"log-odds of class {py_scalar(event_class(model)[1])!r}"
    if link == "softmax":
        return "logit of each class (softmax)"
    return {"identity": "mean", "log": "log of the mean"}[link]


def event_terms(model):
    """``(intercept, terms)`` on the scale every view shows: a binary classifier's log-odds of its
    event (``pos_label``). When the event is ``classes_[0]``, every score is the fitted one with its
    sign changed (the fitted tables are the log-odds of ``classes_[1]``, scikit-learn's convention);
    otherwise the fitted intercept and terms themselves."""
    sign = event_sign(model)
    if sign > 0:
        return model.intercept_, model.terms_
    return -model.intercept_, [replace(t, scores=-t.scores) for t in model.terms_]


def _classes(model):
    """The class labels of a multiclass model (one score per class), else None."""
    return getattr(model, "classes_", None) if np.ndim(model.intercept_) else None


def text(model):
    """The model as text: the intercept, then every term's table."""
    intercept, terms = event_terms(model)
    return terms_text(type(model).__name__, link_text(model), intercept, terms, _classes(model))


def frame(model):
    """The fitted tables as a DataFrame: one row per term, bin (or cell) and class."""
    classes = _classes(model)
    return pd.concat([term_frame(t, classes) for t in event_terms(model)[1]], ignore_index=True)


def local_frame(model, X, y=None):
    """Each row's exact additive account: the intercept and every term's contribution (what
    ``explain_local(X, y).to_frame()`` shows; ``y`` is not shown, as it would not add up).

    One row per sample, columns ``intercept`` then each term's name; each row sums to the row's
    raw score (``decision_function`` of a classifier, ``predict_raw`` of a regressor), or to its
    negative for a binary classifier whose event (``pos_label``) is ``classes_[0]``: the log-odds
    of the event.
    Multiclass: the columns are a MultiIndex ``(class, intercept | term)`` and each class's block
    sums to that class's raw score.
    """
    sign = event_sign(model)
    contributions = model.eval_terms(X) * sign
    intercept = model.intercept_ * sign
    names = ["intercept"] + [t.name for t in model.terms_]
    n = contributions.shape[0]
    index = getattr(X, "index", None)
    if np.ndim(intercept) == 0:
        return pd.DataFrame(np.column_stack([np.full(n, intercept), contributions]), columns=names, index=index)
    blocks, columns = [], []
    for k, label in enumerate(model.classes_):
        blocks += [np.full(n, intercept[k]), contributions[:, :, k]]
        columns += [(label, name) for name in names]
    return pd.DataFrame(np.column_stack(blocks), columns=pd.MultiIndex.from_tuples(columns), index=index)


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
    intercept, terms = event_terms(model)
    importances = [t.importance() for t in terms]
    overall = {"type": "univariate", "names": [t.name for t in terms], "scores": importances,
               "intercept": _value(np.asarray(intercept)), "link": link_text(model), **meta(model)}
    selector = pd.DataFrame({
        "Name": [t.name for t in terms],
        "Type": [term_kind(t) for t in terms],
        "# Bins": [np.nan if t.is_pair else t.bins[0].n_bins for t in terms],
        "% Non-zero": np.nan,
        "Importance": importances,
    })
    from glassbox.explain import _interpret, _plots

    return dict(overall=overall, specific=[term_data(t, model) for t in terms], selector=selector,
                frame=frame(model), text=text(model), render=_interpret.render_gam,
                draw=_plots.draw_gam_global)


def local_parts(model, X, y):
    account = local_frame(model, X, y)
    perf = perf_records(model, X, y)
    names = [t.name for t in model.terms_]
    classes = getattr(model, "classes_", None)
    multiclass = np.ndim(model.intercept_) > 0
    if multiclass:
        intercept = np.asarray(model.intercept_, dtype=np.float64)
        blocks = [account[label].to_numpy() for label in classes]  # each (n, 1 + n_terms)
        contributions = np.stack(blocks, axis=-1)                    # (n, 1 + n_terms, K)
    else:
        intercept = float(model.intercept_ * event_sign(model))
        contributions = account.to_numpy()
    table = value_table(X)
    specific = []
    for i in range(len(account)):
        row = contributions[i, 1:]
        values = ["" if t.is_pair else py_scalar(table.iloc[i, t.features[0]]) for t in model.terms_]
        specific.append({
            "type": "univariate", "names": list(names),
            "scores": [np.array(v) for v in row] if multiclass else [float(v) for v in row],
            "values": values,
            "extra": {"names": ["Intercept"], "scores": [intercept.copy() if multiclass else intercept],
                      "values": [1]},
            "raw": _value(_raw(contributions[i])),
            "link": link_text(model),
            "perf": perf[i],
            **meta(model),
        })
    from glassbox.explain import _interpret, _plots

    return dict(overall=None, specific=specific, selector=local_selector(perf, row_index(X)), frame=account,
                text=_local_text(model, account.index, specific, classes), render=_interpret.render_gam,
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


# --- the model as text and as a frame ------------------------------------------------------


def _number(value):
    return format_threshold(round(float(value), 6)) if value != 0 else "0"


def term_frame(term, classes):
    """One row per code (main effect) or cell (pair), and per class when ``classes`` is given."""
    grid = term.shape
    cells = np.indices(grid).reshape(len(grid), -1)          # (n_axes, n_cells), row-major order
    # Each code's label once (a pair has 66 x 66 cells but only 66 + 66 labels to format).
    labels = [np.array([bins.bin_label(c) for c in range(n)], dtype=object)[axis]
              for bins, n, axis in zip(term.bins, grid, cells)]
    n_cells = cells.shape[1]
    base = {
        "term": np.full(n_cells, term.name, dtype=object),
        "feature": np.full(n_cells, term.names[0], dtype=object),
        "bin": labels[0],
        "feature_2": np.full(n_cells, term.names[1] if term.is_pair else None, dtype=object),
        "bin_2": labels[1] if term.is_pair else np.full(n_cells, None, dtype=object),
        "weight": np.asarray(term.bin_weights, dtype=np.float64).reshape(-1),
    }
    scores = np.asarray(term.scores, dtype=np.float64)
    errors = np.asarray(term.standard_errors, dtype=np.float64)
    if classes is None:
        return pd.DataFrame({**base, "score": scores.reshape(-1), "standard_error": errors.reshape(-1)})
    # Per class within each cell, as the rows were always ordered: cell-major, then class.
    k = len(classes)
    columns = {name: np.repeat(values, k) for name, values in base.items()}
    columns["class"] = np.tile(np.asarray(classes), n_cells)
    columns["score"] = scores.reshape(n_cells * k)
    columns["standard_error"] = errors.reshape(n_cells * k)
    order = ["term", "feature", "bin", "feature_2", "bin_2", "weight", "class", "score", "standard_error"]
    return pd.DataFrame({name: columns[name] for name in order})


def terms_text(model_name, link, intercept, terms, classes):
    """The whole model as text, every score of every table, with runs of neighbouring bins that
    print the same value merged into one range (``(7.74, 10.3]`` rather than twenty lines).

    Missing and unseen codes are listed only where training had missing values (elsewhere they
    score 0: the term's average effect). Pairs print each range of the first feature with the
    runs of the second, and merge neighbouring ranges of the first whose runs print the same.
    """
    lines = [f"{model_name}: {link} = intercept + {len(terms)} terms"]
    if classes is None:
        lines.append(f"intercept: {_number(intercept)}")
    else:
        lines.append("intercept: " + ", ".join(f"{c!r}: {_number(v)}" for c, v in zip(classes, intercept)))
    for term in terms:
        lines.append("")
        lines.append(f"{term.name}  (importance {_number(term.importance())})")
        if term.is_pair:
            lines += _pair_lines(term, classes)
        else:
            bins = term.bins[0]
            values = [_value_text(term, (c,), classes) for c in _shown_codes(term, 0)]
            for label, value in _merged(bins, _shown_codes(term, 0), values):
                lines.append(f"  {label:<32} {value}")
    return "\n".join(lines)


def _value_text(term, cell, classes):
    if classes is None:
        return f"{_number(term.scores[cell])} ± {_number(term.standard_errors[cell])}"
    return ", ".join(f"{c!r}: {_number(term.scores[cell + (k,)])}" for k, c in enumerate(classes))


def _shown_codes(term, axis):
    """Value codes, plus the missing code where training had missing values on this axis."""
    bins = term.bins[axis]
    weight = term.bin_weights.sum(axis=1 - axis) if term.is_pair else term.bin_weights
    codes = list(range(bins.n_bins))
    if weight[bins.missing_code] > 0:
        codes.append(bins.missing_code)
    return codes


def _merged(bins, codes, values):
    """``(label, value)`` per run of neighbouring continuous value bins with equal ``values``;
    categorical levels and the missing code stand alone."""
    out, i = [], 0
    while i < len(codes):
        j = i
        if not bins.is_categorical and codes[i] < bins.n_bins:
            while j + 1 < len(codes) and codes[j + 1] < bins.n_bins and values[j + 1] == values[i]:
                j += 1
        out.append((_range_label(bins, codes[i], codes[j]), values[i]))
        i = j + 1
    return out


def _range_label(bins, first, last):
    if first == last:
        return bins.bin_label(first)
    t = bins.thresholds
    if first == 0 and last == bins.n_bins - 1:
        return "any value"
    if first == 0:
        return f"<= {format_threshold(t[last])}"
    if last == bins.n_bins - 1:
        return f"> {format_threshold(t[first - 1])}"
    return f"({format_threshold(t[first - 1])}, {format_threshold(t[last])}]"


def _pair_lines(term, classes):
    a, b = term.bins
    codes_a, codes_b = _shown_codes(term, 0), _shown_codes(term, 1)
    # Each code of the first feature as its merged runs over the second; then neighbouring codes
    # of the first whose runs print the same are merged too.
    runs = [tuple(_merged(b, codes_b, [_value_text(term, (i, j), classes) for j in codes_b])) for i in codes_a]
    lines = []
    for label_a, row in _merged(a, codes_a, runs):
        for label_b, value in row:
            label = f"{a.name} {label_a} & {b.name} {label_b}"
            lines.append(f"  {label:<32} {value}")
    return lines


# --- reason codes ------------------------------------------------------------------------------


def reason_gaps(model, codes, column, reference):
    """``(gaps, reference_of, unit)``: each row's additive gap per feature against ``reference``
    ("best" bin or training "mean"; pairs shared by Shapley values, explain/_reasons.py), what a
    feature's best-reference gap is measured against (``reference_of(i, j)``: its main effect's
    best bins and its pair terms' best cells), and the gaps' unit.
    ``column`` is the class the reasons are toward: a multiclass model's logit of it, a binary
    model's log-odds of it (the fitted scores, negated for ``classes_[0]``); None for a regressor."""
    from glassbox.explain._reasons import best_position, reference_text

    n, n_features = codes.shape
    gaps = np.zeros((n, n_features))
    best = {}
    n_pairs = np.zeros(n_features, dtype=np.intp)  # pair terms each feature's gap also holds a share of
    multiclass = np.ndim(model.intercept_) > 0
    for term in model.terms_:
        scores = term.scores[..., column] if multiclass else -term.scores if column == 0 else term.scores
        cells = term.cells(codes)
        # The best reference: the weighted lower quantile over the bins (cells), explain/_reasons.py.
        pick = best_position(scores.reshape(-1), term.bin_weights.reshape(-1)) if reference == "best" else None
        if not term.is_pair:
            j = term.features[0]
            if reference == "best":
                gaps[:, j] += scores[cells] - scores[pick]
                # A main effect's table is over the feature's own codes.
                no_worse = np.flatnonzero((term.bin_weights > 0) & (scores <= scores[pick]))
                best[j] = reference_text(j, term.bins[0], no_worse, int(pick))
            else:
                gaps[:, j] += scores[cells]
            continue
        a, b = cells
        if reference == "best":
            ra, rb = np.unravel_index(pick, scores.shape)
            origin = scores[ra, rb]
            alone_a, alone_b, both = scores[a, rb] - origin, scores[ra, b] - origin, scores[a, b] - origin
        else:  # the training mean (0): each feature alone averages the other over its marginal
            w = term.bin_weights
            alone_a = scores[a, :] @ (w.sum(axis=0) / w.sum())
            alone_b = (w.sum(axis=1) / w.sum()) @ scores[:, b]
            both = scores[a, b]
        # Two players' Shapley values: each the average of its marginal gain in either order.
        gaps[:, term.features[0]] += 0.5 * (alone_a + (both - alone_b))
        gaps[:, term.features[1]] += 0.5 * (alone_b + (both - alone_a))
        n_pairs[list(term.features)] += 1
    if column is None:
        unit = "the " + link_text(model)
    else:
        unit = f"the {'logit' if multiclass else 'log-odds'} of class {py_scalar(model.classes_[column])!r}"

    def reference_of(i, j):
        # Everything the gap is measured against: the main effect's best bins, and the best cell of
        # each pair term the feature shares (its Shapley share there).
        pairs = (f"the best cells of its {n_pairs[j]} pair term{'s' if n_pairs[j] > 1 else ''}"
                 if n_pairs[j] else None)
        if j in best:
            return best[j] + (f" (and {pairs})" if pairs else "")
        return pairs

    return gaps, reference_of, unit
