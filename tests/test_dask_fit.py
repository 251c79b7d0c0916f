"""GAM fit on Dask collections (issue 18): the same bins, drawn rows and sums as in memory, so the
same model; bad input and faults give clear errors and leave no half-fitted model."""

import os
import signal
import sys
import threading
import time
import warnings

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster
from hypothesis import given, settings, strategies as st

from glassbox import GAMClassifier, GAMRegressor
from glassbox._dask import require_dask

FAST = dict(outer_bags=2, max_rounds=60, max_samples=600, random_state=0, n_jobs=1)


def make_data(n=1500, seed=0, classes=2):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({
        "num": rng.normal(size=n),
        "ties": rng.randint(0, 6, n).astype(float),
        "city": pd.Series(rng.choice(["north", "south", "east", "west"], n), dtype="string"),
        "grade": pd.Categorical(rng.choice(["c", "a", "b"], n), categories=["c", "a", "b"]),
        "noise": rng.uniform(size=n),
    })
    X.loc[rng.rand(n) < 0.15, "num"] = np.nan
    X.loc[rng.rand(n) < 0.05, "city"] = pd.NA
    score = np.nan_to_num(X["num"].to_numpy()) + (X["city"] == "north").fillna(False).to_numpy() + rng.normal(size=n)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1]))
    return X, pd.Series(y, name="y")


def partitioned(X, y, w=None, npartitions=4):
    parts = (dd.from_pandas(X, npartitions=npartitions, sort=False), dd.from_pandas(y, npartitions=npartitions, sort=False))
    return parts + ((dd.from_pandas(w, npartitions=npartitions, sort=False),) if w is not None else ())


def assert_same_model(a, b):
    """Every fitted array bit for bit: bins, intercept, each term's scores, errors and weights."""
    assert [f.name for f in a.binner_.features_] == [f.name for f in b.binner_.features_]
    for fa, fb in zip(a.binner_.features_, b.binner_.features_):
        assert fa.kind == fb.kind and fa.levels == fb.levels and fa.other_levels == fb.other_levels
        np.testing.assert_array_equal(fa.thresholds, fb.thresholds)
        np.testing.assert_array_equal(fa.counts, fb.counts)
    np.testing.assert_array_equal(a.intercept_, b.intercept_)
    assert [t.features for t in a.terms_] == [t.features for t in b.terms_]
    for ta, tb in zip(a.terms_, b.terms_):
        for field in ("scores", "standard_errors", "bin_weights"):
            np.testing.assert_array_equal(getattr(ta, field), getattr(tb, field), err_msg=f"{ta.name}.{field}")
    np.testing.assert_array_equal(a.n_rounds_, b.n_rounds_)
    assert list(getattr(a, "feature_names_in_", [])) == list(getattr(b, "feature_names_in_", []))


@pytest.mark.parametrize("classes", [2, 3])
def test_classifier_on_dask_is_the_in_memory_model(classes):
    X, y = make_data(classes=classes)
    memory = GAMClassifier(**FAST).fit(X, y)
    on_dask = GAMClassifier(**FAST).fit(*partitioned(X, y))
    assert_same_model(memory, on_dask)
    np.testing.assert_array_equal(memory.classes_, on_dask.classes_)
    np.testing.assert_array_equal(memory.predict_proba(X), on_dask.predict_proba(X))


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_on_dask_is_the_in_memory_model(loss):
    X, y = make_data()
    rng = np.random.RandomState(1)
    # Targets on a binary grid (multiples of 1/8): their sums are exact in any order.
    target = pd.Series(np.round((y + rng.uniform(size=len(y))) * 8) / 8, name="y")
    memory = GAMRegressor(loss=loss, **FAST).fit(X, target)
    on_dask = GAMRegressor(loss=loss, **FAST).fit(*partitioned(X, target))
    assert_same_model(memory, on_dask)


