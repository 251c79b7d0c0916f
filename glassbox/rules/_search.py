"""Search for the rule list minimising ``loss + c * n_rules``: a beam search for a good list
first, then best-first branch-and-bound over rule prefixes with the CORELS bounds, run by the
``BranchAndBound`` kernel in ``glassbox/_ext/_rulelist.pyx`` (this module decides; the kernel
computes).

A prefix ``d = (r1, ..., rk)`` is a list whose default rule predicts for the rows no ``ri``
captured. Its objective is ``(loss of its rules + loss of the default) / W + c * k``, W the total
weight. Bounds that let whole subtrees go unexplored (Angelino et al., 2018, "Learning certifiably
optimal rule lists for categorical data"), each a flag of the kernel (``BOUND_*``) that tests
switch off one at a time:

* hierarchical lower bound (``BOUND_HIERARCHICAL``): the rows ``d`` captured keep their loss in
  every extension, so no extension costs less than ``b(d)``; with the one-step lookahead
  (``BOUND_LOOKAHEAD``) an extension pays ``c`` more, so ``b(d) + c``;
* equivalent points (``BOUND_EQUIVALENT``): rows that every antecedent treats alike can never be
  separated, so the uncaptured rows owe at least their within-class loss (minority weight times
  the criterion's ``EQUIVALENT_FACTOR`` of ``glassbox._regions``, or squared deviation from
  their class mean) -- added to ``b(d)``;
* support (``BOUND_SUPPORT``): a rule capturing every row left is never useful (the prefix alone
  does as well for c less); under misclassification a rule capturing less than ``c * W`` can be
  removed for a better list (minimum support), and so can one classifying less than ``c * W``
  correctly (``BOUND_ACCURATE``): at most those rows become wrong when its rows fall through.
  The rows left only shrink down the tree, so such a rule is dropped for the whole subtree. The
  log loss and Brier score have no such bound (a row falling through may cost more than its
  weight), so under them these two bounds are off and ``min_support`` only limits the candidates;
* duplicate rules (``BOUND_DEDUP``): two rules capturing the same rows under a prefix capture the
  same rows under every extension of it: only the first (fewest conditions) is kept below.
  They are looked for between nested rules (``Antecedents.nested``), where equal captured
  weight means equal rows;
* capture map (``BOUND_CAPTURE``), which generalises CORELS's prefix permutation map: prefixes
  leaving the same rows have the same extensions, so of those with no more rules only the one
  whose rules cost least is extended (a permutation of a prefix leaves the same rows).

Budgets (``max_nodes`` expansions, ``time_limit`` seconds) are checked between chunks of
expansions; the result says whether the queue was exhausted (``optimal``) and the best lower
bound proven. All state lives in one kernel object per call, which releases the GIL while it
searches: two fits may search in two threads at once. Between those calls the search reports its
state to a ``Progress`` (the estimators' ``verbose``), which only reads it.
"""

import time
from dataclasses import dataclass

import numpy as np

from glassbox._ext._bitset import masked_popcounts, masked_sums
from glassbox._ext._rulelist import BOUND_ALL, ROW_GROUPS_MAX, BranchAndBound
from glassbox._ext._typedefs import BITSET_WORD_DTYPE
from glassbox._progress import Progress
from glassbox._regions import EQUIVALENT_FACTOR, MISCLASSIFICATION, region_loss, row_statistics
from glassbox.rules._antecedents import bits_to_rows, kernel_threads, rows_to_bits
from glassbox.rules._polish import polish
from glassbox.rules._tables import plan_tables

# Objective values closer than this are ties: sums of the same weights in a different order
# must not flip a decision, and no user can tell such lists apart.
_EPS = 1e-12

# The queue stops growing past this many bytes (1 GiB): the search then ends without a
# certificate instead of exhausting the machine's memory.
_MAX_QUEUED = 1 << 30
# Row groups per statistic, on average, up to which weighted classification counts rows by
# (class, weight) instead of visiting them (see _weight_groups).
_GROUPS_PER_STAT = 4


@dataclass(frozen=True)
class SearchResult:
    """What the search found and proved.

    Attributes
    ----------
    prefix : tuple of int
        Antecedent indices of the best list's rules, in order.
    objective : float
        Its objective.
    lower_bound : float
        No list allowed by the search space has a smaller objective.
    optimal : bool
        The search space was exhausted: ``objective`` is the optimum.
    n_nodes : int
        Prefixes expanded, by the beam search and the branch-and-bound.
    """

    prefix: tuple
    objective: float
    lower_bound: float
    optimal: bool
    n_nodes: int


