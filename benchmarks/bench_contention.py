"""Threads on a shared machine: the default thread count against one thread, quiet and with busy
neighbours, for every family; a GAM inside GridSearchCV with n_jobs=1 and 2; and the GAM's slowdown
under load against InterpretML's EBM's.

GridSearchCV with n_jobs=2 starts joblib's worker processes, which import scikit-learn and
glassbox before the first fit: a cost paid once per session (joblib keeps its workers for the
next search), which no estimator controls. Three arms separate it: the session's first search
("grid"), the second one on the running workers ("grid-warm"), and the same search of a
DummyClassifier ("grid-start"), which is that cost alone. These search GAMClassifier(outer_bags=4)
to keep the run short; "grid-default" is the session's first search of GAMClassifier() with its
defaults (6 bags), as users write it: longer fits, against the same start.

    python -m benchmarks.bench_contention [--rows 20000 | --dataset adult] [--busy 2] [--repeats 3] [--arms ...]
        [--out PATH]

Data: generated binary classification (10 features, two categorical, some missing), or with
``--dataset`` a binary dataset's training split (``benchmarks.datasets.split``). Each fit
runs in a fresh interpreter, one at a time; "busy" starts ``--busy`` processes that spin on the
CPU for the whole measurement (as another user's jobs would), then stops them. Reported: the
median wall time of ``--repeats`` fits per arm, and the ratio default / one thread (above 1: the
default threads lose to one thread). The machine's load is printed with each row.

The ``ebm`` arm times ``GAMClassifier(n_jobs=2)`` and ``ExplainableBoostingClassifier(n_jobs=2)``
(EBM's defaults otherwise; both use the two cores, EBM as processes) on the same data, quiet and
busy, and reports each one's slowdown (busy time / quiet time) and their ratio, glassbox's over
EBM's: above 1, load hurts glassbox more than EBM. It needs the ``bench`` extra (interpret).
"""

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time

FAMILIES = {
    "GAMClassifier": "gb.GAMClassifier(random_state=0, n_jobs={n_jobs})",
    "RuleListClassifier": "gb.RuleListClassifier(n_jobs={n_jobs})",
    "ShallowTreeClassifier": "gb.ShallowTreeClassifier(n_jobs={n_jobs})",
}

CHILD = r"""
import sys, time, warnings
import numpy as np, pandas as pd
import glassbox as gb
from sklearn.model_selection import GridSearchCV

data, what, n_jobs = sys.argv[1], sys.argv[2], sys.argv[3]
n_jobs = None if n_jobs == "None" else int(n_jobs)
if data.isdigit():
    rows = int(data)
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(rows, 8)), columns=[f"x{i}" for i in range(8)])
    X["c1"] = rng.choice(list("abcdef"), rows)
    X["c2"] = rng.choice(list("uvw"), rows)
    X.loc[rng.random(rows) < 0.05, "x3"] = np.nan
    y = (X.x0 + X.x1 * X.x2 + (X.c1 == "a") + rng.normal(size=rows) > 0.5).astype(int).to_numpy()
else:  # a shared dataset's training split
    from benchmarks.datasets import load_dataset, split
    X, y, meta = load_dataset(data)
    X, _, y, _ = split(X, y, meta["task"])
warnings.simplefilter("ignore")
start = time.perf_counter()
if what == "ebm":
    from interpret.glassbox import ExplainableBoostingClassifier
    ExplainableBoostingClassifier(random_state=0, n_jobs=n_jobs).fit(X, y)
elif what in ("grid", "grid-warm", "grid-default"):
    bags = {} if what == "grid-default" else {"outer_bags": 4}

    def search():
        GridSearchCV(gb.GAMClassifier(random_state=0, **bags),
                     {"learning_rate": [0.05, 0.1], "max_leaves": [2, 3]}, cv=3, n_jobs=n_jobs).fit(X, y)
    if what == "grid-warm":  # joblib keeps its workers for the next search of the session
        search()
        start = time.perf_counter()
    search()
elif what == "grid-start":  # the same 12 fits of a model that does nothing: joblib's own cost
    from sklearn.dummy import DummyClassifier
    GridSearchCV(DummyClassifier(), {"strategy": ["prior", "most_frequent", "stratified", "uniform"]},
                 cv=3, n_jobs=n_jobs).fit(X, y)
else:
    eval(sys.argv[4]).fit(X, y)
print(time.perf_counter() - start)
"""


