# The GAM's losses, each written once for every kernel that boosts: the loss's id, the weighted
# gradient and hessian of one row's raw scores, and one row's loss. glassbox/_losses.py holds the
# Python side of each (its target check, starting score, link and a NumPy twin of the gradients),
# with its id from here.

from libc.math cimport exp, log, log1p, fabs, floor
from libc.stdint cimport int64_t
from libc.string cimport memcpy

from glassbox._ext._typedefs cimport Y_DTYPE_C, INDEX_C

# Loss ids: glassbox._losses.Loss.kernel of each loss (the Python enum LossId is made from this).
cpdef enum LossId:
    SQUARED_ERROR = 0
    POISSON = 1
    LOG_LOSS = 2
    SOFTMAX = 3
    GAMMA = 4


cdef inline Y_DTYPE_C max_exp_arg() noexcept nogil:
    # Raw scores are clipped before exp so a wild step cannot overflow (exp(50) ~ 5e21);
    # glassbox._losses.MAX_EXP_ARG is the same bound.
    return 50.0


cdef inline Y_DTYPE_C fast_exp(Y_DTYPE_C x) noexcept nogil:
    # exp(x) = 2^k * exp(r), |r| <= ln(2)/2, exp(r) by its Taylor series to r^13 (truncation
    # below 2e-16 relative): about 3x faster than libm's exp, which dominated each boosting pass.
    # The polynomial is evaluated by Estrin's scheme (pairs, then powers r^2, r^4, r^8): Horner's
    # 13 dependent multiply-adds made every row wait on the previous one's latency chain, and this
    # exp was the hottest code of a fit. Deterministic, so models stay bit-identical across
    # thread counts.
    cdef Y_DTYPE_C k, r, r2, r4, p, scale
    cdef int64_t bits
    if x > 709.0:
        x = 709.0
    elif x < -708.0:
        return 0.0
    k = floor(x * 1.4426950408889634 + 0.5)
    r = (x - k * 0.693145751953125) - k * 1.42860682030941723212e-6  # ln 2 in two parts
    r2 = r * r
    r4 = r2 * r2
    p = (((1.0 + r) + (0.5 + r * (1.0 / 6.0)) * r2)
         + ((1.0 / 24.0 + r * (1.0 / 120.0)) + (1.0 / 720.0 + r * (1.0 / 5040.0)) * r2) * r4
         + (((1.0 / 40320.0 + r * (1.0 / 362880.0)) + (1.0 / 3628800.0 + r * (1.0 / 39916800.0)) * r2)
            + (1.0 / 479001600.0 + r * (1.0 / 6227020800.0)) * r4) * (r4 * r4))
    bits = (<int64_t>k + 1023) << 52
    memcpy(&scale, &bits, sizeof(scale))  # 2^k from its bits (memcpy: no aliasing of types)
    return p * scale


cdef inline void logistic_gradient(Y_DTYPE_C exp_minus_score, Y_DTYPE_C y, Y_DTYPE_C w,
                                   Y_DTYPE_C* g, Y_DTYPE_C* h) noexcept nogil:
    # Log loss in the log-odds s, from exp(-s): the boosting pass keeps exp(-s) per row and
    # updates it multiplicatively, so it passes that instead of s.
    cdef Y_DTYPE_C p = 1.0 / (1.0 + exp_minus_score)
    g[0] = w * (p - y)
    h[0] = w * max(p * (1.0 - p), 1e-16)


cdef inline void softmax_exp(const Y_DTYPE_C* s, INDEX_C n_scores, Y_DTYPE_C* e) noexcept nogil:
    # e[k] = exp(s[k] - max(s)): no overflow whatever the scores.
    cdef Y_DTYPE_C top = s[0]
    cdef INDEX_C k
    for k in range(1, n_scores):
        top = max(top, s[k])
    for k in range(n_scores):
        e[k] = fast_exp(s[k] - top)


