"""Region statistics: what rule lists and trees add up over the rows of a region (the rows a
rule captures, the rows of a tree node), in one layout, and the loss of the region's
prediction -- written once for both families; ``glassbox/_ext/_regions.pxd`` is the same loss
for their kernels.

The layout of a row's statistics (a region's are their sums):

- the *loss block* first: classification, the row's weight in the column of its class
  (``K = n_classes`` columns, ``w_0 .. w_{K-1}``); regression, ``w``, ``w*y``, ``w*y*y`` (y as the
  family scales it);
- then the family's own columns: a rule list's equivalent-points loss, a tree's row count.

``n_classes`` is 0 for regression throughout.

Classification criteria (``criterion``, an index into ``CRITERIA``): a region predicts
- ``"misclassification"``: its majority class; the loss is the weight outside it;
- ``"log_loss"`` and ``"brier"``: its *smoothed* class distribution
  ``p_k = (w_k + m) / (W + K * m)`` (Laplace: one pseudo-row per class, of the mean row weight
  ``m``, the ``pseudo`` argument), and the loss is the summed log loss or Brier score of those
  probabilities over the region's rows.
Regression always uses the squared deviation from the mean.

The search bounds need three facts per criterion, stated and tested here once
(``tests/test_region_criteria.py`` checks them on random regions):
- ``EQUIVALENT_FACTOR``: a group of rows that stays together in every region owes at least this
  factor times its minority weight (the weight outside its own majority class), whatever the
  region predicts: 1 for misclassification; for the log loss the group's entropy, which is at
  least 2 ln 2 times its minority share; for the Brier score its Gini impurity, at least its
  minority share;
- ``subset_slack``: removing rows from a region lowers its loss, or raises it by at most this
  (0 except the smoothed Brier score, whose loss can rise by at most ``m (K-1) / 4``);
- ``added_weight_cost``: adding weight w to a region raises its loss by at most this times w
  (1 for misclassification; the log loss's ``log(T / m) + 1`` with T the total weight plus
  ``K * m``; 4 for the Brier score).
"""

import numpy as np

CRITERIA = ("misclassification", "log_loss", "brier")
MISCLASSIFICATION, LOG_LOSS, BRIER = range(3)
EQUIVALENT_FACTOR = (1.0, 2.0 * np.log(2.0), 1.0)


def check_criterion(criterion):
    """The index in ``CRITERIA`` of a classifier's ``criterion``; a clear error for anything else."""
    if isinstance(criterion, str) and criterion in CRITERIA:
        return CRITERIA.index(criterion)
    raise ValueError(f"criterion must be one of {', '.join(map(repr, CRITERIA))}, got {criterion!r}.")


def subset_slack(criterion, n_classes, n_leaves, pseudo):
    """How much more a tree of ``n_leaves`` leaves may cost on a subset of its rows."""
    return n_leaves * pseudo * (n_classes - 1) / 4 if (n_classes and criterion == BRIER) else 0.0


def added_weight_cost(criterion, n_classes, total_weight, pseudo):
    """Most a region's loss rises per unit of weight added to it (see the module docstring)."""
    if not n_classes or criterion == MISCLASSIFICATION:
        return 1.0 if n_classes else np.inf
    if criterion == LOG_LOSS:
        return float(np.log((total_weight + n_classes * pseudo) / pseudo) + 1.0)
    return 4.0


def loss_columns(n_classes):
    """Columns of the loss block: one weight per class, or w, w*y, w*y*y."""
    return n_classes if n_classes else 3


def row_statistics(y, sample_weight, n_classes, extra=()):
    """Per-row statistics, shape (n, loss_columns + len(extra)): the loss block, then ``extra``
    (columns of length n). ``y``: class indices (classification) or the target (regression)."""
    n = len(y)
    width = loss_columns(n_classes)
    stats = np.zeros((n, width + len(extra)))
    if n_classes:
        stats[np.arange(n), y] = sample_weight
    else:
        stats[:, 0] = sample_weight
        stats[:, 1] = sample_weight * y
        stats[:, 2] = sample_weight * y**2
    for j, column in enumerate(extra):
        stats[:, width + j] = column
    return stats


