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


def class_loss_naive(y, w, n_classes, criterion, pseudo):
    """``(loss, class-1 probability)`` of one region (a leaf, a rule) holding rows ``y`` of weights
    ``w``, row by row: misclassification of the majority, or the log loss / Brier score of the
    class shares smoothed by ``pseudo`` weight per class."""
    sums = np.array([w[y == k].sum() for k in range(n_classes)])
    if criterion == "misclassification":
        return sums.sum() - sums.max(), (sums[1] / sums.sum() if sums.sum() > 0 else np.nan)
    p = (sums + pseudo) / (sums.sum() + n_classes * pseudo)
    if criterion == "log_loss":
        return float(sum(-wi * np.log(p[yi]) for yi, wi in zip(y, w))), p[1]
    return float(sum(wi * np.sum((p - np.eye(n_classes)[yi]) ** 2) for yi, wi in zip(y, w))), p[1]


def score_children_naive(captured, node, classification, n_classes, prefix_loss, total, c, n_rules, eps, criterion=0,
                         pseudo=1.0):
    """Objective, lower bound, rule loss and status (0 useless, 1 terminal, 2 extendable) of each
    one-rule extension, by the formulas of glassbox/rules/_search.py (``criterion``: 0
    misclassification, 1 log loss, 2 Brier score of the class shares smoothed by ``pseudo``)."""

    def loss(s):
        if classification:
            counts = s[:, :n_classes]
            weight = counts.sum(axis=1)
            if criterion == 0:
                return weight - counts.max(axis=1)
            p = (counts + pseudo) / (weight[:, None] + n_classes * pseudo)
            if criterion == 1:
                return -(counts * np.log(p)).sum(axis=1)
            # each row of class k pays sum_j (p_j - [j == k])^2
            return sum(counts[:, k] * ((p - np.eye(n_classes)[k]) ** 2).sum(axis=1) for k in range(n_classes))
        with np.errstate(divide="ignore", invalid="ignore"):
            sse = np.where(s[:, 0] > 0, s[:, 2] - s[:, 1] ** 2 / s[:, 0], 0.0)
        return np.maximum(sse, 0.0)

    rest = node[None, :] - captured
    cap = loss(captured)
    objective = (prefix_loss + cap + loss(rest)) / total + c * n_rules
    lower_bound = (prefix_loss + cap + node[-1] - captured[:, -1]) / total + c * n_rules
    weight = captured[:, :n_classes].sum(axis=1) if classification else captured[:, 0]
    rest_weight = rest[:, :n_classes].sum(axis=1) if classification else rest[:, 0]
    # Useless: captures nothing, or every row the prefix left (the default would get none).
    status = np.where((weight <= eps * total) | (rest_weight <= eps * total), 0, 2)
    if classification and criterion == 0:
        # Minimum support and accurate support: less than c captured, or classified correctly.
        too_small = (weight / total < c - eps) | (captured[:, :n_classes].max(axis=1) / total < c - eps)
        status = np.where((status == 2) & too_small, 1, status)
    return objective, lower_bound, cap, status.astype(np.uint8)


# --- GAM kernels ----------------------------------------------------------------------------


def build_histogram_naive(cells, gradients, hessians, n_cells):
    """Per-cell gradient sum, hessian sum and row count, by definition."""
    return np.column_stack([
        np.bincount(cells, weights=gradients, minlength=n_cells),
        np.bincount(cells, weights=hessians, minlength=n_cells),
        np.bincount(cells, minlength=n_cells).astype(np.float64),
    ])


def _newton(g, h, l2):
    return -g / (h + l2) if h + l2 > 0 else 0.0


def _isotonic(values, weights):
    """Weighted pool-adjacent-violators, non-decreasing."""
    blocks = []  # [value, weight, size]
    for v, w in zip(values, weights):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks[-1]
            blocks[-1] = [(v1 * w1 + v2 * w2) / (w1 + w2) if w1 + w2 > 0 else 0.5 * (v1 + v2), w1 + w2, n1 + n2]
    return [v for v, _, n in blocks for _ in range(n)]