cdef inline Y_DTYPE_C softmax_total(const Y_DTYPE_C* e, INDEX_C n_scores) noexcept nogil:
    # The normaliser of softmax_gradient: e's sum, added in class order.
    cdef Y_DTYPE_C total = 0.0
    cdef INDEX_C k
    for k in range(n_scores):
        total = total + e[k]
    return total


cdef inline void softmax_scaled_gradient(const Y_DTYPE_C* e, Y_DTYPE_C inverse_total, Y_DTYPE_C y, Y_DTYPE_C w,
                                         INDEX_C n_scores, Y_DTYPE_C* g, Y_DTYPE_C* h) noexcept nogil:
    # softmax_gradient given 1 / softmax_total(e): a pass over many rows takes the divisions of
    # a block of rows in one loop, where they overlap, instead of one row's waiting on the next.
    cdef Y_DTYPE_C p
    cdef INDEX_C k
    for k in range(n_scores):
        p = e[k] * inverse_total
        g[k] = w * (p - (1.0 if k == <INDEX_C>y else 0.0))
        h[k] = w * max(p * (1.0 - p), 1e-16)


cdef inline void softmax_gradient(const Y_DTYPE_C* e, Y_DTYPE_C y, Y_DTYPE_C w, INDEX_C n_scores,
                                  Y_DTYPE_C* g, Y_DTYPE_C* h) noexcept nogil:
    # Softmax log loss from e[k] = exp(s[k] - c), any c (the probabilities do not depend on it):
    # the boosting pass keeps e per row and updates it multiplicatively, as for log loss.
    softmax_scaled_gradient(e, 1.0 / softmax_total(e, n_scores), y, w, n_scores, g, h)


cdef inline void gradients(const Y_DTYPE_C* s, Y_DTYPE_C y, Y_DTYPE_C w, LossId loss, INDEX_C n_scores,
                           Y_DTYPE_C* g, Y_DTYPE_C* h) noexcept nogil:
    # Weighted gradient and hessian of one row's loss with respect to each raw score s[k]
    # (y: the target, or the class index for softmax).
    cdef Y_DTYPE_C p
    if loss == SQUARED_ERROR:
        g[0] = w * (s[0] - y)
        h[0] = w
    elif loss == POISSON:
        p = fast_exp(min(s[0], max_exp_arg()))
        g[0] = w * (p - y)
        h[0] = w * p
    elif loss == LOG_LOSS:
        logistic_gradient(fast_exp(-s[0]), y, w, g, h)
    elif loss == GAMMA:
        # Gamma deviance in the log-mean s, up to constants: y * exp(-s) + s.
        p = y * fast_exp(-max(s[0], -max_exp_arg()))
        g[0] = w * (1.0 - p)
        h[0] = w * p
    else:
        # h holds the exps first: softmax_gradient reads e[k] before it writes h[k].
        softmax_exp(s, n_scores, h)
        softmax_gradient(h, y, w, n_scores, g, h)


cdef inline Y_DTYPE_C loss_value(const Y_DTYPE_C* s, Y_DTYPE_C y, Y_DTYPE_C w, LossId loss,
                                 INDEX_C n_scores) noexcept nogil:
    # Weighted loss of one row (the deviance up to terms that do not depend on the scores).
    cdef Y_DTYPE_C top, total
    cdef INDEX_C k
    if loss == SQUARED_ERROR:
        return 0.5 * w * (s[0] - y) * (s[0] - y)
    if loss == POISSON:
        return w * (exp(min(s[0], max_exp_arg())) - y * s[0])
    if loss == LOG_LOSS:
        return w * (max(s[0], 0.0) + log1p(exp(-fabs(s[0]))) - y * s[0])
    if loss == GAMMA:
        return w * (y * exp(-max(s[0], -max_exp_arg())) + s[0])
    top = s[0]
    for k in range(1, n_scores):
        top = max(top, s[k])
    total = 0
    for k in range(n_scores):
        total = total + exp(s[k] - top)
    return w * (top + log(total) - s[<INDEX_C>y])
