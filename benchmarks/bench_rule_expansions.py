"""What one rule-list expansion costs, per way of computing the candidates' statistics: the
timings behind the default budget's work units (``glassbox.rules._search._expansion_work``).

    python -m benchmarks.bench_rule_expansions [--datasets 537_houses fico ...] [--expansions 60]

Per dataset, the default estimator's problem on the training split of ``benchmarks.datasets.split``
(regression as it is; classification unweighted and with uniform random weights in [0.5, 1.5],
seed 0) runs ``--expansions`` branch-and-bound expansions on one thread at ``c=0.001``, and prints
milliseconds per expansion, the work units one expansion counts, and the default budget's
expansions times that time. Unweighted classification is also timed with its statistics read
from tables instead of counted (what ``Problem`` declines for it). Run it alone on the machine.
"""

import argparse
import copy
import os
import time
import warnings

import numpy as np

DEFAULT_DATASETS = ("537_houses", "564_fried", "197_cpu_act", "magic", "fico", "adult", "compas_two_year_clean",
                    "satimage")


def _time(problem, expansions):
    """Milliseconds per expansion of a fresh search over ``problem``."""
    engine = problem.engine(c=0.001, max_rules=20, bounds=127, best=problem.root_objective())
    start = time.perf_counter()
    done = engine.run(expansions)
    return (time.perf_counter() - start) / max(done, 1) * 1e3


def main(argv=None):
    from benchmarks.datasets import load_dataset, split
    from glassbox import RuleListClassifier, RuleListRegressor
    from glassbox.rules._search import _expansion_work, default_max_nodes
    from glassbox.rules._tables import plan_tables

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(DEFAULT_DATASETS))
    parser.add_argument("--expansions", type=int, default=60)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}")
    print("| dataset | weights | statistics | ms / expansion | units / expansion | default expansions | "
          "default x ms (s) |\n|---|---|---|---|---|---|---|")
    for name in args.datasets:
        X, y, meta = load_dataset(name)
        X_train, _, y_train, _ = split(X, y, meta["task"])
        regression = meta["task"] == "regression"
        arms = [("none", None)] if regression else [
            ("none", None), ("uniform 0.5-1.5", np.random.default_rng(0).uniform(0.5, 1.5, len(y_train)))]
        for label, weight in arms:
            model = RuleListRegressor(n_jobs=1) if regression else RuleListClassifier(n_jobs=1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                binned, antecedents, problem, *_ = model._prepare(X_train, y_train, weight, not regression)
            ways = [("tables" if problem.plan is not None else "counts" if problem.groups is not None else "rows",
                     problem)]
            if problem.groups is not None:
                # The same problem with tables instead of counts (the search builds its tables from
                # ``plan``), without mining the candidates again.
                problem_tables = copy.copy(problem)
                problem_tables.plan = plan_tables(antecedents.conditions, antecedents.bits, binned.codes,
                                                  problem.values.shape[1])
                problem_tables.groups = None
                ways.append(("tables (not chosen)", problem_tables))
            for way, prob in ways:
                ms = _time(prob, args.expansions)
                nodes = default_max_nodes(prob)
                print(f"| {name} | {label} | {way} | {ms:.2f} | {_expansion_work(prob):.3g} | {nodes} | "
                      f"{nodes * ms / 1e3:.2f} |", flush=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
