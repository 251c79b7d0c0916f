"""polars DataFrames are taken as they are: the same model as from the equivalent pandas frame,
with the column names kept in every view (scikit-learn's own estimators keep them too)."""

import warnings

import numpy as np
import pandas as pd
import polars as pl  # in the test extra: a missing install fails here, never skips
import pytest
from sklearn.base import is_classifier

import glassbox as gb
from glassbox.export import to_dict


ESTIMATORS = [
    lambda: gb.GAMClassifier(outer_bags=2, random_state=0),
    lambda: gb.GAMRegressor(outer_bags=2, random_state=0),
    lambda: gb.RuleListClassifier(max_nodes=100),
    lambda: gb.RuleListRegressor(max_nodes=100),
    lambda: gb.ShallowTreeClassifier(max_depth=2),
    lambda: gb.ShallowTreeRegressor(max_depth=2),
]


def _frames(n=300, seed=0):
    """The same table as polars and as pandas: floats and ints with nulls, strings with nulls, a
    Categorical, an Enum (ordered levels), booleans with nulls, and hostile names."""
    rng = np.random.default_rng(seed)
    age = [None if i % 9 == 0 else float(v) for i, v in enumerate(rng.integers(18, 80, n))]
    visits = [None if i % 11 == 0 else int(v) for i, v in enumerate(rng.integers(0, 6, n))]
    city = [None if i % 13 == 0 else str(v) for i, v in enumerate(rng.choice(["north", "south", "east"], n))]
    grade = [str(v) for v in rng.choice(["A", "B", "C"], n)]
    risk = [str(v) for v in rng.choice(["low", "high", "mid"], n)]
    flag = [None if i % 7 == 0 else bool(v) for i, v in enumerate(rng.random(n) < 0.5)]
    names = ["age", "visits\n(last year)", 'city "now"', "grade", "risk", "True"]
    polars = pl.DataFrame({
        names[0]: pl.Series(age, dtype=pl.Float64), names[1]: pl.Series(visits, dtype=pl.Int64),
        names[2]: pl.Series(city, dtype=pl.String), names[3]: pl.Series(grade, dtype=pl.Categorical),
        names[4]: pl.Series(risk, dtype=pl.Enum(["low", "mid", "high"])), names[5]: pl.Series(flag, dtype=pl.Boolean),
    })
    pandas = pd.DataFrame({
        names[0]: np.array([np.nan if v is None else v for v in age]),
        names[1]: np.array([np.nan if v is None else v for v in visits]),
        names[2]: np.array(city, dtype=object), names[3]: pd.Categorical(grade),
        names[4]: pd.Categorical(risk, categories=["low", "mid", "high"]), names[5]: pd.array(flag, dtype="boolean"),
    })
    signal = np.nan_to_num(pandas[names[0]].to_numpy(), nan=40.0) / 20 + (pandas[names[2]] == "east") + \
        (pandas[names[4]] == "high") + rng.normal(0, 0.5, n)
    return polars, pandas, signal


def _fit(make, X, signal):
    model = make()
    y = (signal > np.median(signal)).astype(int) if is_classifier(model) else signal
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


@pytest.mark.parametrize("make", ESTIMATORS)
def test_a_polars_frame_fits_the_pandas_frames_model_with_its_names(make):
    polars, pandas, signal = _frames()
    from_polars, from_pandas = _fit(make, polars, signal), _fit(make, pandas, signal)
    assert list(from_polars.feature_names_in_) == polars.columns
    assert to_dict(from_polars)["structure"] == to_dict(from_pandas)["structure"]
    assert to_dict(from_polars)["binning"] == to_dict(from_pandas)["binning"]
    predict = "predict_proba" if hasattr(from_polars, "predict_proba") else "predict"
    for X in (polars, pandas):  # each model reads either kind
        np.testing.assert_array_equal(getattr(from_polars, predict)(X), getattr(from_pandas, predict)(pandas))
    pd.testing.assert_frame_equal(from_polars.explain_local(polars.head(5)).to_frame(),
                                  from_pandas.explain_local(pandas.head(5)).to_frame())
    sql = from_polars.to_sql(table="t")
    assert sql == from_pandas.to_sql(table="t") and '"age"' in sql and '"x0"' not in sql


def test_polars_columns_are_checked_like_pandas_ones():
    polars, pandas, signal = _frames()
    model = _fit(ESTIMATORS[4], polars, signal)
    reordered = polars.select(list(reversed(polars.columns)))
    with pytest.raises(ValueError, match="feature names"):
        model.predict(reordered)
    with pytest.raises(TypeError, match="LazyFrame: pass X.collect()"):
        model.predict(polars.lazy())
