"""Dask collections as glassbox inputs: recognising them, and the optional import.

Core layer: nothing here knows a model. glassbox never imports Dask unless the caller already
passes a Dask collection (a collection cannot exist without Dask imported), so the package works
without the ``dask`` extra and pays nothing for it.
"""

import sys

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
