"""The region loss of ``_regions.pxd`` callable on many regions at once, for comparing it with
its twin (``glassbox/_regions.py``) in tests."""

import numpy as np


def region_losses(const double[:, ::1] stats, Py_ssize_t n_classes, int criterion=MISCLASSIFICATION,
                  double pseudo=1.0):
    """``(loss, weight)`` of each row of ``stats`` (a region's summed statistics)."""
    cdef Py_ssize_t i
    cdef Criterion loss_kind = make_criterion(criterion, pseudo)
    cdef double[::1] loss = np.empty(stats.shape[0]), weight = np.empty(stats.shape[0])
    with nogil:
        for i in range(stats.shape[0]):
            loss[i] = region_loss(&stats[i, 0], n_classes, loss_kind)
            weight[i] = region_weight(&stats[i, 0], n_classes)
    return np.asarray(loss), np.asarray(weight)
