"""Which continuous main effects are boosted *unordered*: split as categorical ones are.

A step on a continuous term moves runs of neighbouring value bins. That suits effects that change
with the value (age, hours worked), not ones that jump between neighbouring values: amounts where
a few exact values mean something (adult's capital gains, runs of amounts where nearly everyone
earns over 50K beside amounts where few do), or categories stored as integer codes. There a
two-leaf step moves half a line of bins at a time, and carving the runs out takes hundreds of
rounds whose steps partly undo each other: adult's default fit ran about 1,300 rounds a bag. An
unordered term is boosted like a categorical one instead: each step orders its bins by Newton
value, so one step moves every bin of a kind. Its table stays over the same value bins, so a value
unseen in fit still falls in its bin, and every view of the model reads it as before.

The test runs once per fit, on the starting scores, before any term is boosted: the loss decrease
of the best two-leaf step in Newton order against that of the best ``ORDERED_LEAVES``-leaf step in
bin order. Over pure noise the Newton order gains about 0.64 units of noise per bin with rows (the
best two-way grouping of ``m`` chi-square(1) terms is ``2 m / pi`` of them), while smooth shapes --
monotone, U-shaped, a bump -- are matched by a few runs in bin order. A term is unordered when the
Newton order gains more than ``penalty`` units of noise per bin with rows beyond those runs. The
unit is the loss's dispersion (:func:`dispersion`), so one penalty serves every loss and weighting.
"""

import numpy as np

from glassbox._ext._gam_split import main_step_py
from glassbox._ext._typedefs import TermKind

# Runs in bin order the Newton-order step is compared with: enough for a U or an S shape.
ORDERED_LEAVES = 4


def dispersion(gradient, hessian):
    """The noise in one gain ``G^2 / H``, per unit of chi-square(1): the sum of squared gradients
    over the sum of hessians (infinity without hessian).

    Under a calibrated classification (or Poisson) model a row's squared gradient has its
    hessian's expectation, so this is 1 for unit weights and about ``sum(w^2) / sum(w)`` for
    weighted rows; for squared error and gamma deviance it is the residual variance of the
    starting scores, which includes what the model has yet to fit: an overestimate, so the test
    is cautious there.
    """
    h_sum = float(np.sum(hessian))
    return float(np.sum(gradient * gradient)) / h_sum if h_sum > 0 else np.inf


def step_decrease(grad, hess, counts, kind, params, max_leaves):
    """Twice the second-order loss decrease of the best unshrunk step on one histogram."""
    step = main_step_py(grad, hess, counts, int(kind), 0, 1.0, params["l2_regularization"], params["min_hessian"],
                        params["min_samples_leaf"], max_leaves)
    return -float(np.sum(2 * grad * step + hess * step * step))


def unordered_features(codes, features, monotonic, loss, scores, y, sample_weight, params, penalty):
    """Boolean per column of ``codes`` (one per feature of ``features``): whether that main effect
    is boosted unordered, tested at the starting ``scores`` (one row per row of ``codes``)."""
    out = np.zeros(len(features), dtype=bool)
    candidates = [j for j, f in enumerate(features) if not f.is_categorical and monotonic[j] == 0]
    if not candidates or not np.isfinite(penalty):
        return out
    gradient, hessian = loss.gradients(scores, y, sample_weight)
    noise = dispersion(gradient, hessian)
    if not np.isfinite(noise):
        return out
    for j in candidates:
        n_codes = features[j].n_codes
        column = codes[:, j]
        counts = np.bincount(column, minlength=n_codes).astype(np.intp)
        n_filled = int(np.count_nonzero(counts[:n_codes - 2]))  # value bins with rows
        excess = 0.0
        for k in range(gradient.shape[1]):
            grad = np.bincount(column, weights=gradient[:, k], minlength=n_codes)
            hess = np.bincount(column, weights=hessian[:, k], minlength=n_codes)
            excess += (step_decrease(grad, hess, counts, TermKind.UNORDERED, params, 2)
                       - step_decrease(grad, hess, counts, TermKind.CONTINUOUS, params, ORDERED_LEAVES))
        out[j] = excess > penalty * noise * n_filled
    return out
