"""Antecedent mining: the candidate rule conditions a rule list chooses from, as row bitsets.

Single antecedents come from the shared Binner's bins, one :class:`~glassbox.rules.Condition`
each: for a continuous feature a few cut points spaced by (weighted) quantile among its bin
boundaries give ``x <= t``, ``x > t`` and the ranges ``t1 < x <= t2`` between neighbouring cuts;
a categorical feature gives ``x == level``; a feature with missing values gives ``x is missing``.
Conjunctions of up to ``max_card`` antecedents on distinct features follow. Antecedents below the
minimum support, true on every row, or capturing exactly the rows of an earlier one are dropped
(the search could never tell them apart).
"""

import time
from dataclasses import dataclass

import numpy as np

from glassbox._ext._bitset import and_pairs, build_bitsets, masked_popcounts, masked_sums
from glassbox._ext._typedefs import BITSET_WORD_DTYPE
from glassbox._progress import Progress
from glassbox.rules._rule import Condition

# Pair bitsets are built and filtered this many at a time, bounding memory on wide data.
_PAIR_CHUNK = 4096

# Bitset words (antecedents x words) below which a kernel call runs on one thread. A parallel
# region waits for every thread at its end; on a machine whose cores are shared, a thread that
# lost its core costs the region a scheduler time slice (milliseconds), more than such a call's
# work (benchmarks/bench_contention.py: with two busy processes, a default rule-list fit took
# 2.36 s on 2 threads against 1.46 s on one before this threshold).
PARALLEL_WORDS = 1 << 22


def kernel_threads(n_words, n_threads):
    """Threads for a bitset kernel call over ``n_words`` words (see ``PARALLEL_WORDS``)."""
    return n_threads if n_words >= PARALLEL_WORDS else 1


# Mining stops once the candidates would take this many bytes (256 MiB): the candidates are
# then incomplete, and the list is not certified optimal, instead of the machine running out of
# memory (conjunctions of three on wide data run to billions).
MAX_MINED_BYTES = 1 << 28
# What a mined conjunction costs beyond its bitset, counted generously: its row of members (twice
# while mining: in the level being extended too) and the search's per-candidate arrays.
_BYTES_PER_CONJUNCTION = 128
# Members (indices of single antecedents, a row per conjunction) when there are no conjunctions.
NO_MEMBERS = np.zeros((0, 2), dtype=np.intp)
NO_MEMBERS.flags.writeable = False


@dataclass(frozen=True, eq=False)
class Antecedents:
    """Candidate antecedents of a rule list.

    Attributes
    ----------
    conditions : sequence of tuple of Condition
        Antecedent a holds where every condition of ``conditions[a]`` holds.
    bits : ndarray of uint64, shape (n_antecedents, n_words)
        Training rows satisfying each antecedent.
    n_single : int
        The first ``n_single`` antecedents have one condition; their rows determine every
        conjunction's, so they alone define which training rows are indistinguishable.
    nested : ndarray of intp, shape (n_antecedents, 2)
        Up to two earlier antecedents whose rows contain antecedent a's or are contained in
        them (-1: none): a conjunction's first two conditions; a one-sided cut's previous cut
        on the same side. The search drops a rule capturing as much as such a partner under
        a prefix, since nested sets of equal weight are equal.
    stopped_by : {"", "deadline", "memory", "budget"}
        What stopped the conjunctions before every antecedent of the search space was mined
        (the singles are always all there): nothing (""), the deadline, the memory cap, or the
        most candidates the default search budget can score (``max_conjunctions``, or
        ``among_features``).
    conjunction_features : ndarray of intp or None
        The features whose conditions conjunctions combine, in increasing order, when they were
        limited to the best-ranked ones (``among_features``); None: no such limit.
    """

    conditions: list
    bits: np.ndarray
    n_single: int
    nested: np.ndarray
    stopped_by: str = ""
    conjunction_features: np.ndarray = None

    @property
    def complete(self):
        """Whether every antecedent of the search space was mined."""
        return not self.stopped_by


def n_words(n_samples):
    """Words of a bitset over ``n_samples`` rows."""
    return (n_samples + 63) // 64


def rows_to_bits(mask):
    """Pack a boolean row mask into a bitset (the layout of the kernels)."""
    mask = np.asarray(mask, dtype=bool)
    padded = np.zeros(n_words(len(mask)) * 64, dtype=bool)
    padded[: len(mask)] = mask
    return np.packbits(padded.reshape(-1, 8), axis=1, bitorder="little").reshape(-1).view(BITSET_WORD_DTYPE).copy()


