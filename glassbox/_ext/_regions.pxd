# Region statistics for the rule-list and tree kernels: the loss of a region's prediction and its
# weight, from its summed statistics in the layout of glassbox/_regions.py (the loss block first:
# a weight per class, or w, w*y, w*y*y; n_classes is 0 for regression).
# The one definition of that loss for both families' kernels; glassbox/_regions.py is its twin
# and states the criteria (misclassification, and the smoothed log loss and Brier score).

from libc.math cimport log

# Criteria, in the order of glassbox._regions.CRITERIA.
cdef enum:
    MISCLASSIFICATION = 0
    LOG_LOSS = 1
    BRIER = 2

# A classification criterion: its kind (above) and the weight of the pseudo-row per class that
# smooths the risk criteria's probabilities (the mean weight: one average row). For the log loss
# a caller may add tables of x log(x + pseudo) and x log(x + K pseudo) for whole x below
# n_table: unweighted classes sum to whole numbers, and a lookup replaces a logarithm (the
# depth-2 tree solver evaluates millions of leaves).
ctypedef struct Criterion:
    int kind
    double pseudo
    const double* xlog_class    # [x] = x log(x + pseudo), or NULL
    const double* xlog_total    # [x] = x log(x + K pseudo)
    Py_ssize_t n_table


cdef inline Criterion make_criterion(int kind, double pseudo) noexcept nogil:
    cdef Criterion out
    out.kind = kind
    out.pseudo = pseudo
    out.xlog_class = NULL
    out.xlog_total = NULL
    out.n_table = 0
    return out


cdef inline double _xlog(double x, double shift, const double* table, Py_ssize_t n_table) noexcept nogil:
    # x log(x + shift), read from the table when x is a whole number within it.
    cdef long long i = <long long>x
    if table != NULL and <double>i == x and 0 <= i < n_table:
        return table[i]
    return x * log(x + shift)


cdef inline double region_loss_weight(const double* s, Py_ssize_t n_classes, Criterion criterion,
                                      double* weight) noexcept nogil:
    # Classification: the weight outside the majority class, or the log loss / Brier score of
    # the smoothed class distribution; regression: the squared deviation from the mean (0 for a
    # region without weight). Sets *weight to the region's weight.
    cdef double total = 0.0, top = 0.0, sse, loss = 0.0, t, p
    cdef Py_ssize_t k
    if n_classes > 0:
        for k in range(n_classes):
            total += s[k]
            if s[k] > top:
                top = s[k]
        weight[0] = total
        if criterion.kind == MISCLASSIFICATION:
            return total - top
        if total <= 0.0:
            return 0.0
        t = total + n_classes * criterion.pseudo
        if criterion.kind == LOG_LOSS:
            # sum_k s_k log(t / (s_k + m)) = W log(W + K m) - sum_k s_k log(s_k + m)
            loss = _xlog(total, n_classes * criterion.pseudo, criterion.xlog_total, criterion.n_table)
            for k in range(n_classes):
                if s[k] > 0.0:
                    loss -= _xlog(s[k], criterion.pseudo, criterion.xlog_class, criterion.n_table)
        else:
            for k in range(n_classes):
                p = (s[k] + criterion.pseudo) / t
                loss += total * p * p - 2.0 * s[k] * p
            loss += total
        return loss if loss > 0.0 else 0.0
    weight[0] = s[0]
    if s[0] <= 0.0:
        return 0.0
    sse = s[2] - s[1] * s[1] / s[0]
    return sse if sse > 0.0 else 0.0


cdef inline double region_loss(const double* s, Py_ssize_t n_classes, Criterion criterion) noexcept nogil:
    cdef double weight
    return region_loss_weight(s, n_classes, criterion, &weight)


cdef inline double region_weight(const double* s, Py_ssize_t n_classes) noexcept nogil:
    cdef double total = 0.0
    cdef Py_ssize_t k
    if n_classes == 0:
        return s[0]
    for k in range(n_classes):
        total += s[k]
    return total


cdef inline double region_probability(const double* s, Py_ssize_t k, double weight, Py_ssize_t n_classes,
                                      Criterion criterion) noexcept nogil:
    # The probability of class k the region predicts: its share of the weight, smoothed for the
    # risk criteria (the value monotonic constraints are stated on).
    if criterion.kind == MISCLASSIFICATION:
        return s[k] / weight
    return (s[k] + criterion.pseudo) / (weight + n_classes * criterion.pseudo)
