"""The hold-out data a validation is computed on, checked once at the boundary.

Everything a user can get wrong is refused here with a message saying what and what to do: no
rows, columns the model needs that the table lacks, a target with missing values or with labels
the model never saw, weights of the wrong length or sign, a segment column that is not there.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from glassbox._base import py_scalar
from glassbox.report._metrics import quantile_bands

# A categorical segment shows at most this many groups; rarer levels are pooled as "other".
MAX_SEGMENT_GROUPS = 20
# A numeric segment with more distinct values than this is cut into quantile bands ...
MAX_SEGMENT_VALUES = 10
# ... this many, of about equal row count.
SEGMENT_BANDS = 5
# The group of rows whose segment value is missing (parenthesised: unlike a level's name).
MISSING_GROUP = "(missing)"


@dataclass(frozen=True)
class HoldOut:
    """Rows to validate one model on: its feature columns, the target, weights and segments."""

    X: object          # what the model's predict takes: its own columns, in its order
    y: np.ndarray      # classifiers: labels as the model's classes_ spell them; regressors: float64
    weight: np.ndarray  # ones when no weights were given
    weighted: bool
    segments: dict     # segment name -> pandas Series of the raw values, one per row


def holdout(model, X, y, sample_weight=None, segments=None):
    """Check the hold-out against ``model`` and return a :class:`HoldOut`."""
    if X is None or y is None:
        raise ValueError("a validation needs both the hold-out rows X and their target y")
    n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_rows == 0:
        raise ValueError("the hold-out has no rows; give the rows the model was not fitted on")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n_rows:
        raise ValueError(f"the target y must be one value per row of X: X has {n_rows} rows, y has shape {y.shape}")
    X_model = _model_columns(model, X)
    y = _classes(model, y) if hasattr(model, "classes_") else _numeric_target(y)
    weight = np.ones(n_rows) if sample_weight is None else _weights(sample_weight, n_rows)
    return HoldOut(X_model, y, weight, sample_weight is not None, _segments(segments, X, n_rows))


def _model_columns(model, X):
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        if X.shape[1] != model.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} columns, but the model was fitted on {model.n_features_in_} "
                             "unnamed columns")
        return X
    if not isinstance(X, pd.DataFrame):
        raise ValueError("the model was fitted on named columns; give the hold-out as a DataFrame with the columns "
                         f"{', '.join(map(repr, map(str, names)))}")
    missing = [str(n) for n in names if n not in X.columns]
    if missing:
        raise ValueError(f"the hold-out lacks column{'s' if len(missing) > 1 else ''} the model needs: "
                         f"{', '.join(map(repr, missing))}; its columns are {', '.join(map(str, X.columns))}")
    return X[list(names)]  # extra columns (ids, segments) stay out of the model's way


def _classes(model, y):
    if pd.isna(y).any():
        raise ValueError(f"the target y is missing in {int(pd.isna(y).sum())} rows; drop those rows first")
    classes = model.classes_
    code = pd.Index(classes).get_indexer(y)
    if (code < 0).any():
        unseen = pd.unique(y[code < 0])
        shown = ", ".join(repr(py_scalar(v)) for v in unseen[:5]) + (f" and {len(unseen) - 5} more" if len(unseen) > 5
                                                                     else "")
        raise ValueError(
            f"the target y holds labels the model never saw: {shown} ({int((code < 0).sum())} rows); its classes are "
            f"{', '.join(repr(py_scalar(c)) for c in classes)}. Check the target column and its type "
            "(the label 1 and the text '1' differ)."
        )
    return np.asarray(classes)[code]  # the model's spelling: 1.0 given for the class 1 reads as 1


def _numeric_target(y):
    try:
        values = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("a regressor's target y must be numeric") from None
    if not np.isfinite(values).all():
        raise ValueError(f"the target y has {int((~np.isfinite(values)).sum())} missing or infinite values; drop those "
                         "rows first")
    return values


def _weights(sample_weight, n_rows):
    try:
        weight = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("sample_weight must be numeric") from None
    if weight.shape != (n_rows,):
        raise ValueError(f"sample_weight must have one weight per row ({n_rows}), got shape {weight.shape}")
    if not np.isfinite(weight).all() or (weight < 0).any():
        raise ValueError("sample_weight must be finite and non-negative")
    if weight.sum() <= 0:
        raise ValueError("sample_weight sums to 0: no row counts")
    return weight


def _segments(segments, X, n_rows):
    """``segments`` as ``{name: Series}``: names are columns of X, a dict or DataFrame brings its own."""
    if segments is None:
        return {}
    if isinstance(segments, pd.DataFrame):
        segments = {str(c): segments[c] for c in segments.columns}
    elif isinstance(segments, str):
        segments = [segments]
    if isinstance(segments, dict):
        items = segments.items()
    else:
        items = [(name, _column(X, name)) for name in segments]
    out = {}
    for name, values in items:
        values = pd.Series(np.asarray(values, dtype=object) if not hasattr(values, "dtype") else values)
        if len(values) != n_rows:
            raise ValueError(f"segment {name!r} has {len(values)} values for {n_rows} rows")
        out[str(name)] = values.reset_index(drop=True)
    return out


def _level_text(value):
    """A segment level as a person writes it: ``7`` for a float 7.0 (a column with missing
    values is read as floats), the value's own text otherwise."""
    value = py_scalar(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _column(X, name):
    if not isinstance(name, str):
        raise ValueError(f"a segment is a column name, got {name!r}; give values as a dict {{name: values}}")
    if not isinstance(X, pd.DataFrame):
        raise ValueError(f"segment {name!r} names a column, but X is not a DataFrame; give segments as a dict "
                         "{name: values}")
    if name not in X.columns:
        raise ValueError(f"segment column {name!r} is not in the hold-out; its columns are "
                         f"{', '.join(map(str, X.columns))}")
    return X[name]


def segment_groups(values):
    """``(group label of each row, the groups in the order to show them, how they were formed)``
    for one segment's values.

    Numeric values with more than ``MAX_SEGMENT_VALUES`` distinct values are cut into
    ``SEGMENT_BANDS`` quantile bands of the hold-out; other values are their own groups, the
    rarest pooled as "other" beyond ``MAX_SEGMENT_GROUPS``. Missing values are a group.
    """
    missing = values.isna().to_numpy()
    labels = np.full(len(values), MISSING_GROUP, dtype=object)
    present = values[~missing]
    numeric = pd.api.types.is_numeric_dtype(present) and not pd.api.types.is_bool_dtype(present)
    n_distinct = present.nunique()
    if numeric and n_distinct > MAX_SEGMENT_VALUES:
        band, order = quantile_bands(present.to_numpy(dtype=np.float64), SEGMENT_BANDS)
        labels[~missing] = np.asarray(order, dtype=object)[band]
        how = (f"numeric with {n_distinct} distinct values: cut into {len(order)} bands of about equal row count "
               "at quantiles of the hold-out (tied values share a band; edges rounded for display)")
    else:
        text = present.map(_level_text)
        counts = text.value_counts()
        kept = set(counts.index[:MAX_SEGMENT_GROUPS - 1]) if len(counts) > MAX_SEGMENT_GROUPS else set(counts.index)
        pooled = len(counts) - len(kept)
        other = f"other ({pooled} levels)"
        labels[~missing] = np.where(text.isin(kept), text, other)
        if numeric:  # a few numbers: in their order
            order = [_level_text(v) for v in np.sort(present.unique()) if _level_text(v) in kept]
        else:  # levels: the largest group first
            order = [c for c in counts.index if c in kept]
        order += [other] if pooled else []
        how = f"{n_distinct} distinct values" + (f"; the {pooled} rarest pooled as '{other}'" if pooled else "")
    if missing.any():
        how += "; missing values are a group"
        order = list(order) + [MISSING_GROUP]
    return labels, list(order), how
