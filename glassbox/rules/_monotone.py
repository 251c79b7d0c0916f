"""Monotonic constraints on a rule list: which rules must predict no more than which, and the
closest predictions that respect that.

A rule list respects ``monotonic_cst[j] = +1`` when any two rows that differ only in feature
``j``, both with a value there (missing values have no order), get predictions in that order:
the row with the larger value a probability of the event (a mean, for regression) at least as
large. Predictions are constant on each rule's region, so the constraint is a set of pairs
"rule ``a`` predicts at most rule ``b``": those whose regions touch along feature ``j``. They are
found exactly on the grid of *atoms* (for each feature the rules read, the runs of bins that
every condition treats alike): the rule firing in each cell, compared with the one firing in the
next cell up along ``j``. The list's predictions then become their isotonic regression over
those pairs: the closest, in squared error weighted by each rule's training weight, that
respect every pair (a convex problem, solved by SLSQP and made exact by pooling the blocks it
leaves equal into their weighted means).
"""

import numpy as np
from scipy.optimize import minimize

# Most cells of the atom grid checked; a list reading so many features that its regions need
# more is refused with a message rather than allowed to exhaust memory.
MAX_CELLS = 2_000_000


def _atoms(bins, conditions):
    """For one feature: a representative code of each atom (runs of value codes every condition
    treats alike, then the missing code, then the unseen code for a categorical feature), and the
    number of value atoms (the ordered ones)."""
    lookups = np.array([c.lookup() for c in conditions]) if conditions else np.zeros((0, bins.n_codes), bool)
    values = range(bins.n_bins)
    reps = []
    if bins.is_categorical:  # levels have no order: group by what the conditions say of them
        seen = {}
        for code in values:
            seen.setdefault(lookups[:, code].tobytes(), code)
        reps = sorted(seen.values())
    else:
        for code in values:
            if not reps or not np.array_equal(lookups[:, code], lookups[:, reps[-1]]):
                reps.append(code)
    n_values = len(reps)
    reps.append(bins.missing_code)
    if bins.is_categorical:
        reps.append(bins.unseen_code)
    return np.array(reps, dtype=np.intp), n_values


def order_pairs(rules, features, constrained):
    """``{(a, b), ...}``: rule ``a``'s prediction must not exceed rule ``b``'s, for each feature
    ``j`` with ``constrained[j] = +1`` (with -1 the pair is reversed): a cell of rule ``a`` and
    the next cell up along ``j`` firing rule ``b``."""
    used = sorted({c.feature for rule in rules for c in rule.conditions} | set(np.flatnonzero(constrained)))
    by_feature = {j: [c for rule in rules for c in rule.conditions if c.feature == j] for j in used}
    atoms = {j: _atoms(features[j], by_feature[j]) for j in used}
    shape = tuple(len(atoms[j][0]) for j in used)
    n_cells = int(np.prod(shape, dtype=np.float64))
    if n_cells > MAX_CELLS:
        raise ValueError(
            f"checking monotonic_cst needs {n_cells:,} regions of the rule list's features, more than "
            f"{MAX_CELLS:,}: the list reads too many features in too many places. Lower max_rules, max_card or "
            "max_thresholds."
        )
    index = np.indices(shape, dtype=np.int32).reshape(len(used), -1)  # atom of each feature, per cell
    position = {j: k for k, j in enumerate(used)}
    fired = np.full(n_cells, len(rules) - 1, dtype=np.intp)
    free = np.ones(n_cells, dtype=bool)
    for r, rule in enumerate(rules[:-1]):
        holds = free.copy()
        for c in rule.conditions:
            k = position[c.feature]
            holds &= c.lookup()[atoms[c.feature][0]][index[k]]
        fired[holds] = r
        free &= ~holds
    pairs = set()
    strides = np.cumprod((1,) + shape[::-1])[::-1][1:]  # row-major stride of each feature's axis
    for j in np.flatnonzero(constrained):
        k = position[j]
        lower = np.flatnonzero(index[k] < atoms[j][1] - 1)  # cells with a next value atom along j
        upper = lower + strides[k]
        a, b = fired[lower], fired[upper]
        if constrained[j] < 0:
            a, b = b, a
        pairs |= {(int(x), int(y)) for x, y in zip(a, b) if x != y}
    return pairs


def isotonic_on_pairs(values, weights, pairs):
    """The ``v`` closest to ``values`` in ``sum(weights * (v - values) ** 2)`` with ``v[a] <= v[b]``
    for every pair."""
    values = np.asarray(values, dtype=np.float64)
    if not pairs or all(values[a] <= values[b] for a, b in pairs):
        return values.copy()
    w = np.maximum(np.asarray(weights, dtype=np.float64), 1e-9 * max(float(np.max(weights)), 1e-300))
    w = w / w.sum()
    pairs = sorted(pairs)
    difference = np.zeros((len(pairs), len(values)))
    for i, (a, b) in enumerate(pairs):
        difference[i, a], difference[i, b] = -1.0, 1.0
    solution = minimize(lambda v: float(w @ (v - values) ** 2), values, jac=lambda v: 2 * w * (v - values),
                        constraints=[{"type": "ineq", "fun": lambda v: difference @ v, "jac": lambda v: difference}],
                        method="SLSQP", options={"ftol": 1e-15, "maxiter": 1000})
    v = solution.x
    # Pool into exact weighted means: first what the solver left (nearly) equal along a pair, then,
    # until none is left, any pair still out of order (the solver meets the constraints only to
    # its tolerance; a pooled block's mean lies between its members', so merging an out-of-order
    # pair never breaks a satisfied one for good, and the loop ends with every pair exact).
    scale = max(float(np.ptp(values)), 1e-300)
    parent = list(range(len(v)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def pooled():
        groups = {}
        for i in range(len(v)):
            groups.setdefault(root(i), []).append(i)
        out = np.empty(len(v))
        for members in groups.values():  # a rule alone keeps its value exactly
            out[members] = values[members[0]] if len(members) == 1 else np.average(values[members], weights=w[members])
        return out

    for a, b in pairs:
        if abs(v[a] - v[b]) <= 1e-7 * scale:
            parent[root(a)] = root(b)
    exact = pooled()
    while True:
        broken = [(a, b) for a, b in pairs if exact[a] > exact[b]]
        if not broken:
            return exact
        for a, b in broken:
            parent[root(a)] = root(b)
        exact = pooled()
