"""The search driver: which trees are candidates, and how the best one is found.

The split family
----------------
Every feature is searched on an *ordinal* coding of its bins. A continuous feature keeps its bin
order; a categorical feature's levels are ordered once, on the whole training set, by their
weighted target mean (regression), share of the second class (binary) or, for multiclass,
share of the class whose ordering admits the best single split of the levels; ties by level
code. A split on feature j at a node whose region on j
is the value bins ``lo..hi`` (in that order) picks ``u`` in ``lo..hi-1``: bins ``lo..u`` go left,
``u+1..hi`` right, and the missing code goes left or right. So both children keep values of j;
categorical splits are groups of levels that are prefixes of that ordering. At the root the
ordering finds the best grouping exactly for binary misclassification and for squared error
(Breiman et al. 1984, Thm 4.5 and its misclassification analogue for concave impurities); below
the root the same global ordering is used, which restricts the family (documented, not hidden).
Unseen levels at predict time follow the missing values.

Search
------
depth <= 2: exact, by ``_ext._depth2.solve_depth2`` on pairwise histograms.
depth 3: exact, by trying every root split and solving both sides exactly at depth 2. The best
tree so far bounds the search (a side whose cost plus the other side's least penalty cannot beat
it is not solved). Under monotonic constraints a root on a constrained feature couples its two
depth-2 subtrees; the pair of independent optima is kept only when it is monotone, otherwise
that root stays unresolved and the result is not claimed optimal unless its lower bound is
beaten anyway.
depth > 3 (anytime): the exact depth-3 tree, then every leaf at depth 3 is replaced by an exact
subtree of the remaining depth on its rows when that lowers the objective and keeps the tree
monotone; never claimed optimal.
The time limit is checked between root candidates; when it stops the search early the best tree
found so far is returned and not claimed optimal.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from glassbox._ext._depth2 import solve_depth2
from glassbox._ext._tree import add_pair_histograms
from glassbox._ext._typedefs import STAT_DTYPE

# Work (row x feature updates) below which a kernel runs on one thread: starting and joining a
# parallel region costs more than small problems take (and much more on a busy machine).
PARALLEL_WORK = 200_000
# The same for the depth-2 solver, in pairwise-histogram cells (n_features^2 x codes^2): a call
# of 14 features x 33 codes takes ~5 ms, which a parallel region on a loaded machine doubles.
PARALLEL_SOLVE_CELLS = 2_000_000


@dataclass(eq=False)
class SearchNode:
    """A node of a tree in ordinal codes: a leaf when ``feature == -1``."""

    rows: np.ndarray
    feature: int = -1
    u: int = -1
    missing_left: bool = False
    left: "SearchNode" = None
    right: "SearchNode" = None

    def leaves(self):
        if self.feature < 0:
            return [self]
        return self.left.leaves() + self.right.leaves()

    def depth(self):
        return 0 if self.feature < 0 else 1 + max(self.left.depth(), self.right.depth())


@dataclass(eq=False)
class Problem:
    """Everything the search reads: ordinal codes, per-row statistics and the user's limits."""

    codes: np.ndarray          # uint8 (n, p), Fortran-ordered, ordinal codes; n_bins[j] = missing
    stats: np.ndarray          # float64 (n, C), see _ext/_depth2.pyx
    n_bins: np.ndarray         # intp (p,)
    cst: np.ndarray            # int8 (p,)
    task: int                  # 0 classification, 1 regression
    n_classes: int
    min_leaf: int
    leaf_penalty: float        # complexity in the units of the summed leaf error
    n_threads: int
    deadline: float            # time.monotonic() value after which the search stops
    min_weight: float = 0.0
    timed_out: bool = field(default=False)

    @property
    def shape(self):
        p = self.codes.shape[1]
        L = int(self.n_bins.max()) + 1
        return (p, p, L, L, self.stats.shape[1])

    def full_region(self):
        return np.zeros(len(self.n_bins), dtype=np.intp), (self.n_bins - 1).astype(np.intp)

    def histograms(self, rows, out=None, sign=1.0, threads=None):
        if out is None:
            out = np.zeros(self.shape, dtype=STAT_DTYPE)
        if len(rows):
            if threads is None:
                threads = self.n_threads if len(rows) * self.codes.shape[1] >= PARALLEL_WORK else 1
            add_pair_histograms(self.codes, rows, self.stats, sign, out, threads)
        return out

    def leaf_cost(self, rows):
        """Error of one leaf on ``rows`` plus the leaf penalty (inf for an invalid leaf)."""
        s = self.stats[rows].sum(axis=0)
        if s[0] < self.min_leaf:
            return np.inf
        if self.task == 0:
            w = s[1:]
            if w.sum() <= self.min_weight:
                return np.inf
            return float(w.sum() - w.max()) + self.leaf_penalty
        if s[1] <= self.min_weight:
            return np.inf
        return float(max(s[3] - s[2] * s[2] / s[1], 0.0)) + self.leaf_penalty

    def leaf_value(self, rows):
        """The value monotonic constraints are stated on: class-1 share or the mean."""
        s = self.stats[rows].sum(axis=0)
        if self.task == 0:
            return s[2] / s[1:].sum() if self.n_classes == 2 else 0.0
        return s[2] / s[1]


