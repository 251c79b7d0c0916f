"""Two builds of glassbox side by side, in one run: fit and predict times as ratios, and whether
they fit the same model.

    python -m benchmarks.compare_builds --base ../glassbox-before [--datasets adult ...]
                                        [--models gb_gam gb_rulelist gb_tree_d2 gb_tree_d3]
                                        [--repeats 3] [--n-jobs 2] [--out PATH]

``--base`` is another checkout with its kernels built in place (``git worktree add ../before REV
&& cd ../before && python setup.py build_ext --inplace``); the current checkout is the other
build. Each (dataset, model) pair runs ``benchmarks._worker`` in a fresh child process per fit,
the two builds alternating (base, new, new, base, ...) so that drift in the machine's load falls
on both alike. A ratio is the new build's median time over the base's; ``same`` says whether
both gave the same test metrics to the last digit (a refactor must). Run nothing else meanwhile:
the load average is printed before and after.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.datasets import available

HERE = Path(__file__).resolve().parents[1]
DEFAULT_MODELS = ("gb_gam", "gb_rulelist", "gb_tree_d2", "gb_tree_d3")
DEFAULT_DATASETS = ("adult", "compas_raw", "nursery", "satimage", "fico", "537_houses", "564_fried")


def fit_once(root, dataset, model, n_jobs, seed):
    """One worker run of the build checked out at ``root``: its record (JSON)."""
    env = dict(os.environ, PYTHONPATH=str(root))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "record.json"
        subprocess.run([sys.executable, "-m", "benchmarks._worker", dataset, model, "--n-jobs", str(n_jobs),
                        "--seed", str(seed), "--out", str(out)], cwd=root, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.loads(out.read_text())


def compare(base, datasets, models, repeats, n_jobs, seed):
    rows = []
    for dataset in datasets:
        for model in models:
            runs = {"base": [], "new": []}
            for r in range(repeats):
                order = ("base", "new") if r % 2 == 0 else ("new", "base")
                for build in order:
                    runs[build].append(fit_once(base if build == "base" else HERE, dataset, model, n_jobs, seed))
            if any(run["status"] != "ok" for build in runs.values() for run in build):
                errors = {b: [run.get("error") for run in rs if run["status"] != "ok"] for b, rs in runs.items()}
                rows.append({"dataset": dataset, "model": model, "status": "error", "errors": errors})
                print(f"{dataset:<14} {model:<12} error: {errors}", flush=True)
                continue
            row = {"dataset": dataset, "model": model, "status": "ok",
                   "same": all(run["metrics"] == runs["base"][0]["metrics"] and run["size"] == runs["base"][0]["size"]
                               for build in runs.values() for run in build)}
            for what in ("fit_seconds", "predict_seconds"):
                times = {b: [run[what] for run in rs] for b, rs in runs.items()}
                row[what] = times
                row[what.replace("seconds", "ratio")] = float(np.median(times["new"]) / np.median(times["base"]))
            rows.append(row)
            print(f"{dataset:<14} {model:<12} fit {np.median(row['fit_seconds']['base']):8.3f} s -> "
                  f"{np.median(row['fit_seconds']['new']):8.3f} s  ratio {row['fit_ratio']:5.3f}   predict ratio "
                  f"{row['predict_ratio']:5.3f}   same model: {row['same']}", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, type=Path, help="the other checkout, kernels built in place")
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--models", nargs="*", default=list(DEFAULT_MODELS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    datasets = args.datasets or [d for d in DEFAULT_DATASETS if d in available()]
    print(f"load average before: {os.getloadavg()}; base {args.base.resolve()}, new {HERE}", flush=True)
    started = time.time()
    rows = compare(args.base.resolve(), datasets, args.models, args.repeats, args.n_jobs, args.seed)
    ok = [r for r in rows if r["status"] == "ok"]
    if ok:
        fit = np.array([r["fit_ratio"] for r in ok])
        predict = np.array([r["predict_ratio"] for r in ok])
        print(f"\n{len(ok)} pairs: fit ratio geometric mean {np.exp(np.log(fit).mean()):.3f} "
              f"(min {fit.min():.3f}, max {fit.max():.3f}); predict ratio geometric mean "
              f"{np.exp(np.log(predict).mean()):.3f}; same model in {sum(r['same'] for r in ok)} of {len(ok)}")
    print(f"load average after: {os.getloadavg()}; {time.time() - started:.0f} s", flush=True)
    if args.out:
        args.out.write_text(json.dumps({"base": str(args.base.resolve()), "n_jobs": args.n_jobs, "rows": rows},
                                       indent=1))


if __name__ == "__main__":
    main()
