"""Reason codes: per row, the features that pushed the prediction most toward the event.

Lenders must tell a declined applicant the principal reasons; clinicians and customers ask the
same of any score. A reason here is a feature and its *gap*: how much of the row's score toward
the event that feature accounts for, measured against a documented reference. Both definitions
are exact functions of the fitted structure:

The *best* reference is the least event-prone score that at least ``BEST_SHARE`` (5%) of the
training weight reaches: US adverse-action practice measures "points lost against the maximum",
and a GAM's most extreme bin often holds a handful of rows whose score is noise (on HELOC, 6 rows
with at most 6% of trades never delinquent scored as the safest bin), which would then explain
every decline. Counting bins from the best score up until 5% of the training weight is covered
keeps the reference where applicants really are.

- **GAMs (additive).** A main effect's gap is its score at the row's bin minus its reference
  score: the best (above) or the training *mean* (0: tables are centred). A pair term's gap is
  shared between its two features by their Shapley values against the pair's own reference (the
  best cell by the same rule, or the training mean with each feature's marginal average), so it
  is split exactly, symmetrically and without an arbitrary order. A row's gaps over all features
  add up to its raw score toward the event minus the reference's:
  ``sum(gaps) = raw(x) - (intercept + sum of each term's reference score)``.
- **Rule lists and trees (what-if).** A feature's gap is the row's prediction minus the
  prediction with that feature alone set to its reference: the best over the feature's bins
  (each weighted by its training rows, by the same rule), or their training-weighted average
  (mean). Predictions are constant within a bin, so trying every bin training rows fell in is
  exact. Features the structure never reads have gap 0.

Only features with a positive gap are reasons; they are ranked by gap, largest first.
"""

import functools

import numpy as np
import pandas as pd

from glassbox._base import as_table, event_class, py_scalar, same_label
from glassbox._dask import is_dask
from glassbox.explain._common import fmt, row_index, value_table
from glassbox.rules import Condition

REFERENCES = ("best", "mean")
# The best reference is reached by at least this share of the training weight (module docstring).
BEST_SHARE = 0.05


def best_position(values, weights):
    """Index along the last axis of the best (lowest) value that, counting up from the lowest,
    brings the covered training weight to ``BEST_SHARE``: the weighted lower quantile. Ties keep
    their order, so the first of equal values is the one reported."""
    order = np.argsort(values, axis=-1, kind="stable")
    covered = np.cumsum(np.take_along_axis(np.broadcast_to(weights, values.shape), order, axis=-1), axis=-1)
    reach = np.argmax(covered >= BEST_SHARE * covered[..., -1:], axis=-1)
    return np.take_along_axis(order, reach[..., None], axis=-1)[..., 0]


def reason_codes(model, X, n=4, reference="best", event=None):
    """The ``n`` principal reasons of each row's prediction (see the module docstring).

    Returns a DataFrame with one row per (sample, rank): ``feature``, ``value`` (as given),
    ``bin`` (the bin the value falls in), ``gap`` (in ``frame.attrs["unit"]``), ``reference``
    (what the gap is measured against: the best bins as a condition, with a GAM feature's pair
    terms' best cells named too; or "the training average") and ``text``, the sentence a letter
    or a screen can show.
    """
    from glassbox.explain._api import shown

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer (reasons per row), got {n!r}.")
    if reference not in REFERENCES:
        raise ValueError(f"reference must be one of {list(REFERENCES)}, got {reference!r}.")
    inspected, adapter = shown(model)
    column, label = _event_column(inspected, event)
    if is_dask(X):
        return _reason_codes_dask(model, inspected, X, n, reference, event)
    table = as_table(X)
    codes = inspected.binner_.transform(table)
    values = value_table(table)
    gaps, reference_of, unit = adapter.reason_gaps(inspected, codes, column, reference)
    features = inspected.binner_.features_
    index = row_index(table)
    records, keys = [], []
    for i in range(codes.shape[0]):
        order = np.argsort(-gaps[i], kind="stable")
        ranked = [j for j in order if gaps[i, j] > 0][:n]
        for rank, j in enumerate(ranked, start=1):
            f = features[j]
            value = py_scalar(values.iloc[i, j])
            against = reference_of(i, j) if reference == "best" else "the training average"
            keys.append((index[i], rank))
            records.append({
                "feature": f.name, "value": value, "bin": f.bin_label(codes[i, j]), "gap": float(gaps[i, j]),
                "reference": against,
                "text": f"{f.name} = {fmt(value)} adds {gaps[i, j]:.3g} to {unit} against {against}",
            })
    rows, ranks = zip(*keys) if keys else ((), ())
    # The same dtypes whatever the rows (values of any type, no reason at all): blocks of rows
    # scored apart (on Dask) make one frame.
    out = pd.DataFrame(records, columns=COLUMNS,
                       index=pd.MultiIndex.from_arrays([index[:0].append(pd.Index(rows)) if rows else index[:0],
                                                        np.asarray(ranks, dtype=np.int64)], names=["row", "rank"]))
    out = out.astype({**{c: object for c in COLUMNS}, "gap": np.float64})
    out.attrs.update({"unit": unit, "reference": reference, "event": py_scalar(label)})
    return out


