"""Search for the rule list minimising ``loss + c * n_rules``: a beam search for a good list
first, then best-first branch-and-bound over rule prefixes with the CORELS bounds.

A prefix ``d = (r1, ..., rk)`` is a list whose default rule predicts for the rows no ``ri``
captured. Its objective is ``(loss of its rules + loss of the default) / W + c * k``, W the total
weight. Bounds that let whole subtrees go unexplored (Angelino et al., 2018, "Learning certifiably
optimal rule lists for categorical data"):

* hierarchical lower bound: the rows ``d`` captured keep their loss in every extension, and each
  extension pays ``c`` more, so an extension of ``d`` costs at least ``b(d) + c`` (lookahead);
* equivalent points: rows that every antecedent treats alike can never be separated, so the
  uncaptured rows owe at least their within-class loss (minority weight, or squared deviation
  from their class mean) -- added to ``b(d)``;
* accurate support (classification): a rule whose correctly classified weight is below ``c * W``
  can be removed for a better list, so no optimal list contains it;
* prefix permutations: prefixes with the same set of rules leave the same rows uncaptured, so only
  the one with the smallest lower bound is kept.

Budgets (``max_nodes`` expansions, ``time_limit`` seconds) are checked before each expansion;
the result says whether the queue was exhausted (``optimal``) and the best lower bound proven.
All state lives in this call: two fits may search in two threads at once.
"""

import heapq
import time
from dataclasses import dataclass

import numpy as np

from glassbox._ext._bitset import masked_popcounts, masked_sums
from glassbox._ext._rulelist import score_children
from glassbox._ext._typedefs import BITSET_WORD_DTYPE
from glassbox.rules._antecedents import bits_to_rows, n_words, rows_to_bits

