"""Gradient/hessian histograms over cells, summed in fixed row chunks for reproducibility.

Used to rank candidate pair terms (a pair's cells are its two coarse codes combined). Each chunk
of ``CHUNK_ROWS`` rows fills its own histogram and chunks are added in chunk order, so the float
sums do not depend on the number of threads.
"""

import numpy as np

from cython.parallel cimport prange
from libc.string cimport memset

from glassbox._ext._typedefs cimport CELL_CODE_C, Y_DTYPE_C, INDEX_C

cdef INDEX_C CHUNK_ROWS = 8192


def build_histogram(
    const CELL_CODE_C[::1] cells,      # IN: cell of each row
    const Y_DTYPE_C[::1] gradients,    # IN: gradient of each row
    const Y_DTYPE_C[::1] hessians,     # IN: hessian of each row
    Y_DTYPE_C[:, ::1] out,             # OUT: (n_cells, 3): gradient sum, hessian sum, row count
    int n_threads,
):
    cdef:
        INDEX_C n = cells.shape[0], n_cells = out.shape[0]
        INDEX_C n_chunks = (n + CHUNK_ROWS - 1) // CHUNK_ROWS
        INDEX_C c, i, j, start, stop, cell
        Y_DTYPE_C acc
        Y_DTYPE_C* buf
    cdef Y_DTYPE_C[::1] chunks = np.zeros(max(1, n_chunks) * n_cells * 3, dtype=np.float64)
    n_threads = max(1, min(n_threads, n_chunks))
    with nogil:
        for c in prange(n_chunks, schedule="static", num_threads=n_threads):
            buf = &chunks[c * n_cells * 3]
            start = c * CHUNK_ROWS
            stop = min(start + CHUNK_ROWS, n)
            for i in range(start, stop):
                cell = cells[i]
                buf[cell * 3] += gradients[i]
                buf[cell * 3 + 1] += hessians[i]
                buf[cell * 3 + 2] += 1
        for j in prange(n_cells * 3, schedule="static", num_threads=n_threads):
            acc = 0
            for c in range(n_chunks):
                acc = acc + chunks[c * n_cells * 3 + j]
            out[j // 3, j % 3] = acc
