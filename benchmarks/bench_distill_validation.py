"""How many synthetic rows should a small student be distilled with? Measured inside the training
split only, so the choice never sees the benchmark's test rows.

    python -m benchmarks.bench_distill_validation [--datasets ...] [--students tree_d3 'rules<=8'] [--splits 3]

For each validation split (75% / 25% of the fixed training split, seeds 100, 101, ...), a LightGBM
teacher (defaults) is fitted on the 75%; each small student of ``bench_distill`` is fitted there
on the true labels, on the teacher's labels of those rows, and on them plus 1, 2 and 4 MUNGE rows
per real row (one draw of 4, the first k per real row used). Reported: agreement with the teacher
(R² against its predictions for regression) on the other 25%, per split and as a mean, and the
mean difference to the truth-fitted student, in points.
"""

import argparse
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from benchmarks.bench_distill import DATASETS, STUDENTS, _student
from benchmarks.datasets import load_dataset, split
from benchmarks.models import native_plain_names
from glassbox.distill import augment
from glassbox.distill._distill import _concat

PER_REAL = (1, 2, 4)
SMALL = ("tree_d3", "rules<=8")


def run(dataset, students, n_splits, n_jobs):
    from lightgbm import LGBMClassifier, LGBMRegressor

    X, y, meta = load_dataset(dataset)
    regression = meta["task"] == "regression"
    X_train, X_test, y_train, _ = split(X, y, meta["task"])
    X_train, _ = native_plain_names(X_train, X_test)
    y_train = y_train.to_numpy()
    rows = []
    for s in range(n_splits):
        Xa, Xb, ya, _ = train_test_split(X_train, y_train, test_size=0.25, random_state=100 + s,
                                         stratify=None if regression else y_train)
        teacher = (LGBMRegressor if regression else LGBMClassifier)(verbose=-1, n_jobs=n_jobs, random_state=0)
        teacher.fit(Xa, ya)
        taught = teacher.predict(Xb)
        synthetic = augment(Xa, "munge", max(PER_REAL) * len(Xa), random_state=0)
        arms = {"truth": (Xa, ya), "teacher, no augmentation": (Xa, teacher.predict(Xa))}
        for k in PER_REAL:
            X_fit = _concat(Xa, synthetic.iloc[: k * len(Xa)])
            arms[f"teacher, munge x{k}"] = (X_fit, teacher.predict(X_fit))
        for name in students:
            for arm, (X_fit, target) in arms.items():
                predicted = _student(name, meta["task"], n_jobs).fit(X_fit, target).predict(Xb)
                fidelity = r2_score(taught, predicted) if regression else float(np.mean(predicted == taught))
                rows.append({"dataset": dataset, "student": name, "arm": arm, "split": s, "fidelity": fidelity})
                print(f"{dataset} split {s} {name:8s} {arm:26s} {fidelity:.4f}", flush=True)
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--students", nargs="+", default=list(SMALL), choices=list(STUDENTS))
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", help="CSV file for all rows")
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # budget warnings of the rule lists; the figures are what counts
        frame = pd.concat([run(d, args.students, args.splits, args.n_jobs) for d in args.datasets])
    if args.out:
        frame.to_csv(args.out, index=False)
    mean = frame.pivot_table(index=["dataset", "student"], columns="arm", values="fidelity", aggfunc="mean")
    gain = (mean.drop(columns="truth").sub(mean["truth"], axis=0) * 100).round(2)
    pd.set_option("display.width", 200)
    print("\n== mean fidelity over the validation splits\n" + mean.round(4).to_string())
    print("\n== distilled minus truth-fitted, points\n" + gain.to_string())


if __name__ == "__main__":
    main()
