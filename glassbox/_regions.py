"""Region statistics: what rule lists and trees add up over the rows of a region (the rows a
rule captures, the rows of a tree node), in one layout, and the loss of the region's best
constant prediction -- written once for both families; ``glassbox/_ext/_regions.pxd`` is the
same loss for their kernels.

The layout of a row's statistics (a region's are their sums):

- the *loss block* first: classification, the row's weight in the column of its class
  (``K = n_classes`` columns, ``w_0 .. w_{K-1}``); regression, ``w``, ``w*y``, ``w*y*y`` (y as the
  family scales it);
- then the family's own columns: a rule list's equivalent-points loss, a tree's row count.

``n_classes`` is 0 for regression throughout.
"""

import numpy as np


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


def region_loss(stats, n_classes):
    """Unnormalised loss of the best constant prediction on regions with statistics
    ``(..., n_stats)``: the weight outside the majority class, or the squared deviation from the
    mean (0 for a region without weight)."""
    if n_classes:
        counts = stats[..., :n_classes]
        return counts.sum(axis=-1) - counts.max(axis=-1)
    s0, s1, s2 = stats[..., 0], stats[..., 1], stats[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        sse = s2 - s1 * s1 / s0
    return np.where(s0 > 0, np.maximum(sse, 0.0), 0.0)


def region_weight(stats, n_classes):
    """Training weight of regions with statistics ``(..., n_stats)``."""
    return stats[..., :n_classes].sum(axis=-1) if n_classes else stats[..., 0]
