"""One bag of cyclic gradient boosting over GAM terms, the whole loop without the GIL.

Each round visits every term in order. A visit is one pass over the bag's training rows that
(1) adds the previous term's step to the raw scores and (2) accumulates the gradient/hessian
histogram of this term from the updated scores -- fusing the two halves of consecutive steps
saves a pass per step. The step itself (a small tree on the histogram) comes from
``_gam_split``. After each round the validation rows receive the round's steps and their loss
decides early stopping; the tables of the best round are kept (no round at all when none beats
the model the stage started from), and the scores are rewound to it so a following stage (pairs
after mains) starts from exactly the kept model.

Rows are processed in fixed chunks (at least ``CHUNK_ROWS``, more for large histograms), each
with its own histogram, and chunks are added in chunk order: the sums -- hence the model -- are
bit-identical for any thread count.
"""

import numpy as np

from cython.parallel cimport prange
from libc.math cimport fabs
from libc.string cimport memcpy, memset

from glassbox._ext._typedefs cimport BIN_CODE_C, CELL_CODE_C, Y_DTYPE_C, OFFSET_C, INDEX_C, FLAG_C
from glassbox._ext._gam_loss cimport LossId, LOG_LOSS, fast_exp, gradients, logistic_gradient, loss_value
from glassbox._ext._gam_split cimport StepParams, main_step, pair_step, main_work_size, main_fwork_size

ctypedef fused code_t:
    BIN_CODE_C
    CELL_CODE_C

# Term kinds, mirrored by glassbox.gam._boosting.
cdef enum:
    KIND_CONTINUOUS = 0
    KIND_CATEGORICAL = 1
    KIND_PAIR = 2

# Rows per chunk: large enough that adding the per-chunk histograms is cheap next to filling
# them, small enough that mid-sized data still spreads over two threads.
cdef INDEX_C CHUNK_ROWS = 8192


cdef void _apply(const code_t[::1, :] codes, const INDEX_C[::1] rows, Y_DTYPE_C[:, ::1] scores,
                 const INDEX_C[::1] term_column, const OFFSET_C* offsets, const Y_DTYPE_C* delta,
                 INDEX_C n_terms, Y_DTYPE_C sign, int n_threads) noexcept nogil:
    # scores[i] += sign * sum over terms of delta[term][cell of row i]
    cdef INDEX_C i, t, k, cell, n_scores = scores.shape[1]
    cdef INDEX_C n = rows.shape[0]
    for i in prange(n, schedule="static", num_threads=n_threads):
        for t in range(n_terms):
            cell = codes[rows[i], term_column[t]]
            for k in range(n_scores):
                scores[i, k] += sign * delta[offsets[t] + cell * n_scores + k]


cdef Y_DTYPE_C _validation_loss(const code_t[::1, :] codes, const INDEX_C[::1] val_rows,
                                Y_DTYPE_C[:, ::1] val_scores, const INDEX_C[::1] term_column,
                                const OFFSET_C* offsets, const Y_DTYPE_C* delta, INDEX_C n_terms,
                                const Y_DTYPE_C[::1] y, const Y_DTYPE_C[::1] sample_weight, LossId loss,
                                Y_DTYPE_C* chunk_loss, Y_DTYPE_C weight_total, int n_threads) noexcept nogil:
    # Adds one round's steps (delta) to the validation scores and returns their mean loss; the
    # per-chunk sums are added in chunk order, so the result does not depend on n_threads.
    cdef INDEX_C n_val = val_rows.shape[0], n_scores = val_scores.shape[1]
    cdef INDEX_C n_chunks = (n_val + CHUNK_ROWS - 1) // CHUNK_ROWS
    cdef INDEX_C c, i, t, k, row, cell, start, stop
    cdef Y_DTYPE_C total = 0
    cdef Y_DTYPE_C* srow
    for c in prange(n_chunks, schedule="static", num_threads=n_threads):
        chunk_loss[c] = 0
        start = c * CHUNK_ROWS
        stop = min(start + CHUNK_ROWS, n_val)
        for i in range(start, stop):
            row = val_rows[i]
            srow = &val_scores[i, 0]
            for t in range(n_terms):
                cell = codes[row, term_column[t]]
                for k in range(n_scores):
                    srow[k] += delta[offsets[t] + cell * n_scores + k]
            chunk_loss[c] += loss_value(srow, y[row], sample_weight[row], loss, n_scores)
    for c in range(n_chunks):
        total = total + chunk_loss[c]
    return total / weight_total if weight_total > 0 else 0


