"""Default rule lists on generated wide data, where the default budget limits the conjunctions
(``glassbox/rules/_budget.py``): fit seconds, test R² or AUC, rules, over several seeds.

    python -m benchmarks.bench_rule_wide [--seeds 0 1 2] [--cases 200x500reg ...] [--out rows.json]
        [--compare other.json]

Each case is ``ROWSxFEATURES`` and a kind: ``reg`` (a numeric target), ``clf`` (binary),
``clfw`` (binary with uniform random weights 0.5 to 1.5, which sums rows instead of counting
them) or ``kK`` (K classes). The features are standard normal and the target depends on ten of
them and on one product of two, with noise; for ``kK`` the features are rounded to 16 integer
levels (like the letter data) and each class scores a random direction of them, scored by macro
one-vs-rest AUC. 2,000 more rows of the same generator are the test set. ``--compare`` reads the
rows another run wrote (for instance against another build, ``PYTHONPATH=../before python
benchmarks/bench_rule_wide.py --out before.json``) and prints the score and time differences per
case, with paired standard errors over the seeds. One thread per fit; run it alone on the machine
(the load average is printed before and after).
"""

import argparse
import json
import os
import re
import time
import warnings

import numpy as np

from benchmarks.report import finish_comparable_run

CASES = ("200x500reg", "2000x300reg", "20000x200reg", "2000x400clf", "2000x400clfw", "20000x16k26",
         "5620x64k10")
N_TEST = 2000


def run(case, seed):
    """One default fit of a case: its record."""
    from sklearn.metrics import r2_score, roc_auc_score

    from glassbox import RuleListClassifier, RuleListRegressor

    match = re.fullmatch(r"(\d+)x(\d+)(reg|clfw|clf|k\d+)", case)
    if match is None:
        raise SystemExit(f"unknown case {case!r}: expected ROWSxFEATURES then reg, clf, clfw or kCLASSES, "
                         "e.g. 200x500reg")
    n, p, kind = int(match[1]), int(match[2]), match[3]
    rng = np.random.default_rng(100 + seed)
    X = rng.normal(size=(n + N_TEST, p))
    signal = X[:, :10] @ rng.normal(size=10) + 0.8 * X[:, 0] * X[:, 1]
    weight = None
    if kind == "reg":
        y, model = signal + rng.normal(size=n + N_TEST), RuleListRegressor(n_jobs=1)
    elif kind.startswith("k"):  # integer features of 16 levels, each class a direction of them
        X = np.floor(np.clip(X * 4 + 8, 0, 15))
        k = int(kind[1:])
        y = np.argmax(X @ rng.normal(size=(p, k)) / 16 + rng.gumbel(size=(n + N_TEST, k)), axis=1)
        model = RuleListClassifier(n_jobs=1)
    else:
        y, model = (signal + rng.logistic(size=n + N_TEST) > 1.5).astype(int), RuleListClassifier(n_jobs=1)
        weight = rng.uniform(0.5, 1.5, n) if kind == "clfw" else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X[:n], y[:n], sample_weight=weight)
        seconds = time.perf_counter() - start
    test = slice(n, None)
    if kind == "reg":
        score = r2_score(y[test], model.predict(X[test]))
    elif kind.startswith("k"):  # macro one-vs-rest, over the classes present in both parts
        proba, present = model.predict_proba(X[test]), np.isin(model.classes_, y[test])
        score = roc_auc_score(y[test], proba[:, present] / proba[:, present].sum(axis=1, keepdims=True),
                              multi_class="ovr", labels=model.classes_[present])
    else:
        score = roc_auc_score(y[test], model.predict_proba(X[test])[:, 1])
    return {"case": case, "seed": seed, "fit_seconds": seconds, "score": float(score),
            "rules": len(model.rules_) - 1, "candidates": int(model.n_antecedents_), "nodes": int(model.n_nodes_)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--out", default=None)
    parser.add_argument("--compare", default=None, help="rows written by another run (--out)")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}", flush=True)
    rows = []
    for case in args.cases:
        runs = [run(case, seed) for seed in args.seeds]
        rows.extend(runs)
        print(f"{case:<14} score {np.mean([r['score'] for r in runs]):.4f}"
              f"  rules {np.mean([r['rules'] for r in runs]):.1f}"
              f"  candidates {np.mean([r['candidates'] for r in runs]):,.0f}"
              f"  expansions {np.mean([r['nodes'] for r in runs]):.0f}"
              f"  fit {np.mean([r['fit_seconds'] for r in runs]):.2f} s", flush=True)
    finish_comparable_run(rows, args.out, args.compare, "case", "score")


if __name__ == "__main__":
    main()
