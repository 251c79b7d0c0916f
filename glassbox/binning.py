"""One binning for every model: raw columns in, a Fortran-ordered uint8 code matrix out.

Each feature's codes are laid out the same way, so kernels and explanations never special-case:

    0 .. n_bins - 1   value bins (continuous: intervals; categorical: levels)
    n_bins            missing (NaN, None, pd.NA)
    n_bins + 1        unseen (a category never seen in fit; never used by continuous features)

Continuous thresholds sit strictly between two neighbouring distinct training values and are
rounded to the fewest significant digits that keep them there, so the threshold printed in an
explanation (``age <= 34.5``) is the float the model compares against, not an approximation.
"""

import numbers
import warnings
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from glassbox._base import (
    GlassboxMixin, check_integer, check_random_state_param, check_X, effective_n_threads, feature_names, py_scalar,
    user_stacklevel,
)
from glassbox._ext._binning import map_to_bins
from glassbox._ext._typedefs import BIN_CODE_DTYPE, MAX_VALUE_BINS, OFFSET_DTYPE, X_DTYPE

CONTINUOUS = "continuous"
CATEGORICAL = "categorical"


class UnseenCategoryWarning(UserWarning):
    """A categorical value at transform time that was not seen in fit; it gets the unseen code."""


def format_threshold(value):
    """The shortest decimal string that reads back as exactly ``value`` (no trailing ``.0``)."""
    value = float(value)
    if value == 0 or 1e-4 <= abs(value) < 1e16:
        return np.format_float_positional(value, trim="-")
    return np.format_float_scientific(value, trim="-")


@dataclass(frozen=True, eq=False)
class FeatureBins:
    """How one feature's values become codes; every explanation reads its labels from here.

    Attributes
    ----------
    name : str
        Column name, or ``x{i}`` for unnamed input.
    kind : {"continuous", "categorical"}
    thresholds : ndarray of float64, shape (n_bins - 1,)
        Continuous features: a value x has code i iff ``thresholds[i-1] < x <= thresholds[i]``.
        Empty for categorical features.
    levels : tuple
        Categorical features: the level of each value code. Empty for continuous features.
    other_levels : tuple
        Categorical features with more levels than ``max_bins``: the rarest levels, which share
        the last value code (labelled "other"). Empty otherwise.
    counts : ndarray of int64, shape (n_codes,)
        Training rows per code, including the missing code (and the unseen code, always 0).
    """

    name: str
    kind: str
    thresholds: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=X_DTYPE))
    levels: tuple = ()
    other_levels: tuple = ()
    counts: np.ndarray = None

    @property
    def is_categorical(self):
        return self.kind == CATEGORICAL

    @property
    def n_bins(self):
        """Number of value bins (codes other than missing and unseen)."""
        if self.is_categorical:
            return max(1, len(self.levels) + bool(self.other_levels))
        return len(self.thresholds) + 1

    @property
    def missing_code(self):
        return self.n_bins

    @property
    def unseen_code(self):
        return self.n_bins + 1

    @property
    def n_codes(self):
        return self.n_bins + 2

    def bin_label(self, code):
        """A person's reading of one code: ``<= 34.5``, ``(34.5, 51]``, ``'Other'``, ``missing``."""
        code = int(code)
        if not 0 <= code < self.n_codes:
            raise ValueError(f"code {code} is out of range for feature {self.name!r} (0..{self.n_codes - 1})")
        if code == self.missing_code:
            return "missing"
        if code == self.unseen_code:
            return "unseen"
        if self.is_categorical:
            if code < len(self.levels):
                return repr(self.levels[code])
            if self.other_levels:
                return f"other ({len(self.other_levels)} levels)"
            return "no level seen"
        t = self.thresholds
        if len(t) == 0:
            return "any value"
        if code == 0:
            return f"<= {format_threshold(t[0])}"
        if code == len(t):
            return f"> {format_threshold(t[-1])}"
        return f"({format_threshold(t[code - 1])}, {format_threshold(t[code])}]"