class Problem:
    """Per-row statistics of one fit, summed over bitsets by the kernels.

    The layout is ``glassbox._regions``' (shared with trees): classification sums one weight
    column per class, regression ``w``, ``w*y``, ``w*y**2`` (y standardised, so the loss is
    already divided by the variance); the rule list adds one column, the equivalent-points loss
    (the minority weight times the criterion's factor, or the squared deviation from the class
    mean). ``criterion`` indexes ``glassbox._regions.CRITERIA`` (classification). When the weights take
    few values per class (``WeightGroups``), classification counts set bits of per-class,
    per-weight bitsets instead of visiting rows. Otherwise, given the antecedents' ``conditions``
    and the binned ``codes``, candidates of one or two conditions are scored from tables of the
    rows left (``plan``, see ``_tables.py``); without them every candidate sums its rows.
    """

    def __init__(self, bits, n_single, y, sample_weight, *, classification, n_classes, nested=None,
                 n_threads=1, criterion=MISCLASSIFICATION, deadline=np.inf, conditions=None, codes=None):
        self.bits = bits
        self.criterion = criterion if classification else MISCLASSIFICATION
        # The smoothing's pseudo-row weighs as much as the mean row (the rules' probabilities too).
        self.pseudo = float(sample_weight.mean()) if len(sample_weight) else 1.0
        self.n_threads = n_threads
        # Earlier antecedents nested with each (see Antecedents.nested); none when not given.
        self.nested = np.full((len(bits), 2), -1, dtype=np.intp) if nested is None else np.ascontiguousarray(nested)
        self.n_samples = len(y)
        self.classification = classification
        self.total = float(sample_weight.sum())
        self.all_rows = rows_to_bits(np.ones(self.n_samples, dtype=bool))
        eq_class = _equivalence_classes(bits[:n_single], self.n_samples, deadline)
        if classification:
            class_weight = np.zeros((eq_class.max() + 1, n_classes))
            np.add.at(class_weight, (eq_class, y), sample_weight)
            minority = class_weight.argmax(axis=1)[eq_class] != y
            factor = EQUIVALENT_FACTOR[self.criterion]
            values = row_statistics(y, sample_weight, n_classes, extra=[sample_weight * minority * factor])
            self.n_classes = n_classes
            self.groups = _weight_groups(y, sample_weight, minority, n_classes, factor)
        else:
            eq_weight = np.bincount(eq_class, weights=sample_weight)
            eq_mean = np.bincount(eq_class, weights=sample_weight * y) / np.where(eq_weight > 0, eq_weight, 1)
            values = row_statistics(y, sample_weight, 0, extra=[sample_weight * (y - eq_mean[eq_class]) ** 2])
            self.n_classes = 0
            self.groups = None
        self.values = np.ascontiguousarray(values)
        # Per-row values are summed: candidates of one or two conditions come from contingency
        # tables of the rows left when the antecedents' conditions and the binned rows are given.
        # Weight groups beyond one per statistic (many distinct weights) may cost more than tables.
        self.plan = None
        if conditions is not None and codes is not None and (self.groups is None
                                                               or len(self.groups.bits) > self.n_classes + 1):
            plan = plan_tables(conditions, bits, codes, self.values.shape[1])
            tabled = _expansion_work(self, plan=plan, groups=None)
            if self.groups is None or tabled < _expansion_work(self):
                self.plan, self.groups = plan, None
        self._tables = None if self.plan is None else self.plan.tables(self.values)

    def floor(self):
        """A lower bound on every list's objective, whatever its rules: the loss of the rows no
        antecedent tells apart (the equivalent points), divided by the total weight."""
        return float(self.mask_stats(self.all_rows)[-1]) / self.total

    def root_objective(self):
        """Objective of the empty list (the default rule alone)."""
        return float(self.loss(self.mask_stats(self.all_rows))) / self.total

    def sums(self, mask):
        """(n_antecedents, n_stats): statistics of each antecedent's rows within ``mask``."""
        if self._tables is not None:
            out = np.empty((len(self.bits), self.values.shape[1]))
            self._tables.fill(self.bits, mask, out, kernel_threads(self.bits.size, self.n_threads))
            return out
        return self._masked(self.bits, mask, self.n_threads)

    def mask_stats(self, mask):
        """(n_stats,): statistics of the rows in ``mask``."""
        return self._masked(mask[None, :], mask, 1)[0]

    def _masked(self, bits, mask, n_threads):
        out = np.empty((len(bits), self.values.shape[1]))
        index = np.arange(len(bits), dtype=np.intp)
        n_threads = kernel_threads(bits.size, n_threads)
        if self.groups is not None:
            counts = np.empty((len(bits), len(self.groups.bits)))
            masked_popcounts(bits, index, mask, self.groups.bits, counts, n_threads)
            out[:] = 0.0
            for g, (column, weight) in enumerate(zip(self.groups.column, self.groups.weight)):
                out[:, column] += counts[:, g] * weight  # as the kernel adds them, in group order
        else:
            masked_sums(bits, index, mask, self.values, out, n_threads)
        return out

    def loss(self, stats):
        """Unnormalised loss of the regions' predictions for statistics (..., n_stats), by the
        criterion (``glassbox._regions.region_loss``)."""
        return region_loss(stats, self.n_classes, self.criterion, self.pseudo)

    def engine(self, *, c, max_rules, bounds, best):
        """A fresh search state over this problem (one per fit: fits may run in parallel)."""
        groups = self.groups
        if groups is None:  # the kernel sums per-row values instead
            groups = WeightGroups(np.zeros((0, self.bits.shape[1]), dtype=BITSET_WORD_DTYPE),
                                  np.zeros(0, dtype=np.intp), np.zeros(0))
        values = self.values if self.groups is None else np.zeros((0, 1))
        max_rules = int(min(max_rules, np.iinfo(np.int32).max))
        tables = None if self.plan is None else self.plan.tables(self.values)
        return BranchAndBound(self.bits, self.nested, groups.bits, groups.column, groups.weight, values, tables,
                              self.classification,
                              self.n_classes, self.criterion, self.pseudo, self.n_samples, self.total,
                              float(c), max_rules, int(bounds), _EPS, float(best), _MAX_QUEUED)


