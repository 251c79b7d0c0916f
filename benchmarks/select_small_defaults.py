"""Choose a rule-list or shallow-tree default by cross-validation inside the training splits
(never on the test splits).

For each classification dataset in ``../shared/datasets`` (or ``--datasets``), the training part
of ``benchmarks.datasets.split`` is cut into ``--folds`` stratified folds; every candidate
setting is fitted on each fold's complement and scored on the fold: AUC (binary; macro
one-vs-rest for multiclass), log loss and accuracy. Prints, per dataset and setting, the mean CV
figures, rules or leaves and fit seconds, then the means over datasets with the paired standard
error of each setting's difference from the first one.

    python -m benchmarks.select_small_defaults --family tree --param criterion '"misclassification"' '"log_loss"'
    python -m benchmarks.select_small_defaults --family rules --param c 0.005 0.01 --fixed criterion '"log_loss"'

Run it alone on the machine: the fit seconds are part of the answer. ``--out`` writes every row
as JSON.
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from benchmarks.datasets import available, load_dataset, split
from benchmarks.report import paired_mean_se

METRICS = ("auc", "log_loss", "accuracy")


def _value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def metrics(model, X, y):
    """AUC (macro one-vs-rest for several classes), log loss and accuracy of a fitted classifier."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unseen levels in the held-out rows: expected, and handled
        proba, predicted = model.predict_proba(X), model.predict(X)
    classes = list(model.classes_)
    y = np.asarray(y)
    if len(classes) == 2:
        auc = roc_auc_score(y == classes[1], proba[:, 1])
    else:
        present = [k for k, c in enumerate(classes) if np.any(y == c)]
        auc = float(np.mean([roc_auc_score(y == classes[k], proba[:, k]) for k in present
                             if 0 < np.sum(y == classes[k]) < len(y)]))
    return {"auc": float(auc), "log_loss": float(log_loss(y, np.clip(proba, 1e-15, 1), labels=classes)),
            "accuracy": float(accuracy_score(y, predicted))}


def size(model):
    return len(model.rules_) - 1 if hasattr(model, "rules_") else model.tree_.n_leaves


def make(family, params, n_jobs):
    from glassbox import RuleListClassifier, ShallowTreeClassifier

    cls = RuleListClassifier if family == "rules" else ShallowTreeClassifier
    return cls(n_jobs=n_jobs, **params)


def cross_validate(dataset, family, name, values, fixed, folds, n_jobs):
    X, y, meta = load_dataset(dataset)
    X_train, _, y_train, _ = split(X, y, meta["task"])
    X_train, y_train = X_train.reset_index(drop=True), np.asarray(y_train)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    rows = []
    for value in values:
        figures, sizes, seconds = [], [], []
        for fit_rows, test_rows in splitter.split(X_train, y_train):
            model = make(family, {**fixed, name: value}, n_jobs)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X_train.iloc[fit_rows], y_train[fit_rows])
            seconds.append(time.perf_counter() - start)
            figures.append(metrics(model, X_train.iloc[test_rows], y_train[test_rows]))
            sizes.append(size(model))
        row = {"dataset": dataset, name: value, **{m: float(np.mean([f[m] for f in figures])) for m in METRICS},
               "size": float(np.mean(sizes)), "fit_seconds": float(np.sum(seconds))}
        rows.append(row)
        print(f"{dataset:<24} {name}={value!s:<18} AUC {row['auc']:.4f}  log loss {row['log_loss']:.4f}  "
              f"accuracy {row['accuracy']:.4f}  size {row['size']:5.1f}  fit {row['fit_seconds']:7.2f} s", flush=True)
    return rows


def summary(rows, name, values):
    """Means over datasets, and each setting's paired difference from the first (with its SE)."""
    lines = []
    reference = [r for r in rows if r[name] == values[0]]
    for value in values:
        mine = [r for r in rows if r[name] == value]
        parts = []
        for m in METRICS:
            scores = np.array([r[m] for r in mine])
            mean_difference, se = paired_mean_se(scores - np.array([r[m] for r in reference]))
            parts.append(f"{m} {scores.mean():.4f} ({mean_difference:+.4f}, SE {se:.4f})")
        parts.append(f"size {np.mean([r['size'] for r in mine]):.1f}")
        parts.append(f"fit {sum(r['fit_seconds'] for r in mine):.1f} s")
        lines.append(f"  {name}={value!s:<18} " + "  ".join(parts))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=("rules", "tree"), required=True)
    parser.add_argument("--param", nargs="+", required=True, metavar=("NAME", "VALUE"),
                        help="a parameter and its candidate values (JSON; the first is the reference)")
    parser.add_argument("--fixed", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a parameter held at one value (JSON) for every setting")
    parser.add_argument("--datasets", nargs="+", help="default: every classification dataset present")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", help="write the rows as JSON here")
    args = parser.parse_args(argv)
    name, values = args.param[0], [_value(v) for v in args.param[1:]]
    fixed = {key: _value(v) for key, v in args.fixed}
    datasets = args.datasets or available("binary") + available("multiclass")
    rows = []
    for dataset in datasets:
        rows += cross_validate(dataset, args.family, name, values, fixed, args.folds, args.n_jobs)
    print(f"\nmeans over {len(datasets)} datasets ({args.folds}-fold CV inside each training split; "
          "differences from the first setting, paired SE):")
    print("\n".join(summary(rows, name, values)))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
