"""Shared estimator plumbing: input checks, feature names, targets, sample weights, monotonic
constraints, thread counts and scikit-learn tags.

Every public estimator validates through these functions, so the same bad input gets the same
message, naming what is wrong and what to do, whichever model it was given to.
"""

import numbers
import os
import sys

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, check_is_fitted, column_or_1d, validate_data

from glassbox._dask import is_dask
from glassbox._ext._openmp import omp_max_threads, openmp_enabled
from glassbox._inspect import InspectionMixin
from glassbox._regions import check_criterion


class GlassboxMixin:
    """Tags shared by every glassbox estimator: NaN and categorical values are inputs, not errors.

    ``input_tags.string`` stays False: in scikit-learn it promises that *any* object is accepted,
    whereas glassbox accepts strings as category levels but rejects unhashable objects with a
    TypeError, which is exactly the contract the False tag checks.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags


class BinnedModelMixin(InspectionMixin, GlassboxMixin):
    """The data path of every glassbox model: validate X, bin it with the shared Binner.

    ``_fit_bins`` (in fit) records ``n_features_in_``, ``feature_names_in_`` and ``binner_``
    and returns the training :class:`~glassbox.binning.BinnedData`; ``_transform_bins`` (in
    predict and friends) checks X against the fit and returns its codes, warning about unseen
    categories on the way.
    """

    def _fit_bins(self, X, *, max_bins=254, categorical_features="auto", subsample=200_000,
                  n_jobs=None, random_state=None):
        from glassbox.binning import BinnedData, Binner

        X = check_X(self, X, reset=True)
        binner = Binner(max_bins=max_bins, categorical_features=categorical_features,
                        subsample=subsample, n_jobs=n_jobs, random_state=random_state)
        codes = binner.fit_transform(X)
        self.binner_ = binner
        return BinnedData(codes, tuple(binner.features_))

    def _transform_bins(self, X):
        check_is_fitted(self, "binner_")
        X = check_X(self, X, reset=False)
        # X was checked against this estimator's fit just now: bin it without checking again.
        return self.binner_._codes(X, self.binner_.features_, warn_unseen=True)


def py_scalar(value):
    """A NumPy scalar as the Python value it holds (``np.int64(3)`` -> ``3``); anything else as is."""
    return value.item() if isinstance(value, np.generic) else value


def check_integer(name, value, low, high=None, why=""):
    """Raise a ValueError naming the parameter unless ``value`` is an integer (not a bool) in
    ``[low, high]`` (no upper bound when ``high`` is None); ``why`` explains the bounds."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low or (
        high is not None and value > high
    ):
        span = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {span}, got {value!r}" + (f"; {why}." if why else "."))


def check_verbose(value):
    """Raise a ValueError unless ``verbose`` is an integer >= 0 or a bool (True meaning 1), as
    scikit-learn's estimators take it."""
    if not isinstance(value, bool):
        check_integer("verbose", value, 0, why="or a bool (True is 1)")


