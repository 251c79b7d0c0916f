"""The exact depth-2 tree solver on pairwise histograms (see ``_tree_histogram.pyx``).

It returns the tree of depth <= ``max_depth`` (0, 1 or 2) minimising the summed leaf error plus
``leaf_penalty`` per leaf, over the split family of ``glassbox.tree._search``: a threshold split
at value bin u on feature j sends codes ``lo_bin[j]..u`` left and ``u+1..hi_bin[j]`` right (both
sides keep value bins of the node's region), the missing code going left (m=1) or right (m=0);
each child holds at least ``min_leaf`` rows and positive weight. Among equal costs the first
split found wins (lowest feature, then threshold, then missing right before left).

Statistics per histogram cell are ``glassbox._regions``' layout, with the row count last:
classification ``[w_0, ..., w_{K-1}, count]`` (leaf error: by the criterion, the weight outside
the majority class or the log loss / Brier score of the smoothed class distribution; value: the
probability of class 1 the leaf predicts), regression ``[w, w*y, w*y*y, count]`` (leaf error:
weighted squared error around the mean; value: the mean). The error is ``_regions.region_loss``.

Monotonic constraints (``cst[j]`` in -1/0/+1) hold on the leaf values across the whole tree: two
leaves A, B whose regions overlap on every feature but j, with A below B on j, must satisfy
``cst[j] * (v_B - v_A) >= 0``. When the root splits on a constrained feature the two subtrees are
coupled; the solver is still exact: if the children split on different features (or one is a
leaf) every cross pair is comparable, so ``max(left values) <= min(right values)`` is the exact
condition (solved by sorting); children on the same feature are checked pair by pair.

Value bounds (used by the depth-3 search to couple two depth-2 subtrees): box k is, per feature,
an interval of value bins ``box_lo[k, j]..box_hi[k, j]`` plus, when ``box_miss[k, j]``, the
missing code, with a value range; every leaf whose region meets the box must have its value in
``value_lo[k]..value_hi[k]``. The caller passes only boxes that meet the node's region, so a
leaf is tested on the (at most two) features its own splits restrict. Leaves outside the bounds
are not candidates; the result is then the best tree whose leaves all respect them.

The solver also returns the *free* cost: the best cost ignoring both the monotonic constraints
and the value bounds, a lower bound the depth-3 search carries from one root threshold to the
next (see ``glassbox.tree._search``).

Root features are solved in parallel, each in a workspace sized by the data (no size is fixed
in advance); an allocation that fails is reported as MemoryError once the loop is done.
"""

import numpy as np

from cython.parallel cimport prange
from libc.math cimport INFINITY, log
from libc.stdlib cimport free, malloc

from glassbox._ext._regions cimport LOG_LOSS, Criterion, make_criterion, region_loss_weight, region_probability
from glassbox._ext._typedefs cimport STAT_C

cdef struct Option:
    # One candidate subtree of depth <= 1 on one side of a root split.
    double cost
    double lo       # smallest and largest sigma * leaf value of the option
    double hi
    double va       # sigma * value of the lower (codes <= u) and upper leaf
    double vb
    Py_ssize_t feature      # feature split on, -1 for a leaf
    Py_ssize_t last_low     # u: the last value bin of the lower side
    int missing_low         # 1 when missing goes with the lower side

cdef struct LeafRules:
    # What makes a leaf valid and what it costs (fixed for a fit).
    Py_ssize_t n_features
    Py_ssize_t n_codes      # codes per histogram axis
    Py_ssize_t n_stats      # statistics per cell: the loss block, then the row count
    Py_ssize_t n_classes    # 0 for regression
    Criterion criterion     # glassbox._regions.CRITERIA index and pseudo-row weight (classification)
    double min_leaf
    double min_weight
    double leaf_penalty

cdef struct Boxes:
    # Value bounds (see the module docstring); count 0: none.
    Py_ssize_t count
    Py_ssize_t n_features
    const Py_ssize_t* lo         # (count, n_features) value-bin intervals of the boxes
    const Py_ssize_t* hi
    const unsigned char* miss    # (count, n_features) whether a box holds the feature's missing code
    const double* value_lo       # (count,) allowed leaf values of leaves meeting box k
    const double* value_hi