cdef inline INDEX_C _argmax(const Y_DTYPE_C* values, INDEX_C n) noexcept nogil:
    # First index of the largest value.
    cdef INDEX_C i, best = 0
    for i in range(1, n):
        if values[i] > values[best]:
            best = i
    return best


def boost_bag(
    const code_t[::1, :] codes,            # IN: (n_samples, n_columns) bin codes or pair cells; shared, read-only
    const INDEX_C[::1] term_column,        # IN: the column of `codes` each term reads
    const FLAG_C[::1] term_kind,           # IN: KIND_* per term
    const FLAG_C[::1] term_monotonic,      # IN: -1/0/+1 per term (main effects only)
    const INDEX_C[::1] term_n_a,           # IN: codes per term (pairs: of the first feature)
    const INDEX_C[::1] term_n_b,           # IN: 1 for main effects; pairs: codes of the second feature
    const OFFSET_C[::1] table_offsets,     # IN: term t's table is tables[offsets[t]:offsets[t+1]]
    const INDEX_C[::1] train_rows,         # IN: this bag's training rows
    const INDEX_C[::1] val_rows,           # IN: this bag's validation rows (may be empty)
    const Y_DTYPE_C[::1] y,                # IN: target per row (class index for softmax)
    const Y_DTYPE_C[::1] sample_weight,    # IN: weight per row
    LossId loss,
    Y_DTYPE_C[:, ::1] train_scores,        # IN/OUT: raw scores of train_rows; out: of the kept model
    Y_DTYPE_C[:, ::1] val_scores,          # IN/OUT: raw scores of val_rows; out: of the kept model
    Y_DTYPE_C[::1] tables,                 # OUT: kept scores, cell-major then score (class)
    Y_DTYPE_C[::1] val_loss_history,       # OUT: mean validation loss after each round run
    double learning_rate,
    double l2,
    double min_hessian,
    INDEX_C min_samples_leaf,
    INDEX_C max_leaves,
    INDEX_C max_rounds,
    INDEX_C early_stopping_rounds,
    double tolerance,
    INDEX_C greedy_steps,                  # IN: steps per round, after the cyclic pass, each on the term
                                           #     whose latest step gained most
    int n_threads,
):
    """Boost one bag; return ``(rounds run, rounds kept)``."""
    cdef:
        INDEX_C n_terms = term_column.shape[0]
        INDEX_C n_scores = train_scores.shape[1]
        INDEX_C n_train = train_rows.shape[0], n_val = val_rows.shape[0]
        INDEX_C n_chunks, chunk_rows
        INDEX_C n_val_chunks = (n_val + CHUNK_ROWS - 1) // CHUNK_ROWS
        OFFSET_C total = table_offsets[n_terms]
        INDEX_C max_cells = 0, max_a = 0, max_b = 0, t, k, c, i, j, r, cell, start, stop, row, n_cells
        INDEX_C prev = -1, n_rounds = 0, best_rounds = 0, hist_size, chunk_stride, q
        INDEX_C col, col_prev = 0, threads_train, threads_val
        Y_DTYPE_C best_loss = 0, round_loss, weight_total = 0, acc, s, g, h, u, gain, g_sum, h_sum, e, pr
        Y_DTYPE_C* hist_buf
        Y_DTYPE_C* gh
        Y_DTYPE_C* srow
        StepParams params
        bint has_validation = n_val > 0

    for t in range(n_terms):
        max_cells = max(max_cells, term_n_a[t] * term_n_b[t])
        max_a = max(max_a, term_n_a[t])
        max_b = max(max_b, term_n_b[t])
    params.learning_rate = learning_rate
    params.l2 = l2
    params.min_hessian = min_hessian
    params.min_samples_leaf = min_samples_leaf
    params.max_leaves = max_leaves
    chunk_stride = max_cells * n_scores * 2
    # A chunk's histogram is cleared and added up once per step: with pair grids (64 x 64 cells
    # and more) that costs as much as filling it from 8192 rows, so chunks of large histograms
    # hold at least four rows per histogram entry. Fixed by the data, so still thread-independent.
    chunk_rows = max(CHUNK_ROWS, 4 * chunk_stride)
    n_chunks = (n_train + chunk_rows - 1) // chunk_rows
    threads_train = max(1, min(n_threads, n_chunks))
    threads_val = max(1, min(n_threads, n_val_chunks))

    cdef Y_DTYPE_C[::1] chunk_hist = np.zeros(max(1, n_chunks) * chunk_stride, dtype=np.float64)
    cdef Y_DTYPE_C[::1] chunk_gh = np.zeros(max(1, n_chunks) * 2 * n_scores, dtype=np.float64)
    cdef Y_DTYPE_C[::1] chunk_loss = np.zeros(max(1, n_val_chunks), dtype=np.float64)
    cdef Y_DTYPE_C[::1] hist = np.zeros(chunk_stride, dtype=np.float64)
    cdef Y_DTYPE_C[::1] step = np.zeros(max_cells * n_scores, dtype=np.float64)
    cdef Y_DTYPE_C[::1] best = np.zeros(max(1, total), dtype=np.float64)
    cdef Y_DTYPE_C[::1] round_delta = np.zeros(max(1, total), dtype=np.float64)
    cdef INDEX_C[::1] counts = np.zeros(max(1, total // n_scores), dtype=np.intp)
    cdef Y_DTYPE_C[::1] gains = np.zeros(max(1, n_terms), dtype=np.float64)
    # The bag's targets and weights in its row order: every step reads them for every row, and
    # contiguous copies (16 bytes a row) spare two scattered loads per row visit.
    cdef Y_DTYPE_C[::1] train_y = np.asarray(y)[np.asarray(train_rows)]
    cdef Y_DTYPE_C[::1] train_w = np.asarray(sample_weight)[np.asarray(train_rows)]
    cdef Y_DTYPE_C[::1] row_gh = np.zeros(2 * max(1, n_train) if n_scores == 1 else 1, dtype=np.float64)
    # Log loss: exp(-score) per training row, and exp(-step) per cell of the latest step.
    cdef Y_DTYPE_C[::1] row_exp = np.zeros(max(1, n_train) if loss == LOG_LOSS else 1, dtype=np.float64)
    cdef Y_DTYPE_C[::1] step_exp = np.ones(max_cells, dtype=np.float64)
    cdef bint refresh
    cdef INDEX_C[::1] work = np.zeros(main_work_size(max_cells, max_leaves), dtype=np.intp)
    cdef Y_DTYPE_C[::1] fwork = np.zeros(
        max(main_fwork_size(max_cells, max_leaves), 3 * (max_a + 1) * (max_b + 1)), dtype=np.float64)

    tables[:] = 0
    with nogil:
        # Training rows per cell: fixed for the bag, they gate min_samples_leaf.
        for t in prange(n_terms, schedule="static", num_threads=n_threads):
            for i in range(n_train):
                counts[table_offsets[t] // n_scores + codes[train_rows[i], term_column[t]]] += 1
        for i in range(n_val):
            weight_total += sample_weight[val_rows[i]]
        if has_validation:
            # The model this stage starts from is the first candidate: a stage whose every round
            # makes the held-out loss worse (pairs that only fit noise) keeps no round at all.
            round_delta[:] = 0
            best_loss = _validation_loss(codes, val_rows, val_scores, term_column, &table_offsets[0],
                                         &round_delta[0], n_terms, y, sample_weight, loss, &chunk_loss[0],
                                         weight_total, threads_val)

        for r in range(max_rounds):
            round_delta[:] = 0
            for q in range(n_terms + greedy_steps):
                # Every term once in order (which also refreshes its gain), then the greedy steps:
                # a term that still gains much gets more steps than one that has little left.
                t = q if q < n_terms else _argmax(&gains[0], n_terms)
                refresh = q == 0
                col = term_column[t]
                n_cells = term_n_a[t] * term_n_b[t]
                hist_size = n_cells * n_scores * 2
                for c in prange(n_chunks, schedule="static", num_threads=threads_train):
                    hist_buf = &chunk_hist[c * chunk_stride]
                    gh = &chunk_gh[c * 2 * n_scores]
                    memset(hist_buf, 0, hist_size * sizeof(Y_DTYPE_C))
                    start = c * chunk_rows
                    stop = min(start + chunk_rows, n_train)
                    if n_scores == 1:
                        # Two passes: the gradients first, rows independent of each other so the
                        # CPU overlaps their arithmetic; then the scatter into the histogram.
                        for i in range(start, stop):
                            s = train_scores[i, 0]
                            cell = 0
                            if prev >= 0:
                                cell = codes[train_rows[i], col_prev]
                                s = s + step[cell]
                                train_scores[i, 0] = s
                            g = 0  # assigned here so Cython makes g and h private to each thread
                            h = 0
                            if loss == LOG_LOSS:
                                # exp(-s) follows the score multiplicatively: one exp per cell of a
                                # step instead of one per row. It is recomputed from s at each
                                # round's first step (the only step with no previous one), so
                                # rounding cannot drift for long.
                                if refresh:
                                    e = fast_exp(-s)
                                else:
                                    e = row_exp[i] * step_exp[cell]
                                row_exp[i] = e
                                logistic_gradient(e, train_y[i], train_w[i], &g, &h)
                            else:
                                gradients(&s, train_y[i], train_w[i], loss, 1, &g, &h)
                            row_gh[2 * i] = g
                            row_gh[2 * i + 1] = h
                        for i in range(start, stop):
                            cell = codes[train_rows[i], col]
                            hist_buf[2 * cell] += row_gh[2 * i]
                            hist_buf[2 * cell + 1] += row_gh[2 * i + 1]
                    else:
                        for i in range(start, stop):
                            row = train_rows[i]
                            srow = &train_scores[i, 0]
                            if prev >= 0:
                                cell = codes[row, col_prev]
                                for k in range(n_scores):
                                    srow[k] += step[cell * n_scores + k]
                            gradients(srow, train_y[i], train_w[i], loss, n_scores, gh, gh + n_scores)
                            cell = codes[row, col]
                            for k in range(n_scores):
                                hist_buf[(cell * n_scores + k) * 2] += gh[k]
                                hist_buf[(cell * n_scores + k) * 2 + 1] += gh[n_scores + k]
                for j in prange(hist_size, schedule="static", num_threads=threads_train):
                    acc = 0
                    for c in range(n_chunks):
                        acc = acc + chunk_hist[c * chunk_stride + j]
                    hist[j] = acc
                for k in range(n_scores):
                    if term_kind[t] == KIND_PAIR:
                        pair_step(&hist[2 * k], &hist[2 * k + 1], &counts[table_offsets[t] // n_scores],
                                  term_n_a[t], term_n_b[t], 2 * n_scores, n_scores, &params, &fwork[0], &step[k])
                    else:
                        main_step(&hist[2 * k], &hist[2 * k + 1], &counts[table_offsets[t] // n_scores],
                                  n_cells, 2 * n_scores, n_scores, term_kind[t] == KIND_CATEGORICAL, term_monotonic[t],
                                  &params, &work[0], &fwork[0], &step[k])
                for j in range(n_cells * n_scores):
                    tables[table_offsets[t] + j] += step[j]
                    round_delta[table_offsets[t] + j] += step[j]
                if n_scores == 1 and loss == LOG_LOSS:
                    for j in range(n_cells):
                        step_exp[j] = fast_exp(-step[j])
                # The step's gain: its second-order loss decrease at full size (the shrinkage
                # undone) beyond that of one constant leaf, which every term of the stage shares.
                gain = 0
                for k in range(n_scores):
                    g_sum = 0
                    h_sum = 0
                    for cell in range(n_cells):
                        u = step[cell * n_scores + k] / learning_rate
                        gain = gain - (2 * hist[(cell * n_scores + k) * 2] * u
                                       + hist[(cell * n_scores + k) * 2 + 1] * u * u)
                        g_sum = g_sum + hist[(cell * n_scores + k) * 2]
                        h_sum = h_sum + hist[(cell * n_scores + k) * 2 + 1]
                    if h_sum + l2 > 0:
                        gain = gain - g_sum * g_sum / (h_sum + l2)
                gains[t] = gain
                prev = t
                col_prev = col
            n_rounds = r + 1
            if not has_validation:
                best_rounds = n_rounds
                continue
            round_loss = _validation_loss(codes, val_rows, val_scores, term_column, &table_offsets[0],
                                          &round_delta[0], n_terms, y, sample_weight, loss, &chunk_loss[0],
                                          weight_total, threads_val)
            val_loss_history[r] = round_loss
            if round_loss < best_loss - tolerance * fabs(best_loss):
                best_loss = round_loss
                best_rounds = n_rounds
                best[:] = tables
            elif n_rounds - best_rounds >= early_stopping_rounds:
                break

        # The last step is still pending on the training scores.
        if prev >= 0:
            for i in prange(n_train, schedule="static", num_threads=threads_train):
                cell = codes[train_rows[i], col_prev]
                for k in range(n_scores):
                    train_scores[i, k] += step[cell * n_scores + k]
        if has_validation and best_rounds < n_rounds:
            for j in range(total):
                round_delta[j] = tables[j] - best[j]
            _apply(codes, train_rows, train_scores, term_column, &table_offsets[0], &round_delta[0],
                   n_terms, -1.0, threads_train)
            _apply(codes, val_rows, val_scores, term_column, &table_offsets[0], &round_delta[0],
                   n_terms, -1.0, threads_val)
            tables[:] = best
    return n_rounds, best_rounds
