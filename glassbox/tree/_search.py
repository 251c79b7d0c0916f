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
depth <= 2: exact, by ``_ext._depth2.Depth2Solver`` on pairwise histograms.
depth 3: exact, by trying every root split and solving both sides exactly at depth 2. The best
tree so far bounds the search (a side whose cost plus the other side's least penalty cannot beat
it is not solved; the bounds carried between thresholds are the sides' unconstrained costs, so
they hold under monotonic constraints too). A root on a constrained feature g couples its two
depth-2 subtrees: a leaf of the low side and a leaf of the high side that meet on every feature
but g must be ordered. When the two independent optima clash, ``_couple`` finds the best
monotone pair by branch and bound on leaf-value bounds that the depth-2 solver enforces, so
depth 3 stays exact among monotone trees.
depth > 3 (anytime): the exact depth-3 tree, then every leaf at depth 3 is replaced by an exact
subtree of the remaining depth on its rows when that lowers the objective and keeps the tree
monotone; never claimed optimal.
The budget: a depth-3 search examines the root splits of ``root_scope``, every one when
``Problem.max_root_splits`` (or by default ``DEFAULT_WORK``) allows, else the best by their own
one-split cost. The scope is fixed before the sweep, and the search is exact within it (a split
outside it is never solved; the bounds carried past it stay valid), so the tree depends on the
data and parameters only, whatever the thread count or the workers' timing. A tree is proven
optimal only when the scope held every root split.
The time limit (a safety net) is checked between root candidates and between branch-and-bound
nodes; when it stops the search early the best tree found so far is returned and not claimed
optimal. Between the
same steps the search reports how far it is to ``Problem.progress`` (the estimators' ``verbose``),
which only reads its state.
"""

import heapq
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from glassbox._ext._depth2 import Depth2Solver, LeafBounds
from glassbox._ext._tree_histogram import add_pair_histograms
from glassbox._ext._typedefs import STAT_DTYPE
from glassbox._progress import Progress
from glassbox._regions import (LOG_LOSS, MISCLASSIFICATION, added_weight_cost, region_loss, region_probabilities,
                               region_weight, subset_slack)

# Work (row x feature updates) below which a kernel runs on one thread: starting and joining a
# parallel region costs more than small problems take (and much more on a busy machine).
PARALLEL_WORK = 200_000
# The same for the depth-2 solver, in pairwise-histogram cells (n_features^2 x codes^2): a call
# of 14 features x 33 codes takes ~5 ms, which a parallel region on a loaded machine doubles.
PARALLEL_SOLVE_CELLS = 2_000_000
# The default budget of a depth-3 search, in units of one leaf evaluation of the depth-2 solver per
# class (about 26 ns on one core here; docs/tree.md): each root split examined is charged its two
# depth-2 solves, (sum of the region's bins)^2 x classes each, whether or not the bounds then skip
# it, and each root feature swept is charged its histogram updates (a row moved is p^2 x n_stats
# additions, about a thirteenth of a unit each). So a default search costs at most ~26 s of one
# core, typically far less, and its scope depends on the data's shape only.
DEFAULT_WORK = 1e9
# When every root split does not fit DEFAULT_WORK, the tree cannot be certified anyway: the search
# then stops at this much work, the best-ranked splits first (a unit costs up to ~38 ns of one core
# on other data, which would put 1e9 units near 19 s on two; the ranked order finds the best root
# early: satimage's trees on five splits, the generated wide data's and four generated shapes'
# are the same at 4e8 as at 6e8 and 1e9; docs/tree.md).
UNCERTIFIED_WORK = 4e8
_ADDS_PER_UNIT = 13
# Largest lookup tables of the log loss (two float64 entries each: 64 MiB); larger whole class
# weights take the logarithm.
_MAX_LOG_TABLE = 1 << 22


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
    stats: np.ndarray          # float64 (n, C): glassbox._regions' layout, the row count last
    n_bins: np.ndarray         # intp (p,)
    cst: np.ndarray            # int8 (p,)
    n_classes: int             # 0 for regression
    min_leaf: int
    leaf_penalty: float        # complexity in the units of the summed leaf error
    n_threads: int
    deadline: float            # time.monotonic() value after which the search stops
    max_root_splits: int = None  # root splits each depth-3 search examines (None: DEFAULT_WORK's)
    min_weight: float = 0.0
    criterion: int = MISCLASSIFICATION  # glassbox._regions.CRITERIA index (classification)
    pseudo: float = 1.0        # its smoothing's pseudo-row weight: the mean row weight
    scale: float = 1.0         # a cost divided by this is the estimator's objective (progress lines show it)
    progress: Progress = field(default_factory=Progress.silent)
    timed_out: bool = field(default=False)
    longest_step: float = field(default=0.0)  # seconds of the longest search step seen
    # (root splits examined, root splits there were) per depth-3 search, in the order they ran
    scopes: list = field(default_factory=list)

    def __post_init__(self):
        # For the depth-3 sweep's bounds (fixed for the fit): each row's class weight (None in
        # regression, whose bound is not carried), what a side's cost may rise by per unit of
        # weight it gains, and fall by when it loses rows (glassbox._regions: 1 and 0 for
        # misclassification; 4 leaves at depth 2).
        self.row_weight = self.stats[:, :self.n_classes].sum(axis=1) if self.n_classes else None
        self.added_cost = (added_weight_cost(self.criterion, self.n_classes, float(self.row_weight.sum()), self.pseudo)
                           if self.n_classes else 0.0)
        self.subset_slack = subset_slack(self.criterion, self.n_classes, 4, self.pseudo)
        self.solver = Depth2Solver(np.ascontiguousarray(self.n_bins, dtype=np.intp),
                                   np.ascontiguousarray(self.cst, dtype=np.int8), self.stats.shape[1],
                                   self.n_classes, float(self.min_leaf), self.min_weight, self.leaf_penalty,
                                   self.criterion, self.pseudo, self._log_table_size())

    def _log_table_size(self):
        """Entries of the log loss's lookup tables (``_ext/_regions.pxd``): every whole class
        weight a region can hold, when the rows' weights are whole numbers (unweighted data);
        0 (no tables) otherwise, or for another criterion."""
        if self.criterion != LOG_LOSS or not self.n_classes:
            return 0
        weights = self.stats[:, :self.n_classes]
        if not np.array_equal(weights, np.floor(weights)):
            return 0
        return int(min(weights.sum() + 1, _MAX_LOG_TABLE))

    def out_of_time(self, last_start=None):
        """``(stop, now)`` before a search step: stop (and mark the search timed out) when a step as
        long as the longest seen would end past the deadline. ``last_start``, when given, is when
        the previous step of the caller's loop began, so its length joins the guess; one depth-2
        solve can take a second on wide data, and the deadline must hold to far less."""
        now = time.monotonic()
        if last_start is not None:
            self.longest_step = max(self.longest_step, now - last_start)
        if now + self.longest_step > self.deadline:
            self.timed_out = True
            return True, now
        return False, now

    @property
    def count(self):
        """The statistics' column of row counts (the last)."""
        return self.stats.shape[1] - 1

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
        if s[self.count] < self.min_leaf or region_weight(s, self.n_classes) <= self.min_weight:
            return np.inf
        return float(region_loss(s, self.n_classes, self.criterion, self.pseudo)) + self.leaf_penalty

    def leaf_value(self, rows):
        """The value monotonic constraints are stated on: the class-1 probability the leaf
        predicts, or the mean."""
        s = self.stats[rows].sum(axis=0)
        if self.n_classes:
            return float(region_probabilities(s[:2], self.criterion, self.pseudo)[1]) if self.n_classes == 2 else 0.0
        return s[1] / s[0]


def search(problem, max_depth):
    """Return ``(root SearchNode, cost, proven_optimal)``."""
    rows = np.arange(problem.codes.shape[0], dtype=np.intp)
    lo, hi = problem.full_region()
    if max_depth <= 2:
        node, cost, _ = solve_small(problem, rows, lo, hi, max_depth)
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
        count = problem.count
        heavier_left = problem.stats[node.left.rows, count].sum() >= problem.stats[node.right.rows, count].sum()
        if heavier_left != node.missing_left:
            node.missing_left = heavier_left
            if problem.cst.any() and not is_monotone(problem, root, *problem.full_region()):
                node.missing_left = not heavier_left
    _route_untrained_missing(problem, root, node.left, lo, hi)
    _route_untrained_missing(problem, root, node.right, lo, hi)


def solve_small(problem, rows, lo, hi, max_depth, hist=None, threads=None, bounds=None, keep_empty=False):
    """Exact best tree of depth <= 2 on ``rows`` within the region ``lo..hi``.

    Returns ``(node, cost, free)``: cost is inf when no tree respects ``bounds`` (a
    ``ValueBounds``), free the best cost ignoring monotonic constraints and bounds.
    ``keep_empty``: the tree's leaves will be compared with others', so thresholds that only
    move a leaf's region (over bins without rows) are distinct candidates.
    """
    if hist is None:
        hist = problem.histograms(rows, threads=threads)
    out = np.full(9, -1, dtype=np.intp)
    p, _, L = hist.shape[:3]
    if threads is None:
        threads = problem.n_threads if p * p * L * L >= PARALLEL_SOLVE_CELLS else 1
    if bounds is None:
        bounds = ValueBounds.none(p)
    cost, free = problem.solver.solve(hist, lo, hi, max_depth, LeafBounds(*bounds.meeting(lo, hi)), keep_empty, out,
                                      threads)
    return _decode(problem, rows, out), cost, free


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
        # lower bounds of root splits the search could not settle (see _couple)
        self.unresolved = []
        self.lock = threading.Lock()

    def offer(self, cost, key, make_node):
        with self.lock:
            if (cost, key) < (self.cost, self.key):
                self.node, self.cost, self.key = make_node(), cost, key

    def could_lose_to(self, cost, key):
        """Whether a candidate of this cost and key would still replace the incumbent."""
        with self.lock:
            return (cost, key) < (self.cost, self.key)


def solve_depth3(problem, rows, lo, hi, stage="depth-3 root splits"):
    """Exact best tree of depth <= 3: every root split, each side solved exactly at depth 2.

    Root features are swept in parallel (one single-threaded worker per feature at a time: the
    work per kernel call is too small to share). Bounds skip sides that cannot win. For a root
    feature f, as the threshold s grows the left side only gains rows and the right side only
    loses the rows of bin s. With ``min_leaf == 1``, a tree optimal on a set without
    constraints costs no more on any subset (empty leaves merge away; the smoothed Brier score
    up to ``subset_slack``), and (classification) costs at most ``added_weight_cost`` times the
    removed weight more on a superset (both from ``glassbox._regions``, per criterion); so the
    last unconstrained ("free") left cost bounds the next left side from below, and the last
    free right cost minus that much per unit of weight since removed bounds the right side --
    with or without constraints, as a constrained side costs at least its free cost. A root on a
    constrained feature whose two optimal sides clash is settled by ``_couple``. ``stage`` names
    the search in progress lines.
    """
    started = time.monotonic()
    node, cost, _ = solve_small(problem, rows, lo, hi, 2)
    # A root threshold's step solves both its sides at depth 2: about this long (a first guess
    # for out_of_time, which the sweeps then refine).
    problem.longest_step = max(problem.longest_step, time.monotonic() - started)
    incumbent = _Incumbent(node, cost)
    total = problem.histograms(rows)
    if node.feature >= 0 and not problem.out_of_time()[0]:
        # A strong first incumbent prunes most roots: the depth-2 optimum's root split with
        # exact depth-2 subtrees below it (when they are monotone together).
        lo_l, hi_l, lo_r, hi_r = _child_regions(lo, hi, node.feature, node.u)
        left, cost_l, _ = solve_small(problem, node.left.rows, lo_l, hi_l, 2)
        right, cost_r, _ = solve_small(problem, node.right.rows, lo_r, hi_r, 2)
        candidate = SearchNode(rows, node.feature, node.u, node.missing_left, left, right)
        if problem.cst[node.feature] == 0 or is_monotone(problem, candidate, lo, hi):
            key = (node.feature, node.u, int(node.missing_left))
            incumbent.offer(cost_l + cost_r, key, lambda: candidate)
    scope = root_scope(problem, len(rows), lo, hi, total)
    features = sorted(scope)
    sweep = _SweepProgress(problem, stage, incumbent, n_features=len(features),
                           n_thresholds=int(sum(scope[f].any(axis=1).sum() for f in features)),
                           whole=len(rows) == problem.codes.shape[0])
    # Workers take whole root features: coarse enough that threads never wait on each other.
    workers = min(problem.n_threads, len(features))

    def sweep_feature(f, threads):
        _sweep_root_feature(problem, rows, lo, hi, f, total, incumbent, threads, sweep, scope[f])
        sweep.feature_done()

    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda f: sweep_feature(f, 1), features))
    else:
        for f in features:
            sweep_feature(f, None)
    examined, there_are = problem.scopes[-1]
    proven = (examined == there_are and not problem.timed_out
              and all(bound >= incumbent.cost for bound in incumbent.unresolved))
    return incumbent.node, incumbent.cost, proven


