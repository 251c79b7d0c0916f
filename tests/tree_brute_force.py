"""Exhaustive search over the shallow trees' split family, written from its definition only.

Works on raw values with few distinct values per feature (so each distinct value is its own bin
and thresholds are "between two neighbouring distinct values"). Nothing here imports the solver.

Family: at a node whose region on feature j spans the ordered values ``vals[lo..hi]``, a split
picks u in lo..hi-1 (values up to ``vals[u]`` go left) and sends missing values left or right
(both directions only if some row of the node is missing j; otherwise right). Categorical
values are ordered by their target statistic (see ``level_order``). Leaves need
``min_leaf`` rows. A classification leaf's cost is its misclassified weight, or (``criterion``
"log_loss" / "brier") the log loss / Brier score of its class shares smoothed by one pseudo-row
of the mean weight per class, computed row by row.
"""


import numpy as np

from tests.twins import class_loss_naive


class Data:
    """Ordinal view of X: per feature the sorted distinct values (categorical: ordered levels)."""

    def __init__(self, X, y, w, task, categorical, n_classes, criterion="misclassification"):
        self.y, self.w, self.task, self.n_classes = y, w, task, n_classes
        self.criterion = criterion
        self.columns, self.values = [], []
        for j in range(X.shape[1]):
            col = X[:, j]
            missing = np.array([v is None or (isinstance(v, float) and np.isnan(v)) for v in col])
            if j in categorical:
                levels = sorted({v for v, m in zip(col, missing) if not m})
                levels = level_order(levels, col, missing, y, w, task, n_classes, criterion)
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


