# Per-bitset statistics shared by the bitset kernels and the rule-list branch-and-bound.

from glassbox._ext._typedefs cimport BITSET_WORD_C

# out[g] = |a & mask & groups[g]| for g < n_groups (groups row-major, n_words words each).
cdef void count_masked(
    const BITSET_WORD_C* a, const BITSET_WORD_C* mask, const BITSET_WORD_C* groups,
    Py_ssize_t n_words, Py_ssize_t n_groups, double* out,
) noexcept nogil

# out[v] = sum of values[i, v] over the rows i set in a & mask (values row-major, n_values wide).
cdef void sum_masked(
    const BITSET_WORD_C* a, const BITSET_WORD_C* mask, const double* values,
    Py_ssize_t n_words, Py_ssize_t n_values, double* out,
) noexcept nogil

# Writes the indices of the rows set in mask to out (room for every row); returns how many.
cdef Py_ssize_t set_rows(const BITSET_WORD_C* mask, Py_ssize_t n_words, Py_ssize_t* out) noexcept nogil