def root_scope(problem, n_rows, lo, hi, total):
    """The root splits a depth-3 search examines, as ``{feature: bool (thresholds, 2)}``
    (threshold ``lo[f] + i``, missing values right (0) or left (1)); records ``(examined, there
    are)`` in ``problem.scopes``.

    Every root split when the budget allows; else the best ones by their own one-split cost
    (the loss of the two sides as leaves), ties by (feature, threshold, missing side), as many as
    ``problem.max_root_splits`` or, by default, ``DEFAULT_WORK`` pays for. The scope depends only
    on the data and the parameters, and the search is exact within it, so the tree does too
    (not on the thread count or the machine's load). A split is left out of the count, as the
    sweep skips it, when its threshold only moves an empty bin of an unconstrained feature.
    """
    count, n_classes = problem.count, problem.n_classes
    keys = []  # rows of (one-split cost, feature, threshold, missing side)
    for f in range(problem.codes.shape[1]):
        if lo[f] >= hi[f]:
            continue
        bins = np.arange(lo[f], hi[f] + 1)
        per_bin = total[f, f, bins, bins]
        missing = total[f, f, problem.n_bins[f], problem.n_bins[f]]
        left = np.cumsum(per_bin, axis=0)[:-1]
        thresholds = bins[:-1]
        kept = (per_bin[:-1, count] > 0) | (thresholds == lo[f]) | (problem.cst[f] != 0)
        for m in ((0, 1) if missing[count] > 0 else (0,)):
            sides = left[kept] + m * missing
            cost = (region_loss(sides, n_classes, problem.criterion, problem.pseudo)
                    + region_loss(per_bin.sum(axis=0) + missing - sides, n_classes, problem.criterion, problem.pseudo))
            keys.append(np.column_stack([cost, np.full(len(cost), f), thresholds[kept], np.full(len(cost), m)]))
    keys = np.vstack(keys) if keys else np.zeros((0, 4))
    keys = keys[np.lexsort((keys[:, 3], keys[:, 2], keys[:, 1], keys[:, 0]))]
    budget = problem.max_root_splits
    if budget is None:
        budget = _default_root_splits(problem, n_rows, lo, hi, keys[:, 1].astype(np.intp))
    examined = keys[: min(budget, len(keys))]
    problem.scopes.append((len(examined), len(keys)))
    scope = {}
    for _, f, s, m in examined:
        f = int(f)
        if f not in scope:
            scope[f] = np.zeros((hi[f] - lo[f], 2), dtype=bool)
        scope[f][int(s) - lo[f], int(m)] = True
    return scope


