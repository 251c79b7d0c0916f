"""Hostile inputs against every estimator, file and export: a clear refusal or a right answer.

    python -m benchmarks.fuzz --examples 10000 [--seed 0] [--batch 200] [--out PATH]

A case is drawn from a seed: a family (GAM, rule list, tree; classifier or regressor) with a
small budget, and a DataFrame whose column names, levels and labels mix line breaks, quotes,
comment markers and SQL keywords, whose columns are floats (with NaN, huge and tiny values),
integers, booleans, categories, strings, strings mixed with integers (with None, and levels unseen
at fit), constant or all missing; 1 to 200 rows; weights absent, uniform, random, with zeros or scaled by powers of
two. Each fitted model must then hold every invariant:

- predictions of the right shape, finite; labels among the classes; probabilities in [0, 1]
  summing to 1, and the label their argmax;
- saved and loaded, bit-identical predictions;
- its SQL (SQLite and DuckDB) and its Python module give the same probabilities and labels on
  the fitted rows and on new ones (to 1e-12 where the link goes through exp);
- a fit with a time limit ends near it.

A fit may instead refuse its input, with a ValueError or TypeError whose message says what is
wrong (so may predicting on the new rows, never on the fitted ones); any other exception, a broken invariant, or a crash is a failure. Cases run in child
processes, ``--batch`` at a time, so that a crash is a result: the case it happened in is named;
a batch still running after every case's time limit plus slack is stopped, and its running case
counted as a hang.
``tests/test_fuzz.py`` runs a short run of the same cases in the test suite.
"""

import argparse
import collections
import json
import math
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

NAME_PIECES = ["a", "B", "x1", " ", "\n", "\t", "'", '"', "--", "/*", ";", "\\", "é", "名", "True", "false",
               "NULL", "select", "glassbox_inputs", "glassbox_data", "prediction", "proba_", "p", "leaf", "%s",
               "(", ")", ",", "."]
FAMILIES = ("GAMClassifier", "GAMRegressor", "RuleListClassifier", "RuleListRegressor", "ShallowTreeClassifier",
            "ShallowTreeRegressor")
TIME_LIMIT = 2.0
TIME_SLACK = 8.0  # seconds beyond a fit's time limit still counted as ending near it (busy machines)


def _name(rng):
    return "".join(rng.choice(NAME_PIECES, size=int(rng.integers(1, 4))))


def make_case(seed):
    """The case of ``seed``: ``{"name", "params", "X", "y", "w", "X_new"}``."""
    rng = np.random.default_rng(seed)
    name = FAMILIES[int(rng.integers(len(FAMILIES)))]
    n = int(rng.choice([1, 2, 3, 8, 40, 120, 200]))
    p = int(rng.integers(1, 6))
    columns = []
    while len(columns) < p:
        candidate = _name(rng)
        if candidate.lower() not in {c.lower() for c in columns}:
            columns.append(candidate)
    levels = list(dict.fromkeys(_name(rng) for _ in range(int(rng.integers(1, 6)))))
    X, X_new = {}, {}
    for column in columns:
        kind = rng.choice(["float", "float", "int", "bool", "category", "string", "object", "constant", "missing"])
        X[column], X_new[column] = _column(rng, kind, n, levels), _column(rng, kind, 30, levels + ["an unseen level"])
    X, X_new = pd.DataFrame(X), pd.DataFrame(X_new)
    if name.endswith("Classifier"):
        labels = list(dict.fromkeys([_name(rng) for _ in range(int(rng.integers(2, 5)))]))
        if rng.random() < 0.3:
            labels = list(range(len(labels)))
        y = np.asarray(labels, dtype=object)[rng.integers(0, len(labels), n)]
        if len(labels) > 1 and n > 1 and rng.random() < 0.8:
            first = X.iloc[:, 0]
            signal = pd.to_numeric(first, errors="coerce").fillna(0).to_numpy(dtype=float) if first.dtype.kind in "fiub" \
                else (first.astype(str) == str(first.iloc[0])).to_numpy(dtype=float)
            y = np.where(signal > np.median(signal), labels[0], labels[-1]).astype(object)
            y[: min(len(labels), n)] = labels[: min(len(labels), n)]
        if all(isinstance(v, int) for v in labels):
            y = y.astype(np.int64)
    else:
        y = rng.normal(size=n) * float(rng.choice([1.0, 1e-6, 1e6, 1e90]))
    weights = rng.choice(["none", "uniform", "random", "zeros", "scaled"])
    w = {"none": None, "uniform": np.full(n, float(rng.choice([1e-300, 3.0, 1e300]))),
         "random": rng.uniform(0.1, 3, n), "zeros": np.where(rng.random(n) < 0.3, 0.0, 1.0),
         "scaled": rng.uniform(0.1, 1, n) * 2.0 ** int(rng.integers(-900, 900))}[weights]
    if name.startswith("GAM"):
        params = dict(outer_bags=int(rng.integers(1, 3)), max_rounds=30, interactions=int(rng.integers(0, 3)),
                      max_bins=int(rng.choice([2, 8, 254])), random_state=int(rng.integers(2**31)),
                      time_limit=TIME_LIMIT)
    elif name.startswith("RuleList"):
        params = dict(max_nodes=int(rng.choice([5, 50])), max_card=int(rng.integers(1, 4)), time_limit=TIME_LIMIT)
    else:
        params = dict(max_depth=int(rng.integers(1, 4)), max_bins=int(rng.choice([2, 8, 32])), time_limit=TIME_LIMIT)
    return {"name": name, "params": params, "X": X, "y": y, "w": w, "X_new": X_new}


