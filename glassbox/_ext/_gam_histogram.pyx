"""Gradient/hessian histograms of GAM terms, summed in fixed row chunks for reproducibility.

A boosting step on a term needs its histogram: per cell (and class) the gradient and hessian
sums of the bag's training rows. ``term_histogram`` builds it in one pass over the rows that
also finishes the previous step: each row (1) adds the previous term's step to its raw scores
and (2) adds its new gradient and hessian to this term's histogram -- fusing the two halves of
consecutive steps saves a pass per step. Rows are processed in fixed chunks (at least
``CHUNK_ROWS``, more for large histograms), each filling its own histogram, and chunks are added
in chunk order (``sum_chunks``): the sums -- hence the model -- are bit-identical for any thread
count. ``build_histogram`` is the same for one term's histogram outside boosting (gradients
given, counts too): the unordered-feature test's.
"""

import numpy as np

from cython.parallel cimport prange
from libc.string cimport memset

from glassbox._ext._gam_loss cimport (LOG_LOSS, SOFTMAX, SQUARED_ERROR, fast_exp, gradients, logistic_gradient,
                                      softmax_exp, softmax_scaled_gradient, softmax_total)

# Copies of a small histogram per chunk (_lanes), and the largest histogram that gets them:
# main effects (at most 256 codes, times the classes) do; large pair grids keep one copy (their
# rows spread over many cells, so consecutive adds rarely meet). _scatter_lanes and _add_lanes
# are written out for exactly four copies.
cdef INDEX_C LANES = 4
cdef INDEX_C LANE_MAX_ENTRIES = 2048

# Rows of a softmax pass whose divisions are taken together (_softmax_block).
cdef enum:
    SOFTMAX_BLOCK = 64


cdef Chunks chunking(INDEX_C n_rows, INDEX_C stride) noexcept nogil:
    # A chunk's histogram is cleared and added up once per step: with pair grids (64 x 64 cells
    # and more) that costs as much as filling it from 8192 rows, so chunks of large histograms
    # hold at least four rows per histogram value. Fixed by the data, so still thread-independent.
    # A small histogram gets room for LANES copies per chunk (see _lanes).
    cdef Chunks chunks
    chunks.stride = max(stride, LANES * min(stride, LANE_MAX_ENTRIES))
    chunks.rows = max(CHUNK_ROWS, 4 * 2 * stride)
    chunks.count = (n_rows + chunks.rows - 1) // chunks.rows
    return chunks


cdef inline INDEX_C _lanes(INDEX_C n_entries, INDEX_C n_rows, const Chunks* chunks) noexcept nogil:
    # Copies of a chunk's histogram that its rows add to in turn (1 or LANES). Consecutive rows
    # mostly fall in the same few cells (a binary feature has two), and with one copy every add
    # waits for the previous add to the same cell to be stored: the scatter was 40% of a fit's
    # time. LANES copies break that chain, but each costs clearing and adding up once per step:
    # they are used when the chunk's buffer holds them and the chunk has at least 2 rows per
    # entry of them. Fixed by the data, not the thread count, like the chunks.
    if LANES * n_entries <= chunks.stride and n_rows >= 2 * LANES * n_entries:
        return LANES
    return 1


cdef inline void _add_lanes(GradHess* buf, INDEX_C n_entries) noexcept nogil:
    # buf's first copy = the LANES copies added in a fixed order.
    cdef INDEX_C j
    cdef GradHess* lane1 = buf + n_entries
    cdef GradHess* lane2 = buf + 2 * n_entries
    cdef GradHess* lane3 = buf + 3 * n_entries
    for j in range(n_entries):
        buf[j].grad = (buf[j].grad + lane1[j].grad) + (lane2[j].grad + lane3[j].grad)
        buf[j].hess = (buf[j].hess + lane1[j].hess) + (lane2[j].hess + lane3[j].hess)


