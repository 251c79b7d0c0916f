"""The statistic that chooses the GAM's unordered features, per feature of each dataset's training
split, and what computing it costs (docs/gam.md, "Unordered terms").

    python -m benchmarks.unordered_stats [--datasets adult ...] [--top 4] [--generated]

For each dataset: the ``--top`` continuous features with the highest statistic (units of noise
per value bin with rows and per class; ``unordered_penalty`` is the threshold) and the seconds
``glassbox.gam._unordered.unordered_statistics`` took. ``--generated`` adds pure noise (20,000
rows x 20 features, binary at 50% and 0.2% positives, and 3,000 rows of 1,000 classes) and
1,000,000 x 20 binary rows, whose statistics should sit near 0.64 (the best two-way grouping of
``m`` chi-square(1) terms is about ``2m/pi`` of them, less what four runs in value order take).
"""

import argparse
import time
import warnings

import numpy as np

from benchmarks.datasets import available, load_dataset, split
from glassbox._losses import classification_loss, regression_loss
from glassbox.binning import Binner
from glassbox.gam import GAMClassifier
from glassbox.gam._unordered import unordered_statistics

DATASETS = ["compas_two_year_clean", "fico", "adult", "magic", "churn", "credit_g", "heart", "537_houses",
            "564_fried", "197_cpu_act", "satimage", "car_evaluation"]


def statistics(X, y, classifier):
    """``(names, statistics, seconds)`` at a default GAM's starting scores on ``(X, y)``."""
    defaults = GAMClassifier()
    binner = Binner(max_bins=defaults.max_bins).fit(X)
    codes = np.asarray(binner.transform(X))
    w = np.ones(len(y))
    if classifier:
        classes, target = np.unique(y, return_inverse=True)
        loss, target = classification_loss(len(classes)), target.astype(np.float64)
    else:
        loss, target = regression_loss("squared_error"), np.asarray(y, dtype=np.float64)
    n_scores = len(classes) if classifier and len(classes) > 2 else 1
    scores = np.tile(loss.initial_scores(target, w, n_scores), (len(target), 1))
    started = time.perf_counter()
    stats = unordered_statistics(codes, binner.features_, np.zeros(len(binner.features_)), loss, scores, target, w,
                                 defaults._params(), n_threads=2)
    return [f.name for f in binner.features_], stats, time.perf_counter() - started


def _report(label, names, stats, seconds, top):
    tested = [(s, n) for s, n in zip(stats, names) if np.isfinite(s)]
    shown = ", ".join(f"{n} {s:.2f}" for s, n in sorted(tested, reverse=True)[:top])
    print(f"| {label} | {len(tested)} | {shown} | {seconds:.3f} |", flush=True)


def _generated(top):
    rng = np.random.default_rng(0)
    cases = [("noise, 20,000 x 20, 50% positives", 20_000, 20, lambda n: rng.random(n) < 0.5),
             ("noise, 20,000 x 20, 0.2% positives", 20_000, 20, lambda n: rng.random(n) < 0.002),
             ("noise, 3,000 x 20, 1,000 classes", 3_000, 20, lambda n: rng.integers(0, 1000, n)),
             ("noise, 1,000,000 x 20, 50% positives", 1_000_000, 20, lambda n: rng.random(n) < 0.5)]
    for label, n, p, target in cases:
        X = rng.normal(size=(n, p))
        _report(label, *statistics(X, target(n).astype(int), True), top)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--top", type=int, default=4)
    parser.add_argument("--generated", action="store_true")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    print("| data | features tested | highest statistics | seconds |\n|---|---|---|---|")
    for name in args.datasets if args.datasets is not None else [d for d in DATASETS if d in available()]:
        X, y, meta = load_dataset(name)
        X_train, _, y_train, _ = split(X, y, meta["task"])
        _report(name, *statistics(X_train, y_train, meta["task"] != "regression"), args.top)
    if args.generated:
        _generated(args.top)


if __name__ == "__main__":
    main()
