"""Split search on one GAM term's gradient/hessian histogram: the step a boosting round adds.

A main-effect step is a small tree over the term's value bins (best-first, at most
``max_leaves`` leaves, Newton leaf values ``-G / (H + l2)`` shrunk by the learning rate). For a
continuous feature leaves are runs of neighbouring bins; for a categorical feature the levels are
first ordered by their Newton value, so a run is any set of levels (the classic optimal
ordering for one split). An unordered continuous feature (one whose effect jumps between
neighbouring values, chosen by glassbox/gam/_unordered.py) is split like a categorical one, and
its bins without rows in the bag take the step of their nearest bin with rows. The missing code
is always its own leaf; the unseen code never has training rows and keeps 0. A monotonic
constraint rejects splits whose two sides go the wrong way and then pools adjacent violating
leaves (weighted by hessian), so every step -- and hence every sum of steps -- is monotone in
bin order.

A pair step is a depth-2 tree on the cell grid: one cut along either axis, then each side's own
cut along the other axis (any cut may be absent), so up to four leaves that need not line up as
quadrants -- the shape InterpretML's EBM boosts pairs with. For a fixed first cut the two sides'
gains add, so the exhaustive search costs O(n_a * n_b) with 2-D prefix sums. The same gain ranks
candidate pairs before they are boosted (FAST-style detection).
"""

import numpy as np

from libc.math cimport INFINITY

from glassbox._ext._typedefs cimport GradHess, Y_DTYPE_C, INDEX_C, FLAG_C, CONTINUOUS, UNORDERED
from glassbox._ext._typedefs import GRAD_HESS_DTYPE


cpdef INDEX_C main_work_size(INDEX_C n_codes, INDEX_C max_leaves) noexcept nogil:
    return 2 * n_codes + 3 * max_leaves + 2


cpdef INDEX_C main_fwork_size(INDEX_C n_codes, INDEX_C max_leaves) noexcept nogil:
    return 3 * n_codes + 5 * max_leaves + 2


cdef inline Y_DTYPE_C _score(Y_DTYPE_C g, Y_DTYPE_C h, Y_DTYPE_C l2) noexcept nogil:
    # G^2 / (H + l2): the loss reduction of one Newton leaf, up to a factor 1/2.
    if h + l2 <= 0:
        return 0
    return g * g / (h + l2)


cdef inline Y_DTYPE_C _value(Y_DTYPE_C g, Y_DTYPE_C h, Y_DTYPE_C l2) noexcept nogil:
    if h + l2 <= 0:
        return 0
    return -g / (h + l2)


cdef void _best_split(
    const Y_DTYPE_C* cg, const Y_DTYPE_C* ch, const INDEX_C* cc,   # prefix sums, length m + 1
    INDEX_C start, INDEX_C stop, FLAG_C monotonic, StepParams* params,
    INDEX_C* best_pos, Y_DTYPE_C* best_gain,
) noexcept nogil:
    cdef INDEX_C p
    cdef Y_DTYPE_C gl, hl, gr, hr, gain, parent
    cdef Y_DTYPE_C l2 = params.l2
    parent = _score(cg[stop] - cg[start], ch[stop] - ch[start], l2)
    best_pos[0] = -1
    best_gain[0] = 0
    for p in range(start + 1, stop):
        if cc[p] - cc[start] < params.min_samples_leaf or cc[stop] - cc[p] < params.min_samples_leaf:
            continue
        gl = cg[p] - cg[start]
        hl = ch[p] - ch[start]
        gr = cg[stop] - cg[p]
        hr = ch[stop] - ch[p]
        if hl < params.min_hessian or hr < params.min_hessian:
            continue
        if monotonic > 0 and _value(gl, hl, l2) > _value(gr, hr, l2):
            continue
        if monotonic < 0 and _value(gl, hl, l2) < _value(gr, hr, l2):
            continue
        gain = _score(gl, hl, l2) + _score(gr, hr, l2) - parent
        if gain > best_gain[0]:
            best_gain[0] = gain
            best_pos[0] = p


