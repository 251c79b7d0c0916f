"""Which features a shallow tree's exact search reads (``candidate_features``): all of them,
or on wide data the best-ranked by ``glassbox._candidates``' greedy reference."""

import numpy as np

from glassbox._candidates import rank_features

# "auto" searches every feature while their value bins sum to at most this at depth >= 3: a depth-3
# search over them fits the default budget (glassbox.tree._search.DEFAULT_WORK) whole on binary
# data (fico's 23 features have 598 bins). Beyond that, the best-ranked features that fit.
AUTO_BINS = 640


def choose_candidates(setting, codes, stats, n_bins, n_classes, criterion, pseudo, n_threads, keep_all=False):
    """The features the exact search reads (sorted indices), for ``candidate_features`` =
    ``setting`` ("auto", an int or None); ``codes`` are the search's ordinal codes (categorical
    levels already in the search's order); ``keep_all``: "auto" keeps every feature whatever
    their bins (a depth-2 search whose histograms fit)."""
    p = len(n_bins)
    every = np.arange(p, dtype=np.intp)
    if setting is None or (setting != "auto" and setting >= p):
        return every
    if setting == "auto" and (keep_all or n_bins.sum() <= AUTO_BINS):
        return every
    ranked = rank_features(codes, stats, n_bins, np.zeros(p, dtype=bool), n_classes, criterion, pseudo, n_threads)
    if setting == "auto":
        setting = max(int(np.searchsorted(np.cumsum(n_bins[ranked]), AUTO_BINS, side="right")), 1)
    return np.sort(ranked[:setting])