def _default_root_splits(problem, n_rows, lo, hi, features):
    """How many of the ranked root splits (their features in rank order) the default examines:
    all of them when ``DEFAULT_WORK`` pays for all, else what ``UNCERTIFIED_WORK`` pays for (see
    their comments)."""
    p, n_stats = problem.codes.shape[1], problem.stats.shape[1]
    bins = float(np.sum(hi - lo + 1))
    per_split = 2.0 * bins * bins * max(problem.n_classes, 1)
    per_feature = 4.0 * n_rows * p * p * n_stats / _ADDS_PER_UNIT  # both sides, both missing sides
    spent = np.cumsum(per_split + per_feature * _first_seen(features))
    if len(spent) and spent[-1] <= DEFAULT_WORK:
        return len(spent)
    return int(np.searchsorted(spent, UNCERTIFIED_WORK, side="right"))


def _first_seen(values):
    """1 where a value occurs for the first time in ``values``, else 0."""
    first = np.zeros(len(values))
    first[np.unique(values, return_index=True)[1]] = 1.0
    return first


def _child_regions(lo, hi, f, u):
    lo_l, hi_l = lo.copy(), hi.copy()
    hi_l[f] = u
    lo_r, hi_r = lo.copy(), hi.copy()
    lo_r[f] = u + 1
    return lo_l, hi_l, lo_r, hi_r


