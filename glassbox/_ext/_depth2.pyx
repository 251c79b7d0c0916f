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
    const Py_ssize_t[::1] lo_bin, const Py_ssize_t[::1] hi_bin, const Py_ssize_t[::1] n_bins,
    const signed char[::1] cst, double sigma, int depth, const Params* P,
    STAT_C* work, Option* out, bint skip_empty,
) noexcept nogil:
    """Fill ``out`` with every valid subtree of depth <= ``depth`` (<= 1) on one side."""
    cdef Py_ssize_t n = 0, h, b, c, u, lo, hi, nb, C = P.C, L = P.L
    cdef double eL, eR, vL, vR, vleaf, eleaf
    cdef int m, m_max
    cdef const STAT_C* Hh
    # work holds four statistics vectors: cumulative lower side, lower side with its missing
    # rows, upper side, and the side's total.
    cdef STAT_C* left = work
    cdef STAT_C* lower = work + C
    cdef STAT_C* right = work + 2 * C
    cdef STAT_C* total = work + 3 * C
    for c in range(C):
        total[c] = 0.0
    Hh = H + g * L * C
    for b in range(L):
        for c in range(C):
            total[c] += Hh[b * C + c]
    if not leaf_eval(total, P, &eleaf, &vleaf):
        return 0
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
            lo, hi = g_lo, g_hi
        else:
            lo, hi = lo_bin[h], hi_bin[h]
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
                if leaf_eval(lower, P, &eL, &vL) and leaf_eval(right, P, &eR, &vR) and (
                    cst[h] == 0 or cst[h] * (vR - vL) >= 0
                ):
                    out[n].cost = eL + eR + 2 * P.leaf_penalty
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
    for i in range(nA):
        a = &A[i]
        if a.h < 0 or a.h == g:
            continue
        for j in range(nB):
            b = &B[j]
            if b.h != a.h:
                continue
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
):
    """Return the cost of the best tree and write its shape to ``out``."""
    cdef:
        Params P
        Py_ssize_t p = hist.shape[0], L = hist.shape[2], C = hist.shape[4]
        Py_ssize_t g, h, a, b, c, s, k, nA, nB, M, ba, bb
        Py_ssize_t i
        int m, m_max
        double sigma, cost, root_err, root_val, best_total
        STAT_C* tot
        STAT_C* cum
        STAT_C* lh
        STAT_C* rh
        STAT_C* work
        Option* A
        Option* B
        double* keys
        Py_ssize_t* ia
        Py_ssize_t* ib
        double[::1] g_cost
        bint skip_empty = True
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
    g_cost = np.full(p, np.inf)
    g_out = np.full((p, 9), -1, dtype=np.intp)
    M = 1
    for h in range(p):
        M += 2 * (n_bins[h] + 1)
        # A threshold above a bin with no rows gives the same partition as the one below it,
        # and the earlier threshold wins ties: skip it. Not under constraints, where the bin
        # still moves a leaf's region and so which leaves meet.
        if cst[h] != 0:
            skip_empty = False

    for i in range(9):
        out[i] = -1
    for c in range(C):
        root[c] = 0.0
    for a in range(L):
        for c in range(C):
            root[c] += sum_row(hist, 0, 0, a, L, c)
    if not leaf_eval(root, &P, &root_err, &root_val):
        return INFINITY
    best_total = root_err + leaf_penalty
    if max_depth < 1 or C > 64:
        return best_total

    for g in prange(p, schedule="dynamic", nogil=True, num_threads=n_threads):
        tot = <STAT_C*> malloc(p * L * C * sizeof(STAT_C))
        cum = <STAT_C*> malloc(p * L * C * sizeof(STAT_C))
        lh = <STAT_C*> malloc(p * L * C * sizeof(STAT_C))
        rh = <STAT_C*> malloc(p * L * C * sizeof(STAT_C))
        work = <STAT_C*> malloc(4 * C * sizeof(STAT_C))
        A = <Option*> malloc(M * sizeof(Option))
        B = <Option*> malloc(M * sizeof(Option))
        keys = <double*> malloc(2 * M * sizeof(double))
        ia = <Py_ssize_t*> malloc(M * sizeof(Py_ssize_t))
        ib = <Py_ssize_t*> malloc(M * sizeof(Py_ssize_t))
        sigma = cst[g]
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
            if skip_empty and s > lo_bin[g] and hist[g, g, s, s, 0] == 0:
                continue
            for m in range(m_max + 1):
                for h in range(p):
                    for b in range(L):
                        for c in range(C):
                            k = (h * L + b) * C + c
                            lh[k] = cum[k] + m * hist[g, h, n_bins[g], b, c]
                            rh[k] = tot[k] - lh[k]
                nA = build_options(lh, g, lo_bin[g], s, lo_bin, hi_bin, n_bins, cst, sigma,
                                   max_depth - 1, &P, work, A, skip_empty)
                if nA == 0:
                    continue
                nB = build_options(rh, g, s + 1, hi_bin[g], lo_bin, hi_bin, n_bins, cst, sigma,
                                   max_depth - 1, &P, work, B, skip_empty)
                if nB == 0:
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
        free(ia)
        free(ib)

    # Sequential reduction: the lowest feature index wins ties, whatever the thread count;
    # a leaf wins ties against any split (fewer leaves).
    for g in range(p):
        if g_cost[g] < best_total:
            best_total = g_cost[g]
            for i in range(9):
                out[i] = g_out[g, i]
    return best_total


cdef inline STAT_C sum_row(const STAT_C[:, :, :, :, ::1] hist, Py_ssize_t g, Py_ssize_t h,
                           Py_ssize_t a, Py_ssize_t L, Py_ssize_t c) noexcept nogil:
    cdef STAT_C total = 0.0
    cdef Py_ssize_t b
    for b in range(L):
        total += hist[g, h, a, b, c]
    return total
