"""One bag of cyclic gradient boosting over GAM terms: the round loop, without the GIL.

Each round visits every term in order, then makes the greedy steps (each on the term whose
latest step gained most). A step is a small tree fitted to the term's gradient histogram
(``_gam_split``); the histogram comes from one pass over the bag's training rows that also
adds the previous step to their scores (``_gam_histogram``); the loss is ``_gam_loss``'s. After
each round the validation rows receive the round's steps and their loss decides early stopping;
the tables of the best round are kept (no round at all when none beats the model the stage
started from), and the scores are rewound to it so a following stage (pairs after mains)
starts from exactly the kept model. Every sum is added in a fixed order: the model is
bit-identical for any thread count. Under squared error, a step on the term stepped just before
(a greedy step repeating) needs no pass: the term's histogram moves by the previous step times
its hessian sums, and the rows take both steps at the next pass. A time allowance, when given,
is checked before every step (and a round is not begun that the last one's length says would
not end in time): the bag then stops as early stopping would, keeping its best whole round
(none, if the clock stops the first).
"""

import numpy as np

from cython.parallel cimport prange
from libc.math cimport INFINITY, ceil, fabs

from glassbox._ext._typedefs cimport GradHess, INDEX_C, TermSpec, Y_DTYPE_C, PAIR
from glassbox._ext._typedefs import GRAD_HESS_DTYPE
from glassbox._ext._gam_histogram cimport BagRows, Chunks, PendingStep, code_t, chunking, term_histogram
from glassbox._ext._gam_loss cimport LossId, LOG_LOSS, SOFTMAX, SQUARED_ERROR, fast_exp, loss_value
from glassbox._ext._gam_split cimport (StepParams, main_step, pair_step, main_work_size,
                                     main_fwork_size, pair_fwork_size)

cdef extern from *:
    """
    /* Wall-clock seconds from a monotonic clock (a time allowance must not jump with the date). */
    #ifdef _WIN32
    #include <windows.h>
    static double glassbox_monotonic_seconds(void) {
        LARGE_INTEGER frequency, count;
        QueryPerformanceFrequency(&frequency);
        QueryPerformanceCounter(&count);
        return (double)count.QuadPart / (double)frequency.QuadPart;
    }
    #else
    #include <time.h>
    static double glassbox_monotonic_seconds(void) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
    }
    #endif
    """
    double glassbox_monotonic_seconds() noexcept nogil

# Rows per chunk of the validation pass (its per-chunk losses are added in chunk order).
cdef INDEX_C VALIDATION_CHUNK_ROWS = 8192

cdef struct BoostParams:
    # What the Python side decides for one stage (passed as a dict).
    Y_DTYPE_C learning_rate
    Y_DTYPE_C l2_regularization
    Y_DTYPE_C min_hessian
    INDEX_C min_samples_leaf
    INDEX_C max_leaves
    INDEX_C max_rounds
    INDEX_C patience_min          # rounds without improvement that stop a bag: a fraction of
    INDEX_C patience_max          # the rounds up to the best one, within [min, max] (min == max:
    Y_DTYPE_C patience_fraction   # a fixed patience)
    Y_DTYPE_C tolerance           # relative improvement of the validation loss that counts
    INDEX_C greedy_steps          # steps per round after the cyclic pass
    Y_DTYPE_C loss_floor          # a validation loss at or below this stops the bag (-inf: never)


cdef void _add_tables(const code_t[::1, :] codes, const INDEX_C[::1] rows, Y_DTYPE_C[:, ::1] scores,
                      const TermSpec[::1] terms, const Y_DTYPE_C* delta, Y_DTYPE_C sign,
                      int n_threads) noexcept nogil:
    # scores[i] += sign * sum over terms of delta[term][cell of row i]
    cdef INDEX_C i, t, k, cell, n_scores = scores.shape[1]
    for i in prange(rows.shape[0], schedule="static", num_threads=n_threads):
        for t in range(terms.shape[0]):
            cell = codes[rows[i], terms[t].column]
            for k in range(n_scores):
                scores[i, k] += sign * delta[(terms[t].cell_offset + cell) * n_scores + k]


