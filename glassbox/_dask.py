"""Dask collections as glassbox inputs: recognising them, the optional import, and mapping a
row-by-row computation over a collection's partitions lazily.

Core layer: nothing here knows a model family. glassbox never imports Dask unless the caller
already passes a Dask collection (a collection cannot exist without Dask imported), so the
package works without the ``dask`` extra and pays nothing for it.

Scoring and explaining answer each row from that row alone, so on Dask they are the in-memory
code run on each partition: the results are bit-identical to the in-memory ones, and another
engine could call the same functions on its own blocks. What a result looks like (its dtype,
its columns) is found by running the same code on one row of missing values, which every
glassbox model scores: the ``meta`` is then what the partitions really return, never a guess.
"""

import functools
import sys

import numpy as np
import pandas as pd

DASK_EXTRA = 'pip install "glassbox[dask]"'


def is_dask(obj):
    """Whether ``obj`` is a Dask collection (DataFrame, Series, Array, ...)."""
    if "dask" not in sys.modules:
        return False
    import dask

    return dask.is_dask_collection(obj)


def require_dask(what="this"):
    """Import and return ``dask``; an ImportError naming the extra when it is absent."""
    try:
        import dask
        import dask.array  # noqa: F401
        import dask.dataframe  # noqa: F401
    except ImportError as err:
        raise ImportError(
            f"{what} needs Dask, which is not installed ({err}); install glassbox's dask extra: {DASK_EXTRA}"
        ) from None
    return dask


def rowwise(method):
    """Decorate a public method ``method(self, X)`` whose answer for a row depends on that row alone.

    Given a Dask DataFrame or 2-D Dask Array, the method returns a lazy Dask Array instead:
    the method itself run on each partition (see :func:`map_rows`). Anything else goes to the
    method unchanged.
    """

    @functools.wraps(method)
    def wrapper(self, X):
        if is_dask(X):
            # The bound method, not ``method``: a worker unpickles it by the model and the name,
            # and calls it on a pandas partition, which this wrapper passes straight through.
            return map_rows(getattr(self, method.__name__), X)
        return method(self, X)

    # Method docstrings are indented by 8 spaces, as help() and numpydoc expect of a method.
    wrapper.__doc__ = (method.__doc__ or "").rstrip() + _ROWWISE_NOTE
    return wrapper


_ROWWISE_NOTE = """

        Notes
        -----
        On a Dask DataFrame or 2-D Dask Array: a lazy Dask Array, computed partition by partition,
        equal to the in-memory result (docs/inspect.md, "Scoring and explaining on Dask").
        """


def map_rows(method, X):
    """``method(block)`` for every row block of a Dask collection, as a lazy Dask Array.

    Parameters
    ----------
    method : bound method of a fitted glassbox model
        Takes an in-memory table of rows and returns an array with one entry (or one row) per row.
    X : Dask DataFrame or 2-D Dask Array
        A DataFrame is mapped partition by partition, an Array block of rows by block of rows
        (its columns gathered into one block first).

    Returns
    -------
    dask Array
        Chunked along the rows as X is (chunk sizes unknown for a DataFrame, whose partitions'
        lengths are unknown until computed), with the dtype and trailing shape ``method``
        returns. Nothing is computed; X's columns are checked against the fit now.
    """
    dask = require_dask("scoring a Dask collection")
    model = method.__self__
    X = row_blocks(X)
    empty = method(missing_row(model))[:0]
    check_columns(model, X)
    shared = _one_key(dask, method)
    if _is_dask_array(X):
        tail = empty.shape[1:]  # () for one value per row, (n_classes,) ..., (n_terms, n_classes)
        layout = {"drop_axis": 1} if not tail else {"new_axis": list(range(2, 1 + len(tail)))}
        return X.map_blocks(_rows_of_block, shared, empty, dtype=empty.dtype, meta=empty,
                            chunks=(X.chunks[0],) + tuple((n,) for n in tail), **layout)
    return X.map_partitions(_rows_of_block, shared, empty, meta=empty)


def _one_key(dask, function):
    """``function`` (a model's method, or a function holding a model) as one key of the graph.
    A fitted model can weigh megabytes (a GAM's pair tables): as an argument of every task it
    would be sent with every task; as one key, a worker fetches it once."""
    return dask.delayed(function, pure=True)