def bits_to_rows(bits, n_samples):
    """Unpack bitsets (..., n_words) into boolean row masks (..., n_samples)."""
    bits = np.ascontiguousarray(bits, dtype=BITSET_WORD_DTYPE)
    as_bytes = bits.view(np.uint8).reshape(*bits.shape[:-1], -1)
    return np.unpackbits(as_bytes, axis=-1, bitorder="little")[..., :n_samples].astype(bool)


def mine_antecedents(binned, sample_weight, *, max_card, min_support, max_thresholds, n_threads, deadline=np.inf,
                     max_bytes=None, max_conjunctions=None, rank_features=None, progress=None):
    """Antecedents with weighted support at least ``min_support`` (a fraction of total weight);
    conjunctions stop at ``deadline`` (``time.perf_counter()``), once they would take more than
    ``max_bytes`` or number more than about ``max_conjunctions`` (see ``Antecedents.complete``).
    ``rank_features()``, when given, ranks the features best first (``glassbox._candidates``);
    it is called when the pairs of conditions might not fit in those limits, and the pairs are
    then mined among the best-ranked features first, so the limits stop the mining on the least
    promising. ``progress`` (a ``glassbox._progress.Progress``) hears how the conjunctions go."""
    codes = binned.codes
    max_bytes = MAX_MINED_BYTES if max_bytes is None else max_bytes
    total = float(sample_weight.sum())
    min_weight = min_support * total
    singles = []
    for j, bins in enumerate(binned.features):
        mass = np.bincount(codes[:, j], weights=sample_weight, minlength=bins.n_codes)
        singles.extend(_feature_conditions(j, bins, mass, max_thresholds))
    conditions = [(c,) for c in singles]
    bits = _single_bits(codes, singles, n_threads)
    support = _supports(bits, sample_weight, n_threads)
    keep = _filter(bits, support, min_weight, total)
    conditions = [conditions[a] for a in keep]
    bits = bits[keep]
    n_single = len(conditions)
    if max_card >= 2 and n_single >= 2:
        features = np.array([c[0].feature for c in conditions], dtype=np.intp)
        word_bytes = bits.shape[1] * bits.itemsize + _BYTES_PER_CONJUNCTION
        per_feature = np.bincount(features[_usable(conditions)], minlength=len(binned.features))
        n_pairs = (per_feature.sum() ** 2 - (per_feature ** 2).sum()) // 2
        room, limit = max_bytes - bits.nbytes, "memory"
        if max_conjunctions is not None and max_conjunctions * word_bytes < room:
            room, limit = max_conjunctions * word_bytes, "budget"
        rank = None
        if rank_features is not None and n_pairs * word_bytes > room:
            rank = np.empty(len(binned.features), dtype=np.intp)
            rank[rank_features()] = np.arange(len(binned.features))
        extra_bits, extra_members, stopped_by = _conjunctions(
            conditions, bits, support[keep], sample_weight, min_weight, max_card, n_threads, deadline,
            room, progress or Progress.silent(), rank,
        )
        stopped_by = limit if stopped_by == "room" else stopped_by
        if len(extra_members):
            all_bits = np.concatenate([bits, extra_bits])
            keep = _unique(all_bits)  # the singles are distinct already: they all stay first
            members = extra_members[keep[n_single:] - n_single]
            bits = np.ascontiguousarray(all_bits[keep])
            return Antecedents(_Conditions(conditions, members), bits, n_single, _nested(conditions, members),
                               stopped_by)
        return Antecedents(conditions, np.ascontiguousarray(bits), n_single, _nested(conditions), stopped_by)
    return Antecedents(conditions, np.ascontiguousarray(bits), n_single, _nested(conditions))


def among_features(antecedents, features):
    """``antecedents`` with only the conjunctions whose conditions all test ``features`` (sorted
    indices); every single antecedent stays, so the rows they tell apart are the same."""
    conditions, n_single = antecedents.conditions, antecedents.n_single
    members = getattr(conditions, "members", NO_MEMBERS)
    singles = [conditions[a] for a in range(n_single)]
    single_feature = np.array([cond.feature for (cond,) in singles], dtype=np.intp)
    allowed = np.isin(single_feature, features)
    keep = np.flatnonzero((allowed[members] | (members < 0)).all(axis=1))
    members = members[keep]
    bits = np.ascontiguousarray(np.concatenate([antecedents.bits[:n_single], antecedents.bits[n_single + keep]]))
    kept = _Conditions(singles, members) if len(members) else singles
    nested = np.concatenate([antecedents.nested[:n_single], antecedents.nested[n_single + keep]])
    return Antecedents(kept, bits, n_single, nested, "budget", np.asarray(features, dtype=np.intp))


