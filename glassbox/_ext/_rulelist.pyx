# distutils: language = c++
"""The rule-list search: score every one-rule extension of a prefix, and the best-first
branch-and-bound over prefixes (``glassbox/rules/_search.py`` states the bounds and why they
hold; this file applies them).

Statistics layout, per captured set and per node: classification: one weight per class, then
the equivalent-points loss (the minority weight times the criterion's factor); regression: ``w``,
``w*y``, ``w*y**2``, then the equivalent-points squared deviation. When the weights take few
values per class (equal weights, ``class_weight``, small integer weights), classification counts
rows in groups of one class (or the minority) and one weight, 64 rows a word, and multiplies each
count by its weight (``_bitset.count_masked``). Otherwise the statistics are per-row values:
candidates of one or two conditions are read from contingency tables of the rows left, built
once per expansion (``_rule_tables.CandidateTables``, when given), the others summed row by row
(``_bitset.sum_masked``).

The search keeps, per expanded prefix, only its parent, last rule, length, loss and cost: the
rows it leaves are rebuilt from that chain when needed (a few AND-NOTs), so memory grows with
the number of expansions, not with the number of rows. Children of an expanded prefix are
queued together behind one heap entry (a cursor) holding its best few: a child becomes a node
only when it is the most promising prefix left. C++ is used for the heaps and hash map only.
"""

from libc.stdint cimport uint64_t, uint32_t, int32_t
from libc.stdlib cimport malloc, calloc, free
from libc.string cimport memcpy
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector
from cython.operator cimport dereference as deref
from cython.parallel cimport prange

import numpy as np

from glassbox._ext._bitset cimport count_masked, sum_masked
from glassbox._ext._rule_tables cimport CandidateTables
from glassbox._ext._regions cimport MISCLASSIFICATION, Criterion, make_criterion, region_loss, region_weight
from glassbox._ext._typedefs cimport BITSET_WORD_C

# Most row groups of the counted statistics (the counts of one candidate sit on the stack).
cdef enum:
    MAX_GROUPS = 64
ROW_GROUPS_MAX = MAX_GROUPS

cdef extern from *:
    """
    #include <queue>
    #include <vector>
    #include <algorithm>
    /* One child of an expanded prefix: its last rule and lower bound. A cursor's children are
       a binary heap (building one is linear; most children are never popped, so sorting them
       all would be wasted), smallest bound first, ties to the lower rule. */
    struct gb_child { double bound; int ant; };
    struct gb_child_after {
        bool operator()(const gb_child &a, const gb_child &b) const {
            return a.bound > b.bound || (a.bound == b.bound && a.ant > b.ant);
        }
    };
    struct gb_child_before {
        bool operator()(const gb_child &a, const gb_child &b) const {
            return a.bound < b.bound || (a.bound == b.bound && a.ant < b.ant);
        }
    };
    /* Move the k smallest of c[0..n) to the front (in any order). */
    static void gb_children_select(gb_child *c, long long k, long long n) {
        if (k < n) std::nth_element(c, c + k, c + n, gb_child_before());
    }
    static void gb_children_heapify(gb_child *c, long long n) { std::make_heap(c, c + n, gb_child_after()); }
    static void gb_children_pop(gb_child *c, long long n) { std::pop_heap(c, c + n, gb_child_after()); }
    /* A heap entry: the best remaining child of cursor `cursor`; `seq` breaks ties by insertion
       order, so the search is deterministic. The heap's top has the smallest bound. */
    struct gb_entry { double bound; long long seq; long long cursor; long long left; };
    struct gb_entry_after {
        bool operator()(const gb_entry &a, const gb_entry &b) const {
            return a.bound > b.bound || (a.bound == b.bound && a.seq > b.seq);
        }
    };
    typedef std::priority_queue<gb_entry, std::vector<gb_entry>, gb_entry_after> gb_heap;
    """
    ctypedef struct gb_child:
        double bound
        int ant
    void gb_children_select(gb_child*, long long, long long) noexcept nogil
    void gb_children_heapify(gb_child*, long long) noexcept nogil
    void gb_children_pop(gb_child*, long long) noexcept nogil
    ctypedef struct gb_entry:
        double bound
        long long seq
        long long cursor
        long long left
    cdef cppclass gb_heap:
        bint empty() noexcept nogil
        size_t size() noexcept nogil
        gb_entry& top() noexcept nogil
        void push(gb_entry&) except + nogil
        void pop() noexcept nogil

