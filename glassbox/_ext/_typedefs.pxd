# C types shared by every glassbox kernel, each with the reason for its width.
# _typedefs.pyx holds the NumPy twin of each, for the Python side that allocates the arrays.

from libc.stdint cimport uint8_t, int32_t, int64_t, uint64_t

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
