"""Do fits honour their time limits on inputs that stress them? Rule lists on wide data (where
mining the candidates once ran 19 s past a 1 s limit, or out of memory) and trees.

    python -m benchmarks.bench_budgets [--time-limit 1.0] [--busy 2]

Generated binary data (values rounded to two decimals, so features have many distinct values),
one fit at a time in this process; each row gives the wall time of ``fit`` against the limit and
the machine's load. The 60,000 x 200 cases run with ``max_nodes`` / ``max_root_splits`` large
enough that the clock binds. ``--busy N`` keeps N other processes spinning on the CPU meanwhile
(a shared machine).
"""

import argparse
import multiprocessing
import os
import time
import warnings

import numpy as np

import glassbox as gb
from benchmarks.bench_contention import _spin

CASES = [
    ("RuleListClassifier", 2000, 150, dict(max_nodes=300, max_card=2)),
    ("RuleListClassifier", 300, 60, dict(max_nodes=300, max_card=3)),
    ("RuleListClassifier", 2000, 400, dict(max_nodes=300, max_card=2)),
    ("ShallowTreeClassifier", 5000, 60, dict(max_depth=3)),
    ("RuleListClassifier", 60000, 200, dict(max_nodes=10**6)),
    ("ShallowTreeClassifier", 60000, 200, dict(max_root_splits=10**6)),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning on the CPU meanwhile")
    args = parser.parse_args(argv)
    stop = multiprocessing.Event()
    spinners = [multiprocessing.Process(target=_spin, args=(stop,), daemon=True) for _ in range(args.busy)]
    for spinner in spinners:
        spinner.start()
    try:
        _run(args)
    finally:
        stop.set()
        for spinner in spinners:
            spinner.join()


def _run(args):
    rng = np.random.default_rng(0)
    print("| estimator | rows x features | parameters | fit (s) | time_limit (s) | optimal | load |\n"
          "|---|---|---|---|---|---|---|")
    for name, n, p, params in CASES:
        X = rng.normal(size=(n, p)).round(2)
        y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=n) > 0).astype(int)
        model = getattr(gb, name)(time_limit=args.time_limit, **params)
        load = os.getloadavg()[0]
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        seconds = time.perf_counter() - start
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        print(f"| {name} | {n} x {p} | {shown} | {seconds:.2f} | {args.time_limit:g} | {model.optimal_} | {load:.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
