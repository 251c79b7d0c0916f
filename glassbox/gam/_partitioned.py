"""A GAM fitted on data held in row partitions (a Dask collection, or any engine with a ``map``).

The in-memory fit needs every row only through sums: the bins' level and code counts, the loss's
target sums, and each term's histograms of weight. The rows it boosts on are the ones its bags and
its pair ranking draw, at most ``max_samples`` each, chosen by row number from the number of rows
alone. So a partitioned fit makes four passes, each a plain function of one partition's blocks
(pandas or NumPy) whose results add up to the whole data's:

1. :func:`summarize_block`: row count, categorical levels, classes or target signs, weight sums;
2. :func:`gather_block`: the drawn rows (binning subsample, bags, pair ranking), target sums;
3. :func:`code_counts_block`: training rows per bin code (for the pair grids);
4. :func:`histograms_block`: each fitted term's weight per cell;

and boosts in memory on the gathered rows. The bins, drawn rows and sums equal the in-memory fit's,
so the model is too: bit for bit where the sums are exact in float64 (no weights or equal weights,
and class labels or targets on a binary grid such as counts), else to rounding (the sums add in
another order, which can also move early stopping by a round).
"""

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.utils import check_random_state

from glassbox._base import (
    check_regression_y, check_weight_summary, check_X, class_labels, feature_names, fix_event, target_1d,
    weight_summary,
)
from glassbox._losses import classification_loss, regression_loss, sign_counts
from glassbox.binning import (NUMERIC_KINDS, Binner, _column, is_categorical_column, level_counts,
                              merge_level_counts)
from glassbox.gam._gam import _Sample
from glassbox.gam._term import term_histograms


@dataclass(frozen=True)
class Weighting:
    """How raw weights become the relative weights a fit computes with (``relative_weight``
    over the whole data, then divided by their mean)."""

    uniform: bool
    exponent: int
    mean: float

    def relative(self, w, n_rows):
        if self.uniform or w is None:
            return np.ones(n_rows)
        return np.ldexp(w, -self.exponent) / self.mean


@dataclass(frozen=True)
class TermGrid:
    """A term's features and grid, what :func:`term_histograms` reads (without the tables)."""

    features: tuple
    bins: tuple
    code_maps: tuple


def _in_partition(fn):
    """Name the partition in a block function's errors: they surface on the client."""

    def wrapped(X, y, w, *, index, **kwargs):
        try:
            return fn(X, y, w, **kwargs)
        except (ValueError, TypeError) as err:
            raise type(err)(f"partition {index}: {err}") from None

    wrapped.__name__, wrapped.__doc__, wrapped.__wrapped__ = fn.__name__, fn.__doc__, fn
    return wrapped


def _ignores_target(fn):
    fn.reads_target = False
    return fn


def _frame(X, names):
    """A block as the in-memory fit sees it: a DataFrame with the fit's columns, or a 2-D array."""
    if names is None:
        return np.asarray(X)
    return X if isinstance(X, pd.DataFrame) else pd.DataFrame(X, columns=names)


def _weights(w, n_rows):
    if w is None:
        return np.ones(n_rows)
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (n_rows,):
        raise ValueError(f"X has {n_rows} rows but sample_weight has {w.shape[0]}; they must be partitioned alike.")
    return w


@_in_partition
def summarize_block(X, y, w, *, names, level_columns, object_columns, classifier):
    """Pass 1: ``n``, the levels of ``level_columns``, what pandas infers each of
    ``object_columns`` holds, the classes (classifier) or target sign counts, and
    :func:`weight_summary` with the weights' range."""
    X = _frame(X, names)
    n = X.shape[0]
    y = target_1d(y, n) if n else np.asarray(y)
    out = {"n": n, "levels": {j: level_counts(_column(X, j), str(j)) for j in level_columns},
           "kinds": {j: pd.api.types.infer_dtype(_column(X, j), skipna=True) for j in object_columns}}
    if classifier:
        out["classes"] = class_labels(y)[0] if n else np.asarray(y)[:0]
    else:
        target = check_regression_y(y, n) if n else np.zeros(0)
        out["signs"] = np.array(sign_counts(target))
    weight = _weights(w, n)
    out["weights"] = weight_summary(weight)
    out["range"] = (weight.min(initial=np.inf), weight.max(initial=-np.inf))
    return out


