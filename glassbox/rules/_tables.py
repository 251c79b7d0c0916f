"""Which candidate rules the rule-list search scores from contingency tables of the rows a prefix
leaves (``glassbox/_ext/_rule_tables.pyx``) instead of summing their rows one by one.

Summing rows is the search's cost when the statistics cannot be counted 64 rows at a time (a
numeric target, or weights of many distinct values): every candidate visits every row it
captures, at every expansion. A table visits each row left once and serves every candidate on its
features: a feature's table holds the rows by *atom* (codes that no condition on the feature tells
apart: the ranges between its cuts, a level, missing), a pair of features' table by pair of atoms,
and a candidate is the sum of the cells it covers. Conjunctions of three conditions, and pairs of
features with too many cells or too few candidates to repay a table, keep the row sums.

A table is worth building when the rows its candidates would visit, less the cells they read,
exceed the rows the table visits (the training rows: both shrink alike as rows are captured).
"""

from dataclasses import dataclass

import numpy as np

from glassbox._ext._rule_tables import CandidateTables
from glassbox.rules._antecedents import NO_MEMBERS

# A pair of features gets a table of at most this many cells (32 x 32 atoms; eight cuts make 9
# atoms, 10 with missing values, so only many-level categorical features exceed it); beyond, its
# candidates sum their rows.
MAX_TABLE_CELLS = 1024
# The tables' cells and the candidates' cell lists stay within this many bytes (64 MiB).
MAX_TABLE_BYTES = 1 << 26


@dataclass(frozen=True)
class TablePlan:
    """What ``CandidateTables`` needs, independent of the statistics summed.

    Attributes
    ----------
    atoms : ndarray of uint8, shape (n_samples, n_features_tabled)
        Each row's atom on each feature some table reads.
    table_spec : ndarray of intp, shape (n_tables, 5)
        Per table: atoms column of its first feature, of its second (the first again for a
        one-feature table), the second's atom count (0 for one feature), first cell, cells.
    ant_table : ndarray of intp, shape (n_antecedents,)
        The table scoring each antecedent, or -1 (its rows are summed).
    cell_start : ndarray of intp, shape (n_antecedents + 1,)
        Antecedent a covers ``cells[cell_start[a]:cell_start[a + 1]]`` of its table.
    cells : ndarray of int32
        Those cells, ascending per antecedent.
    """

    atoms: np.ndarray
    table_spec: np.ndarray
    ant_table: np.ndarray
    cell_start: np.ndarray
    cells: np.ndarray

    @property
    def n_cells(self):
        """Cells of all tables."""
        return int(self.table_spec[:, 4].sum())

    @property
    def n_tabled(self):
        """Antecedents scored from the tables."""
        return int((self.ant_table >= 0).sum())

    def tables(self, values):
        """A fresh kernel object over per-row statistics ``values`` (n_samples, n_stats)."""
        return CandidateTables(self.atoms, np.ascontiguousarray(values, dtype=np.float64), self.table_spec,
                               self.ant_table, self.cell_start, self.cells, self.n_cells)


def plan_tables(conditions, bits, codes, n_stats):
    """The tables worth building for antecedents ``conditions`` (as ``Antecedents.conditions``:
    a sequence of tuples of ``Condition``, or the mining's lazy ``_Conditions``) with row bitsets
    ``bits`` over the binned ``codes``, summing ``n_stats`` statistics per cell."""
    n_samples = codes.shape[0]
    singles, members = _singles_and_members(conditions)
    support = np.bitwise_count(bits).sum(axis=1, dtype=np.int64)
    features = np.array([cond.feature for (cond,) in singles], dtype=np.intp)
    on = {int(j): np.flatnonzero(features == j) for j in np.unique(features)}  # singles per feature
    atom_of, accepts = _atoms(singles, on)
    # A condition's row in its feature's ``accepts``, and how many atoms it accepts.
    rank = np.zeros(len(singles), dtype=np.intp)
    n_accepted = np.zeros(len(singles), dtype=np.int64)
    for j, on_j in on.items():
        rank[on_j] = np.arange(len(on_j))
        n_accepted[on_j] = accepts[j].sum(axis=1)
    # Candidate tables as (benefit, first feature, second or -1, antecedents, their members):
    # the benefit is known before any cell is listed, so only the chosen tables list theirs.
    candidates = [(_benefit(support[on_j], n_accepted[on_j], n_samples), j, -1, on_j, on_j[:, None])
                  for j, on_j in on.items()]
    is_pair = (members[:, 2:] < 0).all(axis=1)
    if is_pair.any():
        ids = len(singles) + np.flatnonzero(is_pair)
        m = members[is_pair, :2]
        m = np.where((features[m[:, 0]] < features[m[:, 1]])[:, None], m, m[:, ::-1])  # lower feature first
        f0, f1 = features[m[:, 0]], features[m[:, 1]]
        order = np.lexsort((ids, f1, f0))
        ids, m, f0, f1 = ids[order], m[order], f0[order], f1[order]
        starts = np.flatnonzero(np.r_[True, (f0[1:] != f0[:-1]) | (f1[1:] != f1[:-1])])
        n_atoms = np.array([accepts[int(j)].shape[1] for j in f0[starts]]) * \
            np.array([accepts[int(j)].shape[1] for j in f1[starts]])
        benefit = (np.add.reduceat(support[ids], starts) - np.add.reduceat(n_accepted[m[:, 0]] * n_accepted[m[:, 1]], starts)
                   - n_samples)
        stops = np.r_[starts[1:], len(ids)]
        for g in np.flatnonzero((benefit > 0) & (n_atoms <= MAX_TABLE_CELLS)):
            block = slice(starts[g], stops[g])
            candidates.append((int(benefit[g]), int(f0[starts[g]]), int(f1[starts[g]]), ids[block], m[block]))
    chosen, n_bytes = [], 0
    for benefit, j0, j1, ids, parts in sorted(candidates, key=lambda t: (-t[0], t[1], t[2])):
        if benefit <= 0:
            break
        table = _table(j0, j1, ids, accepts[j0][rank[parts[:, 0]]], None if j1 < 0 else accepts[j1][rank[parts[:, 1]]])
        cost = table.size * n_stats * 8 + table.cells.nbytes
        if n_bytes + cost <= MAX_TABLE_BYTES:
            chosen.append(table)
            n_bytes += cost
    return _assemble(chosen, atom_of, codes, len(bits))


