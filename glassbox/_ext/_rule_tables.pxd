# Contingency tables of the rows a rule-list prefix leaves (see _rule_tables.pyx), shared with
# the rule-list branch-and-bound.

from libc.stdint cimport int32_t

from glassbox._ext._typedefs cimport BIN_CODE_C, BITSET_WORD_C


cdef class CandidateTables:
    cdef:
        const BIN_CODE_C[:, ::1] atoms      # (n_samples, n_features) each row's atom per feature
        const double[:, ::1] values         # (n_samples, n_stats) per-row statistics
        const Py_ssize_t[::1] ant_table     # (n_antecedents,) the table scoring a, or -1
        const Py_ssize_t[::1] cell_start    # (n_antecedents + 1,) a's cells: cells[start[a]:start[a+1]]
        const int32_t[::1] cells            # cells of its table an antecedent covers, ascending
        Py_ssize_t* first                   # per table: atoms column of its first feature
        Py_ssize_t* second                  # ... of its second (the first again for one feature)
        Py_ssize_t* stride                  # ... atoms of the second feature (0 for one feature)
        Py_ssize_t* offset                  # ... its first cell among all tables' cells
        double* sums                        # (n_cells, n_stats) the tables of the prepared rows
        Py_ssize_t* rows                    # scratch: the prepared rows
        Py_ssize_t n_samples, n_words, n_stats, n_tables, n_cells, n_antecedents

    cdef void prepare(self, const BITSET_WORD_C* mask) noexcept nogil
    cdef bint tabled(self, Py_ssize_t a) noexcept nogil
    cdef void stats(self, Py_ssize_t a, double* out) noexcept nogil
