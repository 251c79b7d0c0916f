"""What each SQL engine spells its own way (``export/_sql_dialects.py``), checked in the engine.

Literals read back as the very doubles; exp and the softmax's shares give NumPy's inf and 0 where
PostgreSQL would raise "value out of range"; PostgreSQL's 63-byte names and its
``standard_conforming_strings`` setting; NaN stored in a number column reads as missing. The
zoo-wide comparisons are in ``tests/test_codegen.py``, generated hostile names in
``tests/test_sql_hostile.py``.
"""

import copy
import sqlite3
import warnings

import duckdb  # in the test extra: a missing install fails here, never skips
import numpy as np
import pandas as pd
import pytest

import glassbox as gb
from glassbox.export._sql import DIALECTS, float_literal
from glassbox.export._sql_dialects import dialect as get_dialect
from tests.model_zoo import fitted, quiet
from tests.sql_engines import load_and_run, numeric_features


def _select(dialect, connection, expressions):
    """One row: the values of ``expressions`` in PostgreSQL or ClickHouse."""
    sql = "SELECT " + ", ".join(f"{e} AS c{i}" for i, e in enumerate(expressions))
    if dialect == "postgres":
        return list(connection.execute(sql).fetchone())
    return list(connection.query(sql, "DataFrame").iloc[0])


