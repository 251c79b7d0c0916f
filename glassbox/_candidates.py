"""Candidate features on wide data, ranked by a greedy reference: which features the exact
searches look at first (trees: the only ones they read; rule lists: the ones their conjunctions
combine first) when there are too many for all.

The trees' exact search reads pairwise histograms of every pair of features (``p^2 x bins^2``
cells), and a rule list's conjunctions of two conditions are quadratic in the features, so both
grow with the square of the features. On wide data they search the features a cheap reference
uses, in the spirit of McTavish et al., "Fast Sparse Decision Tree Optimization via Reference
Ensembles" (AAAI 2022), and are exact *relative to those candidates*.

The reference is greedy lookahead on one-feature histograms (``_ext._tree_histogram``): each
feature's best single split at the root, and its best split in either child of each of the
``N_LOOKAHEAD`` best root splits. A feature's score is the largest loss reduction it gives in
any of these places, so a feature that only matters under a strong root (an interaction) ranks
high too. A categorical feature's levels are ordered by their share of the most common class
(classification) or mean (regression) before its splits are scored. Features are ranked by
score, ties by index; the ranking depends only on the data.
"""

import numpy as np

from glassbox._ext._tree_histogram import add_feature_histograms
from glassbox._ext._typedefs import STAT_DTYPE
from glassbox._regions import region_loss

# Roots whose children the reference also splits.
N_LOOKAHEAD = 8


def rank_features(codes, stats, n_bins, is_categorical, n_classes, criterion, pseudo, n_threads):
    """Feature indices, best first, by the reference's score (module docstring).

    ``codes``: (n, p) uint8, Fortran-ordered, value bins ``0 .. n_bins[f] - 1`` and missing
    ``n_bins[f]`` (no training row holds a larger code); ``stats``: per-row statistics in
    ``glassbox._regions``' layout.
    """
    p, n = len(n_bins), codes.shape[0]
    rows = np.arange(n, dtype=np.intp)
    hist = feature_histograms(codes, rows, stats, n_bins, n_threads)
    position = _level_positions(hist, n_bins, is_categorical, n_classes)
    cost, threshold, missing_left, leaf = best_splits(_reorder(hist, position), n_bins, n_classes, criterion, pseudo)
    score = np.where(np.isfinite(cost), leaf - cost, -np.inf)
    roots = np.lexsort((np.arange(p), -score))[:N_LOOKAHEAD]
    for r in roots:
        if not np.isfinite(score[r]):
            continue
        code = codes[:, r]
        goes_left = np.where(code == n_bins[r], missing_left[r], position[r, code] <= threshold[r])
        for side_rows in (rows[goes_left], rows[~goes_left]):  # not by subtraction: no cancellation
            side = feature_histograms(codes, side_rows, stats, n_bins, n_threads)
            side_cost, _, _, side_leaf = best_splits(_reorder(side, position), n_bins, n_classes, criterion, pseudo)
            score = np.maximum(score, np.where(np.isfinite(side_cost), side_leaf - side_cost, -np.inf))
    return np.lexsort((np.arange(p), -score)).astype(np.intp)


def _level_positions(hist, n_bins, is_categorical, n_classes):
    """``(p, width)``: where each code of each feature goes in the order its splits are scored
    in: its own place, except a categorical feature's levels, sorted by their share of the most
    common class (or mean), ties by code (the missing code stays at ``n_bins[f]``)."""
    p, width = hist.shape[:2]
    position = np.tile(np.arange(width), (p, 1))
    if n_classes:
        top = int(np.argmax(hist[0, :, :n_classes].sum(axis=0)))
        part, whole = hist[..., top], hist[..., :n_classes].sum(axis=-1)
    else:
        part, whole = hist[..., 1], hist[..., 0]
    for f in np.flatnonzero(is_categorical):
        levels = np.arange(n_bins[f])
        w = whole[f, levels]
        key = np.where(w > 0, part[f, levels] / np.where(w > 0, w, 1.0), np.inf)
        position[f, np.lexsort((levels, key))] = levels
    return position


def _reorder(hist, position):
    """``hist`` with each feature's codes moved to their ``position``."""
    out = np.empty_like(hist)
    out[np.arange(hist.shape[0])[:, None], position] = hist
    return out


def feature_histograms(codes, rows, stats, n_bins, n_threads):
    """``(p, max bins + 1, n_stats)``: each feature's statistics per value bin, the missing
    values' at index ``n_bins[f]``."""
    hist = np.zeros((len(n_bins), int(n_bins.max()) + 1, stats.shape[1]), dtype=STAT_DTYPE)
    if len(rows):
        add_feature_histograms(codes, rows, stats, hist, n_threads)
    return hist


def best_splits(hist, n_bins, n_classes, criterion, pseudo):
    """Per feature: the least loss of one split into two leaves (inf when it has one value bin),
    its threshold (bins ``<= u`` go left), whether missing values go left, and the loss of the
    node as one leaf."""
    p, width = hist.shape[:2]
    features = np.arange(p)
    missing = hist[features, n_bins].copy()
    values = hist.copy()
    values[features, n_bins] = 0.0
    left = np.cumsum(values, axis=1)[:, :-1]  # threshold u = 0 .. width - 2
    whole = values.sum(axis=1) + missing
    valid = np.arange(width - 1)[None, :] < (n_bins - 1)[:, None]
    costs = []
    for m in (0, 1):
        sides = left + m * missing[:, None]
        costs.append(region_loss(sides, n_classes, criterion, pseudo)
                     + region_loss(whole[:, None] - sides, n_classes, criterion, pseudo))
    costs = np.where(valid[None], np.stack(costs), np.inf)  # (2, p, width - 1)
    flat = costs.transpose(1, 0, 2).reshape(p, -1)  # missing right first, then left: ties keep right
    best = np.argmin(flat, axis=1)
    cost = flat[features, best]
    missing_left, threshold = np.divmod(best, width - 1)
    return cost, threshold, missing_left.astype(bool), region_loss(whole, n_classes, criterion, pseudo)
