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


def pair_histograms_naive(codes, rows, stats, n_codes):
    """hist[g, h, a, b] = sum of stats over rows with code a on feature g and b on feature h."""
    p = codes.shape[1]
    out = np.zeros((p, p, n_codes, n_codes, stats.shape[1]))
    for g in range(p):
        for h in range(p):
            np.add.at(out[g, h], (codes[rows, g], codes[rows, h]), stats[rows])
    return out