@dataclass(frozen=True, eq=False)
class BinnedData:
    """The binned matrix every learner kernel reads, with the metadata that explains it.

    Attributes
    ----------
    codes : ndarray of uint8, shape (n_samples, n_features), Fortran-ordered
    features : tuple of FeatureBins
    """

    codes: np.ndarray
    features: tuple

    @property
    def n_codes(self):
        """Codes per feature (value bins + missing + unseen), for sizing histograms."""
        return np.array([f.n_codes for f in self.features], dtype=np.intp)

    @property
    def missing_codes(self):
        return np.array([f.missing_code for f in self.features], dtype=BIN_CODE_DTYPE)

    @property
    def is_categorical(self):
        return np.array([f.is_categorical for f in self.features], dtype=bool)


class Binner(GlassboxMixin, TransformerMixin, BaseEstimator):
    """Bin numeric, categorical and missing values into uint8 codes shared by all glassbox models.

    Parameters
    ----------
    max_bins : int, default=254
        Most value bins per feature (2..254); the missing and unseen codes come on top, so every
        code fits in uint8. A continuous feature with at most ``max_bins`` distinct values gets
        one bin per value; otherwise bins hold about equal numbers of training rows, and a value
        is never split across bins (heavy ties get a bin of their own). A categorical feature
        with more levels keeps the ``max_bins - 1`` most frequent and groups the rest as "other"
        (recorded in ``FeatureBins.other_levels``; never merged with missing).
    categorical_features : "auto", None, or array-like of names, indices or a boolean mask
        "auto": pandas ``category`` and string columns, and object columns holding strings, are
        categorical. None: every feature is numeric. A list: exactly these are categorical.
    subsample : int or None, default=200_000
        Continuous thresholds are computed on this many randomly chosen rows (all rows if None
        or fewer); categorical levels always come from every row.
    n_jobs : int or None, default=None
        Threads for the transform; None or -1 uses every core.
    random_state : int, RandomState or None
        Seeds the subsample; an int makes the bins reproducible.

    Attributes
    ----------
    features_ : list of FeatureBins
        One per input column, in column order.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame with string column names.
    """

    def __init__(self, max_bins=254, categorical_features="auto", subsample=200_000, n_jobs=None,
                 random_state=None):
        self.max_bins = max_bins
        self.categorical_features = categorical_features
        self.subsample = subsample
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # codes are uint8 whatever comes in
        return tags

    def fit(self, X, y=None):
        """Learn thresholds and levels from X; y is ignored."""
        self._fit(X)
        return self

    def fit_transform(self, X, y=None):
        """Fit on X and return its codes (binned once, not twice)."""
        return self._fit(X)

    def transform(self, X):
        """Codes of X: ndarray of uint8, shape (n_samples, n_features), Fortran-ordered.

        Warns with :class:`UnseenCategoryWarning` when a categorical column holds levels not seen
        in fit; those rows get the feature's unseen code.
        """
        check_is_fitted(self)
        X = check_X(self, X, reset=False)
        return self._codes(X, self.features_, warn_unseen=True)

    def bin(self, X):
        """:class:`BinnedData` for X: the codes together with the fitted ``features_``."""
        return BinnedData(self.transform(X), tuple(self.features_))

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self)
        return np.asarray([f.name for f in self.features_], dtype=object)

    def _fit(self, X):
        self._check_params()
        X = check_X(self, X, reset=True)
        names = feature_names(self)
        is_cat = self._categorical_mask(X, names)
        rows = self._subsample_rows(X.shape[0])
        sample = X if rows is None else (X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows])
        levels = {j: level_counts(_column(X, j), names[j]) for j in range(len(names)) if is_cat[j]}
        features = self._features(sample, is_cat, levels)
        codes = self._codes(X, features, warn_unseen=False)
        self._set_counts(features, [np.bincount(codes[:, j], minlength=f.n_codes) for j, f in enumerate(features)])
        return codes

    def _features(self, sample, is_cat, levels):
        """Each feature's bins: continuous thresholds from the subsample's rows ``sample``,
        categorical levels from ``levels`` (feature index -> :func:`level_counts` over every row,
        merged with :func:`merge_level_counts` when the rows come in partitions)."""
        names = feature_names(self)
        numeric = {j: _numeric_column(_column(sample, j), names[j]) for j in range(len(names)) if not is_cat[j]}
        if any(np.isinf(values).any() for values in numeric.values()):
            # Before any threshold arithmetic, which inf would poison. Infinities outside the
            # subsample are caught by the kernel's count when the codes are computed.
            _raise_infinite(np.column_stack(list(numeric.values())), [names[j] for j in numeric])
        return [_fit_categorical(name, *levels[j], self.max_bins) if is_cat[j]
                else FeatureBins(name, CONTINUOUS, _fit_thresholds(numeric[j], self.max_bins))
                for j, name in enumerate(names)]

    def _set_counts(self, features, counts):
        """Record the fitted features with their training rows per code (summed over partitions
        when the rows come in partitions)."""
        self.features_ = [replace(f, counts=np.asarray(c, dtype=np.int64)) for f, c in zip(features, counts)]

    def _check_params(self):
        check_integer("max_bins", self.max_bins, 2, MAX_VALUE_BINS,
                      "uint8 codes keep room for a missing and an unseen code")
        if self.subsample is not None:
            check_integer("subsample", self.subsample, 2)
        effective_n_threads(self.n_jobs)
        check_random_state_param(self.random_state)

    def _subsample_rows(self, n_samples):
        if self.subsample is None or n_samples <= self.subsample:
            return None
        rng = check_random_state(self.random_state)
        return np.sort(rng.choice(n_samples, self.subsample, replace=False))

    def _categorical_mask(self, X, names):
        spec = self.categorical_features
        n_features = len(names)
        if isinstance(spec, str) and spec == "auto":
            return auto_categorical(X)
        if spec is None:
            return np.zeros(n_features, dtype=bool)
        spec = np.asarray(spec)
        if spec.dtype == bool:
            if spec.shape != (n_features,):
                raise ValueError(
                    f"categorical_features as a boolean mask needs {n_features} entries, got {spec.shape[0]}."
                )
            return spec.copy()
        mask = np.zeros(n_features, dtype=bool)
        for item in spec.ravel().tolist():
            if isinstance(item, str):
                if getattr(self, "feature_names_in_", None) is None:
                    raise ValueError(
                        f"categorical_features names {item!r}, but X has no column names; "
                        "pass column indices or a boolean mask for a numpy array."
                    )
                if item not in names:
                    raise ValueError(f"categorical_features names unknown feature {item!r}; the features are {names}.")
                mask[names.index(item)] = True
            elif isinstance(item, numbers.Integral) and -n_features <= item < n_features:
                mask[item] = True
            else:
                raise ValueError(
                    f"categorical_features entry {item!r} is neither a feature name nor an index "
                    f"in [0, {n_features})."
                )
        return mask

    def _codes(self, X, features, *, warn_unseen):
        n_samples = X.shape[0]
        out = np.empty((n_samples, len(features)), dtype=BIN_CODE_DTYPE, order="F")
        continuous = [j for j, f in enumerate(features) if not f.is_categorical]
        if continuous:
            names = [features[j].name for j in continuous]
            block = _continuous_block(X, continuous, names)
            offsets = np.zeros(len(continuous) + 1, dtype=OFFSET_DTYPE)
            offsets[1:] = np.cumsum([len(features[j].thresholds) for j in continuous])
            n_inf = map_to_bins(
                block,
                np.concatenate([features[j].thresholds for j in continuous]).astype(X_DTYPE),
                offsets,
                np.array([features[j].missing_code for j in continuous], dtype=BIN_CODE_DTYPE),
                np.array(continuous, dtype=OFFSET_DTYPE),
                out,
                # Waking a thread team costs more than coding a few thousand values (tens of ms
                # on a busy machine, paid by every small predict): small blocks use one thread.
                effective_n_threads(self.n_jobs) if block.size >= _MIN_PARALLEL_VALUES else 1,
            )
            if n_inf:
                _raise_infinite(block, names)
        for j, f in enumerate(features):
            if f.is_categorical:
                out[:, j] = _categorical_codes(_column(X, j), f, warn_unseen)
        return out