def search(problem, max_depth):
    """Return ``(root SearchNode, cost, proven_optimal)``."""
    rows = np.arange(problem.codes.shape[0], dtype=np.intp)
    lo, hi = problem.full_region()
    if max_depth <= 2:
        node, cost = solve_small(problem, rows, lo, hi, max_depth)
        proven = True
    else:
        node, cost, proven = solve_depth3(problem, rows, lo, hi)
        if max_depth > 3:
            node, cost = refine(problem, node, lo, hi, max_depth - 3)
            proven = False
    _route_untrained_missing(problem, node, node, lo, hi)
    return node, cost, proven and not problem.timed_out


def _route_untrained_missing(problem, root, node, lo, hi):
    """Where no training row of a node is missing the split feature, send missing values to
    the heavier child (the search had no reason to choose), unless that breaks monotonicity
    (missing values make leaves on both sides meet on that feature)."""
    if node.feature < 0:
        return
    f = node.feature
    if not np.any(problem.codes[node.rows, f] == problem.n_bins[f]):
        heavier_left = problem.stats[node.left.rows, 0].sum() >= problem.stats[node.right.rows, 0].sum()
        if heavier_left != node.missing_left:
            node.missing_left = heavier_left
            if problem.cst.any() and not is_monotone(problem, root, *problem.full_region()):
                node.missing_left = not heavier_left
    _route_untrained_missing(problem, root, node.left, lo, hi)
    _route_untrained_missing(problem, root, node.right, lo, hi)


def solve_small(problem, rows, lo, hi, max_depth, hist=None, threads=None):
    """Exact best tree of depth <= 2 on ``rows`` within the region ``lo..hi``."""
    if hist is None:
        hist = problem.histograms(rows, threads=threads)
    out = np.full(9, -1, dtype=np.intp)
    p, _, L = hist.shape[:3]
    if threads is None:
        threads = problem.n_threads if p * p * L * L >= PARALLEL_SOLVE_CELLS else 1
    cost = solve_depth2(
        hist, problem.n_bins, lo, hi, problem.cst, problem.task, problem.n_classes,
        float(problem.min_leaf), problem.min_weight, problem.leaf_penalty, max_depth, out,
        threads,
    )
    return _decode(problem, rows, out), cost


def _decode(problem, rows, out):
    node = SearchNode(rows)
    if out[0] < 0:
        return node
    _split(problem, node, out[0], out[1], out[2])
    for child, (h, u, m) in ((node.left, out[3:6]), (node.right, out[6:9])):
        if h >= 0:
            _split(problem, child, h, u, m)
    return node


def _split(problem, node, feature, u, missing_left):
    code = problem.codes[node.rows, feature]
    missing = code == problem.n_bins[feature]
    goes_left = np.where(missing, bool(missing_left), code <= u)
    node.feature, node.u, node.missing_left = int(feature), int(u), bool(missing_left)
    node.left = SearchNode(node.rows[goes_left])
    node.right = SearchNode(node.rows[~goes_left])


class _Incumbent:
    """The best depth-3 candidate so far, shared by the root-feature workers.

    Candidates are compared by ``(cost, (f, s, m))`` and pruned only when strictly worse, so the
    winner is the same whatever the order the workers finish in (and the thread count).
    """

    def __init__(self, node, cost):
        self.node, self.cost, self.key = node, cost, (-1, -1, -1)
        self.unresolved = []  # lower bounds of constrained roots whose independent optima were not monotone
        self.lock = threading.Lock()

    def offer(self, cost, key, make_node):
        with self.lock:
            if (cost, key) < (self.cost, self.key):
                self.node, self.cost, self.key = make_node(), cost, key


