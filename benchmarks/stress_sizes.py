"""Every estimator against extreme sizes, each fit in a child process: does any crash?

    python -m benchmarks.stress_sizes [--cases 120] [--seed 0] [--timeout 120] [--out PATH]

A case is an estimator and generated data at the edges the kernels size things by: class counts
around and far beyond 64 (a depth-2 solver buffer once held 64), one to hundreds of features,
one row to more than one row chunk (8,192), 2 or 254 bins, categorical features with more levels
than bins, columns all missing or constant, weights spanning many orders of magnitude. Each is
fitted (and predicted) in a fresh interpreter so that a crash is a result, not the end of the
sweep. Outcomes: ``ok``, ``refused`` (an exception with its message: what a user sees),
``crash`` (killed by a signal: a defect), ``timeout``. The test suite runs a smaller property
test in-process (tests/test_kernel_sizes.py); this is the wide sweep.
"""

import argparse
import collections
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ESTIMATORS = ("GAMClassifier", "GAMRegressor", "RuleListClassifier", "RuleListRegressor", "ShallowTreeClassifier",
              "ShallowTreeRegressor")

CHILD = r"""
import json, sys, warnings
import numpy as np, pandas as pd
import glassbox as gb
spec = json.loads(sys.argv[1])
rng = np.random.default_rng(spec["seed"])
n, p = spec["rows"], spec["features"]
columns = {}
for j in range(p):
    if j < spec["categorical"]:
        columns[f"c{j}"] = pd.Categorical(rng.integers(0, spec["levels"], n).astype(str))
    else:
        columns[f"x{j}"] = rng.normal(size=n).round(spec["decimals"])
X = pd.DataFrame(columns)
if spec["all_missing"] and p:
    X.iloc[:, -1] = np.nan
if spec["constant"] and p:
    X.iloc[:, 0] = X.iloc[0, 0]
if spec["name"].endswith("Classifier"):
    k = spec["classes"]
    y = rng.integers(0, k, n)
    y[: min(k, n)] = np.arange(min(k, n))
else:
    y = rng.normal(size=n) * spec["scale"]
w = np.exp(rng.uniform(-spec["weight_decades"], spec["weight_decades"], n) * np.log(10))
model = getattr(gb, spec["name"])(**spec["params"])
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    model.fit(X, y, sample_weight=w)
    out = model.predict(X)
assert len(out) == n
if hasattr(model, "predict_proba"):
    proba = model.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1.0)
print("fitted")
"""


def draw_case(rng, i):
    name = ESTIMATORS[i % len(ESTIMATORS)]
    family = name.replace("Classifier", "").replace("Regressor", "")
    rows = int(rng.choice([1, 2, 3, 64, 65, 300, 8192, 8193, 20000]))
    features = int(rng.choice([1, 2, 8, 60, 200] if family != "ShallowTree" else [1, 2, 8, 30]))
    spec = {
        "name": name,
        "seed": int(rng.integers(2**31)),
        "rows": rows,
        "features": features,
        "categorical": int(rng.integers(0, min(features, 3) + 1)),
        "levels": int(rng.choice([1, 2, 40, 300])),
        "decimals": int(rng.choice([0, 2, 8])),
        "all_missing": bool(rng.random() < 0.2),
        "constant": bool(rng.random() < 0.2),
        "classes": int(rng.choice([2, 3, 63, 64, 65, 70, 255, 300, 1000])),
        "scale": float(rng.choice([1.0, 1e-12, 1e12])),
        "weight_decades": float(rng.choice([0.0, 3.0, 12.0])),
    }
    bins = int(rng.choice([2, 16, 254]))
    if family == "GAM":
        spec["params"] = dict(outer_bags=1, max_rounds=30, max_bins=bins, max_interaction_bins=min(bins, 16),
                              interactions=int(rng.choice([0, 3])), random_state=0)
    elif family == "RuleList":
        spec["params"] = dict(max_nodes=50, max_card=int(rng.choice([1, 2, 3])),
                              max_thresholds=int(rng.choice([1, 8, 253])))
    else:
        spec["params"] = dict(max_depth=int(rng.integers(1, 5)), max_bins=min(bins, 32), time_limit=30.0)
    return spec


def run(spec, timeout):
    start = time.perf_counter()
    try:
        result = subprocess.run([sys.executable, "-c", CHILD, json.dumps(spec)], capture_output=True, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", f"over {timeout} s", time.perf_counter() - start
    seconds = time.perf_counter() - start
    if result.returncode < 0:
        return "crash", f"signal {-result.returncode}", seconds
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        return "refused", lines[-1][:200] if lines else "(no message)", seconds
    return "ok", "", seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    records, counts = [], collections.Counter()
    for i in range(args.cases):
        spec = draw_case(rng, i)
        outcome, message, seconds = run(spec, args.timeout)
        counts[outcome] += 1
        records.append({"spec": spec, "outcome": outcome, "message": message, "seconds": seconds})
        if outcome != "ok":
            short = {k: spec[k] for k in ("name", "rows", "features", "classes", "levels")}
            print(f"{i:4d} {outcome:<8} {seconds:6.1f}s {short} {message}", flush=True)
    print(f"\n{args.cases} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    refusals = collections.Counter(r["message"].split(":")[0] for r in records if r["outcome"] == "refused")
    for message, n in refusals.most_common():
        print(f"  refused x{n}: {message}")
    if args.out:
        args.out.write_text(json.dumps(records, indent=1))
    return 1 if counts["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
