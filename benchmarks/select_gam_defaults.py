"""Choose a GAM default by cross-validation inside the training splits (never on the test splits).

For each benchmark dataset of ``bench_gam``, the training part of ``benchmarks.datasets.split``
is cut into ``--folds`` folds (stratified for classification); every candidate setting is fitted
on each fold's complement and scored on the fold (AUC, macro one-vs-rest AUC, or R²). Prints, per
dataset and setting, the mean CV score and the fit seconds, then the means over datasets with the
paired standard error of each setting's score difference from the first one.

    python -m benchmarks.select_gam_defaults --param max_leaves 2 3 4
    python -m benchmarks.select_gam_defaults --param max_leaves 2 3 --datasets adult fico
    python -m benchmarks.select_gam_defaults --settings '{}' '{"max_leaves": 3, "learning_rate": 0.05}'

``--settings`` compares whole settings (JSON objects of parameters, ``{}`` being the defaults)
when a candidate changes several parameters at once. ``--auto-patience`` compares lower ends of
``early_stopping_rounds="auto"``'s patience (``glassbox.gam._boosting.AUTO_PATIENCE``, not a
parameter), the rest of the defaults unchanged:

    python -m benchmarks.select_gam_defaults --auto-patience 5 3

Run it alone on the machine: the fit seconds are part of the answer.
"""

import argparse
import contextlib
import json
import time

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

from benchmarks.bench_gam import DATASETS, score
from benchmarks.datasets import load_dataset, split
from benchmarks.report import paired_mean_se


def _value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@contextlib.contextmanager
def _auto_patience(low):
    """early_stopping_rounds="auto" waiting at least ``low`` rounds (None: as glassbox has it)."""
    from glassbox.gam import _boosting

    saved = _boosting.AUTO_PATIENCE
    if low is not None:
        _boosting.AUTO_PATIENCE = (low, saved[1])
    try:
        yield
    finally:
        _boosting.AUTO_PATIENCE = saved


def cross_validate(dataset, settings, folds, n_jobs, auto_patience=None):
    """Each setting's CV score and fit time on ``dataset``; ``auto_patience``: per setting, the
    lower end of the "auto" patience (None: glassbox's)."""
    from glassbox import GAMClassifier, GAMRegressor

    X, y, meta = load_dataset(dataset)
    task = meta["task"]
    X_train, _, y_train, _ = split(X, y, task)
    X_train, y_train = X_train.reset_index(drop=True), np.asarray(y_train)
    splitter = (KFold(folds, shuffle=True, random_state=0) if task == "regression"
                else StratifiedKFold(folds, shuffle=True, random_state=0))
    rows = []
    for index, (label, params) in enumerate(settings):
        scores, seconds = [], []
        for fit_rows, test_rows in splitter.split(X_train, y_train):
            cls = GAMRegressor if task == "regression" else GAMClassifier
            model = cls(n_jobs=n_jobs, random_state=0, **params)
            start = time.perf_counter()
            with _auto_patience(auto_patience[index] if auto_patience else None):
                model.fit(X_train.iloc[fit_rows], y_train[fit_rows])
            seconds.append(time.perf_counter() - start)
            scores.append(score(model, task, X_train.iloc[test_rows], y_train[test_rows]))
        rows.append({"dataset": dataset, "task": task, "setting": label, "cv_score": float(np.mean(scores)),
                     "fold_scores": scores, "fit_seconds": float(np.sum(seconds))})
        print(f"{dataset:<24} {label:<10} CV score {np.mean(scores):.5f}  fit {np.sum(seconds):7.2f} s", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    choice = parser.add_mutually_exclusive_group(required=True)
    choice.add_argument("--param", nargs="+", metavar=("NAME", "VALUE"),
                        help="a parameter and its candidate values (the first is the reference)")
    choice.add_argument("--settings", nargs="+", metavar="JSON",
                        help="candidate settings, each a JSON object of parameters (the first is the reference)")
    choice.add_argument("--auto-patience", nargs="+", type=int, metavar="LOW",
                        help='candidate lower ends of early_stopping_rounds="auto" (the first is the reference)')
    parser.add_argument("--datasets", nargs="+", help="default: bench_gam's twelve")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    auto_patience = None
    if args.auto_patience:
        if min(args.auto_patience) < 1:
            parser.error("each of --auto-patience must be a positive integer")
        settings = [(f"auto>={low}", {}) for low in args.auto_patience]
        auto_patience = args.auto_patience
    elif args.settings:
        settings = [(text, _value(text)) for text in args.settings]
        if not all(isinstance(params, dict) for _, params in settings):
            parser.error("each of --settings must be a JSON object, such as '{\"max_leaves\": 3}'")
    else:
        name = args.param[0]
        settings = [(f"{name}={text}", {name: _value(text)}) for text in args.param[1:]]
    datasets = args.datasets or [d for group in DATASETS.values() for d in group]
    rows = []
    for dataset in datasets:
        rows += cross_validate(dataset, settings, args.folds, args.n_jobs, auto_patience)
    print(f"\nmeans over {len(datasets)} datasets ({args.folds}-fold CV inside each training split):")
    reference = np.array([r["cv_score"] for r in rows if r["setting"] == settings[0][0]])
    for label, _ in settings:
        mine = [r for r in rows if r["setting"] == label]
        scores = np.array([r["cv_score"] for r in mine])
        mean_difference, se = paired_mean_se(scores - reference)
        print(f"  {label:<10} mean CV score {scores.mean():.5f}  difference {mean_difference:+.5f} "
              f"(paired SE {se:.5f})  total fit {sum(r['fit_seconds'] for r in mine):8.1f} s")


if __name__ == "__main__":
    main()
