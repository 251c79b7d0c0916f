"""Rule lists vs rule-learning peers on the shared datasets (standalone until the shared runner
lands on main; same split and n_jobs as it will use).

    python -m benchmarks.bench_rules --datasets compas_two_year_clean heart --n-jobs 2

Prints one markdown row per (dataset, model) as soon as it is measured: test accuracy, number of
rules (glassbox: rules before the default; RIPPER: rules in the ruleset; greedy list: rules;
RuleFit: its ``complexity_``; tree: leaves), fit seconds (wall clock, and CPU seconds of this
process: on a shared machine the wall clock also counts other programs' turns) and predict
seconds. Peers run at their defaults on one-hot encoded, median-imputed copies of the data
(they need numbers); binary-only peers are skipped on multiclass data. The machine's load
average is printed before and after the table.
"""

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd

from benchmarks.datasets import load_dataset, split

DEFAULT_DATASETS = ["compas_two_year_clean", "compas_raw", "fico", "heloc_raw", "adult", "mushroom",
                    "credit_g", "heart", "car_evaluation", "nursery", "satimage"]
# glassbox at its defaults, with single-condition rules, and with single-condition rules on four
# cut points per feature (coarse enough for the branch-and-bound to finish: a certificate).
GLASSBOX = {"glassbox_rulelist": {}, "glassbox_rulelist_card1": {"max_card": 1},
            "glassbox_rulelist_card1_t4": {"max_card": 1, "max_thresholds": 4}}
MODELS = [*GLASSBOX, "imodels_greedy", "ripper", "rulefit", "tree_depth3"]
BINARY_ONLY = {"imodels_greedy", "ripper", "rulefit"}


def _numeric(X_train, X_test):
    """One-hot categorical/string columns, impute NaN with the training median."""
    cats = [c for c in X_train.columns if not pd.api.types.is_numeric_dtype(X_train[c])]
    train = pd.get_dummies(X_train, columns=cats, dummy_na=True, dtype=float)
    test = pd.get_dummies(X_test, columns=cats, dummy_na=True, dtype=float).reindex(columns=train.columns, fill_value=0.0)
    medians = train.median()
    train, test = train.fillna(medians).fillna(0.0), test.fillna(medians).fillna(0.0)
    train.columns = test.columns = [f"f{i}" for i in range(train.shape[1])]  # peers choke on odd names
    return train.astype(float), test.astype(float)


def _run(name, model_name, X_train, X_test, y_train, y_test, n_jobs):
    from glassbox import RuleListClassifier

    classes = np.unique(y_train)
    if model_name in GLASSBOX:
        model = RuleListClassifier(n_jobs=n_jobs, **GLASSBOX[model_name])
        t0, c0 = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X_train, y_train)
        fit = (time.perf_counter() - t0, time.process_time() - c0)
        t0 = time.perf_counter()
        pred = model.predict(X_test)
        return fit, time.perf_counter() - t0, np.mean(pred == y_test.to_numpy()), len(model.rules_) - 1, \
            f"optimal={model.optimal_} nodes={model.n_nodes_} gap={model.objective_ - model.lower_bound_:.3f}"
    Xn_train, Xn_test = _numeric(X_train, X_test)
    y01_train = (y_train.to_numpy() == classes[1]).astype(int)
    y01_test = (y_test.to_numpy() == classes[1]).astype(int)
    if model_name == "tree_depth3":
        from sklearn.tree import DecisionTreeClassifier
        model = DecisionTreeClassifier(max_depth=3, random_state=0)
        t0, c0 = time.perf_counter(), time.process_time(); model.fit(Xn_train, y_train.to_numpy()); fit = (time.perf_counter() - t0, time.process_time() - c0)
        t0 = time.perf_counter(); pred = model.predict(Xn_test); pt = time.perf_counter() - t0
        return fit, pt, np.mean(pred == y_test.to_numpy()), model.get_n_leaves(), ""
    if model_name == "imodels_greedy":
        from imodels import GreedyRuleListClassifier
        model = GreedyRuleListClassifier()
        t0, c0 = time.perf_counter(), time.process_time(); model.fit(Xn_train.to_numpy(), y01_train); fit = (time.perf_counter() - t0, time.process_time() - c0)
        t0 = time.perf_counter(); pred = np.asarray(model.predict(Xn_test.to_numpy())).astype(int); pt = time.perf_counter() - t0
        return fit, pt, np.mean(pred == y01_test), len(model.rules_), ""
    if model_name == "ripper":
        import wittgenstein as lw
        model = lw.RIPPER(random_state=0)
        t0, c0 = time.perf_counter(), time.process_time(); model.fit(Xn_train, y01_train, pos_class=1); fit = (time.perf_counter() - t0, time.process_time() - c0)
        t0 = time.perf_counter(); pred = np.asarray(model.predict(Xn_test)).astype(int); pt = time.perf_counter() - t0
        return fit, pt, np.mean(pred == y01_test), len(model.ruleset_), ""
    if model_name == "rulefit":
        from imodels import RuleFitClassifier
        model = RuleFitClassifier(random_state=0)
        t0, c0 = time.perf_counter(), time.process_time(); model.fit(Xn_train.to_numpy(), y01_train); fit = (time.perf_counter() - t0, time.process_time() - c0)
        t0 = time.perf_counter(); pred = np.asarray(model.predict(Xn_test.to_numpy())).astype(int); pt = time.perf_counter() - t0
        return fit, pt, np.mean(pred == y01_test), getattr(model, "complexity_", float("nan")), ""
    raise ValueError(model_name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=DEFAULT_DATASETS)
    parser.add_argument("--models", nargs="+", default=MODELS, choices=MODELS)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")
    print("| dataset | model | test acc | rules | fit s | fit cpu s | predict s | note |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    for name in args.datasets:
        X, y, meta = load_dataset(name)
        X_train, X_test, y_train, y_test = split(X, y, meta["task"])
        for model_name in args.models:
            if meta["task"] == "multiclass" and model_name in BINARY_ONLY:
                print(f"| {name} | {model_name} | n/a (binary only) | | | | | |", flush=True)
                continue
            try:
                fit, pt, acc, n_rules, note = _run(name, model_name, X_train, X_test, y_train, y_test, args.n_jobs)
                print(f"| {name} | {model_name} | {acc:.4f} | {n_rules} | {fit[0]:.2f} | {fit[1]:.2f} | {pt:.3f} | {note} |",
                      flush=True)
            except Exception as err:  # a peer failing must not hide the others' results
                print(f"| {name} | {model_name} | error: {type(err).__name__}: {str(err)[:80]} | | | | | |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
