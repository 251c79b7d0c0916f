"""Local explanations of a Dask collection: the per-row frame, computed partition by partition.

An in-memory :class:`~glassbox.explain.LocalExplanation` holds a dict, a text and a figure per
row: fine for the rows a person reads, not for millions. On Dask only the frame is built, lazily,
by the family's own ``local_frame`` run on each partition, so its rows equal the in-memory ones;
everything that reads rows one by one asks for an in-memory slice instead.
"""

import functools

from glassbox._base import as_table, target_1d
from glassbox._dask import check_columns, map_frames, missing_row, row_blocks, target_probe


class DaskLocalExplanation:
    """``model.explain_local(X, y)`` of a Dask DataFrame or Array: a lazy per-row frame.

    ``to_frame()`` is a Dask DataFrame with the in-memory frame's columns and dtypes, one row per
    row of X, indexed like X (an Array's rows by position) and partitioned like it; nothing is
    computed until it is. The per-row accessors of an in-memory explanation (``data``,
    ``visualize``, ``plot``, ``to_text``, ``selector``) raise a TypeError saying how to explain
    an in-memory slice, e.g. ``model.explain_local(X.head(100))``.

    Attributes
    ----------
    model : the fitted glassbox model whose structure explains the rows (a distilled model's student)
    name : str
    """

    explanation_type = "local"

    def __init__(self, model, *, name, frame):
        self.model = model
        self.name = name
        self._frame = frame

    def to_frame(self):
        """The explanation as a lazy Dask DataFrame, one row per sample."""
        return self._frame

    def _in_memory_only(self, *args, **kwargs):
        raise TypeError(
            "this explanation of a Dask collection is lazy: only to_frame() (a Dask DataFrame) is available. "
            "Per-row dicts, texts and figures need the rows in memory: explain an in-memory slice, e.g. "
            "model.explain_local(X.head(100)) or model.explain_local(X.partitions[0].compute())."
        )

    data = visualize = plot = to_text = _in_memory_only

    @property
    def selector(self):
        self._in_memory_only()

    def __str__(self):
        return repr(self)

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}: {self._frame.npartitions} partitions, lazy>"


def explain_local_dask(model, adapter, X, y, name):
    """The :class:`DaskLocalExplanation` of ``model`` (the inspected model, not a distilled wrapper)
    with its family's explanation ``adapter``; X's columns are checked now."""
    X = row_blocks(X)
    probe_y = None if y is None else target_probe(y)
    meta = adapter.local_frame(model, missing_row(model), probe_y)
    check_columns(model, X)
    function = functools.partial(_block_frame, adapter.local_frame, model)
    return DaskLocalExplanation(model, name=name, frame=map_frames(function, X, y, meta=meta))


def _block_frame(local_frame, model, X, y):
    # The in-memory explain_local's own checks, on this block.
    X = as_table(X)
    return local_frame(model, X, None if y is None else target_1d(y, X.shape[0]))