def _spin(stop):
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _time(data, what, n_jobs, spec, repeats):
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", CHILD, str(data), what, str(n_jobs), spec],
                             capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


EBM_ARM = "GAM / EBM, both n_jobs=2"
GRID_ARMS = {
    "grid": "GridSearchCV(GAM), 2 vs 1 jobs",
    "grid-warm": "the same, workers running",
    "grid-start": "GridSearchCV(DummyClassifier), 2 vs 1 jobs",
    "grid-default": "GridSearchCV(GAM, default bags), 2 vs 1 jobs",
}


def _print_slowdowns(results):
    """The GAM's and EBM's slowdowns (busy / quiet) and their ratio, from the ``ebm`` arm's rows."""
    rows = {row["busy"]: row for row in results if row["arm"] == EBM_ARM}
    if len(rows) < 2:
        return
    quiet, busy = rows[0], rows[max(rows)]
    glassbox, ebm = busy["default"] / quiet["default"], busy["one"] / quiet["one"]
    print(f"\nslowdown with {busy['busy']} busy processes: glassbox {glassbox:.2f}x, EBM {ebm:.2f}x; "
          f"ratio {glassbox / ebm:.2f} (at most 1.2 is the target)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--dataset", help="a shared dataset's training split instead of the generated rows "
                                          "(binary classification; run from the repository's root)")
    parser.add_argument("--busy", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    arms = [*FAMILIES, *GRID_ARMS, "ebm"]
    parser.add_argument("--arms", nargs="+", default=arms, choices=arms,
                        help="families to time ('grid': a GAM inside GridSearchCV, the session's first search; "
                             "'grid-warm': its second, on joblib's running workers; 'grid-start': the same "
                             "search of a DummyClassifier, joblib's own cost; 'grid-default': the first "
                             "search with the GAM's default 6 bags, not 4; 'ebm': the GAM's slowdown "
                             "against EBM's); default: all")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    data = args.dataset or args.rows
    results = []
    print(f"| arm | machine | default threads (s) | n_jobs=1 (s) | ratio | load |\n|---|---|---|---|---|---|")
    for busy in (0, args.busy):
        stop = multiprocessing.Event()
        spinners = [multiprocessing.Process(target=_spin, args=(stop,), daemon=True) for _ in range(busy)]
        for spinner in spinners:
            spinner.start()
        try:
            arms = [(name, "fit", spec) for name, spec in FAMILIES.items() if name in args.arms]
            arms += [(label, what, "") for what, label in GRID_ARMS.items() if what in args.arms]
            arms += [(EBM_ARM, "ebm", "")] if "ebm" in args.arms else []
            for name, what, spec in arms:
                load = os.getloadavg()[0]
                if what == "ebm":
                    # Columns as for the others: "default" is glassbox, "one" is EBM, both at 2 jobs.
                    many = _time(data, "fit", 2, FAMILIES["GAMClassifier"].format(n_jobs=2), args.repeats)
                    one = _time(data, what, 2, "", args.repeats)
                elif what in GRID_ARMS:
                    many, one = _time(data, what, 2, "", args.repeats), _time(data, what, 1, "", args.repeats)
                else:
                    many = _time(data, what, None, spec.format(n_jobs=None), args.repeats)
                    one = _time(data, what, 1, spec.format(n_jobs=1), args.repeats)
                row = {"arm": name, "busy": busy, "default": many, "one": one, "ratio": many / one, "load": load}
                results.append(row)
                machine = "quiet" if busy == 0 else f"{busy} busy processes"
                cells = f"{many:.2f} (glassbox) | {one:.2f} (EBM)" if what == "ebm" else f"{many:.2f} | {one:.2f}"
                print(f"| {name} | {machine} | {cells} | {many / one:.2f} | {load:.1f} |", flush=True)
        finally:
            stop.set()
            for spinner in spinners:
                spinner.join()
    _print_slowdowns(results)
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(results, handle, indent=1)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, data {data}, median of {args.repeats}")


if __name__ == "__main__":
    main()