def main_step_naive(grad, hess, counts, kind, monotonic, learning_rate, l2, min_hessian,
                    min_samples_leaf, max_leaves):
    """A main-effect step by its definition: greedy best-first splits of the ordered value bins.
    ``kind``: 0 continuous (bin order), 1 categorical, 3 unordered continuous (Newton order of the
    bins with rows; an unordered continuous bin without rows then copies the nearest bin with rows
    below it, or above it before the first)."""
    n = len(grad)
    n_values = n - 2
    out = np.zeros(n)
    if kind in (1, 3):
        order = sorted((b for b in range(n_values) if counts[b] > 0), key=lambda b: _newton(grad[b], hess[b], l2))
    else:
        order = list(range(n_values))
    m = len(order)
    cg = np.concatenate([[0.0], np.cumsum(grad[order])]) if m else np.zeros(1)
    ch = np.concatenate([[0.0], np.cumsum(hess[order])]) if m else np.zeros(1)
    cc = np.concatenate([[0], np.cumsum(counts[order])]) if m else np.zeros(1)

    def score(g, h):
        return g * g / (h + l2) if h + l2 > 0 else 0.0

    def best_split(start, stop):
        best_pos, best_gain = -1, 0.0
        parent = score(cg[stop] - cg[start], ch[stop] - ch[start])
        for p in range(start + 1, stop):
            if cc[p] - cc[start] < min_samples_leaf or cc[stop] - cc[p] < min_samples_leaf:
                continue
            gl, hl, gr, hr = cg[p] - cg[start], ch[p] - ch[start], cg[stop] - cg[p], ch[stop] - ch[p]
            if hl < min_hessian or hr < min_hessian:
                continue
            vl, vr = _newton(gl, hl, l2), _newton(gr, hr, l2)
            if (monotonic > 0 and vl > vr) or (monotonic < 0 and vl < vr):
                continue
            gain = score(gl, hl) + score(gr, hr) - parent
            if gain > best_gain:
                best_pos, best_gain = p, gain
        return best_pos, best_gain

    if m > 0 and cc[m] > 0:
        leaves = [(0, m, *best_split(0, m))]
        while len(leaves) < max_leaves:
            candidates = [(gain, i) for i, (_, _, pos, gain) in enumerate(leaves) if pos >= 0 and gain > 0]
            if not candidates:
                break
            best = max(gain for gain, _ in candidates)
            i = min(i for gain, i in candidates if gain == best)
            start, stop, pos, _ = leaves[i]
            leaves[i:i + 1] = [(start, pos, *best_split(start, pos)), (pos, stop, *best_split(pos, stop))]
        values = [_newton(cg[b] - cg[a], ch[b] - ch[a], l2) for a, b, _, _ in leaves]
        weights = [ch[b] - ch[a] + l2 for a, b, _, _ in leaves]
        if monotonic:
            values = [monotonic * v for v in _isotonic([monotonic * v for v in values], weights)]
        for (a, b, _, _), v in zip(leaves, values):
            for i in range(a, b):
                out[order[i]] = learning_rate * v
        if kind == 3:
            filled = [b for b in range(n_values) if counts[b] > 0]
            for b in range(n_values):
                if counts[b] == 0:
                    below = [f for f in filled if f < b]
                    out[b] = out[below[-1] if below else filled[0]]
    missing = n_values
    if counts[missing] >= 1 and hess[missing] >= min_hessian:
        out[missing] = learning_rate * _newton(grad[missing], hess[missing], l2)
    return out


