"""Gradient/hessian histograms of GAM terms, summed in fixed row chunks for reproducibility.

A boosting step on a term needs its histogram: per cell (and class) the gradient and hessian
sums of the bag's training rows. ``term_histogram`` builds it in one pass over the rows that
also finishes the previous step: each row (1) adds the previous term's step to its raw scores
and (2) adds its new gradient and hessian to this term's histogram -- fusing the two halves of
consecutive steps saves a pass per step. Rows are processed in fixed chunks (at least
``CHUNK_ROWS``, more for large histograms), each filling its own histogram, and chunks are added
in chunk order (``sum_chunks``): the sums -- hence the model -- are bit-identical for any thread
count. ``build_histogram`` is the same for the pair ranking (gradients given, counts too).
"""

import numpy as np

from cython.parallel cimport prange
from libc.string cimport memset

from glassbox._ext._gam_loss cimport LOG_LOSS, fast_exp, gradients, logistic_gradient

# Rows per chunk: large enough that adding the per-chunk histograms is cheap next to filling
# them, small enough that mid-sized data still spreads over two threads.
cdef INDEX_C CHUNK_ROWS = 8192


cdef Chunks chunking(INDEX_C n_rows, INDEX_C stride) noexcept nogil:
    # A chunk's histogram is cleared and added up once per step: with pair grids (64 x 64 cells
    # and more) that costs as much as filling it from 8192 rows, so chunks of large histograms
    # hold at least four rows per histogram value. Fixed by the data, so still thread-independent.
    cdef Chunks chunks
    chunks.stride = stride
    chunks.rows = max(CHUNK_ROWS, 4 * 2 * stride)
    chunks.count = (n_rows + chunks.rows - 1) // chunks.rows
    return chunks


cdef void term_histogram(
    const code_t[::1, :] codes,
    BagRows* bag,
    const PendingStep* pending,
    INDEX_C column,
    INDEX_C n_entries,
    const Chunks* chunks,
    GradHess* chunk_hist,
    GradHess* hist,
    int n_threads,
) noexcept nogil:
    cdef:
        INDEX_C c, i, k, start, stop, cell, row
        INDEX_C n_scores = bag.n_scores, previous = pending.column
        Y_DTYPE_C s, g, h, e
        GradHess* buf
        Y_DTYPE_C* gh
        Y_DTYPE_C* srow
    n_threads = max(1, min(n_threads, chunks.count))
    for c in prange(chunks.count, schedule="static", num_threads=n_threads):
        buf = &chunk_hist[c * chunks.stride]
        memset(buf, 0, n_entries * sizeof(GradHess))
        start = c * chunks.rows
        stop = min(start + chunks.rows, bag.n)
        if n_scores == 1:
            # Two passes: the gradients first, rows independent of each other so the CPU
            # overlaps their arithmetic; then the scatter into the histogram.
            for i in range(start, stop):
                s = bag.scores[i]
                cell = 0
                if previous >= 0:
                    cell = codes[bag.rows[i], previous]
                    s = s + pending.values[cell]
                    bag.scores[i] = s
                g = 0  # assigned here so Cython makes g and h private to each thread
                h = 0
                if bag.loss == LOG_LOSS:
                    # exp(-s) follows the score multiplicatively: one exp per cell of a step
                    # instead of one per row. It is recomputed from s at each round's first step
                    # (refresh), so rounding cannot drift for long.
                    if pending.refresh:
                        e = fast_exp(-s)
                    else:
                        e = bag.row_exp[i] * pending.exp_minus[cell]
                    bag.row_exp[i] = e
                    logistic_gradient(e, bag.y[i], bag.w[i], &g, &h)
                else:
                    gradients(&s, bag.y[i], bag.w[i], bag.loss, 1, &g, &h)
                bag.row_gh[i].grad = g
                bag.row_gh[i].hess = h
            for i in range(start, stop):
                cell = codes[bag.rows[i], column]
                buf[cell].grad += bag.row_gh[i].grad
                buf[cell].hess += bag.row_gh[i].hess
        else:
            gh = &bag.chunk_gh[c * 2 * n_scores]
            for i in range(start, stop):
                row = bag.rows[i]
                srow = &bag.scores[i * n_scores]
                if previous >= 0:
                    cell = codes[row, previous]
                    for k in range(n_scores):
                        srow[k] += pending.values[cell * n_scores + k]
                gradients(srow, bag.y[i], bag.w[i], bag.loss, n_scores, gh, gh + n_scores)
                cell = codes[row, column]
                for k in range(n_scores):
                    buf[cell * n_scores + k].grad += gh[k]
                    buf[cell * n_scores + k].hess += gh[n_scores + k]
    sum_chunks(<Y_DTYPE_C*>chunk_hist, chunks.count, 2 * chunks.stride, 2 * n_entries, <Y_DTYPE_C*>hist, n_threads)


cdef void sum_chunks(
    const Y_DTYPE_C* chunks,
    INDEX_C n_chunks,
    INDEX_C stride,
    INDEX_C size,
    Y_DTYPE_C* out,
    int n_threads,
) noexcept nogil:
    # out[j] = the chunks' values j added in chunk order, whatever thread adds them.
    cdef INDEX_C c, j
    cdef Y_DTYPE_C acc
    for j in prange(size, schedule="static", num_threads=max(1, n_threads)):
        acc = 0
        for c in range(n_chunks):
            acc = acc + chunks[c * stride + j]
        out[j] = acc


def build_histogram(
    const CELL_CODE_C[::1] cells,      # IN: cell of each row
    const Y_DTYPE_C[::1] gradients,    # IN: gradient of each row
    const Y_DTYPE_C[::1] hessians,     # IN: hessian of each row
    Y_DTYPE_C[:, ::1] out,             # OUT: (n_cells, 3): gradient sum, hessian sum, row count
    int n_threads,
):
    """One pair's histogram for ranking candidate pairs (rows in fixed chunks, as above)."""
    cdef:
        INDEX_C n = cells.shape[0], n_cells = out.shape[0]
        INDEX_C n_chunks = (n + CHUNK_ROWS - 1) // CHUNK_ROWS
        INDEX_C c, i, start, stop, cell
        Y_DTYPE_C* buf
    cdef Y_DTYPE_C[::1] chunks = np.zeros(max(1, n_chunks) * n_cells * 3, dtype=np.float64)
    n_threads = max(1, min(n_threads, n_chunks))
    with nogil:
        for c in prange(n_chunks, schedule="static", num_threads=n_threads):
            buf = &chunks[c * n_cells * 3]
            start = c * CHUNK_ROWS
            stop = min(start + CHUNK_ROWS, n)
            for i in range(start, stop):
                cell = cells[i]
                buf[cell * 3] += gradients[i]
                buf[cell * 3 + 1] += hessians[i]
                buf[cell * 3 + 2] += 1
        sum_chunks(&chunks[0], n_chunks, n_cells * 3, n_cells * 3, &out[0, 0], n_threads)
