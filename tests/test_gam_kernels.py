"""GAM kernels against their NumPy twins and brute force: histograms, steps, one bag of boosting."""

import numpy as np
import pytest

from glassbox._ext._gam_boost import boost_bag
from glassbox._ext._gam_split import main_step_py, pair_step_py, unordered_gain
from glassbox._ext._gam_histogram import build_histogram
from glassbox._ext._typedefs import TermKind
from glassbox._losses import LOSSES
from glassbox.gam._boosting import term_specs
from tests.twins import (
    boost_bag_naive, build_histogram_naive, loss_gradients_naive, loss_naive, main_step_naive, pair_step_brute_force,
    pair_step_prefix_twin,
)


@pytest.mark.parametrize("name, n_scores", [("squared_error", 1), ("poisson", 1), ("gamma", 1), ("log_loss", 1),
                                            ("softmax", 4)])
def test_kernel_losses_match_their_twins(name, n_scores):
    """Each loss is written once for the kernels (_gam_loss.pxd); its gradients and values agree
    with the formulas written out, and with the Loss object's NumPy gradients (pair ranking)."""
    from glassbox._ext._gam_loss import gradients_rows

    rng = np.random.default_rng(5)
    n = 500
    raw = rng.normal(scale=3, size=(n, n_scores))
    raw[:5] = [[40.0] * n_scores, [-40.0] * n_scores, [60.0] * n_scores, [0.0] * n_scores, [-700.0] * n_scores]
    y = (rng.integers(0, n_scores, n) if name == "softmax" else rng.integers(0, 2, n) if name == "log_loss"
         else rng.poisson(2, n) if name == "poisson" else rng.gamma(2.0, 1.5, n) if name == "gamma"
         else rng.normal(size=n)).astype(np.float64)
    w = rng.uniform(0.1, 2, n)
    g, h, values = gradients_rows(raw, y, w, LOSSES[name].kernel)
    want_g, want_h = loss_gradients_naive(raw, y, w, name)
    np.testing.assert_allclose(g, want_g, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(h, want_h, rtol=1e-13, atol=1e-300)
    twin_g, twin_h = LOSSES[name].gradients(raw, y, w)
    np.testing.assert_allclose(g, twin_g, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(h, twin_h, rtol=1e-13, atol=1e-300)
    finite = np.all(np.abs(raw) < 50, axis=1)  # the twins' losses have no clip at exp(+-50)
    np.testing.assert_allclose(values[finite], loss_naive(raw, y, w, name)[finite], rtol=1e-12)


@pytest.mark.parametrize("n", [1, 100, 20_000])
def test_histogram_matches_twin_and_ignores_thread_count(n):
    rng = np.random.default_rng(n)
    cells = rng.integers(0, 37, n).astype(np.uint16)
    g, h = rng.normal(size=n), rng.uniform(0, 1, n)
    one = np.empty((40, 3))
    two = np.empty((40, 3))
    build_histogram(cells, g, h, one, 1)
    build_histogram(cells, g, h, two, 2)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(one, build_histogram_naive(cells, g, h, 40), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_pair_gains_are_the_per_class_histograms_and_steps_to_the_bit(seed):
    """The ranking kernel fills every class's histogram of a pair in one pass and threads share
    the pairs; each gain must be what a histogram per class (build_histogram, rows in the same
    chunks) and a step per class (pair_step_py) give, added in class order, to the last bit, for
    any thread count. Row counts past one chunk (8,192 rows), and grids of different sizes."""
    from glassbox._ext._gam_rank import pair_gains

    rng = np.random.default_rng(1300 + seed)
    n, n_scores = (1, 500, 20_000)[seed % 3], (1, 3)[seed // 3 % 2]
    n_codes = rng.integers(2, 12, 5).astype(np.intp)
    coarse = np.asfortranarray(np.column_stack([rng.integers(0, c - 1, n) for c in n_codes]).astype(np.uint16))
    grad = rng.normal(size=(n, n_scores)) if seed % 2 else rng.integers(-2, 3, (n, n_scores)).astype(float)
    hess = rng.uniform(0.01, 1.0, (n, n_scores))
    pairs = np.array([(a, b) for a in range(5) for b in range(a + 1, 5)], dtype=np.intp)
    l2, min_hessian, min_leaf = float(rng.choice([0.0, 0.5])), 1e-3, int(rng.choice([1, 20]))
    want = np.zeros(len(pairs))
    for p, (a, b) in enumerate(pairs):
        shape = (n_codes[a], n_codes[b])
        cells = (coarse[:, a].astype(np.intp) * n_codes[b] + coarse[:, b]).astype(np.uint16)
        gain = 0.0
        for k in range(n_scores):
            hist = np.empty((shape[0] * shape[1], 3))
            build_histogram(cells, np.ascontiguousarray(grad[:, k]), np.ascontiguousarray(hess[:, k]), hist, 1)
            naive = build_histogram_naive(cells, grad[:, k], hess[:, k], shape[0] * shape[1])
            np.testing.assert_allclose(hist, naive, rtol=1e-12, atol=1e-9)
            _, step_gain = pair_step_py(np.ascontiguousarray(hist[:, 0].reshape(shape)),
                                        np.ascontiguousarray(hist[:, 1].reshape(shape)),
                                        hist[:, 2].reshape(shape).astype(np.intp), 1.0, l2, min_hessian, min_leaf)
            gain += step_gain
        want[p] = gain
    for n_threads in (1, 2, 3):
        got = np.full(len(pairs), np.nan)
        pair_gains(coarse, n_codes, pairs, grad, hess, l2, min_hessian, min_leaf, got, n_threads)
        np.testing.assert_array_equal(got, want)


def test_pair_gains_refuse_inconsistent_shapes():
    from glassbox._ext._gam_rank import pair_gains

    coarse = np.zeros((10, 3), dtype=np.uint16, order="F")
    n_codes = np.full(3, 4, dtype=np.intp)
    grad, hess = np.zeros((10, 1)), np.ones((10, 1))
    with pytest.raises(ValueError, match="one row per row"):
        pair_gains(coarse, n_codes, np.array([[0, 1]], dtype=np.intp), grad[:5], hess, 0.0, 1e-3, 1, np.zeros(1), 1)
    with pytest.raises(ValueError, match="not a column"):
        pair_gains(coarse, n_codes, np.array([[0, 3]], dtype=np.intp), grad, hess, 0.0, 1e-3, 1, np.zeros(1), 1)
    with pytest.raises(ValueError, match="out"):
        pair_gains(coarse, n_codes, np.array([[0, 1]], dtype=np.intp), grad, hess, 0.0, 1e-3, 1, np.zeros(2), 1)
    with pytest.raises(ValueError, match="grid size per column"):
        pair_gains(coarse, n_codes[:2], np.array([[0, 1]], dtype=np.intp), grad, hess, 0.0, 1e-3, 1, np.zeros(1), 1)


def _random_histogram(rng, n_codes, empty_rate=0.2):
    counts = rng.integers(0 if empty_rate else 1, 30, n_codes)
    counts[rng.random(n_codes) < empty_rate] = 0
    counts[-1] = 0  # the unseen code never has training rows
    grad = rng.normal(size=n_codes) * counts
    hess = rng.uniform(0.1, 1, n_codes) * counts
    return grad, hess, counts.astype(np.intp)


@pytest.mark.parametrize("seed", range(40))
def test_main_step_matches_twin(seed):
    rng = np.random.default_rng(seed)
    n_codes = int(rng.integers(3, 60))
    grad, hess, counts = _random_histogram(rng, n_codes)
    kind = (TermKind.CATEGORICAL, TermKind.CONTINUOUS, TermKind.UNORDERED)[seed % 3]
    monotonic = int(rng.integers(-1, 2)) if kind == TermKind.CONTINUOUS else 0
    args = (int(kind), monotonic, 0.3, float(rng.choice([0, 1.0])), 1e-3, int(rng.integers(1, 40)),
            int(rng.integers(2, 6)))
    np.testing.assert_allclose(main_step_py(grad, hess, counts, *args),
                               main_step_naive(grad, hess, counts, *args), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(20))
def test_two_leaf_step_is_the_best_single_split(seed):
    """With max_leaves=2 the step is the best of all single splits, found by brute force."""
    rng = np.random.default_rng(100 + seed)
    grad, hess, counts = _random_histogram(rng, 20, empty_rate=0)
    out = main_step_py(grad, hess, counts, TermKind.CONTINUOUS, 0, 1.0, 0.0, 0.0, 1, 2)
    n_values = 18

    def loss_after(values):  # second-order loss change of a step with these per-bin values
        return float(np.sum(grad[:n_values] * values + 0.5 * hess[:n_values] * values ** 2))

    best = min(
        loss_after(np.where(np.arange(n_values) < p, -grad[:p].sum() / hess[:p].sum(),
                            -grad[p:n_values].sum() / hess[p:n_values].sum()))
        for p in range(1, n_values)
    )
    assert loss_after(out[:n_values]) == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_unordered_step_is_the_categorical_step_with_its_holes_filled(seed):
    """On the bins with rows an unordered continuous step is the categorical step of the same
    histogram; a bin without rows copies the nearest bin with rows below it (above, before the
    first), never keeping the 0 an unseen level keeps."""
    rng = np.random.default_rng(300 + seed)
    grad, hess, counts = _random_histogram(rng, int(rng.integers(4, 60)), empty_rate=0.3)
    counts[int(rng.integers(0, len(counts) - 2))] = 5  # at least one value bin with rows
    args = (0, 0.3, 0.0, 1e-3, 1, int(rng.integers(2, 6)))
    unordered = main_step_py(grad, hess, counts, TermKind.UNORDERED, *args)
    categorical = main_step_py(grad, hess, counts, TermKind.CATEGORICAL, *args)
    n_values = len(counts) - 2
    filled = np.flatnonzero(counts[:n_values] > 0)
    np.testing.assert_array_equal(unordered[filled], categorical[filled])
    np.testing.assert_array_equal(unordered[n_values:], categorical[n_values:])  # missing and unseen
    for b in np.flatnonzero(counts[:n_values] == 0):
        below = filled[filled < b]
        assert unordered[b] == unordered[below[-1] if len(below) else filled[0]]


@pytest.mark.parametrize("seed", range(20))
def test_unordered_gain_matches_its_twin(seed):
    """The statistic that chooses unordered features: over the scores, twice the second-order loss
    decrease of the best two-leaf Newton-order step less that of the best bin-order step."""
    rng = np.random.default_rng(400 + seed)
    n_codes, n_scores = int(rng.integers(4, 60)), int(rng.integers(1, 4))
    _, _, counts = _random_histogram(rng, n_codes)
    grad = np.stack([rng.normal(size=n_codes) * counts for _ in range(n_scores)])
    hess = np.stack([rng.uniform(0.1, 1, n_codes) * counts for _ in range(n_scores)])
    l2, leaves, min_leaf = float(rng.choice([0, 1.0])), int(rng.integers(2, 6)), int(rng.integers(1, 20))

    def decrease(g, h, kind, max_leaves):
        u = main_step_naive(g, h, counts, kind, 0, 1.0, l2, 1e-3, min_leaf, max_leaves)
        return -np.sum(2 * g * u + h * u * u)

    expected = sum(decrease(g, h, 3, 2) - decrease(g, h, 0, leaves) for g, h in zip(grad, hess))
    assert unordered_gain(grad, hess, counts, l2, 1e-3, min_leaf, leaves) == pytest.approx(expected, rel=1e-10,
                                                                                            abs=1e-10)


@pytest.mark.parametrize("seed", range(20))
def test_monotone_step_is_monotone(seed):
    rng = np.random.default_rng(200 + seed)
    grad, hess, counts = _random_histogram(rng, 40, empty_rate=0)
    for sign in (-1, 1):
        out = main_step_py(grad, hess, counts, TermKind.CONTINUOUS, sign, 1.0, 0.0, 1e-3, 1, 8)
        assert np.all(sign * np.diff(out[:38]) >= 0)


@pytest.mark.parametrize("seed", range(20))
def test_pair_step_matches_brute_force(seed):
    rng = np.random.default_rng(300 + seed)
    shape = (int(rng.integers(3, 9)), int(rng.integers(3, 9)))
    grad, hess, counts = (a.reshape(shape) for a in _random_histogram(rng, shape[0] * shape[1]))
    counts[-1, :] = 0
    counts[:, -1] = 0
    grad, hess = grad * (counts > 0), hess * (counts > 0)
    args = (0.5, 0.5, 1e-3, int(rng.integers(1, 20)))
    out, gain = pair_step_py(np.ascontiguousarray(grad), np.ascontiguousarray(hess), np.ascontiguousarray(counts), *args)
    expected_out, expected_gain = pair_step_brute_force(grad, hess, counts, *args)
    assert gain == pytest.approx(expected_gain, rel=1e-9, abs=1e-12)
    # Cuts that differ only in where an empty cell falls tie up to rounding, so only the cells
    # with rows are fixed by the search; unseen codes always keep 0.
    seen = counts > 0
    np.testing.assert_allclose(out[seen], expected_out[seen], rtol=1e-9, atol=1e-12)
    assert not out[-1, :].any() and not out[:, -1].any()


@pytest.mark.parametrize("seed", range(24))
def test_pair_step_matches_its_arithmetic_to_the_bit(seed):
    """The vectorised search against the prefix-sum arithmetic it reorganises: the same cut, gain
    and step to the last bit, on grids up to the default 65 x 65, with ties (integer sums), empty
    rows and columns, and leaves refused by min_samples_leaf or min_hessian."""
    rng = np.random.default_rng(900 + seed)
    big = seed % 6 == 0
    shape = (65, 65) if big else (int(rng.integers(2, 24)), int(rng.integers(2, 24)))
    counts = rng.poisson(rng.choice([0.5, 3.0, 20.0]), shape).astype(np.intp)
    counts[rng.random(shape[0]) < 0.2, :] = 0
    counts[:, rng.random(shape[1]) < 0.2] = 0
    counts[-1, :] = 0
    counts[:, -1] = 0
    if seed % 2:  # integer-valued sums: many candidates tie exactly
        grad = rng.integers(-3, 4, shape) * counts.astype(float)
        hess = counts.astype(float)
    else:
        grad = rng.normal(size=shape) * counts
        hess = rng.uniform(0.01, 1, shape) * counts
    args = (0.3, float(rng.choice([0.0, 0.5])), float(rng.choice([1e-3, 2.0])), int(rng.choice([1, 5, 40])))
    out, gain = pair_step_py(grad, hess, counts, *args)
    expected_out, expected_gain = pair_step_prefix_twin(grad, hess, counts, *args)
    assert gain == expected_gain
    np.testing.assert_array_equal(out, expected_out)


def test_pair_step_fits_a_shape_quadrants_cannot():
    """Rows 0-2 step up after column 2, rows 3-5 after column 4: one cut along a, then a
    different cut on each side, fits it exactly; no single cut along each axis (quadrants) can."""
    n_a, n_b = 7, 7  # six value codes + unseen on each axis
    counts = np.full((n_a, n_b), 10, dtype=np.intp)
    counts[-1, :] = 0
    counts[:, -1] = 0
    rows, cols = np.indices((n_a, n_b))
    target = np.where(cols >= np.where(rows < 3, 2, 4), 1.0, -1.0)
    hess = counts.astype(np.float64)
    grad = -target * hess  # each cell's Newton value is its target
    out, gain = pair_step_py(grad, hess, counts, 1.0, 0.0, 1e-3, 1)
    exact_gain = (grad[hess > 0] ** 2 / hess[hess > 0]).sum() - grad.sum() ** 2 / hess.sum()
    assert gain == pytest.approx(exact_gain, rel=1e-12)
    seen = counts > 0
    np.testing.assert_allclose(out[seen], target[seen], rtol=1e-12)
    quadrant_gain = max(
        sum(grad[r, c].sum() ** 2 / hess[r, c].sum()
            for r in (slice(0, i), slice(i, n_a)) for c in (slice(0, j), slice(j, n_b)) if hess[r, c].sum() > 0)
        for i in range(1, n_a + 1) for j in range(1, n_b + 1)) - grad.sum() ** 2 / hess.sum()
    assert quadrant_gain < 0.9 * exact_gain


def _bag_inputs(rng, n, loss, n_scores):
    n_codes = np.array([7, 12, 5], dtype=np.intp)
    codes = np.asfortranarray(np.column_stack([rng.integers(0, k - 1, n) for k in n_codes]).astype(np.uint8))
    if loss == "softmax":
        y = rng.integers(0, n_scores, n).astype(np.float64)
    elif loss == "log_loss":
        y = (rng.random(n) < 1 / (1 + np.exp(-(codes[:, 0] - 3.0)))).astype(np.float64)
    elif loss == "poisson":
        y = rng.poisson(np.exp(0.2 * codes[:, 1] - 1.0)).astype(np.float64)
    elif loss == "gamma":
        y = rng.gamma(2.0, np.exp(0.2 * codes[:, 1] - 1.0) / 2.0)
    else:
        y = codes[:, 0] * 0.5 - (codes[:, 1] % 3) + rng.normal(size=n)
    w = rng.uniform(0.5, 1.5, n)
    return n_codes, codes, y, w


@pytest.mark.parametrize("loss,n_scores", [("squared_error", 1), ("poisson", 1), ("gamma", 1), ("log_loss", 1),
                                           ("softmax", 3)])
@pytest.mark.parametrize("validation", [False, True])
@pytest.mark.parametrize("greedy_steps", [0, 4])
@pytest.mark.parametrize("n,patience", [(40, 3), (600, 3), (600, (2, 5, 0.25))])
def test_boost_bag_matches_twin(loss, n_scores, validation, greedy_steps, n, patience):
    # 600 rows fill each histogram's four copies (_gam_histogram._lanes); 40 rows are too few.
    # patience: a fixed one, or one that grows with the best round (early_stopping_rounds="auto")
    rng = np.random.default_rng(7)
    n_codes, codes, y, w = _bag_inputs(rng, n, loss, n_scores)
    is_val = rng.random(n) < (0.2 if validation else 0)
    train, val = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    init = np.full(n_scores, 0.1)
    # The middle term is categorical, or (with greedy steps) an unordered continuous one.
    kinds = [TermKind.CONTINUOUS, TermKind.UNORDERED if greedy_steps else TermKind.CATEGORICAL, TermKind.CONTINUOUS]
    monotonic = [1, 0, -1]
    params = dict(learning_rate=0.3, l2=0.5, min_hessian=1e-3, min_samples_leaf=5, max_leaves=3,
                  max_rounds=40, early_stopping_rounds=patience, tolerance=1e-4)
    offsets = np.concatenate([[0], np.cumsum(n_codes)]) * n_scores
    tables = np.zeros(offsets[-1])
    train_scores = np.tile(init, (len(train), 1))
    val_scores = np.tile(init, (len(val), 1))
    specs = term_specs(kinds, monotonic, n_codes, np.ones(3))
    low, high, fraction = (patience, patience, 0.0) if np.isscalar(patience) else patience
    kernel_params = dict(params, l2_regularization=params["l2"], greedy_steps=greedy_steps, patience_min=low,
                         patience_max=high, patience_fraction=fraction, loss_floor=-np.inf)
    del kernel_params["l2"], kernel_params["early_stopping_rounds"]
    _, kept, out_of_time = boost_bag(codes, specs, train.astype(np.intp), val.astype(np.intp), y, w, LOSSES[loss].kernel,
                        kernel_params, train_scores, val_scores, tables, np.zeros(40), 1)
    expected, expected_kept = boost_bag_naive(codes, n_codes, [int(k) for k in kinds], monotonic, train, val, y, w, loss, init,
                                              greedy_steps=greedy_steps, **params)
    assert kept == expected_kept and not out_of_time
    assert (kept < 40) == validation or loss == "squared_error" or n < 600
    for j in range(3):
        np.testing.assert_allclose(tables[offsets[j]:offsets[j + 1]].reshape(-1, n_scores), expected[j],
                                   rtol=1e-8, atol=1e-10)
    # The scores handed back are those of the kept model.
    final = init + sum(expected[j][codes[:, j]] for j in range(3))
    np.testing.assert_allclose(train_scores, final[train], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(val_scores, final[val], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("loss,n_scores", [("log_loss", 1), ("softmax", 3), ("squared_error", 1)])
@pytest.mark.parametrize("floor_fraction", [0.02, 0.2, 0.6])
def test_boost_bag_stops_at_the_first_round_under_its_loss_floor(loss, n_scores, floor_fraction):
    """A bag stops at the first round that improves on its best and whose validation loss is at
    most its loss floor (here floor_fraction of the loss it started from; the floor ends
    separable classification fits), as its twin does, after the same rounds as without a
    floor. The targets are functions of the codes, so the losses fall far."""
    rng = np.random.default_rng(11)
    n = 600
    n_codes, codes, _, w = _bag_inputs(rng, n, loss, n_scores)
    y = {"log_loss": codes[:, 0] >= 3, "softmax": codes[:, 2] % 3,
         "squared_error": codes[:, 0] * 0.5 - (codes[:, 1] % 3)}[loss].astype(np.float64)
    is_val = rng.random(n) < 0.25
    train, val = np.flatnonzero(~is_val).astype(np.intp), np.flatnonzero(is_val).astype(np.intp)
    init = np.full(n_scores, 0.1)
    kinds, monotonic = [TermKind.CONTINUOUS, TermKind.CATEGORICAL, TermKind.CONTINUOUS], [0, 0, 0]
    params = dict(learning_rate=0.3, l2=0.5, min_hessian=1e-3, min_samples_leaf=5, max_leaves=3, max_rounds=60,
                  early_stopping_rounds=60, tolerance=0.0)

    def run(loss_floor):
        tables, history = np.zeros(int(np.sum(n_codes)) * n_scores), np.zeros(60)
        kernel_params = dict(params, l2_regularization=0.5, greedy_steps=0, patience_min=60, patience_max=60,
                             patience_fraction=0.0, loss_floor=loss_floor)
        del kernel_params["l2"], kernel_params["early_stopping_rounds"]
        n_rounds, kept, _ = boost_bag(codes, term_specs(kinds, monotonic, n_codes, np.ones(3)), train, val, y, w,
                                      LOSSES[loss].kernel, kernel_params, np.tile(init, (len(train), 1)),
                                      np.tile(init, (len(val), 1)), tables, history, 1)
        return n_rounds, kept, tables, history

    start = loss_naive(np.tile(init, (len(val), 1)), y[val], w[val], loss).sum() / w[val].sum()
    free_rounds, _, _, free = run(-np.inf)
    assert free_rounds == 60 and free[-1] < 0.02 * start  # no floor: all 60 rounds, past every floor here
    best_before = np.minimum.accumulate(np.concatenate([[start], free]))[:-1]
    stop = np.flatnonzero((free < best_before) & (free <= floor_fraction * start))[0]
    n_rounds, kept, tables, history = run(floor_fraction * start)
    assert n_rounds == kept == stop + 1
    np.testing.assert_array_equal(history[:kept], free[:kept])  # the same rounds until then
    expected, expected_kept = boost_bag_naive(codes, n_codes, [int(k) for k in kinds], monotonic, train, val, y, w,
                                              loss, init, loss_floor=floor_fraction * start, **params)
    assert kept == expected_kept
    offsets = np.concatenate([[0], np.cumsum(n_codes)]) * n_scores
    for j in range(3):
        np.testing.assert_allclose(tables[offsets[j]:offsets[j + 1]].reshape(-1, n_scores), expected[j],
                                   rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("validation", [False, True])
def test_repeated_squared_error_steps_fold_into_the_histogram_as_the_twin_recomputes_it(weighted, validation):
    """Under squared error, a greedy step on the term stepped just before takes its histogram
    from the previous one (moved by step x hessian sums) instead of a pass over the rows, and the
    rows take the steps added together at the next pass. One term carries most of the signal
    here, so the greedy steps repeat it, as the twin's trace shows; the twin recomputes every
    gradient from the scores, and the kernel must match its steps, kept round and scores.
    Unweighted rows (hessian sums are the cells' counts) and weighted ones."""
    rng = np.random.default_rng(13)
    n = 3000
    n_codes, codes, _, w = _bag_inputs(rng, n, "squared_error", 1)
    w = w if weighted else np.ones(n)
    y = 3.0 * np.sin(codes[:, 0]) + 0.3 * codes[:, 2] + rng.normal(scale=0.3, size=n)
    is_val = rng.random(n) < (0.2 if validation else 0)
    train, val = np.flatnonzero(~is_val).astype(np.intp), np.flatnonzero(is_val).astype(np.intp)
    init = np.array([0.1])
    kinds, monotonic = [TermKind.CONTINUOUS, TermKind.CATEGORICAL, TermKind.CONTINUOUS], [0, 0, 0]
    params = dict(learning_rate=0.2, l2=0.5, min_hessian=1e-3, min_samples_leaf=5, max_leaves=3, max_rounds=25,
                  early_stopping_rounds=3, tolerance=1e-4)
    kernel_params = dict(params, l2_regularization=0.5, greedy_steps=6, patience_min=3, patience_max=3,
                         patience_fraction=0.0, loss_floor=-np.inf)
    del kernel_params["l2"], kernel_params["early_stopping_rounds"]
    offsets = np.concatenate([[0], np.cumsum(n_codes)])
    tables = np.zeros(offsets[-1])
    train_scores, val_scores = np.tile(init, (len(train), 1)), np.tile(init, (len(val), 1))
    _, kept, _ = boost_bag(codes, term_specs(kinds, monotonic, n_codes, np.ones(3)), train, val, y, w,
                           LOSSES["squared_error"].kernel, kernel_params, train_scores, val_scores, tables,
                           np.zeros(25), 1)
    trace = []
    expected, expected_kept = boost_bag_naive(codes, n_codes, [int(k) for k in kinds], monotonic, train, val, y, w,
                                              "squared_error", init, greedy_steps=6, trace=trace, **params)
    repeats = sum(a == b for a, b in zip(trace, trace[1:]))
    assert repeats >= 0.15 * len(trace)  # the case does exercise the folded steps (about a fifth)
    assert kept == expected_kept
    for j in range(3):
        np.testing.assert_allclose(tables[offsets[j]:offsets[j + 1]], expected[j][:, 0], rtol=1e-9, atol=1e-12)
    final = init + sum(expected[j][codes[:, j]] for j in range(3))
    np.testing.assert_allclose(train_scores, final[train], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(val_scores, final[val], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_boost_bag_is_bit_identical_across_thread_counts(loss):
    rng = np.random.default_rng(3)
    n = 30_000  # several row chunks
    n_codes, codes, y, w = _bag_inputs(rng, n, loss, 1)
    results = []
    for n_threads in (1, 2):
        offsets = np.concatenate([[0], np.cumsum(n_codes)]).astype(np.int64)
        tables = np.zeros(offsets[-1])
        rows = np.arange(n, dtype=np.intp)
        params = dict(learning_rate=0.1, l2_regularization=0.0, min_hessian=1e-3, min_samples_leaf=4, max_leaves=3,
                      max_rounds=30, patience_min=5, patience_max=5, patience_fraction=0.0, tolerance=1e-5,
                      greedy_steps=3, loss_floor=-np.inf)
        boost_bag(codes, term_specs(np.zeros(3), np.zeros(3), n_codes, np.ones(3)), rows[: n - 5000],
                  rows[n - 5000:], y, w, LOSSES[loss].kernel, params, np.zeros((n - 5000, 1)),
                  np.zeros((5000, 1)), tables, np.zeros(30), n_threads)
        results.append(tables)
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("validation", [False, True])
def test_boost_bag_stopped_by_its_time_allowance_keeps_a_whole_round(validation):
    """Stopped by the clock (between rounds or midway through one), a bag keeps exactly what a bag
    allowed only the rounds it completed keeps: the same tables, bit for bit, and scores that are
    those tables' (a midway round is rewound). No time at all: no step. Infinite time is the
    default."""
    rng = np.random.default_rng(5)
    n = 60_000
    n_codes, codes, y, w = _bag_inputs(rng, n, "softmax", 3)
    specs = term_specs(np.zeros(3), np.zeros(3), n_codes, np.ones(3))
    train, val = (np.arange(n - 9000, dtype=np.intp), np.arange(n - 9000, n, dtype=np.intp)) if validation else \
        (np.arange(n, dtype=np.intp), np.arange(0, dtype=np.intp))
    offsets = np.concatenate([[0], np.cumsum(n_codes)]) * 3

    def run(max_rounds, *time_left, greedy_steps=3):
        params = dict(learning_rate=0.1, l2_regularization=0.0, min_hessian=1e-3, min_samples_leaf=4, max_leaves=3,
                      max_rounds=max_rounds, patience_min=1000, patience_max=1000, patience_fraction=0.0,
                      tolerance=0.0, greedy_steps=greedy_steps, loss_floor=-np.inf)
        tables = np.zeros(offsets[-1])
        train_scores, val_scores = np.zeros((len(train), 3)), np.zeros((len(val), 3))
        result = boost_bag(codes, specs, train, val, y, w, LOSSES["softmax"].kernel, params, train_scores,
                           val_scores, tables, np.zeros(max_rounds), 1, *time_left)
        return result, tables, train_scores, val_scores

    (n_rounds, kept, out_of_time), tables, train_scores, val_scores = run(1000, 0.05)
    assert out_of_time and 0 < n_rounds < 1000
    (_, kept_again, late), same_tables, _, _ = run(n_rounds)
    assert kept == kept_again and not late
    np.testing.assert_array_equal(tables, same_tables)
    expected = sum(tables[offsets[j]:offsets[j + 1]].reshape(-1, 3)[codes[:, j]] for j in range(3))
    np.testing.assert_allclose(train_scores, expected[train], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(val_scores, expected[val], rtol=1e-9, atol=1e-12)
    (n_rounds, kept, out_of_time), tables, train_scores, _ = run(50, 0.0)
    assert (n_rounds, kept, out_of_time) == (0, 0, True) and not tables.any() and not train_scores.any()
    # A first round of 1,003 steps, each reading 60,000 rows, cut after 20 ms: rewound to nothing.
    (n_rounds, kept, out_of_time), tables, train_scores, val_scores = run(50, 0.02, greedy_steps=1000)
    assert (n_rounds, kept, out_of_time) == (0, 0, True) and not tables.any()
    np.testing.assert_allclose(train_scores, 0, atol=1e-12)
    np.testing.assert_allclose(val_scores, 0, atol=1e-12)
    assert run(3) [0] == run(3, np.inf)[0] and np.array_equal(run(3)[1], run(3, np.inf)[1])
