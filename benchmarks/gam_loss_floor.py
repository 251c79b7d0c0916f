"""What the classifiers' loss floor saves and costs (docs/gam.md, "Bags and early stopping").

    python -m benchmarks.gam_loss_floor [--datasets nursery mushroom car_evaluation] [--seeds 0 1 2]

A classifier's bag stops once its validation loss is at most ``Loss.floor_fraction`` (0.1%) of
its intercept-only model's. For each dataset and split seed this fits a default
``GAMClassifier(random_state=0, n_jobs=2)`` with the floor and without it (``floor_fraction``
set to 0 for that fit), and prints the fit time, the rounds the bags kept (both stages, all
bags), and the test AUC, log loss and accuracy of each. Run nothing else meanwhile.
"""

import argparse
import time

import numpy as np
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

from benchmarks.datasets import available, load_dataset, split
from glassbox import _losses
from glassbox.gam import GAMClassifier

DATASETS = ["nursery", "mushroom", "car_evaluation"]


def fit_and_score(X_train, y_train, X_test, y_test, floor):
    """``(seconds, rounds kept, AUC, log loss, accuracy)`` of a default fit, with or without the floor."""
    saved = _losses.LogLoss.floor_fraction, _losses.Softmax.floor_fraction
    if not floor:
        _losses.LogLoss.floor_fraction = _losses.Softmax.floor_fraction = 0.0
    try:
        started = time.perf_counter()
        model = GAMClassifier(random_state=0, n_jobs=2).fit(X_train, y_train)
        seconds = time.perf_counter() - started
    finally:
        _losses.LogLoss.floor_fraction, _losses.Softmax.floor_fraction = saved
    proba = model.predict_proba(X_test)
    auc = (roc_auc_score(y_test, proba[:, 1]) if proba.shape[1] == 2
           else roc_auc_score(y_test, proba, multi_class="ovr", labels=model.classes_))
    return (seconds, int(np.sum(model.n_rounds_)), auc, log_loss(y_test, proba, labels=model.classes_),
            accuracy_score(y_test, model.predict(X_test)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=DATASETS)
    parser.add_argument("--seeds", nargs="*", type=int, default=[0])
    args = parser.parse_args()
    print(f"{'dataset':16} seed  floor   fit s   rounds      AUC  log loss  accuracy")
    for name in args.datasets:
        if name not in available():
            print(f"{name}: not in ../shared/datasets, skipped")
            continue
        X, y, meta = load_dataset(name)
        for seed in args.seeds:
            X_train, X_test, y_train, y_test = split(X, y, meta["task"], seed=seed)
            for floor in (False, True):
                seconds, rounds, auc, loss, accuracy = fit_and_score(X_train, y_train, X_test, y_test, floor)
                print(f"{name:16} {seed:4}  {'yes' if floor else 'no':5} {seconds:7.2f} {rounds:8} {auc:8.5f} "
                      f"{loss:9.5f} {accuracy:9.4f}", flush=True)


if __name__ == "__main__":
    main()