def pair_step_brute_force(grad, hess, counts, learning_rate, l2, min_hessian, min_samples_leaf):
    """The best depth-2 step by trying every root cut on either axis and every cut of each side
    along the other axis, leaf sums taken directly from the cells."""
    n_a, n_b = grad.shape

    def score(g, h):
        return g * g / (h + l2) if h + l2 > 0 else 0.0

    def leaves(transpose, i, j_low, j_high):
        """The (rows, cols) slices of the non-empty leaves of one candidate step."""
        n_root, n_child = (n_b, n_a) if transpose else (n_a, n_b)
        boxes = []
        for r, j in ((slice(0, i), j_low), (slice(i, n_root), j_high)):
            for c in (slice(0, j), slice(j, n_child)):
                if r.stop > r.start and c.stop > c.start:
                    boxes.append((c, r) if transpose else (r, c))
        return boxes

    parent = score(grad.sum(), hess.sum())
    best = (0.0, leaves(False, n_a, n_b, n_b))
    for transpose in (False, True):
        n_root, n_child = (n_b, n_a) if transpose else (n_a, n_b)
        for i in range(1, n_root + 1):
            cuts = [n_child, *range(1, n_child)]  # each side: no cut first, as the kernel tries them
            for j_low in cuts:
                for j_high in cuts if i < n_root else [n_child]:
                    # A cut with an empty side is no cut: the kernel skips it, and so does this.
                    if any(counts[r, c].sum() == 0 for r, c in leaves(transpose, i, j_low, j_high)):
                        continue
                    total, ok = 0.0, True
                    for rows, cols in leaves(transpose, i, j_low, j_high):
                        c = counts[rows, cols].sum()
                        if c == 0:
                            continue
                        h = hess[rows, cols].sum()
                        if c < min_samples_leaf or h < min_hessian:
                            ok = False
                        total += score(grad[rows, cols].sum(), h)
                    # Candidates equal up to rounding keep the first, as the kernel does.
                    if ok and total - parent > best[0] * (1 + 1e-12) + 1e-15:
                        best = (total - parent, leaves(transpose, i, j_low, j_high))
    gain, boxes = best
    out = np.zeros((n_a, n_b))
    for rows, cols in boxes:
        out[rows, cols] = learning_rate * _newton(grad[rows, cols].sum(), hess[rows, cols].sum(), l2)
    out[-1, :] = 0  # unseen codes
    out[:, -1] = 0
    return out, gain


