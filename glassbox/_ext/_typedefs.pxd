# C types shared by every glassbox kernel, each with the reason for its width.
# _typedefs.pyx holds the NumPy twin of each, for the Python side that allocates the arrays.

from libc.stdint cimport int8_t, uint8_t, uint16_t, int32_t, int64_t, uint64_t

# Raw feature values: float64, so a threshold compares exactly as it prints in Python.
ctypedef double X_DTYPE_C

# Bin codes: uint8 keeps the binned matrix 8x smaller than float64 and fits a feature's value
# bins (at most 254) plus its missing and unseen codes.
ctypedef uint8_t BIN_CODE_C

# Offsets into concatenated per-feature arrays: int64, so offsets never overflow on wide data.
ctypedef int64_t OFFSET_C

# Row bitsets of rule antecedents: 64 rows per word, so AND / ANDNOT / popcount handle 64 rows
# per instruction (CORELS's representation).
ctypedef uint64_t BITSET_WORD_C

# Per-row statistics summed into tree histograms (counts, class weights, y sums): float64, so
# sums over millions of weighted rows stay exact enough to compare split costs.
ctypedef double STAT_C

# Raw scores, gradients, hessians and histogram sums: float64, so sums over millions of rows
# stay accurate and add up in one fixed order (bit-identical whatever the thread count).
ctypedef double Y_DTYPE_C

# A GAM pair term's cell (coarse code of the first feature * codes of the second + coarse code
# of the second): 16 bits hold every cell of two 256-code features.
ctypedef uint16_t CELL_CODE_C

# Row indices into the shared binned matrix (a bag's training or validation rows).
ctypedef Py_ssize_t INDEX_C

# Signed 8-bit flags: monotonic constraints (-1/0/+1) and term kinds.
ctypedef int8_t FLAG_C

# One histogram entry of a GAM term: the gradient and hessian sums of the rows in one cell (and
# class). Kernels read entry.grad / entry.hess instead of computing offsets into a flat array.
ctypedef struct GradHess:
    Y_DTYPE_C grad
    Y_DTYPE_C hess

# What a GAM term is to the boosting kernel: one record per term of a stage (built in
# glassbox/gam/_boosting.py from TERM_DTYPE).
cpdef enum TermKind:
    CONTINUOUS = 0     # a main effect whose steps are runs of neighbouring bins
    CATEGORICAL = 1    # a main effect whose steps group levels in any order
    PAIR = 2           # a pair's cell grid: depth-2 steps
    UNORDERED = 3      # a continuous main effect whose steps group bins in any order, as CATEGORICAL

ctypedef struct TermSpec:
    INDEX_C column         # the column of the stage's code matrix the term reads
    INDEX_C n_a            # codes of its (first) feature
    INDEX_C n_b            # codes of its second feature (1 for a main effect)
    INDEX_C cell_offset    # its first cell among the stage's cells (its table starts n_scores times that)
    FLAG_C kind            # a TermKind
    FLAG_C monotonic       # -1/0/+1 (main effects)
