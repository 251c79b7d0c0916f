"""Pairwise bin histograms: the statistics the exact depth-2 tree solver reads.

``hist[g, h, a, b, :]`` sums the per-row statistics of the rows whose (ordinal) code is ``a``
on feature g and ``b`` on feature h. Every depth-2 tree rooted on g, with children splitting on
h, is scored from ``hist[g, h]`` alone, so a node's rows are read once per pair of features.
Rows are added (sign +1) or removed (sign -1) so a caller can grow a child's histograms as a
root threshold moves instead of rebuilding them.
"""

from cython.parallel cimport prange

from glassbox._ext._typedefs cimport BIN_CODE_C, STAT_C


def add_pair_histograms(
    const BIN_CODE_C[::1, :] codes,      # IN: ordinal codes (n_samples, n_features)
    const Py_ssize_t[::1] rows,          # IN: the rows to add
    const STAT_C[:, ::1] stats,          # IN: per-row statistics (n_samples, n_stats)
    STAT_C sign,                         # IN: +1 adds the rows, -1 removes them
    STAT_C[:, :, :, :, ::1] hist,        # IN/OUT: (n_features, n_features, L, L, n_stats)
    int n_threads,
):
    cdef:
        Py_ssize_t n_features = codes.shape[1]
        Py_ssize_t n_rows = rows.shape[0]
        Py_ssize_t n_stats = stats.shape[1]
        Py_ssize_t g, h, i, r, c
        BIN_CODE_C a
    # One thread per root feature g: threads write disjoint hist[g] slices, so no races.
    for g in prange(n_features, schedule="dynamic", nogil=True, num_threads=n_threads):
        for i in range(n_rows):
            r = rows[i]
            a = codes[r, g]
            for h in range(n_features):
                for c in range(n_stats):
                    hist[g, h, a, codes[r, h], c] += sign * stats[r, c]


def add_feature_histograms(
    const BIN_CODE_C[::1, :] codes,      # IN: ordinal codes (n_samples, n_features)
    const Py_ssize_t[::1] rows,          # IN: the rows to add
    const STAT_C[:, ::1] stats,          # IN: per-row statistics (n_samples, n_stats)
    STAT_C[:, :, ::1] hist,              # IN/OUT: (n_features, L, n_stats)
    int n_threads,
):
    """``hist[g, a, :]`` += the statistics of the rows whose code is ``a`` on feature g: one
    feature at a time, for screening features that are too many for the pairwise histograms."""
    cdef:
        Py_ssize_t n_features = codes.shape[1]
        Py_ssize_t n_rows = rows.shape[0]
        Py_ssize_t n_stats = stats.shape[1]
        Py_ssize_t g, i, r, c
        BIN_CODE_C a
    # One thread per feature g: threads write disjoint hist[g] slices, so no races.
    for g in prange(n_features, schedule="static", nogil=True, num_threads=n_threads):
        for i in range(n_rows):
            r = rows[i]
            a = codes[r, g]
            for c in range(n_stats):
                hist[g, a, c] += stats[r, c]
