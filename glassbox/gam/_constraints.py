"""Is a monotonic constraint fighting the data? The check behind the GAM's flattening warning.

A constraint whose sign is the opposite of what the user meant (``-1`` for "more score, less
risk" when the model's raw score is the log-odds of the *good* class) does not fail: boosting
keeps every step monotone the wrong way, and the term comes out nearly flat. The model is then
quietly worse and its most important feature looks unimportant. The check fits one
unconstrained bag of the main effects beside the constrained ones and compares each constrained
term with its free twin: a term the constraint flattened, whose free twin runs clearly the other
way, gets a warning with both importances.
"""

import numpy as np

# A constrained term is "flattened" when its importance is below this share of its free twin's.
FLATTENED_SHARE = 0.5
# ... and the free twin matters: at least this share of the strongest free main effect's importance
# (a constraint on a feature with no effect flattens nothing worth a warning).
MATERIAL_SHARE = 0.1


def weighted_importance(table, weights):
    """Mean absolute centred score over ``weights`` (a :class:`~glassbox.gam.Term`'s importance,
    for a table not yet centred)."""
    total = weights.sum()
    if total <= 0:
        return 0.0
    centred = table - (table * weights).sum() / total
    return float((np.abs(centred) * weights).sum() / total)


def trend(table, weights):
    """Sign of the weighted least-squares slope of a main effect's scores over its value bins'
    order: +1 if the term mostly rises, -1 if it mostly falls, 0 if flat."""
    total = weights.sum()
    if total <= 0:
        return 0
    order = np.arange(len(table), dtype=np.float64)
    mean_order = (order * weights).sum() / total
    slope = ((order - mean_order) * (table - (table * weights).sum() / total) * weights).sum()
    return int(np.sign(slope))


def flattened(constrained, free, weights, monotonic):
    """Features whose constraint flattened a term the free fit shapes the other way.

    Parameters
    ----------
    constrained, free : list of ndarray
        Per feature, the fitted main effect's value-bin scores with and without the constraints.
    weights : list of ndarray
        Per feature, the training weight of each value bin.
    monotonic : ndarray of int8
        The constraints as the boosting applied them.

    Returns
    -------
    list of ``(feature, constrained importance, free importance, free trend)``
    """
    free_importance = [weighted_importance(t, w) for t, w in zip(free, weights)]
    strongest = max(free_importance, default=0.0)
    out = []
    for j in np.flatnonzero(monotonic):
        direction = trend(free[j], weights[j])
        kept = weighted_importance(constrained[j], weights[j])
        if (direction == -monotonic[j] and free_importance[j] >= MATERIAL_SHARE * strongest
                and free_importance[j] > 0 and kept < FLATTENED_SHARE * free_importance[j]):
            out.append((int(j), kept, free_importance[j], direction))
    return out
