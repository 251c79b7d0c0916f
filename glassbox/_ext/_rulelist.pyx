"""The rule-list branch-and-bound's inner loop: score every one-rule extension of a prefix.

Given the statistics of the rows each candidate rule would capture among those the prefix left
(from ``_bitset.masked_popcounts`` / ``masked_sums``), compute in one pass each child list's
objective, its hierarchical + equivalent-points lower bound, and whether it may be extended
(see ``glassbox/rules/_search.py`` for the bounds and why they hold).

Statistics layout, per row of ``captured`` and in ``node``: classification: one weight per
class, then the equivalent-points minority weight; regression: ``w``, ``w*y``, ``w*y**2``, then
the equivalent-points squared deviation.
"""

from cython.parallel cimport prange


cdef inline double _loss(const double[:] s, Py_ssize_t n_classes, bint classification) noexcept nogil:
    """Loss of the best constant prediction for rows with statistics ``s``."""
    cdef double total = 0.0, top = 0.0, sse
    cdef Py_ssize_t k
    if classification:
        for k in range(n_classes):
            total += s[k]
            if s[k] > top:
                top = s[k]
        return total - top
    if s[0] <= 0.0:
        return 0.0
    sse = s[2] - s[1] * s[1] / s[0]
    return sse if sse > 0.0 else 0.0


cdef inline double _weight(const double[:] s, Py_ssize_t n_classes, bint classification) noexcept nogil:
    cdef double total = 0.0
    cdef Py_ssize_t k
    if not classification:
        return s[0]
    for k in range(n_classes):
        total += s[k]
    return total


def score_children(
    const double[:, ::1] captured,      # IN: (n_antecedents, n_stats) stats of rows each rule takes
    const double[::1] node,             # IN: (n_stats,) stats of the rows the prefix left
    double[:, ::1] rest,                # OUT: scratch (n_antecedents, n_stats): node - captured
    double[::1] objective,              # OUT: child list objective
    double[::1] lower_bound,            # OUT: child prefix lower bound
    double[::1] captured_loss,          # OUT: unnormalised loss of the new rule
    unsigned char[::1] status,          # OUT: 0 useless, 1 a list but never extended, 2 extendable
    bint classification,
    Py_ssize_t n_classes,
    double prefix_loss,                 # IN: unnormalised loss of the prefix's rules
    double total,                       # IN: total training weight
    double c,
    Py_ssize_t n_rules,                 # IN: rules in the child list
    double eps,
    int n_threads,
):
    cdef:
        Py_ssize_t a, k
        Py_ssize_t n_stats = captured.shape[1]
        Py_ssize_t eq = n_stats - 1
        double cap, default, correct
    for a in prange(captured.shape[0], schedule="static", nogil=True, num_threads=n_threads):
        for k in range(n_stats):
            rest[a, k] = node[k] - captured[a, k]
        cap = _loss(captured[a], n_classes, classification)
        default = _loss(rest[a], n_classes, classification)
        captured_loss[a] = cap
        objective[a] = (prefix_loss + cap + default) / total + c * n_rules
        lower_bound[a] = (prefix_loss + cap + node[eq] - captured[a, eq]) / total + c * n_rules
        if _weight(captured[a], n_classes, classification) <= eps * total:
            status[a] = 0
            continue
        status[a] = 2
        if classification:
            # Accurate support: a rule correctly classifying less than c of the weight can be
            # dropped for a better list, so no optimal list extends through it.
            correct = 0.0
            for k in range(n_classes):
                if captured[a, k] > correct:
                    correct = captured[a, k]
            if correct / total < c - eps:
                status[a] = 1