# Bounds, as bit flags so tests can switch each off and check that it never prunes the optimum
# (one definition: cpdef makes the same constants Python's, as module attributes).
cpdef enum:
    BOUND_HIERARCHICAL = 1   # drop a prefix whose lower bound reaches the best objective found
    BOUND_LOOKAHEAD = 2      # ... plus c: every extension adds a rule
    BOUND_EQUIVALENT = 4     # equivalent points: add the loss no rule can remove to the bound
    BOUND_SUPPORT = 8        # a rule captures at least c (misclassification) and not every row left
    BOUND_ACCURATE = 16      # a rule classifies at least c of the weight correctly (misclassification)
    BOUND_CAPTURE = 32       # prefixes leaving the same rows: only the best is extended
    BOUND_DEDUP = 64         # rules capturing the same rows under a prefix: only the first is kept
    BOUND_ALL = 127

# Children queued per cursor at a time: a cursor keeps only its best _BATCH children and, once
# they are all taken, scores its prefix's children again for the next _BATCH. Most cursors never
# get that far, so memory per expanded prefix stays small whatever the number of rules.
cdef enum:
    _BATCH = 32

# Status of a one-rule extension.
cdef enum:
    _USELESS = 0     # captures nothing, or (support bound) every row left: never better
    _FINAL = 1       # a valid list, but no optimal list extends it (support bounds)
    _EXTENDABLE = 2


cdef int _out_of_memory() except -1 nogil:
    with gil:
        raise MemoryError("the rule-list search could not allocate memory: lower max_nodes, time_limit, "
                          "max_card or max_thresholds")


def insertion_layer(
    const double[:, ::1] taken,         # IN: (n_antecedents, n_stats) stats of a & (rows of rule j)
    const double[::1] own,              # IN: (n_stats,) stats of the rows rule j captures
    double[:, ::1] reach,               # IN/OUT: (n_antecedents, n_stats) stats a takes from j..
    double[::1] later,                  # IN/OUT: (n_antecedents,) loss of rules j.. once a took its rows
    double[::1] out,                    # OUT: (n_antecedents,) loss of rules j.. with a inserted before j
    double[:, ::1] left,                # scratch: (n_antecedents, n_stats)
    Py_ssize_t n_classes,               # IN: 0 for regression
    int criterion,                      # IN: glassbox._regions.CRITERIA index
    double pseudo,                      # IN: its smoothing's pseudo-row weight
    int n_threads,
):
    """One step of scoring every insertion into a rule list (``glassbox/rules/_polish.py``),
    called for j from the default rule (last) to the first: antecedent a inserted before rule j
    captures what rules j.. and the default would have (``reach``) and leaves each of them its
    rows less a's (``later``)."""
    cdef Py_ssize_t a, k
    cdef Py_ssize_t n_stats = taken.shape[1]
    cdef Criterion loss_kind = make_criterion(criterion, pseudo)
    for a in prange(taken.shape[0], schedule="static", nogil=True, num_threads=n_threads):
        for k in range(n_stats):
            reach[a, k] += taken[a, k]
            left[a, k] = own[k] - taken[a, k]  # what rule j keeps once a took its rows
        later[a] += region_loss(&left[a, 0], n_classes, loss_kind)
        out[a] = region_loss(&reach[a, 0], n_classes, loss_kind) + later[a]


cdef inline unsigned char _score(
    const double* cap,          # IN: statistics of the rows the new rule captures
    const double* node,         # IN: statistics of the rows the prefix left
    double* rest,               # OUT: node - cap, the rows the new default rule gets
    Py_ssize_t n_stats,
    bint misclassification,     # IN: classification by misclassification (its support bounds hold)
    Py_ssize_t n_classes,
    Criterion criterion,
    double prefix_loss,         # IN: unnormalised loss of the prefix's rules
    double total,               # IN: total training weight
    double c,
    Py_ssize_t n_rules,         # IN: rules in the child list
    double eps,
    unsigned int bounds,
    double* objective,          # OUT: the child list's objective
    double* lower_bound,        # OUT: lower bound on every extension of the child, less c
    double* cap_loss,           # OUT: unnormalised loss of the new rule
) noexcept nogil:
    """Score one child list; return its status (_USELESS, _FINAL or _EXTENDABLE)."""
    cdef Py_ssize_t k
    cdef Py_ssize_t eq = n_stats - 1
    cdef double correct = 0.0
    for k in range(n_stats):
        rest[k] = node[k] - cap[k]
    cap_loss[0] = region_loss(cap, n_classes, criterion)
    objective[0] = (prefix_loss + cap_loss[0] + region_loss(rest, n_classes, criterion)) / total + c * n_rules
    lower_bound[0] = (prefix_loss + cap_loss[0] + (rest[eq] if bounds & BOUND_EQUIVALENT else 0.0)) / total + c * n_rules
    if region_weight(cap, n_classes) <= eps * total:
        return _USELESS
    if bounds & BOUND_SUPPORT:
        # A rule taking every row left leaves the default nothing: the prefix alone, with its
        # default predicting for those rows, scores the same minus c, and so does every
        # extension (later rules capture nothing).
        if region_weight(rest, n_classes) <= eps * total:
            return _USELESS
        if misclassification and region_weight(cap, n_classes) / total < c - eps:
            return _FINAL
    if misclassification and bounds & BOUND_ACCURATE:
        # Accurate support: a rule classifying less than c of the weight correctly can be
        # removed for a better list (its rows fall through; at most those it got right become
        # wrong), so no optimal list contains it, here or further down.
        for k in range(n_classes):
            if cap[k] > correct:
                correct = cap[k]
        if correct / total < c - eps:
            return _FINAL
    return _EXTENDABLE


