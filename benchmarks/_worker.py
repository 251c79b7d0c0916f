"""Fit and score one (dataset, model) pair; run by ``benchmarks.run`` in a child process.

    python -m benchmarks._worker DATASET MODEL --n-jobs N --seed S --out RESULT.json

A child per pair gives every model a clean interpreter (no thread pool or cache warmed by an
earlier model), a peak memory of its own, and a process the parent can kill at the time limit.
The result (or the exception's last line) is written as JSON to ``--out``.
"""

import argparse
import json
import resource
import sys
import time
import traceback
import warnings

import numpy as np
import pandas as pd
from sklearn import metrics

from benchmarks.datasets import load_dataset, split
from benchmarks.models import MODELS, unknown_model_hint


def encode_target(y, task):
    """Classes as 0..k-1 in sorted order, so every peer sees the same labels and the positive
    class of a binary task (RIPPER's ``pos_class``, the AUC's) is always 1."""
    if task == "regression":
        return y.to_numpy(dtype=np.float64), None
    codes, classes = pd.factorize(y, sort=True)
    return codes, [str(c) for c in classes]


def class_probabilities(model, X, n_classes):
    """predict_proba as (n, n_classes), or None when the model has none."""
    if not hasattr(model, "predict_proba"):
        return None
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    if proba.ndim == 1:  # pygam's LogisticGAM returns P(y = 1) only
        proba = np.column_stack([1.0 - proba, proba])
    if proba.shape[1] != n_classes:
        raise ValueError(f"predict_proba has {proba.shape[1]} columns for {n_classes} classes")
    return proba


def score(task, y_true, y_pred, proba):
    """Test metrics: AUC/accuracy (binary), accuracy/weighted one-vs-rest AUC (multiclass), R²/RMSE."""
    if task == "regression":
        return {"r2": metrics.r2_score(y_true, y_pred), "rmse": metrics.root_mean_squared_error(y_true, y_pred)}
    result = {"accuracy": metrics.accuracy_score(y_true, y_pred), "auc": None}
    if proba is not None and task == "binary":
        result["auc"] = metrics.roc_auc_score(y_true, proba[:, 1])
    elif proba is not None:
        result["auc"] = metrics.roc_auc_score(
            y_true, proba, multi_class="ovr", average="weighted", labels=np.arange(proba.shape[1])
        )
    return {k: (None if v is None else float(v)) for k, v in result.items()}


def run(dataset, model_name, n_jobs, seed):
    """One benchmark record (without the parent's bookkeeping: status, wall time, memory)."""
    if model_name not in MODELS:
        raise ValueError(f"unknown model {model_name!r}{unknown_model_hint()}")
    spec = MODELS[model_name]
    X, y, meta = load_dataset(dataset)
    task = meta["task"]
    y, classes = encode_target(y, task)
    X_train, X_test, y_train, y_test = split(X, y, task, seed=seed)
    X_train, X_test = spec.prepare(X_train, X_test)
    model = spec.build(task, n_jobs, seed)

    start = time.perf_counter()
    model.fit(X_train, y_train, **spec.fit_params)
    fit_seconds = time.perf_counter() - start

    start = time.perf_counter()
    y_pred = np.asarray(model.predict(X_test))
    proba = class_probabilities(model, X_test, len(classes)) if classes else None
    predict_seconds = time.perf_counter() - start

    if y_pred.dtype == bool:  # RIPPER predicts "is positive class"
        y_pred = y_pred.astype(np.int64)
    return {
        "n_train": len(y_train),
        "n_test": len(y_test),
        "n_features": X.shape[1],
        "classes": classes,
        "fit_seconds": fit_seconds,
        "predict_seconds": predict_seconds,
        "size": None if spec.size is None else int(spec.size(model)),
        "size_unit": spec.size_unit,
        "metrics": score(task, y_test, y_pred, proba),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("model")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    # peers' convergence/deprecation chatter is not a result; errors still propagate
    warnings.simplefilter("ignore")
    try:
        record = {"status": "ok", **run(args.dataset, args.model, args.n_jobs, args.seed)}
    except Exception as exc:  # a peer failing is a result to record, not a crash of the runner
        traceback.print_exc()
        record = {"status": "error", "error": traceback.format_exception_only(exc)[-1].strip()}
    # ru_maxrss is in KiB on Linux; loky/joblib workers are measured by the parent instead
    record["worker_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(args.out, "w") as handle:
        json.dump(record, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