def _column(rng, kind, n, levels):
    if kind in ("float", "constant"):
        values = rng.normal(size=n) * float(rng.choice([1.0, 1e-200, 1e200, 1e307]))
        if kind == "constant":
            values[:] = values[0] if n else 0.0
        values[rng.random(n) < 0.15] = np.nan
        return values
    if kind == "int":
        return pd.Series(rng.integers(-5, 5, n), dtype="Int64").mask(rng.random(n) < 0.1)
    if kind == "bool":
        return rng.random(n) < 0.5
    if kind == "missing":
        return np.full(n, np.nan)
    values = np.asarray(levels, dtype=object)[rng.integers(0, len(levels), n)]
    values[rng.random(n) < 0.1] = None
    if kind == "object":  # strings and integers in one column, kept as Python objects
        values[rng.random(n) < 0.3] = int(rng.integers(-3, 3))
        return pd.Series(values, dtype=object)
    return pd.Categorical(values) if kind == "category" else values


def check_case(case):
    """``(outcome, detail)``: "ok", "refused" (with the message's start) or "failed" (why)."""
    import glassbox as gb
    from glassbox.export import from_dict, to_dict

    model = getattr(gb, case["name"])(**case["params"])
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(case["X"], case["y"], sample_weight=case["w"])
    except (ValueError, TypeError) as err:
        message = str(err)
        if len(message) < 25 or "Traceback" in message:
            return "failed", f"unclear {type(err).__name__}: {message!r}"
        return "refused", f"{type(err).__name__}: {message[:70]}"
    except Exception as err:  # any other exception is a defect
        return "failed", f"{type(err).__name__} in fit: {err}"
    elapsed = time.perf_counter() - start
    limit = case["params"].get("time_limit")
    if limit is not None and elapsed > limit + TIME_SLACK:
        return "failed", f"fit took {elapsed:.1f} s with time_limit={limit}"
    for X, new in ((case["X"], False), (case["X_new"], True)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unseen levels in X_new
                problem = _check_predictions(model, X) or _check_file(model, X, from_dict, to_dict) \
                    or _check_exports(model, X)
        except (ValueError, TypeError) as err:
            # New rows may hold what the fitted model cannot read (strings in a column that was
            # numbers only): a clear refusal there is right; on the fitted rows it is a failure.
            if new and len(str(err)) >= 25:
                return "refused", f"{type(err).__name__} on new rows: {str(err)[:70]}"
            return "failed", f"{type(err).__name__} after fit: {err}"
        except Exception as err:
            return "failed", f"{type(err).__name__} after fit: {err}"
        if problem:
            return "failed", problem
    return "ok", ""


def _outputs(model, X):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X), model.predict(X)
    return None, model.predict(X)


def _check_predictions(model, X):
    proba, labels = _outputs(model, X)
    if len(labels) != len(X):
        return f"predict gave {len(labels)} rows for {len(X)}"
    if proba is None:
        return None if np.all(np.isfinite(np.asarray(labels, dtype=float))) else "non-finite predictions"
    if proba.shape != (len(X), len(model.classes_)) or not np.all(np.isfinite(proba)):
        return "probabilities of the wrong shape or not finite"
    if np.any(proba < 0) or np.any(proba > 1) or not np.allclose(proba.sum(axis=1), 1.0, rtol=1e-12, atol=1e-12):
        return "probabilities outside [0, 1] or not summing to 1"
    if list(labels) != list(model.classes_[np.argmax(proba, axis=1)]):
        return "labels are not the probabilities' argmax"
    return None


def _check_file(model, X, from_dict, to_dict):
    loaded = from_dict(json.loads(json.dumps(to_dict(model))))
    for mine, theirs in zip(_outputs(model, X), _outputs(loaded, X)):
        if mine is not None and not np.array_equal(np.asarray(mine), np.asarray(theirs)):
            return "the loaded model predicts differently"
    return None