cdef void _pool_adjacent_violators(Y_DTYPE_C* values, Y_DTYPE_C* weights, INDEX_C n,
                                   Y_DTYPE_C* block_value, Y_DTYPE_C* block_weight,
                                   INDEX_C* block_size) noexcept nogil:
    # Weighted isotonic (non-decreasing) fit of `values` in place.
    cdef INDEX_C i, j, k, n_blocks = 0
    for i in range(n):
        block_value[n_blocks] = values[i]
        block_weight[n_blocks] = weights[i]
        block_size[n_blocks] = 1
        n_blocks += 1
        while n_blocks > 1 and block_value[n_blocks - 2] > block_value[n_blocks - 1]:
            k = n_blocks - 2
            if block_weight[k] + block_weight[k + 1] > 0:
                block_value[k] = (block_value[k] * block_weight[k] + block_value[k + 1] * block_weight[k + 1]) / (
                    block_weight[k] + block_weight[k + 1])
            else:
                block_value[k] = 0.5 * (block_value[k] + block_value[k + 1])
            block_weight[k] += block_weight[k + 1]
            block_size[k] += block_size[k + 1]
            n_blocks -= 1
    i = 0
    for k in range(n_blocks):
        for j in range(block_size[k]):
            values[i] = block_value[k]
            i += 1


cdef INDEX_C _order_bins(const GradHess* hist, const INDEX_C* counts, INDEX_C n_values, INDEX_C stride,
                         bint newton, Y_DTYPE_C l2, INDEX_C* order, Y_DTYPE_C* keys) noexcept nogil:
    # The value bins in split order, returning how many: bin order (every bin); or Newton value
    # order of the bins with rows (insertion sort: stable, at most 254 bins), whose empty bins
    # stay out of every leaf.
    cdef INDEX_C b, j, m = 0
    cdef Y_DTYPE_C key
    if not newton:
        for b in range(n_values):
            order[b] = b
        return n_values
    for b in range(n_values):
        if counts[b] > 0:
            key = _value(hist[b * stride].grad, hist[b * stride].hess, l2)
            j = m
            while j > 0 and keys[j - 1] > key:
                keys[j] = keys[j - 1]
                order[j] = order[j - 1]
                j -= 1
            keys[j] = key
            order[j] = b
            m += 1
    return m


cdef INDEX_C _grow(const GradHess* hist, const INDEX_C* counts, INDEX_C stride, const INDEX_C* order,
                   INDEX_C m, FLAG_C monotonic, StepParams* params, INDEX_C* cc, INDEX_C* leaf_start,
                   INDEX_C* leaf_pos, Y_DTYPE_C* cg, Y_DTYPE_C* ch, Y_DTYPE_C* leaf_gain) noexcept nogil:
    # Best-first growth of the step's leaves over the bins in `order`; returns the number of
    # leaves (0: no rows). Leaves are kept sorted by start, leaf k covering
    # [leaf_start[k], leaf_start[k + 1]), leaf_start[n_leaves] = m.
    cdef INDEX_C i, b, leaf, n_leaves, best_leaf, pos
    cdef Y_DTYPE_C best, l2 = params.l2
    cg[0] = 0
    ch[0] = 0
    cc[0] = 0
    for i in range(m):
        b = order[i]
        cg[i + 1] = cg[i] + hist[b * stride].grad
        ch[i + 1] = ch[i] + hist[b * stride].hess
        cc[i + 1] = cc[i] + counts[b]
    if m == 0 or cc[m] == 0:
        return 0
    n_leaves = 1
    leaf_start[0] = 0
    leaf_start[1] = m
    _best_split(cg, ch, cc, 0, m, monotonic, params, &leaf_pos[0], &leaf_gain[0])
    while n_leaves < params.max_leaves:
        best_leaf = -1
        best = 0
        for leaf in range(n_leaves):
            if leaf_pos[leaf] >= 0 and leaf_gain[leaf] > best:
                best = leaf_gain[leaf]
                best_leaf = leaf
        if best_leaf < 0:
            break
        pos = leaf_pos[best_leaf]
        for leaf in range(n_leaves, best_leaf, -1):  # open a slot after best_leaf
            leaf_start[leaf + 1] = leaf_start[leaf]
            leaf_pos[leaf] = leaf_pos[leaf - 1]
            leaf_gain[leaf] = leaf_gain[leaf - 1]
        leaf_start[best_leaf + 1] = pos
        n_leaves += 1
        _best_split(cg, ch, cc, leaf_start[best_leaf], leaf_start[best_leaf + 1], monotonic, params,
                    &leaf_pos[best_leaf], &leaf_gain[best_leaf])
        _best_split(cg, ch, cc, leaf_start[best_leaf + 1], leaf_start[best_leaf + 2], monotonic, params,
                    &leaf_pos[best_leaf + 1], &leaf_gain[best_leaf + 1])
    return n_leaves


