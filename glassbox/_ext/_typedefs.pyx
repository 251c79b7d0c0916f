"""NumPy twins of the C types in ``_typedefs.pxd``: allocate arrays with these so kernels get
exactly the types they declare."""

import numpy as np

X_DTYPE = np.float64
BIN_CODE_DTYPE = np.uint8
OFFSET_DTYPE = np.int64
BITSET_WORD_DTYPE = np.uint64

# Largest number of value bins per feature: 256 uint8 codes less one missing and one unseen code.
MAX_VALUE_BINS = 254
STAT_DTYPE = np.float64
Y_DTYPE = np.float64
CELL_CODE_DTYPE = np.uint16
INDEX_DTYPE = np.intp
FLAG_DTYPE = np.int8

GRAD_HESS_DTYPE = np.dtype([("grad", np.float64), ("hess", np.float64)])

cdef TermSpec _term_spec
# The structured twin, taken from the C struct itself so the layouts cannot drift.
TERM_DTYPE = np.asarray(<TermSpec[:1]>(&_term_spec)).dtype