def _column(X, j):
    return X.iloc[:, j] if isinstance(X, pd.DataFrame) else X[:, j]


def auto_categorical(X):
    """Boolean mask of X's columns that ``categorical_features="auto"`` reads as categorical."""
    return np.array([is_categorical_column(_column(X, j)) for j in range(X.shape[1])], dtype=bool)


def is_categorical_column(column):
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype) or isinstance(dtype, pd.StringDtype):
        return True
    if dtype.kind in "USO" and dtype != object:
        return True
    if dtype == object:
        # An object column with no value at all is read as categorical: new rows holding strings
        # then score as unseen levels, where a numeric reading would have to refuse them.
        return pd.api.types.infer_dtype(column, skipna=True) not in NUMERIC_KINDS
    return False


# What pandas' infer_dtype calls an object column holding only numbers (and missing values).
NUMERIC_KINDS = ("integer", "floating", "mixed-integer-float", "decimal", "boolean")


def _numeric_column(column, name):
    """A column as float64 with NaN for missing; a clear error for anything non-numeric."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype) or dtype.kind in "OUS" or isinstance(dtype, pd.StringDtype):
        values = np.asarray(column, dtype=object)
        missing = pd.isna(values)
        values = np.where(missing, np.nan, values)
        try:
            return values.astype(X_DTYPE)
        except ValueError as err:
            raise ValueError(
                f"feature {name!r} is numeric here but holds non-numeric values ({err}); if it is "
                "categorical, list it in categorical_features (or leave 'auto' to find it) when "
                "fitting, or clean the column."
            ) from None
        except TypeError as err:
            raise TypeError(
                f"feature {name!r} holds a value that is neither a number nor a string: {err}. "
                "Each argument must be a string or a number (or missing)."
            ) from None
    if dtype.kind == "c":
        raise ValueError(
            f"feature {name!r} holds complex numbers; pass their real and imaginary parts as two features."
        )
    if dtype.kind in "mM":
        raise TypeError(
            f"feature {name!r} has dtype {dtype}; convert dates and durations to numbers "
            "(e.g. days since an origin) before fitting."
        )
    if isinstance(column, pd.Series):
        return column.to_numpy(dtype=X_DTYPE, na_value=np.nan)
    return np.asarray(column, dtype=X_DTYPE)


def _continuous_block(X, columns, names):
    """The continuous columns as one float64 2-D array (a view when X already is one)."""
    if isinstance(X, np.ndarray) and X.dtype.kind in "fiub" and len(columns) == X.shape[1]:
        block = np.asarray(X, dtype=X_DTYPE)
    else:
        block = np.empty((X.shape[0], len(columns)), dtype=X_DTYPE, order="F")
        for k, (j, name) in enumerate(zip(columns, names)):
            block[:, k] = _numeric_column(_column(X, j), name)
    return block


_MIN_PARALLEL_VALUES = 1 << 16


def _raise_infinite(block, names):
    n_inf = np.isinf(block).sum(axis=0)
    bad = {names[k]: int(n) for k, n in enumerate(n_inf) if n}
    raise ValueError(
        f"infinite values (inf) in features (name: rows) {bad}; glassbox bins NaN as missing but "
        "cannot bin inf: replace them, e.g. with NaN or a large finite value."
    )


def _fit_thresholds(values, max_bins):
    """Equal-frequency cut points between distinct values, rounded to short decimals."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return np.empty(0, dtype=X_DTYPE)
    distinct, counts = np.unique(values, return_counts=True)
    n_distinct = len(distinct)
    if n_distinct <= max_bins:
        cut_after = np.arange(n_distinct - 1)
    else:
        # float64: searchsorted against a float target would otherwise re-cast it every call
        cut_after = _equal_frequency_cuts(np.cumsum(counts, dtype=np.float64), max_bins)
    return _short_thresholds(distinct[cut_after], distinct[cut_after + 1])


