"""The GAM's step kernels alone, per call: the pair search on a default 65 x 65 grid, and a bag's
boosting steps on generated pair codes (one score, or several classes).

    python -m benchmarks.bench_gam_kernels [--repeats 5]
    cd /tmp && PYTHONPATH=<checkout> python <this file> [--repeats 5]

It imports only glassbox, so to compare two builds run this file by its path from outside both
checkouts, each build on ``PYTHONPATH`` (``-m`` from inside a checkout would import that
checkout's glassbox first). Set ``OPENBLAS_NUM_THREADS=1`` so NumPy's idle threads do not share
the cores. Prints the best of ``--repeats`` timings (µs). 2026-12-06, 2 cores, load 0.8:
82c6873 185 µs a pair search, this session's build 62 µs; 4 classes 45 -> 36 µs a step.
"""

import argparse
import time

import numpy as np

from glassbox._ext._gam_boost import boost_bag
from glassbox._ext._gam_split import pair_step_py
from glassbox._ext._typedefs import TermKind
from glassbox._losses import LOSSES
from glassbox.gam._boosting import n_cells, term_specs


def _best(function, calls, repeats):
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        best = min(best, (time.perf_counter() - started) / calls)
    return best * 1e6


def pair_search(repeats, side=65, calls=2000):
    """µs per ``pair_step_py`` call on a side x side grid of Poisson(3.5) counts, and on an empty
    grid (the wrapper and the prefix sums without any cut to score)."""
    rng = np.random.default_rng(0)
    counts = rng.poisson(3.5, (side, side)).astype(np.intp)
    counts[-1] = 0
    counts[:, -1] = 0
    hess = counts.astype(float)
    grad = rng.normal(size=(side, side)) * counts
    empty, empty_counts = np.zeros((side, side)), np.zeros((side, side), dtype=np.intp)
    full = _best(lambda: pair_step_py(grad, hess, counts, 0.1, 0.0, 1e-3, 1), calls, repeats)
    bare = _best(lambda: pair_step_py(empty, empty, empty_counts, 0.1, 0.0, 1e-3, 1), calls, repeats)
    return full, bare


def bag_steps(repeats, n_rows, n_classes, side=6, n_terms=15, rounds=200):
    """µs per boosting step of one bag (one thread, no validation rows) over ``n_terms`` pair
    terms of side x side cells: log loss for 2 classes, the softmax above."""
    rng = np.random.default_rng(0)
    codes = np.asfortranarray(rng.integers(0, (side - 1) * side, (n_rows, n_terms)).astype(np.uint16))
    specs = term_specs(kinds=np.full(n_terms, TermKind.PAIR), monotonic=np.zeros(n_terms),
                       n_a=[side] * n_terms, n_b=[side] * n_terms)
    y = rng.integers(0, n_classes, n_rows).astype(float)
    loss = LOSSES["softmax"] if n_classes > 2 else LOSSES["log_loss"]
    n_scores = n_classes if n_classes > 2 else 1
    params = dict(learning_rate=0.1, l2_regularization=0.0, min_hessian=1e-3, min_samples_leaf=4, max_leaves=2,
                  max_rounds=rounds, patience_min=5, patience_max=20, patience_fraction=0.1, tolerance=1e-5,
                  greedy_steps=n_terms, loss_floor=-np.inf)

    def fit():
        boost_bag(codes, specs, np.arange(n_rows, dtype=np.intp), np.arange(0, dtype=np.intp), y, np.ones(n_rows),
                  loss.kernel, params, np.zeros((n_rows, n_scores)), np.zeros((0, n_scores)),
                  np.zeros(n_cells(specs) * n_scores), np.zeros(rounds), 1)

    return _best(fit, 1, repeats) / (rounds * 2 * n_terms)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    full, bare = pair_search(args.repeats)
    print(f"pair search, 65 x 65 grid: {full:.1f} us a call ({bare:.1f} us on an empty grid)")
    for n_rows, n_classes in ((1175, 2), (1175, 4), (11750, 6)):
        print(f"bag steps, {n_rows} rows, {n_classes} classes, 15 pairs of 6 x 6 cells: "
              f"{bag_steps(args.repeats, n_rows, n_classes):.1f} us a step")


if __name__ == "__main__":
    main()
