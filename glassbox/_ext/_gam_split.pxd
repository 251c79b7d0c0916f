# Split search on one GAM term's histogram, shared by the boosting loop and interaction ranking.

from glassbox._ext._typedefs cimport GradHess, Y_DTYPE_C, INDEX_C, FLAG_C

cdef struct StepParams:
    Y_DTYPE_C learning_rate
    Y_DTYPE_C l2                # added to every leaf's hessian sum
    Y_DTYPE_C min_hessian       # a leaf needs at least this hessian sum
    INDEX_C min_samples_leaf    # and at least this many training rows
    INDEX_C max_leaves          # value-bin leaves of a main-effect step

cpdef INDEX_C main_work_size(INDEX_C n_codes, INDEX_C max_leaves) noexcept nogil
cpdef INDEX_C main_fwork_size(INDEX_C n_codes, INDEX_C max_leaves) noexcept nogil
cpdef INDEX_C pair_fwork_size(INDEX_C n_a, INDEX_C n_b) noexcept nogil

cdef void main_step(
    const GradHess* hist,       # IN: gradient and hessian sums per code, stride `stride`
    const INDEX_C* counts,      # IN: training rows per code
    INDEX_C n_codes,            # value bins + missing + unseen
    INDEX_C stride,             # entries between consecutive codes' sums in hist
    INDEX_C out_stride,         # between consecutive codes in out
    FLAG_C kind,                # CONTINUOUS, CATEGORICAL or UNORDERED (a TermKind)
    FLAG_C monotonic,
    StepParams* params,
    INDEX_C* work,              # scratch: main_work_size(n_codes, max_leaves)
    Y_DTYPE_C* fwork,           # scratch: main_fwork_size(n_codes, max_leaves)
    Y_DTYPE_C* out,             # OUT: the step's score change per code, stride `stride`
) noexcept nogil

cdef Y_DTYPE_C pair_step(
    const GradHess* hist,       # IN: gradient and hessian sums per cell, stride `stride`
    const INDEX_C* counts,      # IN: training rows per cell
    INDEX_C n_a,                # codes of the first feature (rows of the cell grid)
    INDEX_C n_b,                # codes of the second feature
    INDEX_C stride,             # entries between consecutive cells' sums in hist
    INDEX_C out_stride,         # between consecutive codes in out
    StepParams* params,
    Y_DTYPE_C* fwork,           # scratch: pair_fwork_size(n_a, n_b)
    Y_DTYPE_C* out,             # OUT (may be NULL): score change per cell, stride `stride`
) noexcept nogil