def _equal_frequency_cuts(cumulative, max_bins):
    """Indices j of distinct values to cut after, so bins hold about equal counts.

    Each cut aims at an equal share of what lies beyond the previous *aim* (not the previous
    cut, or rounding errors would pile up). Only when a heavy tie pushes a cut past its aim by
    half a bin or more is the aim moved to the cut, so the tie's unused bins go to the rest.
    """
    n_distinct = len(cumulative)
    total = cumulative[-1]
    cuts = []
    start, aim, bins_left = 0, 0.0, max_bins
    while bins_left > 1 and start < n_distinct - 1:
        if n_distinct - start <= bins_left:
            cuts.extend(range(start, n_distinct - 1))
            break
        target = aim + (total - aim) / bins_left
        j = max(int(np.searchsorted(cumulative, target, side="left")), start)
        if j > start and target - cumulative[j - 1] <= cumulative[j] - target:
            j -= 1
        if j >= n_distinct - 1:
            break
        cuts.append(j)
        bins_left -= 1
        overshoot = cumulative[j] - target
        aim = cumulative[j] if overshoot > 0.5 * (total - target) / bins_left else target
        start = j + 1
    return np.asarray(cuts, dtype=np.intp)


def _short_thresholds(lo, hi):
    """For each pair lo < hi, the number with fewest significant digits strictly between them.

    Rounding the midpoint to d digits gives the d-digit number nearest the midpoint, and the
    interval is symmetric about it, so the first d that lands inside is the fewest digits there
    are. The midpoint itself is rounded, though: when a candidate misses by a few ulps, its grid
    neighbours are tried too. Neighbouring floats with nothing in between keep ``lo`` itself
    (``x <= lo`` still separates them).
    """
    mid = lo / 2 + hi / 2  # halves first: no overflow near the float limits
    out = lo.astype(X_DTYPE, copy=True)
    todo = np.arange(len(lo))
    for digits in range(1, 18):
        if todo.size == 0:
            break
        text = [f"{m:.{digits}g}" for m in mid[todo]]
        candidate = np.array([float(t) for t in text], dtype=X_DTYPE)  # may round to inf near the limit
        inside = (lo[todo] < candidate) & (candidate < hi[todo])
        with np.errstate(over="ignore", invalid="ignore"):  # the spacing of the largest float is inf
            near = ~inside & (np.minimum(np.abs(candidate - lo[todo]), np.abs(candidate - hi[todo]))
                              <= 8 * np.spacing(np.maximum(np.abs(lo[todo]), np.abs(hi[todo]))))
        for k in np.flatnonzero(near):
            neighbour = _grid_neighbour_inside(text[k], digits, lo[todo[k]], hi[todo[k]])
            if neighbour is not None:
                candidate[k], inside[k] = neighbour, True
        out[todo[inside]] = candidate[inside]
        todo = todo[~inside]
    return out


