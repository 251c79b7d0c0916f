"""The exact depth-2 tree solver on pairwise histograms (see ``_tree.pyx``).

It returns the tree of depth <= ``max_depth`` (0, 1 or 2) minimising the summed leaf error plus
``leaf_penalty`` per leaf, over the split family of ``glassbox.tree._search``: a threshold split
at value bin u on feature j sends codes ``lo_bin[j]..u`` left and ``u+1..hi_bin[j]`` right (both
sides keep value bins of the node's region), the missing code going left (m=1) or right (m=0);
each child holds at least ``min_leaf`` rows and positive weight. Among equal costs the first
split found wins (lowest feature, then threshold, then missing right before left).

Statistics per histogram cell: classification ``[count, w_0, ..., w_{K-1}]`` (leaf error: weight
outside the majority class; value: share of class 1); regression ``[count, w, w*y, w*y*y]``
(leaf error: weighted squared error around the mean; value: the mean).

Monotonic constraints (``cst[j]`` in -1/0/+1) hold on the leaf values across the whole tree: two
leaves A, B whose regions overlap on every feature but j, with A below B on j, must satisfy
``cst[j] * (v_B - v_A) >= 0``. When the root splits on a constrained feature the two subtrees are
coupled; the solver is still exact: if the children split on different features (or one is a
leaf) every cross pair is comparable, so ``max(left values) <= min(right values)`` is the exact
condition (solved by sorting); children on the same feature h are checked pair by pair.

Value bounds (used by the depth-3 search to couple two depth-2 subtrees): constraint k is a box
(per feature an interval of value bins ``box_lo[k, j]..box_hi[k, j]`` plus, when ``box_miss[k,
j]``, the missing code) and a value range; every leaf whose region meets the box must have its
value in ``value_lo[k]..value_hi[k]``. The caller passes only boxes that meet the node's region,
so a leaf is tested on the (at most two) features its own splits restrict. Leaves outside the
bounds are not candidates; the result is then the best tree whose leaves all respect them.

The solver also returns the *free* cost: the best cost ignoring both the monotonic constraints
and the value bounds, a lower bound the depth-3 search carries from one root threshold to the
next (see ``glassbox.tree._search``).
"""

from cython.parallel cimport prange
from libc.stdlib cimport malloc, free
from libc.math cimport INFINITY

from glassbox._ext._typedefs cimport STAT_C

cdef struct Option:
    double cost
    double lo       # smallest and largest sigma * leaf value of the option
    double hi
    double va       # sigma * value of the lower (codes <= u) and upper leaf
    double vb
    Py_ssize_t h    # feature split on, -1 for a leaf
    Py_ssize_t u    # last value bin of the lower side
    int m           # 1 when missing goes with the lower side

cdef struct Params:
    Py_ssize_t n_features
    Py_ssize_t L            # codes per histogram axis
    Py_ssize_t C            # statistics per cell
    int task                # 0 classification, 1 regression
    int n_classes
    double min_leaf
    double min_weight
    double leaf_penalty

cdef struct Bounds:
    Py_ssize_t K                 # number of boxes (0: no bounds)
    Py_ssize_t p
    const Py_ssize_t* lo         # (K, p) value-bin intervals of the boxes
    const Py_ssize_t* hi
    const unsigned char* miss    # (K, p) whether a box holds the feature's missing code
    const double* vlo            # (K,) allowed leaf values of leaves meeting box k
    const double* vhi


cdef inline bint _meets(const Bounds* B, Py_ssize_t k, Py_ssize_t f, Py_ssize_t a, Py_ssize_t b,
                        bint m) noexcept nogil:
    """Whether box k meets, on feature f, a leaf holding bins a..b (and missing when m)."""
    cdef Py_ssize_t i = k * B.p + f
    cdef Py_ssize_t lo = a if a > B.lo[i] else B.lo[i]
    cdef Py_ssize_t hi = b if b < B.hi[i] else B.hi[i]
    return lo <= hi or (m and B.miss[i] != 0)


