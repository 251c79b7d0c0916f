"""What sample weights cost a default rule-list fit (issue 17: weights must not slow it several-fold).

    python -m benchmarks.bench_rule_weights [--dataset fico] [--n-jobs 1]

Fits ``RuleListClassifier(random_state=0)`` on the training part of ``benchmarks.datasets.split``
four times: without weights, with ``class_weight="balanced"``, with integer weights 1 to 3 and
with uniform random weights in [0.5, 1.5] (both drawn with seed 0). Prints fit seconds, rules,
prefix expansions and whether the list was proven optimal, with the machine's load average. The
first three count rows by (class, weight) groups, the last sums them row by row
(``glassbox.rules._search.WeightGroups``). Run it alone on the machine.
"""

import argparse
import os
import time
import warnings

import numpy as np


def main(argv=None):
    from benchmarks.datasets import load_dataset, split
    from glassbox import RuleListClassifier

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="fico")
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args(argv)
    X, y, meta = load_dataset(args.dataset)
    X_train, _, y_train, _ = split(X, y, meta["task"])
    rng = np.random.default_rng(0)
    arms = [("no weights", {}, None), ("class_weight='balanced'", {"class_weight": "balanced"}, None),
            ("integer weights 1-3", {}, rng.integers(1, 4, len(y_train)).astype(float)),
            ("uniform weights 0.5-1.5", {}, rng.uniform(0.5, 1.5, len(y_train)))]
    print(f"{args.dataset}: {len(y_train)} training rows, n_jobs={args.n_jobs}, load {os.getloadavg()[0]:.2f}")
    for label, params, weight in arms:
        model = RuleListClassifier(random_state=0, n_jobs=args.n_jobs, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            model.fit(X_train, y_train, sample_weight=weight)
            seconds = time.perf_counter() - started
        print(f"{label:<26} {seconds:7.2f} s  {len(model.rules_) - 1} rules  {model.n_nodes_} expansions  "
              f"optimal {model.optimal_}  ({model.n_antecedents_} candidates, load {os.getloadavg()[0]:.2f})",
              flush=True)


if __name__ == "__main__":
    main()
