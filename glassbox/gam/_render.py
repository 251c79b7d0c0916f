"""Text and DataFrame views of fitted GAM terms (what ``to_text`` and ``to_frame`` show)."""

import numpy as np
import pandas as pd

from glassbox.binning import format_threshold


def _number(value):
    return format_threshold(round(float(value), 6)) if value != 0 else "0"


def term_frame(term, classes):
    """One row per code (main effect) or cell (pair), and per class when ``classes`` is given."""
    grid = term.shape
    index = np.indices(grid).reshape(len(grid), -1).T
    rows = []
    for cell in index:
        cell = tuple(int(c) for c in cell)
        labels = [b.bin_label(c) for b, c in zip(term.bins, cell)]
        base = {
            "term": term.name,
            "feature": term.names[0],
            "bin": labels[0],
            "feature_2": term.names[1] if term.is_pair else None,
            "bin_2": labels[1] if term.is_pair else None,
            "weight": float(term.bin_weights[cell]),
        }
        if classes is None:
            rows.append({**base, "score": float(term.scores[cell]),
                         "standard_error": float(term.standard_errors[cell])})
        else:
            for k, label in enumerate(classes):
                rows.append({**base, "class": label, "score": float(term.scores[cell + (k,)]),
                             "standard_error": float(term.standard_errors[cell + (k,)])})
    return pd.DataFrame(rows)


def terms_text(model_name, link, intercept, terms, classes):
    """The whole model as text; pair tables list only cells with training rows."""
    lines = [f"{model_name}: {link} = intercept + {len(terms)} terms"]
    if classes is None:
        lines.append(f"intercept: {_number(intercept)}")
    else:
        lines.append("intercept: " + ", ".join(f"{c!r}: {_number(v)}" for c, v in zip(classes, intercept)))
    for term in terms:
        lines.append("")
        lines.append(f"{term.name}  (importance {_number(term.importance())})")
        grid = term.shape
        for cell in np.ndindex(*grid):
            if term.is_pair and term.bin_weights[cell] == 0:
                continue
            if not term.is_pair and term.bin_weights[cell] == 0 and cell[0] >= term.bins[0].n_bins:
                continue  # missing / unseen codes never seen in training score 0
            label = " & ".join(f"{b.name} {b.bin_label(c)}" if term.is_pair else b.bin_label(c)
                               for b, c in zip(term.bins, cell))
            if classes is None:
                value = f"{_number(term.scores[cell])} ± {_number(term.standard_errors[cell])}"
            else:
                value = ", ".join(f"{c!r}: {_number(term.scores[cell + (k,)])}" for k, c in enumerate(classes))
            lines.append(f"  {label:<32} {value}")
    return "\n".join(lines)