cdef inline bint _meets(const Boxes* boxes, Py_ssize_t k, Py_ssize_t f, Py_ssize_t a, Py_ssize_t b,
                        bint m) noexcept nogil:
    """Whether box k meets, on feature f, a leaf holding bins a..b (and missing when m)."""
    cdef Py_ssize_t i = k * boxes.n_features + f
    cdef Py_ssize_t lo = a if a > boxes.lo[i] else boxes.lo[i]
    cdef Py_ssize_t hi = b if b < boxes.hi[i] else boxes.hi[i]
    return lo <= hi or (m and boxes.miss[i] != 0)


cdef inline bint in_bounds(
    const Boxes* boxes, double v,
    Py_ssize_t f1, Py_ssize_t a1, Py_ssize_t b1, bint m1,   # the leaf's restriction on f1 (-1: none)
    Py_ssize_t f2, Py_ssize_t a2, Py_ssize_t b2, bint m2,   # and on f2 (-1: none)
) noexcept nogil:
    """Whether a leaf of value v respects every box it meets (on the other features the leaf
    spans the node's region, which every box meets)."""
    cdef Py_ssize_t k
    for k in range(boxes.count):
        if boxes.value_lo[k] <= v <= boxes.value_hi[k]:
            continue
        if f1 >= 0 and not _meets(boxes, k, f1, a1, b1, m1):
            continue
        if f2 >= 0 and not _meets(boxes, k, f2, a2, b2, m2):
            continue
        return False
    return True


cdef inline bint leaf_eval(const STAT_C* s, const LeafRules* rules, double* err, double* val) noexcept nogil:
    """Error and value of a leaf holding statistics s; False if it is not a valid leaf."""
    cdef double weight
    if s[rules.n_stats - 1] < rules.min_leaf:
        return False
    err[0] = region_loss_weight(s, rules.n_classes, rules.criterion, &weight)
    if weight <= rules.min_weight:
        return False
    if rules.n_classes:
        val[0] = region_probability(s, 1, weight, rules.n_classes, rules.criterion) if rules.n_classes == 2 else 0.0
    else:
        val[0] = s[1] / weight
    return True


cdef Py_ssize_t build_options(
    const STAT_C* side,              # side histograms, (n_features, n_codes, n_stats): over the side's rows
    Py_ssize_t root, Py_ssize_t root_lo, Py_ssize_t root_hi,   # the root's feature and this side's bins on it
    bint root_missing,               # whether this side holds the root feature's missing values
    const Py_ssize_t[::1] lo_bin, const Py_ssize_t[::1] hi_bin, const Py_ssize_t[::1] n_bins,
    const signed char[::1] cst, double sigma, int depth, const LeafRules* rules, const Boxes* boxes,
    STAT_C* work, Option* out, bint skip_empty, double* free_cost,
) noexcept nogil:
    """Fill ``out`` with every valid subtree of depth <= ``depth`` (<= 1) on one side, and set
    ``free_cost`` to the cheapest subtree ignoring monotonic constraints and value bounds."""
    cdef Py_ssize_t n = 0, h, b, c, u, lo, hi, nb, n_stats = rules.n_stats, n_codes = rules.n_codes
    cdef Py_ssize_t count = n_stats - 1
    cdef double err_low, err_high, value_low, value_high, value_leaf, err_leaf, cost
    cdef int m, m_max
    cdef bint h_missing
    cdef const STAT_C* hist_h
    # work holds four statistics vectors: cumulative lower side, lower side with its missing
    # rows, upper side, and the side's total.
    cdef STAT_C* left = work
    cdef STAT_C* lower = work + n_stats
    cdef STAT_C* upper = work + 2 * n_stats
    cdef STAT_C* total = work + 3 * n_stats
    free_cost[0] = INFINITY
    for c in range(n_stats):
        total[c] = 0.0
    hist_h = side + root * n_codes * n_stats
    for b in range(n_codes):
        for c in range(n_stats):
            total[c] += hist_h[b * n_stats + c]
    if not leaf_eval(total, rules, &err_leaf, &value_leaf):
        return 0  # no split of an invalid leaf is valid either (fewer rows, less weight)
    free_cost[0] = err_leaf + rules.leaf_penalty
    if in_bounds(boxes, value_leaf, root, root_lo, root_hi, root_missing, -1, 0, 0, False):
        out[0].cost = err_leaf + rules.leaf_penalty
        out[0].lo = sigma * value_leaf
        out[0].hi = sigma * value_leaf
        out[0].va = sigma * value_leaf
        out[0].vb = sigma * value_leaf
        out[0].feature = -1
        out[0].last_low = -1
        out[0].missing_low = 0
        n = 1
    if depth < 1:
        return n
    for h in range(rules.n_features):
        hist_h = side + h * n_codes * n_stats
        nb = n_bins[h]
        if h == root:
            lo, hi, h_missing = root_lo, root_hi, root_missing
        else:
            lo, hi, h_missing = lo_bin[h], hi_bin[h], True
        m_max = 1 if hist_h[nb * n_stats + count] > 0 else 0
        for c in range(n_stats):
            left[c] = 0.0
        for u in range(lo, hi):
            for c in range(n_stats):
                left[c] += hist_h[u * n_stats + c]
            if skip_empty and u > lo and hist_h[u * n_stats + count] == 0:
                continue  # same partition as at u - 1, which wins the tie (see Depth2Solver.solve)
            for m in range(m_max + 1):
                for c in range(n_stats):
                    lower[c] = left[c] + m * hist_h[nb * n_stats + c]
                    upper[c] = total[c] - lower[c]
                if not (leaf_eval(lower, rules, &err_low, &value_low)
                        and leaf_eval(upper, rules, &err_high, &value_high)):
                    continue
                cost = err_low + err_high + 2 * rules.leaf_penalty
                if cost < free_cost[0]:
                    free_cost[0] = cost
                if cst[h] != 0 and cst[h] * (value_high - value_low) < 0:
                    continue
                if boxes.count > 0:
                    if h == root:
                        if not (in_bounds(boxes, value_low, root, root_lo, u, root_missing and m == 1, -1, 0, 0, False)
                                and in_bounds(boxes, value_high, root, u + 1, root_hi, root_missing and m == 0,
                                              -1, 0, 0, False)):
                            continue
                    elif not (in_bounds(boxes, value_low, root, root_lo, root_hi, root_missing, h, lo, u,
                                        h_missing and m == 1)
                              and in_bounds(boxes, value_high, root, root_lo, root_hi, root_missing, h, u + 1, hi,
                                            h_missing and m == 0)):
                        continue
                out[n].cost = cost
                out[n].va = sigma * value_low
                out[n].vb = sigma * value_high
                out[n].lo = out[n].va if out[n].va < out[n].vb else out[n].vb
                out[n].hi = out[n].vb if out[n].va < out[n].vb else out[n].va
                out[n].feature = h
                out[n].last_low = u
                out[n].missing_low = m
                n += 1
    return n