def solve_depth3(problem, rows, lo, hi):
    """Exact best tree of depth <= 3: every root split, each side solved exactly at depth 2.

    Root features are swept in parallel (one single-threaded worker per feature at a time: the
    work per kernel call is too small to share). Bounds skip sides that cannot win. For a root
    feature f, as the threshold s grows the left side only gains rows and the right side only
    loses the rows of bin s. Without monotonic constraints and with ``min_leaf == 1``, a tree
    optimal on a set costs no more on any subset (empty leaves merge away), and
    (classification) costs at most the removed weight more on a superset; so the last solved
    left cost bounds the next left side from below, and the last right cost minus the weight
    since removed bounds the right side.
    """
    node, cost = solve_small(problem, rows, lo, hi, 2)
    incumbent = _Incumbent(node, cost)
    total = problem.histograms(rows)
    if node.feature >= 0:
        # A strong first incumbent prunes most roots: the depth-2 optimum's root split with
        # exact depth-2 subtrees below it.
        lo_l, hi_l, lo_r, hi_r = _child_regions(lo, hi, node.feature, node.u)
        left, cost_l = solve_small(problem, node.left.rows, lo_l, hi_l, 2)
        right, cost_r = solve_small(problem, node.right.rows, lo_r, hi_r, 2)
        candidate = SearchNode(rows, node.feature, node.u, node.missing_left, left, right)
        if problem.cst[node.feature] == 0 or is_monotone(problem, candidate, lo, hi):
            key = (node.feature, node.u, int(node.missing_left))
            incumbent.offer(cost_l + cost_r, key, lambda: candidate)
    features = [f for f in range(problem.codes.shape[1]) if lo[f] < hi[f]]
    # Workers take whole root features: coarse enough that threads never wait on each other.
    workers = min(problem.n_threads, len(features))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda f: _sweep_root_feature(problem, rows, lo, hi, f, total, incumbent, 1), features))
    else:
        for f in features:
            _sweep_root_feature(problem, rows, lo, hi, f, total, incumbent, None)
    proven = not problem.timed_out and all(bound >= incumbent.cost for bound in incumbent.unresolved)
    return incumbent.node, incumbent.cost, proven


def _child_regions(lo, hi, f, u):
    lo_l, hi_l = lo.copy(), hi.copy()
    hi_l[f] = u
    lo_r, hi_r = lo.copy(), hi.copy()
    lo_r[f] = u + 1
    return lo_l, hi_l, lo_r, hi_r


def _sweep_root_feature(problem, rows, lo, hi, f, total, incumbent, threads):
    """Try every root split on feature f (see ``solve_depth3``).

    Both sides' histograms are kept per missing direction and updated in place as the rows of
    each bin cross from right to left, so no histogram is rebuilt or copied per threshold.
    """
    use_bounds = problem.min_leaf <= 1 and not problem.cst.any()
    weight = problem.stats[:, 1:].sum(axis=1) if problem.task == 0 else None
    penalty = problem.leaf_penalty
    code = problem.codes[rows, f]
    missing_rows = rows[code == problem.n_bins[f]]
    directions = (0, 1) if len(missing_rows) else (0,)
    sides = {0: (np.zeros_like(total), total.copy())}
    if len(missing_rows):
        left = problem.histograms(missing_rows, threads=threads)
        sides[1] = (left, total - left)
    order = np.argsort(code, kind="stable")
    sorted_codes = code[order]
    bound_l = dict.fromkeys(directions, 0.0)
    bound_r = dict.fromkeys(directions, 0.0)
    for s in range(lo[f], hi[f]):
        if time.monotonic() > problem.deadline:
            problem.timed_out = True
            return
        a, b = np.searchsorted(sorted_codes, [s, s + 1])
        moved = rows[order[a:b]]
        if len(moved) == 0 and s > lo[f] and not problem.cst.any():
            continue  # the same partition as at s - 1, which wins the tie
        for m in directions:
            problem.histograms(moved, out=sides[m][0], threads=threads)
            problem.histograms(moved, out=sides[m][1], sign=-1.0, threads=threads)
        removed = float(weight[moved].sum()) if weight is not None else np.inf
        for m in directions:
            bound_r[m] = max(bound_r[m] - removed, 0.0)
            if use_bounds and max(bound_l[m], penalty) + max(bound_r[m], penalty) > incumbent.cost:
                continue
            L, R = sides[m]
            if L[f, f, ..., 0].sum() < problem.min_leaf or R[f, f, ..., 0].sum() < problem.min_leaf:
                continue
            lo_l, hi_l, lo_r, hi_r = _child_regions(lo, hi, f, s)
            goes_left = np.where(code == problem.n_bins[f], bool(m), code <= s)
            node_l, cost_l = solve_small(problem, rows[goes_left], lo_l, hi_l, 2, hist=L, threads=threads)
            bound_l[m] = cost_l
            if cost_l + max(bound_r[m], penalty) > incumbent.cost:
                continue
            node_r, cost_r = solve_small(problem, rows[~goes_left], lo_r, hi_r, 2, hist=R, threads=threads)
            bound_r[m] = cost_r
            if cost_l + cost_r > incumbent.cost:
                continue
            node = SearchNode(rows, f, s, bool(m), node_l, node_r)
            if problem.cst[f] != 0 and not is_monotone(problem, node, lo, hi):
                with incumbent.lock:
                    incumbent.unresolved.append(cost_l + cost_r)
                continue
            incumbent.offer(cost_l + cost_r, (f, s, m), lambda node=node: node)


