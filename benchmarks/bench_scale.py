"""GAM fit on Dask at 1M, 10M and 50M rows (issue 18): time, memory, accuracy against the truth.

    python -m benchmarks.bench_scale [--sizes 1000000 10000000] [--dir /tmp/glassbox_scale]
                                     [--worker-memory 1GiB] [--in-memory-up-to 1000000] [--out PATH]

Data: generated binary classification with a known additive truth plus three pair effects:
20 features (14 continuous, 2 integer-valued, 4 string categorical), missing values in four,
written as Parquet files of 500,000 rows each (generated one file at a time, so generation never
holds the whole table). A ``distributed.LocalCluster`` of 2 worker processes (1 thread each)
with ``--worker-memory`` per worker, below the data's in-memory size from 10M rows on, reads them.
glassbox fits with its defaults (``max_samples=200_000``: the bags draw their rows across the
partitions; the boosting runs in this process on the drawn rows, with ``n_jobs=2``).

Reported per size: fit seconds and the seconds of each pass over the data (summaries, gathering
the drawn rows, code counts, term histograms) and of the boosting; peak memory of each worker
(sampled every 0.5 s) and of this process; test AUC on 200,000 fresh rows against the truth's
AUC there; and, up to ``--in-memory-up-to`` rows, the in-memory fit of the same data (pandas)
beside it, also with ``max_samples=None`` (every bag uses every row) to show what using all rows
buys. Scoring: ``predict_proba`` rows per second per core, in memory, one thread, 1M rows (best
of three calls).
The machine's load average is printed with each row.
"""

import argparse
import json
import os
import resource
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

FILE_ROWS = 500_000
N_CONTINUOUS, N_INTEGER, N_CATEGORICAL = 14, 2, 4


def truth_logit(X):
    """The generating model's log-odds: additive shapes, three pairs, missing values' own effect."""
    c = [X[f"c{j}"].to_numpy() for j in range(N_CONTINUOUS)]
    logit = (np.sin(np.nan_to_num(c[0])) + 0.5 * np.nan_to_num(c[1]) ** 2 / 2 - 0.8 * np.abs(c[2])
             + np.where(np.isnan(c[3]), 0.7, 0.6 * np.tanh(np.nan_to_num(c[3]))) + 0.4 * c[4]
             + 0.5 * (c[5] > 0.5) - 0.3 * c[6] + 0.5 * c[0] * (c[7] > 0)
             + 0.4 * np.nan_to_num(c[1]) * c[8] + 0.3 * np.nan_to_num(X["i0"].to_numpy(), nan=4.5) - 0.2 * X["i1"].to_numpy())
    level_effect = {"a": 0.6, "b": -0.2, "c": 0.1, "d": -0.5, "e": 0.0}
    logit = logit + X["k0"].map(level_effect).fillna(0.3).to_numpy(dtype=float)
    logit = logit + 0.5 * (X["k1"].to_numpy() == "u") * (c[9] > 0)
    return logit - 1.0


def generate(n, seed):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({f"c{j}": rng.normal(size=n) for j in range(N_CONTINUOUS)})
    for j in range(N_INTEGER):
        X[f"i{j}"] = rng.integers(0, 10, n).astype(float)
    levels = [list("abcde"), list("uvw"), [f"l{i}" for i in range(30)], ["yes", "no"]]
    for j, lv in enumerate(levels):
        X[f"k{j}"] = pd.Series(rng.choice(lv, n), dtype="string")
    for col, share in (("c1", 0.1), ("c3", 0.2), ("i0", 0.05)):
        X.loc[rng.random(n) < share, col] = np.nan
    X.loc[rng.random(n) < 0.1, "k0"] = pd.NA
    p = 1 / (1 + np.exp(-truth_logit(X)))
    y = (rng.random(n) < p).astype(np.int64)
    return X, y, p


