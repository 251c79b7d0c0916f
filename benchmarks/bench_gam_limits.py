"""GAM fits at the edges of their work: wide tables (pair detection) and many classes (time_limit).

    python -m benchmarks.bench_gam_limits [--base PATH] [--cases wide,classes] [--out PATH]

Each case is fitted in a fresh interpreter, one at a time, with the default parameters except
those named in its row (``random_state=0`` makes the two builds' models comparable): generated binary data of 60 rows x 100 / 150 / 500 features and 5,000 x
300 (held-out AUC on 5,000 more rows), and 3,000 rows of 1,000 classes with and without
``time_limit``. ``--base`` runs the same cases with another glassbox build first (a source tree
with its kernels built in place), to print the two side by side; a case the other build cannot
run (a parameter it lacks) is shown as refused. The machine's load is printed with each time.
"""

import argparse
import json
import os
import subprocess
import sys
import time

CASES = {
    "wide": [
        {"n": 60, "p": 100, "params": {"random_state": 0}},
        {"n": 60, "p": 150, "params": {"random_state": 0}},
        {"n": 60, "p": 500, "params": {"random_state": 0}},
        {"n": 5000, "p": 300, "params": {"random_state": 0}},
    ],
    "classes": [
        {"n": 3000, "p": 3, "classes": 1000, "params": {"n_jobs": 1}},
        {"n": 3000, "p": 3, "classes": 1000, "params": {"time_limit": 10.0}},
        {"n": 3000, "p": 3, "classes": 1000, "params": {"time_limit": 30.0}},
    ],
}

CHILD = r"""
import json, sys, time, warnings
import numpy as np
from sklearn.metrics import roc_auc_score
import glassbox as gb

case = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
n, p = case["n"], case["p"]
if "classes" in case:
    X = rng.normal(size=(n, p))
    y = rng.integers(0, case["classes"], n)
    X_test = y_test = None
else:
    X = rng.normal(size=(2 * n, p))
    w = np.where(np.arange(p) < p // 2, np.linspace(1, 0.1, p), 0)
    y = (X @ w + X[:, 0] * X[:, 1] + X[:, 2] * X[:, 3] + rng.normal(size=2 * n) > 0).astype(int)
    X, X_test, y, y_test = X[:n], X[n:], y[:n], y[n:]
try:
    model = gb.GAMClassifier(**case["params"])
except TypeError as err:
    print(json.dumps({"refused": str(err)}))
    sys.exit()
start = time.perf_counter()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model.fit(X, y)
out = {"seconds": time.perf_counter() - start, "pairs": sum(t.is_pair for t in model.terms_),
       "warnings": [str(w.message)[:90] for w in caught]}
if X_test is not None:
    out["auc"] = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
print(json.dumps(out))
"""


def run_case(case, pythonpath):
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    load = os.getloadavg()[0]
    child = subprocess.run([sys.executable, "-c", CHILD, json.dumps(case)], capture_output=True, text=True, env=env,
                           cwd=pythonpath or None)
    if child.returncode:
        return {"error": child.stderr.strip().splitlines()[-1] if child.stderr.strip() else f"exit {child.returncode}",
                "load": load}
    return {**json.loads(child.stdout.strip().splitlines()[-1]), "load": load}


def _cell(result):
    if "refused" in result:
        return "refused"
    if "error" in result:
        return "error: " + result["error"][:40]
    text = f"{result['seconds']:.2f} s, {result['pairs']} pairs"
    if "auc" in result:
        text += f", AUC {result['auc']:.4f}"
    return text + f" (load {result['load']:.1f})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="another glassbox source tree, built in place, to run first")
    parser.add_argument("--cases", default="wide,classes")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    cases = [case for group in args.cases.split(",") for case in CASES[group]]
    rows = []
    for case in cases:
        base = run_case(case, args.base) if args.base else None
        current = run_case(case, None)
        rows.append({"case": case, "base": base, "current": current})
        label = f"{case['n']} x {case['p']}" + (f", {case['classes']} classes" if "classes" in case else "")
        label += "".join(f", {k}={v}" for k, v in case["params"].items())
        print(f"| {label} | {_cell(base) + ' | ' if base else ''}{_cell(current)} |", flush=True)
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(rows, handle, indent=1)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