cdef inline void _scatter_lanes(const code_t[::1, :] codes, const INDEX_C* rows, const GradHess* row_gh,
                                INDEX_C column, INDEX_C start, INDEX_C stop, INDEX_C n_entries,
                                GradHess* buf) noexcept nogil:
    # One score: row start + i adds its gradient and hessian to copy i % LANES of the histogram
    # (unrolled, so each copy is a fixed pointer); buf holds LANES cleared copies.
    cdef INDEX_C i, j, cell, n_quads = (stop - start) // LANES
    cdef GradHess* lane1 = buf + n_entries
    cdef GradHess* lane2 = buf + 2 * n_entries
    cdef GradHess* lane3 = buf + 3 * n_entries
    for j in range(n_quads):
        i = start + LANES * j
        cell = codes[rows[i], column]
        buf[cell].grad += row_gh[i].grad
        buf[cell].hess += row_gh[i].hess
        cell = codes[rows[i + 1], column]
        lane1[cell].grad += row_gh[i + 1].grad
        lane1[cell].hess += row_gh[i + 1].hess
        cell = codes[rows[i + 2], column]
        lane2[cell].grad += row_gh[i + 2].grad
        lane2[cell].hess += row_gh[i + 2].hess
        cell = codes[rows[i + 3], column]
        lane3[cell].grad += row_gh[i + 3].grad
        lane3[cell].hess += row_gh[i + 3].hess
    for i in range(start + LANES * n_quads, stop):
        cell = codes[rows[i], column]
        buf[cell].grad += row_gh[i].grad
        buf[cell].hess += row_gh[i].hess


cdef inline void _squared_error_row(const code_t[::1, :] codes, const INDEX_C* rows, const Y_DTYPE_C* y,
                                    const Y_DTYPE_C* w, const Y_DTYPE_C* values, Y_DTYPE_C* scores,
                                    INDEX_C previous, INDEX_C column, INDEX_C i, GradHess* lane) noexcept nogil:
    # Row i of a squared-error bag: add the pending step to its score, then its gradient and
    # hessian to its cell of one histogram copy.
    cdef INDEX_C row = rows[i]
    cdef Y_DTYPE_C g, h
    if previous >= 0:
        scores[i] = scores[i] + values[codes[row, previous]]
    gradients(&scores[i], y[i], w[i], SQUARED_ERROR, 1, &g, &h)
    lane = lane + codes[row, column]
    lane.grad += g
    lane.hess += h


cdef inline void _squared_error_gradient_row(const code_t[::1, :] codes, const INDEX_C* rows, const Y_DTYPE_C* y,
                                             const Y_DTYPE_C* values, Y_DTYPE_C* scores, INDEX_C previous,
                                             INDEX_C column, INDEX_C i, GradHess* lane) noexcept nogil:
    # _squared_error_row with every weight 1: the gradient is s - y exactly (1 * x == x), and
    # the hessian (1) is left out of the histogram, whose hessian sums are the cells' counts.
    cdef INDEX_C row = rows[i]
    if previous >= 0:
        scores[i] = scores[i] + values[codes[row, previous]]
    lane = lane + codes[row, column]
    lane.grad += scores[i] - y[i]


cdef inline void _squared_error_lanes(const code_t[::1, :] codes, BagRows* bag, const PendingStep* pending,
                                      INDEX_C column, INDEX_C start, INDEX_C stop, INDEX_C n_entries,
                                      INDEX_C n_lanes, GradHess* buf) noexcept nogil:
    # The one-score pass and the scatter in one loop, for squared error: its gradient is a
    # subtraction, cheaper than storing it in row_gh and reading it back. Rows go to the same
    # copies in the same order as there (with LANES copies, a quad's rows to copies 0 to 3 and
    # the rows after the last quad to copy 0, as in _scatter_lanes; with one, every row to it),
    # so the sums are the same to the bit.
    cdef INDEX_C j, i, n_quads = (stop - start) // LANES if n_lanes == LANES else 0, previous = pending.column
    cdef const INDEX_C* rows = bag.rows
    cdef const Y_DTYPE_C* y = bag.y
    cdef const Y_DTYPE_C* w = bag.w
    cdef const Y_DTYPE_C* values = pending.values
    cdef Y_DTYPE_C* scores = bag.scores
    if bag.count_hessians:
        for j in range(n_quads):
            i = start + LANES * j
            _squared_error_gradient_row(codes, rows, y, values, scores, previous, column, i, buf)
            _squared_error_gradient_row(codes, rows, y, values, scores, previous, column, i + 1, buf + n_entries)
            _squared_error_gradient_row(codes, rows, y, values, scores, previous, column, i + 2, buf + 2 * n_entries)
            _squared_error_gradient_row(codes, rows, y, values, scores, previous, column, i + 3, buf + 3 * n_entries)
        for i in range(start + LANES * n_quads, stop):
            _squared_error_gradient_row(codes, rows, y, values, scores, previous, column, i, buf)
        return
    for j in range(n_quads):
        i = start + LANES * j
        _squared_error_row(codes, rows, y, w, values, scores, previous, column, i, buf)
        _squared_error_row(codes, rows, y, w, values, scores, previous, column, i + 1, buf + n_entries)
        _squared_error_row(codes, rows, y, w, values, scores, previous, column, i + 2, buf + 2 * n_entries)
        _squared_error_row(codes, rows, y, w, values, scores, previous, column, i + 3, buf + 3 * n_entries)
    for i in range(start + LANES * n_quads, stop):
        _squared_error_row(codes, rows, y, w, values, scores, previous, column, i, buf)