cdef void main_step(
    const GradHess* hist,
    const INDEX_C* counts,
    INDEX_C n_codes,
    INDEX_C stride,
    INDEX_C out_stride,
    FLAG_C kind,
    FLAG_C monotonic,
    StepParams* params,
    INDEX_C* work,
    Y_DTYPE_C* fwork,
    Y_DTYPE_C* out,
) noexcept nogil:
    cdef:
        INDEX_C n_values = n_codes - 2
        INDEX_C missing = n_codes - 2
        INDEX_C m, i, b, leaf, n_leaves
        INDEX_C max_leaves = params.max_leaves
        Y_DTYPE_C l2 = params.l2, last
        INDEX_C* order = work                       # value bins in split order
        INDEX_C* cc = work + n_codes                # prefix counts (m + 1)
        INDEX_C* leaf_start = cc + n_codes + 1      # max_leaves + 1
        INDEX_C* leaf_pos = leaf_start + max_leaves + 1   # best split of each leaf (-1: none)
        INDEX_C* pav_size = leaf_pos + max_leaves
        Y_DTYPE_C* cg = fwork
        Y_DTYPE_C* ch = fwork + n_codes + 1
        Y_DTYPE_C* keys = ch + n_codes + 1
        Y_DTYPE_C* leaf_gain = keys + n_codes
        Y_DTYPE_C* leaf_value = leaf_gain + max_leaves
        Y_DTYPE_C* leaf_weight = leaf_value + max_leaves
        Y_DTYPE_C* pav_value = leaf_weight + max_leaves
        Y_DTYPE_C* pav_weight = pav_value + max_leaves

    for b in range(n_codes):
        out[b * out_stride] = 0
    # Split order: bin order for continuous features; Newton value order for categorical and
    # unordered ones, whose empty bins (none of this bag's rows) stay out of every leaf.
    m = _order_bins(hist, counts, n_values, stride, kind != CONTINUOUS, l2, order, keys)
    n_leaves = _grow(hist, counts, stride, order, m, monotonic, params, cc, leaf_start, leaf_pos, cg, ch, leaf_gain)
    if n_leaves > 0:
        for leaf in range(n_leaves):
            leaf_value[leaf] = _value(cg[leaf_start[leaf + 1]] - cg[leaf_start[leaf]],
                                      ch[leaf_start[leaf + 1]] - ch[leaf_start[leaf]], l2)
            leaf_weight[leaf] = ch[leaf_start[leaf + 1]] - ch[leaf_start[leaf]] + l2
        if monotonic != 0:
            if monotonic < 0:
                for leaf in range(n_leaves):
                    leaf_value[leaf] = -leaf_value[leaf]
            _pool_adjacent_violators(leaf_value, leaf_weight, n_leaves, pav_value, pav_weight, pav_size)
            if monotonic < 0:
                for leaf in range(n_leaves):
                    leaf_value[leaf] = -leaf_value[leaf]
        for leaf in range(n_leaves):
            for i in range(leaf_start[leaf], leaf_start[leaf + 1]):
                out[order[i] * out_stride] = params.learning_rate * leaf_value[leaf]
        if kind == UNORDERED:
            # A continuous bin without this bag's rows takes the step of the nearest bin below
            # with rows (above, before the first), so the term stays a step function of the value
            # instead of leaving a hole at 0 where a later row may fall.
            b = 0
            while counts[b] == 0:
                b += 1
            last = out[b * out_stride]
            for b in range(n_values):
                if counts[b] > 0:
                    last = out[b * out_stride]
                else:
                    out[b * out_stride] = last
    if counts[missing] >= 1 and hist[missing * stride].hess >= params.min_hessian:
        out[missing * out_stride] = params.learning_rate * _value(hist[missing * stride].grad,
                                                                  hist[missing * stride].hess, l2)


cdef inline Y_DTYPE_C _box(const Y_DTYPE_C* p, INDEX_C n_b1, INDEX_C a0, INDEX_C a1,
                           INDEX_C b0, INDEX_C b1) noexcept nogil:
    # Sum over cells [a0, a1) x [b0, b1) from a 2-D prefix-sum table with rows of n_b1 entries.
    return p[a1 * n_b1 + b1] - p[a0 * n_b1 + b1] - p[a1 * n_b1 + b0] + p[a0 * n_b1 + b0]