def _benefit(support, cells, n_samples):
    """Rows a table's candidates would visit, less the cells they read and the rows it visits."""
    return int(support.sum()) - int(cells.sum()) - n_samples


def _singles_and_members(conditions):
    """Single antecedents' conditions (1-tuples) and each conjunction's members (indices of its
    singles, a row each, -1 past the last), from either form of ``Antecedents.conditions``."""
    if hasattr(conditions, "members"):
        return conditions.singles, conditions.members
    singles = [c for c in conditions if len(c) == 1]
    if len(singles) != len(conditions):
        raise ValueError("conjunctions need their members: pass the mining's conditions")
    return singles, NO_MEMBERS


def _atoms(singles, on):
    """Per feature (``on``: its single antecedents): the atom of each code (codes every single
    condition on the feature treats alike share one), and which atoms each of its conditions
    accepts, (n_conditions, n_atoms)."""
    atom_of, accepts = {}, {}
    for j, on_j in on.items():
        accept = np.array([singles[a][0].lookup() for a in on_j])  # (n_conditions, n_codes)
        patterns, atom = np.unique(accept.T, axis=0, return_inverse=True)
        atom_of[j] = atom.reshape(-1).astype(np.uint8)
        accepts[j] = np.ascontiguousarray(patterns.T)  # (n_conditions, n_atoms)
    return atom_of, accepts


@dataclass
class _Table:
    first: int          # its features (second -1: a one-feature table)
    second: int
    stride: int         # atoms of the second feature (0: one feature)
    ids: np.ndarray     # the antecedents it scores
    counts: np.ndarray  # cells each covers
    cells: np.ndarray   # their cells, concatenated, ascending per antecedent
    size: int           # its cells


def _table(j0, j1, ids, accept0, accept1):
    """The table of features ``j0`` (and ``j1``: -1 for none) for the antecedents ``ids``, whose
    conditions accept the atoms ``accept0`` (and ``accept1``: a pair's second condition)."""
    if accept1 is None:
        covered, stride = accept0, 0
    else:
        covered, stride = (accept0[:, :, None] & accept1[:, None, :]).reshape(len(ids), -1), accept1.shape[1]
    counts = covered.sum(axis=1)
    cells = np.nonzero(covered)[1].astype(np.int32)  # row-major: ascending within each antecedent
    return _Table(int(j0), int(j1), stride, ids, counts, cells, covered.shape[1])


def _assemble(chosen, atom_of, codes, n_ant):
    """The plan of the ``chosen`` tables."""
    chosen.sort(key=lambda t: (t.second >= 0, t.first, t.second))  # one-feature tables first, by feature
    used = sorted({t.first for t in chosen} | {t.second for t in chosen if t.second >= 0})
    column = {j: k for k, j in enumerate(used)}
    atoms = np.empty((codes.shape[0], len(used)), dtype=np.uint8)
    for j, k in column.items():
        atoms[:, k] = atom_of[j][codes[:, j]]
    ant_table = np.full(n_ant, -1, dtype=np.intp)
    counts = np.zeros(n_ant, dtype=np.intp)
    spec = np.zeros((len(chosen), 5), dtype=np.intp)
    offset = 0
    for t, table in enumerate(chosen):
        second = table.second if table.second >= 0 else table.first
        spec[t] = (column[table.first], column[second], table.stride, offset, table.size)
        ant_table[table.ids] = t
        counts[table.ids] = table.counts
        offset += table.size
    cell_start = np.zeros(n_ant + 1, dtype=np.intp)
    np.cumsum(counts, out=cell_start[1:])
    cells = np.zeros(cell_start[-1], dtype=np.int32)
    for table in chosen:
        within = np.arange(len(table.cells)) - np.repeat(np.cumsum(table.counts) - table.counts, table.counts)
        cells[np.repeat(cell_start[table.ids], table.counts) + within] = table.cells
    return TablePlan(np.ascontiguousarray(atoms), spec, ant_table, cell_start, cells)
