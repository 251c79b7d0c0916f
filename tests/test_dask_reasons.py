"""Reason codes of a Dask collection (issue 18): lazy, block by block, and equal to the in-memory
frame row for row, index (row, rank) included."""

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

import glassbox as gb


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    n = 400
    X = pd.DataFrame({"income": rng.normal(50, 10, n).round(1), "debt": rng.uniform(0, 1, n),
                      "region": pd.Series(rng.choice(["n", "s", "e"], n), dtype="string")},
                     index=pd.Index(np.arange(1000, 1000 + n), name="applicant"))
    X.loc[X.index[::7], "debt"] = np.nan
    y = ((X["income"] < 50) ^ (X["debt"].fillna(0.5) > 0.6) ^ (rng.rand(n) < 0.1)).astype(int)
    return X, y


@pytest.fixture(scope="module", params=["gam", "rules"])
def model(request, data):
    X, y = data
    if request.param == "gam":
        return gb.GAMClassifier(outer_bags=2, max_rounds=60, random_state=0, n_jobs=1).fit(X, y)
    return gb.RuleListClassifier(max_nodes=200).fit(X, y)


def partitions(X):
    parts = [X.iloc[:150], X.iloc[:0], X.iloc[150:320], X.iloc[320:]]
    return dd.concat([dd.from_pandas(p, npartitions=1) for p in parts])


def test_reason_codes_on_dask_equal_those_in_memory(data, model):
    X, _ = data
    lazy = model.reason_codes(partitions(X), n=3)
    assert isinstance(lazy, dd.DataFrame)
    got, expected = lazy.compute(), model.reason_codes(X, n=3)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(got, expected)
    assert list(lazy.dtypes) == list(got.dtypes)
    assert got.attrs == expected.attrs  # unit, reference and event, as in memory


def test_reason_codes_of_a_dask_array_are_numbered_by_position(data):
    X, y = data
    numeric = X[["income", "debt"]].to_numpy()
    model = gb.GAMClassifier(outer_bags=2, max_rounds=60, random_state=0, n_jobs=1).fit(numeric, y)
    got = model.reason_codes(da.from_array(numeric, chunks=(130, 1)), reference="mean").compute()
    pd.testing.assert_frame_equal(got, model.reason_codes(numeric, reference="mean"))


def test_wrong_columns_fail_at_call_time(data, model):
    X, _ = data
    with pytest.raises(ValueError, match="feature names"):
        model.reason_codes(partitions(X.rename(columns={"debt": "loan"})))