cdef extern from *:
    """
    /* scores[j] for j in [1, n): the two leaves' scores (G^2 / (H + l2) each, 0 where H + l2 <= 0)
       of the strip between prefix rows lo and hi cut at child code j, or -inf where the cut is
       not allowed (a leaf empty, or below min_samples_leaf / min_hessian). lo and hi point into
       the orientation's gradient table; its hessian and count tables follow at +size and
       +2 * size. The sums are the very expressions of the 2-D box formula (the left leaf's low
       corners read 0, and the right leaf's corners are added in the order _box adds them for
       that orientation), so the search finds the same cut to the bit. Written in C, without a
       branch, so that the compiler vectorises the loop, its two divisions most of all. */
    #define GLASSBOX_STRIP_CUT_LOOP(RIGHT_G, RIGHT_H)                                              \
        for (Py_ssize_t j = 1; j < n; j++) {                                                      \
            double gl = hi[j] - lo[j], hl = hi_h[j] - lo_h[j], cl = hi_c[j] - lo_c[j];            \
            double gr = RIGHT_G, hr = RIGHT_H, cr = tc - cl; /* counts: exact in any order */      \
            double dl = hl + l2, dr = hr + l2;                                                    \
            double sl = gl * gl / (dl > 0 ? dl : 1.0), sr = gr * gr / (dr > 0 ? dr : 1.0);        \
            sl = dl > 0 ? sl : 0.0;                                                               \
            sr = dr > 0 ? sr : 0.0;                                                               \
            int allowed = (cl > 0) & (cr > 0) & (cl >= msl) & (cr >= msl) & (hl >= min_h) & (hr >= min_h); \
            scores[j] = allowed ? sl + sr : -INFINITY;                                            \
        }
    /* GCC vectorises the selects only with -fno-trapping-math, set here for this function
       alone: the arithmetic is the same IEEE arithmetic, the compiler may just evaluate both
       sides of a select (Clang does by default). On x86-64 with glibc an AVX2 clone is chosen at
       load time where the CPU has it (4 divisions at once instead of 2); AVX2 does not bring
       fused multiply-adds, so both clones round alike. */
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
    #define GLASSBOX_SELECTS_VECTORISE __attribute__((optimize("no-trapping-math"), target_clones("avx2", "default")))
    #elif defined(__GNUC__) && !defined(__clang__)
    #define GLASSBOX_SELECTS_VECTORISE __attribute__((optimize("no-trapping-math")))
    #else
    #define GLASSBOX_SELECTS_VECTORISE
    #endif
    #if defined(_MSC_VER)
    #define GLASSBOX_RESTRICT __restrict
    #else
    #define GLASSBOX_RESTRICT __restrict__
    #endif
    GLASSBOX_SELECTS_VECTORISE
    static void glassbox_strip_cut_scores(const double* lo, const double* hi, Py_ssize_t size, Py_ssize_t n,
                                          int transpose, double l2, double msl, double min_h,
                                          double* GLASSBOX_RESTRICT scores) {
        const double *lo_h = lo + size, *hi_h = hi + size, *lo_c = lo + 2 * size, *hi_c = hi + 2 * size;
        const double tg = hi[n] - lo[n], th = hi_h[n] - lo_h[n], tc = hi_c[n] - lo_c[n];
        if (transpose) {
            GLASSBOX_STRIP_CUT_LOOP(((hi[n] - hi[j]) - lo[n]) + lo[j], ((hi_h[n] - hi_h[j]) - lo_h[n]) + lo_h[j])
        } else {
            GLASSBOX_STRIP_CUT_LOOP((tg - hi[j]) + lo[j], (th - hi_h[j]) + lo_h[j])
        }
    }
    """
    void glassbox_strip_cut_scores(const Y_DTYPE_C* lo, const Y_DTYPE_C* hi, INDEX_C size, INDEX_C n,
                                   bint transpose, Y_DTYPE_C l2, Y_DTYPE_C msl, Y_DTYPE_C min_h,
                                   Y_DTYPE_C* scores) noexcept nogil