def score_children(
    const double[:, ::1] captured,      # IN: (n_antecedents, n_stats) stats of rows each rule takes
    const double[::1] node,             # IN: (n_stats,) stats of the rows the prefix left
    double[:, ::1] rest,                # OUT: scratch (n_antecedents, n_stats): node - captured
    double[::1] objective,              # OUT: child list objective
    double[::1] lower_bound,            # OUT: child prefix lower bound
    double[::1] captured_loss,          # OUT: unnormalised loss of the new rule
    unsigned char[::1] status,          # OUT: 0 useless, 1 a list but never extended, 2 extendable
    bint classification,
    Py_ssize_t n_classes,
    int criterion,                      # IN: glassbox._regions.CRITERIA index
    double pseudo,                      # IN: its smoothing's pseudo-row weight
    double prefix_loss,                 # IN: unnormalised loss of the prefix's rules
    double total,                       # IN: total training weight
    double c,
    Py_ssize_t n_rules,                 # IN: rules in the child list
    double eps,
    int n_threads,
):
    """Every one-rule extension of a prefix scored from its captured statistics, with every
    bound on (the branch-and-bound's per-child step, exposed for its NumPy twin)."""
    cdef Py_ssize_t a
    cdef Criterion loss_kind = make_criterion(criterion, pseudo)
    for a in prange(captured.shape[0], schedule="static", nogil=True, num_threads=n_threads):
        status[a] = _score(&captured[a, 0], &node[0], &rest[a, 0], captured.shape[1],
                           classification and criterion == MISCLASSIFICATION, n_classes, loss_kind,
                           prefix_loss, total, c, n_rules, eps, BOUND_ALL,
                           &objective[a], &lower_bound[a], &captured_loss[a])


cdef inline uint64_t _mix(uint64_t x) noexcept nogil:
    """splitmix64's finaliser: a cheap, well-spread hash of one word."""
    x ^= x >> 30
    x *= 0xbf58476d1ce4e5b9ULL
    x ^= x >> 27
    x *= 0x94d049bb133111ebULL
    x ^= x >> 31
    return x


