"""Slow NumPy twins of the Cython kernels, used only to check the kernels in tests."""

import numpy as np


def map_to_bins_naive(X, thresholds_per_column, missing_codes):
    """Codes by definition: the number of thresholds strictly below x; NaN -> missing code."""
    out = np.empty(X.shape, dtype=np.uint8, order="F")
    for j, thresholds in enumerate(thresholds_per_column):
        column = np.asarray(X[:, j], dtype=np.float64)
        codes = np.searchsorted(thresholds, column, side="left")
        out[:, j] = np.where(np.isnan(column), missing_codes[j], codes)
    return out


def bits_of_rows_naive(rows):
    """Boolean rows (n_sets, n_samples) -> uint64 bitsets, bit i of word w is row 64*w + i."""
    rows = np.atleast_2d(np.asarray(rows, dtype=bool))
    n_words = (rows.shape[1] + 63) // 64
    out = np.zeros((rows.shape[0], n_words), dtype=np.uint64)
    for a, i in zip(*np.nonzero(rows)):
        out[a, i // 64] |= np.uint64(1) << np.uint64(i % 64)
    return out


def rows_of_bits_naive(bits, n_samples):
    bits = np.atleast_2d(bits)
    return np.array([[(int(bits[a, i // 64]) >> (i % 64)) & 1 for i in range(n_samples)]
                     for a in range(bits.shape[0])], dtype=bool)


def build_bitsets_naive(codes, features, accept):
    """Row bitset of each antecedent "accept[a, code of feature features[a]]"."""
    rows = np.array([accept[a][codes[:, j]] for a, j in enumerate(features)], dtype=bool)
    return bits_of_rows_naive(rows.reshape(len(features), codes.shape[0]))


def and_pairs_naive(bits, pairs):
    return np.array([bits[i] & bits[j] for i, j in pairs], dtype=np.uint64).reshape(len(pairs), bits.shape[1])


def masked_popcounts_naive(bits, mask, groups, n_samples):
    rows, m, g = rows_of_bits_naive(bits, n_samples), rows_of_bits_naive(mask[None], n_samples)[0], rows_of_bits_naive(groups, n_samples)
    return np.array([[np.sum(r & m & gg) for gg in g] for r in rows], dtype=np.float64)


def masked_sums_naive(bits, mask, values):
    n_samples = values.shape[0]
    rows, m = rows_of_bits_naive(bits, n_samples), rows_of_bits_naive(mask[None], n_samples)[0]
    return np.array([values[r & m].sum(axis=0) for r in rows], dtype=np.float64)


def score_children_naive(captured, node, classification, n_classes, prefix_loss, total, c, n_rules, eps):
    """Objective, lower bound, rule loss and status (0 useless, 1 terminal, 2 extendable) of each
    one-rule extension, by the formulas of glassbox/rules/_search.py."""

    def loss(s):
        if classification:
            return s[:, :n_classes].sum(axis=1) - s[:, :n_classes].max(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            sse = np.where(s[:, 0] > 0, s[:, 2] - s[:, 1] ** 2 / s[:, 0], 0.0)
        return np.maximum(sse, 0.0)

    rest = node[None, :] - captured
    cap = loss(captured)
    objective = (prefix_loss + cap + loss(rest)) / total + c * n_rules
    lower_bound = (prefix_loss + cap + node[-1] - captured[:, -1]) / total + c * n_rules
    weight = captured[:, :n_classes].sum(axis=1) if classification else captured[:, 0]
    status = np.where(weight <= eps * total, 0, 2)
    if classification:
        status = np.where((status == 2) & (captured[:, :n_classes].max(axis=1) / total < c - eps), 1, status)
    return objective, lower_bound, cap, status.astype(np.uint8)


def pair_histograms_naive(codes, rows, stats, n_codes):
    """hist[g, h, a, b] = sum of stats over rows with code a on feature g and b on feature h."""
    p = codes.shape[1]
    out = np.zeros((p, p, n_codes, n_codes, stats.shape[1]))
    for g in range(p):
        for h in range(p):
            np.add.at(out[g, h], (codes[rows, g], codes[rows, h]), stats[rows])
    return out