@pytest.mark.parametrize("dialect", ["postgres", "clickhouse"])
def test_float_literals_read_back_exactly_in_postgres_and_clickhouse(dialect, engine):
    """PostgreSQL reads ``0.1`` as NUMERIC (``0.1::float8`` is the double), ClickHouse as the
    nearest Float64; both must read every double back to the bit, signed zeros and infinities too."""
    connection = engine(dialect)
    rng = np.random.default_rng(0)
    values = np.concatenate([
        rng.normal(size=3000) * 10.0 ** rng.integers(-30, 30, 3000),
        rng.uniform(1, 10, 500) * 10.0 ** rng.integers(-300, 300, 500),
        [0.0, -0.0, 34.5, 0.1, 1e22, 2.0 ** 70, 5e-324, -5e-324, 1.7976931348623157e308, -2.5, 1e-5,
         np.inf, -np.inf],
    ])
    for start in range(0, len(values), 400):
        chunk = [float(v) for v in values[start:start + 400]]
        got = _select(dialect, connection, [float_literal(v, dialect) for v in chunk])
        assert [float(g).hex() for g in got] == [v.hex() for v in chunk]
    assert np.isnan(_select(dialect, connection, [float_literal(np.nan, dialect)])[0])
    if dialect == "postgres":  # a double, not NUMERIC: CASE branches then add as doubles
        typed = f"pg_typeof({float_literal(34.5, dialect)})::text"
        assert _select(dialect, connection, [typed]) == ["double precision"]
    else:
        assert _select(dialect, connection, [f"toTypeName({float_literal(34.5, dialect)})"]) == ["Float64"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_exp_and_softmax_shares_give_numpy_values_at_the_extremes(dialect, engine):
    """Where exp overflows or underflows, and where a softmax share underflows, every engine gives
    what NumPy gives (inf or 0); PostgreSQL, which raises "value out of range" there, included."""
    from glassbox.export._sql_dialects import dialect as get_dialect

    spell = get_dialect(dialect)
    hi, lo = 709.782712893384, -745.1332191019411
    xs = [0.0, 1.0, -1.0, 700.0, -700.0, hi, np.nextafter(hi, np.inf), lo, np.nextafter(lo, -np.inf), 1000.0, -1000.0,
          5e-324]
    parts = [1.0, 0.5, 5e-324, 1e-323, 1.5e-323, 2e-323, 2.2250738585072014e-308, 1e-310, 0.0]
    totals = [1.0, 1.5, 2.0, 3.0, 2.9999999999999996]
    shares = [(p, t) for p in parts for t in totals]
    expressions = [spell.exp(f"({float_literal(x, dialect)})") for x in xs]
    expressions += [spell.share(float_literal(p, dialect), float_literal(t, dialect)) for p, t in shares]
    if dialect in ("sqlite", "duckdb"):
        import duckdb

        connection = sqlite3.connect(":memory:") if dialect == "sqlite" else duckdb.connect()
        got = list(connection.execute("SELECT " + ", ".join(expressions)).fetchone())
    else:
        got = _select(dialect, engine(dialect), expressions)
    with np.errstate(over="ignore", under="ignore"):
        exps = [np.exp(np.float64(x)) for x in xs]
        quotients = [np.float64(p) / np.float64(t) for p, t in shares]
    # An engine's exp may differ from NumPy's in the last bit; 0 and inf must be exact, and so
    # must every quotient (a division is correctly rounded everywhere).
    np.testing.assert_allclose(np.array(got[:len(xs)], dtype=float), exps, rtol=1e-12, atol=0)
    assert [float(g).hex() for g in got[len(xs):]] == [float(q).hex() for q in quotients]


def _run(model, X, dialect, connection, **load):
    """The query's output over X in ``dialect``'s engine, in X's row order (kept ``row_id``)."""
    table = X.copy()
    table.insert(0, "row_id", np.arange(len(X)))
    sql = model.to_sql("data", dialect=dialect, keep=["row_id"])
    if dialect == "sqlite":
        names, rows = _sqlite_rows(table, sql)
    elif dialect == "duckdb":
        con = duckdb.connect()
        con.register("data", table)
        cursor = con.execute(sql)
        names, rows = [d[0] for d in cursor.description], cursor.fetchall()
    else:
        names, rows = load_and_run(dialect, connection, table, sql, numeric=numeric_features(model), **load)
    return pd.DataFrame(rows, columns=names).set_index("row_id").sort_index()


def _sqlite_rows(table, sql):
    con = sqlite3.connect(":memory:")
    table.to_sql("data", con, index=False)
    cursor = con.execute(sql)
    return [d[0] for d in cursor.description], cursor.fetchall()


def _expected(model, X):
    """predict_proba and predict, or predict, with NumPy's overflow and underflow allowed."""
    with np.errstate(over="ignore", under="ignore"):
        if hasattr(model, "predict_proba"):
            return quiet(model.predict_proba, X), list(quiet(model.predict, X))
        return quiet(model.predict, X)[:, None], None


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", ["gam_clf-binary", "gam_clf-multiclass", "gam_reg-poisson"])
def test_scores_past_exps_range_predict_as_numpy_does(case, dialect, engine):
    """A GAM whose raw scores reach +-2000 (its tables scaled by 300): probabilities of exactly 0
    and 1, Poisson means of inf. PostgreSQL would raise on exp(1000) and on a share underflowing
    to 0; the guarded SQL gives NumPy's values instead."""
    model = copy.deepcopy(fitted(case).model)
    for term in model.terms_:
        term.scores[...] *= 300.0
    model.intercept_ = model.intercept_ * 300.0
    X = fitted(case).X_test
    expected, labels = _expected(model, X)
    assert (expected == 0).any() or np.isinf(expected).any()  # the extremes are reached
    out = _run(model, X, dialect, engine(dialect))
    got = out.iloc[:, :expected.shape[1]].to_numpy(dtype=np.float64)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    if labels is not None:
        assert list(out["prediction"]) == [v.item() if isinstance(v, np.generic) else v for v in labels]


def test_postgres_cuts_long_names_and_the_query_keeps_them_apart(engine):
    """PostgreSQL keeps the first 63 bytes of a name. Output names that would be cut alike are
    numbered; internal names are cut to stay distinct; a long column name is cut the same way in
    the table and in the query, so it is still found."""
    rng = np.random.default_rng(0)
    n = 300
    wide = "名" * 30  # 90 bytes: cut at a character boundary
    X = pd.DataFrame({"x" * 70: rng.normal(size=n), wide: rng.choice(["a", "b", "c"], size=n)})
    labels = np.array(["y" * 59 + str(k) for k in range(3)], dtype=object)
    y = labels[np.digitize(X["x" * 70] + (X[wide] == "a"), [-0.3, 0.6])]
    model = gb.GAMClassifier(outer_bags=1, interactions=0, max_rounds=30, random_state=0).fit(X, y)
    sql = model.to_sql(dialect="postgres")
    assert '"proba_0"' in sql and '"proba_2"' in sql  # "proba_yyy..." would be cut alike
    out = _run(model, X, "postgres", engine("postgres"))
    assert list(out.columns) == ["proba_0", "proba_1", "proba_2", "prediction"]
    expected, predicted = _expected(model, X)
    np.testing.assert_allclose(out.iloc[:, :3].to_numpy(dtype=np.float64), expected, rtol=1e-12, atol=0)
    assert list(out["prediction"]) == predicted
    assert all(f'AS "proba_{label}"' in model.to_sql(dialect="sqlite") for label in labels)  # no cut elsewhere
    with pytest.raises(ValueError, match="more than once .*PostgreSQL reads the first 63 bytes"):
        model.to_sql(dialect="postgres", keep=["k" * 63 + "1", "k" * 63 + "2"])


def test_postgres_strings_hold_backslashes_whatever_standard_conforming_strings_says(engine):
    """A level ending in a backslash would close a '...' literal early where the server reads
    backslash escapes (standard_conforming_strings = off); glassbox writes it as E'...\\\\'."""
    connection = engine("postgres")
    levels = ["a\\", "b\\'", "\\n", "plain"]
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"level": rng.choice(levels, size=200)})
    y = np.isin(X["level"], levels[:2]).astype(int)
    model = gb.RuleListClassifier(max_nodes=50).fit(X, y)
    assert "E'a\\\\'" in model.to_sql(dialect="postgres")
    expected, labels = _expected(model, X)
    for setting in ("on", "off"):
        connection.execute(f"SET standard_conforming_strings = {setting}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # psycopg's notice of a nonstandard setting, if any
                out = _run(model, X, "postgres", connection)
        finally:
            connection.execute("SET standard_conforming_strings = on")
        np.testing.assert_array_equal(out.iloc[:, :2].to_numpy(dtype=np.float64), expected)
        assert list(out["prediction"]) == labels


@pytest.mark.parametrize("dialect", ["postgres", "clickhouse"])
@pytest.mark.parametrize("case", ["gam_clf-binary", "tree_reg-regression"])
def test_nan_stored_in_a_number_column_reads_as_missing(case, dialect, engine):
    """PostgreSQL and ClickHouse store NaN apart from NULL (and order it above every number in
    PostgreSQL); the query reads it as missing, as glassbox does."""
    f = fitted(case)
    assert f.X_test.isna().any().any()
    out = _run(f.model, f.X_test, dialect, engine(dialect), nan=True)
    expected, labels = _expected(f.model, f.X_test)
    got = out.iloc[:, :expected.shape[1]].to_numpy(dtype=np.float64)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    if labels is not None:
        assert list(out["prediction"]) == [v.item() if isinstance(v, np.generic) else v for v in labels]