def check_real(name, value, low, high=np.inf, *, low_open=False, high_open=False, allow_inf=False):
    """Raise a ValueError naming the parameter unless ``value`` is a real number (not a bool) in
    the interval from ``low`` to ``high``, each end closed unless marked open; finite unless
    ``allow_inf``."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and not np.isnan(value)
    ok = ok and (allow_inf or np.isfinite(value))
    ok = ok and (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
    if not ok:
        if np.isinf(high):
            span = f"{'>' if low_open else '>='} {low}"
        else:
            span = f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a {'' if allow_inf else 'finite '}number {span}, got {value!r}.")


_MAX_THREADS = 1 << 15  # kernels take a C int; more threads than this is a typo, not a machine


def check_random_state_param(random_state):
    """Raise a ValueError naming ``random_state`` unless scikit-learn's check_random_state takes it
    (None, an int in [0, 2**32 - 1], a RandomState): checked when a fit starts, even where the
    seed is used only on large data."""
    try:
        check_random_state(random_state)
    except ValueError as err:
        raise ValueError(
            f"random_state must be None, an int in [0, 2**32 - 1] or a numpy RandomState, got {random_state!r} "
            f"({err})."
        ) from None


def effective_n_threads(n_jobs):
    """Threads a kernel should use for ``n_jobs`` (None or -1: every available core).

    Negative values count back from the number of cores as in joblib (-2: all but one).
    Always 1 when the build has no OpenMP.
    """
    if n_jobs is not None and (
        not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool) or n_jobs == 0
        or abs(n_jobs) > _MAX_THREADS
    ):
        raise ValueError(f"n_jobs must be None or a non-zero integer in [-{_MAX_THREADS}, {_MAX_THREADS}], got {n_jobs!r}")
    if not openmp_enabled():
        return 1
    available = _available_cores()
    if n_jobs is None:
        return max(1, min(available, omp_max_threads()))
    if n_jobs < 0:
        return max(1, available + 1 + n_jobs)
    return int(n_jobs)


def _available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def user_stacklevel():
    """``stacklevel`` for ``warnings.warn`` that points at the first frame outside glassbox and
    scikit-learn (whose output wrappers sit between a user's call and ours)."""
    level = 1
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not (module.startswith("glassbox.") or module.startswith("sklearn.")):
            return level
        frame = frame.f_back
        level += 1
    return level


def check_X(estimator, X, *, reset):
    """Check X's shape and column names; return it as a DataFrame (unchanged) or a 2-D ndarray.

    Values are not converted here: the Binner decides per column what is numeric, categorical or
    missing. ``reset=True`` (fit) records ``n_features_in_`` and ``feature_names_in_``;
    ``reset=False`` checks X against them.
    """
    X = as_table(X)
    _check_names(estimator, X, reset)
    return X


def as_table(X):
    """X as a DataFrame (unchanged) or a 2-D ndarray with at least one row and one column."""
    if is_dask(X):
        # np.asarray would compute the whole collection into memory without a word.
        sample = "X.sample(frac=0.01).compute()" if hasattr(X, "sample") else "X[:100_000].compute()"
        raise TypeError(
            f"this needs its data in memory but got a Dask {type(X).__name__}. On Dask collections glassbox "
            "models score and explain partition by partition (predict, predict_proba, decision_function, "
            f"explain_local); elsewhere pass X.compute(), or a sample of it: {sample}."
        )
    if sp.issparse(X):
        raise TypeError(
            "glassbox estimators need dense input but got a sparse matrix; "
            "convert it with X.toarray() (bins are built per value, so dense costs little)."
        )
    if isinstance(X, pd.Series):
        raise ValueError(
            "Expected a 2-D table but got a pandas Series; "
            "use X.to_frame() for one feature or X.to_frame().T for one row."
        )
    if type(X).__module__.startswith("polars."):
        X = _polars_to_pandas(X)
    if not isinstance(X, pd.DataFrame):
        original = X
        X = np.asarray(X)
        if X.dtype.kind in "US" and not isinstance(original, np.ndarray):
            # A nested list mixing numbers and strings would otherwise turn every number into
            # a string; objects keep each column's own type.
            X = np.asarray(original, dtype=object)
        if X.dtype.kind == "c":
            raise ValueError("Complex data not supported; pass the real and imaginary parts as two features.")
        if X.ndim != 2:
            raise ValueError(
                f"Expected a 2-D array but got {X.ndim}-D input of shape {X.shape}. Reshape your "
                "data with X.reshape(-1, 1) for one feature or X.reshape(1, -1) for one sample."
            )
    n_samples, n_features = X.shape
    if n_samples == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
    if n_features == 0:
        raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
    return X


def _polars_to_pandas(X):
    """A polars DataFrame as a pandas one with the same column names, column by column (polars'
    own ``to_pandas`` needs pyarrow): strings stay strings, Categorical and Enum columns become
    pandas categoricals (an Enum keeps its levels' order), booleans with nulls pandas' nullable
    booleans, numbers float or int arrays (nulls as NaN)."""
    import polars as pl

    if isinstance(X, pl.LazyFrame):
        raise TypeError("glassbox needs the data itself, not a polars LazyFrame: pass X.collect().")
    if not isinstance(X, pl.DataFrame):
        return X  # a polars Series and the like: as_table's own checks speak for them
    columns = {}
    for name in X.columns:
        column = X[name]
        if isinstance(column.dtype, pl.Enum):
            columns[name] = pd.Categorical(column.to_list(), categories=list(column.dtype.categories))
        elif isinstance(column.dtype, pl.Categorical):
            columns[name] = pd.Categorical(column.to_list())
        elif column.dtype == pl.Boolean and column.null_count():
            columns[name] = pd.array(column.to_list(), dtype="boolean")
        else:
            columns[name] = column.to_numpy()
    return pd.DataFrame(columns)


def _check_names(estimator, X, reset):
    try:
        validate_data(estimator, X, reset=reset, skip_check_array=True)
    except ValueError as err:
        fitted = getattr(estimator, "feature_names_in_", None)
        if reset or fitted is None or not isinstance(X, pd.DataFrame):
            raise
        given = [str(c) for c in X.columns]
        if sorted(given) != sorted(fitted):
            raise  # scikit-learn's message already lists unseen and missing names
        moved = [f"column {i} is {g!r} but was {f!r} at fit" for i, (g, f) in enumerate(zip(given, fitted)) if g != f]
        raise ValueError(
            f"{err}({'; '.join(moved[:3])}.) Select the fitted columns in order, "
            "e.g. X[model.feature_names_in_]."
        ) from None


def feature_names(estimator):
    """Names of the fitted features: the DataFrame's columns, else x0, x1, ..."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        return [str(n) for n in names]
    return [f"x{i}" for i in range(estimator.n_features_in_)]


def check_classification_y(y, n_samples):
    """Encode a classification target; return ``(codes, classes)`` with codes in 0..n_classes-1."""
    classes, codes = class_labels(target_1d(y, n_samples))
    if len(classes) < 2:
        raise ValueError(
            f"y has only one class ({py_scalar(classes[0])!r}); a classifier needs at least two classes."
        )
    return codes, classes


def class_labels(y):
    """``(classes, codes)`` of a 1-D classification target (any number of classes, also none)."""
    n_missing = int(pd.isna(y).sum()) if y.dtype.kind in "fOUS" else 0
    if n_missing:
        raise ValueError(
            f"y has {n_missing} missing values; a classifier needs a label for every row: "
            "drop those rows or give them a label."
        )
    try:
        check_classification_targets(y)
        classes, codes = np.unique(y, return_inverse=True)
    except TypeError:  # labels of kinds that do not sort together: 'a' and 1
        kinds = sorted({type(py_scalar(v)).__name__ for v in y})
        raise ValueError(
            f"y mixes labels of different types ({', '.join(kinds)}), which have no order; give every label "
            "one type, e.g. y.astype(str)."
        ) from None
    return classes, codes.astype(np.intp)


def check_pos_label(pos_label, classes):
    """Index in ``classes`` of a binary classifier's modelled event (its ``pos_label``).

    None means ``classes[1]``, scikit-learn's convention (the class whose log-odds
    ``decision_function`` gives). ``classes_`` itself stays sorted whatever the event: scikit-learn's
    scorers and metrics read ``predict_proba``'s columns in sorted order.
    """
    if pos_label is None:
        return 1 if len(classes) == 2 else None
    if len(classes) != 2:
        raise ValueError(
            f"pos_label={py_scalar(pos_label)!r} names the event of a binary classifier, but y has "
            f"{len(classes)} classes; leave pos_label=None for multiclass."
        )
    for k, label in enumerate(classes):
        if same_label(pos_label, label):
            return k
    raise ValueError(
        f"pos_label={py_scalar(pos_label)!r} is not a class of y; the classes are "
        f"{[py_scalar(c) for c in classes]}."
    )


def event_class(model):
    """``(index, label)`` of a fitted binary classifier's event (``pos_label``, else ``classes_[1]``);
    ``(None, None)`` for regressors and multiclass models. What every view calls "the event".

    The event is the one fixed at fit (``pos_label_``), so a ``set_params(pos_label=...)`` after
    fitting cannot turn the views against the constraints the fit applied."""
    classes = getattr(model, "classes_", None)
    if classes is None or len(classes) != 2:
        return None, None
    if hasattr(model, "pos_label_"):
        k = next((k for k, label in enumerate(classes) if same_label(model.pos_label_, label)), None)
        if k is None:
            raise ValueError(f"pos_label_={py_scalar(model.pos_label_)!r} is not a class of the fitted model; the "
                             f"classes are {[py_scalar(c) for c in classes]}.")
    else:  # a classifier without pos_label (a stand-in in tests, a teacher): scikit-learn's convention
        k = check_pos_label(getattr(model, "pos_label", None), classes)
    return k, classes[k]


def fix_event(model):
    """Set a fitted classifier's ``pos_label_``: the label of its event, None for multiclass
    (called by ``fit`` once ``classes_`` is known, and by ``load``)."""
    k = check_pos_label(model.pos_label, model.classes_)
    model.pos_label_ = None if k is None else model.classes_[k]


def event_sign(model):
    """+1 when a model's raw score is the log-odds of its event (or it has no event), -1 when the
    event is ``classes_[0]`` and the raw score is therefore the log-odds of the other class."""
    k, _ = event_class(model)
    return -1.0 if k == 0 else 1.0


def check_regression_y(y, n_samples):
    """Return a regression target as finite float64."""
    y = target_1d(y, n_samples)
    if y.dtype.kind in "mM":
        raise ValueError(
            f"y holds {'durations' if y.dtype.kind == 'm' else 'dates'} (dtype {y.dtype}); a regressor needs "
            "numbers: convert them, e.g. to days (y / np.timedelta64(1, 'D'))."
        )
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"y must be numeric for a regressor ({err}); use a classifier for labels.") from None
    n_nan, n_inf = int(np.isnan(y).sum()), int(np.isinf(y).sum())
    if n_nan or n_inf:
        raise ValueError(
            f"y has {n_nan} NaN and {n_inf} infinite values; a regressor needs a finite target "
            "for every row: drop or fix those rows."
        )
    largest = float(np.abs(y).max()) if y.size else 0.0
    spread = float(y.max() - y.min()) if y.size else 0.0
    if largest > _MAX_TARGET or 0 < spread < 1 / _MAX_TARGET:
        raise ValueError(
            f"y ranges from {y.min():.3g} to {y.max():.3g}: beyond {_MAX_TARGET:.0e} in size, or varying by less than "
            f"{1 / _MAX_TARGET:.0e}, the squared errors a regressor sums would overflow or vanish. Rescale y "
            "(divide it by a constant, or subtract a constant) and scale the predictions back."
        )
    return y


# Regression targets are kept within +-1e100 and vary by at least 1e-100: their squares, and sums
# of squares over any number of rows, then stay far from overflow and underflow.
_MAX_TARGET = 1e100


def target_1d(y, n_samples):
    """``y`` as a 1-D array of ``n_samples`` entries; a ValueError saying what is wrong otherwise."""
    if y is None:
        raise ValueError("this estimator requires y to be passed, but the target y is None.")
    y = column_or_1d(y, warn=True)
    if len(y) != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {len(y)}; they must match.")
    return y


def drop_zero_weight_rows(X, y, sample_weight, categorical_features):
    """``(X, y, sample_weight, categorical_features)`` without the rows of weight zero.

    For the models where a zero weight means exactly "row absent" (rule lists, trees): such rows
    shape no bin, no threshold and no minimum support. Which columns are categorical is a property
    of the column, not of its rows, so ``"auto"`` is resolved on every row first (a column of
    strings and numbers stays categorical when only its numbers have weight).
    """
    X = as_table(X)
    n_samples = _num_samples(X)
    sw = check_sample_weight(sample_weight, n_samples)
    if y is not None and _num_samples(y) != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {_num_samples(y)}; they must match.")
    keep = sw > 0
    if keep.all():
        return X, y, sw, categorical_features
    if isinstance(categorical_features, str) and categorical_features == "auto":
        from glassbox.binning import auto_categorical

        categorical_features = auto_categorical(X)
    rows = np.flatnonzero(keep)
    return _safe_indexing(X, rows), None if y is None else _safe_indexing(y, rows), sw[rows], categorical_features


def class_weighted(class_weight, y, sample_weight):
    """Each row's weight times its class's weight, as scikit-learn's ``class_weight`` means it:
    None (weights unchanged), "balanced" (``n_samples / (n_classes * rows of the class)``, rows
    counted whatever their weight) or a dict label -> weight (classes it omits weigh 1)."""
    check_class_weight_param(class_weight)
    if class_weight is None:
        return sample_weight
    n_samples = _num_samples(y)
    codes, classes = check_classification_y(y, n_samples)
    if isinstance(class_weight, str) and class_weight == "balanced":
        per_class = n_samples / (len(classes) * np.bincount(codes, minlength=len(classes)))
    elif isinstance(class_weight, dict):
        # As scikit-learn: labels absent from y (a rare class missing from a CV fold) are fine,
        # unless some class of y then has no weight, which looks like a misspelt label.
        unknown = [key for key in class_weight if not any(same_label(key, c) for c in classes)]
        unweighted = [c for c in classes if not any(same_label(key, c) for key in class_weight)]
        if unknown and unweighted:
            raise ValueError(
                f"class_weight names labels that are not classes of y ({[py_scalar(k) for k in unknown]}) and "
                f"gives no weight to the classes {[py_scalar(c) for c in unweighted]}; use y's labels as its keys."
            )
        per_class = np.array([next((w for key, w in class_weight.items() if same_label(key, c)), 1.0)
                              for c in classes], dtype=np.float64)
    return check_sample_weight(sample_weight, n_samples) * per_class[codes]


def check_class_weight_param(class_weight):
    """Raise a ValueError unless ``class_weight`` is None, "balanced" or a dict of labels (strings,
    numbers, booleans) to finite weights >= 0."""
    if class_weight is None or (isinstance(class_weight, str) and class_weight == "balanced"):
        return
    if isinstance(class_weight, dict) and all(
        isinstance(key, (str, numbers.Number, np.bool_)) and isinstance(w, numbers.Real) and not isinstance(w, bool)
        and np.isfinite(w) and w >= 0
        for key, w in class_weight.items()
    ):
        return
    raise ValueError(
        "class_weight must be None, 'balanced' or a dict mapping class labels to finite weights >= 0, "
        f"got {class_weight!r}."
    )


class NotProvenOptimalWarning(UserWarning):
    """A search budget (work or time) ran out before the model was proven optimal."""


class CertifiedMixin:
    """``optimality_gap_`` of an exact search's model, from its ``objective_`` and ``lower_bound_``."""

    @property
    def optimality_gap_(self):
        """``objective_ - lower_bound_``: no model of the searched family has a lower objective by
        more (0 when ``optimal_``)."""
        return self.objective_ - self.lower_bound_


