"""The statistics the benchmarks report: bench_small's paired differences over splits and
bench_contention's slowdown ratio, against figures computed here by hand (no data needed)."""

import numpy as np

from benchmarks import bench_contention, bench_small


def _rows(table):
    """bench_small rows from ``{(dataset, seed): {model: auc}}``."""
    return [{"dataset": dataset, "seed": seed, "model": model, "auc": auc}
            for (dataset, seed), models in table.items() for model, auc in models.items()]


def test_paired_differences_average_each_dataset_over_its_splits_first():
    table = {("a", 0): {"x": 0.80, "y": 0.70}, ("a", 1): {"x": 0.60, "y": 0.70}, ("a", 2): {"x": 0.90, "y": 0.60},
             ("b", 0): {"x": 0.50, "y": 0.55},
             ("c", 0): {"x": 0.70}}  # y never ran on c: c is left out
    rows = _rows(table) + [{"dataset": "b", "seed": 1, "model": "x", "error": "boom"}]  # an error is no fit
    per_dataset = bench_small._per_dataset(rows, "x", "y", "auc")
    assert set(per_dataset) == {"a", "b"}
    np.testing.assert_allclose(sorted(per_dataset["a"]), [-0.10, 0.10, 0.30])
    np.testing.assert_allclose(per_dataset["b"], [-0.05])
    mean, se, n = bench_small._paired(rows, "x", "y", "auc")
    means = np.array([0.10, -0.05])  # a: (0.1 - 0.1 + 0.3) / 3; b: -0.05
    assert n == 2
    assert np.isclose(mean, means.mean())
    assert np.isclose(se, means.std(ddof=1) / np.sqrt(2))


def test_one_split_rows_without_a_seed_pair_up_as_before():
    rows = [{"dataset": "a", "model": "x", "auc": 0.8}, {"dataset": "a", "model": "y", "auc": 0.75}]
    assert bench_small._paired(rows, "x", "y", "auc")[0] == 0.8 - 0.75


def test_slowdown_ratio(capsys):
    results = [{"arm": bench_contention.EBM_ARM, "busy": 0, "default": 2.0, "one": 50.0},
               {"arm": "GAMClassifier", "busy": 0, "default": 1.0, "one": 1.0},
               {"arm": bench_contention.EBM_ARM, "busy": 2, "default": 3.0, "one": 100.0}]
    bench_contention._print_slowdowns(results)
    out = capsys.readouterr().out
    assert "glassbox 1.50x, EBM 2.00x; ratio 0.75" in out
    bench_contention._print_slowdowns(results[:2])  # no busy row: nothing to compare
    assert capsys.readouterr().out == ""