class _SweepProgress:
    """How far a sweep of root splits is (thresholds tried, features done), told to
    ``problem.progress`` by the workers as they go."""

    def __init__(self, problem, stage, incumbent, n_features, n_thresholds, whole):
        self.problem, self.stage, self.incumbent = problem, stage, incumbent
        self.n_features, self.n_thresholds = n_features, n_thresholds
        self.what = "objective" if whole else "subtree's share of the objective"
        self.features = self.thresholds = 0
        self.lock = threading.Lock()

    def threshold(self):
        with self.lock:
            self.thresholds += 1
        self.problem.progress(self._line)

    def feature_done(self):
        with self.lock:
            self.features += 1

    def _line(self):
        return (f"{self.stage}: {self.thresholds:,} of {self.n_thresholds:,} thresholds tried ({self.features} of "
                f"{self.n_features} features done), best {self.what} {self.incumbent.cost / self.problem.scale:.6g}")


def _sweep_root_feature(problem, rows, lo, hi, f, total, incumbent, threads, sweep, in_scope):
    """Try the root splits on feature f that ``in_scope`` holds (``root_scope``'s array; see
    ``solve_depth3``), telling ``sweep`` (a ``_SweepProgress``) as it goes.

    Both sides' histograms are kept per missing direction and updated in place as the rows of
    each bin cross from right to left, so no histogram is rebuilt or copied per threshold.
    """
    if problem.out_of_time()[0]:
        return  # before copying the histograms (tens of MB on wide data), for each of the features left
    use_bounds = problem.min_leaf <= 1
    weight, per_weight, slack = problem.row_weight, problem.added_cost, problem.subset_slack
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
    step_start = None
    last = lo[f] + int(np.flatnonzero(in_scope.any(axis=1))[-1])
    for s in range(lo[f], last + 1):
        stop, step_start = problem.out_of_time(step_start)
        if stop:
            return
        a, b = np.searchsorted(sorted_codes, [s, s + 1])
        moved = rows[order[a:b]]
        if len(moved) == 0 and s > lo[f] and problem.cst[f] == 0:
            continue  # the same partition as at s - 1, which wins the tie (and the sides meet nowhere)
        if in_scope[s - lo[f]].any():
            sweep.threshold()
        for m in directions:
            problem.histograms(moved, out=sides[m][0], threads=threads)
            problem.histograms(moved, out=sides[m][1], sign=-1.0, threads=threads)
        removed = float(weight[moved].sum()) * per_weight if weight is not None else np.inf
        for m in directions:
            bound_r[m] = max(bound_r[m] - removed, 0.0)
            if not in_scope[s - lo[f], m]:
                continue  # outside the budget's scope (the bounds carried stay valid: see above)
            if use_bounds and max(bound_l[m], penalty) + max(bound_r[m], penalty) > incumbent.cost:
                continue
            L, R = sides[m]
            if L[f, f, ..., problem.count].sum() < problem.min_leaf or R[f, f, ..., problem.count].sum() < problem.min_leaf:
                continue
            lo_l, hi_l, lo_r, hi_r = _child_regions(lo, hi, f, s)
            goes_left = np.where(code == problem.n_bins[f], bool(m), code <= s)
            coupled = problem.cst[f] != 0
            left = _Side(rows[goes_left], lo_l, hi_l, L, coupled)
            right = _Side(rows[~goes_left], lo_r, hi_r, R, coupled)
            node_l, cost_l, free_l = left.solve(problem, threads)
            if np.isfinite(free_l):  # an empty-weight side bounds nothing about the larger ones
                bound_l[m] = max(free_l - slack, 0.0)
            if cost_l + max(bound_r[m], penalty) > incumbent.cost:
                continue
            node_r, cost_r, bound_r[m] = right.solve(problem, threads)
            if cost_l + cost_r > incumbent.cost:
                continue
            key = (f, s, m)
            node = SearchNode(rows, f, s, bool(m), node_l, node_r)
            if problem.cst[f] != 0 and _worst_clash(problem, f, left.boxes(problem, node_l),
                                                    right.boxes(problem, node_r)) is not None:
                _couple(problem, rows, key, left, right, node_l, cost_l, node_r, cost_r, incumbent, threads)
                continue
            incumbent.offer(cost_l + cost_r, key, lambda node=node: node)