cdef inline bint in_bounds(
    const Bounds* B, double v,
    Py_ssize_t f1, Py_ssize_t a1, Py_ssize_t b1, bint m1,   # the leaf's restriction on f1 (-1: none)
    Py_ssize_t f2, Py_ssize_t a2, Py_ssize_t b2, bint m2,   # and on f2 (-1: none)
) noexcept nogil:
    """Whether a leaf of value v respects every box it meets (on the other features the leaf
    spans the node's region, which every box meets)."""
    cdef Py_ssize_t k
    for k in range(B.K):
        if B.vlo[k] <= v <= B.vhi[k]:
            continue
        if f1 >= 0 and not _meets(B, k, f1, a1, b1, m1):
            continue
        if f2 >= 0 and not _meets(B, k, f2, a2, b2, m2):
            continue
        return False
    return True


cdef inline bint leaf_eval(const STAT_C* s, const Params* P, double* err, double* val) noexcept nogil:
    """Error and value of a leaf holding statistics s; False if it is not a valid leaf."""
    cdef double W = 0.0, best = -1.0, e
    cdef int k
    if s[0] < P.min_leaf:
        return False
    if P.task == 0:
        for k in range(P.n_classes):
            W += s[1 + k]
            if s[1 + k] > best:
                best = s[1 + k]
        if W <= P.min_weight:
            return False
        err[0] = W - best
        val[0] = s[2] / W if P.n_classes == 2 else 0.0
    else:
        W = s[1]
        if W <= P.min_weight:
            return False
        e = s[3] - s[2] * s[2] / W
        err[0] = e if e > 0.0 else 0.0
        val[0] = s[2] / W
    return True


cdef Py_ssize_t build_options(
    const STAT_C* H,                 # side histograms, (n_features, L, C): H[h, b] over the side's rows
    Py_ssize_t g, Py_ssize_t g_lo, Py_ssize_t g_hi,   # the parent's split feature and this side's bins on it
    bint g_miss,                     # whether this side holds g's missing values
    const Py_ssize_t[::1] lo_bin, const Py_ssize_t[::1] hi_bin, const Py_ssize_t[::1] n_bins,
    const signed char[::1] cst, double sigma, int depth, const Params* P, const Bounds* Bd,
    STAT_C* work, Option* out, bint skip_empty, double* free_cost,
) noexcept nogil:
    """Fill ``out`` with every valid subtree of depth <= ``depth`` (<= 1) on one side, and set
    ``free_cost`` to the cheapest subtree ignoring monotonic constraints and value bounds."""
    cdef Py_ssize_t n = 0, h, b, c, u, lo, hi, nb, C = P.C, L = P.L
    cdef double eL, eR, vL, vR, vleaf, eleaf, cost
    cdef int m, m_max
    cdef bint h_miss
    cdef const STAT_C* Hh
    # work holds four statistics vectors: cumulative lower side, lower side with its missing
    # rows, upper side, and the side's total.
    cdef STAT_C* left = work
    cdef STAT_C* lower = work + C
    cdef STAT_C* right = work + 2 * C
    cdef STAT_C* total = work + 3 * C
    free_cost[0] = INFINITY
    for c in range(C):
        total[c] = 0.0
    Hh = H + g * L * C
    for b in range(L):
        for c in range(C):
            total[c] += Hh[b * C + c]
    if not leaf_eval(total, P, &eleaf, &vleaf):
        return 0  # no split of an invalid leaf is valid either (fewer rows, less weight)
    free_cost[0] = eleaf + P.leaf_penalty
    if in_bounds(Bd, vleaf, g, g_lo, g_hi, g_miss, -1, 0, 0, False):
        out[0].cost = eleaf + P.leaf_penalty
        out[0].lo = sigma * vleaf
        out[0].hi = sigma * vleaf
        out[0].va = sigma * vleaf
        out[0].vb = sigma * vleaf
        out[0].h = -1
        out[0].u = -1
        out[0].m = 0
        n = 1
    if depth < 1:
        return n
    for h in range(P.n_features):
        Hh = H + h * L * C
        nb = n_bins[h]
        if h == g:
            lo, hi, h_miss = g_lo, g_hi, g_miss
        else:
            lo, hi, h_miss = lo_bin[h], hi_bin[h], True
        m_max = 1 if Hh[nb * C] > 0 else 0
        for c in range(C):
            left[c] = 0.0
        for u in range(lo, hi):
            for c in range(C):
                left[c] += Hh[u * C + c]
            if skip_empty and u > lo and Hh[u * C] == 0:
                continue  # same partition as at u - 1, which wins the tie (see solve_depth2)
            for m in range(m_max + 1):
                for c in range(C):
                    lower[c] = left[c] + m * Hh[nb * C + c]
                    right[c] = total[c] - lower[c]
                if not (leaf_eval(lower, P, &eL, &vL) and leaf_eval(right, P, &eR, &vR)):
                    continue
                cost = eL + eR + 2 * P.leaf_penalty
                if cost < free_cost[0]:
                    free_cost[0] = cost
                if cst[h] != 0 and cst[h] * (vR - vL) < 0:
                    continue
                if Bd.K > 0:
                    if h == g:
                        if not (in_bounds(Bd, vL, g, g_lo, u, g_miss and m == 1, -1, 0, 0, False)
                                and in_bounds(Bd, vR, g, u + 1, g_hi, g_miss and m == 0, -1, 0, 0, False)):
                            continue
                    elif not (in_bounds(Bd, vL, g, g_lo, g_hi, g_miss, h, lo, u, h_miss and m == 1)
                              and in_bounds(Bd, vR, g, g_lo, g_hi, g_miss, h, u + 1, hi, h_miss and m == 0)):
                        continue
                out[n].cost = cost
                out[n].va = sigma * vL
                out[n].vb = sigma * vR
                out[n].lo = out[n].va if out[n].va < out[n].vb else out[n].vb
                out[n].hi = out[n].vb if out[n].va < out[n].vb else out[n].va
                out[n].h = h
                out[n].u = u
                out[n].m = m
                n += 1
    return n