def _grid_neighbour_inside(text, digits, lo, hi):
    """The d-digit number next to ``text`` (either side) if it lies strictly in (lo, hi)."""
    value = Decimal(text)
    step = Decimal(1).scaleb(value.adjusted() - digits + 1)
    for neighbour in (value + step, value - step):
        if lo < float(neighbour) < hi:
            return float(neighbour)
    return None


def level_counts(column, name):
    """``(counts, categories)`` of one categorical column: rows per level seen (missing values
    aside), and the dtype's categories when it is a pandas categorical (they set the levels'
    order), else None."""
    series = column if isinstance(column, pd.Series) else pd.Series(column, dtype=object, copy=False)
    _check_hashable(series, name)
    counts = series.value_counts(dropna=True, sort=False)
    categories = list(series.cat.categories) if isinstance(series.dtype, pd.CategoricalDtype) else None
    return counts[counts > 0], categories


def merge_level_counts(parts):
    """:func:`level_counts` of a column split into row partitions, from those of the partitions:
    exactly those of the whole column. The categories' order is kept when every partition has
    the same categories (as ``pd.concat`` of the partitions would keep them), else levels sort."""
    counts = [c for c, _ in parts if len(c)]
    merged = (pd.concat(counts).groupby(level=0, sort=False).sum() if counts
              else pd.Series([], dtype=np.int64))
    categories = [cats for _, cats in parts]
    same = all(cats is not None and cats == categories[0] for cats in categories)
    return merged, categories[0] if categories and same else None