@dataclass(frozen=True)
class ValueBounds:
    """Bounds on the leaf values of a depth-2 solve: every leaf meeting box k (value bins
    ``lo[k, j]..hi[k, j]`` per feature, plus the missing code where ``miss[k, j]``) must have
    its value in ``value_lo[k]..value_hi[k]``."""

    lo: np.ndarray        # intp (K, p)
    hi: np.ndarray
    miss: np.ndarray      # uint8 (K, p)
    value_lo: np.ndarray  # float64 (K,)
    value_hi: np.ndarray

    @classmethod
    def none(cls, p):
        empty = np.zeros((0, p), dtype=np.intp)
        return cls(empty, empty, np.zeros((0, p), dtype=np.uint8), np.zeros(0), np.zeros(0))

    def add(self, lo, hi, miss, value_lo, value_hi):
        """These bounds and the boxes given (arrays of shape (k, p) and (k,))."""
        return ValueBounds(np.vstack([self.lo, lo]).astype(np.intp), np.vstack([self.hi, hi]).astype(np.intp),
                           np.vstack([self.miss, miss]).astype(np.uint8),
                           np.concatenate([self.value_lo, value_lo]), np.concatenate([self.value_hi, value_hi]))

    def meeting(self, lo, hi):
        """The kernel's arrays, for the boxes that meet the region ``lo..hi`` (which holds every
        feature's missing values): the kernel then tests a leaf only where its splits restrict it."""
        keep = ((np.maximum(self.lo, lo) <= np.minimum(self.hi, hi)) | (self.miss != 0)).all(axis=1)
        return (np.ascontiguousarray(self.lo[keep]), np.ascontiguousarray(self.hi[keep]),
                np.ascontiguousarray(self.miss[keep]), np.ascontiguousarray(self.value_lo[keep]),
                np.ascontiguousarray(self.value_hi[keep]))

    def respected_by(self, boxes):
        """Whether a tree's leaves (``LeafBoxes``) respect these bounds, in Python's arithmetic."""
        if not len(self.value_lo):
            return True
        meets = ((np.maximum(boxes.lo[:, None, :], self.lo[None]) <= np.minimum(boxes.hi[:, None, :], self.hi[None]))
                 | (boxes.miss[:, None, :] & (self.miss[None] != 0))).all(axis=2)
        v = boxes.values[:, None]
        return not np.any(meets & ((v < self.value_lo[None]) | (v > self.value_hi[None])))