# Objective values closer than this are ties: sums of the same weights in a different order
# must not flip a decision, and no user can tell such lists apart.
_EPS = 1e-12


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

    Classification sums one weight column per class and one for the equivalent-points minority;
    regression sums ``w``, ``w*y``, ``w*y**2`` (y standardised, so the loss is already divided by
    the variance) and the equivalent-points squared deviation. With equal weights, classification
    counts set bits of per-class bitsets instead of visiting rows.
    """

    def __init__(self, bits, n_single, y, sample_weight, *, classification, n_classes):
        self.bits = bits
        self.n_samples = len(y)
        self.classification = classification
        self.total = float(sample_weight.sum())
        self.all_rows = rows_to_bits(np.ones(self.n_samples, dtype=bool))
        eq_class = _equivalence_classes(bits[:n_single], self.n_samples)
        if classification:
            values = np.zeros((self.n_samples, n_classes + 1))
            values[np.arange(self.n_samples), y] = sample_weight
            class_weight = np.zeros((eq_class.max() + 1, n_classes))
            np.add.at(class_weight, (eq_class, y), sample_weight)
            minority = class_weight.argmax(axis=1)[eq_class] != y
            values[:, n_classes] = sample_weight * minority
            self.n_classes = n_classes
            self.unit = float(sample_weight[0]) if np.all(sample_weight == sample_weight[0]) else None
            if self.unit is not None:
                groups = [rows_to_bits(y == k) for k in range(n_classes)] + [rows_to_bits(minority)]
                self.groups = np.ascontiguousarray(groups, dtype=BITSET_WORD_DTYPE)
        else:
            eq_weight = np.bincount(eq_class, weights=sample_weight)
            eq_mean = np.bincount(eq_class, weights=sample_weight * y) / np.where(eq_weight > 0, eq_weight, 1)
            values = np.column_stack([sample_weight, sample_weight * y, sample_weight * y**2,
                                      sample_weight * (y - eq_mean[eq_class]) ** 2])
            self.unit = None
        self.values = np.ascontiguousarray(values)

    def sums(self, bits, mask, index=None):
        """Statistics of ``bits[a] & mask`` for every a in ``index`` (default: every row of
        ``bits``): (len(index), n_values)."""
        if index is None:
            index = np.arange(bits.shape[0], dtype=np.intp)
        out = np.empty((len(index), self.values.shape[1]))
        # One thread: a call lasts about a millisecond and the search makes thousands, so an
        # OpenMP fork-join per call costs more than it saves, and far more on a busy machine.
        if self.unit is not None:
            masked_popcounts(bits, index, mask, self.groups, out, 1)
            out *= self.unit
        else:
            masked_sums(bits, index, mask, self.values, out, 1)
        return out

    def loss(self, sums):
        """Unnormalised loss of the best constant prediction for rows with these statistics."""
        if self.classification:
            counts = sums[..., : self.n_classes]
            return counts.sum(axis=-1) - counts.max(axis=-1)
        s0, s1, s2 = sums[..., 0], sums[..., 1], sums[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            sse = np.where(s0 > 0, s2 - s1 * s1 / np.where(s0 > 0, s0, 1.0), 0.0)
        return np.maximum(sse, 0.0)

    def remaining(self, prefix):
        """Bitset of the rows no rule of ``prefix`` captures."""
        mask = self.all_rows.copy()
        for a in prefix:
            mask &= ~self.bits[a]
        return mask


def _equivalence_classes(bits, n_samples):
    """Class id per row: rows with the same value on every antecedent share a class."""
    if len(bits) == 0:
        return np.zeros(n_samples, dtype=np.intp)
    rows = np.packbits(bits_to_rows(bits, n_samples).T, axis=1)
    _, inverse = np.unique(rows, axis=0, return_inverse=True)
    return inverse.reshape(-1)


class _Children:
    """Every one-rule extension of a prefix by an ``active`` antecedent, scored at once by the
    ``score_children`` kernel (arrays are aligned with ``active``).

    ``next_active`` are the antecedents worth offering to this prefix's children: the rows left
    only shrink down the tree, so an antecedent that captures nothing here, or (classification)
    classifies less than ``c`` correctly here, does no better anywhere below.
    """

    def __init__(self, problem, prefix, prefix_loss, c, active):
        remaining = problem.remaining(prefix)
        node = problem.sums(remaining[None, :], problem.all_rows)[0]
        captured = problem.sums(problem.bits, remaining, active)
        n = captured.shape[0]
        self.active = active
        self.objective = np.empty(n)
        self.lower_bound = np.empty(n)
        self.captured_loss = np.empty(n)
        status = np.empty(n, dtype=np.uint8)
        score_children(captured, node, np.empty_like(captured), self.objective, self.lower_bound,
                       self.captured_loss, status, problem.classification,
                       problem.n_classes if problem.classification else 0, float(prefix_loss),
                       problem.total, float(c), len(prefix) + 1, _EPS, 1)
        self.valid = status > 0
        self.extendable = status == 2
        self.next_active = active[self.extendable]


def search(problem, *, c, max_rules, max_nodes, time_limit, beam_width):
    """Best list within ``max_rules`` rules; see the module docstring."""
    deadline = np.inf if time_limit is None else time.perf_counter() + time_limit
    root_loss = problem.loss(problem.sums(problem.all_rows[None, :], problem.all_rows))[0]
    best = [root_loss / problem.total, ()]
    if max_rules == 0 or problem.bits.shape[0] == 0:
        return SearchResult((), best[0], best[0], True, 0)
    everything = np.arange(problem.bits.shape[0], dtype=np.intp)
    n_nodes = _beam(problem, c, max_rules, beam_width, best, deadline, max_nodes, everything)
    # The queue holds, per expanded prefix, a cursor over its children sorted by lower bound:
    # a child becomes a Python object only when it is the most promising prefix left.
    heap = []
    seen = {}
    counter = 0
    node = ((), 0.0, everything)
    while True:
        if node is not None:
            n_nodes += 1
            prefix, prefix_loss, active = node
            children = _Children(problem, prefix, prefix_loss, c, active)
            _update_best(best, children, prefix)
            if len(prefix) + 1 < max_rules:
                promising = np.flatnonzero(children.extendable & (children.lower_bound + c < best[0] - _EPS))
                if len(promising):
                    order = promising[np.argsort(children.lower_bound[promising], kind="stable")]
                    cursor = (prefix, prefix_loss, active[order], children.lower_bound[order],
                              children.captured_loss[order], children.next_active)
                    heapq.heappush(heap, (float(cursor[3][0]), counter, cursor, 0))
                    counter += 1
        if not heap or heap[0][0] + c >= best[0] - _EPS:
            heap = []  # best-first: every queued prefix is bounded out as well
            break
        if n_nodes >= max_nodes or time.perf_counter() > deadline:
            break
        lower_bound, _, cursor, i = heapq.heappop(heap)
        prefix, prefix_loss, antecedents, bounds, losses, next_active = cursor
        if i + 1 < len(antecedents):
            heapq.heappush(heap, (float(bounds[i + 1]), counter, cursor, i + 1))
            counter += 1
        child = prefix + (int(antecedents[i]),)
        key = frozenset(child)
        if seen.get(key, np.inf) <= lower_bound:
            node = None  # a permutation of this prefix with no larger bound came first
            continue
        seen[key] = lower_bound
        node = (child, prefix_loss + float(losses[i]), next_active)
    optimal = not heap
    lower_bound = best[0] if optimal else min(best[0], heap[0][0] + c)
    return SearchResult(best[1], best[0], lower_bound, optimal, n_nodes)


def _update_best(best, children, prefix):
    if not len(children.active):
        return
    objective = np.where(children.valid, children.objective, np.inf)
    a = int(np.argmin(objective))
    if objective[a] < best[0] - _EPS:
        best[0], best[1] = float(objective[a]), prefix + (int(children.active[a]),)


def _beam(problem, c, max_rules, beam_width, best, deadline, max_nodes, everything):
    """Grow lists one rule at a time, keeping the ``beam_width`` best at each length; return the
    number of prefixes expanded (they count against the same budget)."""
    level = [((), 0.0, everything)]
    depth = 0
    n_nodes = 0
    while level and depth < max_rules:
        depth += 1
        candidates = []
        for prefix, prefix_loss, active in level:
            if time.perf_counter() > deadline or n_nodes >= max_nodes:
                return n_nodes
            n_nodes += 1
            children = _Children(problem, prefix, prefix_loss, c, active)
            _update_best(best, children, prefix)
            ok = np.flatnonzero(children.extendable & (children.lower_bound + c < best[0] - _EPS))
            top = ok[np.argsort(children.objective[ok], kind="stable")[:beam_width]]
            candidates.extend(
                (float(children.objective[a]), prefix + (int(active[a]),),
                 prefix_loss + float(children.captured_loss[a]), children.next_active)
                for a in top
            )
        candidates.sort(key=lambda item: item[0])
        level, keys = [], set()
        for _, prefix, prefix_loss, next_active in candidates:
            if frozenset(prefix) not in keys and len(level) < beam_width:
                keys.add(frozenset(prefix))
                level.append((prefix, prefix_loss, next_active))
    return n_nodes