def _fit_categorical(name, counts, categories, max_bins):
    if categories is not None:
        order = [c for c in categories if c in counts.index]
    else:
        order = _sorted_levels(counts.index.tolist())
    levels = [py_scalar(v) for v in order]
    other = ()
    if len(levels) > max_bins:
        by_count = sorted(range(len(levels)), key=lambda i: -counts[order[i]])  # stable: ties keep order
        keep = set(by_count[: max_bins - 1])
        other = tuple(v for i, v in enumerate(levels) if i not in keep)
        levels = [v for i, v in enumerate(levels) if i in keep]
    return FeatureBins(name, CATEGORICAL, levels=tuple(levels), other_levels=other)


def _check_hashable(series, name):
    if series.dtype != object:
        return
    for value in series:
        try:
            hash(value)
        except TypeError:
            raise TypeError(
                f"feature {name!r} holds a {type(value).__name__} value ({value!r}); each argument "
                "must be a string or a number (or missing)."
            ) from None


def _sorted_levels(levels):
    try:
        return sorted(levels)
    except TypeError:  # mixed numbers and strings: numbers first, then strings
        return sorted(levels, key=lambda v: (isinstance(v, str), str(v) if isinstance(v, str) else v))


def _categorical_codes(column, feature, warn_unseen):
    series = column if isinstance(column, pd.Series) else pd.Series(column, dtype=object, copy=False)
    _check_hashable(series, feature.name)
    known = pd.Index(list(feature.levels) + list(feature.other_levels), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        # A missing value's code is -1: it reads the -1 appended last (also when the column
        # has no category at all).
        lut = np.append(known.get_indexer(series.cat.categories.astype(object)), -1)
        index = lut[series.cat.codes.to_numpy()]
    else:
        # Look up each distinct value once (factorize is fast on Arrow strings, where a cast to
        # objects is not); missing values factorize to -1, which reads the -1 appended last.
        positions, distinct = pd.factorize(series, use_na_sentinel=True)
        index = np.append(known.get_indexer(pd.Index(np.asarray(distinct, dtype=object), dtype=object)), -1)[positions]
    missing = series.isna().to_numpy()
    codes = np.minimum(index, len(feature.levels)).astype(np.intp)  # every "other" level shares one code
    codes[missing] = feature.missing_code
    unseen = (index < 0) & ~missing
    if unseen.any():
        codes[unseen] = feature.unseen_code
        if warn_unseen:
            values = pd.unique(series[unseen])
            shown = ", ".join(repr(py_scalar(v)) for v in values[:5])
            more = f" and {len(values) - 5} more" if len(values) > 5 else ""
            warnings.warn(
                f"feature {feature.name!r} has {int(unseen.sum())} rows with levels not seen in fit "
                f"({shown}{more}); they get the 'unseen' bin.",
                UnseenCategoryWarning,
                stacklevel=user_stacklevel(),
            )
    return codes.astype(BIN_CODE_DTYPE)
