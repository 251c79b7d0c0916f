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
Newton order gains more than ``penalty`` units of noise per bin with rows beyond those runs (per
bin and class for a multiclass model, whose classes each have their own steps and noise: summed
over 200 rare classes of noise, the gains would otherwise pass any penalty). The unit is the
loss's dispersion (:func:`dispersion`), so one penalty serves every loss and weighting. The
histograms come from ``build_histogram`` (one per class), and the two steps from the boosting's
own step search (``glassbox._ext._gam_split.unordered_gain``): 0.09 s on 1,000,000 x 20 binary rows, 0.8 s
on 3,000 rows of 1,000 classes and 20 features (``python -m benchmarks.unordered_stats --generated``).
"""

import time

import numpy as np

from glassbox._ext._gam_histogram import build_histogram
from glassbox._ext._gam_split import unordered_gain
from glassbox._ext._typedefs import CELL_CODE_DTYPE

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


def unordered_statistics(codes, features, monotonic, loss, scores, y, sample_weight, params, *, n_threads=1,
                         deadline=np.inf):
    """Per column of ``codes`` (one per feature of ``features``), the test's statistic at the
    starting ``scores`` (one row per row of ``codes``): how much more the best two-leaf step in
    Newton order decreases the loss than the best ``ORDERED_LEAVES``-run step in value order, in
    units of noise per value bin with rows and per score (class). NaN where there is nothing to
    test: categorical and constrained features, a loss without noise, and the features not yet
    tested when ``deadline`` (a ``time.perf_counter()`` value) passes."""
    out = np.full(len(features), np.nan)
    candidates = [j for j, f in enumerate(features) if not f.is_categorical and monotonic[j] == 0]
    if not candidates:
        return out
    gradient, hessian = loss.gradients(scores, y, sample_weight)
    noise = dispersion(gradient, hessian)
    if not 0 < noise < np.inf:  # no hessian, or gradients all 0 (the start fits every row): no step gains
        return out
    n_scores = gradient.shape[1]
    gradient = [np.ascontiguousarray(gradient[:, k]) for k in range(n_scores)]
    hessian = [np.ascontiguousarray(hessian[:, k]) for k in range(n_scores)]
    for j in candidates:
        if time.perf_counter() >= deadline:
            break
        n_codes = features[j].n_codes
        cells = codes[:, j].astype(CELL_CODE_DTYPE)
        hist = np.empty((n_scores, n_codes, 3))
        for k in range(n_scores):
            build_histogram(cells, gradient[k], hessian[k], hist[k], n_threads)
        counts = hist[0, :, 2].astype(np.intp)
        n_filled = int(np.count_nonzero(counts[:n_codes - 2]))  # value bins with rows
        if n_filled:
            excess = unordered_gain(np.ascontiguousarray(hist[:, :, 0]), np.ascontiguousarray(hist[:, :, 1]), counts,
                                    params["l2_regularization"], params["min_hessian"], params["min_samples_leaf"],
                                    ORDERED_LEAVES)
            # Each score (class) has its own step and its own noise: the unit adds up over them.
            out[j] = excess / (noise * n_filled * n_scores)
    return out


def with_main_effects(names, terms):
    """The features among ``names`` that still have a main effect among ``terms``: what
    ``unordered_features_`` lists once a ``max_terms`` refit or an edit has dropped some."""
    mains = {term.name for term in terms if not term.is_pair}
    return np.array([name for name in names if name in mains], dtype=object)


def unordered_features(codes, features, monotonic, loss, scores, y, sample_weight, params, penalty, *,
                       n_threads=1, deadline=np.inf):
    """Boolean per column of ``codes``: whether that main effect is boosted unordered, its
    :func:`unordered_statistics` above ``penalty`` (features not tested stay in value order)."""
    if not np.isfinite(penalty):
        return np.zeros(len(features), dtype=bool)
    stats = unordered_statistics(codes, features, monotonic, loss, scores, y, sample_weight, params,
                                 n_threads=n_threads, deadline=deadline)
    return np.nan_to_num(stats, nan=-np.inf) > penalty