def pair_step_prefix_twin(grad, hess, counts, learning_rate, l2, min_hessian, min_samples_leaf):
    """The pair search as its arithmetic is defined, in plain Python floats: 2-D prefix sums
    ``P[a][b] = ((P[a-1][b] + P[a][b-1]) - P[a-1][b-1]) + cell``, every leaf's sums by the box
    formula ``((P[a1][b1] - P[a0][b1]) - P[a1][b0]) + P[a0][b0]``, candidates in the kernel's
    order (axis, root cut, then each side's child cut), the first of equal ones kept. The kernel
    reorganises these sums to vectorise them and must still match this to the bit: that is what
    keeps a model the same whatever the build. ``(step, gain)``."""
    n_a, n_b = grad.shape

    def prefix(x):
        p = [[0.0] * (n_b + 1) for _ in range(n_a + 1)]
        for a in range(1, n_a + 1):
            for b in range(1, n_b + 1):
                p[a][b] = ((p[a - 1][b] + p[a][b - 1]) - p[a - 1][b - 1]) + float(x[a - 1, b - 1])
        return p

    pg, ph, pc = prefix(grad), prefix(hess), prefix(counts)

    def box(p, a0, a1, b0, b1):
        return ((p[a1][b1] - p[a0][b1]) - p[a1][b0]) + p[a0][b0]

    def score(g, h):
        return g * g / (h + l2) if h + l2 > 0 else 0.0

    def leaf(transpose, r0, r1, c0, c1):
        """(count, hessian, gradient) of the leaf of root codes [r0, r1) and child codes [c0, c1)."""
        a0, a1, b0, b1 = (c0, c1, r0, r1) if transpose else (r0, r1, c0, c1)
        return box(pc, a0, a1, b0, b1), box(ph, a0, a1, b0, b1), box(pg, a0, a1, b0, b1)

    def allowed(c, h):
        return c >= min_samples_leaf and h >= min_hessian

    def strip(transpose, r0, r1, n_child):
        """(score, child cut, ok) of the strip's best cut; n_child: no cut."""
        c, h, g = leaf(transpose, r0, r1, 0, n_child)
        if c == 0:
            return 0.0, n_child, True
        if not allowed(c, h):
            return 0.0, n_child, False
        best, cut = score(g, h), n_child
        for j in range(1, n_child):
            cl, hl, gl = leaf(transpose, r0, r1, 0, j)
            cr, hr, gr = leaf(transpose, r0, r1, j, n_child)
            if cl == 0 or cr == 0 or not allowed(cl, hl) or not allowed(cr, hr):
                continue
            total = score(gl, hl) + score(gr, hr)
            if total > best:
                best, cut = total, j
        return best, cut, True

    parent = score(pg[n_a][n_b], ph[n_a][n_b])
    best_gain, best = 0.0, (False, n_a, n_b, n_b)
    for transpose in (False, True):
        n_root, n_child = (n_b, n_a) if transpose else (n_a, n_b)
        for i in range(1, n_root + 1):
            if i < n_root and (leaf(transpose, 0, i, 0, n_child)[0] == 0
                               or leaf(transpose, i, n_root, 0, n_child)[0] == 0):
                continue
            low, cut_low, ok = strip(transpose, 0, i, n_child)
            if not ok:
                continue
            high, cut_high = 0.0, n_child
            if i < n_root:
                high, cut_high, ok = strip(transpose, i, n_root, n_child)
                if not ok:
                    continue
            gain = low + high - parent
            if gain > best_gain:
                best_gain, best = gain, (transpose, i, cut_low, cut_high)
    transpose, root, cut_low, cut_high = best
    n_root, n_child = (n_b, n_a) if transpose else (n_a, n_b)
    out = np.zeros((n_a, n_b))
    for r0, r1, cut in ((0, root, cut_low), (root, n_root, cut_high)):
        for c0, c1 in ((0, cut), (cut, n_child)):
            if r1 > r0 and c1 > c0:
                _, h, g = leaf(transpose, r0, r1, c0, c1)
                value = learning_rate * (-g / (h + l2) if h + l2 > 0 else 0.0)
                rows, cols = (slice(c0, c1), slice(r0, r1)) if transpose else (slice(r0, r1), slice(c0, c1))
                out[rows, cols] = value
    out[-1, :] = 0  # unseen codes
    out[:, -1] = 0
    return out, best_gain


