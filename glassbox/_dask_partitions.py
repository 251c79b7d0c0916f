"""X, y and sample_weight as Dask collections partitioned alike, for fitting on Dask.

Core layer, beside :mod:`glassbox._dask` (which scores and explains): nothing here knows a model.
"""

from glassbox._dask import require_dask
class DaskPartitions:
    """X, y and sample_weight as Dask collections partitioned alike, and ``map``, which runs a
    plain function over each partition's pandas / NumPy blocks on the cluster.

    Any other engine (Spark's ``mapInPandas``, Ray) can stand in for this class: a fit needs only
    ``map``, ``names`` and ``dtypes`` (docs/scale.md).

    Attributes
    ----------
    names : list of str or None
        The Dask DataFrame's column names; None for a Dask Array.
    dtypes : list of dtype
        Each column's dtype (the Array's dtype, repeated).
    n_partitions : int
    """

    def __init__(self, X, y, sample_weight=None, *, what="this fit"):
        self._dask = require_dask(what)
        import dask.array as da
        import dask.dataframe as dd

        if isinstance(X, dd.DataFrame):
            self.names = [str(c) for c in X.columns]
            self.dtypes = list(X.dtypes)
            # Unoptimised graphs: optimising X and y apart may fuse their partitions differently
            # (a lone column of a Parquet read fuses into fewer partitions than the rest).
            self._X = X.to_delayed(optimize_graph=False)
        elif isinstance(X, da.Array):
            if X.ndim != 2:
                raise ValueError(f"Expected a 2-D Dask Array but got {X.ndim}-D input of shape {X.shape}.")
            self.names = None
            self.dtypes = [X.dtype] * X.shape[1]
            self._X = list(X.rechunk({1: -1}).to_delayed(optimize_graph=False).ravel())  # one block per row partition
        else:
            raise TypeError(
                f"{what}: X is a {type(X).__name__}; with a Dask y or sample_weight, X must be a Dask DataFrame or "
                "Array partitioned like them (or pass all three in memory)."
            )
        self.n_partitions = len(self._X)
        self._y = [None] * self.n_partitions if y is None else self._vector_parts(y, "y", what)
        self._w = None if sample_weight is None else self._vector_parts(sample_weight, "sample_weight", what)

    def _vector_parts(self, v, name, what):
        import dask.array as da
        import dask.dataframe as dd

        if isinstance(v, dd.DataFrame):
            if len(v.columns) != 1:
                raise ValueError(f"{name} is a Dask DataFrame with {len(v.columns)} columns; pass one column.")
            v = v[v.columns[0]]
        if isinstance(v, da.Array) and v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]
        if isinstance(v, dd.Series):
            parts = v.to_delayed(optimize_graph=False)
        elif isinstance(v, da.Array) and v.ndim == 1:
            parts = list(v.to_delayed(optimize_graph=False))
        else:
            raise TypeError(
                f"{what}: {name} is a {type(v).__name__}; with a Dask X it must be a Dask Series or 1-D Array "
                "partitioned like X (e.g. a column of the same Dask DataFrame)."
            )
        if len(parts) != self.n_partitions:
            raise ValueError(
                f"X has {self.n_partitions} partitions but {name} has {len(parts)}; they must be partitioned "
                "alike (e.g. columns of one Dask DataFrame, or Arrays with the same row chunks)."
            )
        return parts

    def map(self, fn, per_partition=None, **shared):
        """``[fn(X_block, y_block, w_block, index=i, **shared, **per_partition[i])]`` computed
        on the cluster, in partition order; ``y_block`` / ``w_block`` are None without y / weights. Each shared
        argument goes into the graph once, not once per partition."""
        delayed = self._dask.delayed
        shared = {k: delayed(v) for k, v in shared.items()}
        per_partition = per_partition or [{}] * self.n_partitions
        tasks = [delayed(fn)(x, y, None if self._w is None else self._w[i], index=i, **shared, **per_partition[i])
                 for i, (x, y) in enumerate(zip(self._X, self._y))]
        return list(self._dask.compute(*tasks))