cdef inline Y_DTYPE_C _best_child_cut(const Y_DTYPE_C* table, INDEX_C size, INDEX_C n_child, bint transpose,
                                      INDEX_C r0, INDEX_C r1, StepParams* params, Y_DTYPE_C* scores,
                                      INDEX_C* best_cut, bint* ok) noexcept nogil:
    # Best cut of the strip of root codes [r0, r1) along the child axis (n_child: no cut): its
    # two leaves' scores. A strip that is itself too small clears ok: every cut of it would be
    # too. table: the orientation's prefix sums, rows of n_child + 1 along the root axis.
    cdef INDEX_C j, width = n_child + 1
    cdef const Y_DTYPE_C* lo = table + r0 * width
    cdef const Y_DTYPE_C* hi = table + r1 * width
    cdef Y_DTYPE_C count = hi[2 * size + n_child] - lo[2 * size + n_child]
    cdef Y_DTYPE_C hess = hi[size + n_child] - lo[size + n_child], best
    ok[0] = True
    best_cut[0] = n_child
    if count == 0:
        return 0
    if count < params.min_samples_leaf or hess < params.min_hessian:
        ok[0] = False
        return 0
    best = _score(hi[n_child] - lo[n_child], hess, params.l2)
    glassbox_strip_cut_scores(lo, hi, size, n_child, transpose, params.l2, params.min_samples_leaf,
                              params.min_hessian, scores)
    j = _first_max_above(scores, 1, n_child, best)
    if j >= 0:
        best = scores[j]
        best_cut[0] = j
    return best


cdef inline INDEX_C _first_max_above(const Y_DTYPE_C* values, INDEX_C start, INDEX_C stop,
                                     Y_DTYPE_C floor) noexcept nogil:
    # First index in [start, stop) of the largest value, if it is above floor (else -1): what a
    # scan keeping each strictly better value finds. One running maximum made each comparison
    # wait on the one before (3% of 537_houses' fit), so four run side by side, then the first
    # index holding their maximum is looked up. NaN never wins, as in the scan.
    cdef Y_DTYPE_C m0 = floor, m1 = floor, m2 = floor, m3 = floor
    cdef INDEX_C j = start
    while j + 4 <= stop:
        if values[j] > m0:
            m0 = values[j]
        if values[j + 1] > m1:
            m1 = values[j + 1]
        if values[j + 2] > m2:
            m2 = values[j + 2]
        if values[j + 3] > m3:
            m3 = values[j + 3]
        j = j + 4
    while j < stop:
        if values[j] > m0:
            m0 = values[j]
        j = j + 1
    if m1 > m0:
        m0 = m1
    if m3 > m2:
        m2 = m3
    if m2 > m0:
        m0 = m2
    if not m0 > floor:
        return -1
    for j in range(start, stop):
        if values[j] == m0:
            return j
    return -1


cpdef INDEX_C pair_fwork_size(INDEX_C n_a, INDEX_C n_b) noexcept nogil:
    return 6 * (n_a + 1) * (n_b + 1) + max(n_a, n_b) + 1