@_in_partition
def gather_block(X, y, w, *, names, rows, classes, loss, n_scores, weighting):
    """Pass 2: the rows ``rows`` (positions in this block) of X, the encoded target, the class
    codes to stratify by, the relative weights; and the loss's target sums over the block."""
    X = _frame(X, names)
    n = X.shape[0]
    y = target_1d(y, n) if n else np.asarray(y)
    if classes is not None:
        strata = pd.Index(classes, dtype=object).get_indexer(np.asarray(y, dtype=object)).astype(np.intp)
        target = strata.astype(np.float64)
    else:
        strata, target = None, check_regression_y(y, n) if n else np.zeros(0)
    weight = _weights(w, n)
    relative = weighting.relative(weight, n)
    picked = X.iloc[rows] if names is not None else X[rows]
    return (picked, target[rows], None if strata is None else strata[rows], relative[rows],
            loss.target_sums(target, relative, n_scores))


def reads_target(fn):
    """Whether block function ``fn`` reads its ``y`` (a wrapper computing y can skip it)."""
    return getattr(fn, "reads_target", True)


@_ignores_target
@_in_partition
def code_counts_block(X, y, w, *, names, binner, features):
    """Pass 3: training rows per code of each feature."""
    codes = binner._codes(_frame(X, names), features, warn_unseen=False)
    return [np.bincount(codes[:, j], minlength=f.n_codes) for j, f in enumerate(features)]


@_ignores_target
@_in_partition
def histograms_block(X, y, w, *, names, binner, terms, weighting):
    """Pass 4: :func:`term_histograms` of the block's rows."""
    X = _frame(X, names)
    codes = binner._codes(X, binner.features_, warn_unseen=False)
    if w is None:
        return term_histograms(codes, terms, None, None)
    weight = _weights(w, X.shape[0])
    return term_histograms(codes, terms, weight, weighting.relative(weight, X.shape[0]))


def fit_partitioned(model, parts):
    """Fit ``model`` (a GAM) on ``parts`` (:class:`~glassbox._dask.DaskPartitions` or any object
    with its ``map``, ``names`` and ``dtypes``). On any error the model is left unfitted."""
    before = set(vars(model))
    try:
        return _fit(model, parts)
    except BaseException:
        for key in set(vars(model)) - before | {k for k in before if k.endswith("_") and not k.startswith("__")}:
            vars(model).pop(key, None)
        raise


