"""Synthetic rows on which to ask the teacher, because its behaviour between training rows matters.

- ``"marginal"``: each feature drawn independently from its empirical distribution (as TREPAN
  does). Covers the box the data spans, but loses every dependence between features.
- ``"munge"``: Bucila, Caruana & Niculescu-Mizil (2006). Each new row starts from a real row e and
  its nearest neighbour e'; each attribute is, with probability ``p``, replaced: a continuous
  value by a draw from N(e'_a, |e_a - e'_a| / s), a categorical or missing one by e'_a. New rows
  stay near the data's manifold. (The paper also modifies e' symmetrically; we emit one row per
  pair and pass, which draws from the same local distribution.)

Both keep each column's kind: categorical levels stay levels, missing values stay missing (they
are drawn, or swapped in, like any other value), integer columns stay integers.
"""

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state

from glassbox.binning import is_categorical_column

METHODS = (None, "marginal", "munge")

# One-hot width kept per categorical feature for the neighbour search: the rarest levels share
# a column so a high-cardinality feature cannot blow up the distance matrix.
MAX_ONE_HOT = 32


def augment(X, method, n_samples, *, random_state=None, p=0.5, s=10.0):
    """``n_samples`` synthetic rows like X (a DataFrame stays a DataFrame with the same dtypes).

    Parameters
    ----------
    X : DataFrame or ndarray of shape (n, n_features)
        The real rows, n >= 2.
    method : {"marginal", "munge"}
    n_samples : int
    random_state : int, RandomState or None
    p : float, default=0.5
        MUNGE's swap probability per attribute.
    s : float, default=10.0
        MUNGE's local-variance divisor: larger keeps continuous draws closer to the neighbour.
    """
    if method not in ("marginal", "munge"):
        raise ValueError(f"augment must be one of {METHODS}, got {method!r}")
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    if not 0.0 <= p <= 1.0 or s <= 0:
        raise ValueError(f"munge needs 0 <= p <= 1 and s > 0, got p={p!r}, s={s!r}")
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
    if len(frame) < 2:
        raise ValueError("augmentation needs at least 2 rows to draw from")
    rng = check_random_state(random_state)
    if method == "marginal":
        out = pd.DataFrame({c: _take(frame[c], rng.randint(0, len(frame), n_samples)) for c in frame.columns})
    else:
        out = _munge(frame, n_samples, rng, p, s)
    return out if isinstance(X, pd.DataFrame) else out.to_numpy(dtype=np.asarray(X).dtype)


def _take(column, rows):
    return column.iloc[rows].reset_index(drop=True)


def _munge(frame, n_samples, rng, p, s):
    categorical = [is_categorical_column(frame[c]) for c in frame.columns]
    neighbour = NearestNeighbors(n_neighbors=2).fit(_encode(frame, categorical))
    _, index = neighbour.kneighbors(_encode(frame, categorical))
    partner = index[:, 1]  # index[:, 0] is the row itself (or an identical row)
    n = len(frame)
    base = rng.randint(0, n, n_samples)
    mate = partner[base]
    swap = rng.random_sample((n_samples, frame.shape[1])) < p
    columns = {}
    for j, (name, is_cat) in enumerate(zip(frame.columns, categorical)):
        column = frame[name]
        own, other = _take(column, base), _take(column, mate)
        if is_cat:
            columns[name] = own.where(~swap[:, j], other)
            continue
        values_all, exponent = _scaled(column.to_numpy(dtype=np.float64, na_value=np.nan))
        a, b = values_all[base], values_all[mate]
        spread = np.abs(a - b) / s
        drawn = rng.normal(np.nan_to_num(b), np.nan_to_num(spread))
        # Missing on either side: swap values as a categorical would (NaN is a value here).
        drawn = np.where(np.isnan(a) | np.isnan(b), b, drawn)
        # Back to the column's scale; a draw beyond the largest float stays the largest float.
        with np.errstate(over="ignore"):
            values = np.clip(np.ldexp(np.where(swap[:, j], drawn, a), exponent), -_LARGEST, _LARGEST)
        columns[name] = _like(column, values)
    return pd.DataFrame(columns)


_LARGEST = np.finfo(np.float64).max


def _scaled(values):
    """``(values * 2**-e, e)`` with the largest magnitude below 1: differences, spreads and
    standard deviations of values near the largest float then cannot overflow. Exact (a power of
    two), so ordinary values give the same draws and distances as unscaled ones, bit for bit."""
    finite = values[np.isfinite(values)]
    if finite.size == 0 or not np.any(finite):
        return values, 0
    _, exponent = np.frexp(np.abs(finite).max())
    exponent = int(exponent)
    return np.ldexp(values, -exponent), exponent


def _like(column, values):
    """Float draws back in the column's own dtype (integers rounded, NaN kept where allowed)."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return pd.Series(values >= 0.5) if not np.isnan(values).any() else pd.Series(values)
    if pd.api.types.is_integer_dtype(dtype):
        rounded = np.round(values)
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            return pd.Series(pd.array(np.where(np.isnan(rounded), None, rounded), dtype=dtype))
        return pd.Series(rounded.astype(dtype)) if not np.isnan(rounded).any() else pd.Series(rounded)
    return pd.Series(values, dtype=np.float64)


def _encode(frame, categorical):
    """Numbers for the neighbour search: standardised values (missing: 0 plus an indicator) and
    one-hot levels scaled so that a mismatch counts like one standard deviation."""
    parts = []
    for name, is_cat in zip(frame.columns, categorical):
        column = frame[name]
        if is_cat:
            values = column.astype(object).where(column.notna(), "<missing>")
            top = values.value_counts().index[: MAX_ONE_HOT - 1]
            values = values.where(values.isin(top), "<other>")
            parts.append(pd.get_dummies(values).to_numpy(dtype=np.float64) / np.sqrt(2.0))
            continue
        x, _ = _scaled(column.to_numpy(dtype=np.float64, na_value=np.nan))
        missing = np.isnan(x)
        seen = x[~missing]
        sd = seen.std() if seen.size > 1 else 0.0
        z = (x - seen.mean()) / sd if sd > 0 else np.zeros_like(x)
        parts.append(np.where(missing, 0.0, z)[:, None])
        if missing.any():
            parts.append(missing[:, None].astype(np.float64))
    return np.hstack(parts)