class _Conditions:
    """The antecedents' conditions, a conjunction's built when asked for: a mining on wide data
    yields millions of conjunctions, of which a list uses a handful."""

    def __init__(self, singles, members):
        self.singles = singles  # each single antecedent's conditions, a 1-tuple
        # (n_conjunctions, max_card) each conjunction's single antecedents, by index, -1 past its last
        self.members = members

    def __len__(self):
        return len(self.singles) + len(self.members)

    def __getitem__(self, a):
        if a < len(self.singles):
            return self.singles[a]
        return tuple(self.singles[m][0] for m in self.members[a - len(self.singles)] if m >= 0)


def _nested(singles, members=None):
    """Up to two earlier antecedents nested with each: for a one-sided cut the previous cut on
    the same side of the same feature (x <= t1 within x <= t2, x > t2 within x > t1); for a
    conjunction (``members``: indices of its singles, a row each) its first two conditions."""
    members = NO_MEMBERS if members is None else members
    out = np.full((len(singles) + len(members), 2), -1, dtype=np.intp)
    last_cut = {}  # (feature, side) -> latest one-sided cut seen
    for a, (cond,) in enumerate(singles):
        side = _one_side(cond)
        if side is not None:
            out[a, 0] = last_cut.get((cond.feature, side), -1)
            last_cut[(cond.feature, side)] = a
    if len(members):
        out[len(singles):] = members[:, :2]
    return out


def _one_side(condition):
    """'low' for ``x <= t``, 'high' for ``x > t`` (missing excluded), None otherwise."""
    if condition.bins.is_categorical or condition.includes_missing or not condition.value_codes:
        return None
    lower, upper = condition.bounds
    if lower is None and upper is not None:
        return "low"
    if upper is None and lower is not None:
        return "high"
    return None


def _feature_conditions(j, bins, mass, max_thresholds):
    out = []
    if bins.is_categorical:
        for code in range(bins.n_bins):
            if mass[code] > 0:
                out.append(Condition.levels(j, bins, [code]))
    else:
        cuts = _quantile_cuts(mass[: bins.n_bins], max_thresholds)
        last = bins.n_bins - 1
        for k in cuts:
            out.append(Condition.range(j, bins, 0, k))
            out.append(Condition.range(j, bins, k + 1, last))
        for k0, k1 in zip(cuts[:-1], cuts[1:]):
            out.append(Condition.range(j, bins, k0 + 1, k1))
    if mass[bins.missing_code] > 0:
        out.append(Condition.missing(j, bins))
    return out


def _quantile_cuts(mass, max_thresholds):
    """Bin boundaries k (a cut between bins k and k + 1) closest to evenly spaced weighted
    quantiles, each with training weight on both sides; at most ``max_thresholds``."""
    left = np.cumsum(mass)[:-1]
    total = float(mass.sum())
    valid = np.flatnonzero((left > 0) & (left < total))
    if len(valid) == 0:
        return []
    # Boundaries with the same weight on their left split the training rows identically: keep the
    # lowest, so the printed threshold sits just above the largest value it keeps.
    _, first = np.unique(left[valid], return_index=True)
    valid = valid[first]
    if len(valid) <= max_thresholds:
        return [int(k) for k in valid]
    targets = total * np.arange(1, max_thresholds + 1) / (max_thresholds + 1)
    picks = valid[np.abs(left[valid][None, :] - targets[:, None]).argmin(axis=1)]
    return sorted({int(k) for k in picks})


def _single_bits(codes, conditions, n_threads):
    n_samples = codes.shape[0]
    out = np.zeros((len(conditions), n_words(n_samples)), dtype=BITSET_WORD_DTYPE)
    if not conditions:
        return out
    width = max(c.bins.n_codes for c in conditions)
    accept = np.zeros((len(conditions), width), dtype=np.uint8)
    for a, condition in enumerate(conditions):
        accept[a, list(condition.codes)] = 1
    features = np.array([c.feature for c in conditions], dtype=np.intp)
    build_bitsets(np.asfortranarray(codes), features, accept, out, kernel_threads(out.size, n_threads))
    return out