cdef Y_DTYPE_C pair_step(
    const GradHess* hist,
    const INDEX_C* counts,
    INDEX_C n_a,
    INDEX_C n_b,
    INDEX_C stride,
    INDEX_C out_stride,
    StepParams* params,
    Y_DTYPE_C* fwork,
    Y_DTYPE_C* out,
) noexcept nogil:
    """Best depth-2 step; returns its gain (0 when no cut is allowed, the step then one leaf)."""
    cdef:
        INDEX_C n_a1 = n_a + 1, n_b1 = n_b + 1, size = (n_a + 1) * (n_b + 1)
        INDEX_C a, b, i, f, row, up, cell, n_root, width, n_child, cut_low, cut_high, side, half, c, r0, r1, c0, c1
        INDEX_C best_root = n_a, best_low = n_b, best_high = n_b
        # The prefix sums twice: rows along the first feature (gradient, hessian and count
        # tables one after the other), then the same transposed, so that either orientation's
        # strips read contiguous rows.
        Y_DTYPE_C* pg = fwork
        Y_DTYPE_C* ph = fwork + size
        Y_DTYPE_C* pc = fwork + 2 * size
        Y_DTYPE_C* transposed = fwork + 3 * size
        Y_DTYPE_C* scores = fwork + 6 * size
        Y_DTYPE_C* table
        Y_DTYPE_C l2 = params.l2, gain, best_gain = 0, parent, low, high, qg, left_g, left_h, left_c, low_rows
        bint ok, transpose, best_transpose = False
    # The 2-D recurrence P[a][b] = ((P[a-1][b] + P[a][b-1]) - P[a-1][b-1]) + cell, with P[a][b-1]
    # carried in registers: read back from memory, each cell waited for its left neighbour's
    # store. Each value also goes to its transposed place.
    for b in range(n_b + 1):
        for f in range(3):
            fwork[f * size + b] = 0
            transposed[f * size + b * n_a1] = 0
    for a in range(1, n_a + 1):
        row = a * n_b1
        up = row - n_b1
        for f in range(3):
            fwork[f * size + row] = 0
            transposed[f * size + a] = 0
        left_g = 0
        left_h = 0
        left_c = 0
        for b in range(1, n_b + 1):
            cell = (a - 1) * n_b + (b - 1)
            left_g = pg[up + b] + left_g - pg[up + b - 1] + hist[cell * stride].grad
            left_h = ph[up + b] + left_h - ph[up + b - 1] + hist[cell * stride].hess
            left_c = pc[up + b] + left_c - pc[up + b - 1] + counts[cell]
            pg[row + b] = left_g
            ph[row + b] = left_h
            pc[row + b] = left_c
            transposed[b * n_a1 + a] = left_g
            transposed[size + b * n_a1 + a] = left_h
            transposed[2 * size + b * n_a1 + a] = left_c
    parent = _score(pg[size - 1], ph[size - 1], l2)
    # Root cut along one axis (the first feature's, then the second's), then each side's own best
    # cut along the other axis: for a fixed root cut the two sides' gains add, so each side is
    # searched alone and the whole search is O(n_a * n_b) per orientation.
    for transpose in range(2):
        n_root = n_b if transpose else n_a
        n_child = n_a if transpose else n_b
        table = transposed if transpose else fwork
        width = n_child + 1
        for i in range(1, n_root + 1):
            low_rows = table[2 * size + i * width + n_child]  # rows below the root cut
            if i < n_root and (low_rows == 0 or low_rows == pc[size - 1]):
                continue  # a root cut with an empty side is no cut
            low = _best_child_cut(table, size, n_child, transpose, 0, i, params, scores, &cut_low, &ok)
            if not ok:
                continue
            high = 0
            cut_high = n_child
            if i < n_root:
                high = _best_child_cut(table, size, n_child, transpose, i, n_root, params, scores, &cut_high, &ok)
                if not ok:
                    continue
            gain = low + high - parent
            if gain > best_gain:
                best_gain = gain
                best_transpose = transpose
                best_root = i
                best_low = cut_low
                best_high = cut_high
    if out != NULL:
        n_root = n_b if best_transpose else n_a
        n_child = n_a if best_transpose else n_b
        for side in range(2):
            r0 = 0 if side == 0 else best_root
            r1 = best_root if side == 0 else n_root
            c = best_low if side == 0 else best_high
            for half in range(2):
                c0 = 0 if half == 0 else c
                c1 = c if half == 0 else n_child
                if r1 <= r0 or c1 <= c0:
                    continue
                if best_transpose:
                    qg = params.learning_rate * _value(_box(pg, n_b1, c0, c1, r0, r1), _box(ph, n_b1, c0, c1, r0, r1), l2)
                    for a in range(c0, c1):
                        for b in range(r0, r1):
                            # Unseen codes (last of each axis) never have training rows: they keep 0.
                            out[(a * n_b + b) * out_stride] = 0 if (a == n_a - 1 or b == n_b - 1) else qg
                else:
                    qg = params.learning_rate * _value(_box(pg, n_b1, r0, r1, c0, c1), _box(ph, n_b1, r0, r1, c0, c1), l2)
                    for a in range(r0, r1):
                        for b in range(c0, c1):
                            out[(a * n_b + b) * out_stride] = 0 if (a == n_a - 1 or b == n_b - 1) else qg
    return best_gain


def _params(learning_rate, l2, min_hessian, min_samples_leaf, max_leaves):
    cdef StepParams p
    p.learning_rate = learning_rate
    p.l2 = l2
    p.min_hessian = min_hessian
    p.min_samples_leaf = min_samples_leaf
    p.max_leaves = max_leaves
    return p


def _histogram(grad, hess):
    hist = np.empty(np.shape(grad), dtype=GRAD_HESS_DTYPE)
    hist["grad"], hist["hess"] = grad, hess
    return hist


