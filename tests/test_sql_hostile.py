"""Exported SQL is right for any name a DataFrame column, category level or class label can have.

Generated names mix what breaks naive SQL: line breaks and tabs (which an indenter could pad),
both quote characters, comment and statement markers, keywords (SQLite reads a column named
"True" as its keyword unless it is qualified), names of the query's own stages and outputs,
names differing only in case, backslashes (an escape inside ClickHouse's quotes). Each model is
exported, run in every dialect's engine -- SQLite, DuckDB, PostgreSQL and ClickHouse
(``tests/sql_engines.py``) -- on the rows it was fitted on plus unseen levels and missing values,
and compared row by row with ``predict_proba`` / ``predict``; or the export refuses with an error
naming the column.
"""

import sqlite3
import warnings

import duckdb  # in the test extra: a missing install fails here, never skips
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glassbox as gb
from glassbox.export._sql import DIALECTS
from glassbox.rules import NotProvenOptimalWarning
from tests.sql_engines import load_and_run


PIECES = ["a", "B", "x1", " ", "\n", "\r\n", "\t", "'", '"', "''", '""', "--", "/*", "*/", ";", "\\", "é", "名",
          "True", "false", "NULL", "select", "glassbox_inputs", "glassbox_data", "prediction", "proba_", "raw", "p",
          "leaf", "rule", "%s", "?", ":x", "$1", ")", "(", ",", "."]
names = st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join)


@st.composite
def hostile_frames(draw):
    columns = draw(st.lists(names, min_size=2, max_size=4, unique_by=lambda s: s.lower()))
    levels = draw(st.lists(names, min_size=2, max_size=4, unique=True))
    labels = draw(st.lists(names, min_size=2, max_size=3, unique=True))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n = 240
    data = {}
    for j, name in enumerate(columns):
        if j == len(columns) - 1:
            values = rng.choice(np.array(levels, dtype=object), n)
            values[rng.random(n) < 0.1] = None
            data[name] = values
        else:
            values = rng.normal(size=n).round(2)
            values[rng.random(n) < 0.1] = np.nan
            data[name] = values
    X = pd.DataFrame(data)
    signal = np.nan_to_num(X.iloc[:, 0].to_numpy(dtype=float)) + (X.iloc[:, -1] == levels[0]).to_numpy()
    y = np.asarray(labels, dtype=object)[np.digitize(signal, np.quantile(signal, np.linspace(0, 1, len(labels) + 1)[1:-1]))]
    family = draw(st.sampled_from(["tree", "rules", "gam"]))
    return X, y, family


def _model(family):
    return {"tree": gb.ShallowTreeClassifier(max_depth=2, max_bins=8),
            "rules": gb.RuleListClassifier(max_nodes=40, max_thresholds=3),
            "gam": gb.GAMClassifier(outer_bags=1, max_rounds=15, interactions=1, max_bins=8, random_state=0)}[family]


def _rows(X, levels_seen):
    """The fitted rows, then rows with an unseen level and with every value missing."""
    extra = X.iloc[:2].copy()
    extra.iloc[0, -1] = "a level never seen" if "a level never seen" not in levels_seen else "another"
    extra.iloc[1] = None
    return pd.concat([X, extra], ignore_index=True)


def _check(result, model, X, family):
    proba, labels = np.array([row[:-1] for row in result], dtype=np.float64), [row[-1] for row in result]
    expected = model.predict_proba(X)
    np.testing.assert_allclose(proba, expected, rtol=1e-12 if family == "gam" else 0, atol=1e-15)
    assert labels == list(model.predict(X))


TABLE = "hostile table \"x\"\n\\"


def _execute(dialect, connection, rows, model):
    """The exported query's rows in ``dialect``'s engine, over ``rows`` loaded as TABLE."""
    sql = model.to_sql(table=TABLE, dialect=dialect)
    if dialect == "sqlite":
        connection = sqlite3.connect(":memory:")
        rows.to_sql(TABLE, connection, index=False)
        return connection.execute(sql).fetchall()
    if dialect == "duckdb":
        duck = duckdb.connect()
        duck.register(TABLE, rows)
        return duck.execute(sql).fetchall()
    return load_and_run(dialect, connection, rows, sql, table=TABLE)[1]


@pytest.mark.parametrize("dialect", DIALECTS)
@settings(max_examples=45, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(case=hostile_frames())
def test_sql_predicts_as_the_model_whatever_the_names(dialect, engine, case):
    X, y, family = case
    model = _model(family)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotProvenOptimalWarning)
        model.fit(X, y)
    rows = _rows(X, set(X.iloc[:, -1].dropna()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the unseen level, as intended
        _check(_execute(dialect, engine(dialect), rows, model), model, rows, family)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_kept_column_named_true_is_refused_in_sqlite_only(dialect, engine):
    X = pd.DataFrame({"x": np.arange(40.0), "True": np.arange(40)})
    model = gb.ShallowTreeRegressor(max_depth=1).fit(X[["x"]], np.arange(40.0))
    if dialect == "sqlite":
        with pytest.raises(ValueError, match="keep names columns \\['True'\\]: SQLite reads"):
            model.to_sql(keep="True")
        return
    sql = model.to_sql(dialect=dialect, keep="True")
    if dialect == "duckdb":
        duck = duckdb.connect()
        duck.register("data", X)
        cursor = duck.execute(sql)
        names, rows = [d[0] for d in cursor.description], cursor.fetchall()
    else:
        names, rows = load_and_run(dialect, engine(dialect), X, sql)
    assert names == ["True", "prediction"] and [r[0] for r in rows] == list(X["True"])
    np.testing.assert_array_equal([r[1] for r in rows], model.predict(X[["x"]]))
