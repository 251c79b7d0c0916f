"""Print benchmark records as tables: one block per task, rows datasets, columns models.

Used by ``benchmarks.run`` at the end of a run, and on its own to reprint a saved result:

    python -m benchmarks.report benchmarks/results/<timestamp>.json [MORE.json ...] [--ref ebm]
"""

import argparse
import json
import math
import os
import sys

import numpy as np

from benchmarks.models import TASKS

# (metric key, heading) per task: the headline metric first
METRICS = {
    "binary": [("auc", "test AUC"), ("accuracy", "test accuracy")],
    "multiclass": [("accuracy", "test accuracy"), ("auc", "test AUC (one-vs-rest, weighted)")],
    "regression": [("r2", "test R²"), ("rmse", "test RMSE")],
}
STATUS_CELL = {"timeout": "timeout", "error": "error", "unsupported": "-"}


def paired_mean_se(differences):
    """Mean and standard error of paired differences (SE 0 for fewer than two)."""
    d = np.asarray(differences, dtype=float)
    return d.mean(), (d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else 0.0)


def finish_comparable_run(rows, out, compare, group, score, compared=lambda row: True):
    """The end of a benchmark whose runs compare with each other: the load average, ``rows``
    written to ``out`` (when given) as JSON, and the ``compared`` ones compared with those of the
    run written to ``compare`` (when given; ``print_paired_comparison``)."""
    print(f"load average after: {os.getloadavg()}")
    if out:
        with open(out, "w") as f:
            json.dump(rows, f, indent=1)
    if compare:
        with open(compare) as f:
            other = json.load(f)
        print_paired_comparison([r for r in rows if compared(r)], [r for r in other if compared(r)], group, score)


def print_paired_comparison(rows, other_rows, group, score):
    """Print this run's rows minus another run's (the same script's ``--out``), paired by
    ``(row[group], row["seed"])``: per group the mean difference of ``row[score]`` with its paired
    standard error and the mean fit seconds (``fit_seconds``) of both, then over every pair."""
    other = {(r[group], r["seed"]): r for r in other_rows}
    print("\nhere minus the other run (paired over seeds):")
    all_pairs = []
    for name in dict.fromkeys(r[group] for r in rows):
        mine = [r for r in rows if r[group] == name and (name, r["seed"]) in other]
        if not mine:
            continue
        pairs = [r[score] - other[(name, r["seed"])][score] for r in mine]
        all_pairs.extend(pairs)
        mean, se = paired_mean_se(pairs)
        before = np.mean([other[(name, r["seed"])]["fit_seconds"] for r in mine])
        after = np.mean([r["fit_seconds"] for r in mine])
        print(f"{name:<22} {score} {mean:+.4f} (SE {se:.4f})  fit {before:.2f} -> {after:.2f} s "
              f"(ratio {after / before:.3f})")
    if all_pairs:
        mean, se = paired_mean_se(all_pairs)
        print(f"{'all':<22} {score} {mean:+.4f} (SE {se:.4f}), {len(all_pairs)} pairs")


def _seconds(value):
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def _table(title, rows, columns, cell, extra=()):
    """Print one fixed-width table; ``cell(record)`` formats an ok record; ``extra``: rows of text."""
    grid = [["dataset", *columns]]
    for dataset, by_model in rows.items():
        line = [dataset]
        for model in columns:
            record = by_model.get(model)
            if record is None:
                line.append("")
            elif record["status"] != "ok":
                line.append(STATUS_CELL[record["status"]])
            else:
                line.append(cell(record))
        grid.append(line)
    grid.extend(extra)
    widths = [max(len(row[i]) for row in grid) for i in range(len(grid[0]))]
    print(f"\n{title}")
    for i, row in enumerate(grid):
        print("  ".join(text.ljust(w) if j == 0 else text.rjust(w) for j, (text, w) in enumerate(zip(row, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def _ratio_cell(ref_seconds):
    """A model's fit time over the reference model's on the same dataset."""
    def cell(record):
        ref = ref_seconds.get(record["dataset"])
        return f"{record['fit_seconds'] / ref:.2g}" if ref else "n/a"
    return cell


def _geomean_row(rows, columns, ref_seconds):
    """Each model's geometric-mean fit-time ratio over the datasets where it and the reference ran."""
    row = ["geomean"]
    for model in columns:
        logs = [math.log(m[model]["fit_seconds"] / ref_seconds[d]) for d, m in rows.items()
                if d in ref_seconds and m.get(model, {}).get("status") == "ok" and m[model]["fit_seconds"] > 0]
        row.append(f"{math.exp(sum(logs) / len(logs)):.2g}" if logs else "")
    return row


def print_tables(records, models, ref="ebm"):
    """Print the tables of every task present in ``records``; columns in ``models`` order."""
    for task in TASKS:
        rows = {}
        for record in records:
            if record["task"] == task:
                rows.setdefault(record["dataset"], {})[record["model"]] = record
        columns = [m for m in models if any(r.get(m, {}).get("status", "unsupported") != "unsupported" for r in rows.values())]
        if not columns:
            continue
        print(f"\n===== {task}: {len(rows)} datasets =====")
        for key, heading in METRICS[task]:
            _table(heading, rows, columns, lambda r, k=key: "n/a" if r["metrics"][k] is None else f"{r['metrics'][k]:.4g}")
        ref_seconds = {d: m[ref]["fit_seconds"] for d, m in rows.items() if m.get(ref, {}).get("status") == "ok"}
        _table("fit seconds", rows, columns, lambda r: _seconds(r["fit_seconds"]))
        if ref_seconds:
            _table(f"fit time / fit time of {ref}", rows, columns, _ratio_cell(ref_seconds),
                   extra=[_geomean_row(rows, columns, ref_seconds)])
        _table("predict seconds (predict + predict_proba, test split)", rows, columns, lambda r: _seconds(r["predict_seconds"]))
        units = {m: r[m]["size_unit"] for m in columns for r in rows.values() if r.get(m, {}).get("status") == "ok"}
        _table(f"size ({', '.join(f'{m}: {u}' for m, u in units.items() if u)})", rows, columns,
               lambda r: "n/a" if r["size"] is None else str(r["size"]))
        _table("peak memory MB (process tree)", rows, columns, lambda r: "n/a" if r["peak_mem_mb"] is None else f"{r['peak_mem_mb']:.0f}")
    failures = [r for r in records if r["status"] in ("error", "timeout")]
    if failures:
        print("\nfailures:")
        for r in failures:
            print(f"  {r['dataset']} / {r['model']}: {r['status']}: {r.get('error', '')}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="result files; a later record of the same pair replaces an earlier one")
    parser.add_argument("--ref", default=None, help="reference model (default: the first run's --ref)")
    args = parser.parse_args(argv)
    results = [json.loads(open(path).read()) for path in args.paths]
    # a rerun of a pair (after a fix, or to finish an interrupted run) replaces the earlier record
    records = {(r["dataset"], r["model"]): r for result in results for r in result["records"]}
    models = list(dict.fromkeys(model for _, model in records))
    print_tables(list(records.values()), models, args.ref or results[0]["settings"].get("ref", "ebm"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