def _rows_of_block(block, method, empty):
    # The in-memory checks refuse a table of no rows; an empty partition answers no rows.
    return empty if len(block) == 0 else method(block)


def map_frames(function, X, y=None, *, meta, rows_level=None):
    """``function(X_block, y_block)`` for every row block of X (and y), as a lazy Dask DataFrame.

    Parameters
    ----------
    function : callable
        Takes an in-memory table of rows and its targets (or None) and returns a DataFrame with
        one row per row, indexed like the block. Array blocks come as NumPy arrays; their frames
        are indexed by row position in X, as a DataFrame made from the whole array would be.
    X : Dask DataFrame or 2-D Dask Array
    y : Dask Series or 1-D Dask Array, or None
        Split into as many partitions (blocks) as X, in the same order.
    meta : DataFrame
        ``function``'s result on some rows; its columns and dtypes are the result's.
    rows_level : int or None
        None: ``function`` gives one frame row per row, indexed like the block. An int: any number
        of frame rows per row (reason codes), under a MultiIndex whose level ``rows_level`` holds
        the row's label; the result's divisions are then unknown.

    Returns
    -------
    dask DataFrame
        One partition per block of X, with X's divisions (an Array's, from its block sizes).
    """
    dask = require_dask("explaining a Dask collection")
    X = row_blocks(X)
    blocks, divisions = _delayed_blocks(X)
    targets = [None] * len(blocks) if y is None else _delayed_targets(y, len(blocks))
    empty = meta.iloc[:0]
    if _is_dask_array(X):
        if rows_level is None:
            empty.index = pd.RangeIndex(0)
        starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).astype(int)
    else:
        if rows_level is None:
            empty.index = X._meta.index
        starts = [None] * len(blocks)
    if rows_level is not None:
        divisions = (None,) * (len(blocks) + 1)
        # The row labels' level: X's index type, or positions (int64) for an Array.
        levels = [empty.index.get_level_values(k)[:0] for k in range(empty.index.nlevels)]
        levels[rows_level] = pd.Index([], dtype=np.int64) if _is_dask_array(X) else X._meta.index[:0]
        empty.index = pd.MultiIndex.from_arrays(levels, names=empty.index.names)
    shared = _one_key(dask, function)
    parts = [dask.delayed(_frame_of_block)(block, target, shared, empty, start, rows_level)
             for block, target, start in zip(blocks, targets, starts)]
    # Dask would otherwise turn object columns into pyarrow strings, dicts and lists included:
    # the frames are kept as the in-memory code makes them.
    with dask.config.set({"dataframe.convert-string": False}):
        return dask.dataframe.from_delayed(parts, meta=empty, divisions=divisions)


def _frame_of_block(block, target, function, empty, start, rows_level=None):
    if len(block) == 0:
        return empty
    frame = function(block, target)
    if start is not None and rows_level is None:  # an array block: its rows' positions in the whole array
        frame.index = pd.RangeIndex(start, start + len(frame))
    elif start is not None:
        levels = [frame.index.get_level_values(k) for k in range(frame.index.nlevels)]
        levels[rows_level] = levels[rows_level] + start
        frame.index = pd.MultiIndex.from_arrays(levels, names=frame.index.names)
    return frame


def _delayed_blocks(X):
    """``(one Delayed table per block of rows, divisions)``."""
    if not _is_dask_array(X):
        # Unoptimised graphs, here and for y: optimising X and y apart may fuse their partitions
        # differently (a lone column of a Parquet read fuses into fewer partitions than the rest).
        return list(X.to_delayed(optimize_graph=False)), X.divisions
    rows = X.chunks[0]
    if any(np.isnan(n) for n in rows):
        raise ValueError(
            "this Dask Array's blocks have unknown row counts, so its rows cannot be indexed by "
            "position as in memory; call X.compute_chunk_sizes() first, or pass a Dask DataFrame."
        )
    ends = np.cumsum(rows)
    # Divisions must grow strictly: with an empty block (or no rows at all) they stay unknown.
    known = len(rows) and all(n > 0 for n in rows)
    divisions = tuple([0] + [int(e) for e in ends[:-1]] + [int(ends[-1]) - 1]) if known else (None,) * (len(rows) + 1)
    return list(X.to_delayed(optimize_graph=False).ravel()), divisions


