"""The GAM losses' ids for Python (``LossId``), and their kernel formulas callable row by row:
for comparing them with their NumPy twins in tests, and for a bag's starting validation loss
(``glassbox._losses.Loss.mean_loss``). The formulas are in ``_gam_loss.pxd``."""

import numpy as np


def gradients_rows(
    const Y_DTYPE_C[:, ::1] raw,       # IN: (n, n_scores) raw scores
    const Y_DTYPE_C[::1] y,            # IN: targets (class index for softmax)
    const Y_DTYPE_C[::1] w,            # IN: weights
    LossId loss,
):
    """``(gradients, hessians, losses)`` of every row, as the boosting kernel computes them."""
    cdef INDEX_C i, n = raw.shape[0], n_scores = raw.shape[1]
    cdef Y_DTYPE_C[:, ::1] g = np.zeros((n, n_scores)), h = np.zeros((n, n_scores))
    cdef Y_DTYPE_C[::1] values = np.zeros(n)
    with nogil:
        for i in range(n):
            gradients(&raw[i, 0], y[i], w[i], loss, n_scores, &g[i, 0], &h[i, 0])
            values[i] = loss_value(&raw[i, 0], y[i], w[i], loss, n_scores)
    return np.asarray(g), np.asarray(h), np.asarray(values)