cdef void sort_by(double* keys, Py_ssize_t* idx, Py_ssize_t n) noexcept nogil:
    """Heapsort ``idx`` by ``keys[idx]`` ascending, ties by index (deterministic)."""
    cdef Py_ssize_t start, end, root, child, tmp
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
    Option* A, Py_ssize_t nA, Option* B, Py_ssize_t nB, Py_ssize_t g,
    double* keys, Py_ssize_t* ia, Py_ssize_t* ib, Py_ssize_t* best_a, Py_ssize_t* best_b,
) noexcept nogil:
    """Cheapest pair (left option, right option) whose leaves respect the root's constraint:
    every comparable pair (left leaf, right leaf) has left value <= right value (sigma-scaled)."""
    cdef double best = INFINITY, run = INFINITY, cost
    cdef Py_ssize_t i, j, k, run_i = -1, ptr = 0
    cdef Option* a
    cdef Option* b
    cdef bint ok
    # Pairs on different features (or with a leaf): all cross pairs are comparable.
    for i in range(nA):
        ia[i] = i
        keys[i] = A[i].hi
    sort_by(keys, ia, nA)
    for j in range(nB):
        ib[j] = j
        keys[nA + j] = B[j].lo
    sort_by(keys + nA, ib, nB)
    for k in range(nB):
        j = ib[k]
        while ptr < nA and A[ia[ptr]].hi <= B[j].lo:
            if A[ia[ptr]].cost < run or (A[ia[ptr]].cost == run and ia[ptr] < run_i):
                run = A[ia[ptr]].cost
                run_i = ia[ptr]
            ptr += 1
        if run_i >= 0:
            cost = run + B[j].cost
            if cost < best or (cost == best and (run_i < best_a[0] or (run_i == best_a[0] and j < best_b[0]))):
                best = cost
                best_a[0] = run_i
                best_b[0] = j
    # Both children split on the same feature h != g: only overlapping leaves are comparable.
    # Options come grouped by feature in increasing order (build_options), so each option of A
    # is paired with B's run of the same feature only; the pairs are met in the same order as
    # by a full double loop, so ties resolve the same way.
    ptr = 0
    for i in range(nA):
        a = &A[i]
        if a.h < 0 or a.h == g:
            continue
        while ptr < nB and B[ptr].h < a.h:
            ptr += 1
        for j in range(ptr, nB):
            b = &B[j]
            if b.h != a.h:
                break
            cost = a.cost + b.cost
            if cost >= best:
                continue
            # lower/lower and upper/upper always overlap (they share the region's end bins).
            ok = a.va <= b.va and a.vb <= b.vb
            if ok and (a.u > b.u or (a.m == 1 and b.m == 0)):    # a's lower meets b's upper
                ok = a.va <= b.vb
            if ok and (b.u > a.u or (a.m == 0 and b.m == 1)):    # a's upper meets b's lower
                ok = a.vb <= b.va
            if ok:
                best = cost
                best_a[0] = i
                best_b[0] = j
    return best