@dataclass
class WeightGroups:
    """Rows counted together: group g holds the rows of one class (or of the equivalent-points
    minority) that weigh ``weight[g]``, and its count times that weight adds to statistic
    ``column[g]``."""

    bits: np.ndarray    # (n_groups, n_words)
    column: np.ndarray  # (n_groups,) intp
    weight: np.ndarray  # (n_groups,) float


def _weight_groups(y, sample_weight, minority, n_classes, factor=1.0):
    """The classification statistics as counts of rows of few distinct weights, or None when the
    weights take more than ``_GROUPS_PER_STAT`` values on average per statistic (then per-row
    values are summed, from tables where ``Problem`` has them). The minority's groups add their
    weight times ``factor`` (the equivalent-points column's). Each group is one more popcount pass
    per candidate; the bound of 4 is a choice, not a measured crossover, and ``Problem`` takes
    tables instead of groups when they cost less (``_expansion_work``).
    Equal weights give one group per statistic; a ``class_weight`` ("balanced") without sample
    weights gives at most two per class."""
    members = [y == k for k in range(n_classes)] + [minority]
    bits, column, weight = [], [], []
    for stat, rows in enumerate(members):
        for value in np.unique(sample_weight[rows]):
            if len(bits) >= _GROUPS_PER_STAT * len(members) or len(bits) >= ROW_GROUPS_MAX:
                return None
            bits.append(rows_to_bits(rows & (sample_weight == value)))
            column.append(stat)
            weight.append(float(value) * (factor if stat == n_classes else 1.0))
    if not bits:  # no rows at all: one empty group per statistic
        return None
    return WeightGroups(np.ascontiguousarray(bits, dtype=BITSET_WORD_DTYPE), np.asarray(column, dtype=np.intp),
                        np.asarray(weight, dtype=np.float64))


# Antecedents whose bits refine the equivalence classes in one step (the class id, below 2^31,
# shifted left by this many bits stays within an int64).
_REFINE_BLOCK = 32


def _equivalence_classes(bits, n_samples, deadline=np.inf):
    """Class id per row: rows with the same value on every antecedent share a class.

    The classes are refined ``_REFINE_BLOCK`` antecedents at a time, and the refinement stops as
    soon as every row is alone (on continuous data, after a few features). Past ``deadline`` every
    row is its own class: a finer partition than the true one, so the equivalent-points bound it
    gives is weaker but still valid (a coarser one would not be)."""
    if len(bits) == 0:
        return np.zeros(n_samples, dtype=np.intp)
    ids, n_classes = np.zeros(n_samples, dtype=np.int64), 1
    for start in range(0, len(bits), _REFINE_BLOCK):
        if n_classes == n_samples:
            break
        if time.perf_counter() > deadline:
            return np.arange(n_samples, dtype=np.intp)
        block = bits_to_rows(bits[start:start + _REFINE_BLOCK], n_samples).astype(np.int64)
        code = (block << np.arange(len(block), dtype=np.int64)[:, None]).sum(axis=0)
        _, ids = np.unique((ids << _REFINE_BLOCK) | code, return_inverse=True)
        ids = ids.reshape(-1).astype(np.int64)
        n_classes = int(ids.max()) + 1
    return ids.astype(np.intp)


