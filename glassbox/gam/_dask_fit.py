"""GAMClassifier / GAMRegressor ``fit`` on Dask collections: :mod:`glassbox.gam._partitioned` with
Dask mapping its block functions over the partitions."""

from glassbox._dask_partitions import DaskPartitions
from glassbox.gam._partitioned import fit_partitioned


def fit_on_dask(model, X, y, sample_weight):
    return fit_partitioned(model, DaskPartitions(X, y, sample_weight, what=f"{type(model).__name__}.fit"))