def loss_gradients_naive(raw, y, w, loss):
    """Per-row weighted gradient and hessian of each loss, written out from the formulas."""
    if loss == "squared_error":
        return w[:, None] * (raw - y[:, None]), np.repeat(w[:, None], raw.shape[1], axis=1)
    if loss == "poisson":
        mu = np.exp(np.minimum(raw, 50.0))
        return w[:, None] * (mu - y[:, None]), w[:, None] * mu
    if loss == "gamma":  # deviance y / mu + log(mu), mu = exp(raw) (kept above exp(-50))
        ratio = y[:, None] / np.exp(np.maximum(raw, -50.0))
        return w[:, None] * (1 - ratio), w[:, None] * ratio
    if loss == "log_loss":
        p = 1 / (1 + np.exp(-raw))
    else:
        e = np.exp(raw - raw.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    target = (y[:, None] == 1) if loss == "log_loss" else (y[:, None] == np.arange(raw.shape[1]))
    return w[:, None] * (p - target), w[:, None] * np.maximum(p * (1 - p), 1e-16)


def loss_naive(raw, y, w, loss):
    if loss == "squared_error":
        return 0.5 * w * (raw[:, 0] - y) ** 2
    if loss == "poisson":
        return w * (np.exp(raw[:, 0]) - y * raw[:, 0])
    if loss == "gamma":
        return w * (y / np.exp(raw[:, 0]) + raw[:, 0])
    if loss == "log_loss":
        s = raw[:, 0]
        return w * (np.maximum(s, 0) + np.log1p(np.exp(-np.abs(s))) - y * s)
    top = raw.max(axis=1)
    lse = top + np.log(np.exp(raw - top[:, None]).sum(axis=1))
    return w * (lse - raw[np.arange(len(y)), y.astype(int)])


def boost_bag_naive(codes, n_codes, kinds, monotonic, train, val, y, w, loss, init, *, learning_rate,
                    l2, min_hessian, min_samples_leaf, max_leaves, max_rounds, early_stopping_rounds, tolerance,
                    greedy_steps=0, loss_floor=-np.inf, trace=None):
    """Boosting of main effects, step by step in NumPy: ``(tables, rounds kept)``. A round steps
    every term in order, then ``greedy_steps`` times the term whose latest step gained most.
    ``early_stopping_rounds``: see ``patience_naive``. A kept round whose validation loss is at
    most ``loss_floor`` ends the boosting. ``trace``, a list, receives the term of every step."""
    n_scores = init.shape[0]
    tables = [np.zeros((n, n_scores)) for n in n_codes]
    s_train, s_val = np.tile(init, (len(train), 1)), np.tile(init, (len(val), 1))
    counts = [np.bincount(codes[train, j], minlength=n) for j, n in enumerate(n_codes)]
    gains = np.zeros(len(n_codes))
    best, kept = [t.copy() for t in tables], 0
    best_loss = loss_naive(s_val, y[val], w[val], loss).sum() / w[val].sum() if len(val) else None
    for r in range(max_rounds):
        for q in range(len(n_codes) + greedy_steps):
            j = q if q < len(n_codes) else int(np.argmax(gains))
            if trace is not None:
                trace.append(j)
            n = n_codes[j]
            g, h = loss_gradients_naive(s_train, y[train], w[train], loss)
            step = np.zeros((n, n_scores))
            gains[j] = 0.0
            for k in range(n_scores):
                hist_g = np.bincount(codes[train, j], weights=g[:, k], minlength=n)
                hist_h = np.bincount(codes[train, j], weights=h[:, k], minlength=n)
                step[:, k] = main_step_naive(hist_g, hist_h, counts[j], kinds[j], monotonic[j], learning_rate,
                                             l2, min_hessian, min_samples_leaf, max_leaves)
                # gain: second-order loss decrease of the unshrunk step, beyond one constant leaf
                u = step[:, k] / learning_rate
                gains[j] += -np.sum(2 * hist_g * u + hist_h * u ** 2) - hist_g.sum() ** 2 / (hist_h.sum() + l2)
            tables[j] += step
            s_train += step[codes[train, j]]
        if len(val) == 0:
            kept = r + 1
            best = [t.copy() for t in tables]
            continue
        s_val = init + sum(t[codes[val, j]] for j, t in enumerate(tables))
        round_loss = loss_naive(s_val, y[val], w[val], loss).sum() / w[val].sum()
        if round_loss < best_loss - tolerance * abs(best_loss):
            best_loss, kept, best = round_loss, r + 1, [t.copy() for t in tables]
            if best_loss <= loss_floor:
                break
        elif r + 1 - kept >= patience_naive(early_stopping_rounds, kept):
            break
    return best, kept


def patience_naive(early_stopping_rounds, kept):
    """Rounds without improvement that stop a bag whose best round is ``kept``: a fixed number,
    or ``(low, high, fraction)``: ``fraction * kept`` rounded up, clipped to [low, high]."""
    if np.isscalar(early_stopping_rounds):
        return early_stopping_rounds
    low, high, fraction = early_stopping_rounds
    return min(high, max(low, int(np.ceil(fraction * kept))))


def pair_histograms_naive(codes, rows, stats, n_codes):
    """hist[g, h, a, b] = sum of stats over rows with code a on feature g and b on feature h."""
    p = codes.shape[1]
    out = np.zeros((p, p, n_codes, n_codes, stats.shape[1]))
    for g in range(p):
        for h in range(p):
            np.add.at(out[g, h], (codes[rows, g], codes[rows, h]), stats[rows])
    return out