def main_step_py(const Y_DTYPE_C[::1] grad, const Y_DTYPE_C[::1] hess, const INDEX_C[::1] counts,
                 int kind, int monotonic, double learning_rate, double l2, double min_hessian,
                 INDEX_C min_samples_leaf, INDEX_C max_leaves):
    """One main-effect step on a histogram (``kind`` a main effect's TermKind): score change per
    code. For tests, and for choosing which continuous terms are unordered."""
    cdef INDEX_C n = grad.shape[0]
    cdef StepParams p = _params(learning_rate, l2, min_hessian, min_samples_leaf, max_leaves)
    cdef const GradHess[::1] hist = _histogram(grad, hess)
    cdef INDEX_C[::1] work = np.empty(main_work_size(n, max_leaves), dtype=np.intp)
    cdef Y_DTYPE_C[::1] fwork = np.empty(main_fwork_size(n, max_leaves), dtype=np.float64)
    cdef Y_DTYPE_C[::1] out = np.zeros(n, dtype=np.float64)
    with nogil:
        main_step(&hist[0], &counts[0], n, 1, 1, <FLAG_C>kind, <FLAG_C>monotonic, &p, &work[0], &fwork[0],
                  &out[0])
    return np.asarray(out)


def pair_step_py(const Y_DTYPE_C[:, ::1] grad, const Y_DTYPE_C[:, ::1] hess, const INDEX_C[:, ::1] counts,
                 double learning_rate, double l2, double min_hessian, INDEX_C min_samples_leaf):
    """One pair step on a cell grid (for tests): ``(score change per cell, gain)``."""
    cdef INDEX_C n_a = grad.shape[0], n_b = grad.shape[1]
    cdef StepParams p = _params(learning_rate, l2, min_hessian, min_samples_leaf, 4)
    cdef const GradHess[:, ::1] hist = _histogram(grad, hess)
    cdef Y_DTYPE_C[::1] fwork = np.empty(pair_fwork_size(n_a, n_b), dtype=np.float64)
    cdef Y_DTYPE_C[:, ::1] out = np.zeros((n_a, n_b), dtype=np.float64)
    cdef Y_DTYPE_C gain
    with nogil:
        gain = pair_step(&hist[0, 0], &counts[0, 0], n_a, n_b, 1, 1, &p, &fwork[0], &out[0, 0])
    return np.asarray(out), gain


def unordered_gain(const Y_DTYPE_C[:, ::1] grad, const Y_DTYPE_C[:, ::1] hess, const INDEX_C[::1] counts,
                   double l2, double min_hessian, INDEX_C min_samples_leaf, INDEX_C ordered_leaves):
    """How much more the best unshrunk two-leaf step in Newton value order decreases the loss
    (twice its second-order decrease) than the best ``ordered_leaves``-leaf step in bin order,
    summed over the scores: ``grad`` and ``hess`` hold one main-effect histogram per score (row).
    The statistic glassbox/gam/_unordered.py tests."""
    cdef INDEX_C n_scores = grad.shape[0], n = grad.shape[1], k, b, pass_
    cdef INDEX_C max_leaves = max(2, ordered_leaves)
    cdef StepParams p = _params(1.0, l2, min_hessian, min_samples_leaf, 2)
    cdef GradHess[::1] hist = np.zeros(max(1, n), dtype=GRAD_HESS_DTYPE)
    cdef INDEX_C[::1] work = np.empty(main_work_size(n, max_leaves), dtype=np.intp)
    cdef Y_DTYPE_C[::1] fwork = np.empty(main_fwork_size(n, max_leaves), dtype=np.float64)
    cdef Y_DTYPE_C[::1] out = np.zeros(max(1, n), dtype=np.float64)
    cdef Y_DTYPE_C total = 0, decrease
    if n == 0:
        return 0.0
    with nogil:
        for k in range(n_scores):
            for b in range(n):
                hist[b].grad = grad[k, b]
                hist[b].hess = hess[k, b]
            for pass_ in range(2):
                p.max_leaves = 2 if pass_ == 0 else ordered_leaves
                main_step(&hist[0], &counts[0], n, 1, 1, UNORDERED if pass_ == 0 else CONTINUOUS, 0, &p,
                          &work[0], &fwork[0], &out[0])
                decrease = 0
                for b in range(n):
                    decrease = decrease - (2 * hist[b].grad * out[b] + hist[b].hess * out[b] * out[b])
                total = total + (decrease if pass_ == 0 else -decrease)
    return total
