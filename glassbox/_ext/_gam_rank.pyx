"""Gains of candidate pairs for interaction detection: each pair's histogram and its best step.

Ranking pairs (glassbox/gam/_interactions.py) gives every candidate pair the gain of the best
depth-2 step on its coarse grid, from the gradients of the main-effect model. Pairs are
independent, so threads take whole pairs (each with its own scratch); one pair is one pass over
the rows that fills every class's histogram at once. A pair's sums are added in the row chunks
of ``build_histogram`` (``CHUNK_ROWS``), chunk sums in chunk order from zero, and its gain is the
classes' gains added in class order: the same numbers to the bit as a histogram per class from
``build_histogram`` and a gain per class from ``pair_step_py``, whatever the thread count.
"""

import numpy as np

from cython.parallel cimport prange, threadid
from libc.string cimport memset

from glassbox._ext._typedefs cimport CELL_CODE_C, GradHess, INDEX_C, Y_DTYPE_C
from glassbox._ext._typedefs import GRAD_HESS_DTYPE
from glassbox._ext._gam_histogram cimport CHUNK_ROWS
from glassbox._ext._gam_split cimport StepParams, pair_fwork_size, pair_step


cdef void _pair_histogram(const CELL_CODE_C[::1, :] coarse, INDEX_C a, INDEX_C b, INDEX_C n_b,
                          const Y_DTYPE_C[:, ::1] gradients, const Y_DTYPE_C[:, ::1] hessians,
                          INDEX_C n_entries, GradHess* chunk, GradHess* hist, INDEX_C* counts) noexcept nogil:
    # hist[cell * n_scores + k]: the class-k sums of the rows in the cell (first code * n_b +
    # second), row chunk by row chunk; counts[cell]: its rows.
    cdef INDEX_C n = coarse.shape[0], n_scores = gradients.shape[1]
    cdef INDEX_C start = 0, stop, i, k, j, cell
    memset(hist, 0, n_entries * sizeof(GradHess))
    memset(counts, 0, (n_entries // n_scores) * sizeof(INDEX_C))
    while start < n:
        stop = min(start + CHUNK_ROWS, n)
        memset(chunk, 0, n_entries * sizeof(GradHess))
        for i in range(start, stop):
            cell = coarse[i, a] * n_b + coarse[i, b]
            counts[cell] += 1
            for k in range(n_scores):
                chunk[cell * n_scores + k].grad += gradients[i, k]
                chunk[cell * n_scores + k].hess += hessians[i, k]
        for j in range(n_entries):
            hist[j].grad = hist[j].grad + chunk[j].grad
            hist[j].hess = hist[j].hess + chunk[j].hess
        start = stop


def pair_gains(
    const CELL_CODE_C[::1, :] coarse,    # IN: (n_rows, n_features) coarse grid code of each row and feature
    const INDEX_C[::1] n_codes,          # IN: codes of each feature's coarse grid
    const INDEX_C[:, ::1] pairs,         # IN: (n_pairs, 2) the candidate pairs, as feature indices
    const Y_DTYPE_C[:, ::1] gradients,   # IN: (n_rows, n_scores) each row's gradient per score (class)
    const Y_DTYPE_C[:, ::1] hessians,    # IN: (n_rows, n_scores)
    double l2,
    double min_hessian,
    INDEX_C min_samples_leaf,
    Y_DTYPE_C[::1] out,                  # OUT: (n_pairs,) each pair's gain, summed over the scores
    int n_threads,
):
    """The gain of the best unshrunk depth-2 step on each pair's grid, added over the scores."""
    cdef:
        INDEX_C n_pairs = pairs.shape[0], n_scores = gradients.shape[1]
        INDEX_C p, k, a, b, n_cells, largest_a = 1, largest_b = 1, largest = 1
        Y_DTYPE_C gain
        StepParams params
    if gradients.shape[0] != coarse.shape[0] or hessians.shape[0] != coarse.shape[0] or hessians.shape[1] != n_scores:
        raise ValueError("pair_gains: gradients and hessians need one row per row of coarse, and as many scores.")
    if out.shape[0] != n_pairs or (n_pairs and pairs.shape[1] != 2):
        raise ValueError("pair_gains: pairs must be (n_pairs, 2) and out (n_pairs,).")
    if n_codes.shape[0] != coarse.shape[1]:
        raise ValueError("pair_gains: n_codes needs one grid size per column of coarse.")
    for p in range(n_pairs):
        for k in range(2):
            if not 0 <= pairs[p, k] < coarse.shape[1]:
                raise ValueError(f"pair_gains: feature {pairs[p, k]} of pair {p} is not a column of coarse.")
        largest_a = max(largest_a, n_codes[pairs[p, 0]])
        largest_b = max(largest_b, n_codes[pairs[p, 1]])
        largest = max(largest, n_codes[pairs[p, 0]] * n_codes[pairs[p, 1]])
    # A step as pair_step_py ranks it: unshrunk (rate 1), up to four leaves.
    params.learning_rate = 1.0
    params.l2 = l2
    params.min_hessian = min_hessian
    params.min_samples_leaf = min_samples_leaf
    params.max_leaves = 4
    n_threads = max(1, min(n_threads, n_pairs))
    # Each thread's scratch, in its own slice: a chunk's and the pair's histogram, the pair's
    # counts and pair_step's work space.
    cdef INDEX_C n_entries = largest * n_scores, n_fwork = pair_fwork_size(largest_a, largest_b)
    cdef GradHess[::1] chunks = np.zeros(n_threads * n_entries, dtype=GRAD_HESS_DTYPE)
    cdef GradHess[::1] hists = np.zeros(n_threads * n_entries, dtype=GRAD_HESS_DTYPE)
    cdef INDEX_C[::1] counts = np.zeros(n_threads * largest, dtype=np.intp)
    cdef Y_DTYPE_C[::1] fwork = np.zeros(n_threads * n_fwork, dtype=np.float64)
    cdef int thread
    with nogil:
        for p in prange(n_pairs, schedule="dynamic", num_threads=n_threads):
            thread = threadid()
            a = pairs[p, 0]
            b = pairs[p, 1]
            n_cells = n_codes[a] * n_codes[b]
            _pair_histogram(coarse, a, b, n_codes[b], gradients, hessians, n_cells * n_scores,
                            &chunks[thread * n_entries], &hists[thread * n_entries], &counts[thread * largest])
            gain = 0
            for k in range(n_scores):
                gain = gain + pair_step(&hists[thread * n_entries + k], &counts[thread * largest], n_codes[a],
                                        n_codes[b], n_scores, n_scores, &params, &fwork[thread * n_fwork], NULL)
            out[p] = gain
