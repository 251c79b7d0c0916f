"""Where a default GAM fit's time goes, stage by stage (issue 21's profile).

    python -m benchmarks.profile_gam [--datasets adult generated_1m] [--n-jobs 2]

For each dataset (the training part of ``benchmarks.datasets.split``; ``generated_1m`` is
``benchmarks.bench_scale``'s generated data, 1M rows x 20 features), one default
``GAMClassifier(random_state=0)`` (``GAMRegressor`` on regression data) fit at ``--n-jobs``
threads and one at a single thread, with each stage timed by wrapping the fit's own functions
(nothing inside the kernels changes):

- binning (``Binner`` fit and codes), the main-effect stage, pair detection (FAST ranking), the
  pair stage, the constraint check, finishing the terms (centring, averaging);
- per boosting stage: rounds run and kept per bag, steps (rounds run x (terms + greedy steps),
  over the bags), and microseconds per step per row, ``stage seconds x threads / (steps x rows
  per bag)``;
- the ratio of the n_jobs fit's stage time to the single thread's: 1/n_jobs is perfect scaling,
  1 or more means the threads only wait for each other.

The machine's load average is printed with each row.
"""

import argparse
import json
import os
import threading
import time

import numpy as np

STAGES = {  # what is timed: (module, function name) -> stage label
    ("glassbox._base", "BinnedModelMixin._fit_bins"): "binning",
    ("glassbox.gam._gam", "rank_pairs"): "pair detection",
    ("glassbox.gam._gam", "_BaseGAM._finish_terms"): "finishing terms",
}


def instrument():
    """Wrap the fit's stage functions; return the dict they add their seconds (and rounds) to."""
    import importlib

    from glassbox.gam import _gam

    record = {}

    def timed(label, fn):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                record[label] = record.get(label, 0.0) + time.perf_counter() - started
        return wrapper

    for (module_name, path), label in STAGES.items():
        owner = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        setattr(owner, name, timed(label, getattr(owner, name)))

    original = _gam.run_stage

    from glassbox.gam import _boosting

    kernel = _boosting.boost_bag
    run = {}  # rounds run per bag of the stage running now (the kernel's first result)

    def boost_bag(*args, **kwargs):
        result = kernel(*args, **kwargs)
        run.setdefault(threading.current_thread().name, []).append(result[0])
        return result

    def run_stage(codes, specs, bags, *args, stage, params, **kwargs):
        started = time.perf_counter()
        run.clear()
        result = original(codes, specs, bags, *args, stage=stage, params=params, **kwargs)
        greedy = int(round(params["greedy_ratio"] * len(specs)))  # as run_stage gives the kernel
        entry = record.setdefault(stage, {"seconds": 0.0, "rounds_run": [], "rounds_kept": [], "terms": len(specs),
                                          "steps_per_round": len(specs) + greedy,
                                          "rows_per_bag": int(np.mean([len(b.train_rows) for b in bags]))})
        entry["seconds"] += time.perf_counter() - started
        entry["rounds_run"] += [r for rounds in run.values() for r in rounds]
        entry["rounds_kept"] += list(result[1])
        return result

    _boosting.boost_bag = boost_bag
    _gam.run_stage = run_stage
    return record


def load(name):
    if name == "generated_1m":
        from benchmarks.bench_scale import generate

        X, y, _ = generate(1_000_000, seed=11)
        return X, y, "binary"
    from benchmarks.datasets import load_dataset, split

    X, y, meta = load_dataset(name)
    X_train, _, y_train, _ = split(X, y, meta["task"], seed=0)
    return X_train, y_train, meta["task"]


def profile(X, y, task, n_jobs, record):
    import glassbox as gb

    record.clear()
    estimator = gb.GAMRegressor if task == "regression" else gb.GAMClassifier
    started = time.perf_counter()
    estimator(random_state=0, n_jobs=n_jobs).fit(X, y)
    total = time.perf_counter() - started
    out = {"n_jobs": n_jobs, "total_s": round(total, 2), "load": f"{os.getloadavg()[0]:.2f}"}
    for label, value in record.items():
        if isinstance(value, dict):
            steps = sum(value["rounds_run"]) * value["steps_per_round"]
            out[label] = {"seconds": round(value["seconds"], 2), "rounds_run": sorted(value["rounds_run"]),
                          "rounds_kept": value["rounds_kept"], "terms": value["terms"], "steps": steps,
                          "us_per_step_per_row": round(value["seconds"] * n_jobs / max(steps, 1)
                                                       / value["rows_per_bag"] * 1e6, 4)}
        else:
            out[label] = round(value, 2)
    accounted = sum(v["seconds"] if isinstance(v, dict) else v for v in record.values())
    out["other_s"] = round(total - accounted, 2)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["adult", "generated_1m"])
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    record = instrument()
    for name in args.datasets:
        X, y, task = load(name)
        runs = [profile(X, y, task, n_jobs, record) for n_jobs in (args.n_jobs, 1)]
        many, one = runs
        scaling = {label: round(many[label]["seconds"] / one[label]["seconds"], 2)
                   for label in many if isinstance(many[label], dict) and label in one}
        print(json.dumps({"dataset": name, "rows": len(X), "features": X.shape[1], "runs": runs,
                          "stage_time_ratio_n_jobs_over_1": scaling}), flush=True)


if __name__ == "__main__":
    main()