def refine(problem, node, lo, hi, remaining):
    """Anytime deepening: replace depth-3 leaves by exact subtrees of the remaining depth."""
    root = node
    frontier = [(leaf, region) for leaf, region in _leaves_with_regions(node, lo, hi) if _depth_of(node, leaf) == 3]
    for leaf, (llo, lhi) in frontier:
        if time.monotonic() > problem.deadline:
            problem.timed_out = True
            break
        d = min(remaining, 3)
        if d <= 2:
            sub, cost = solve_small(problem, leaf.rows, llo, lhi, d)
        else:
            sub, cost, _ = solve_depth3(problem, leaf.rows, llo, lhi)
        if sub.feature < 0 or cost >= problem.leaf_cost(leaf.rows):
            continue
        saved = (leaf.feature, leaf.u, leaf.missing_left, leaf.left, leaf.right)
        leaf.feature, leaf.u, leaf.missing_left, leaf.left, leaf.right = (
            sub.feature, sub.u, sub.missing_left, sub.left, sub.right)
        if problem.cst.any() and not is_monotone(problem, root, lo, hi):
            leaf.feature, leaf.u, leaf.missing_left, leaf.left, leaf.right = saved
            continue
        if remaining > 3:
            refine(problem, leaf, llo, lhi, remaining - 3)
    return root, tree_cost(problem, root)


def _depth_of(root, target, depth=0):
    if root is target:
        return depth
    if root.feature < 0:
        return -1
    return max(_depth_of(root.left, target, depth + 1), _depth_of(root.right, target, depth + 1))


def tree_cost(problem, node):
    return sum(problem.leaf_cost(leaf.rows) for leaf in node.leaves())


def _leaves_with_regions(node, lo, hi):
    """``[(leaf, (lo, hi))]``: each leaf with its region's value bins per feature."""
    if node.feature < 0:
        return [(node, (lo, hi))]
    f, u = node.feature, node.u
    lo_l, hi_l = lo.copy(), hi.copy()
    hi_l[f] = u
    lo_r, hi_r = lo.copy(), hi.copy()
    lo_r[f] = u + 1
    return _leaves_with_regions(node.left, lo_l, hi_l) + _leaves_with_regions(node.right, lo_r, hi_r)


def _missing_flags(node, p, flags=None):
    """``[(leaf, bool array)]``: whether each leaf's region holds each feature's missing values."""
    if flags is None:
        flags = np.ones(p, dtype=bool)
    if node.feature < 0:
        return [(node, flags)]
    f = node.feature
    left, right = flags.copy(), flags.copy()
    left[f] &= node.missing_left
    right[f] &= not node.missing_left
    return _missing_flags(node.left, p, left) + _missing_flags(node.right, p, right)


def is_monotone(problem, node, lo, hi):
    """Whether the leaf values respect every constraint between every comparable leaf pair.

    Leaves A and B are comparable on a constrained feature c when their regions overlap on
    every other feature (value bins intersect, or both hold that feature's missing values)
    and some value of c in A lies below some value of c in B.
    """
    regions = _leaves_with_regions(node, lo, hi)
    flags = dict((id(leaf), m) for leaf, m in _missing_flags(node, len(lo)))
    leaves = [leaf for leaf, _ in regions]
    values = np.array([problem.leaf_value(leaf.rows) for leaf in leaves])
    los = np.array([r[0] for _, r in regions])
    his = np.array([r[1] for _, r in regions])
    miss = np.array([flags[id(leaf)] for leaf in leaves])
    # overlap[a, b, j]: regions of a and b meet on feature j
    overlap = (los[:, None, :] <= his[None, :, :]) & (los[None, :, :] <= his[:, None, :])
    overlap |= miss[:, None, :] & miss[None, :, :]
    for c in np.flatnonzero(problem.cst):
        others = np.delete(overlap, c, axis=2).all(axis=2)
        below = los[:, None, c] < his[None, :, c]  # some c in a below some c in b
        comparable = others & below
        diff = problem.cst[c] * (values[None, :] - values[:, None])
        if np.any(comparable & (diff < 0)):
            return False
    return True