cdef void sort_by(double* keys, Py_ssize_t* idx, Py_ssize_t n) noexcept nogil:
    """Heapsort ``idx`` by ``keys[idx]`` ascending, ties by index (deterministic)."""
    cdef Py_ssize_t start, end, tmp
    for start in range((n - 2) // 2, -1, -1):
        _sift(keys, idx, start, n - 1)
    end = n - 1
    while end > 0:
        tmp = idx[end]
        idx[end] = idx[0]
        idx[0] = tmp
        end -= 1
        _sift(keys, idx, 0, end)


cdef inline bint _less(double* keys, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return keys[a] < keys[b] or (keys[a] == keys[b] and a < b)


cdef void _sift(double* keys, Py_ssize_t* idx, Py_ssize_t root, Py_ssize_t end) noexcept nogil:
    cdef Py_ssize_t child, swap, tmp
    while 2 * root + 1 <= end:
        child = 2 * root + 1
        swap = root
        if _less(keys, idx[swap], idx[child]):
            swap = child
        if child + 1 <= end and _less(keys, idx[swap], idx[child + 1]):
            swap = child + 1
        if swap == root:
            return
        tmp = idx[root]
        idx[root] = idx[swap]
        idx[swap] = tmp
        root = swap


cdef double combine_coupled(
    Option* low, Py_ssize_t n_low, Option* high, Py_ssize_t n_high, Py_ssize_t root,
    double* keys, Py_ssize_t* order_low, Py_ssize_t* order_high, Py_ssize_t* best_low, Py_ssize_t* best_high,
) noexcept nogil:
    """Cheapest pair (lower-side option, upper-side option) whose leaves respect the root's
    constraint: every comparable pair (low leaf, high leaf) has low value <= high value
    (sigma-scaled)."""
    cdef double best = INFINITY, run = INFINITY, cost
    cdef Py_ssize_t i, j, k, run_i = -1, ptr = 0
    cdef Option* a
    cdef Option* b
    cdef bint ok
    # Pairs on different features (or with a leaf): all cross pairs are comparable.
    for i in range(n_low):
        order_low[i] = i
        keys[i] = low[i].hi
    sort_by(keys, order_low, n_low)
    for j in range(n_high):
        order_high[j] = j
        keys[n_low + j] = high[j].lo
    sort_by(keys + n_low, order_high, n_high)
    for k in range(n_high):
        j = order_high[k]
        while ptr < n_low and low[order_low[ptr]].hi <= high[j].lo:
            if low[order_low[ptr]].cost < run or (low[order_low[ptr]].cost == run and order_low[ptr] < run_i):
                run = low[order_low[ptr]].cost
                run_i = order_low[ptr]
            ptr += 1
        if run_i >= 0:
            cost = run + high[j].cost
            if cost < best or (cost == best and (run_i < best_low[0] or (run_i == best_low[0] and j < best_high[0]))):
                best = cost
                best_low[0] = run_i
                best_high[0] = j
    # Both children split on the same feature h != root: only overlapping leaves are comparable.
    # Options come grouped by feature in increasing order (build_options), so each lower-side
    # option is paired with the upper side's run of the same feature only; the pairs are met in
    # the same order as by a full double loop, so ties resolve the same way.
    ptr = 0
    for i in range(n_low):
        a = &low[i]
        if a.feature < 0 or a.feature == root:
            continue
        while ptr < n_high and high[ptr].feature < a.feature:
            ptr += 1
        for j in range(ptr, n_high):
            b = &high[j]
            if b.feature != a.feature:
                break
            cost = a.cost + b.cost
            if cost >= best:
                continue
            # lower/lower and upper/upper always overlap (they share the region's end bins).
            ok = a.va <= b.va and a.vb <= b.vb
            if ok and (a.last_low > b.last_low or (a.missing_low == 1 and b.missing_low == 0)):  # a's lower meets b's upper
                ok = a.va <= b.vb
            if ok and (b.last_low > a.last_low or (a.missing_low == 0 and b.missing_low == 1)):  # a's upper meets b's lower
                ok = a.vb <= b.va
            if ok:
                best = cost
                best_low[0] = i
                best_high[0] = j
    return best


cdef inline void _solve_root(
    const STAT_C[:, :, :, :, ::1] hist, Py_ssize_t g,
    const Py_ssize_t[::1] lo_bin, const Py_ssize_t[::1] hi_bin, const Py_ssize_t[::1] n_bins,
    const signed char[::1] cst, const LeafRules* rules, const Boxes* boxes, int max_depth, bint skip_empty,
    STAT_C* total, STAT_C* cum, STAT_C* lower_hist, STAT_C* upper_hist, STAT_C* work,   # workspace
    Option* low, Option* high, double* keys, double* frees, Py_ssize_t* order_low, Py_ssize_t* order_high,
    double* g_cost, double* g_free, Py_ssize_t* g_out,                                 # OUT
) noexcept nogil:
    """The best trees of depth <= 2 whose root splits on feature g: its cost, free cost and shape."""
    cdef:
        Py_ssize_t p = rules.n_features, n_codes = rules.n_codes, n_stats = rules.n_stats
        Py_ssize_t count = n_stats - 1, missing_g = n_bins[g]
        Py_ssize_t h, b, c, s, k, i, n_low, n_high, best_low, best_high
        int m, m_max
        double sigma = cst[g], cost
        bint skip_g = skip_empty and sigma == 0
    # The node's histogram of feature h is the diagonal hist[h, h, b, b] (whatever the root is).
    for h in range(p):
        for b in range(n_codes):
            for c in range(n_stats):
                total[(h * n_codes + b) * n_stats + c] = hist[h, h, b, b, c]
                cum[(h * n_codes + b) * n_stats + c] = 0.0
    m_max = 1 if hist[g, g, missing_g, missing_g, count] > 0 else 0
    for s in range(lo_bin[g], hi_bin[g]):
        for h in range(p):
            for b in range(n_codes):
                for c in range(n_stats):
                    cum[(h * n_codes + b) * n_stats + c] += hist[g, h, s, b, c]
        if skip_g and s > lo_bin[g] and hist[g, g, s, s, count] == 0:
            continue
        for m in range(m_max + 1):
            for h in range(p):
                for b in range(n_codes):
                    for c in range(n_stats):
                        k = (h * n_codes + b) * n_stats + c
                        lower_hist[k] = cum[k] + m * hist[g, h, missing_g, b, c]
                        upper_hist[k] = total[k] - lower_hist[k]
            n_low = build_options(lower_hist, g, lo_bin[g], s, m == 1, lo_bin, hi_bin, n_bins, cst,
                                  sigma, max_depth - 1, rules, boxes, work, low, skip_g, frees)
            if frees[0] == INFINITY:
                continue
            n_high = build_options(upper_hist, g, s + 1, hi_bin[g], m == 0, lo_bin, hi_bin, n_bins,
                                   cst, sigma, max_depth - 1, rules, boxes, work, high, skip_g,
                                   frees + 1)
            if frees[0] + frees[1] < g_free[0]:
                g_free[0] = frees[0] + frees[1]
            if n_low == 0 or n_high == 0:
                continue
            best_low = -1
            best_high = -1
            if sigma == 0:
                best_low = 0
                for i in range(1, n_low):
                    if low[i].cost < low[best_low].cost:
                        best_low = i
                best_high = 0
                for i in range(1, n_high):
                    if high[i].cost < high[best_high].cost:
                        best_high = i
                cost = low[best_low].cost + high[best_high].cost
            else:
                best_low = n_low
                best_high = n_high
                cost = combine_coupled(low, n_low, high, n_high, g, keys, order_low, order_high, &best_low,
                                       &best_high)
            if cost < g_cost[0]:
                g_cost[0] = cost
                g_out[0] = g
                g_out[1] = s
                g_out[2] = m
                g_out[3] = low[best_low].feature
                g_out[4] = low[best_low].last_low
                g_out[5] = low[best_low].missing_low
                g_out[6] = high[best_high].feature
                g_out[7] = high[best_high].last_low
                g_out[8] = high[best_high].missing_low


cdef class LeafBounds:
    """Value bounds for one solve (see the module docstring): boxes and their value ranges."""

    cdef readonly object box_lo, box_hi, box_miss, value_lo, value_hi
    cdef const Py_ssize_t[:, ::1] lo_view
    cdef const Py_ssize_t[:, ::1] hi_view
    cdef const unsigned char[:, ::1] miss_view
    cdef const double[::1] value_lo_view
    cdef const double[::1] value_hi_view

    def __cinit__(self, box_lo, box_hi, box_miss, value_lo, value_hi):
        self.box_lo, self.box_hi, self.box_miss = box_lo, box_hi, box_miss
        self.value_lo, self.value_hi = value_lo, value_hi
        self.lo_view, self.hi_view, self.miss_view = box_lo, box_hi, box_miss
        self.value_lo_view, self.value_hi_view = value_lo, value_hi
        count = self.lo_view.shape[0]
        if not (self.hi_view.shape[0] == self.miss_view.shape[0] == self.value_lo_view.shape[0]
                == self.value_hi_view.shape[0] == count):
            raise ValueError("value bounds: every array needs one entry per box")
        if not (self.lo_view.shape[1] == self.hi_view.shape[1] == self.miss_view.shape[1]):
            raise ValueError("value bounds: the boxes' arrays need the same number of features")

    cdef Boxes boxes(self, Py_ssize_t n_features):
        cdef Boxes out
        out.count = self.lo_view.shape[0]
        out.n_features = n_features
        out.lo = out.hi = NULL
        out.miss = NULL
        out.value_lo = out.value_hi = NULL
        if out.count > 0:
            out.lo = &self.lo_view[0, 0]
            out.hi = &self.hi_view[0, 0]
            out.miss = &self.miss_view[0, 0]
            out.value_lo = &self.value_lo_view[0]
            out.value_hi = &self.value_hi_view[0]
        return out


cdef class Depth2Solver:
    """The exact depth-2 solver of one fit: its features' bins and constraints, and what makes a
    leaf valid and what it costs. ``solve`` answers for one node's histograms."""

    cdef LeafRules rules
    cdef readonly object n_bins_array, cst_array
    cdef double[::1] xlog_class, xlog_total  # the log loss's tables (see _regions.pxd)
    cdef const Py_ssize_t[::1] n_bins
    cdef const signed char[::1] cst

    def __cinit__(self, n_bins, cst, Py_ssize_t n_stats, Py_ssize_t n_classes, double min_leaf,
                  double min_weight, double leaf_penalty, int criterion=0, double pseudo=1.0,
                  Py_ssize_t n_table=0):
        self.n_bins_array, self.cst_array = n_bins, cst
        self.n_bins, self.cst = n_bins, cst
        if self.cst.shape[0] != self.n_bins.shape[0]:
            raise ValueError(f"{self.cst.shape[0]} constraints for {self.n_bins.shape[0]} features")
        if n_stats != (n_classes if n_classes else 3) + 1:
            raise ValueError(f"{n_stats} statistics per row, but {n_classes} classes need "
                             f"{(n_classes if n_classes else 3) + 1} (the loss block and the row count)")
        self.rules.n_features = self.n_bins.shape[0]
        self.rules.n_codes = int(np.max(n_bins)) + 1 if self.n_bins.shape[0] else 1
        self.rules.n_stats = n_stats
        self.rules.n_classes = n_classes
        self.rules.criterion = make_criterion(criterion, pseudo)
        if criterion == LOG_LOSS and n_classes > 0 and n_table > 0:
            self._tables(n_table, n_classes, pseudo)
        self.rules.min_leaf = min_leaf
        self.rules.min_weight = min_weight
        self.rules.leaf_penalty = leaf_penalty

    cdef void _tables(self, Py_ssize_t n_table, Py_ssize_t n_classes, double pseudo):
        """x log(x + pseudo) and x log(x + K pseudo) for x in 0..n_table-1, with the kernel's log."""
        cdef Py_ssize_t x
        self.xlog_class, self.xlog_total = np.empty(n_table), np.empty(n_table)
        for x in range(n_table):
            self.xlog_class[x] = x * log(x + pseudo)
            self.xlog_total[x] = x * log(x + n_classes * pseudo)
        self.rules.criterion.xlog_class = &self.xlog_class[0]
        self.rules.criterion.xlog_total = &self.xlog_total[0]
        self.rules.criterion.n_table = n_table

    def solve(
        self,
        const STAT_C[:, :, :, :, ::1] hist,  # IN: pair histograms of the node's rows (p, p, n_codes, n_codes, n_stats)
        const Py_ssize_t[::1] lo_bin,        # IN: the node's region: value bins lo_bin[j]..hi_bin[j]
        const Py_ssize_t[::1] hi_bin,        # IN
        int max_depth,                       # IN: 0, 1 or 2
        LeafBounds bounds,                   # IN: value bounds of the leaves (no boxes: none)
        bint keep_empty,                     # IN: consider thresholds above empty bins too
        Py_ssize_t[::1] out,                 # OUT: root (feature, u, m), lower child, upper child; -1 = leaf
        int n_threads,
    ):
        """Return ``(cost, free cost)`` of the best tree and write its shape to ``out``; cost is
        inf when no tree respects the bounds."""
        cdef:
            LeafRules rules = self.rules
            Boxes boxes = bounds.boxes(self.rules.n_features)
            const Py_ssize_t[::1] n_bins = self.n_bins    # locals: the parallel loop reads them
            const signed char[::1] cst = self.cst         # without going through self
            Py_ssize_t p = rules.n_features, n_codes = rules.n_codes, n_stats = rules.n_stats
            Py_ssize_t side_size = p * n_codes * n_stats, max_options = 1
            Py_ssize_t g, h, a, c, i
            Py_ssize_t n_failed = 0       # root features whose workspace could not be allocated (a reduction)
            double root_err, root_val, best_total, free_total
            bint skip_empty = True
            STAT_C* total
            STAT_C* cum
            STAT_C* lower_hist
            STAT_C* upper_hist
            STAT_C* work
            Option* low
            Option* high
            double* keys
            double* frees
            Py_ssize_t* order_low
            Py_ssize_t* order_high
        if (hist.shape[0] != p or hist.shape[1] != p or hist.shape[2] != n_codes or hist.shape[3] != n_codes
                or hist.shape[4] != n_stats):
            raise ValueError(f"histograms of shape {tuple(hist.shape[i] for i in range(5))}, expected "
                             f"{(p, p, n_codes, n_codes, n_stats)}")
        if lo_bin.shape[0] != p or hi_bin.shape[0] != p or out.shape[0] < 9:
            raise ValueError("the region needs one bin interval per feature, and out 9 entries")
        if boxes.count and bounds.lo_view.shape[1] != p:
            raise ValueError(f"value bounds on {bounds.lo_view.shape[1]} features, expected {p}")
        for h in range(p):
            max_options += 2 * (n_bins[h] + 1)
        # Per root feature: its best cost and free cost, its tree; and the node's statistics.
        cdef double[:, ::1] g_costs = np.empty((2, p))
        cdef Py_ssize_t[:, ::1] g_out = np.full((p, 9), -1, dtype=np.intp)
        cdef STAT_C[::1] root = np.zeros(n_stats)

        if boxes.count > 0:
            skip_empty = False  # an empty bin still moves a leaf's region, and so which boxes it meets
        # A threshold above a bin with no rows gives the same partition as the one below it, and
        # the earlier threshold wins ties: skip it -- unless leaves' regions matter beyond their
        # rows: under a constrained root (its two subtrees are compared where they meet), under
        # value bounds, or when the caller compares the leaves with others (keep_empty). Below an
        # unconstrained root only siblings are compared, and siblings always meet.
        if keep_empty:
            skip_empty = False

        for i in range(9):
            out[i] = -1
        for a in range(n_codes):
            for c in range(n_stats):
                root[c] += sum_row(hist, 0, 0, a, n_codes, c)
        if not leaf_eval(&root[0], &rules, &root_err, &root_val):
            return INFINITY, INFINITY
        free_total = root_err + rules.leaf_penalty
        best_total = free_total if in_bounds(&boxes, root_val, -1, 0, 0, False, -1, 0, 0, False) else INFINITY
        if max_depth < 1:
            return best_total, free_total
        for g in range(p):
            g_costs[0, g] = INFINITY
            g_costs[1, g] = INFINITY
        for g in prange(p, schedule="dynamic", nogil=True, num_threads=n_threads):
            # This root feature's workspace: the node's and its sides' histograms, four statistics
            # vectors, both sides' options, the sort keys and orders of combine_coupled, both
            # free costs. Separate allocations: the compiler then knows they do not overlap.
            total = <STAT_C*>malloc(side_size * sizeof(STAT_C))
            cum = <STAT_C*>malloc(side_size * sizeof(STAT_C))
            lower_hist = <STAT_C*>malloc(side_size * sizeof(STAT_C))
            upper_hist = <STAT_C*>malloc(side_size * sizeof(STAT_C))
            work = <STAT_C*>malloc(4 * n_stats * sizeof(STAT_C))
            low = <Option*>malloc(max_options * sizeof(Option))
            high = <Option*>malloc(max_options * sizeof(Option))
            keys = <double*>malloc(2 * max_options * sizeof(double))
            frees = <double*>malloc(2 * sizeof(double))
            order_low = <Py_ssize_t*>malloc(max_options * sizeof(Py_ssize_t))
            order_high = <Py_ssize_t*>malloc(max_options * sizeof(Py_ssize_t))
            if (total == NULL or cum == NULL or lower_hist == NULL or upper_hist == NULL or work == NULL
                    or low == NULL or high == NULL or keys == NULL or frees == NULL or order_low == NULL
                    or order_high == NULL):
                n_failed += 1
            else:
                _solve_root(hist, g, lo_bin, hi_bin, n_bins, cst, &rules, &boxes, max_depth, skip_empty, total,
                            cum, lower_hist, upper_hist, work, low, high, keys, frees, order_low, order_high,
                            &g_costs[0, g], &g_costs[1, g], &g_out[g, 0])
            free(total)
            free(cum)
            free(lower_hist)
            free(upper_hist)
            free(work)
            free(low)
            free(high)
            free(keys)
            free(frees)
            free(order_low)
            free(order_high)
        if n_failed:
            raise MemoryError("the depth-2 tree solver could not allocate its workspace: lower max_bins or "
                              "select fewer features")

        # Sequential reduction: the lowest feature index wins ties, whatever the thread count;
        # a leaf wins ties against any split (fewer leaves).
        for g in range(p):
            if g_costs[1, g] < free_total:
                free_total = g_costs[1, g]
            if g_costs[0, g] < best_total:
                best_total = g_costs[0, g]
                for i in range(9):
                    out[i] = g_out[g, i]
        return best_total, free_total


cdef inline STAT_C sum_row(const STAT_C[:, :, :, :, ::1] hist, Py_ssize_t g, Py_ssize_t h,
                           Py_ssize_t a, Py_ssize_t n_codes, Py_ssize_t c) noexcept nogil:
    cdef STAT_C total = 0.0
    cdef Py_ssize_t b
    for b in range(n_codes):
        total += hist[g, h, a, b, c]
    return total