def _delayed_targets(y, n_blocks):
    """y's blocks, checked to line up one to one with X's."""
    target_probe(y)
    blocks = list((y.to_delayed(optimize_graph=False).ravel() if _is_dask_array(y) else y.to_delayed(optimize_graph=False)))
    if len(blocks) != n_blocks:
        raise ValueError(
            f"X has {n_blocks} partitions but y has {len(blocks)}; y must be split into the same partitions "
            "as X (take both from one Dask DataFrame, or repartition them alike)."
        )
    return blocks


def target_probe(y):
    """One target value of y's type, made from its metadata without computing y: what a
    computation on y returns for it has the dtype it returns for y's real values.

    y must be a Dask Series, or a 1-D Dask Array of numbers or booleans (an array of objects
    says nothing of its values' type)."""
    if not is_dask(y):
        raise TypeError(
            f"X is a Dask collection but y is a {type(y).__name__}: pass y as a Dask Series or 1-D Dask Array "
            "split into the same partitions as X, e.g. X = ddf[features] and y = ddf[target] from one "
            "Dask DataFrame."
        )
    import dask.dataframe as dd

    if isinstance(y, dd.Series):
        return y._meta_nonempty.iloc[:1]
    if _is_dask_array(y) and y.ndim == 1 and y.dtype.kind in "biuf":
        return np.zeros(1, dtype=y.dtype)
    raise ValueError(
        f"y must be a Dask Series or a 1-D Dask Array of numbers or booleans, got a {type(y).__name__} "
        f"({getattr(y, 'ndim', '?')}-D, dtype {getattr(y, 'dtype', '?')}); for labels, pass a Dask Series."
    )


def row_blocks(X):
    """X checked to be a Dask DataFrame or a 2-D Dask Array (with its columns in one block)."""
    require_dask("a Dask input")
    if _is_dask_array(X):
        if X.ndim != 2:
            raise ValueError(
                f"Expected a 2-D Dask Array but got a {X.ndim}-D one of shape {X.shape}. Reshape it with "
                "X.reshape(-1, 1) for one feature, or pass a Dask DataFrame."
            )
        return X if X.numblocks[1] == 1 else X.rechunk({1: -1})
    import dask.dataframe as dd

    if isinstance(X, dd.Series):
        raise ValueError("Expected a 2-D table but got a Dask Series; use X.to_frame() for one feature.")
    if not isinstance(X, dd.DataFrame):
        raise TypeError(
            f"glassbox scores a Dask DataFrame or a 2-D Dask Array, not a {type(X).__name__}; convert it to "
            "one of these (e.g. bag.to_dataframe())."
        )
    return X


def _is_dask_array(X):
    import dask.array as da

    return isinstance(X, da.Array)


def missing_row(model):
    """One row of missing values laid out as ``model`` was fitted (its column names, or an array):
    every glassbox model scores it, so what a method returns for it shows the dtype and shape of
    what it returns for any rows."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        return np.full((1, model.n_features_in_), np.nan)
    return pd.DataFrame({name: [np.nan] for name in names})


def check_columns(model, X):
    """Check a Dask collection's columns against ``model``'s fit now, not in a worker, with the
    in-memory check and message (made on a fake row of X's own columns and dtypes)."""
    from glassbox._base import check_X

    if _is_dask_array(X):
        check_X(model, np.zeros((1, X.shape[1]), dtype=X.dtype), reset=False)
    else:
        check_X(model, X._meta_nonempty, reset=False)


def refuse_dask_fit(estimator, family, **inputs):
    """A TypeError if any of ``inputs`` (X, y, sample_weight) is a Dask collection: ``family``
    (the estimator's, in words) is fitted in memory. Says how to fit on such data instead."""
    given = [name for name, value in inputs.items() if is_dask(value)]
    if not given:
        return
    raise TypeError(
        f"{type(estimator).__name__}.fit got a Dask collection ({', '.join(given)}), but {family} are fitted "
        "in memory. Fit on a sample that fits in memory, e.g. "
        "sample = ddf.sample(frac=0.05, random_state=0).compute() and then "
        "fit(sample[features], sample[target]); or fit a GAMClassifier / GAMRegressor on the Dask data and "
        f"distil it into this model with glassbox.distill on an in-memory sample. Once fitted, the model "
        "scores and explains Dask collections partition by partition."
    )
