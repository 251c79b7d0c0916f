# Region statistics for the rule-list and tree kernels: the loss of a region's best constant
# prediction and its weight, from its summed statistics in the layout of glassbox/_regions.py
# (the loss block first: a weight per class, or w, w*y, w*y*y; n_classes is 0 for regression).
# The one definition of that loss for both families' kernels; glassbox/_regions.py is its twin.


cdef inline double region_loss_weight(const double* s, Py_ssize_t n_classes, double* weight) noexcept nogil:
    # Classification: the weight outside the majority class; regression: the squared deviation
    # from the mean (0 for a region without weight). Sets *weight to the region's weight: one
    # pass over the statistics gives both.
    cdef double total = 0.0, top = 0.0, sse
    cdef Py_ssize_t k
    if n_classes > 0:
        for k in range(n_classes):
            total += s[k]
            if s[k] > top:
                top = s[k]
        weight[0] = total
        return total - top
    weight[0] = s[0]
    if s[0] <= 0.0:
        return 0.0
    sse = s[2] - s[1] * s[1] / s[0]
    return sse if sse > 0.0 else 0.0


cdef inline double region_loss(const double* s, Py_ssize_t n_classes) noexcept nogil:
    cdef double weight
    return region_loss_weight(s, n_classes, &weight)


cdef inline double region_weight(const double* s, Py_ssize_t n_classes) noexcept nogil:
    cdef double total = 0.0
    cdef Py_ssize_t k
    if n_classes == 0:
        return s[0]
    for k in range(n_classes):
        total += s[k]
    return total
