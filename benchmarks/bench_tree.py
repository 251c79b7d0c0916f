"""Shallow trees beside their peers on the shared datasets (a standalone stand-in until the
shared runner, ``benchmarks/run.py``, lands on main).

For every dataset and depth (2 and 3): glassbox's ShallowTree, scikit-learn's DecisionTree
(same ``max_depth``, otherwise defaults) and imodels' FIGS (same ``max_depth``, otherwise
defaults), all on the fixed split of ``benchmarks.datasets.split`` and with 2 threads where a
model takes ``n_jobs``. scikit-learn and FIGS need numbers, so categorical/string columns are
ordinal-encoded for them (missing stays NaN for scikit-learn; FIGS gets NaN filled with -1,
as it cannot take NaN). ``--monotone`` adds the fico/heloc comparison with and without a
monotonic constraint on ExternalRiskEstimate (``--monotone-only`` runs just that), with the
1-minute load average at the start of each fit beside its time. ``--gosdt`` records what
happens with GOSDT.

    python -m benchmarks.bench_tree --depths 2 3 [--datasets adult fico ...] [--monotone] [--gosdt]
    python -m benchmarks.bench_tree --depths 3 --monotone-only

Timings are wall-clock on whatever machine runs this; on a shared machine they are noisy.
"""

import argparse
import os
import time
import traceback
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from benchmarks.datasets import available, load_dataset, manifest, split
from glassbox import ShallowTreeClassifier, ShallowTreeRegressor

N_JOBS = 2


def numeric(X_train, X_test):
    """Ordinal-encode non-numeric columns (fit on train; unseen -> -1; missing stays NaN)."""
    X_train, X_test = X_train.copy(), X_test.copy()
    for column in X_train.columns:
        if not pd.api.types.is_numeric_dtype(X_train[column]):
            levels = {v: i for i, v in enumerate(pd.unique(X_train[column].dropna()))}
            X_train[column] = X_train[column].map(levels).astype(float)
            X_test[column] = X_test[column].map(lambda v: levels.get(v, -1) if pd.notna(v) else np.nan).astype(float)
    return X_train.astype(float), X_test.astype(float)


def score(task, y_true, y_pred):
    return r2_score(y_true, y_pred) if task == "regression" else accuracy_score(y_true, y_pred)


def run_model(name, make, task, X_train, y_train, X_test, y_test):
    try:
        model = make()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X_train, y_train)
            fit_time = time.perf_counter() - start
            result = score(task, y_test, model.predict(X_test))
        extra = {"optimal": getattr(model, "optimal_", None)}
        return {"model": name, "score": result, "fit_s": fit_time, **extra}
    except Exception as err:  # a peer failing is a result, not a crash
        return {"model": name, "score": np.nan, "fit_s": np.nan, "error": f"{type(err).__name__}: {err}"[:120]}


def figs(task, depth):
    from imodels import FIGSClassifier, FIGSRegressor

    return (FIGSRegressor if task == "regression" else FIGSClassifier)(max_depth=depth)


def compare(datasets, depths):
    rows = []
    for name in datasets:
        X, y, meta = load_dataset(name)
        task = meta["task"]
        X_train, X_test, y_train, y_test = split(X, y, task)
        N_train, N_test = numeric(X_train, X_test)
        F_train, F_test = N_train.fillna(-1), N_test.fillna(-1)
        Glass = ShallowTreeRegressor if task == "regression" else ShallowTreeClassifier
        Cart = DecisionTreeRegressor if task == "regression" else DecisionTreeClassifier
        for depth in depths:
            models = [
                ("glassbox", lambda: Glass(max_depth=depth, n_jobs=N_JOBS), X_train, X_test),
                ("cart", lambda: Cart(max_depth=depth, random_state=0), N_train, N_test),
                ("figs", lambda: figs(task, depth), F_train, F_test),
            ]
            for model_name, make, A, B in models:
                row = run_model(model_name, make, task, A, y_train, B, y_test)
                row.update(dataset=name, task=task, depth=depth, n_train=len(A), p=A.shape[1])
                rows.append(row)
                print(f"{name:24s} d={depth} {model_name:9s} score={row['score']:.4f} fit={row['fit_s']:.2f}s"
                      f" {row.get('optimal', '')} {row.get('error', '')}", flush=True)
    return pd.DataFrame(rows)