# The default search budget, in units of "one candidate rule scored on 64 rows" (1-3 ns each on a
# current core, with AVX2 or without): expanding a prefix scores every candidate rule over every
# row, plus a fixed cost per candidate (its bounds, its duplicate check) worth about 32 such words.
# With unequal weights or a numeric target the rows are visited one by one instead of 64 at a time
# (about a quarter of a unit per row), or read from tables (see _expansion_work). This keeps a
# default fit's search near one second of one core whatever the data's shape, yet reproducible
# (it depends on the data's shape only, not on the machine's speed).
_DEFAULT_WORK = 5e8
_WORDS_PER_CANDIDATE = 32
# What one unit scores on 64 rows, as calibrated: counts of a binary problem's three groups (each
# class and the equivalent points' minority), or sums of up to four statistics per row. A problem
# with more classes has more of either, and each unit of its work costs proportionally more (26
# classes: about 27 ns against 1 to 3 when counted as one).
_UNIT_GROUPS = 3
_UNIT_STATS = 4
_DEFAULT_NODES = (50, 200_000)  # room for the beam (~8 per rule); at most ~150 MB of queue


def _expansion_work(problem, **override):
    """Work units of one expansion (scoring every candidate under one prefix) on ``problem``, or
    on it with its ``plan`` or ``groups`` replaced by ``override``'s.

    Tables (``_tables.py``) cost a quarter unit per row, table and statistic to fill and half a
    unit per cell and statistic a candidate reads. ``python -m benchmarks.bench_rule_expansions``
    times them: 0.4 to 25 ms per expansion on one thread (compas_two_year_clean to satimage with
    random weights), which puts the default budget's search at 1.3 to 2.6 s where tables are used
    and 0.5 to 0.8 s where rows are counted (expansions allowed times the time of one, 2026-12-06):
    a unit of tables costs about twice a unit of counts, so the choice between them leans toward
    tables."""
    groups, plan = override.get("groups", problem.groups), override.get("plan", problem.plan)
    n_candidates, n_words = problem.bits.shape
    n_stats = problem.values.shape[1]
    if groups is not None:  # a popcount pass per group: a unit is a binary problem's three groups
        return n_candidates * (n_words * max(1.0, len(groups.bits) / _UNIT_GROUPS) + _WORDS_PER_CANDIDATE)
    # Summing the rows visits each row's statistics: a unit is up to four of them (binary or
    # regression), more classes cost more.
    per_row = problem.n_samples / 4 * max(1.0, n_stats / _UNIT_STATS)
    if plan is None:
        return n_candidates * (per_row + _WORDS_PER_CANDIDATE)
    return (problem.n_samples * len(plan.table_spec) * n_stats / 4 + len(plan.cells) * n_stats / 2
            + (n_candidates - plan.n_tabled) * per_row + n_candidates * _WORDS_PER_CANDIDATE)