def test_uniform_weights_give_the_same_model_and_other_weights_agree_to_rounding():
    X, y = make_data()
    w = pd.Series(np.full(len(y), 3.0), name="w")
    assert_same_model(GAMClassifier(**FAST).fit(X, y, sample_weight=w),
                      GAMClassifier(**FAST).fit(*partitioned(X, y, w)))
    rng = np.random.RandomState(2)
    for w in (rng.randint(1, 4, len(y)).astype(float), rng.uniform(0.5, 2.0, len(y))):
        w = pd.Series(w, name="w")
        memory = GAMClassifier(**FAST).fit(X, y, sample_weight=w)
        on_dask = GAMClassifier(**FAST).fit(*partitioned(X, y, w))
        # Relative weights (divided by their mean) sum in another order: the intercept moves by
        # rounding, and early stopping may then keep another round.
        np.testing.assert_allclose(memory.intercept_, on_dask.intercept_, rtol=1e-12)
        np.testing.assert_allclose(memory.predict_proba(X), on_dask.predict_proba(X), atol=0.02)


def test_options_carry_over_max_terms_monotone_pos_label_and_pairs():
    X, y = make_data()
    kw = dict(FAST, max_terms=4, monotonic_cst={"noise": 1}, pos_label=0, interactions=[("num", "city")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        memory = GAMClassifier(**kw).fit(X, y)
        on_dask = GAMClassifier(**kw).fit(*partitioned(X, y))
    assert_same_model(memory, on_dask)
    assert on_dask.pos_label_ == 0 and len(on_dask.terms_) == 4


def test_dask_array_input():
    X, y = make_data()
    numeric = X[["num", "ties", "noise"]].to_numpy()
    memory = GAMClassifier(**FAST).fit(numeric, y)
    on_dask = GAMClassifier(**FAST).fit(da.from_array(numeric, chunks=(400, 2)), da.from_array(y.to_numpy(), chunks=400))
    assert_same_model(memory, on_dask)


def test_binning_subsample_rows_are_drawn_as_in_memory():
    """Beyond the Binner's 200,000-row subsample the thresholds come from the same drawn rows."""
    rng = np.random.RandomState(3)
    n = 201_000
    X = pd.DataFrame({"a": rng.normal(size=n).round(3), "b": rng.exponential(size=n)})
    y = pd.Series((X["a"] + rng.normal(size=n) > 0).astype(int))
    kw = dict(outer_bags=1, max_rounds=5, max_samples=2000, interactions=0, random_state=0, n_jobs=1)
    memory = GAMClassifier(**kw).fit(X, y)
    on_dask = GAMClassifier(**kw).fit(*partitioned(X, y, npartitions=3))
    assert_same_model(memory, on_dask)


def test_awkward_partitions_empty_one_class_lone_level_all_missing():
    X, y = make_data(n=900)
    X["city"] = X["city"].astype(object).where(X.index != 850, "lone").astype("string")  # only in the last part
    X.loc[300:599, "num"] = np.nan  # a whole partition missing
    y.iloc[0:300] = 1  # a partition with one class
    empty = X.iloc[:0]
    parts = [X.iloc[0:300], empty, X.iloc[300:600], X.iloc[600:]]
    ddf = dd.concat([dd.from_pandas(p, npartitions=1) for p in parts])
    dy = dd.concat([dd.from_pandas(y.loc[p.index], npartitions=1) for p in parts])
    assert ddf.npartitions == 4
    memory = GAMClassifier(**FAST).fit(X, y)
    on_dask = GAMClassifier(**FAST).fit(ddf, dy)
    assert_same_model(memory, on_dask)
    assert "lone" in on_dask.binner_.features_[2].levels


@settings(max_examples=8, deadline=None)
@given(n=st.integers(3, 400), npartitions=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_any_partitioning_gives_the_in_memory_model(n, npartitions, seed):
    X, y = make_data(n=n, seed=seed)
    if y.nunique() < 2:
        y.iloc[0] = 1 - y.iloc[0]
    kw = dict(FAST, max_samples=max(2, n // 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        memory = GAMClassifier(**kw).fit(X, y)
        on_dask = GAMClassifier(**kw).fit(*partitioned(X, y, npartitions=min(npartitions, n)))
    assert_same_model(memory, on_dask)


def test_bad_input_gives_clear_errors_and_leaves_the_model_unfitted():
    X, y = make_data(n=300)
    ddf, dy = partitioned(X, y)
    with pytest.raises(ValueError, match="X has 4 partitions but y has 3"):
        GAMClassifier(**FAST).fit(ddf, dd.from_pandas(y, npartitions=3))
    with pytest.raises(TypeError, match="y is a Series; with a Dask X"):
        GAMClassifier(**FAST).fit(ddf, y)
    with pytest.raises(ValueError, match="max_samples=None"):
        GAMClassifier(**dict(FAST, max_samples=None)).fit(ddf, dy)
    model = GAMClassifier(**FAST)
    with pytest.raises(ValueError, match="only one class"):
        model.fit(ddf, dd.from_pandas(pd.Series(np.ones(300, int)), npartitions=4))
    assert not [k for k in vars(model) if k.endswith("_")]
    # Partitions whose lengths disagree surface from the partition, named.
    shifted = dd.from_pandas(pd.concat([y, y.iloc[:5]]), npartitions=4)
    with pytest.raises(ValueError, match=r"partition \d+: X has \d+ rows but y has"):
        model.fit(ddf, shifted)
    assert not [k for k in vars(model) if k.endswith("_")]
    with pytest.raises(ValueError, match=r"partition \d+: sample_weight|negative"):
        model.fit(ddf, dy, sample_weight=dd.from_pandas(pd.Series(-np.ones(300)), npartitions=4))


def test_without_dask_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(ImportError, match=r'pip install "glassbox\[dask\]"'):
        require_dask("fitting on Dask")


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                      memory_limit="2GiB") as cluster, Client(cluster) as client:
        yield client


def slow(block, seconds):
    time.sleep(seconds)
    return block


def test_fit_on_a_cluster_of_two_worker_processes(client):
    X, y = make_data()
    memory = GAMClassifier(**FAST).fit(X, y)
    assert_same_model(memory, GAMClassifier(**FAST).fit(*partitioned(X, y)))


def test_a_worker_killed_during_the_fit_gives_the_same_model_or_a_clear_error(client):
    X, y = make_data()
    memory = GAMClassifier(**FAST).fit(X, y)
    ddf, dy = partitioned(X, y, npartitions=8)
    ddf = ddf.map_partitions(slow, 0.25, meta=ddf._meta)  # each pass takes a second or more
    model, outcome = GAMClassifier(**FAST), {}

    def run():
        try:
            model.fit(ddf, dy)
            outcome["fitted"] = True
        except Exception as err:  # noqa: BLE001 - what the fit raised is what this test checks
            outcome["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.6)
    pids = client.run(os.getpid)
    os.kill(pids[sorted(pids)[0]], signal.SIGKILL)  # the nanny starts a new worker process
    thread.join(timeout=180)
    assert not thread.is_alive(), "the fit hangs after a worker was killed"
    if "fitted" in outcome:
        assert_same_model(memory, model)
    else:
        assert str(outcome["error"]), "the error says nothing"
        assert not [k for k in vars(model) if k.endswith("_")], "a failed fit left the model looking fitted"
    client.wait_for_workers(2, timeout=60)


class ListOfFrames:
    """The smallest engine a partitioned fit runs on: a list of pandas blocks, mapped in a loop
    (what docs/scale.md shows for Spark or Ray; no Dask involved)."""

    def __init__(self, blocks, targets):
        self.blocks, self.targets = blocks, targets
        self.names = [str(c) for c in blocks[0].columns]
        self.dtypes = list(blocks[0].dtypes)

    def map(self, fn, per_partition=None, **shared):
        per_partition = per_partition or [{}] * len(self.blocks)
        return [fn(X, y, None, index=i, **shared, **per_partition[i])
                for i, (X, y) in enumerate(zip(self.blocks, self.targets))]


def test_any_engine_with_a_map_fits_the_in_memory_model():
    from glassbox.gam import fit_partitioned

    X, y = make_data()
    cuts = [0, 100, 100, 900, 1500]
    blocks = [X.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
    targets = [y.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
    model = fit_partitioned(GAMClassifier(**FAST), ListOfFrames(blocks, targets))
    assert_same_model(GAMClassifier(**FAST).fit(X, y), model)