def monotone(depths):
    """fico (target 1 = bad) and heloc_raw (classes Bad/Good): risk never falls as
    ExternalRiskEstimate falls, i.e. P(bad) decreasing / P(Good) increasing in it."""
    rows = []
    for name, sign in (("fico", -1), ("heloc_raw", 1)):
        if name not in available():
            continue
        X, y, meta = load_dataset(name)
        X_train, X_test, y_train, y_test = split(X, y, meta["task"])
        cst = {"ExternalRiskEstimate": sign}
        cart_cst = [cst.get(c, 0) for c in X_train.columns]
        for depth in depths:
            for label, make in (
                ("glassbox", lambda: ShallowTreeClassifier(max_depth=depth, n_jobs=N_JOBS)),
                ("glassbox+cst", lambda: ShallowTreeClassifier(max_depth=depth, n_jobs=N_JOBS, monotonic_cst=cst)),
                ("cart", lambda: DecisionTreeClassifier(max_depth=depth, random_state=0)),
                ("cart+cst", lambda: DecisionTreeClassifier(max_depth=depth, random_state=0, monotonic_cst=cart_cst)),
            ):
                load = os.getloadavg()[0]  # the machine may be shared: timings mean little without it
                row = run_model(label, make, "binary", X_train, y_train, X_test, y_test)
                row.update(dataset=name, depth=depth, load=load)
                rows.append(row)
                print(f"{name:10s} d={depth} {label:13s} acc={row['score']:.4f} fit={row['fit_s']:.2f}s "
                      f"load={load:.1f} {row.get('optimal', '')} {row.get('error', '')}", flush=True)
    return pd.DataFrame(rows)


def print_monotone(frame):
    """Accuracy, fit seconds and whether glassbox proved its tree optimal, per dataset and depth;
    and the accuracy lost to the constraint (glassbox+cst - glassbox)."""
    with pd.option_context("display.width", 200):
        for values in ("score", "fit_s", "load"):
            print(values)
            print(frame.pivot_table(index=["dataset", "depth"], columns="model", values=values).round(4))
        glass = frame[frame["model"].str.startswith("glassbox")]
        print(glass.pivot_table(index=["dataset", "depth"], columns="model", values="optimal", aggfunc="first"))
        pivot = frame.pivot_table(index=["dataset", "depth"], columns="model", values="score")
        print("accuracy change from the constraint (glassbox+cst - glassbox):")
        print((pivot["glassbox+cst"] - pivot["glassbox"]).round(4).to_string())


def gosdt():
    """Try GOSDT on a small binarized problem and report what happened."""
    try:
        from gosdt import GOSDTClassifier
    except Exception as err:
        return f"import failed: {type(err).__name__}: {err}"
    X, y, meta = load_dataset("heart")
    X_train, X_test, y_train, y_test = split(X, y, meta["task"])
    N_train, N_test = numeric(X_train, X_test)
    medians = N_train.median()
    B_train = (N_train > medians).astype(int)
    B_test = (N_test > medians).astype(int)
    try:
        model = GOSDTClassifier(depth_budget=3, time_limit=30).fit(B_train, y_train)
    except Exception:
        return "fit failed: " + traceback.format_exc(limit=1).strip().splitlines()[-1]
    try:
        return f"fit ok; test accuracy {accuracy_score(y_test, model.predict(B_test)):.4f}"
    except Exception:
        return "fit ok, predict failed: " + traceback.format_exc(limit=1).strip().splitlines()[-1]


def summary(frame):
    pivot = frame.pivot_table(index=["dataset", "depth"], columns="model", values="score")
    diff = pivot["glassbox"] - pivot["cart"]
    lines = []
    for depth, d in diff.groupby(level="depth"):
        lines.append(f"depth {depth}: glassbox >= cart on {int((d >= -1e-12).sum())}/{len(d)} datasets "
                     f"({(d >= -1e-12).mean():.0%}); mean difference {d.mean():+.4f}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--depths", nargs="*", type=int, default=[2, 3])
    parser.add_argument("--monotone", action="store_true")
    parser.add_argument("--monotone-only", action="store_true", help="only the fico/heloc monotone comparison")
    parser.add_argument("--gosdt", action="store_true")
    parser.add_argument("--out", default=None, help="CSV file for the raw results")
    args = parser.parse_args(argv)
    if args.monotone_only:
        print_monotone(monotone(args.depths))
        return
    names = args.datasets if args.datasets else [n for n in available() if n in manifest()]
    frame = compare(names, args.depths)
    table = frame.pivot_table(index=["dataset", "task", "depth"], columns="model", values=["score", "fit_s"])
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(table.round(4).to_string())
        print(summary(frame))
        errors = frame[frame["error"].notna()] if "error" in frame else frame.iloc[:0]
        for _, row in errors.iterrows():
            print(f"error: {row['dataset']} d={row['depth']} {row['model']}: {row['error']}")
    if args.out:
        frame.to_csv(args.out, index=False)
    if args.monotone:
        print_monotone(monotone(args.depths))
    if args.gosdt:
        print("GOSDT:", gosdt())


if __name__ == "__main__":
    main()
