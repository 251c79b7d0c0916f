"""Text and DataFrame views of fitted GAM terms (what ``to_text`` and ``to_frame`` show)."""

import numpy as np
import pandas as pd

from glassbox.binning import format_threshold


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