@dataclass(eq=False)
class _Side:
    """One side of a root split: its rows, region, pair histograms, and whether its leaves are
    compared with the other side's (the root feature is constrained)."""

    rows: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    hist: np.ndarray
    coupled: bool

    def solve(self, problem, threads, bounds=None):
        return solve_small(problem, self.rows, self.lo, self.hi, 2, hist=self.hist, threads=threads,
                           bounds=bounds, keep_empty=self.coupled)

    def boxes(self, problem, node):
        return LeafBoxes.of(problem, node, self.lo, self.hi)

    def solve_compact(self, problem, threads, bounds):
        """``(shape, cost, LeafBoxes)`` of the best tree under ``bounds`` (shape None when there
        is none): no row arrays, so branch-and-bound nodes stay small."""
        node, cost, _ = self.solve(problem, threads, bounds)
        if not np.isfinite(cost):
            return None, cost, None
        return _shape(node), cost, self.boxes(problem, node)

    def grow(self, problem, shape):
        return _grow(problem, self.rows, shape)


def _shape(node):
    """A tree's splits as nested tuples ``(feature, u, missing_left, left, right)``; leaf: ()."""
    if node.feature < 0:
        return ()
    return (node.feature, node.u, node.missing_left, _shape(node.left), _shape(node.right))


def _grow(problem, rows, shape):
    """The ``SearchNode`` tree of a ``_shape`` on ``rows``."""
    node = SearchNode(rows)
    if shape:
        feature, u, missing_left, left, right = shape
        _split(problem, node, feature, u, missing_left)
        node.left, node.right = _grow(problem, node.left.rows, left), _grow(problem, node.right.rows, right)
    return node


def _worst_clash(problem, g, low, high):
    """The pair (a, b) of leaves, a of the low side's ``LeafBoxes`` and b of the high side's of a
    root split on constrained g, that meet on every other feature and break the constraint by
    the most (first such pair on ties); None when the two sides are monotone together.

    A low leaf lies below every high leaf on g, so the two sides respect g's constraint exactly
    when, at every point of the other features, the largest (sigma-scaled) value among the low
    leaves there is at most the smallest among the high leaves there: leaves that never meet
    are unconstrained. (Across the sides no other feature's constraint applies: their leaves
    never meet on g.)
    """
    meets = np.delete(low.meets(high), g, axis=2).all(axis=2)
    excess = problem.cst[g] * (low.values[:, None] - high.values[None, :])
    clash = meets & (excess > 0)
    if not clash.any():
        return None
    return np.unravel_index(np.argmax(np.where(clash, excess, -np.inf)), clash.shape)


