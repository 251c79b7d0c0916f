"""Regression rule lists beside small regression trees: glassbox's default ``RuleListRegressor``
against scikit-learn's CART (depth 3) and imodels' FIGS (``max_rules=7``), on every regression
dataset in ``../shared/datasets`` (or ``--datasets``), over several random 80/20 splits.

    python -m benchmarks.bench_rule_regression [--datasets 537_houses ...] [--seeds 0 1 2]
        [--models glassbox cart3 figs7] [--out rows.json] [--compare other.json]

Per dataset and model, means over the splits: test R², size (rules before the default; leaves;
FIGS's splits), fit seconds, and for glassbox the prefix expansions and whether the list is
certified optimal. ``--compare`` reads the rows another run wrote (for instance the same script
run against another build: ``PYTHONPATH=../before python benchmarks/bench_rule_regression.py``)
and prints glassbox's R² and fit-time differences per dataset, with paired standard errors over
the splits. Peers run at their defaults on median-imputed, one-hot copies of the data; glassbox
reads the table as it is. Fits use 2 threads where a model takes ``n_jobs``. Run it alone on the
machine: the load average is printed before and after.
"""

import argparse
import json
import os
import time
import warnings

import numpy as np

from benchmarks.report import finish_comparable_run

N_JOBS = 2
MODELS = ("glassbox", "cart3", "figs7")


def _fit(model_name, X_train, y_train):
    from benchmarks.bench_rules import _numeric

    if model_name == "glassbox":
        from glassbox import RuleListRegressor

        model = RuleListRegressor(n_jobs=N_JOBS)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        return model, time.perf_counter() - start, None
    Xn_train, _ = _numeric(X_train, X_train.iloc[:1])
    if model_name == "cart3":
        from sklearn.tree import DecisionTreeRegressor

        model = DecisionTreeRegressor(max_depth=3, random_state=0)
    else:
        from imodels import FIGSRegressor

        model = FIGSRegressor(max_rules=7, random_state=0)
    start = time.perf_counter()
    model.fit(Xn_train.to_numpy(), y_train.to_numpy())
    return model, time.perf_counter() - start, Xn_train.columns


def run(name, model_name, seed):
    """One fit on one split: its record."""
    from sklearn.metrics import r2_score

    from benchmarks.bench_rules import _numeric
    from benchmarks.datasets import load_dataset, split

    X, y, meta = load_dataset(name)
    X_train, X_test, y_train, y_test = split(X, y, meta["task"], seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, seconds, _ = _fit(model_name, X_train, y_train)
    record = {"dataset": name, "model": model_name, "seed": seed, "fit_seconds": seconds}
    if model_name == "glassbox":
        predicted = model.predict(X_test)
        record.update(size=len(model.rules_) - 1, nodes=int(model.n_nodes_), optimal=bool(model.optimal_),
                      gap=float(model.optimality_gap_))
    else:
        _, Xn_test = _numeric(X_train, X_test)
        predicted = model.predict(Xn_test.to_numpy())
        record["size"] = int(model.get_n_leaves()) if model_name == "cart3" else int(model.complexity_)
    record["r2"] = float(r2_score(y_test, predicted))
    return record


def main(argv=None):
    from benchmarks.datasets import available

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--out", default=None)
    parser.add_argument("--compare", default=None, help="rows written by another run (--out)")
    args = parser.parse_args(argv)
    datasets = args.datasets or available("regression")
    print(f"load average before: {os.getloadavg()}", flush=True)
    rows = []
    for name in datasets:
        for model_name in args.models:
            runs = [run(name, model_name, seed) for seed in args.seeds]
            rows.extend(runs)
            extra = ""
            if model_name == "glassbox":
                extra = (f"  expansions {np.mean([r['nodes'] for r in runs]):.0f}"
                         f"  certified {sum(r['optimal'] for r in runs)}/{len(runs)}")
            print(f"{name:<22} {model_name:<9} R² {np.mean([r['r2'] for r in runs]):.4f}"
                  f"  size {np.mean([r['size'] for r in runs]):.1f}"
                  f"  fit {np.mean([r['fit_seconds'] for r in runs]):.2f} s{extra}", flush=True)
    finish_comparable_run(rows, args.out, args.compare, "dataset", "r2", lambda row: row["model"] == "glassbox")


if __name__ == "__main__":
    main()