cdef inline void _single_score_gradients(const code_t[::1, :] codes, BagRows* bag, const PendingStep* pending,
                                         INDEX_C start, INDEX_C stop) noexcept nogil:
    # Rows start..stop of a one-score bag: add the pending step to their scores, then store their
    # gradient and hessian in bag.row_gh (squared error has its own fused pass,
    # _squared_error_lanes). The struct's fields are read into locals once, and the hot case (log
    # loss between refreshes) runs as two loops: the gathers, then the loss's inlined gradient
    # with no gathers (which the compiler vectorises), the division of the logistic link being
    # most of a step's arithmetic.
    cdef:
        INDEX_C i, cell, previous = pending.column
        const INDEX_C* rows = bag.rows
        const Y_DTYPE_C* y = bag.y
        const Y_DTYPE_C* w = bag.w
        const Y_DTYPE_C* values = pending.values
        const Y_DTYPE_C* exp_minus = pending.exp_minus
        Y_DTYPE_C* scores = bag.scores
        Y_DTYPE_C* row_exp = bag.row_exp
        GradHess* row_gh = bag.row_gh
        Y_DTYPE_C s, e, g, h
    if bag.loss == LOG_LOSS and not pending.refresh and previous >= 0:
        # exp(-s) follows the score multiplicatively: one exp per cell of a step instead of
        # one per row. It is recomputed from s at each round's first step (refresh), so
        # rounding cannot drift for long.
        for i in range(start, stop):
            cell = codes[rows[i], previous]
            scores[i] = scores[i] + values[cell]
            row_exp[i] = row_exp[i] * exp_minus[cell]
        for i in range(start, stop):
            logistic_gradient(row_exp[i], y[i], w[i], &g, &h)
            row_gh[i].grad = g
            row_gh[i].hess = h
        return
    for i in range(start, stop):
        s = scores[i]
        if previous >= 0:
            s = s + values[codes[rows[i], previous]]
            scores[i] = s
        if bag.loss == LOG_LOSS:
            e = fast_exp(-s)  # the refresh
            row_exp[i] = e
            logistic_gradient(e, y[i], w[i], &g, &h)
        else:
            gradients(&s, y[i], w[i], bag.loss, 1, &g, &h)
        row_gh[i].grad = g
        row_gh[i].hess = h


cdef inline void _softmax_block(const code_t[::1, :] codes, BagRows* bag, const PendingStep* pending,
                                INDEX_C column, INDEX_C start, INDEX_C stop, INDEX_C n_entries,
                                INDEX_C n_lanes, INDEX_C* lane_index, GradHess* buf, Y_DTYPE_C* gh) noexcept nogil:
    # Rows start..stop (at most SOFTMAX_BLOCK) of a softmax bag, in two loops: the scores, their
    # exps and the exps' sum per row; then, after the block's divisions, the gradients and their
    # adds to the histogram copies. Done row by row, each row's division and scatter waited on
    # each other and little overlapped (benchmarks/bench_gam_kernels.py, 4 classes of 1,175 rows:
    # 37.6 us a step row by row, 32.3 us in blocks).
    cdef:
        INDEX_C i, k, row, lane_at = lane_index[0]
        INDEX_C cell = 0  # the pending step's cell of the row (set whenever it is read)
        INDEX_C n_scores = bag.n_scores, previous = pending.column
        bint refresh = pending.refresh or previous < 0
        const INDEX_C* rows = bag.rows
        const Y_DTYPE_C* y = bag.y
        const Y_DTYPE_C* w = bag.w
        const Y_DTYPE_C* values = pending.values
        const Y_DTYPE_C* exp_change = pending.exp_minus
        Y_DTYPE_C* scores = bag.scores
        Y_DTYPE_C* row_exp = bag.row_exp
        Y_DTYPE_C* srow
        Y_DTYPE_C* erow
        GradHess* lane
        Y_DTYPE_C inverse[SOFTMAX_BLOCK]
    for i in range(start, stop):
        srow = &scores[i * n_scores]
        erow = &row_exp[i * n_scores]
        if previous >= 0:
            cell = codes[rows[i], previous] * n_scores
            for k in range(n_scores):
                srow[k] += values[cell + k]
        # The exps follow the scores multiplicatively, as for log loss: one exp per cell and
        # score of a step instead of one per row and score; recomputed from the scores at each
        # round's first step.
        if refresh:
            softmax_exp(srow, n_scores, erow)
        else:
            for k in range(n_scores):
                erow[k] = erow[k] * exp_change[cell + k]
        inverse[i - start] = softmax_total(erow, n_scores)
    for i in range(stop - start):
        inverse[i] = 1.0 / inverse[i]
    for i in range(start, stop):
        lane = buf + lane_at * n_entries
        lane_at = lane_at + 1
        if lane_at == n_lanes:
            lane_at = 0
        lane = lane + codes[rows[i], column] * n_scores
        erow = &row_exp[i * n_scores]
        softmax_scaled_gradient(erow, inverse[i - start], y[i], w[i], n_scores, gh, gh + n_scores)
        for k in range(n_scores):
            lane[k].grad += gh[k]
            lane[k].hess += gh[n_scores + k]
    lane_index[0] = lane_at