COLUMNS = ["feature", "value", "bin", "gap", "reference", "text"]


def _reason_codes_dask(model, inspected, X, n, reference, event):
    """:func:`reason_codes` of a Dask collection: a lazy Dask DataFrame, block by block (each
    row's reasons depend on that row alone), indexed by (row, rank) as in memory (an Array's rows
    by position)."""
    from glassbox._dask import check_columns, map_frames, missing_row, row_blocks

    X = row_blocks(X)
    meta = reason_codes(model, missing_row(model), n=n, reference=reference, event=event).iloc[:0]
    check_columns(inspected, X)
    return map_frames(functools.partial(_block_reasons, model, n, reference, event), X, meta=meta, rows_level=0)


def _block_reasons(model, n, reference, event, block, _target):
    return reason_codes(model, block, n=n, reference=reference, event=event)


def reference_text(feature, bins, tied, pick):
    """The reference bin(s) as a condition: ``score > 735.4``, ``region in {'e', 'w'}``,
    ``util is missing``. ``pick`` is the reference bin, ``tied`` the bins scoring no worse; a
    continuous feature shows the run of such neighbouring bins around ``pick``, a categorical one
    every such level."""
    tied = set(int(c) for c in tied) | {int(pick)}
    if bins.is_categorical:
        codes = sorted(tied)
    elif pick >= bins.n_bins:  # the missing bin
        codes = [pick]
    else:
        first, last = pick, pick
        while first - 1 in tied:
            first -= 1
        while last + 1 in tied and last + 1 < bins.n_bins:
            last += 1
        codes = list(range(first, last + 1))
    return Condition(feature, tuple(codes), bins).to_text()


def _event_column(model, event):
    """``(column, label)``: which output column is "toward the event" (None for a single raw
    score), and the event's label (None for a regressor: toward a higher prediction)."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        if event is not None:
            raise ValueError("event names a class; a regressor's reasons are toward a higher prediction.")
        return None, None
    if event is None:
        k, label = event_class(model)
        if k is None:
            raise ValueError(
                f"a multiclass model has no single event: name the class the reasons are toward, event=... "
                f"(one of {[py_scalar(c) for c in classes]})."
            )
        return k, label
    matches = [k for k, c in enumerate(classes) if same_label(event, c)]
    if not matches:
        raise ValueError(f"event={py_scalar(event)!r} is not a class; the classes are {[py_scalar(c) for c in classes]}.")
    return matches[0], classes[matches[0]]


def what_if_gaps(model, predict, used, codes, column, reference):
    """``(gaps, reference_of, unit)`` of a structure with piecewise-constant predictions (rules,
    trees): ``predict(codes)`` is the (n, n_outputs) prediction of binned rows, ``used`` the
    features it reads; ``reference_of(i, j)`` says which bins row i's gap on feature j is
    measured against ("best" reference)."""
    features = model.binner_.features_
    column = 0 if column is None else column
    n, n_features = codes.shape
    gaps = np.zeros((n, n_features))
    now = predict(codes)[:, column]
    tried = {}
    for j in used:
        seen = np.flatnonzero(features[j].counts > 0)  # codes of training rows: values, and missing if any
        outcomes = np.empty((n, len(seen)))
        changed = codes.copy(order="F")
        for m, code in enumerate(seen):
            changed[:, j] = code
            outcomes[:, m] = predict(changed)[:, column]
        w = features[j].counts[seen].astype(np.float64)
        if reference == "best":
            pick = best_position(outcomes, w)
            gaps[:, j] = now - outcomes[np.arange(n), pick]
            tried[j] = seen, outcomes, pick
        else:
            gaps[:, j] = now - outcomes @ (w / w.sum())

    def reference_of(i, j):
        seen, outcomes, pick = tried[j]
        row = outcomes[i]
        return reference_text(j, features[j], seen[row <= row[pick[i]]], int(seen[pick[i]]))

    classes = getattr(model, "classes_", None)
    unit = "the prediction" if classes is None else f"the probability of {py_scalar(classes[column])!r}"
    return gaps, reference_of, unit
