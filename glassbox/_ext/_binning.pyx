"""Map continuous feature values to bin codes (the hot half of ``Binner.transform``).

A value x of feature j gets code i iff thresholds_j[i - 1] < x <= thresholds_j[i], i.e. the
number of thresholds strictly below x; NaN gets the feature's missing code. Categorical columns
are coded in Python through pandas' hash tables and never reach this kernel.
"""

from cython.parallel cimport prange
from libc.math cimport isnan, isinf

from glassbox._ext._typedefs cimport X_DTYPE_C, BIN_CODE_C, OFFSET_C

# Rows per block: a block of every column (at most ~1 MB for 64 float64 columns) stays in cache
# while each column's thresholds stay in L1, whichever memory order X has.
cdef Py_ssize_t BLOCK_ROWS = 2048


def map_to_bins(
    const X_DTYPE_C[:, :] X,                # IN: continuous columns, C- or F-ordered
    const X_DTYPE_C[::1] thresholds,        # IN: every column's sorted thresholds, concatenated
    const OFFSET_C[::1] offsets,            # IN: column j's thresholds are [offsets[j], offsets[j+1])
    const BIN_CODE_C[::1] missing_codes,    # IN: code for NaN, per column
    const OFFSET_C[::1] out_columns,        # IN: column of `out` that column j of X fills
    BIN_CODE_C[::1, :] out,                 # OUT: the binned matrix, Fortran-ordered
    int n_threads,
):
    """Fill `out` and return the number of infinite values met (their codes are meaningless:
    the caller must raise when this is not zero)."""
    cdef:
        Py_ssize_t n_samples = X.shape[0]
        Py_ssize_t n_columns = X.shape[1]
        Py_ssize_t n_blocks = (n_samples + BLOCK_ROWS - 1) // BLOCK_ROWS
        Py_ssize_t block, start, stop, i, j, k, first, count, base, half
        X_DTYPE_C x
        Py_ssize_t n_inf = 0

    for block in prange(n_blocks, schedule="static", nogil=True, num_threads=n_threads):
        start = block * BLOCK_ROWS
        stop = min(start + BLOCK_ROWS, n_samples)
        for j in range(n_columns):
            first = offsets[j]
            count = offsets[j + 1] - first
            k = out_columns[j]
            for i in range(start, stop):
                x = X[i, j]
                if isnan(x):
                    out[i, k] = missing_codes[j]
                    continue
                if isinf(x):  # glibc's isinf(-inf) is -1: count, never sum the result
                    n_inf += 1
                # Branch-free lower bound: a fixed number of halvings whose outcome is added,
                # not branched on, so unpredictable data costs no mispredictions.
                base = 0
                half = count
                while half > 1:
                    base = base + (half >> 1) * (thresholds[first + base + (half >> 1) - 1] < x)
                    half = half - (half >> 1)
                if count > 0:
                    base = base + (thresholds[first + base] < x)
                out[i, k] = <BIN_CODE_C>base
    return n_inf