def _fit(model, parts):
    model._check_params()
    if model.max_samples is None:
        raise ValueError(
            "max_samples=None makes every bag use every row, which would gather the whole Dask collection onto "
            "this machine; set max_samples to the rows a bag may use (the default is 200_000)."
        )
    started = time.perf_counter()
    names, classifier, n_features = parts.names, is_classifier(model), len(parts.dtypes)
    rng = check_random_state(model.random_state)
    binner = Binner(max_bins=model.max_bins, categorical_features=model.categorical_features, n_jobs=model.n_jobs,
                    random_state=rng.randint(np.iinfo(np.int32).max))
    binner._check_params()
    for estimator in (binner, model):  # what check_X records on a frame (validated on the rows gathered below)
        estimator.n_features_in_ = n_features
        if names is not None:
            estimator.feature_names_in_ = np.asarray(names, dtype=object)

    # Pass 1. "auto" reads a column's dtype, and an object column's values (in every partition).
    auto = isinstance(model.categorical_features, str) and model.categorical_features == "auto"
    by_dtype = np.array([is_categorical_column(pd.Series([], dtype=d)) for d in parts.dtypes])
    objects = [j for j, d in enumerate(parts.dtypes) if d == object] if auto else []
    given = None if auto else binner._categorical_mask(None, feature_names(binner))
    summaries = parts.map(summarize_block, names=names, object_columns=objects, classifier=classifier,
                          level_columns=list(np.flatnonzero(by_dtype if auto else given)))
    n_samples = sum(s["n"] for s in summaries)
    if n_samples == 0:
        raise ValueError("the Dask collection has no rows; a fit needs at least one.")
    lengths = np.array([s["n"] for s in summaries])
    weighting = _weighting(summaries, n_samples)
    if classifier:
        classes = class_labels(np.concatenate([s["classes"] for s in summaries]))[0]
        if len(classes) < 2:
            raise ValueError(f"y has only one class ({classes[0]!r}); a classifier needs at least two classes.")
        model.classes_ = classes
        fix_event(model)
        loss = classification_loss(len(classes))
    else:
        classes, loss = None, regression_loss(model.loss)
        loss.check_signs(*np.sum([s["signs"] for s in summaries], axis=0))
    is_cat = given if not auto else by_dtype.copy()
    for j in objects:  # numeric iff every partition holding a value holds only numbers
        kinds = {s["kinds"][j] for s in summaries if s["n"]} - {"empty"}
        is_cat[j] = not kinds or not kinds <= set(NUMERIC_KINDS)
    plan = model._plan(is_cat, n_samples, rng)

    # Pass 2: gather the drawn rows (binning subsample, bags, pair ranking).
    subsample = binner._subsample_rows(n_samples)  # drawn once: at 50M rows a draw takes 3 s
    wanted = [subsample, *(d.rows for d in plan.draws), plan.rank_rows]
    rows = np.unique(np.concatenate([np.arange(n_samples) if r is None else r for r in wanted]))
    starts = np.concatenate([[0], np.cumsum(lengths)])
    per_partition = [{"rows": rows[(rows >= a) & (rows < b)] - a} for a, b in zip(starts[:-1], starts[1:])]
    gathered = parts.map(gather_block, per_partition, names=names, classes=classes, loss=loss,
                         n_scores=model._n_scores(loss), weighting=weighting)
    X_rows = pd.concat([g[0] for g in gathered]) if names is not None else np.concatenate([g[0] for g in gathered])
    y_rows, scaled_rows = (np.concatenate([g[k] for g in gathered]) for k in (1, 3))
    strata = None if classes is None else np.concatenate([g[2] for g in gathered])
    sums = np.sum([g[4] for g in gathered], axis=0)

    # The bins: thresholds from the subsample's rows, levels from every row (pass 1), code counts
    # from every row (pass 3).
    X_rows = check_X(binner, X_rows, reset=True)
    check_X(model, X_rows, reset=True)
    sample = X_rows if subsample is None else _take(X_rows, np.searchsorted(rows, subsample))
    levels = {j: merge_level_counts([s["levels"][j] for s in summaries]) for j in np.flatnonzero(is_cat)}
    features = binner._features(sample, is_cat, levels)
    counts = parts.map(code_counts_block, names=names, binner=binner, features=features)
    binner._set_counts(features, [np.sum([c[j] for c in counts], axis=0) for j in range(n_features)])
    model.binner_ = binner

    codes = binner._codes(X_rows, binner.features_, warn_unseen=False)

    def histograms(terms):  # pass 4, once the terms are known
        grids = [TermGrid(t.features, t.bins, t.code_maps) for t in terms]
        blocks = parts.map(histograms_block, names=names, binner=binner, terms=grids, weighting=weighting)
        return {key: tuple(np.sum([b[key][k] for b in blocks], axis=0) for k in range(2)) for key in blocks[0]}

    return model._fit_sample(plan, binner.features_, _Sample(codes, y_rows, scaled_rows, strata, rows), loss, sums,
                             histograms, started)


def _take(X, positions):
    return X.iloc[positions] if isinstance(X, pd.DataFrame) else X[positions]


def _weighting(summaries, n_samples):
    """Check the weights (as in memory) and fix their scaling from the partitions' sums."""
    summary = np.sum([s["weights"] for s in summaries], axis=0)
    summary[4] = max(s["weights"][4] for s in summaries)
    check_weight_summary(summary)
    low = min(s["range"][0] for s in summaries)
    high = max(s["range"][1] for s in summaries)
    if low == high:
        return Weighting(True, 0, 1.0)
    _, exponent = np.frexp(summary[3] / n_samples)
    return Weighting(False, int(exponent), float(np.ldexp(summary[3], -int(exponent)) / n_samples))
