"""GAMs side by side: glassbox's GAMClassifier/GAMRegressor against InterpretML's EBM.

A standalone stand-in for the shared benchmark runner (same split: ``benchmarks.datasets.split``;
same ``n_jobs`` for every model; EBM at its defaults). Prints one row per dataset: test AUC
(macro one-vs-rest for multiclass) or R², fit seconds, and the ratios. ``--large`` adds the
1,000,000 x 20 generated binary fit, run in a child process to measure its peak memory;
``--huge`` fits only 10,000,000 x 20 of the same generator in memory with ``max_samples=None``
(every bag boosts on every row: 717 s and a 5.8 GB peak for the child process on 2 cores,
2026-12-06).

    python -m benchmarks.bench_gam --n-jobs 2
    python -m benchmarks.bench_gam --datasets adult fico --models glassbox
    python -m benchmarks.bench_gam --large-only
    python -m benchmarks.bench_gam --huge
    python -m benchmarks.bench_gam --ebm-cap 50

``--ebm-cap R`` fits EBM in a child process and stops it once its fit has taken R times
glassbox's fit time on the same dataset in the same run: the row then says EBM took more than
that, and glassbox less than 1/R of it (a bound, not a measured time). Some EBM fits take longer
than a session can wait (churn's ran past 15 minutes in one run).

Timings on a shared machine are noisy; compare ratios measured in the same run.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import r2_score, roc_auc_score

from benchmarks.datasets import load_dataset, manifest, split

DATASETS = {
    "binary": ["compas_two_year_clean", "fico", "adult", "magic", "churn", "credit_g", "heart"],
    "regression": ["537_houses", "564_fried", "197_cpu_act"],
    "multiclass": ["satimage", "car_evaluation"],
}


def make_model(name, task, n_jobs):
    if name == "glassbox":
        from glassbox import GAMClassifier, GAMRegressor

        cls = GAMRegressor if task == "regression" else GAMClassifier
        return cls(n_jobs=n_jobs, random_state=0)
    if name == "ebm":
        from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor

        cls = ExplainableBoostingRegressor if task == "regression" else ExplainableBoostingClassifier
        return cls(n_jobs=n_jobs)  # every other parameter at InterpretML's default
    raise ValueError(f"unknown model {name!r}")


def score(model, task, X_test, y_test):
    if task == "regression":
        return r2_score(y_test, model.predict(X_test))
    proba = model.predict_proba(X_test)
    if task == "binary":
        return roc_auc_score(y_test, proba[:, 1])
    return roc_auc_score(y_test, proba, multi_class="ovr", labels=model.classes_)


def run(dataset, model_name, n_jobs, started=None):
    X, y, meta = load_dataset(dataset)
    task = meta["task"]
    X_train, X_test, y_train, y_test = split(X, y, task)
    model = make_model(model_name, task, n_jobs)
    if started is not None:
        started()
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return {"dataset": dataset, "task": task, "model": model_name, "score": float(score(model, task, X_test, y_test)),
            "fit_seconds": seconds}


def capped_run(dataset, model_name, n_jobs, cap):
    """``run`` in a child process (its own session, so EBM's worker processes go with it), stopped
    once the fit itself has taken ``cap`` seconds: then a record with ``stopped`` and the seconds
    the fit had run, a lower bound of its time."""
    code = (f"import json; from benchmarks.bench_gam import run; "
            f"print(json.dumps(run({dataset!r}, {model_name!r}, {n_jobs}, started=lambda: print('fit', flush=True))))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                       os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    if proc.stdout.readline().strip() != "fit":
        proc.wait()
        raise RuntimeError(f"the {model_name} child process for {dataset} failed before fitting")
    start = time.perf_counter()
    try:
        out, _ = proc.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"dataset": dataset, "task": manifest()[dataset]["task"], "model": model_name, "score": None,
                "fit_seconds": time.perf_counter() - start, "stopped": True}
    if proc.returncode:
        raise RuntimeError(f"the {model_name} child process for {dataset} failed (exit {proc.returncode})")
    return json.loads(out.splitlines()[-1])


def large(n_jobs, n_samples=1_000_000, n_features=20, max_samples=200_000):
    """Fit glassbox on generated binary data in a child process; return seconds and peak RSS (MB)
    (the peak includes the generated float64 table, 160 bytes a row at 20 features)."""
    code = f"""
import resource, time, numpy as np
from glassbox import GAMClassifier
rng = np.random.default_rng(0)
X = rng.normal(size=({n_samples}, {n_features}))
logit = X[:, 0] - 0.5 * X[:, 1] ** 2 + np.sin(2 * X[:, 2]) + 0.5 * X[:, 3] * X[:, 4]
y = (rng.random({n_samples}) < 1 / (1 + np.exp(-logit))).astype(int)
start = time.perf_counter()
GAMClassifier(n_jobs={n_jobs}, random_state=0, max_samples={max_samples!r}).fit(X, y)
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, peak_mb = map(float, out.stdout.split())
    return seconds, peak_mb


def table(results):
    by = {(r["dataset"], r["model"]): r for r in results}
    lines = [f"{'dataset':<24}{'task':<12}{'metric':<7}{'glassbox':>9}{'EBM':>9}{'diff':>8}"
             f"{'gb fit s':>10}{'EBM fit s':>11}{'time ratio':>11}"]
    diffs, gb_total, ebm_total, stopped = [], 0.0, 0.0, False
    for task, names in DATASETS.items():
        for name in names:
            gb, ebm = by.get((name, "glassbox")), by.get((name, "ebm"))
            if gb is None:
                continue
            metric = "R2" if task == "regression" else "AUC"
            if ebm is None:
                lines.append(f"{name:<24}{task:<12}{metric:<7}{gb['score']:>9.4f}{'-':>9}{'-':>8}{gb['fit_seconds']:>10.2f}")
                continue
            if ebm.get("stopped"):
                stopped = True
                lines.append(f"{name:<24}{task:<12}{metric:<7}{gb['score']:>9.4f}{'-':>9}{'-':>8}"
                             f"{gb['fit_seconds']:>10.2f}{'>' + format(ebm['fit_seconds'], '.2f'):>11}"
                             f"{'<' + format(gb['fit_seconds'] / ebm['fit_seconds'], '.3f'):>11}")
                continue
            diff = gb["score"] - ebm["score"]
            diffs.append(diff)
            gb_total += gb["fit_seconds"]
            ebm_total += ebm["fit_seconds"]
            lines.append(f"{name:<24}{task:<12}{metric:<7}{gb['score']:>9.4f}{ebm['score']:>9.4f}{diff:>+8.4f}"
                         f"{gb['fit_seconds']:>10.2f}{ebm['fit_seconds']:>11.2f}{gb['fit_seconds'] / ebm['fit_seconds']:>11.3f}")
    if diffs:
        lines.append(f"mean diff {np.mean(diffs):+.4f}, worst {min(diffs):+.4f}; total fit {gb_total:.1f}s vs "
                     f"{ebm_total:.1f}s (ratio {gb_total / ebm_total:.3f})"
                     + ("; the EBM fits stopped by --ebm-cap (>) are left out of these" if stopped else ""))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=[d for names in DATASETS.values() for d in names])
    parser.add_argument("--models", nargs="*", default=["glassbox", "ebm"])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--results", type=Path, default=None, help="JSON file to add results to (and reuse)")
    parser.add_argument("--ebm-cap", type=float, default=None,
                        help="stop an EBM fit after this many times glassbox's fit time on the dataset")
    parser.add_argument("--large", action="store_true", help="also fit 1,000,000 x 20 generated rows")
    parser.add_argument("--large-only", action="store_true")
    parser.add_argument("--huge", action="store_true",
                        help="only fit 10,000,000 x 20 generated rows in memory with max_samples=None")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text()) if args.results and args.results.exists() else []
    if not (args.large_only or args.huge):
        for dataset in args.datasets:
            for model in args.models:
                results = [r for r in results if (r["dataset"], r["model"]) != (dataset, model)]
                gb = next((r for r in results if (r["dataset"], r["model"]) == (dataset, "glassbox")), None)
                if model == "ebm" and args.ebm_cap and gb is not None:
                    r = capped_run(dataset, model, args.n_jobs, args.ebm_cap * gb["fit_seconds"])
                else:
                    r = run(dataset, model, args.n_jobs)
                score_text = "stopped" if r.get("stopped") else f"{r['score']:.4f}"
                print(f"{dataset} {model}: {score_text} in {r['fit_seconds']:.2f}s", file=sys.stderr, flush=True)
                results.append(r)
                if args.results:
                    args.results.write_text(json.dumps(results, indent=1))
        print(table(results))
    if (args.large or args.large_only) and not args.huge:
        seconds, peak_mb = large(args.n_jobs)
        print(f"1,000,000 x 20 binary (generated): fit {seconds:.1f}s, peak memory {peak_mb:.0f} MB")
    if args.huge:
        print(f"load average before the 10M fit: {os.getloadavg()}", flush=True)
        seconds, peak_mb = large(args.n_jobs, n_samples=10_000_000, max_samples=None)
        print(f"10,000,000 x 20 binary (generated), max_samples=None: fit {seconds:.1f}s, peak memory "
              f"{peak_mb:.0f} MB; load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
