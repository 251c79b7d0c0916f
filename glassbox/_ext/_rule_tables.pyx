"""Contingency tables of the rows a rule-list prefix leaves: every candidate rule of one or two
conditions is scored from them without visiting its rows.

Summing per-row values over each candidate's rows (``_bitset.sum_masked``) visits every captured
row once per candidate; with a numeric target or weights of many distinct values that is nearly
all of a search's time. Here the rows left are visited once per *table* instead: a feature's
table sums them by the feature's atom (a class of codes that no condition on the feature tells
apart), a pair of features' table by the cell (atom of the first, atom of the second), and a
candidate's statistics are the sum of the cells it covers, in ascending order.
``glassbox/rules/_tables.py`` decides which candidates are scored this way; this file computes.
"""

from libc.stdint cimport int32_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset
from cython.parallel cimport prange

import numpy as np

from glassbox._ext._bitset cimport set_rows, sum_masked
from glassbox._ext._typedefs cimport BIN_CODE_C, BITSET_WORD_C


cdef class CandidateTables:
    """Tables over the rows of the last ``prepare``, and each tabled candidate's cells.

    Table t (``table_spec[t]``: first, second, stride, offset, size) counts row i in cell
    ``offset + atoms[i, first] * stride + atoms[i, second]``: a one-feature table has ``second ==
    first`` and stride 0. One object per
    search (its tables are its state); ``fill`` is the Python entry point.
    """

    def __cinit__(self, const BIN_CODE_C[:, ::1] atoms, const double[:, ::1] values,
                  const Py_ssize_t[:, ::1] table_spec, const Py_ssize_t[::1] ant_table,
                  const Py_ssize_t[::1] cell_start, const int32_t[::1] cells, Py_ssize_t n_cells):
        cdef Py_ssize_t t, a, j
        # Every index is checked here, with the GIL, so the kernels never read out of bounds.
        if values.shape[0] != atoms.shape[0]:
            raise ValueError(f"values for {values.shape[0]} rows, atoms for {atoms.shape[0]}")
        if table_spec.shape[0] > 0 and table_spec.shape[1] != 5:
            raise ValueError("a table is (first, second, stride, offset, size)")
        if cell_start.shape[0] != ant_table.shape[0] + 1:
            raise ValueError(f"{cell_start.shape[0]} cell starts for {ant_table.shape[0]} antecedents")
        if n_cells < 0 or <double>n_cells * values.shape[1] > 1e10:
            raise ValueError(f"{n_cells} cells of {values.shape[1]} statistics")
        highest = np.asarray(atoms).max(axis=0) if atoms.shape[0] else np.zeros(atoms.shape[1], dtype=np.intp)
        sizes = np.zeros(table_spec.shape[0], dtype=np.intp)
        for t in range(table_spec.shape[0]):
            if not (0 <= table_spec[t, 0] < atoms.shape[1] and 0 <= table_spec[t, 1] < atoms.shape[1]
                    and table_spec[t, 2] >= 0 and table_spec[t, 3] >= 0 and table_spec[t, 4] >= 0
                    and table_spec[t, 3] + table_spec[t, 4] <= n_cells):
                raise ValueError(f"table {t} reads columns or cells out of range")
            if (highest[table_spec[t, 0]] * table_spec[t, 2] + highest[table_spec[t, 1]] >= table_spec[t, 4]
                    or (table_spec[t, 2] > 0 and highest[table_spec[t, 1]] >= table_spec[t, 2])):
                raise ValueError(f"table {t}: a row's cell falls outside it")
            sizes[t] = table_spec[t, 4]
        for a in range(ant_table.shape[0]):
            if not -1 <= ant_table[a] < table_spec.shape[0]:
                raise ValueError(f"antecedent {a} is scored by table {ant_table[a]} of {table_spec.shape[0]}")
            if not 0 <= cell_start[a] <= cell_start[a + 1] <= cells.shape[0]:
                raise ValueError(f"antecedent {a}'s cells run out of range")
            if ant_table[a] >= 0:
                for j in range(cell_start[a], cell_start[a + 1]):
                    if not 0 <= cells[j] < sizes[ant_table[a]]:
                        raise ValueError(f"antecedent {a} covers cell {cells[j]} outside its table")
        self.atoms = atoms
        self.values = values
        self.ant_table = ant_table
        self.cell_start = cell_start
        self.cells = cells
        self.n_samples = atoms.shape[0]
        self.n_words = (self.n_samples + 63) // 64
        self.n_stats = values.shape[1]
        self.n_tables = table_spec.shape[0]
        self.n_cells = n_cells
        self.n_antecedents = ant_table.shape[0]
        self.first = <Py_ssize_t*>malloc(max(self.n_tables, 1) * sizeof(Py_ssize_t))
        self.second = <Py_ssize_t*>malloc(max(self.n_tables, 1) * sizeof(Py_ssize_t))
        self.stride = <Py_ssize_t*>malloc(max(self.n_tables, 1) * sizeof(Py_ssize_t))
        self.offset = <Py_ssize_t*>malloc(max(self.n_tables, 1) * sizeof(Py_ssize_t))
        self.sums = <double*>malloc(max(n_cells * self.n_stats, 1) * sizeof(double))
        self.rows = <Py_ssize_t*>malloc(max(self.n_samples, 1) * sizeof(Py_ssize_t))
        if (self.first == NULL or self.second == NULL or self.stride == NULL or self.offset == NULL
                or self.sums == NULL or self.rows == NULL):
            raise MemoryError("the rule list's candidate tables could not be allocated")
        for t in range(self.n_tables):
            self.first[t] = table_spec[t, 0]
            self.second[t] = table_spec[t, 1]
            self.stride[t] = table_spec[t, 2]
            self.offset[t] = table_spec[t, 3]
        memset(self.sums, 0, max(n_cells * self.n_stats, 1) * sizeof(double))

    def __dealloc__(self):
        free(self.first)
        free(self.second)
        free(self.stride)
        free(self.offset)
        free(self.sums)
        free(self.rows)

    cdef void prepare(self, const BITSET_WORD_C* mask) noexcept nogil:
        """Fill the tables with the rows set in ``mask`` (row order, so sums are reproducible)."""
        cdef Py_ssize_t r, t, k, n_rows, n_stats = self.n_stats
        cdef const BIN_CODE_C* at
        cdef const double* v
        cdef double* cell
        memset(self.sums, 0, self.n_cells * n_stats * sizeof(double))
        if self.n_tables == 0:
            return
        n_rows = set_rows(mask, self.n_words, self.rows)
        for r in range(n_rows):
            at = &self.atoms[self.rows[r], 0]
            v = &self.values[self.rows[r], 0]
            for t in range(self.n_tables):
                cell = &self.sums[(self.offset[t] + at[self.first[t]] * self.stride[t] + at[self.second[t]]) * n_stats]
                for k in range(n_stats):
                    cell[k] += v[k]

    cdef bint tabled(self, Py_ssize_t a) noexcept nogil:
        """Whether antecedent ``a`` is scored from the tables (else row by row)."""
        return self.ant_table[a] >= 0

    cdef void stats(self, Py_ssize_t a, double* out) noexcept nogil:
        """Statistics of a tabled antecedent's rows among the prepared ones."""
        cdef Py_ssize_t j, k, n_stats = self.n_stats
        cdef const double* cell
        cdef Py_ssize_t base = self.offset[self.ant_table[a]]
        for k in range(n_stats):
            out[k] = 0.0
        for j in range(self.cell_start[a], self.cell_start[a + 1]):
            cell = &self.sums[(base + self.cells[j]) * n_stats]
            for k in range(n_stats):
                out[k] += cell[k]

    def fill(self, const BITSET_WORD_C[:, ::1] bits, const BITSET_WORD_C[::1] mask, double[:, ::1] out,
             int n_threads):
        """``out[a]``: statistics of antecedent a's rows within ``mask``, for every antecedent
        (``bits`` its rows): from the tables where tabled, else summed row by row."""
        cdef Py_ssize_t a
        if bits.shape[0] != self.n_antecedents or out.shape[0] != self.n_antecedents:
            raise ValueError(f"{bits.shape[0]} bitsets and {out.shape[0]} outputs for {self.n_antecedents} antecedents")
        if bits.shape[1] != self.n_words or mask.shape[0] != self.n_words or out.shape[1] != self.n_stats:
            raise ValueError("bitsets, mask or output of the wrong width")
        if self.n_antecedents == 0:
            return
        if self.n_words == 0 or self.n_stats == 0:
            out[:, :] = 0.0
            return
        with nogil:
            self.prepare(&mask[0])
        for a in prange(self.n_antecedents, schedule="static", nogil=True, num_threads=n_threads):
            if self.tabled(a):
                self.stats(a, &out[a, 0])
            else:
                sum_masked(&bits[a, 0], &mask[0], &self.values[0, 0], self.n_words, self.n_stats, &out[a, 0])
