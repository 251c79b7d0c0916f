# Gradient/hessian histograms of GAM terms over row chunks: the pass of a boosting step that
# builds one term's histogram, and the reduction of per-chunk sums in chunk order (so the sums,
# hence the model, do not depend on the thread count). _gam_histogram.pyx says how.

from glassbox._ext._typedefs cimport BIN_CODE_C, CELL_CODE_C, GradHess, INDEX_C, Y_DTYPE_C
from glassbox._ext._gam_loss cimport LossId

# Rows per chunk: large enough that adding the per-chunk histograms is cheap next to filling
# them, small enough that mid-sized data still spreads over two threads. The pair ranking
# (_gam_rank.pyx) sums in the same chunks.
cdef enum:
    CHUNK_ROWS = 8192

ctypedef fused code_t:
    BIN_CODE_C      # main effects: a feature's bin codes
    CELL_CODE_C     # pairs: cells of a pair's grid

cdef struct BagRows:
    # One bag's training rows and their state across the steps of a stage.
    const INDEX_C* rows         # row of the code matrix of each training row
    const Y_DTYPE_C* y          # target per training row (class index for softmax)
    const Y_DTYPE_C* w          # weight per training row
    Y_DTYPE_C* scores           # (n, n_scores) raw scores, row-major
    GradHess* row_gh            # one score: each row's gradient and hessian (scratch)
    Y_DTYPE_C* row_exp          # log loss: exp(-score) of each row, kept across steps; softmax:
                                # (n, n_scores) exp(score - the row's largest at the last refresh)
    Y_DTYPE_C* chunk_gh         # several scores: 2 * n_scores scratch values per chunk
    INDEX_C n
    INDEX_C n_scores
    LossId loss
    bint count_hessians         # squared error, every weight 1: a cell's hessian sum is its row
                                # count, which the caller fills in; the pass adds gradients only

cdef struct Chunks:
    # Rows split in fixed chunks, each with its own histogram buffer of `stride` entries.
    INDEX_C rows                # rows per chunk
    INDEX_C count               # number of chunks
    INDEX_C stride              # histogram entries per chunk buffer

cdef struct PendingStep:
    # The previous step of the stage: not yet added to the scores, it is added by the next pass.
    INDEX_C column              # the code column it reads; -1: none yet
    const Y_DTYPE_C* values     # its score change per cell (and score)
    const Y_DTYPE_C* exp_minus  # log loss: exp(-change) per cell; softmax: exp(+change) per cell and score
    bint refresh                # log loss, softmax: recompute the exps from the scores (drift control)

cdef Chunks chunking(INDEX_C n_rows, INDEX_C stride) noexcept nogil

cdef void term_histogram(
    const code_t[::1, :] codes,  # IN: the stage's code matrix
    BagRows* bag,                # IN/OUT: scores take the pending step; row scratch
    const PendingStep* pending,  # IN
    INDEX_C column,              # IN: the term's column of codes
    INDEX_C n_entries,           # IN: cells x scores of the term
    const Chunks* chunks,        # IN
    GradHess* chunk_hist,        # scratch: chunks.count x chunks.stride entries
    GradHess* hist,              # OUT: n_entries (chunks.stride: with one chunk, also its buffer)
    int n_threads,
) noexcept nogil

cdef void sum_chunks(
    const Y_DTYPE_C* chunks,     # IN: n_chunks buffers of `stride` values
    INDEX_C n_chunks,
    INDEX_C stride,
    INDEX_C size,                # IN: values to sum in each buffer
    Y_DTYPE_C* out,              # OUT: size values
    int n_threads,
) noexcept nogil