def _field_bounds(problem, g, boxes, below):
    """Bounds that make one side monotone with a fixed other side whose leaves are ``boxes``:
    every leaf meeting one of them (off g) must not exceed it (``below``) or fall short of it."""
    lo, hi, miss = boxes.lo.copy(), boxes.hi.copy(), boxes.miss.astype(np.uint8)
    lo[:, g], hi[:, g], miss[:, g] = 0, np.iinfo(np.intp).max, 1  # g itself is not compared
    upper = below == (problem.cst[g] > 0)  # the bound is an upper one on the raw value
    inf = np.full(len(boxes.values), np.inf)
    return ValueBounds.none(len(problem.n_bins)).add(
        lo, hi, miss, -inf if upper else boxes.values, boxes.values if upper else inf)


def _couple(problem, rows, key, left, right, node_l, cost_l, node_r, cost_r, incumbent, threads):
    """Best pair of depth-2 subtrees, monotone together, under a root split on constrained g.

    Best-first branch and bound on value bounds. A search node holds bounds for each side and
    each side's exact optimum under them; their summed cost bounds every pair the node admits
    from below. When the two optima clash at a pair of leaves meeting at point x (off g), with
    sigma-scaled values a > b, every monotone pair has either all low leaves at x <= t or all
    high leaves at x >= t, for t = (a + b) / 2 (otherwise some low value at x exceeds some high
    value at x); the two children add one of these bounds, and each excludes the tree that
    clashed. Nodes are expanded in order of (lower bound, branch path), so the first pair
    found monotone is the best for this root whatever the other workers do, and the search
    stops once no node can beat the incumbent. Pairs built from one side's optimum and the
    other side solved under its bounds seed the incumbent. If rounding keeps a bound from
    excluding a tree (values equal up to the last bit), the node is left unresolved and the
    tree is not claimed optimal.
    """
    g = key[0]
    sigma = problem.cst[g]
    none = ValueBounds.none(len(problem.n_bins))
    shape_l, shape_r = _shape(node_l), _shape(node_r)
    low, high = left.boxes(problem, node_l), right.boxes(problem, node_r)

    def offer(shape_a, shape_b, cost):
        incumbent.offer(cost, key, lambda: SearchNode(rows, g, key[1], bool(key[2]), left.grow(problem, shape_a),
                                                      right.grow(problem, shape_b)))

    # Seeds: each side's optimum with the best other side monotone with it.
    for fixed, other, shape, cost, below in ((low, right, shape_l, cost_l, False), (high, left, shape_r, cost_r, True)):
        bounds = _field_bounds(problem, g, fixed, below)
        partner, partner_cost, boxes = other.solve_compact(problem, threads, bounds)
        if partner is not None and bounds.respected_by(boxes):
            offer(*((shape, partner) if other is right else (partner, shape)), cost + partner_cost)

    heap = [(cost_l + cost_r, (), none, none, shape_l, cost_l, shape_r, cost_r, low, high)]
    step_start = None
    while heap:
        stop, step_start = problem.out_of_time(step_start)
        if stop:
            return
        bound, path, bounds_l, bounds_r, shape_l, cost_l, shape_r, cost_r, low, high = heapq.heappop(heap)
        if not incumbent.could_lose_to(bound, key):
            return
        clash = _worst_clash(problem, g, low, high)
        if clash is None:
            offer(shape_l, shape_r, bound)
            return
        a, b = clash
        point_lo, point_hi, point_miss = _meeting_point(problem, g, low, a, high, b)
        t = (low.values[a] + high.values[b]) / 2
        for branch, side in enumerate((left, right)):
            # branch 0: low leaves at the point <= t (sigma-scaled); branch 1: high ones >= t
            upper = (branch == 0) == (sigma > 0)
            bounds = (bounds_l, bounds_r)[branch].add(point_lo, point_hi, point_miss,
                                                      [-np.inf if upper else t], [t if upper else np.inf])
            shape, cost, boxes = side.solve_compact(problem, threads, bounds)
            if shape is None:
                continue
            if not bounds.respected_by(boxes):
                with incumbent.lock:  # rounding: the bound did not exclude the clashing tree
                    incumbent.unresolved.append(bound)
                continue
            if branch == 0:
                child = (cost + cost_r, path + (0,), bounds, bounds_r, shape, cost, shape_r, cost_r, boxes, high)
            else:
                child = (cost_l + cost, path + (1,), bounds_l, bounds, shape_l, cost_l, shape, cost, low, boxes)
            if incumbent.could_lose_to(child[0], key):
                heapq.heappush(heap, child)