def solve_depth2(
    const STAT_C[:, :, :, :, ::1] hist,  # IN: pair histograms of the node's rows
    const Py_ssize_t[::1] n_bins,        # IN: value bins per feature; code n_bins[j] is missing
    const Py_ssize_t[::1] lo_bin,        # IN: the node's region: value bins lo_bin[j]..hi_bin[j]
    const Py_ssize_t[::1] hi_bin,        # IN
    const signed char[::1] cst,          # IN: monotonic constraint per feature (-1, 0, 1)
    int task, int n_classes, double min_leaf, double min_weight, double leaf_penalty,
    int max_depth,                       # IN: 0, 1 or 2
    Py_ssize_t[::1] out,                 # OUT: g, s, m, left (h, u, m), right (h, u, m); -1 = leaf
    int n_threads,
    const Py_ssize_t[:, ::1] box_lo,     # IN: (K, n_features) value bounds' boxes (see module doc)
    const Py_ssize_t[:, ::1] box_hi,     # IN
    const unsigned char[:, ::1] box_miss,  # IN
    const double[::1] value_lo,          # IN: (K,) allowed leaf values of leaves meeting box k
    const double[::1] value_hi,          # IN
    bint keep_empty,                     # IN: consider thresholds above empty bins too
):
    """Return ``(cost, free cost)`` of the best tree and write its shape to ``out``; cost is
    inf when no tree respects the bounds."""
    cdef:
        Params P
        Bounds Bd
        Py_ssize_t p = hist.shape[0], L = hist.shape[2], C = hist.shape[4]
        Py_ssize_t g, h, a, b, c, s, k, nA, nB, M, ba, bb
        Py_ssize_t i
        int m, m_max
        double sigma, cost, root_err, root_val, best_total, free_total
        STAT_C* tot
        STAT_C* cum
        STAT_C* lh
        STAT_C* rh
        STAT_C* work
        Option* A
        Option* B
        double* keys
        double* frees
        Py_ssize_t* ia
        Py_ssize_t* ib
        double[::1] g_cost
        double[::1] g_free
        bint skip_empty = True
        bint skip_g
        Py_ssize_t[:, ::1] g_out
        STAT_C root[64]
    import numpy as np
    P.n_features = p
    P.L = L
    P.C = C
    P.task = task
    P.n_classes = n_classes
    P.min_leaf = min_leaf
    P.min_weight = min_weight
    P.leaf_penalty = leaf_penalty
    Bd.K = box_lo.shape[0]
    Bd.p = p
    Bd.lo = NULL
    Bd.hi = NULL
    Bd.miss = NULL
    Bd.vlo = NULL
    Bd.vhi = NULL
    if Bd.K > 0:
        Bd.lo = &box_lo[0, 0]
        Bd.hi = &box_hi[0, 0]
        Bd.miss = &box_miss[0, 0]
        Bd.vlo = &value_lo[0]
        Bd.vhi = &value_hi[0]
        skip_empty = False  # an empty bin still moves a leaf's region, and so which boxes it meets
    g_cost = np.full(p, np.inf)
    g_free = np.full(p, np.inf)
    g_out = np.full((p, 9), -1, dtype=np.intp)
    M = 1
    for h in range(p):
        M += 2 * (n_bins[h] + 1)
    # A threshold above a bin with no rows gives the same partition as the one below it, and
    # the earlier threshold wins ties: skip it -- unless leaves' regions matter beyond their
    # rows: under a constrained root (its two subtrees are compared where they meet), under
    # value bounds, or when the caller compares the leaves with others (keep_empty). Below an
    # unconstrained root only siblings are compared, and siblings always meet.
    if keep_empty:
        skip_empty = False

    for i in range(9):
        out[i] = -1
    for c in range(C):
        root[c] = 0.0
    for a in range(L):
        for c in range(C):
            root[c] += sum_row(hist, 0, 0, a, L, c)
    if not leaf_eval(root, &P, &root_err, &root_val):
        return INFINITY, INFINITY
    free_total = root_err + leaf_penalty
    best_total = free_total if in_bounds(&Bd, root_val, -1, 0, 0, False, -1, 0, 0, False) else INFINITY
    if max_depth < 1 or C > 64:
        return best_total, free_total

    for g in prange(p, schedule="dynamic", nogil=True, num_threads=n_threads):
        tot = <STAT_C*> malloc(p * L * C * sizeof(STAT_C))
        cum = <STAT_C*> malloc(p * L * C * sizeof(STAT_C))
        lh = <STAT_C*> malloc(p * L * C * sizeof(STAT_C))
        rh = <STAT_C*> malloc(p * L * C * sizeof(STAT_C))
        work = <STAT_C*> malloc(4 * C * sizeof(STAT_C))
        A = <Option*> malloc(M * sizeof(Option))
        B = <Option*> malloc(M * sizeof(Option))
        keys = <double*> malloc(2 * M * sizeof(double))
        frees = <double*> malloc(2 * sizeof(double))
        ia = <Py_ssize_t*> malloc(M * sizeof(Py_ssize_t))
        ib = <Py_ssize_t*> malloc(M * sizeof(Py_ssize_t))
        sigma = cst[g]
        skip_g = skip_empty and sigma == 0
        # The node's histogram of h is the diagonal hist[h, h, b, b] (whatever g is).
        for h in range(p):
            for b in range(L):
                for c in range(C):
                    tot[(h * L + b) * C + c] = hist[h, h, b, b, c]
                    cum[(h * L + b) * C + c] = 0.0
        m_max = 1 if hist[g, g, n_bins[g], n_bins[g], 0] > 0 else 0
        for s in range(lo_bin[g], hi_bin[g]):
            for h in range(p):
                for b in range(L):
                    for c in range(C):
                        cum[(h * L + b) * C + c] += hist[g, h, s, b, c]
            if skip_g and s > lo_bin[g] and hist[g, g, s, s, 0] == 0:
                continue
            for m in range(m_max + 1):
                for h in range(p):
                    for b in range(L):
                        for c in range(C):
                            k = (h * L + b) * C + c
                            lh[k] = cum[k] + m * hist[g, h, n_bins[g], b, c]
                            rh[k] = tot[k] - lh[k]
                nA = build_options(lh, g, lo_bin[g], s, m == 1, lo_bin, hi_bin, n_bins, cst, sigma,
                                   max_depth - 1, &P, &Bd, work, A, skip_g, frees)
                if frees[0] == INFINITY:
                    continue
                nB = build_options(rh, g, s + 1, hi_bin[g], m == 0, lo_bin, hi_bin, n_bins, cst, sigma,
                                   max_depth - 1, &P, &Bd, work, B, skip_g, frees + 1)
                if frees[0] + frees[1] < g_free[g]:
                    g_free[g] = frees[0] + frees[1]
                if nA == 0 or nB == 0:
                    continue
                ba = -1
                bb = -1
                if sigma == 0:
                    ba = 0
                    for i in range(1, nA):
                        if A[i].cost < A[ba].cost:
                            ba = i
                    bb = 0
                    for i in range(1, nB):
                        if B[i].cost < B[bb].cost:
                            bb = i
                    cost = A[ba].cost + B[bb].cost
                else:
                    ba = nA
                    bb = nB
                    cost = combine_coupled(A, nA, B, nB, g, keys, ia, ib, &ba, &bb)
                if cost < g_cost[g]:
                    g_cost[g] = cost
                    g_out[g, 0] = g
                    g_out[g, 1] = s
                    g_out[g, 2] = m
                    g_out[g, 3] = A[ba].h
                    g_out[g, 4] = A[ba].u
                    g_out[g, 5] = A[ba].m
                    g_out[g, 6] = B[bb].h
                    g_out[g, 7] = B[bb].u
                    g_out[g, 8] = B[bb].m
        free(tot)
        free(cum)
        free(lh)
        free(rh)
        free(work)
        free(A)
        free(B)
        free(keys)
        free(frees)
        free(ia)
        free(ib)

    # Sequential reduction: the lowest feature index wins ties, whatever the thread count;
    # a leaf wins ties against any split (fewer leaves).
    for g in range(p):
        if g_free[g] < free_total:
            free_total = g_free[g]
        if g_cost[g] < best_total:
            best_total = g_cost[g]
            for i in range(9):
                out[i] = g_out[g, i]
    return best_total, free_total


cdef inline STAT_C sum_row(const STAT_C[:, :, :, :, ::1] hist, Py_ssize_t g, Py_ssize_t h,
                           Py_ssize_t a, Py_ssize_t L, Py_ssize_t c) noexcept nogil:
    cdef STAT_C total = 0.0
    cdef Py_ssize_t b
    for b in range(L):
        total += hist[g, h, a, b, c]
    return total