class ClassWeightMixin:
    """``class_weight`` for classifiers whose fit takes ``_weights(y, sample_weight)`` (rule lists,
    shallow trees); the class sets ``self.class_weight`` in its ``__init__``."""

    def _check_params(self):
        super()._check_params()
        check_class_weight_param(self.class_weight)

    def _weights(self, y, sample_weight):
        return class_weighted(self.class_weight, y, sample_weight)


class CriterionMixin:
    """``criterion`` for classifiers whose search minimises a region loss (rule lists, shallow
    trees; ``glassbox._regions.CRITERIA``); the class sets ``self.criterion`` in its ``__init__``."""

    def _check_params(self):
        super()._check_params()
        check_criterion(self.criterion)

    def _criterion(self):
        return check_criterion(self.criterion)


def same_label(key, label):
    """Whether ``key`` names the class ``label``: 1 and 1.0 name the same class, as in a dict;
    True does not name 1 (a bool is no number here)."""
    return isinstance(key, (bool, np.bool_)) == isinstance(label, (bool, np.bool_)) and key == label


def check_sample_weight(sample_weight, n_samples):
    """Return float64 weights of shape (n_samples,): finite, non-negative, not all zero."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=np.float64)
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, sample_weight, dtype=np.float64)
    try:
        sw = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"sample_weight must be numeric: {err}") from None
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has shape {sw.shape} but X has {n_samples} rows; "
            "pass one weight per row."
        )
    check_weight_summary(weight_summary(sw))
    return sw


def weight_summary(sw):
    """What :func:`check_weight_summary` checks, as counts and sums that add over partitions:
    ``[non-finite, negative, positive, sum, largest]``."""
    finite = np.isfinite(sw)
    ok = sw[finite]
    return np.array([sw.size - ok.size, (ok < 0).sum(), (ok > 0).sum(), ok.sum(), ok.max(initial=0.0)])


def check_weight_summary(summary):
    """A ValueError when weights are not finite, not non-negative, all zero, or overflow their sum.

    ``summary``: :func:`weight_summary` of the weights (the largest of the partitions' largest,
    the other entries summed)."""
    n_bad, n_negative, n_positive, total, largest = summary
    if n_bad:
        raise ValueError(f"sample_weight has {int(n_bad)} NaN or infinite values.")
    if n_negative:
        raise ValueError(
            f"sample_weight has {int(n_negative)} negative values; weights must be >= 0."
        )
    if not n_positive:
        raise ValueError("all sample weights are zero; at least one row needs a positive weight.")
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight sums to more than the largest float (its largest weight is {largest:.3g}); divide "
            "the weights by a constant: glassbox models do not depend on the weights' scale."
        )


def relative_weight(sw):
    """The weights every model computes with: uniform weights (of any size) as ones, others
    multiplied by the power of two that brings their mean into [0.5, 1). So a model does not
    depend on the weights' scale (uniform weights of 1e-300 or 1e300 fit the unweighted model;
    weights times a power of two fit the same model, bit for bit), nothing overflows or
    underflows, and scaling is exact: integer weights stay integers' multiples of one power of
    two, so sums (and ties between equal splits) are those of repeated rows."""
    if sw.size == 0 or np.all(sw == sw[0]):
        return np.ones_like(sw)
    _, exponent = np.frexp(sw.mean())  # the mean is finite: check_sample_weight checked the sum
    return np.ldexp(sw, -int(exponent))


def check_monotonic_cst(monotonic_cst, names, is_categorical, *, has_names):
    """Parse ``monotonic_cst`` (scikit-learn's meaning) into an int8 array, one entry per feature.

    Accepts None, an array-like of -1/0/+1 per feature, or a dict ``{feature_name: -1|0|1}``
    (which needs X with column names). Constraining a categorical feature is an error: its
    levels have no order to be monotone in.
    """
    n_features = len(names)
    cst = np.zeros(n_features, dtype=np.int8)
    if monotonic_cst is None:
        return cst
    if isinstance(monotonic_cst, dict):
        if not has_names:
            raise ValueError(
                "monotonic_cst as a dict needs X with column names (a DataFrame); "
                "with a numpy array pass a list with one entry per feature."
            )
        unknown = [k for k in monotonic_cst if k not in names]
        if unknown:
            raise ValueError(
                f"monotonic_cst names unknown features {unknown}; the features are {names}."
            )
        for key, value in monotonic_cst.items():
            cst[names.index(key)] = _cst_value(value, key)
    else:
        values = np.asarray(monotonic_cst)
        if values.ndim != 1 or values.shape[0] != n_features:
            raise ValueError(
                f"monotonic_cst has shape {values.shape} but X has {n_features} features; "
                "give one of -1, 0, 1 per feature, or a dict by feature name."
            )
        for i, value in enumerate(values):
            cst[i] = _cst_value(value, names[i])
    constrained_cats = [names[i] for i in np.flatnonzero(cst) if is_categorical[i]]
    if constrained_cats:
        raise ValueError(
            f"monotonic_cst constrains categorical features {constrained_cats}; their levels have "
            "no order. Drop the constraint, or pass the feature as numeric if its codes are ordered."
        )
    return cst


def _cst_value(value, name):
    if isinstance(value, np.generic):
        value = value.item()
    if value not in (-1, 0, 1) or isinstance(value, bool):
        raise ValueError(
            f"monotonic_cst for feature {name!r} is {value!r}; use -1 (decreasing), "
            "0 (unconstrained) or 1 (increasing)."
        )
    return int(value)