cdef Y_DTYPE_C _validation_loss(const code_t[::1, :] codes, const INDEX_C[::1] val_rows,
                                Y_DTYPE_C[:, ::1] val_scores, const TermSpec[::1] terms, const Y_DTYPE_C* delta,
                                const Y_DTYPE_C[::1] y, const Y_DTYPE_C[::1] sample_weight, LossId loss,
                                Y_DTYPE_C* chunk_loss, Y_DTYPE_C weight_total, int n_threads) noexcept nogil:
    # Adds one round's steps (delta) to the validation scores and returns their mean loss; the
    # per-chunk sums are added in chunk order, so the result does not depend on n_threads.
    cdef INDEX_C n_val = val_rows.shape[0], n_scores = val_scores.shape[1]
    cdef INDEX_C n_chunks = (n_val + VALIDATION_CHUNK_ROWS - 1) // VALIDATION_CHUNK_ROWS
    cdef INDEX_C c, i, t, k, row, cell, start, stop
    cdef Y_DTYPE_C total = 0
    cdef const Y_DTYPE_C* step
    for c in prange(n_chunks, schedule="static", num_threads=n_threads):
        chunk_loss[c] = 0
        start = c * VALIDATION_CHUNK_ROWS
        stop = min(start + VALIDATION_CHUNK_ROWS, n_val)
        # Term by term over the chunk's rows: each term's code column is then read in order,
        # where row by row every term's code was a cache line of its own (the pair stage's
        # validation fell from 5.7% to 2.7% of 564_fried's perf samples). Each row still adds
        # the terms in term order.
        for t in range(terms.shape[0]):
            step = delta + terms[t].cell_offset * n_scores
            for i in range(start, stop):
                cell = codes[val_rows[i], terms[t].column]
                for k in range(n_scores):
                    val_scores[i, k] += step[cell * n_scores + k]
        for i in range(start, stop):
            row = val_rows[i]
            chunk_loss[c] += loss_value(&val_scores[i, 0], y[row], sample_weight[row], loss, n_scores)
    for c in range(n_chunks):
        total = total + chunk_loss[c]
    return total / weight_total if weight_total > 0 else 0


cdef Y_DTYPE_C _step_gain(const GradHess* hist, const Y_DTYPE_C* step, INDEX_C n_cells, INDEX_C n_scores,
                          Y_DTYPE_C learning_rate, Y_DTYPE_C l2) noexcept nogil:
    # A step's gain: its second-order loss decrease at full size (the shrinkage undone) beyond
    # that of one constant leaf, which every term of the stage shares.
    cdef INDEX_C k, cell
    cdef Y_DTYPE_C gain = 0, u, g_sum, h_sum
    for k in range(n_scores):
        g_sum = 0
        h_sum = 0
        for cell in range(n_cells):
            u = step[cell * n_scores + k] / learning_rate
            gain = gain - (2 * hist[cell * n_scores + k].grad * u + hist[cell * n_scores + k].hess * u * u)
            g_sum = g_sum + hist[cell * n_scores + k].grad
            h_sum = h_sum + hist[cell * n_scores + k].hess
        if h_sum + l2 > 0:
            gain = gain - g_sum * g_sum / (h_sum + l2)
    return gain


cdef void _exp_per_value(const Y_DTYPE_C* step, Y_DTYPE_C* out, INDEX_C n, INDEX_C stride,
                         Y_DTYPE_C sign) noexcept nogil:
    # out[j] = exp(sign * step[j]). A step holds a few values (one per leaf) over up to thousands
    # of cells (a 65 x 65 pair grid): a cell equal to the one before it (stride apart: the same
    # class) reuses its exp, which is then the same to the bit (exp(0) = exp(-0) = 1 exactly).
    cdef INDEX_C j
    for j in range(n):
        if j >= stride and step[j] == step[j - stride]:
            out[j] = out[j - stride]
        else:
            out[j] = fast_exp(sign * step[j])


cdef inline INDEX_C _patience(const BoostParams* params, INDEX_C best_rounds) noexcept nogil:
    # Rounds without improvement that stop the bag, given the best round so far: a stage that
    # has improved for a long time may sit on a plateau for a while before improving again; one
    # whose best round is early (pairs that fit little) need not wait as long.
    cdef INDEX_C rounds = <INDEX_C>ceil(params.patience_fraction * best_rounds)
    return min(params.patience_max, max(params.patience_min, rounds))


cdef inline INDEX_C _argmax(const Y_DTYPE_C* values, INDEX_C n) noexcept nogil:
    # First index of the largest value.
    cdef INDEX_C i, best = 0
    for i in range(1, n):
        if values[i] > values[best]:
            best = i
    return best


