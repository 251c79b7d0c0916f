"""Slow NumPy twins of the Cython kernels, used only to check the kernels in tests."""

import numpy as np


def map_to_bins_naive(X, thresholds_per_column, missing_codes):
    """Codes by definition: the number of thresholds strictly below x; NaN -> missing code."""
    out = np.empty(X.shape, dtype=np.uint8, order="F")
    for j, thresholds in enumerate(thresholds_per_column):
        column = np.asarray(X[:, j], dtype=np.float64)
        codes = np.searchsorted(thresholds, column, side="left")
        out[:, j] = np.where(np.isnan(column), missing_codes[j], codes)
    return out