def smoothed_probabilities(counts, pseudo):
    """Class probabilities ``(w_k + pseudo) / (W + K * pseudo)`` of regions whose class weights
    are ``counts`` (..., K)."""
    return (counts + pseudo) / (counts.sum(axis=-1, keepdims=True) + counts.shape[-1] * pseudo)


def region_probabilities(counts, criterion, pseudo):
    """Class probabilities a region with class weights ``counts`` (..., K) predicts: its shares of
    the weight under misclassification (uniform without weight), smoothed under the risk criteria."""
    if criterion != MISCLASSIFICATION:
        return smoothed_probabilities(counts, pseudo)
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, counts / np.where(total > 0, total, 1.0), 1.0 / counts.shape[-1])


def prediction_loss(counts, probabilities, criterion):
    """Unnormalised loss of regions with class weights ``counts`` (..., K) that predict
    ``probabilities`` (..., K) -- the class of the largest under misclassification (the first on
    ties, as ``predict`` does)."""
    total = counts.sum(axis=-1)
    if criterion == MISCLASSIFICATION:
        top = np.take_along_axis(counts, np.argmax(probabilities, axis=-1)[..., None], axis=-1)[..., 0]
        return total - top
    if criterion == LOG_LOSS:
        with np.errstate(divide="ignore", invalid="ignore"):
            return -(np.where(counts > 0, counts * np.log(probabilities), 0.0)).sum(axis=-1)
    return total * (probabilities**2).sum(axis=-1) - 2.0 * (counts * probabilities).sum(axis=-1) + total


def region_loss(stats, n_classes, criterion=MISCLASSIFICATION, pseudo=1.0):
    """Unnormalised loss of the region's prediction for statistics ``(..., n_stats)`` (0 for a
    region without weight): see the module docstring; ``pseudo``: the smoothing's pseudo-row
    weight."""
    if n_classes:
        counts = stats[..., :n_classes]
        total = counts.sum(axis=-1)
        if criterion == MISCLASSIFICATION:
            return total - counts.max(axis=-1)
        p = smoothed_probabilities(counts, pseudo)
        if criterion == LOG_LOSS:  # as the kernel sums it: W log(W + K m) - sum_k w_k log(w_k + m)
            loss = total * np.log(total + n_classes * pseudo) - (counts * np.log(counts + pseudo)).sum(axis=-1)
        else:  # sum over rows and classes of (p_k - [y == k])^2
            loss = total * (p * p).sum(axis=-1) - 2.0 * (counts * p).sum(axis=-1) + total
        return np.where(total > 0, np.maximum(loss, 0.0), 0.0)
    s0, s1, s2 = stats[..., 0], stats[..., 1], stats[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        sse = s2 - s1 * s1 / s0
    return np.where(s0 > 0, np.maximum(sse, 0.0), 0.0)


def region_floor(stats, n_classes, criterion=MISCLASSIFICATION):
    """The least loss any prediction gives regions with statistics ``(..., n_stats)``: the weight
    outside the majority class, the weighted entropy ``sum_k w_k log(W / w_k)`` (log loss) or
    Gini impurity ``W (1 - sum_k p_k^2)`` (Brier), or the squared deviation from the mean.
    A union of regions floors at least the sum of their floors (the best prediction for the union
    is one of the predictions each part could make), so a model's loss is at least the summed
    floors of row groups that it never separates: the equivalent-points bound."""
    if not n_classes or criterion == MISCLASSIFICATION:
        return region_loss(stats, n_classes, MISCLASSIFICATION)
    counts = stats[..., :n_classes]
    total = counts.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total[..., None] > 0, counts / np.where(total > 0, total, 1.0)[..., None], 0.0)
        if criterion == LOG_LOSS:
            loss = -(np.where(counts > 0, counts * np.log(np.where(share > 0, share, 1.0)), 0.0)).sum(axis=-1)
        else:
            loss = total * (1.0 - (share * share).sum(axis=-1))
    return np.maximum(loss, 0.0)


def region_weight(stats, n_classes):
    """Training weight of regions with statistics ``(..., n_stats)``."""
    return stats[..., :n_classes].sum(axis=-1) if n_classes else stats[..., 0]