def boost_bag(
    const code_t[::1, :] codes,            # IN: (n_samples, n_columns) bin codes or pair cells; shared, read-only
    const TermSpec[::1] terms,             # IN: the stage's terms (glassbox._ext._typedefs.TERM_DTYPE)
    const INDEX_C[::1] train_rows,         # IN: this bag's training rows
    const INDEX_C[::1] val_rows,           # IN: this bag's validation rows (may be empty)
    const Y_DTYPE_C[::1] y,                # IN: target per row (class index for softmax)
    const Y_DTYPE_C[::1] sample_weight,    # IN: weight per row
    LossId loss,                           # IN
    BoostParams params,                    # IN
    Y_DTYPE_C[:, ::1] train_scores,        # IN/OUT: raw scores of train_rows; out: of the kept model
    Y_DTYPE_C[:, ::1] val_scores,          # IN/OUT: raw scores of val_rows; out: of the kept model
    Y_DTYPE_C[::1] tables,                 # OUT: kept scores of every term, cell-major then score (class)
    Y_DTYPE_C[::1] val_loss_history,       # OUT: mean validation loss after each round run
    int n_threads,
    double time_left=INFINITY,             # IN: seconds this bag may take (checked before every step)
):
    """Boost one bag; return ``(rounds run, rounds kept, whether the time allowance stopped it)``."""
    cdef:
        INDEX_C n_terms = terms.shape[0]
        INDEX_C n_scores = train_scores.shape[1]
        INDEX_C n_train = train_rows.shape[0], n_val = val_rows.shape[0]
        INDEX_C n_val_chunks = (n_val + VALIDATION_CHUNK_ROWS - 1) // VALIDATION_CHUNK_ROWS
        INDEX_C total = tables.shape[0]
        INDEX_C max_cells = 0, max_a = 0, max_b = 0, t, k, i, j, r, q, n_cells, offset
        INDEX_C n_rounds = 0, best_rounds = 0, threads_val, last_term = -1
        Y_DTYPE_C best_loss = 0, round_loss, weight_total = 0
        StepParams step_params
        Chunks chunks
        BagRows bag
        PendingStep pending
        bint has_validation = n_val > 0, out_of_time = False, midway = False, repeat
        bint fold_repeats = loss == SQUARED_ERROR
        double started = glassbox_monotonic_seconds(), round_started = started, now

    for t in range(n_terms):
        max_cells = max(max_cells, terms[t].n_a * terms[t].n_b)
        max_a = max(max_a, terms[t].n_a)
        max_b = max(max_b, terms[t].n_b)
    step_params.learning_rate = params.learning_rate
    step_params.l2 = params.l2_regularization
    step_params.min_hessian = params.min_hessian
    step_params.min_samples_leaf = params.min_samples_leaf
    step_params.max_leaves = params.max_leaves
    chunks = chunking(n_train, max_cells * n_scores)
    threads_val = max(1, min(n_threads, n_val_chunks))

    cdef GradHess[::1] chunk_hist = np.zeros(max(1, chunks.count) * chunks.stride, dtype=GRAD_HESS_DTYPE)
    cdef GradHess[::1] hist = np.zeros(max(1, chunks.stride), dtype=GRAD_HESS_DTYPE)
    cdef Y_DTYPE_C[::1] chunk_gh = np.zeros(max(1, chunks.count) * 2 * n_scores, dtype=np.float64)
    cdef Y_DTYPE_C[::1] chunk_loss = np.zeros(max(1, n_val_chunks), dtype=np.float64)
    cdef Y_DTYPE_C[::1] step = np.zeros(max(1, max_cells * n_scores), dtype=np.float64)
    # Squared error: the steps not yet added to the training scores when greedy steps repeat a
    # term, added together (see below); a single pending step is read from `step` itself.
    cdef Y_DTYPE_C[::1] pending_sum = np.zeros(max(1, max_cells * n_scores) if fold_repeats else 1,
                                               dtype=np.float64)
    cdef Y_DTYPE_C[::1] best = np.zeros(max(1, total), dtype=np.float64)
    cdef Y_DTYPE_C[::1] round_delta = np.zeros(max(1, total), dtype=np.float64)
    cdef INDEX_C[::1] counts = np.zeros(max(1, total // n_scores), dtype=np.intp)
    cdef Y_DTYPE_C[::1] gains = np.zeros(max(1, n_terms), dtype=np.float64)
    # The bag's targets and weights in its row order: every step reads them for every row, and
    # contiguous copies (16 bytes a row) spare two scattered loads per row visit.
    cdef Y_DTYPE_C[::1] train_y = np.asarray(y)[np.asarray(train_rows)]
    cdef Y_DTYPE_C[::1] train_w = np.asarray(sample_weight)[np.asarray(train_rows)]
    cdef GradHess[::1] row_gh = np.zeros(max(1, n_train) if n_scores == 1 else 1, dtype=GRAD_HESS_DTYPE)
    # Log loss: exp(-score) per training row, and exp(-step) per cell of the latest step; softmax:
    # exp(score - the row's largest) per training row and score, and exp(step) per cell and score.
    cdef INDEX_C exp_width = 1 if loss == LOG_LOSS else n_scores if loss == SOFTMAX else 0
    cdef Y_DTYPE_C[::1] row_exp = np.zeros(max(1, n_train * exp_width), dtype=np.float64)
    cdef Y_DTYPE_C[::1] step_exp = np.ones(max(1, max_cells * max(exp_width, 1)), dtype=np.float64)
    cdef INDEX_C[::1] work = np.zeros(main_work_size(max_cells, params.max_leaves), dtype=np.intp)
    cdef Y_DTYPE_C[::1] fwork = np.zeros(
        max(main_fwork_size(max_cells, params.max_leaves), pair_fwork_size(max_a, max_b)), dtype=np.float64)

    bag.rows = &train_rows[0] if n_train else NULL
    bag.y = &train_y[0] if n_train else NULL
    bag.w = &train_w[0] if n_train else NULL
    bag.scores = &train_scores[0, 0] if n_train else NULL
    bag.row_gh = &row_gh[0]
    bag.row_exp = &row_exp[0]
    bag.chunk_gh = &chunk_gh[0]
    bag.n = n_train
    bag.n_scores = n_scores
    bag.loss = loss
    # Unweighted squared error (relative weights all exactly 1): every row's hessian is 1, so a
    # cell's hessian sum is its row count in any order of addition, and the pass need not add it.
    bag.count_hessians = loss == SQUARED_ERROR and n_train > 0
    for i in range(n_train):
        if train_w[i] != 1.0:
            bag.count_hessians = False
            break
    pending.column = -1
    pending.values = &step[0]
    pending.exp_minus = &step_exp[0]
    pending.refresh = True

    tables[:] = 0
    with nogil:
        # Training rows per cell: fixed for the bag, they gate min_samples_leaf.
        for t in prange(n_terms, schedule="static", num_threads=n_threads):
            for i in range(n_train):
                counts[terms[t].cell_offset + codes[train_rows[i], terms[t].column]] += 1
        for i in range(n_val):
            weight_total += sample_weight[val_rows[i]]
        if has_validation:
            # The model this stage starts from is the first candidate: a stage whose every round
            # makes the held-out loss worse (pairs that only fit noise) keeps no round at all.
            round_delta[:] = 0
            best_loss = _validation_loss(codes, val_rows, val_scores, terms, &round_delta[0], y, sample_weight,
                                         loss, &chunk_loss[0], weight_total, threads_val)

        for r in range(params.max_rounds):
            # A round is not started when it would likely end past the allowance (the last round's
            # length is the guess): on many classes or huge grids one round can take seconds.
            now = glassbox_monotonic_seconds()
            if r > 0 and (now - started) + (now - round_started) >= time_left:
                out_of_time = True
                break
            round_started = now
            round_delta[:] = 0
            if not has_validation and time_left < INFINITY:
                best[:] = tables  # the last whole round: kept if the clock stops this one midway
            for q in range(n_terms + params.greedy_steps):
                if time_left < INFINITY and glassbox_monotonic_seconds() - started >= time_left:
                    out_of_time = midway = True
                    break
                # Every term once in order (which also refreshes its gain), then the greedy steps:
                # a term that still gains much gets more steps than one that has little left.
                t = q if q < n_terms else _argmax(&gains[0], n_terms)
                pending.refresh = q == 0
                n_cells = terms[t].n_a * terms[t].n_b
                offset = terms[t].cell_offset
                # A greedy step often repeats the term just stepped (the strongest term takes
                # several in a row: in default fits, 32% of 564_fried's pair steps and 38% of
                # 537_houses' main-effect steps, counted by an instrumented build, stop 36). Under
                # squared error a row's gradient w * (s - y) then moves by w times the step on its
                # cell and its hessian w not at all, so hist, still this term's, moves by step *
                # hessian sum per cell: the same sums up to rounding, without a pass over the rows.
                # The rows take the steps at the next pass, added together in pending_sum (the
                # first repeat copies the pending step there; a step that is no repeat is read
                # from `step` again, so it costs no copy).
                repeat = fold_repeats and t == last_term
                if repeat:
                    for j in range(n_cells):
                        hist[j].grad += step[j] * hist[j].hess
                    if pending.values == &step[0]:
                        for j in range(n_cells):
                            pending_sum[j] = step[j]
                        pending.values = &pending_sum[0]
                else:
                    term_histogram(codes, &bag, &pending, terms[t].column, n_cells * n_scores, &chunks,
                                   &chunk_hist[0], &hist[0], n_threads)
                    if bag.count_hessians:
                        for j in range(n_cells):
                            hist[j].hess = counts[offset + j]
                for k in range(n_scores):
                    if terms[t].kind == PAIR:
                        pair_step(&hist[k], &counts[offset], terms[t].n_a, terms[t].n_b, n_scores, n_scores,
                                  &step_params, &fwork[0], &step[k])
                    else:
                        main_step(&hist[k], &counts[offset], n_cells, n_scores, n_scores,
                                  terms[t].kind, terms[t].monotonic, &step_params, &work[0], &fwork[0],
                                  &step[k])
                for j in range(n_cells * n_scores):
                    tables[offset * n_scores + j] += step[j]
                    round_delta[offset * n_scores + j] += step[j]
                if repeat:  # (one score)
                    for j in range(n_cells):
                        pending_sum[j] = pending_sum[j] + step[j]
                else:
                    pending.values = &step[0]
                last_term = t
                if n_scores == 1 and loss == LOG_LOSS:
                    _exp_per_value(&step[0], &step_exp[0], n_cells, 1, -1.0)
                elif loss == SOFTMAX:
                    _exp_per_value(&step[0], &step_exp[0], n_cells * n_scores, n_scores, 1.0)
                gains[t] = _step_gain(&hist[0], &step[0], n_cells, n_scores, params.learning_rate,
                                      params.l2_regularization)
                pending.column = terms[t].column
            if midway:
                break
            n_rounds = r + 1
            if not has_validation:
                best_rounds = n_rounds
                continue
            round_loss = _validation_loss(codes, val_rows, val_scores, terms, &round_delta[0], y, sample_weight,
                                          loss, &chunk_loss[0], weight_total, threads_val)
            val_loss_history[r] = round_loss
            if round_loss < best_loss - params.tolerance * fabs(best_loss):
                best_loss = round_loss
                best_rounds = n_rounds
                best[:] = tables
                if best_loss <= params.loss_floor:
                    break
            elif n_rounds - best_rounds >= _patience(&params, best_rounds):
                break

        # The last step (or repeated steps) is still pending on the training scores.
        if pending.column >= 0:
            for i in prange(n_train, schedule="static", num_threads=max(1, min(n_threads, chunks.count))):
                for k in range(n_scores):
                    train_scores[i, k] += pending.values[codes[train_rows[i], pending.column] * n_scores + k]
        if midway:
            # Back to the kept round (the best, or without validation the last whole one): the
            # validation scores never received this round's steps, the training scores did.
            for j in range(total):
                round_delta[j] = tables[j] - round_delta[j] - best[j]
            _add_tables(codes, val_rows, val_scores, terms, &round_delta[0], -1.0, threads_val)
            for j in range(total):
                round_delta[j] = tables[j] - best[j]
            _add_tables(codes, train_rows, train_scores, terms, &round_delta[0], -1.0,
                        max(1, min(n_threads, chunks.count)))
            tables[:] = best
        elif has_validation and best_rounds < n_rounds:
            for j in range(total):
                round_delta[j] = tables[j] - best[j]
            _add_tables(codes, train_rows, train_scores, terms, &round_delta[0], -1.0,
                        max(1, min(n_threads, chunks.count)))
            _add_tables(codes, val_rows, val_scores, terms, &round_delta[0], -1.0, threads_val)
            tables[:] = best
    return n_rounds, best_rounds, bool(out_of_time)