def _meeting_point(problem, g, low, a, high, b):
    """One point where low leaf a and high leaf b meet (off g) as a box of shape (1, p): the
    lowest shared value bin of each feature, or its missing code when they share only that;
    any value of g."""
    lo = np.maximum(low.lo[a], high.lo[b])
    hi = np.minimum(low.hi[a], high.hi[b])
    value = lo <= hi
    point_lo = np.where(value, lo, 1)
    point_hi = np.where(value, lo, 0)  # an empty interval: only the missing code
    point_miss = ~value
    point_lo[g], point_hi[g], point_miss[g] = 0, np.iinfo(np.intp).max, True
    return point_lo[None], point_hi[None], point_miss[None].astype(np.uint8)


def refine(problem, node, lo, hi, remaining, stage="deepening", whole=None):
    """Anytime deepening: replace depth-3 leaves by exact subtrees of the remaining depth.
    ``stage`` names this pass in progress lines; ``whole`` is the tree ``node`` is part of (the
    progress lines show its objective)."""
    root = node
    whole = node if whole is None else whole
    frontier = [(leaf, region) for leaf, region in _leaves_with_regions(node, lo, hi) if _depth_of(node, leaf) == 3]
    step_start = None
    for i, (leaf, (llo, lhi)) in enumerate(frontier):
        stop, step_start = problem.out_of_time(step_start)
        if stop:
            break
        leaf_stage = f"{stage} leaf {i + 1} of {len(frontier)}"
        problem.progress(lambda: f"{leaf_stage}: objective so far {tree_cost(problem, whole) / problem.scale:.6g}")
        d = min(remaining, 3)
        if d <= 2:
            sub, cost, _ = solve_small(problem, leaf.rows, llo, lhi, d)
        else:
            sub, cost, _ = solve_depth3(problem, leaf.rows, llo, lhi, leaf_stage)
        if sub.feature < 0 or cost >= problem.leaf_cost(leaf.rows):
            continue
        saved = (leaf.feature, leaf.u, leaf.missing_left, leaf.left, leaf.right)
        leaf.feature, leaf.u, leaf.missing_left, leaf.left, leaf.right = (
            sub.feature, sub.u, sub.missing_left, sub.left, sub.right)
        if problem.cst.any() and not is_monotone(problem, root, lo, hi):
            leaf.feature, leaf.u, leaf.missing_left, leaf.left, leaf.right = saved
            continue
        if remaining > 3:
            refine(problem, leaf, llo, lhi, remaining - 3, f"{leaf_stage}, deepening", whole)
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
    lo_l, hi_l, lo_r, hi_r = _child_regions(lo, hi, node.feature, node.u)
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


@dataclass(eq=False)
class LeafBoxes:
    """A tree's leaves as boxes: per leaf and feature its value bins ``lo..hi`` and whether it
    holds the missing values (the node's region is taken to hold every feature's missing
    values, as the depth-2 solver takes it), and the leaf's constrained value."""

    lo: np.ndarray      # intp (n_leaves, p)
    hi: np.ndarray
    miss: np.ndarray    # bool (n_leaves, p)
    values: np.ndarray  # float64 (n_leaves,)

    @classmethod
    def of(cls, problem, node, lo, hi):
        regions = _leaves_with_regions(node, lo, hi)
        return cls(np.array([r[0] for _, r in regions]), np.array([r[1] for _, r in regions]),
                   np.array([m for _, m in _missing_flags(node, len(lo))]),
                   np.array([problem.leaf_value(leaf.rows) for leaf, _ in regions]))

    def meets(self, other):
        """``[a, b, j]``: leaf a of self and leaf b of other meet on feature j."""
        overlap = (self.lo[:, None, :] <= other.hi[None, :, :]) & (other.lo[None, :, :] <= self.hi[:, None, :])
        return overlap | (self.miss[:, None, :] & other.miss[None, :, :])


def is_monotone(problem, node, lo, hi):
    """Whether the leaf values respect every constraint between every comparable leaf pair.

    Leaves A and B are comparable on a constrained feature c when their regions overlap on
    every other feature (value bins intersect, or both hold that feature's missing values)
    and some value of c in A lies below some value of c in B.
    """
    boxes = LeafBoxes.of(problem, node, lo, hi)
    overlap = boxes.meets(boxes)
    values, los, his = boxes.values, boxes.lo, boxes.hi
    for c in np.flatnonzero(problem.cst):
        others = np.delete(overlap, c, axis=2).all(axis=2)
        below = los[:, None, c] < his[None, :, c]  # some c in a below some c in b
        comparable = others & below
        diff = problem.cst[c] * (values[None, :] - values[:, None])
        if np.any(comparable & (diff < 0)):
            return False
    return True