def _check_exports(model, X):
    import duckdb

    proba, labels = _outputs(model, X)
    expected = proba if proba is not None else np.asarray(labels, dtype=float)[:, None]
    rtol = 1e-12 if getattr(getattr(model, "loss_", None), "link", "identity") != "identity" else 0.0
    results = {}
    connection = sqlite3.connect(":memory:")
    X.to_sql("data", connection, index=False)
    results["sqlite"] = connection.execute(model.to_sql()).fetchall()
    duck = duckdb.connect()
    duck.register("data", X)
    results["duckdb"] = duck.execute(model.to_sql(dialect="duckdb")).fetchall()
    namespace = {}
    exec(compile(model.to_python(), "<export>", "exec"), namespace)
    rows = [{k: (None if v is pd.NA else v) for k, v in row.items()} for row in X.astype(object).to_dict("records")]
    if proba is not None:
        results["python"] = [tuple(p) + (label,) for p, label in zip(namespace["predict_proba"](rows),
                                                                      namespace["predict"](rows))]
    else:
        results["python"] = [(v,) for v in namespace["predict"](rows)]
    for engine, rows_out in results.items():
        values = np.array([r[: expected.shape[1]] for r in rows_out], dtype=float)
        if not np.allclose(values, expected, rtol=rtol, atol=1e-300 if rtol else 0.0):
            return f"{engine} export differs from the model"
        if proba is not None and [_plain(r[-1]) for r in rows_out] != [_plain(v) for v in labels]:
            return f"{engine} export's labels differ from predict"
    return None


def _plain(value):
    value = value.item() if isinstance(value, np.generic) else value
    return int(value) if isinstance(value, bool) else value


def run_batch(seeds):
    """Check ``seeds`` in this process; print one JSON line per case (flushed, so a crash leaves
    the cases before it on record)."""
    for seed in seeds:
        print(json.dumps({"seed": seed, "started": True}), flush=True)
        start = time.perf_counter()
        outcome, detail = check_case(make_case(seed))
        print(json.dumps({"seed": seed, "outcome": outcome, "detail": detail,
                          "seconds": time.perf_counter() - start}), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_batch(range(*args.child))
        return 0
    records, counts, started = [], collections.Counter(), time.time()
    first = args.seed
    while first < args.seed + args.examples:
        last = min(first + args.batch, args.seed + args.examples)
        try:
            child = subprocess.run([sys.executable, "-m", "benchmarks.fuzz", "--child", str(first), str(last)],
                                   capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
                                   timeout=(last - first) * (TIME_LIMIT + TIME_SLACK))
            stdout = child.stdout
        except subprocess.TimeoutExpired as expired:  # a case that never ends: a hang, named by its seed
            child = None
            stdout = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        done, in_progress = set(), None
        for line in stdout.splitlines():
            record = json.loads(line)
            if "outcome" in record:
                records.append(record)
                counts[record["outcome"]] += 1
                done.add(record["seed"])
                if record["outcome"] == "failed":
                    print(f"seed {record['seed']}: {record['detail']}", flush=True)
            else:
                in_progress = record["seed"]
        if child is None:
            pending = [seed for seed in range(first, last) if seed not in done]
            hung = in_progress if in_progress in pending else (pending[0] if pending else None)
            if hung is not None:
                records.append({"seed": hung, "outcome": "hang", "detail": "the batch ran past every case's budget"})
                counts["hang"] += 1
                print(f"seed {hung}: hang", flush=True)
            first = last if hung is None else hung + 1
            continue
        if child.returncode != 0:
            crashed = in_progress if in_progress not in done else None
            records.append({"seed": crashed, "outcome": "crash", "detail": f"exit {child.returncode}: "
                            f"{child.stderr.strip().splitlines()[-1:] if child.stderr.strip() else ''}"})
            counts["crash"] += 1
            print(f"seed {crashed}: crash (exit {child.returncode})", flush=True)
            first = (crashed + 1) if crashed is not None else last
            continue
        first = last
    total = sum(counts.values())
    print(f"\n{total} cases in {time.time() - started:.0f} s (seeds {args.seed}..{args.seed + args.examples - 1})")
    print("| outcome | cases |\n|---|---|")
    for outcome in ("ok", "refused", "failed", "crash", "hang"):
        print(f"| {outcome} | {counts[outcome]} |")
    refusals = collections.Counter(r["detail"].split(":")[0] + ": " + r["detail"].split(":", 1)[1][:45]
                                   for r in records if r["outcome"] == "refused")
    print("\nmost frequent refusals:")
    for message, count in refusals.most_common(12):
        print(f"  {count:5d}  {message}")
    if args.out:
        args.out.write_text(json.dumps(records, indent=1))
    return 1 if counts["failed"] or counts["crash"] or counts["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
