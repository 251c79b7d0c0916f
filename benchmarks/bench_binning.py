"""Time glassbox's Binner beside scikit-learn's HistGradientBoosting binner on a large matrix.

    python -m benchmarks.bench_binning [--rows 1000000] [--cols 20] [--n-jobs 2] [--repeats 3]

The target (from the binning issue): binning 1,000,000 x 20 float64 values takes well under a
second on the project machine (2 cores). Both binners get the same float64 matrix (normal
columns, one column with heavy ties, one with NaN), the same thread count, the same subsample
and seed, and the same number of value bins plus a missing bin (scikit-learn: 255 + 1 of
``n_bins=256``; glassbox: ``max_bins=254`` + missing + unseen). Each step is timed best of
``--repeats``, so a busy machine inflates the numbers less.
"""

import argparse
import sys
import time

import numpy as np

from glassbox.binning import Binner

try:  # private scikit-learn module: may move between releases, so the comparison is optional
    from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
except ImportError:
    _BinMapper = None

TARGET_SECONDS = 1.0


def make_data(n_rows, n_cols, seed=0):
    """Normal columns, plus a heavy-ties column (half zeros, like an amount) and a 10 % NaN one."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_cols))
    X[:, 0] = np.where(rng.random(n_rows) < 0.5, 0.0, np.round(rng.lognormal(3, 1, n_rows)))
    X[rng.random(n_rows) < 0.1, 1] = np.nan
    return X


def best_of(repeats, func):
    """Smallest wall time of ``repeats`` calls, and the last call's result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def time_binner(make, X, repeats):
    """(fit, transform, fit_transform seconds, codes) of a fresh binner from ``make()``.

    fit_transform is what a model runs on its training data: glassbox bins once there (its fit
    already codes X to count rows per bin), scikit-learn's binner fits then transforms."""
    fit_s, binner = best_of(repeats, lambda: make().fit(X))
    transform_s, codes = best_of(repeats, lambda: binner.transform(X))
    fit_transform_s, _ = best_of(repeats, lambda: make().fit_transform(X))
    return fit_s, transform_s, fit_transform_s, codes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--order", choices="CF", default="C", help="memory layout of the input")
    args = parser.parse_args(argv)

    X = np.asarray(make_data(args.rows, args.cols), order=args.order)
    print(f"X: {args.rows:,} x {args.cols} float64 ({args.order}-order, {X.nbytes / 2**20:.0f} MB), "
          f"n_jobs={args.n_jobs}, best of {args.repeats}")

    results = {"glassbox Binner": time_binner(
        lambda: Binner(max_bins=254, n_jobs=args.n_jobs, random_state=0), X, args.repeats)}
    if _BinMapper is not None:
        results["sklearn _BinMapper"] = time_binner(
            lambda: _BinMapper(n_bins=256, subsample=200_000, random_state=0, n_threads=args.n_jobs), X, args.repeats)
    else:
        print("scikit-learn's _BinMapper is not importable here; glassbox alone is timed")

    names = list(results)
    rows = [("fit", 0), ("transform", 1), ("fit_transform", 2)]
    header = f"{'step':<16}" + "".join(f"{n:>20}" for n in names)
    if len(names) == 2:
        header += f"{'sklearn / glassbox':>20}"
    print(header + "\n" + "-" * len(header))
    for label, i in rows:
        values = [r[i] for r in results.values()]
        line = f"{label:<16}" + "".join(f"{v:>19.3f}s" for v in values)
        if len(values) == 2:
            line += f"{values[1] / values[0]:>19.2f}x"
        print(line)

    _, gb_transform, gb_fit_transform, codes = results["glassbox Binner"]
    print(f"\nglassbox codes: {codes.dtype}, {'F' if codes.flags.f_contiguous else 'C'}-ordered, shape {codes.shape}")
    print(f"glassbox transform {gb_transform:.3f} s, fit_transform {gb_fit_transform:.3f} s "
          f"(target: well under {TARGET_SECONDS:g} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