def _supports(bits, sample_weight, n_threads):
    out = np.empty((bits.shape[0], 1), dtype=np.float64)
    everything = ~np.zeros(bits.shape[1], dtype=BITSET_WORD_DTYPE)
    index = np.arange(len(bits), dtype=np.intp)
    if len(sample_weight) and np.all(sample_weight == sample_weight[0]):
        # Equal weights: count set bits (a popcount per 64 rows) instead of visiting each row.
        rows = rows_to_bits(np.ones(len(sample_weight), dtype=bool))[None, :]
        masked_popcounts(bits, index, everything, rows, out, kernel_threads(bits.size, n_threads))
        return out[:, 0] * sample_weight[0]
    masked_sums(bits, index, everything, np.ascontiguousarray(sample_weight[:, None]), out,
                kernel_threads(bits.size, n_threads))
    return out[:, 0]


def _filter(bits, support, min_weight, total):
    """Indices of bitsets with enough support, not holding on every weighted row, first of
    their kind."""
    ok = (support >= min_weight) & (support > 0) & (support < total)
    unique = np.zeros(len(bits), dtype=bool)
    unique[_unique(bits)] = True
    return np.flatnonzero(ok & unique)


# Bitsets hashed and compared this many at a time in _unique (bounds its temporary memory).
_UNIQUE_BLOCK = 1 << 16


def _bitset_hashes(bits):
    """(2, n_bitsets): two 64-bit hashes of each bitset (equal bitsets, equal hashes)."""
    multipliers = np.random.default_rng(0).integers(1, 2**63, size=(2, bits.shape[1]), dtype=np.uint64) | np.uint64(1)
    hashes = np.empty((2, len(bits)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(bits), _UNIQUE_BLOCK):
            block = bits[start:start + _UNIQUE_BLOCK]
            for k in range(2):
                hashes[k, start:start + len(block)] = (block * multipliers[k]).sum(axis=1, dtype=np.uint64)
    return hashes


def _unique(bits):
    """Indices of the first occurrence of each distinct bitset, in order."""
    n = len(bits)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    # Sorting whole bitsets (kilobytes each on large data) is slow: sort two 64-bit hashes of
    # each, and compare exactly each bitset with the first of its run of equal hashes.
    hashes = _bitset_hashes(bits)
    order = np.lexsort((np.arange(n), hashes[1], hashes[0]))  # earlier bitsets first within a run
    sorted_hashes = hashes[:, order]
    starts = np.r_[True, (sorted_hashes[:, 1:] != sorted_hashes[:, :-1]).any(axis=0)]
    first = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]  # each bitset's run's first
    equal = np.ones(n, dtype=bool)
    for start in range(0, n, _UNIQUE_BLOCK):
        block = slice(start, start + _UNIQUE_BLOCK)
        equal[block] = (bits[order[block]] == bits[first[block]]).all(axis=1)
    keep = [order[starts]]
    # Runs whose two hashes collide without their bitsets being equal (expected about never with
    # 128 bits of hash): the distinct bitsets of such a run, compared one by one.
    for run_first in np.unique(first[~equal]):
        run = np.sort(order[first == run_first])
        firsts = []
        for a in run:
            if not any(np.array_equal(bits[a], bits[b]) for b in firsts):
                firsts.append(a)
        keep.append(np.asarray(firsts[1:], dtype=np.intp))  # the run's first is kept already
    return np.sort(np.concatenate(keep)).astype(np.intp)


def _is_inner_range(condition):
    if condition.bins.is_categorical or condition.includes_missing:
        return False
    lower, upper = condition.bounds
    return lower is not None and upper is not None


def _usable(conditions):
    """The single antecedents conjunctions combine. Ranges (t1 < x <= t2) already combine two
    cuts: conjunctions use the one-sided conditions, levels and missing tests only, which keeps
    their number quadratic in far fewer terms."""
    return np.array([a for a, (cond,) in enumerate(conditions) if not _is_inner_range(cond)], dtype=np.intp)