def default_max_nodes(problem):
    """Prefix expansions the default budget allows on this problem."""
    return int(np.clip(_DEFAULT_WORK // max(_expansion_work(problem), 1), *_DEFAULT_NODES))


def default_budget_excess(problem):
    """The work of the default budget's fewest expansions on ``problem`` over the budget: above 1,
    the candidates are more than a default search can score that many times."""
    return _expansion_work(problem) * _DEFAULT_NODES[0] / _DEFAULT_WORK


def max_default_candidates():
    """The most candidate rules the default budget can score its fewest times: each costs at
    least its fixed work."""
    return int(_DEFAULT_WORK // (_DEFAULT_NODES[0] * _WORDS_PER_CANDIDATE))


def search(problem, *, c, max_rules, max_nodes, time_limit, beam_width, bounds=BOUND_ALL, progress=None):
    """Best list within ``max_rules`` rules; see the module docstring. ``bounds`` (flags of
    ``glassbox._ext._rulelist``) exists for the tests that switch bounds off; ``progress`` (a
    :class:`~glassbox._progress.Progress`) hears how the search goes."""
    progress = progress or Progress.silent()
    deadline = np.inf if time_limit is None else time.perf_counter() + time_limit
    root = problem.root_objective()
    if max_rules == 0 or problem.bits.shape[0] == 0:
        progress(f"nothing to search: the default rule alone, objective {root:.6g}", force=True)
        return SearchResult((), root, root, True, 0)
    engine = problem.engine(c=c, max_rules=max_rules, bounds=bounds, best=root)
    _beam(engine, c, max_rules, beam_width, deadline, max_nodes, progress)
    _polish_incumbent(problem, engine, c, max_rules, max_nodes, deadline, progress)
    # Python keeps the clock: the kernel expands a chunk of prefixes at a time, sized to take
    # about 50 ms, so a time limit is honoured closely without a system call per prefix.
    chunk = 16
    while engine.n_nodes < max_nodes and time.perf_counter() <= deadline:
        start = time.perf_counter()
        if engine.run(min(chunk, max_nodes - engine.n_nodes)) == 0:
            break
        elapsed = time.perf_counter() - start
        chunk = int(min(max(chunk * min(0.05 / max(elapsed, 1e-6), 4.0), 1), 1 << 20))
        progress(lambda: f"branch and bound: {_state(engine, max_nodes)}")
    if not engine.optimal:
        _polish_incumbent(problem, engine, c, max_rules, max_nodes, deadline, progress)
    progress(lambda: f"search {_stop_reason(engine, max_nodes, deadline)}: {_state(engine, max_nodes)}", force=True)
    return SearchResult(engine.best_rules, engine.best_objective, engine.lower_bound, engine.optimal,
                        engine.n_nodes)


def _state(engine, max_nodes):
    """The search's state in a progress line: work against the budget, incumbent, bound."""
    best, bound = engine.best_objective, engine.lower_bound
    return (f"{engine.n_nodes:,} of max_nodes={max_nodes:,} prefixes expanded; best objective {best:.6g} "
            f"({len(engine.best_rules)} rules), lower bound {bound:.6g}, gap {max(best - bound, 0.0):.3g}")


def _stop_reason(engine, max_nodes, deadline):
    if engine.optimal:
        return "done, proven optimal"
    if engine.out_of_memory:
        return "stopped: the queue reached its memory cap"
    if engine.n_nodes >= max_nodes:
        return "stopped by max_nodes"
    if time.perf_counter() > deadline:
        return "stopped by time_limit"
    return "stopped"


def _polish_incumbent(problem, engine, c, max_rules, max_nodes, deadline, progress):
    """Improve the incumbent by local moves (``_polish.py``), with as much work again as half the
    search's budget each time; the kernel scores the result again and keeps it only if it is
    better by its own arithmetic."""
    rules, objective = polish(problem, engine.best_rules, c=c, max_rules=max_rules,
                              max_sums=max(max_nodes // 2, 1), deadline=deadline, progress=progress)
    if rules and objective < engine.best_objective - _EPS:
        engine.score_prefix(np.asarray(rules[:-1], dtype=np.intp))


def _beam(engine, c, max_rules, beam_width, deadline, max_nodes, progress):
    """Grow lists one rule at a time, keeping the ``beam_width`` best at each length: a good
    incumbent early lets the branch-and-bound prune from its first expansion. Its expansions
    count against the same budget."""
    level = [()]
    depth = 0
    while level and depth < max_rules:
        depth += 1
        candidates = []
        for prefix in level:
            if time.perf_counter() > deadline or engine.n_nodes >= max_nodes:
                return
            _, objective, lower_bound, _, status = engine.score_prefix(np.asarray(prefix, dtype=np.intp))
            progress(lambda: f"beam search, lists of {depth} rules: {_state(engine, max_nodes)}")
            ok = np.flatnonzero((status == 2) & (lower_bound + c < engine.best_objective - _EPS))
            if len(ok) > beam_width:  # only the best few are sorted (millions of candidates on wide data)
                ok = ok[objective[ok] <= np.partition(objective[ok], beam_width - 1)[beam_width - 1]]
            top = ok[np.argsort(objective[ok], kind="stable")[:beam_width]]
            candidates.extend((float(objective[a]), prefix + (int(a),)) for a in top)
        candidates.sort(key=lambda item: item[0])
        level, keys = [], set()
        for _, prefix in candidates:
            if frozenset(prefix) not in keys and len(level) < beam_width:
                keys.add(frozenset(prefix))
                level.append(prefix)