def level_order(levels, col, missing, y, w, task, n_classes, criterion="misclassification"):
    """Levels sorted by weighted mean target / class-1 share / (multiclass) share of the class
    whose order has the prefix split with the least loss (``criterion``); ties in sorted-level
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
                err = sum(class_loss_naive(y[side], w[side], n_classes, criterion, w.mean())[0]
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
    loss, p1 = class_loss_naive(y, w, data.n_classes, data.criterion, data.w.mean())
    return loss / data.scale + penalty, (p1 if data.n_classes == 2 else 0.0)


def splits(data, rows, region):
    """Every split of the family at a node: ``(j, u, missing_left, left_rows, right_rows)``."""
    for j, col in enumerate(data.columns):
        lo, hi = region[j]
        has_missing = bool(np.any(rows & (col < 0)))
        for u in range(lo, hi):
            for missing_left in (False, True) if has_missing else (False,):
                left = rows & np.where(col < 0, missing_left, col <= u)
                yield j, u, missing_left, left, rows & ~left


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


class Grid:
    """Every point of ordinal codes (per feature: -1 for missing, then each value's code), and
    the pairs of points next to each other along a constrained feature's values, others fixed
    (missing values are not ordered, so a line runs over the values only)."""

    def __init__(self, data, cst):
        axes = [np.arange(-1, len(v)) for v in data.values]
        self.points = np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=1)
        index = np.arange(len(self.points)).reshape([len(a) for a in axes])
        first, second, sign = [], [], []
        for c in np.flatnonzero(cst):
            k = len(axes[c])  # axis position 0 is the missing code
            first.append(np.take(index, range(1, k - 1), axis=c).ravel())
            second.append(np.take(index, range(2, k), axis=c).ravel())
            sign.append(np.full(first[-1].shape, cst[c]))
        self.first = np.concatenate(first) if first else np.zeros(0, dtype=int)
        self.second = np.concatenate(second) if second else np.zeros(0, dtype=int)
        self.sign = np.concatenate(sign) if sign else np.zeros(0)

    def goes_left(self, j, u, missing_left):
        code = self.points[:, j]
        return np.where(code < 0, missing_left, code <= u)

    def monotone(self, predictions, mask, goes_left):
        """Per row of ``predictions`` (trees x points) of trees splitting the points in ``mask``
        by ``goes_left``, whose two subtrees are each monotone on their own points: no step
        between two neighbouring points in ``mask``, one on each side, moves against the
        constraint (steps within a side were checked in its subtree)."""
        keep = mask[self.first] & mask[self.second] & (goes_left[self.first] != goes_left[self.second])
        a, b, sign = self.first[keep], self.second[keep], self.sign[keep]
        return np.all(sign * (predictions[:, b] - predictions[:, a]) >= 0, axis=1)


def monotone_trees(data, grid, rows, mask, region, depth, min_leaf, penalty, cache):
    """Every valid tree of depth <= ``depth`` on ``rows`` whose predictions are monotone over
    the grid points routed to this node (``mask``): ``(costs, predictions)`` with one row of
    predictions over all grid points per tree. A tree failing this cannot sit here in a
    monotone tree: along a constrained feature a line meets the node's points in one run of
    neighbours (the node's region is an interval of values per feature), predicted by it.
    ``cache`` keeps the shallow lists, which many paths reach again."""
    key = (rows.tobytes(), mask.tobytes(), tuple(region), depth)
    if depth <= 1 and key in cache:
        return cache[key]
    costs, predictions = [], []
    cost, value = leaf(data, rows, min_leaf, penalty)
    if np.isfinite(cost):
        costs.append([cost])
        predictions.append(np.full((1, len(grid.points)), value, dtype=float))
    if depth > 0:
        for j, u, m, left, right in splits(data, rows, region):
            rl, rr = list(region), list(region)
            rl[j], rr[j] = (region[j][0], u), (u + 1, region[j][1])
            goes_left = grid.goes_left(j, u, m)
            cl, pl = monotone_trees(data, grid, left, mask & goes_left, rl, depth - 1, min_leaf, penalty, cache)
            if not len(cl):
                continue
            cr, pr = monotone_trees(data, grid, right, mask & ~goes_left, rr, depth - 1, min_leaf, penalty, cache)
            if not len(cr):
                continue
            both = np.where(goes_left, pl[:, None, :], pr[None, :, :]).reshape(-1, len(grid.points))
            ok = grid.monotone(both, mask, goes_left)
            costs.append((cl[:, None] + cr[None, :]).ravel()[ok])
            predictions.append(both[ok])
    if costs:
        result = np.concatenate(costs), np.concatenate(predictions)
    else:
        result = np.zeros(0), np.zeros((0, len(grid.points)))
    if depth <= 1:
        cache[key] = result
    return result


def best_monotone_cost(data, depth, min_leaf, penalty, cst):
    """Least cost of a tree of depth <= ``depth`` whose predictions over the whole grid never
    move against ``cst``: at the root every split is tried with every pair of monotone-where-
    routed subtrees, cheapest first, checking the whole tree on the grid (a pair is skipped
    only when its cost cannot beat the best found)."""
    grid = Grid(data, cst)
    rows = np.ones(len(data.y), dtype=bool)
    mask = np.ones(len(grid.points), dtype=bool)
    region = [(0, len(v) - 1) for v in data.values]
    best, _ = leaf(data, rows, min_leaf, penalty)  # a constant is monotone
    cache = {}
    if depth == 0:
        return best
    for j, u, m, left, right in splits(data, rows, region):
        rl, rr = list(region), list(region)
        rl[j], rr[j] = (region[j][0], u), (u + 1, region[j][1])
        goes_left = grid.goes_left(j, u, m)
        cl, pl = monotone_trees(data, grid, left, goes_left, rl, depth - 1, min_leaf, penalty, cache)
        cr, pr = monotone_trees(data, grid, right, ~goes_left, rr, depth - 1, min_leaf, penalty, cache)
        if not len(cl) or not len(cr):
            continue
        order_l, order_r = np.argsort(cl, kind="stable"), np.argsort(cr, kind="stable")
        cl, pl, cr, pr = cl[order_l], pl[order_l], cr[order_r], pr[order_r]
        for i in range(len(cl)):
            if cl[i] + cr[0] >= best:
                break
            k = int(np.sum(cl[i] + cr < best))
            ok = grid.monotone(np.where(goes_left, pl[i], pr[:k]), mask, goes_left)
            if ok.any():
                best = cl[i] + cr[np.argmax(ok)]
    return best


def optimal_cost(data, depth, min_leaf, penalty):
    rows = np.ones(len(data.y), dtype=bool)
    region = [(0, len(v) - 1) for v in data.values]
    return best_cost(data, rows, region, depth, min_leaf, penalty)