cdef class BranchAndBound:
    """State of one rule-list search (one fit): the incumbent, the expanded prefixes, the queue.

    ``run(n)`` expands up to n more prefixes without the GIL, so Python checks the time between
    calls; ``score_prefix`` scores one prefix's children for the beam search. Every bound can be
    switched off through ``bounds`` (tests compare the optimum with and without each).
    """

    cdef:
        const BITSET_WORD_C[:, ::1] bits        # (n_antecedents, n_words) rows each rule holds on
        # Few distinct weights: rows of one class (or minority) and one weight, per group
        const BITSET_WORD_C[:, ::1] groups      # (n_groups, n_words)
        const Py_ssize_t[::1] group_column      # (n_groups,) the statistic a group's count adds to
        const double[::1] group_weight          # (n_groups,) the weight of each of its rows
        const double[:, ::1] values             # otherwise: (n_samples, n_stats) per-row statistics
        CandidateTables tables                  # ... and, when given, the candidates scored from tables
        bint use_counts, use_tables, misclassification
        Criterion criterion
        Py_ssize_t n_classes, n_stats, n_groups, n_words, n_ant, active_words, max_rules
        double c, eps, total, look
        unsigned int bounds
        double best
        vector[int32_t] best_prefix
        # Expanded prefixes: node 0 is the empty prefix.
        vector[int32_t] node_parent, node_ant, node_depth, node_next
        vector[double] node_loss, node_cost     # rules' loss; that / W + c * length
        unordered_map[uint64_t, int32_t] capture_head   # hash of rows left -> newest node
        # Cursors: one per expanded prefix with queued children.
        vector[gb_child*] cur_children           # up to _BATCH children, a heap
        vector[uint64_t*] cur_active             # rules worth offering to the children
        vector[int32_t] cur_node
        vector[bint] cur_more                    # children beyond this batch exist
        vector[gb_child] cur_after               # the largest child (bound, rule) batched so far
        gb_heap heap
        long long seq
        Py_ssize_t n_nodes_, queued, n_scored_
        Py_ssize_t max_queued
        bint started, exhausted, out_of_memory_
        # Scratch.
        vector[BITSET_WORD_C] all_rows, rows, parent_rows, other_rows, refill_rows
        vector[double] node_stats, cap_stats, rest_stats
        vector[gb_child] kids
        # Duplicate rules: nested[a] lists up to two earlier rules whose rows contain a's or are
        # contained in them. Under a prefix, equal captured weight then means equal rows (every
        # row weighs more than 0). The captured weight of each rule scored in this expansion is
        # kept, valid where its stamp is the expansion's.
        const Py_ssize_t[:, ::1] nested
        vector[double] seen_weight
        vector[uint32_t] seen_stamp
        uint32_t stamp

    def __cinit__(self, const BITSET_WORD_C[:, ::1] bits, const Py_ssize_t[:, ::1] nested,
                  const BITSET_WORD_C[:, ::1] groups, const Py_ssize_t[::1] group_column,
                  const double[::1] group_weight,
                  const double[:, ::1] values, CandidateTables tables, bint classification, Py_ssize_t n_classes, int criterion, double pseudo,
                  Py_ssize_t n_samples, double total, double c, Py_ssize_t max_rules, unsigned int bounds,
                  double eps, double best, Py_ssize_t max_queued):
        cdef Py_ssize_t w
        # Sizes checked here, with the GIL, so the search itself never reads out of bounds.
        if bits.shape[0] >= (1 << 31) - 1:
            raise ValueError(f"{bits.shape[0]} candidate rules: the search numbers them with 32 bits; "
                             "lower max_card or max_thresholds")
        if bits.shape[1] != (n_samples + 63) // 64:
            raise ValueError(f"bitsets of {bits.shape[1]} words for {n_samples} rows")
        if nested.shape[0] != bits.shape[0]:
            raise ValueError(f"{nested.shape[0]} nesting entries for {bits.shape[0]} candidate rules")
        if groups.shape[0] > 0 and groups.shape[1] != bits.shape[1]:
            raise ValueError("the per-class bitsets and the rules' bitsets differ in length")
        if groups.shape[0] > MAX_GROUPS:
            raise ValueError(f"{groups.shape[0]} row groups: at most {MAX_GROUPS}")
        if group_column.shape[0] != groups.shape[0] or group_weight.shape[0] != groups.shape[0]:
            raise ValueError("one column and one weight per row group")
        for w in range(groups.shape[0]):
            if not 0 <= group_column[w] <= n_classes:
                raise ValueError(f"row group {w} adds to statistic {group_column[w]} of {n_classes + 1}")
        if groups.shape[0] == 0 and (values.shape[0] < n_samples or values.shape[1] < 2):
            raise ValueError(f"per-row statistics of shape ({values.shape[0]}, {values.shape[1]}) for {n_samples} rows")
        if tables is not None and (groups.shape[0] > 0 or tables.n_antecedents != bits.shape[0]
                                   or tables.n_samples != n_samples or tables.n_stats != values.shape[1]):
            raise ValueError("candidate tables serve per-row statistics of the same rows and antecedents")
        self.bits = bits
        self.nested = nested
        self.groups = groups
        self.values = values
        self.group_column = group_column
        self.group_weight = group_weight
        self.use_counts = groups.shape[0] > 0
        self.tables = tables
        self.use_tables = tables is not None
        self.n_groups = groups.shape[0]
        self.n_stats = n_classes + 1 if self.use_counts else values.shape[1]
        self.criterion = make_criterion(criterion, pseudo)
        self.misclassification = classification and criterion == MISCLASSIFICATION
        self.n_classes = n_classes
        self.n_words = bits.shape[1]
        self.n_ant = bits.shape[0]
        self.active_words = (self.n_ant + 63) // 64
        self.total = total
        self.c = c
        self.max_rules = max_rules
        self.bounds = bounds
        self.eps = eps
        self.look = c if bounds & BOUND_LOOKAHEAD else 0.0
        self.best = best
        self.max_queued = max_queued
        self.all_rows.resize(self.n_words, 0)
        for w in range(n_samples // 64):
            self.all_rows[w] = ~(<BITSET_WORD_C>0)
        if n_samples % 64:
            self.all_rows[n_samples // 64] = ((<BITSET_WORD_C>1) << (n_samples % 64)) - 1
        self.rows.resize(self.n_words)
        self.parent_rows.resize(self.n_words)
        self.other_rows.resize(self.n_words)
        self.refill_rows.resize(self.n_words)
        self.node_stats.resize(self.n_stats)
        self.cap_stats.resize(self.n_stats)
        self.rest_stats.resize(self.n_stats)
        self.seen_weight.resize(self.n_ant)
        self.seen_stamp.resize(self.n_ant, 0)

    def __dealloc__(self):
        cdef size_t i
        for i in range(self.cur_children.size()):
            free(self.cur_children[i])
            free(self.cur_active[i])

    # --- results -----------------------------------------------------------------------------

    @property
    def best_objective(self):
        return self.best

    @property
    def best_rules(self):
        return tuple(int(a) for a in self.best_prefix)

    @property
    def n_nodes(self):
        """Prefixes expanded (by ``score_prefix`` and ``run``)."""
        return self.n_nodes_

    @property
    def n_scored(self):
        """Candidate rules scored by ``run`` (its work: each is one pass over the rows left)."""
        return self.n_scored_

    @property
    def optimal(self):
        """The queue is exhausted: no list beats the best one found."""
        return self.exhausted

    @property
    def out_of_memory(self):
        """The search stopped because its queue reached ``max_queued`` bytes."""
        return self.out_of_memory_

    @property
    def lower_bound(self):
        """No list has a smaller objective: the best found when exhausted, else the smallest
        queued bound plus c (every queued prefix's own list was already scored)."""
        if not self.started:
            # Only the beam ran: every list owes at least the equivalent points' loss.
            self._stats(self.all_rows.data(), self.all_rows.data(), self.node_stats.data())
            return min(self.best, self.node_stats[self.n_stats - 1] / self.total if self.bounds & BOUND_EQUIVALENT else 0.0)
        if self.exhausted or self.heap.empty():
            return self.best
        return min(self.best, self.heap.top().bound + self.c)

    # --- statistics ----------------------------------------------------------------------------

    cdef inline void _stats(self, const BITSET_WORD_C* a, const BITSET_WORD_C* mask, double* out) noexcept nogil:
        cdef Py_ssize_t k
        cdef double counts[MAX_GROUPS]
        if self.use_counts:
            count_masked(a, mask, &self.groups[0, 0], self.n_words, self.n_groups, counts)
            for k in range(self.n_stats):
                out[k] = 0.0
            for k in range(self.n_groups):
                out[self.group_column[k]] += counts[k] * self.group_weight[k]
        else:
            sum_masked(a, mask, &self.values[0, 0], self.n_words, self.n_stats, out)

    cdef inline void _prepare(self, const BITSET_WORD_C* R) noexcept nogil:
        """Fill the candidate tables (when there are) with the rows ``R``, before ``_candidate``."""
        if self.use_tables:
            self.tables.prepare(R)

    cdef inline void _candidate(self, Py_ssize_t a, const BITSET_WORD_C* R, double* out) noexcept nogil:
        """Statistics of antecedent ``a``'s rows within ``R``, the rows of the last ``_prepare``."""
        if self.use_tables and self.tables.tabled(a):
            self.tables.stats(a, out)
        else:
            self._stats(&self.bits[a, 0], R, out)

    cdef void _remaining(self, int32_t node, BITSET_WORD_C* out) noexcept nogil:
        """Rows no rule of ``node``'s prefix captures."""
        cdef Py_ssize_t w
        cdef const BITSET_WORD_C* rule
        memcpy(out, self.all_rows.data(), self.n_words * sizeof(BITSET_WORD_C))
        while node > 0:
            rule = &self.bits[self.node_ant[node], 0]
            for w in range(self.n_words):
                out[w] &= ~rule[w]
            node = self.node_parent[node]

    cdef int _prefix(self, int32_t node, vector[int32_t]& out) except -1 nogil:
        out.resize(self.node_depth[node])
        while node > 0:
            out[self.node_depth[node] - 1] = self.node_ant[node]
            node = self.node_parent[node]
        return 0

    cdef inline uint64_t _hash_rows(self, const BITSET_WORD_C* r) noexcept nogil:
        cdef uint64_t h = <uint64_t>self.n_words
        cdef Py_ssize_t w
        for w in range(self.n_words):
            h = _mix(h ^ (r[w] + 0x9e3779b97f4a7c15ULL * <uint64_t>(w + 1)))
        return h

    cdef bint _duplicate(self, int32_t a, double weight) noexcept nogil:
        """Whether rule ``a`` captures the same rows as an earlier rule nested with it (scored
        in this expansion); records its captured weight either way."""
        cdef Py_ssize_t k
        cdef Py_ssize_t b
        self.seen_weight[a] = weight
        self.seen_stamp[a] = self.stamp
        for k in range(self.nested.shape[1]):
            b = self.nested[a, k]
            if b >= 0 and self.seen_stamp[b] == self.stamp and self.seen_weight[b] == weight:
                return True
        return False

    cdef int _offer(self, int32_t node, int32_t a, double objective) except -1 nogil:
        if objective < self.best - self.eps:
            self.best = objective
            self._prefix(node, self.best_prefix)
            self.best_prefix.push_back(a)
        return 0

    # --- the search ----------------------------------------------------------------------------

    cdef int32_t _add_node(self, int32_t parent, int32_t a, double loss, double cost) except -1 nogil:
        self.node_parent.push_back(parent)
        self.node_ant.push_back(a)
        self.node_depth.push_back(0 if parent < 0 else self.node_depth[parent] + 1)
        self.node_loss.push_back(loss)
        self.node_cost.push_back(cost)
        self.node_next.push_back(-1)
        return <int32_t>(self.node_parent.size() - 1)

    cdef int _expand(self, int32_t node, const uint64_t* active) except -1 nogil:
        """Score every child of ``node`` (rows left in ``self.rows``) over the ``active`` rules
        (NULL: all); update the incumbent; queue the children worth extending behind one cursor
        holding the rules still worth offering below."""
        cdef:
            BITSET_WORD_C* R = self.rows.data()
            double* cap = self.cap_stats.data()
            double* rest = self.rest_stats.data()
            double* node_stats = self.node_stats.data()
            double prefix_loss = self.node_loss[node]
            Py_ssize_t n_rules = self.node_depth[node] + 1
            bint may_extend = n_rules < self.max_rules
            uint64_t* next_active = <uint64_t*>calloc(max(self.active_words, 1), sizeof(uint64_t))
            gb_child* batch
            int32_t a
            double objective, bound, cap_loss
            unsigned char status
            gb_child kid
        kid.bound = 0.0
        kid.ant = -1
        if next_active == NULL:
            _out_of_memory()
        self._stats(R, R, node_stats)
        self._prepare(R)
        self.kids.clear()
        self.stamp += 1
        if self.stamp == 0:  # wrapped: forget every old stamp
            self.seen_stamp.assign(self.seen_stamp.size(), 0)
            self.stamp = 1
        for a in range(<int32_t>self.n_ant):
            if active != NULL and not (active[a >> 6] >> (a & 63)) & 1:
                continue
            self._candidate(a, R, cap)
            self.n_scored_ += 1
            status = _score(cap, node_stats, rest, self.n_stats, self.misclassification, self.n_classes,
                            self.criterion, prefix_loss, self.total, self.c, n_rules, self.eps, self.bounds,
                            &objective, &bound, &cap_loss)
            if self.bounds & BOUND_DEDUP and self._duplicate(a, region_weight(cap, self.n_classes)):
                # Same rows captured here means same rows captured in every descendant: the
                # earlier rule (the simpler one) stands for both.
                continue
            if status == _USELESS:
                continue
            self._offer(node, a, objective)
            if status != _EXTENDABLE:
                continue
            next_active[a >> 6] |= (<uint64_t>1) << (a & 63)
            if may_extend and (not (self.bounds & BOUND_HIERARCHICAL) or bound + self.look < self.best - self.eps):
                kid.bound = bound
                kid.ant = a
                self.kids.push_back(kid)
        if self.kids.empty():
            free(next_active)
            return 0
        batch = <gb_child*>malloc(_BATCH * sizeof(gb_child))
        if batch == NULL:
            free(next_active)
            _out_of_memory()
        self.cur_children.push_back(batch)
        self.cur_active.push_back(next_active)
        self.cur_node.push_back(node)
        self.cur_more.push_back(False)
        self.cur_after.push_back(kid)
        self.queued += _BATCH * sizeof(gb_child) + self.active_words * sizeof(uint64_t)
        self._push_batch(<long long>self.cur_children.size() - 1)
        return 0

    cdef int _push_batch(self, long long cursor) except -1 nogil:
        """Queue the cursor's best _BATCH children among ``self.kids`` (all of them viable)."""
        cdef:
            long long n = <long long>self.kids.size()
            long long k = n if n < _BATCH else _BATCH
            long long i
            gb_child* stored = self.cur_children[cursor]
            gb_entry entry
        gb_children_select(self.kids.data(), k, n)
        memcpy(stored, self.kids.data(), k * sizeof(gb_child))
        self.cur_more[cursor] = n > k
        self.cur_after[cursor] = stored[0]
        for i in range(1, k):
            if stored[i].bound > self.cur_after[cursor].bound or (
                    stored[i].bound == self.cur_after[cursor].bound and stored[i].ant > self.cur_after[cursor].ant):
                self.cur_after[cursor] = stored[i]
        gb_children_heapify(stored, k)
        entry.bound = stored[0].bound
        entry.seq = self.seq
        entry.cursor = cursor
        entry.left = k
        self.seq += 1
        self.heap.push(entry)
        return 0

    cdef int _refill(self, long long cursor) except -1 nogil:
        """Score the cursor's prefix's children again and queue the next batch: those after
        ``cur_after`` in (bound, rule) order, still under the incumbent. False when none is."""
        cdef:
            int32_t node = self.cur_node[cursor], a
            const uint64_t* active = self.cur_active[cursor]
            BITSET_WORD_C* R = self.refill_rows.data()
            double objective, bound, cap_loss
            gb_child after = self.cur_after[cursor], kid
        self._remaining(node, R)
        self._stats(R, R, self.node_stats.data())
        self._prepare(R)
        self.kids.clear()
        for a in range(<int32_t>self.n_ant):
            if not (active[a >> 6] >> (a & 63)) & 1:
                continue
            self._candidate(a, R, self.cap_stats.data())
            self.n_scored_ += 1
            _score(self.cap_stats.data(), self.node_stats.data(), self.rest_stats.data(), self.n_stats,
                   self.misclassification, self.n_classes, self.criterion, self.node_loss[node], self.total,
                   self.c,
                   self.node_depth[node] + 1, self.eps, self.bounds, &objective, &bound, &cap_loss)
            if bound < after.bound or (bound == after.bound and a <= after.ant):
                continue  # batched before
            if self.bounds & BOUND_HIERARCHICAL and bound + self.look >= self.best - self.eps:
                continue
            kid.bound = bound
            kid.ant = a
            self.kids.push_back(kid)
        if self.kids.empty():
            return 0
        self._push_batch(cursor)
        return 1

    cdef void _release(self, long long cursor) noexcept nogil:
        self.queued -= _BATCH * sizeof(gb_child) + self.active_words * sizeof(uint64_t)
        free(self.cur_children[cursor])
        free(self.cur_active[cursor])
        self.cur_children[cursor] = NULL
        self.cur_active[cursor] = NULL

    cdef bint _dominated(self, const BITSET_WORD_C* R, uint64_t key, int32_t depth, double cost) noexcept nogil:
        """Capture map: an expanded prefix that left the same rows, with no larger cost (loss of
        its rules plus c each) and no more rules, makes this one redundant: any list through
        this prefix has a list through that one costing no more (same rows left, same rules
        usable on them: a rule dropped there fails the same support test here, or captures
        the same rows as one kept)."""
        cdef unordered_map[uint64_t, int32_t].iterator found = self.capture_head.find(key)
        cdef int32_t s
        cdef Py_ssize_t w
        cdef bint same
        if found == self.capture_head.end():
            return False
        s = deref(found).second
        while s >= 0:
            if self.node_cost[s] <= cost + self.eps and self.node_depth[s] <= depth:
                self._remaining(s, self.other_rows.data())
                same = True
                for w in range(self.n_words):
                    if self.other_rows[w] != R[w]:
                        same = False
                        break
                if same:
                    return True
            s = self.node_next[s]
        return False

    cdef int _after_pop(self, long long cursor, int after) except -1 nogil:
        if after == 2 or (after == 1 and not self._refill(cursor)):
            self._release(cursor)
        return 0

    cdef int _run(self, Py_ssize_t budget) except -1 nogil:
        cdef:
            Py_ssize_t done = 0, w
            gb_entry entry, next_entry
            long long cursor
            int32_t parent, a, node
            double bound, cap_loss, prefix_cost
            int after
            uint64_t key = 0
            BITSET_WORD_C* R = self.rows.data()
            BITSET_WORD_C* P = self.parent_rows.data()
            const BITSET_WORD_C* rule
            gb_child* kids
        if not self.started:
            self.started = True
            node = self._add_node(-1, -1, 0.0, 0.0)
            memcpy(R, self.all_rows.data(), self.n_words * sizeof(BITSET_WORD_C))
            if self.bounds & BOUND_CAPTURE:
                self.capture_head[self._hash_rows(R)] = node
            self._expand(node, NULL)
            self.n_nodes_ += 1
            done += 1
        while done < budget:
            if self.heap.empty():
                self.exhausted = True
                return 0
            entry = self.heap.top()
            if self.bounds & BOUND_HIERARCHICAL and entry.bound + self.look >= self.best - self.eps:
                # Best-first: every queued prefix is bounded out as well.
                while not self.heap.empty():
                    self.heap.pop()
                self.exhausted = True
                return 0
            if self.queued > self.max_queued:
                self.out_of_memory_ = True
                return 0
            self.heap.pop()
            # Take the cursor's best child; requeue the cursor behind its next best.
            cursor = entry.cursor
            kids = self.cur_children[cursor]
            a = kids[0].ant
            bound = kids[0].bound
            gb_children_pop(kids, entry.left)
            # 0: more children queued; 1: the batch is spent, score again; 2: the cursor is done.
            after = 2
            if entry.left > 1 and (not (self.bounds & BOUND_HIERARCHICAL) or kids[0].bound + self.look < self.best - self.eps):
                next_entry.bound = kids[0].bound
                next_entry.seq = self.seq
                next_entry.cursor = cursor
                next_entry.left = entry.left - 1
                self.seq += 1
                self.heap.push(next_entry)
                after = 0
            elif entry.left == 1 and self.cur_more[cursor]:
                after = 1
            parent = self.cur_node[cursor]
            self._remaining(parent, P)
            self._stats(&self.bits[a, 0], P, self.cap_stats.data())
            cap_loss = region_loss(self.cap_stats.data(), self.n_classes, self.criterion)
            rule = &self.bits[a, 0]
            for w in range(self.n_words):
                R[w] = P[w] & ~rule[w]
            prefix_cost = (self.node_loss[parent] + cap_loss) / self.total + self.c * (self.node_depth[parent] + 1)
            if self.bounds & BOUND_CAPTURE:
                key = self._hash_rows(R)
                if self._dominated(R, key, self.node_depth[parent] + 1, prefix_cost):
                    if after == 1:  # scoring the parent's children again: an expansion's work
                        self.n_nodes_ += 1
                        done += 1
                    self._after_pop(cursor, after)
                    continue
            node = self._add_node(parent, a, self.node_loss[parent] + cap_loss, prefix_cost)
            if self.bounds & BOUND_CAPTURE:
                if self.capture_head.count(key):
                    self.node_next[node] = self.capture_head[key]
                self.capture_head[key] = node
            self._expand(node, self.cur_active[cursor])
            self.n_nodes_ += 1
            done += 1
            if after == 1:
                # Scoring the prefix's children again is an expansion's work: count it as one.
                self.n_nodes_ += 1
                done += 1
            self._after_pop(cursor, after)
        return 0

    def run(self, Py_ssize_t budget):
        """Expand up to ``budget`` more prefixes (fewer when the queue empties or reaches
        ``max_queued``); return how many were expanded."""
        cdef Py_ssize_t before = self.n_nodes_
        if self.exhausted or self.out_of_memory_:
            return 0
        with nogil:
            self._run(budget)
        return self.n_nodes_ - before

    def score_prefix(self, const Py_ssize_t[::1] prefix):
        """Score every one-rule extension of ``prefix`` (counted as one expansion) and offer the
        best to the incumbent. Returns the prefix's unnormalised loss and per antecedent the
        child's objective, lower bound (less c), new rule's loss and status (0 useless, 1 a list
        never extended, 2 extendable)."""
        cdef:
            Py_ssize_t n = self.n_ant, a, i, w
            double prefix_loss = 0.0
            double[::1] objective = np.empty(n)
            double[::1] bound = np.empty(n)
            double[::1] cap_loss = np.empty(n)
            unsigned char[::1] status = np.empty(n, dtype=np.uint8)
            BITSET_WORD_C* R = self.rows.data()
            const BITSET_WORD_C* rule
            vector[int32_t] rules
        memcpy(R, self.all_rows.data(), self.n_words * sizeof(BITSET_WORD_C))
        for i in range(prefix.shape[0]):
            rule = &self.bits[prefix[i], 0]
            self._stats(rule, R, self.cap_stats.data())
            prefix_loss += region_loss(self.cap_stats.data(), self.n_classes, self.criterion)
            for w in range(self.n_words):
                R[w] &= ~rule[w]
            rules.push_back(<int32_t>prefix[i])
        with nogil:
            self._stats(R, R, self.node_stats.data())
            self._prepare(R)
            for a in range(n):
                self._candidate(a, R, self.cap_stats.data())
                status[a] = _score(self.cap_stats.data(), self.node_stats.data(), self.rest_stats.data(),
                                   self.n_stats, self.misclassification, self.n_classes, self.criterion,
                                   prefix_loss,
                                   self.total, self.c, prefix.shape[0] + 1, self.eps, self.bounds,
                                   &objective[a], &bound[a], &cap_loss[a])
                if status[a] != _USELESS and objective[a] < self.best - self.eps:
                    self.best = objective[a]
                    self.best_prefix = rules
                    self.best_prefix.push_back(<int32_t>a)
        self.n_nodes_ += 1
        return prefix_loss, np.asarray(objective), np.asarray(bound), np.asarray(cap_loss), np.asarray(status)
