"""Do fits honour their time limits on inputs that stress them? Rule lists on wide data (where
mining the candidates once ran 19 s past a 1 s limit, or out of memory) and trees.

    python -m benchmarks.bench_budgets [--time-limit 1.0]

Generated binary data (values rounded to two decimals, so features have many distinct values),
one fit at a time in this process; each row gives the wall time of ``fit`` against the limit and
the machine's load.
"""

import argparse
import os
import time
import warnings

import numpy as np

import glassbox as gb

CASES = [
    ("RuleListClassifier", 2000, 150, dict(max_nodes=300, max_card=2)),
    ("RuleListClassifier", 300, 60, dict(max_nodes=300, max_card=3)),
    ("RuleListClassifier", 2000, 400, dict(max_nodes=300, max_card=2)),
    ("ShallowTreeClassifier", 5000, 60, dict(max_depth=3)),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=1.0)
    args = parser.parse_args(argv)
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
