"""Pairwise interactions: which pairs to fit, given as a list or found automatically.

Automatic detection follows the idea of FAST (Lou et al., KDD 2013): on the residuals of the
main-effect model, each candidate pair gets the loss reduction of the best step its coarse grid
allows (one cut along each axis, four Newton leaves -- the same step the pair stage boosts
with), and the pairs with the largest reductions are kept.

On wide data both the ranking (every pair of p features) and the pair stage ("3x": 3p pairs)
would grow with p squared, so pairs are sought among at most ``MAX_PAIR_FEATURES`` features: the
ones with the strongest main effects.
"""

import numbers
import re
import time

import numpy as np

from glassbox._ext._gam_rank import pair_gains
from glassbox._ext._typedefs import CELL_CODE_DTYPE

# 100 features: 4,950 candidate pairs to rank and, at "3x", at most 300 pairs to fit.
MAX_PAIR_FEATURES = 100

# Candidate pairs ranked between two looks at the clock (each pair is one pass over the rows).
RANK_BATCH = 256


def parse_interactions(interactions, names, has_names):
    """``(n_to_detect, pairs)``: an int or ``"<k>x"`` asks for detection, a list names the pairs."""
    if isinstance(interactions, numbers.Integral) and not isinstance(interactions, bool):
        if interactions < 0:
            raise ValueError(f"interactions must be >= 0, a number of pairs to detect; got {interactions}.")
        return int(interactions), []
    if interactions is None:
        return 0, []
    if isinstance(interactions, str):
        # "3x": three pairs per feature (InterpretML's spelling), so the count scales with the data's width
        match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*x\s*", interactions)
        if match is None:
            raise ValueError(
                f"interactions as a string must be a number of pairs per feature like '3x'; got {interactions!r}. "
                "Pass an int for a fixed number of pairs."
            )
        return int(float(match.group(1)) * min(len(names), MAX_PAIR_FEATURES)), []
    if not hasattr(interactions, "__iter__"):
        raise ValueError(
            f"interactions must be an int (pairs to detect), a string like '3x' (pairs per feature), a list of "
            f"feature pairs, or 0; got {interactions!r}."
        )
    pairs = []
    for pair in interactions:
        if isinstance(pair, str) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"each interaction must be a pair of features, like ('age', 'income') or (0, 3); got {pair!r}.")
        indices = tuple(_feature_index(item, names, has_names) for item in pair)
        if indices[0] == indices[1]:
            raise ValueError(f"interaction {pair!r} pairs a feature with itself; a pair needs two features.")
        key = tuple(sorted(indices))
        if key not in pairs:
            pairs.append(key)
    return 0, pairs


def _feature_index(item, names, has_names):
    if isinstance(item, str):
        if not has_names:
            raise ValueError(
                f"interactions names feature {item!r}, but X has no column names; pass column indices "
                "for a numpy array."
            )
        if item not in names:
            raise ValueError(f"interactions names unknown feature {item!r}; the features are {names}.")
        return names.index(item)
    if isinstance(item, numbers.Integral) and not isinstance(item, bool) and 0 <= item < len(names):
        return int(item)
    raise ValueError(
        f"interactions entry {item!r} is neither a feature name nor an index in [0, {len(names)})."
    )


def pair_cells_bound(grid_sizes, n_detect, pairs):
    """``(total, largest)``: most cells the pair stage's terms can hold together, and in one term.
    Those of ``pairs``, or of the ``n_detect`` largest grids among pairs of the
    ``MAX_PAIR_FEATURES`` features with the largest grids (detection pairs at most that many
    features); ``grid_sizes``: codes of each feature's coarse grid."""
    if pairs:
        cells = [grid_sizes[a] * grid_sizes[b] for a, b in pairs]
    else:
        sizes = np.sort(np.asarray(grid_sizes, dtype=np.int64))[::-1][:MAX_PAIR_FEATURES]
        cells = np.sort(np.outer(sizes, sizes)[np.triu_indices(len(sizes), k=1)])[::-1][:n_detect]
    return (int(np.sum(cells)), int(np.max(cells))) if len(cells) else (0, 0)


def strongest_features(n_features, contribution, sample_weight, n_keep):
    """Indices (ascending) of the ``n_keep`` features whose main effects matter most.

    ``contribution(j)`` gives feature ``j``'s main-effect scores on each row, shape
    (n_rows, n_scores); a feature's strength is their weighted mean absolute deviation from their
    weighted mean (averaged over scores), so a constant offset counts for nothing. Ties keep the
    feature order.
    """
    total = sample_weight.sum()
    strength = []
    for j in range(n_features):
        scores = contribution(j)
        centred = scores - (sample_weight @ scores) / total
        strength.append(float((sample_weight @ np.abs(centred)).mean() / total))
    return np.sort(np.argsort(-np.asarray(strength), kind="stable")[:n_keep])


def pair_cells(codes, pair, code_maps, grids):
    """Cell of each row in a pair's coarse grid (first coarse code * codes of the second + second)."""
    a, b = pair
    return (code_maps[a][codes[:, a]] * grids[b].n_codes + code_maps[b][codes[:, b]]).astype(CELL_CODE_DTYPE)


def rank_pairs(codes, code_maps, grids, raw, y, sample_weight, loss, *, n_pairs, params, n_threads,
               deadline=np.inf):
    """The ``n_pairs`` pairs whose best step most reduces the loss of the model giving ``raw``.

    The gains come from ``glassbox._ext._gam_rank.pair_gains``, threads sharing the pairs, in
    batches of ``RANK_BATCH`` pairs: past ``deadline`` (a ``time.perf_counter()`` value) no batch
    starts, and the caller then fits no pair.
    """
    n_features = codes.shape[1]
    if n_pairs == 0 or n_features < 2:
        return []
    grad, hess = loss.gradients(raw, y, sample_weight)
    grad, hess = np.ascontiguousarray(grad, dtype=np.float64), np.ascontiguousarray(hess, dtype=np.float64)
    coarse = np.empty(codes.shape, dtype=CELL_CODE_DTYPE, order="F")
    for j in range(n_features):
        coarse[:, j] = code_maps[j][codes[:, j]]
    n_codes = np.array([grid.n_codes for grid in grids], dtype=np.intp)
    candidates = np.column_stack(np.triu_indices(n_features, k=1)).astype(np.intp)  # (a, b), a < b, in order
    gains = np.zeros(len(candidates))
    n_ranked = 0
    while n_ranked < len(candidates) and time.perf_counter() < deadline:
        batch = slice(n_ranked, min(n_ranked + RANK_BATCH, len(candidates)))
        pair_gains(coarse, n_codes, candidates[batch], grad, hess, params["l2_regularization"],
                   params["min_hessian"], params["min_samples_leaf"], gains[batch], n_threads)
        n_ranked = batch.stop
    ranked = sorted((-float(gains[p]), int(a), int(b)) for p, (a, b) in enumerate(candidates[:n_ranked]))
    return [(a, b) for neg_gain, a, b in ranked[:n_pairs] if neg_gain < 0]  # ties broken by feature order
