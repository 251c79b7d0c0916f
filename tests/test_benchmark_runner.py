"""The benchmark runner end to end: child processes, JSON records, time limits.

Runs ``python -m benchmarks.run`` on one small shared dataset with scikit-learn peers only (CI
installs no other peer). Asserts that records are well formed, never how fast anything is.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.datasets import available

ROOT = Path(__file__).resolve().parents[1]
DATASET = "haberman"

pytestmark = pytest.mark.skipif(
    DATASET not in available(), reason=f"shared dataset {DATASET!r} not found (../shared/datasets is absent)"
)


def run_benchmark(tmp_path, *args):
    """Run the runner in a subprocess from the repo root; return (parsed JSON, stdout)."""
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--datasets", DATASET, "--n-jobs", "1", "--out", str(out), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text()), proc.stdout


def test_runner_records_sklearn_peers(tmp_path):
    result, stdout = run_benchmark(tmp_path, "--models", "cart_d3", "hgb", "--ref", "cart_d3")

    records = {r["model"]: r for r in result["records"]}
    assert set(records) == {"cart_d3", "hgb"}
    for model, record in records.items():
        assert record["status"] == "ok", record
        assert record["dataset"] == DATASET and record["task"] == "binary"
        assert 0.0 <= record["metrics"]["auc"] <= 1.0
        assert 0.0 <= record["metrics"]["accuracy"] <= 1.0
        assert record["fit_seconds"] > 0 and record["predict_seconds"] > 0
        assert record["size"] >= 1 and record["size_unit"] == "leaves"
        assert record["n_train"] + record["n_test"] == 306
    # a depth-3 tree has at most 8 leaves
    assert records["cart_d3"]["size"] <= 8
    assert result["settings"]["n_jobs"] == 1
    assert "test AUC" in stdout and "cart_d3" in stdout and "hgb" in stdout


def test_time_limit_gives_timeout_record():
    from benchmarks.run import run_pair

    # far below a Python interpreter's start-up: the child is always killed, the runner goes on
    record = run_pair(DATASET, "cart_d3", n_jobs=1, seed=0, time_limit=0.05)
    assert record["status"] == "timeout"
    assert "fit_seconds" not in record and "metrics" not in record
    assert record["wall_seconds"] < 30


def test_peer_keeps_its_defaults_plus_seed():
    from benchmarks.models import PEERS

    estimator = PEERS["cart_d2"].build("binary", n_jobs=1, seed=3)
    defaults = type(estimator)().get_params()
    # only the seed (and threads, where the class has them) join the spec's own max_depth
    changed = {k: v for k, v in estimator.get_params().items() if v != defaults[k]}
    assert changed == {"max_depth": 2, "random_state": 3}


def test_preparations_encode_only_what_a_peer_needs():
    import pandas as pd

    from benchmarks.models import native, ordinal, ordinal_imputed

    frame = pd.DataFrame({
        "color": pd.Categorical(["red", "blue", None, "red"]),
        "size": [1.0, float("nan"), 3.0, 5.0],
        "name": pd.Series(["a", "b", "a", "c"], dtype=object),
    })
    train, test = frame.iloc[:3], frame.iloc[3:]

    nat_train, nat_test = native(train, test)
    assert isinstance(nat_train["name"].dtype, pd.CategoricalDtype)
    assert pd.isna(nat_test["name"].iloc[0])  # "c" never seen in training: missing, not a new level
    assert nat_train["size"].isna().sum() == 1

    ord_train, ord_test = ordinal(train, test)
    assert ord_train["color"].tolist() == [1.0, 0.0, -1.0]  # missing category: a code of its own
    assert ord_train["size"].isna().sum() == 1  # numeric NaN left to peers that take it

    imp_train, _ = ordinal_imputed(train, test)
    assert not imp_train.isna().any().any()
    assert imp_train["size"].iloc[1] == 2.0  # the training median