def _conjunctions(conditions, bits, support, sample_weight, min_weight, max_card, n_threads, deadline, max_bytes,
                  progress, rank=None):
    """Conjunctions of 2..max_card single antecedents on distinct features, grown one condition
    at a time from the previous level's survivors: ``(bits, members, stopped_by)``, members the
    indices of each one's singles (a row each, -1 past the last), ``stopped_by`` "deadline" or
    "room" when ``deadline`` passed or the bitsets reached ``max_bytes`` first ("": neither).
    ``rank`` (each feature's place, best first), when given, orders the pairs: those among the
    best-ranked features come first."""
    features = np.array([c[0].feature for c in conditions], dtype=np.intp)
    usable = _usable(conditions)
    out_bits, out_members = [], []
    level = usable[:, None]
    level_bits, level_support = bits[usable], support[usable]
    word_bytes = bits.shape[1] * bits.itemsize + _BYTES_PER_CONJUNCTION
    mined_bytes, n_mined, stopped_by = 0, 0, ""
    for card in range(2, max_card + 1):
        next_level, next_bits, n_next = [], [], 0
        stacked = np.ascontiguousarray(np.concatenate([level_bits, bits]))  # [level..., singles...]
        chunks = (_ranked_pair_chunks(usable, features, rank) if card == 2 and rank is not None
                  else _extension_chunks(level, usable, features))
        for chunk in chunks:
            late = time.perf_counter() > deadline
            if late or mined_bytes + len(chunk) * word_bytes > max_bytes:
                stopped_by = "deadline" if late else "room"
                break
            index = np.column_stack([chunk[:, 0], len(level_bits) + chunk[:, 1]])
            conj = np.empty((len(chunk), bits.shape[1]), dtype=BITSET_WORD_DTYPE)
            and_pairs(stacked, np.ascontiguousarray(index), conj, kernel_threads(conj.size, n_threads))
            conj_support = _supports(conj, sample_weight, n_threads)
            # A conjunction no smaller than one of its parts is that part again: drop it.
            smaller = (conj_support < level_support[chunk[:, 0]]) & (conj_support < support[chunk[:, 1]])
            kept = np.flatnonzero((conj_support >= min_weight) & (conj_support > 0) & smaller)
            next_level.append(np.column_stack([level[chunk[kept, 0]], chunk[kept, 1]]))
            next_bits.append(conj[kept])
            n_next += len(kept)
            mined_bytes += len(kept) * word_bytes
            progress(lambda: f"mining conjunctions of {card} conditions: {n_mined + n_next:,} kept so far")
        if n_next:
            level_bits = np.ascontiguousarray(np.concatenate(next_bits))
            level_support = _supports(level_bits, sample_weight, n_threads)
            level = np.concatenate(next_level)
            n_mined += n_next
            out_members.append(level)
            out_bits.append(level_bits)
        if not n_next or stopped_by:
            break
    if not out_members:
        return None, NO_MEMBERS, stopped_by
    width = out_members[-1].shape[1]
    members = np.concatenate([np.pad(m, ((0, 0), (0, width - m.shape[1])), constant_values=-1) for m in out_members])
    return np.concatenate(out_bits), members, stopped_by


def _ranked_pair_chunks(usable, features, rank):
    """``(index into usable, single)`` pairs of usable singles on distinct features, by the
    worse-ranked feature of the two (then the single's index), ``_PAIR_CHUNK`` at a time: every
    pair among the best k features comes before any with the (k+1)-th. Members stay in index
    order, as ``_extension_chunks`` makes them."""
    order = usable[np.lexsort((usable, rank[features[usable]]))]

    def blocks():
        for k in range(1, len(order)):
            earlier = order[:k][features[order[:k]] != features[order[k]]]
            if earlier.size:
                first = np.minimum(earlier, order[k])
                yield np.column_stack([np.searchsorted(usable, first), np.maximum(earlier, order[k])])

    return _in_chunks(blocks())


def _extension_chunks(level, usable, features):
    """``(index into level, single)`` pairs extending each conjunction of ``level`` by a later
    usable single on a feature it does not test, in order, ``_PAIR_CHUNK`` at a time: generated
    as they are needed, never all at once (there can be billions)."""

    def blocks():
        for i, members in enumerate(level):
            later = usable[usable > members[-1]]
            later = later[~np.isin(features[later], features[list(members)])]
            if later.size:
                yield np.column_stack([np.full(later.size, i, dtype=np.intp), later])

    return _in_chunks(blocks())


def _in_chunks(blocks):
    """The rows of the arrays ``blocks`` yields, ``_PAIR_CHUNK`` at a time (the last chunk may be
    shorter), reading the blocks only as the chunks are asked for."""
    pending, size = [], 0
    for block in blocks:
        pending.append(block)
        size += len(block)
        while size >= _PAIR_CHUNK:
            joined = np.concatenate(pending)
            yield joined[:_PAIR_CHUNK]
            rest = joined[_PAIR_CHUNK:]
            pending, size = ([rest] if len(rest) else []), len(rest)
    if size:
        yield np.concatenate(pending)
