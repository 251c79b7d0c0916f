"""The fitted structure of a GAM: one :class:`Term` per shape function, a lookup table over bins.

A main effect's table has one score per code of its feature (value bins, then missing, then
unseen). A pair's table has one score per cell of a coarser grid on each of its two features
(``max_interaction_bins`` value bins, again with missing and unseen codes); the coarse grid's
thresholds are a subset of the feature's own, so ``code_maps`` turns a fine code into a coarse one
exactly. Tables are plain arrays: what is printed, framed, saved or exported is what predicts.
"""

from dataclasses import dataclass, replace

import numpy as np

from glassbox.binning import FeatureBins


@dataclass(frozen=True, eq=False)
class Term:
    """One additive term: a lookup table over the bins of one feature or a pair of features.

    Attributes
    ----------
    features : tuple of int
        Indices of the term's features in ``X`` (one for a main effect, two for a pair).
    bins : tuple of FeatureBins
        The grid of each axis: the feature's own bins for a main effect, a coarser grid (a subset
        of the thresholds, every categorical level kept) for a pair.
    code_maps : tuple of ndarray of intp
        For each axis, the axis code of each of the feature's fine codes (identity for a main
        effect).
    scores : ndarray of float64
        The term's contribution to the raw score (log-odds, logits, the mean or the log-mean) per
        code or cell: shape ``grid`` for one output, ``grid + (n_classes,)`` for multiclass.
        Centred: the training-weighted mean over the data is zero (its mean went into the
        intercept). The missing code of a feature with no missing training values, and every
        unseen code, score 0: such a row gets the term's average effect.
    standard_errors : ndarray of float64
        Same shape as ``scores``: the standard deviation of the score across outer bags (0 with
        one bag), the spread to show as error bars.
    bin_weights : ndarray of float64, shape ``grid``
        Training sample weight falling in each code or cell.
    """

    features: tuple
    bins: tuple
    code_maps: tuple
    scores: np.ndarray
    standard_errors: np.ndarray
    bin_weights: np.ndarray

    @property
    def names(self):
        return tuple(b.name for b in self.bins)

    @property
    def name(self):
        """``age`` for a main effect, ``age & income`` for a pair (InterpretML's spelling)."""
        return " & ".join(self.names)

    @property
    def is_pair(self):
        return len(self.features) == 2

    @property
    def shape(self):
        return tuple(b.n_codes for b in self.bins)

    def cells(self, codes):
        """Index into ``scores`` of each row of a binned matrix (a tuple of arrays per axis)."""
        return tuple(m[codes[:, f]] for m, f in zip(self.code_maps, self.features))

    def contributions(self, codes):
        """This term's share of each row's raw score: shape (n,) or (n, n_classes)."""
        return self.scores[self.cells(codes)]

    def add_contributions(self, codes, out):
        """``out += contributions(codes)``, through one flat ``take`` into the table instead of a
        fancy index by a tuple of cell arrays (several times faster on a million rows)."""
        flat = self.code_maps[0].take(codes[:, self.features[0]])
        if self.is_pair:
            flat = flat * self.shape[1] + self.code_maps[1].take(codes[:, self.features[1]])
        n_cells = int(np.prod(self.shape))
        out += self.scores.reshape((n_cells,) + self.scores.shape[len(self.shape):]).take(flat, axis=0)

    def importance(self):
        """Mean absolute contribution over the training data (averaged over classes)."""
        total = self.bin_weights.sum()
        if total <= 0:
            return 0.0
        magnitude = np.abs(self.scores)
        if magnitude.ndim > self.bin_weights.ndim:
            magnitude = magnitude.mean(axis=-1)
        return float((magnitude * self.bin_weights).sum() / total)


def term_histograms(codes, terms, weight, relative):
    """``{term.features: (bin_weights, centring)}``: the ``weight`` and the ``relative`` weight
    of the rows of ``codes`` in each code or cell of each term (anything with ``features``,
    ``bins`` and ``code_maps``). A plain function of one block of rows: blocks' histograms add up
    to the whole data's, which is how a fit on partitioned data finishes its terms. ``weight``
    None: every row weighs 1 in both (counted once, without float weights: the same sums)."""
    out = {}
    for term in terms:
        grid = tuple(b.n_codes for b in term.bins)
        index = tuple(m[codes[:, f]] for m, f in zip(term.code_maps, term.features))
        flat = np.ravel_multi_index(index, grid) if len(codes) else np.zeros(0, dtype=np.intp)
        size = int(np.prod(grid))
        if weight is None:
            counts = np.bincount(flat, minlength=size).astype(np.float64).reshape(grid)
            out[term.features] = (counts, counts.copy())
        else:
            out[term.features] = (np.bincount(flat, weights=weight, minlength=size).reshape(grid),
                                  np.bincount(flat, weights=relative, minlength=size).reshape(grid))
    return out


def coarse_grid(feature, max_bins):
    """``(FeatureBins, code_map)``: a grid of at most ``max_bins`` value bins on ``feature``.

    Continuous features keep every ``k``-th threshold so coarse bins hold about equal training
    counts; categorical features keep all their levels (a merged level would be unreadable).
    """
    n_bins = feature.n_bins
    if feature.is_categorical or n_bins <= max_bins:
        return feature, np.arange(feature.n_codes, dtype=np.intp)
    counts = feature.counts[:n_bins].astype(np.float64)
    cumulative = np.cumsum(counts)
    targets = cumulative[-1] * np.arange(1, max_bins) / max_bins
    cut_after = np.unique(np.searchsorted(cumulative, targets, side="left"))
    cut_after = cut_after[cut_after < n_bins - 1]  # a cut after the last bin is no cut
    return grid_on(feature, feature.thresholds[cut_after])


def grid_on(feature, thresholds):
    """``(FeatureBins, code_map)``: the grid of a continuous ``feature`` cut only at
    ``thresholds`` (a subset of its own), and the grid code of each of the feature's codes.

    Also how a model file's pair grid is checked: the saved grid must be exactly this.
    """
    upper = np.append(feature.thresholds, np.inf)  # each fine bin's upper edge
    value_map = np.searchsorted(thresholds, upper, side="left")
    n_coarse = len(thresholds) + 1
    code_map = np.concatenate([value_map, [n_coarse, n_coarse + 1]]).astype(np.intp)
    coarse_counts = np.bincount(code_map, weights=feature.counts, minlength=n_coarse + 2).astype(np.int64)
    return replace(feature, thresholds=thresholds, counts=coarse_counts), code_map
