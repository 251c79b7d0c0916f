"""Benchmark glassbox beside its peers on the shared datasets; print tables, write JSON.

    python -m benchmarks.run [--datasets NAME ...] [--task TASK] [--models NAME ...]
                             [--n-jobs 2] [--time-limit 900] [--seed 0] [--out PATH] [--ref ebm]

Every (dataset, model) pair is fitted on the fixed stratified 80/20 split in a child process of
its own (``benchmarks._worker``) with the same thread count, and killed at the time limit. Each
pair yields one record with status ok / timeout / error / unsupported; the JSON file is
rewritten after every record, so a long run that is interrupted keeps what it measured.
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

from benchmarks.datasets import available, manifest
from benchmarks.models import MODELS, TASKS, unknown_model_hint
from benchmarks.report import print_tables

try:
    import psutil
except ImportError:  # peak memory then falls back to the worker's own ru_maxrss
    psutil = None

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PACKAGES = ("glassbox", "scikit-learn", "interpret-core", "lightgbm", "imodels", "pygam", "wittgenstein", "numpy", "pandas")
POLL_SECONDS = 0.2


def tree_rss(process):
    """Resident memory of a process and all its descendants (joblib/loky workers included)."""
    try:
        procs = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:  # a worker that exited between listing and reading
            pass
    return total


def _watch(pid):
    """A psutil handle on the child, or None (no psutil, or the child already exited)."""
    try:
        return psutil.Process(pid) if psutil else None
    except psutil.Error:
        return None


def run_pair(dataset, model, n_jobs, seed, time_limit):
    """Run one pair in a child process; return its record (status, metrics, timings, memory)."""
    env = dict(os.environ)
    # every model gets the same thread budget, including the BLAS/OpenMP pools it does not expose
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(n_jobs)
    with tempfile.TemporaryDirectory(prefix="glassbox-bench-") as tmp:
        out, err_path = Path(tmp) / "result.json", Path(tmp) / "stderr.txt"
        cmd = [sys.executable, "-m", "benchmarks._worker", dataset, model,
               "--n-jobs", str(n_jobs), "--seed", str(seed), "--out", str(out)]
        start = time.perf_counter()
        with open(err_path, "w") as err:
            # a session of its own, so a timeout kills the worker's pool processes too
            child = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parents[1], env=env,
                                     stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
            peak, watched = 0, _watch(child.pid)
            timed_out = False
            while child.poll() is None:
                if watched is not None:
                    peak = max(peak, tree_rss(watched))
                if time.perf_counter() - start > time_limit:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
                    timed_out = True
                    break
                time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - start
        if timed_out:
            record = {"status": "timeout", "error": f"killed after {time_limit:g} s"}
        elif out.is_file():
            record = json.loads(out.read_text())
        else:  # the worker died without writing (a segfault, the OOM killer)
            lines = [line for line in err_path.read_text().splitlines() if line.strip()]
            record = {"status": "error", "error": lines[-1] if lines else f"exit code {child.returncode}"}
    worker_mb = record.pop("worker_maxrss_mb", 0.0)
    record["peak_mem_mb"] = round(max(peak / 2**20, worker_mb), 1) or None
    record["wall_seconds"] = wall
    return record


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", help="dataset names (default: all available)")
    parser.add_argument("--task", choices=TASKS, help="only datasets of this task")
    parser.add_argument("--models", nargs="+", help="model names (default: all registered)")
    parser.add_argument("--n-jobs", type=int, default=2, help="threads for every model (default 2)")
    parser.add_argument("--time-limit", type=float, default=900, help="seconds per (dataset, model)")
    parser.add_argument("--seed", type=int, default=0, help="split and model seed")
    parser.add_argument("--out", type=Path, help="JSON path (default benchmarks/results/<timestamp>.json)")
    parser.add_argument("--ref", default="ebm", help="model to express fit-time ratios against")
    args = parser.parse_args(argv)
    known = available()
    if not known:
        parser.error("no shared datasets found (see benchmarks/datasets.py)")
    args.datasets = args.datasets or known
    unknown = sorted(set(args.datasets) - set(known)) + sorted(set(args.models or ()) - set(MODELS))
    if unknown:
        parser.error(f"unknown dataset or model: {', '.join(unknown)}; models: {', '.join(MODELS)}{unknown_model_hint()}")
    args.models = args.models or list(MODELS)
    return args


def main(argv=None):
    args = parse_args(argv)
    meta = manifest()
    # small datasets first, so a long run shows results early
    datasets = sorted((d for d in args.datasets if args.task in (None, meta[d]["task"])), key=lambda d: meta[d]["n_rows"])
    out = args.out or RESULTS_DIR / f"{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "versions": {name: _version(name) for name in PACKAGES},
        "started": datetime.now().isoformat(timespec="seconds"),
        "records": [],
    }
    for dataset in datasets:
        task = meta[dataset]["task"]
        for model in args.models:
            if task not in MODELS[model].tasks:
                record = {"status": "unsupported"}
            else:
                record = run_pair(dataset, model, args.n_jobs, args.seed, args.time_limit)
            record = {"dataset": dataset, "task": task, "model": model, **record}
            result["records"].append(record)
            out.write_text(json.dumps(result, indent=1))
            if record["status"] != "unsupported":
                print(_progress(record), file=sys.stderr, flush=True)
    result["finished"] = datetime.now().isoformat(timespec="seconds")
    out.write_text(json.dumps(result, indent=1))
    print_tables(result["records"], args.models, args.ref)
    print(f"\nresults: {out}")
    return 0


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _progress(record):
    head = f"[{record['dataset']} / {record['model']}] {record['status']}"
    if record["status"] == "ok":
        return f"{head}: fit {record['fit_seconds']:.2f}s, {record['metrics']}"
    return f"{head}: {record.get('error', '')}"


if __name__ == "__main__":
    sys.exit(main())
