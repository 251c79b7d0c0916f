"""Exhaustive search over the shallow trees' split family, written from its definition only.

Works on raw values with few distinct values per feature (so each distinct value is its own bin
and thresholds are "between two neighbouring distinct values"). Nothing here imports the solver.

Family: at a node whose region on feature j spans the ordered values ``vals[lo..hi]``, a split
picks u in lo..hi-1 (values up to ``vals[u]`` go left) and sends missing values left or right
(both directions only if some row of the node is missing j; otherwise right). Categorical
values are ordered by their target statistic (see ``level_order``). Leaves need
``min_leaf`` rows.
"""

import itertools

import numpy as np


class Data:
    """Ordinal view of X: per feature the sorted distinct values (categorical: ordered levels)."""

    def __init__(self, X, y, w, task, categorical, n_classes):
        self.y, self.w, self.task, self.n_classes = y, w, task, n_classes
        self.columns, self.values = [], []
        for j in range(X.shape[1]):
            col = X[:, j]
            missing = np.array([v is None or (isinstance(v, float) and np.isnan(v)) for v in col])
            if j in categorical:
                levels = sorted({v for v, m in zip(col, missing) if not m})
                levels = level_order(levels, col, missing, y, w, task, n_classes)
            else:
                levels = sorted({float(v) for v, m in zip(col, missing) if not m})
            index = {v: k for k, v in enumerate(levels)}
            ordinal = np.array([-1 if m else index[v if j in categorical else float(v)]
                                for v, m in zip(col, missing)])
            self.columns.append(ordinal)  # -1 = missing
            self.values.append(levels)
        self.total = w.sum()
        if task == "regression":
            mean = (w * y).sum() / w.sum()
            var_sum = (w * (y - mean) ** 2).sum()
            self.scale = var_sum if var_sum > 0 else w.sum()
        else:
            self.scale = w.sum()


def level_order(levels, col, missing, y, w, task, n_classes):
    """Levels sorted by weighted mean target / class-1 share / (multiclass) share of the class
    whose order has the prefix split with the least misclassified weight; ties in sorted-level
    order (and lowest class)."""
    rows = [np.array([(not m) and v == level for v, m in zip(col, missing)]) for level in levels]

    def share(k):
        return [w[r & (y == k)].sum() / w[r].sum() for r in rows]

    if task == "regression":
        keys = [(w[r] * y[r]).sum() / w[r].sum() for r in rows]
    elif task == "binary":
        keys = share(1)
    else:
        best = None
        for k in range(n_classes):
            ranked = sorted(range(len(levels)), key=lambda i, s=share(k): (s[i], i))
            error = np.inf if len(levels) > 1 else 0.0
            for cut in range(1, len(levels)):
                left = np.any([rows[i] for i in ranked[:cut]], axis=0)
                right = np.any([rows[i] for i in ranked[cut:]], axis=0)
                err = sum(w[side].sum() - max(w[side & (y == c)].sum() for c in range(n_classes))
                          for side in (left, right))
                error = min(error, err)
            if best is None or error < best[0]:
                best = (error, share(k))
        keys = best[1]
    ranked = sorted(range(len(levels)), key=lambda k: (keys[k], k))
    return [levels[k] for k in ranked]


def leaf(data, rows, min_leaf, penalty):
    """``(cost, value)`` of a leaf on ``rows`` (bool mask); cost inf if not a valid leaf."""
    if rows.sum() < min_leaf or data.w[rows].sum() <= 0:
        return np.inf, None
    w, y = data.w[rows], data.y[rows]
    if data.task == "regression":
        mean = (w * y).sum() / w.sum()
        return (w * (y - mean) ** 2).sum() / data.scale + penalty, mean
    sums = np.array([w[y == k].sum() for k in range(data.n_classes)])
    value = sums[1] / sums.sum() if data.n_classes == 2 else 0.0
    return (sums.sum() - sums.max()) / data.scale + penalty, value


def splits(data, rows, region):
    """Every split of the family at a node: ``(j, u, missing_left, left_rows, right_rows)``."""
    for j, col in enumerate(data.columns):
        lo, hi = region[j]
        has_missing = bool(np.any(rows & (col < 0)))
        for u in range(lo, hi):
            for missing_left in (False, True) if has_missing else (False,):
                left = rows & np.where(col < 0, missing_left, col <= u)
                yield j, u, missing_left, left, rows & ~left


def all_trees(data, rows, region, depth, min_leaf, penalty):
    """Every valid tree: list of ``(cost, tree)``; tree is ``("leaf", value)`` or
    ``(j, u, missing_left, left_tree, right_tree)``."""
    out = []
    cost, value = leaf(data, rows, min_leaf, penalty)
    if np.isfinite(cost):
        out.append((cost, ("leaf", value)))
    if depth == 0:
        return out
    for j, u, m, left, right in splits(data, rows, region):
        rl, rr = list(region), list(region)
        rl[j], rr[j] = (region[j][0], u), (u + 1, region[j][1])
        lefts = all_trees(data, left, rl, depth - 1, min_leaf, penalty)
        if not lefts:
            continue
        rights = all_trees(data, right, rr, depth - 1, min_leaf, penalty)
        for (cl, tl), (cr, tr) in itertools.product(lefts, rights):
            out.append((cl + cr, (j, u, m, tl, tr)))
    return out


def best_cost(data, rows, region, depth, min_leaf, penalty):
    """Optimal cost without constraints (subtrees are independent, so best per side)."""
    best, _ = leaf(data, rows, min_leaf, penalty)
    if depth == 0:
        return best
    for j, u, m, left, right in splits(data, rows, region):
        rl, rr = list(region), list(region)
        rl[j], rr[j] = (region[j][0], u), (u + 1, region[j][1])
        cl = best_cost(data, left, rl, depth - 1, min_leaf, penalty)
        if cl >= best:
            continue
        best = min(best, cl + best_cost(data, right, rr, depth - 1, min_leaf, penalty))
    return best


def predict(tree, point):
    """Leaf value for one point given as ordinal codes (-1 = missing)."""
    while tree[0] != "leaf":
        j, u, m, left, right = tree
        code = point[j]
        tree = left if (m if code < 0 else code <= u) else right
    return tree[1]


def is_monotone(data, tree, cst):
    """Check on the full grid of ordinal codes (every bin of every feature, and missing) that
    the value never moves against ``cst`` as a constrained feature grows, others fixed."""
    axes = [list(range(-1, len(v))) for v in data.values]
    for c in np.flatnonzero(cst):
        others = [a if j != c else [None] for j, a in enumerate(axes)]
        for base in itertools.product(*others):
            line = []
            for code in range(len(data.values[c])):
                point = list(base)
                point[c] = code
                line.append(predict(tree, point))
            diffs = cst[c] * np.diff(line)
            if np.any(diffs < 0):
                return False
    return True


def best_monotone_cost(data, depth, min_leaf, penalty, cst):
    rows = np.ones(len(data.y), dtype=bool)
    region = [(0, len(v) - 1) for v in data.values]
    trees = sorted(all_trees(data, rows, region, depth, min_leaf, penalty), key=lambda t: t[0])
    for cost, tree in trees:
        if is_monotone(data, tree, cst):
            return cost
    raise AssertionError("no monotone tree (a single leaf always is)")


def optimal_cost(data, depth, min_leaf, penalty):
    rows = np.ones(len(data.y), dtype=bool)
    region = [(0, len(v) - 1) for v in data.values]
    return best_cost(data, rows, region, depth, min_leaf, penalty)