def write_parquet(n, directory):
    directory.mkdir(parents=True, exist_ok=True)
    files = sorted(directory.glob("part-*.parquet"))
    if len(files) == -(-n // FILE_ROWS):
        return
    for k, start in enumerate(range(0, n, FILE_ROWS)):
        X, y, _ = generate(min(FILE_ROWS, n - start), seed=1000 + k)
        X["y"] = y
        X.to_parquet(directory / f"part-{k:05d}.parquet", index=False)


def load():
    return f"{os.getloadavg()[0]:.2f}"


class PeakMemory:
    """Samples every worker's resident memory in the background; ``peaks`` per worker."""

    def __init__(self, client):
        self.client, self.peaks, self._stop = client, {}, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        while not self._stop.is_set():
            for worker, rss in self.client.run(lambda: psutil.Process().memory_info().rss).items():
                self.peaks[worker] = max(self.peaks.get(worker, 0), rss)
            self._stop.wait(0.5)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def timed_passes():
    """Wrap DaskPartitions.map so each pass's seconds are recorded under its block function."""
    from glassbox._dask_partitions import DaskPartitions

    times = {}
    original = DaskPartitions.map

    def map(self, fn, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, fn, *args, **kwargs)
        finally:
            name = getattr(fn, "__name__", str(fn))
            times[name] = times.get(name, 0.0) + time.perf_counter() - started

    DaskPartitions.map = map
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 50_000_000])
    parser.add_argument("--dir", default="/tmp/glassbox_scale")
    parser.add_argument("--worker-memory", default="1GiB")
    parser.add_argument("--in-memory-up-to", type=int, default=1_000_000)
    parser.add_argument("--out")
    args = parser.parse_args(argv)

    import dask.dataframe as dd
    from distributed import Client, LocalCluster
    from sklearn.metrics import roc_auc_score

    import glassbox as gb

    X_test, y_test, p_test = generate(200_000, seed=7)
    truth_auc = roc_auc_score(y_test, p_test)
    times = timed_passes()
    rows = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=args.worker_memory,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        for n in args.sizes:
            path = Path(args.dir) / f"rows_{n}"
            started = time.perf_counter()
            write_parquet(n, path)
            generated = time.perf_counter() - started
            ddf = dd.read_parquet(str(path))
            times.clear()
            with PeakMemory(client) as memory:
                started = time.perf_counter()
                model = gb.GAMClassifier(random_state=0, n_jobs=2).fit(ddf.drop(columns="y"), ddf["y"])
                seconds = time.perf_counter() - started
            row = {"rows": n, "fit_s": round(seconds, 1), "passes_s": {k: round(v, 1) for k, v in times.items()},
                   "boosting_s": round(seconds - sum(times.values()), 1),
                   "worker_peak_GiB": [round(v / 2**30, 2) for v in memory.peaks.values()],
                   "worker_limit": args.worker_memory,
                   "client_peak_GiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
                   "test_auc": round(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]), 5),
                   "truth_auc": round(truth_auc, 5), "generate_s": round(generated, 1), "load": load()}
            if n <= args.in_memory_up_to:
                frame = pd.read_parquet(path)
                X, y = frame.drop(columns="y"), frame["y"]
                for label, max_samples in (("in_memory", 200_000), ("in_memory_all_rows", None)):
                    started = time.perf_counter()
                    fitted = gb.GAMClassifier(random_state=0, n_jobs=2, max_samples=max_samples).fit(X, y)
                    row[f"{label}_fit_s"] = round(time.perf_counter() - started, 1)
                    row[f"{label}_auc"] = round(roc_auc_score(y_test, fitted.predict_proba(X_test)[:, 1]), 5)
                scorer = model.set_params(n_jobs=1)
                block = X.iloc[:1_000_000]
                best = np.inf
                for _ in range(3):  # the best of three: the first call also warms caches
                    started = time.perf_counter()
                    scorer.predict_proba(block)
                    best = min(best, time.perf_counter() - started)
                row["score_rows_per_s_per_core"] = int(len(block) / best)
                del frame, X, y, block
            print(json.dumps(row), flush=True)
            rows.append(row)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