cdef inline void _softmax_pass(const code_t[::1, :] codes, BagRows* bag, const PendingStep* pending,
                               INDEX_C column, INDEX_C start, INDEX_C stop, INDEX_C n_entries,
                               INDEX_C n_lanes, GradHess* buf, Y_DTYPE_C* gh) noexcept nogil:
    # Rows start..stop of a bag with several scores (softmax, the one loss that has them), in
    # blocks of SOFTMAX_BLOCK rows; row i - start adds to copy (i - start) % n_lanes of the
    # histogram, the copy counted rather than divided (a 64-bit division per row takes tens of
    # cycles). gh: 2 * n_scores scratch values.
    cdef INDEX_C i = start, lane_index = 0
    while i < stop:
        _softmax_block(codes, bag, pending, column, i, min(i + SOFTMAX_BLOCK, stop), n_entries, n_lanes,
                       &lane_index, buf, gh)
        i = i + SOFTMAX_BLOCK


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
        INDEX_C c, i, start, stop, cell
        INDEX_C n_scores = bag.n_scores
        INDEX_C n_lanes
        GradHess* buf
    n_threads = max(1, min(n_threads, chunks.count))
    for c in prange(chunks.count, schedule="static", num_threads=n_threads):
        # One chunk (a bag with fewer rows than a chunk holds: below 65,536 for 64 x 64 pair grids)
        # fills hist itself: adding it to zero would only copy it (4,225 cells of such a grid at
        # every step). 0 + x == x to the bit for every x but -0, which no gradient sum is unless
        # every row adding to it had weight 0.
        buf = hist if chunks.count == 1 else &chunk_hist[c * chunks.stride]
        start = c * chunks.rows
        stop = min(start + chunks.rows, bag.n)
        n_lanes = _lanes(n_entries, stop - start, chunks)
        memset(buf, 0, n_lanes * n_entries * sizeof(GradHess))
        if n_scores == 1 and bag.loss == SQUARED_ERROR:
            _squared_error_lanes(codes, bag, pending, column, start, stop, n_entries, n_lanes, buf)
        elif n_scores == 1:
            # Two passes: the gradients first, rows independent of each other so the CPU
            # overlaps their arithmetic; then the scatter into the histogram.
            _single_score_gradients(codes, bag, pending, start, stop)
            if n_lanes == LANES:
                _scatter_lanes(codes, bag.rows, bag.row_gh, column, start, stop, n_entries, buf)
            else:
                for i in range(start, stop):
                    cell = codes[bag.rows[i], column]
                    buf[cell].grad += bag.row_gh[i].grad
                    buf[cell].hess += bag.row_gh[i].hess
        else:
            _softmax_pass(codes, bag, pending, column, start, stop, n_entries, n_lanes, buf,
                          &bag.chunk_gh[c * 2 * n_scores])
        if n_lanes > 1:
            _add_lanes(buf, n_entries)
    if chunks.count > 1:
        sum_chunks(<Y_DTYPE_C*>chunk_hist, chunks.count, 2 * chunks.stride, 2 * n_entries, <Y_DTYPE_C*>hist,
                   n_threads)


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
    """One term's histogram outside boosting (rows in fixed chunks, as above)."""
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
