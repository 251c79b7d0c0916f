"""``to_sql`` and ``to_python``: the exported code predicts what the model predicts, with no glassbox.

Every model of the zoo (synthetic data with NaN, string / integer / pandas categorical columns and
unseen test levels; the real shared datasets) is exported; the SQL runs in SQLite (stdlib), DuckDB,
PostgreSQL (a throwaway server) and ClickHouse (chDB) over the test rows, joined back by a kept id
column (``tests/sql_engines.py`` loads the rows), and the Python runs in a namespace that can
import nothing but ``math``. Labels must match exactly; so must every number that
involves no ``exp`` (rule lists, trees, additive regression: the same doubles added in the same
order). Through ``exp`` (sigmoid, softmax, Poisson), engines' ``exp`` may differ from NumPy's by an
ulp, so those match to 1e-12 relative (on this machine they too are equal to the bit).
"""

import ast
import builtins
import functools
import math
import sqlite3
import warnings

import numpy as np
import pandas as pd
import pytest

import glassbox as gb
from glassbox.distill import inspected
from glassbox.export._sql import DIALECTS, float_literal
from tests.model_zoo import case_ids, fitted, quiet
from tests.sql_engines import load_and_run, numeric_features

RTOL = 1e-12


# --- running the exported code ---------------------------------------------------------------


def _plain(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _sqlite(X, sql):
    """Run ``sql`` over X in SQLite: numeric columns REAL, categorical ones of their levels' type."""
    con = sqlite3.connect(":memory:")
    columns = []
    for name in X.columns:
        values = [v for v in map(_plain, X[name].astype(object)) if v is not None]
        kind = "REAL" if X[name].dtype.kind in "fiub" else "TEXT" if all(isinstance(v, str) for v in values) \
            else "INTEGER" if all(isinstance(v, int) for v in values) else ""
        columns.append(f'"{name.replace(chr(34), chr(34) * 2)}" {kind}'.strip())
    con.execute(f"CREATE TABLE data ({', '.join(columns)})")
    rows = [tuple(map(_plain, row)) for row in X.astype(object).itertuples(index=False)]
    con.executemany(f"INSERT INTO data VALUES ({', '.join('?' * X.shape[1])})", rows)
    cursor = con.execute(sql)
    return [d[0] for d in cursor.description], cursor.fetchall()


def _duckdb(X, sql):
    """Run ``sql`` over X in DuckDB, loaded from pandas (categories become ENUMs); missing numbers
    are then stored as NaN, which DuckDB, unlike SQLite, keeps apart from NULL."""
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    con.register("frame", X)
    con.execute("CREATE TABLE data AS SELECT * FROM frame")
    for name in X.columns:
        if X[name].dtype.kind == "f":
            quoted = '"' + name.replace('"', '""') + '"'
            con.execute(f"UPDATE data SET {quoted} = CAST('NaN' AS DOUBLE) WHERE {quoted} IS NULL")
    cursor = con.execute(sql)
    return [d[0] for d in cursor.description], cursor.fetchall()


def _run_sql(model, X, dialect, connection=None, **kwargs):
    """The exported query's output over X, as a DataFrame in X's row order (joined on ``row_id``);
    ``connection``: the PostgreSQL or ClickHouse fixture's (``engine(dialect)``)."""
    table = X.copy()
    table.insert(0, "row_id", np.arange(len(X)))
    sql = model.to_sql("data", dialect=dialect, keep=["row_id"], **kwargs)
    if dialect in ("sqlite", "duckdb"):
        names, rows = (_sqlite if dialect == "sqlite" else _duckdb)(table, sql)
    else:
        names, rows = load_and_run(dialect, connection, table, sql, numeric=numeric_features(model))
    out = pd.DataFrame(rows, columns=names).set_index("row_id").sort_index()
    assert list(out.index) == list(range(len(X)))
    return out


class _OnlyMath(dict):
    """Builtins whose ``__import__`` refuses everything but ``math``."""

    def __init__(self):
        super().__init__(vars(builtins))

        def guarded(name, *args, **kwargs):
            if name != "math":
                raise ImportError(f"exported code imported {name!r}")
            return math

        self["__import__"] = guarded


def _exec_python(model, **kwargs):
    source = model.to_python(**kwargs)
    imports = [node for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [ast.unparse(node) for node in imports] == ["import math"]
    namespace = {"__builtins__": _OnlyMath(), "__name__": "exported"}
    exec(compile(source, "<exported>", "exec"), namespace)
    return namespace


def _rows(X):
    """X as the dicts a user passes: Python values, None where missing (pandas.NA kept as is)."""
    return [{k: _plain(v) for k, v in row.items()} for row in X.astype(object).to_dict("records")]


def _assert_close(got, expected, model):
    """Equal to the bit, or to RTOL where ``model`` computes through ``exp``."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape
    inner = inspected(model)
    through_exp = getattr(getattr(inner, "loss_", None), "link", "identity") != "identity"  # exp, sigmoid, softmax
    np.testing.assert_allclose(got, expected, rtol=RTOL if through_exp else 0, atol=0)


def _assert_labels(got, expected):
    assert [_plain(v) for v in got] == [_plain(v) for v in expected]


# --- every model of the zoo --------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", case_ids())
def test_sql_predicts_as_the_model(case, dialect, engine):
    f = fitted(case)
    model, X = f.model, f.X_test
    out = _run_sql(model, X, dialect, engine(dialect))
    if f.is_classifier:
        assert list(out.columns) == [f"proba_{_plain(c)}" for c in model.classes_] + ["prediction"]
        _assert_close(out.iloc[:, :-1], quiet(model.predict_proba, X), model)
        _assert_labels(out["prediction"], quiet(model.predict, X))
    else:
        assert list(out.columns) == ["prediction"]
        _assert_close(out["prediction"], quiet(model.predict, X), model)


@pytest.mark.parametrize("case", case_ids())
def test_python_predicts_as_the_model(case):
    f = fitted(case)
    model, X = f.model, f.X_test
    module = _exec_python(model)
    rows = _rows(X)
    if f.is_classifier:
        _assert_close(module["predict_proba"](rows), quiet(model.predict_proba, X), model)
        _assert_labels(module["predict"](rows), quiet(model.predict, X))
        assert list(module["CLASSES"]) == [_plain(c) for c in model.classes_]
    else:
        _assert_close(module["predict"](rows), quiet(model.predict, X), model)
    assert module["predict_row"](rows[0]) == module["predict"](rows[:1])[0]


# --- awkward names, values and inputs -----------------------------------------------------------


def _awkward_data(n=400):
    rng = np.random.default_rng(3)
    X = pd.DataFrame({
        "phone number": rng.normal(size=n),
        "marital-status": rng.choice(["single", "it's complicated", 'say "hi"', "married"], size=n),
        'odd """name\\': rng.integers(0, 5, size=n).astype(float),
        "select": rng.choice([True, False], size=n).astype(object),
    })
    X.loc[rng.random(n) < 0.1, "phone number"] = np.nan
    y = ((X["phone number"].fillna(0) > 0) ^ (X["marital-status"] == "it's complicated")).astype(int)
    return X, y


_AWKWARD_MODELS = {
    "gam": lambda: gb.GAMClassifier(outer_bags=1, interactions=[("phone number", "marital-status")], random_state=0),
    "tree": lambda: gb.ShallowTreeClassifier(max_depth=2),
    "rules": lambda: gb.RuleListClassifier(max_nodes=200),
}


@functools.lru_cache(maxsize=None)
def _awkward_model(kind):
    X, y = _awkward_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the rule search may stop before proving optimality
        return _AWKWARD_MODELS[kind]().fit(X, y)


# Each export target is a test of its own: an engine that cannot start skips its own tests only.
TARGETS = [*DIALECTS, "python"]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", list(_AWKWARD_MODELS))
def test_names_with_spaces_quotes_and_keywords(kind, target, engine):
    model = _awkward_model(kind)
    test = _awkward_data()[0].iloc[:60].copy()
    test.loc[test.index[:5], "marital-status"] = "widowed"  # unseen
    expected = quiet(model.predict_proba, test)
    if target == "python":
        _assert_close(_exec_python(model)["predict_proba"](_rows(test)), expected, model)
    else:
        _assert_close(_run_sql(model, test, target, engine(target)).iloc[:, :2], expected, model)


@pytest.mark.parametrize("target", TARGETS)
def test_pair_terms_and_grouped_levels_export_exactly(target, engine):
    """A pair on a coarse grid, a categorical feature with grouped rare ("other") levels and one
    with float levels."""
    model, test = _pair_model()
    expected = quiet(model.predict, test)
    if target == "python":
        _assert_close(_exec_python(model)["predict"](_rows(test)), expected, model)
    else:
        _assert_close(_run_sql(model, test, target, engine(target))["prediction"], expected, model)


@functools.lru_cache(maxsize=None)
def _pair_model():
    rng = np.random.default_rng(5)
    n = 800
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.exponential(size=n),
                      "city": rng.choice([f"c{i}" for i in range(12)], size=n),
                      "size": rng.choice([0.5, 1.0, 2.5], size=n)})
    y = X["a"] * X["b"] + (X["city"] < "c3") + X["size"] + rng.normal(size=n) * 0.1
    model = gb.GAMRegressor(max_bins=8, max_interaction_bins=3, interactions=[("a", "b"), ("a", "city")],
                            categorical_features=["city", "size"], outer_bags=1, random_state=0).fit(X, y)
    assert model.binner_.features_[2].other_levels  # the grouping is exercised
    assert model.binner_.features_[3].levels == (0.5, 1.0, 2.5)  # float levels
    test = X.iloc[:200].copy()
    test.loc[test.index[:3], "city"] = "elsewhere"
    test.loc[test.index[3:6], "size"] = 7.0  # an unseen float level
    return model, test


def test_python_reads_missing_values_as_glassbox_does():
    f = fitted("gam_clf-binary")
    module = _exec_python(f.model)
    row = _rows(f.X_test.iloc[:1])[0]
    missing = [{**row, "num": None}, {**row, "num": float("nan")}, {**row, "num": pd.NA},
               {**row, "color": None}, {**row, "color": np.nan}]
    frame = pd.DataFrame([{**row, "num": np.nan}, {**row, "num": np.nan}, {**row, "num": np.nan},
                          {**row, "color": None}, {**row, "color": None}])
    frame["grade"] = pd.Categorical(frame["grade"], categories=[1, 2, 3])
    _assert_close(module["predict_proba"](missing), quiet(f.model.predict_proba, frame), f.model)
    # numbers given as strings or numpy scalars read as glassbox reads them
    same = [{**row, "num": str(row["num"])}, {**row, "num": np.float32(row["num"])}]
    assert module["predict_proba"](same)[0] == module["predict_proba"]([row])[0]


def test_python_refuses_what_glassbox_refuses():
    f = fitted("gam_clf-binary")
    module = _exec_python(f.model)
    row = _rows(f.X_test.iloc[:1])[0]
    with pytest.raises(ValueError, match="infinite"):
        module["predict_row"]({**row, "num": float("inf")})
    with pytest.raises(ValueError, match="infinite"):  # glassbox raises too
        f.model.predict(pd.DataFrame([{**row, "num": np.inf}]).astype(f.X_test.dtypes.to_dict()))
    with pytest.raises(ValueError, match="'num' is numeric"):
        module["predict_row"]({**row, "num": "abc"})
    with pytest.raises(KeyError, match="no feature 'skew'"):
        module["predict_row"]({k: v for k, v in row.items() if k != "skew"})
    with pytest.raises(TypeError, match="'color' got a list"):
        module["predict_row"]({**row, "color": ["red"]})
    with pytest.raises(TypeError, match="one dict"):
        module["predict"](row)


def test_python_accepts_a_dataframe_and_names_its_function():
    f = fitted("tree_clf-binary")
    module = _exec_python(f.model, function_name="score_one")
    assert "predict_row" not in module
    rows = _rows(f.X_test)
    assert module["predict"](pd.DataFrame(rows)) == [module["score_one"](row) for row in rows]
    with pytest.raises(ValueError, match="function_name"):
        f.model.to_python(function_name="predict")
    with pytest.raises(ValueError, match="function_name"):
        f.model.to_python(function_name="not a name")


# --- literals and arguments -----------------------------------------------------------------------


def test_float_literals_read_back_exactly():
    """Every engine must read the very double: SQLite 3.40's reader misses some 17-digit decimals
    by one ulp, so those go out as exact ratios; DuckDB needs scientific notation (not DECIMAL)."""
    duckdb = pytest.importorskip("duckdb")
    rng = np.random.default_rng(0)
    values = np.concatenate([
        rng.normal(size=3000) * 10.0 ** rng.integers(-30, 30, 3000),
        rng.uniform(1, 10, 500) * 10.0 ** rng.integers(-300, 300, 500),
        [0.0, -0.0, 34.5, 0.1, 1e22, 2.0 ** 70, 5e-324, 1.7976931348623157e308, -2.5, 1e-5],
    ])
    values = [float(v) for v in values if np.isfinite(v)]
    con_sqlite, con_duck = sqlite3.connect(":memory:"), duckdb.connect()
    for start in range(0, len(values), 400):
        chunk = values[start:start + 400]
        lite = con_sqlite.execute("SELECT " + ", ".join(float_literal(v, "sqlite") for v in chunk)).fetchone()
        duck = con_duck.execute("SELECT " + ", ".join(float_literal(v, "duckdb") for v in chunk)).fetchone()
        for v, a, b in zip(chunk, lite, duck):
            assert (float(a).hex(), float(b).hex()) == (v.hex(), v.hex()), (v, a, b)
    # plain decimals where they are exact, so a threshold reads as written
    assert float_literal(34.5, "sqlite") == "34.5"
    assert float_literal(34.5, "duckdb") == "34.5e0"
    assert con_duck.execute(f"SELECT typeof({float_literal(34.5, 'duckdb')})").fetchone()[0] == "DOUBLE"


def test_sql_arguments_are_checked():
    f = fitted("rules_reg-regression")
    with pytest.raises(ValueError, match="dialect must be one of \\['sqlite', 'duckdb', 'postgres', 'clickhouse'\\]"):
        f.model.to_sql(dialect="oracle")
    assert f.model.to_sql(dialect="postgresql") == f.model.to_sql(dialect="postgres")  # the alias
    with pytest.raises(ValueError, match="outputs itself"):
        f.model.to_sql(keep=["Prediction"])
    with pytest.raises(ValueError, match="more than once"):
        f.model.to_sql(keep=["id", "ID"])
    with pytest.raises(ValueError, match="table must be"):
        f.model.to_sql(table="")
    sql = f.model.to_sql(table=("main", "my table"))
    assert 'FROM "main"."my table"' in sql
    # Quoted names keep their case in PostgreSQL and ClickHouse: "id" and "ID" are two columns there.
    for dialect in ("postgres", "clickhouse"):
        assert '"glassbox_data"."ID" AS "ID"' in f.model.to_sql(keep=["id", "ID"], dialect=dialect)
    assert 'FROM "my\\\\table" AS' in f.model.to_sql(table="my\\table", dialect="clickhouse")  # an escape there
    assert 'FROM "my\\table" AS' in f.model.to_sql(table="my\\table", dialect="postgres")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_class_names_that_differ_only_in_case_get_numbered_columns(dialect, engine):
    X = pd.DataFrame({"x": np.arange(60.0)})
    y = np.where(X["x"] < 30, "A", "a")
    model = gb.ShallowTreeClassifier(max_depth=1).fit(X, y)
    out = _run_sql(model, X, dialect, engine(dialect))
    if dialect in ("sqlite", "duckdb"):
        assert list(out.columns) == ["proba_0", "proba_1", "prediction"]
        assert "proba_0 is 'A', proba_1 is 'a'" in model.to_sql(dialect=dialect)
    else:  # quoted names keep their case in PostgreSQL and ClickHouse
        assert list(out.columns) == ["proba_A", "proba_a", "prediction"]
    _assert_labels(out["prediction"], model.predict(X))


def test_unfitted_model_and_exports_hold_no_glassbox():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        gb.GAMClassifier().to_sql()
    with pytest.raises(NotFittedError):
        gb.DistilledRegressor(None, gb.ShallowTreeRegressor()).to_python()
    f = fitted("distilled_clf-binary")
    source = f.model.to_python()
    assert "import glassbox" not in source and "from glassbox" not in source
    assert "the student of a DistilledClassifier" in source


# --- the plan's tests and ladders against the binning itself ------------------------------------


def _binned_probe():
    """A fitted Binner and probe values: every threshold, its neighbours, NaN; every level, the
    grouped rare levels, unseen values, None."""
    from glassbox.binning import Binner

    rng = np.random.default_rng(7)
    n = 600
    X = pd.DataFrame({"x": np.round(rng.normal(size=n), 2),
                      "c": rng.choice([f"l{i}" for i in range(9)], size=n,
                                      p=[0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.05, 0.03, 0.02])})
    X.loc[:20, "x"] = np.nan
    binner = Binner(max_bins=6).fit(X)
    t = binner.features_[0].thresholds
    x = np.concatenate([t, np.nextafter(t, -np.inf), np.nextafter(t, np.inf), [np.nan, -1e300, 1e300]])
    c = np.array([f"l{i}" for i in range(9)] + ["unseen", None], dtype=object)
    probe = pd.DataFrame({"x": x, "c": np.resize(c, len(x))})  # len(x) > len(c): every level appears
    return binner, probe, quiet(binner.transform, probe)


def _evaluate(plan, feature, render_case, probe, dialect, connection):
    """Each probe row's result of a CASE rendered by the Python and by the SQL writer for ``dialect``
    (run in its engine, over the probe loaded with a ``row_id``)."""
    from glassbox.export import _python, _sql

    py = _python._Writer(plan, "predict_row")
    lines = ["def f(row):"] + py._reads() + ["    return " + render_case(py, "python")]
    namespace = {}
    helpers = [_python._VALUE, _python._MISSING, _python._NUMBER, _python._LEVEL]
    exec(compile("\n\n".join(["import math", "\n".join(lines)] + helpers), "<probe>", "exec"), namespace)
    python = [namespace["f"](row) for row in _rows(probe)]
    sq = _sql._Writer(plan, _sql.get_dialect(dialect), "data", [])
    inputs = sq._input(feature)  # reads the table's columns, qualified by its alias
    sq.source = sq.quote("glassbox_inputs")  # the tests read the inputs' columns
    query = (f"SELECT {render_case(sq, 'sql')} FROM (SELECT \"glassbox_data\".\"row_id\" AS \"row_id\", {inputs} "
             "FROM data AS \"glassbox_data\") AS \"glassbox_inputs\" ORDER BY \"glassbox_inputs\".\"row_id\" "
             f"{sq.engine.settings}")
    table = probe.assign(row_id=np.arange(len(probe)))
    if dialect in ("sqlite", "duckdb"):
        _, rows = (_sqlite if dialect == "sqlite" else _duckdb)(table, query)
    else:
        _, rows = load_and_run(dialect, connection, table, query)
    return python, [r[0] for r in rows]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("feature", [0, 1], ids=["continuous", "categorical"])
def test_plan_tests_and_ladders_reproduce_the_bin_codes(feature, dialect, engine):
    """Every test and ladder of the plan, spelled by each writer, passes exactly the values whose
    bin code it names: thresholds and their neighbours, NaN and NULL, every level, the grouped
    rare ones, unseen ones. ClickHouse runs with ``transform_null_in = 1``, under which
    ``NULL NOT IN (...)`` would be true: its queries pin the setting back."""
    connection = engine(dialect)
    if dialect == "clickhouse":
        connection.query("SET transform_null_in = 1")
    try:
        _check_plan_tests_and_ladders(feature, dialect, connection)
    finally:
        if dialect == "clickhouse":
            connection.query("SET transform_null_in = 0")


def _check_plan_tests_and_ladders(feature, dialect, connection):
    from glassbox.export._codegen import Plan, codes_test, ladder

    binner, probe, codes = _binned_probe()
    bins = binner.features_[feature]
    plan = Plan("probe", "0", tuple(binner.features_), (feature,), None, None)
    codes = codes[:, feature]
    rng = np.random.default_rng(feature)
    valid = bins.n_codes if bins.is_categorical else bins.n_codes - 1  # continuous: never unseen
    for _ in range(12):
        chosen = set(np.flatnonzero(rng.random(valid) < 0.5).tolist())
        test = codes_test(feature, bins, chosen)

        def render(writer, language, test=test):
            if language == "python":
                return f"1 if {writer.test(test)} else 0"
            return f"CASE WHEN {writer.test(test)} THEN 1 ELSE 0 END"

        expected = [int(c in chosen) for c in codes]
        assert _evaluate(plan, feature, render, probe, dialect, connection) == (expected, expected)
    for _ in range(6):
        values = [(float(v),) for v in rng.integers(0, 3, bins.n_codes)]  # runs of equal values
        branches, default = ladder(feature, bins, values)

        def render(writer, language, branches=branches, default=default):
            if language == "python":
                out = repr(default[0])
                for test, value in reversed(branches):
                    out = f"({value[0]!r} if {writer.test(test)} else {out})"
                return out
            whens = " ".join(f"WHEN {writer.test(t)} THEN {v[0]!r}" for t, v in branches)
            return f"CASE {whens} ELSE {default[0]!r} END" if branches else repr(default[0])

        expected = [values[c][0] for c in codes]
        assert _evaluate(plan, feature, render, probe, dialect, connection) == (expected, expected)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("estimator", [
    gb.RuleListRegressor(max_nodes=5), gb.ShallowTreeClassifier(max_depth=1), gb.RuleListClassifier(max_nodes=5),
], ids=["rules-reg", "tree", "rules"])
def test_a_model_that_reads_no_column_exports_a_valid_query(estimator, target, engine):
    # A constant feature gives nothing to split on: the model is its default rule or root alone,
    # and the SQL must still select one row per input row (SQL has no empty SELECT list).
    X = pd.DataFrame({"constant": np.full(30, 2.5), "select": ["a"] * 30})
    y = np.r_[np.zeros(15), np.ones(15)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nothing to split on
        model = estimator.fit(X, y)
    assert inspected(model).n_features_in_ == 2
    expected = model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)[:, None]
    if target != "python":
        out = _run_sql(model, X, target, engine(target))
        assert len(out) == len(X)
        _assert_close(out.iloc[:, : expected.shape[1]], expected, model)
        assert "Reads no column" in model.to_sql(dialect=target)
        return
    module = _exec_python(model)
    assert "Reads no feature" in model.to_python()
    got = module["predict_proba"](_rows(X)) if hasattr(model, "predict_proba") else module["predict"](_rows(X))
    _assert_close(np.asarray(got).reshape(expected.shape), expected, model)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("estimator", [
    gb.GAMClassifier(outer_bags=1, random_state=0), gb.ShallowTreeClassifier(max_depth=2),
    gb.RuleListClassifier(max_nodes=50, criterion="misclassification"),  # a list that tests the level 7
], ids=["gam", "tree", "rules"])
def test_levels_mixing_strings_and_numbers_export_to_every_engine(estimator, dialect, engine):
    # SQLite keeps each value's type; DuckDB reads such a pandas column as text (Python's str), and
    # a PostgreSQL or ClickHouse column holds one type too (tests/sql_engines.py loads it as text
    # alike), so their queries compare the levels as text.
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 4, 300)
    X = pd.DataFrame({"code": pd.Series(np.asarray(["a", 7, "b", 2.5], dtype=object)[codes], dtype=object),
                      "x": rng.normal(size=300)})
    y = np.where(np.isin(codes, [1, 3]) ^ (rng.random(300) < 0.1), "yes", "no")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = estimator.fit(X, y)
    test = pd.concat([X.iloc[:40], pd.DataFrame({"code": pd.Series(["7", None, 8], dtype=object),
                                                 "x": [0.0, 1.0, 2.0]})], ignore_index=True)
    expected = quiet(model.predict_proba, test)
    sql = model.to_sql(dialect=dialect)
    got = _run_sql(model, test, dialect, engine(dialect)).iloc[:, :2]
    if dialect == "sqlite":
        assert "compared as text" not in sql and "'7'" not in sql
        _assert_close(got, expected, model)
    else:
        assert "compared as text" in sql and "'7'" in sql  # the level 7 is tested
        # The string "7" is an unseen level to glassbox and SQLite; a text column cannot tell it from 7.
        _assert_close(got.drop(index=40), np.delete(expected, 40, axis=0), model)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "clickhouse"])
def test_levels_that_differ_only_in_type_are_refused_where_a_column_holds_one_type(dialect):
    X = pd.DataFrame({"code": pd.Series([7, "7", "a", 7, "7", "a"] * 10, dtype=object)})
    y = np.tile([0, 1, 0, 0, 1, 1], 10)
    model = gb.ShallowTreeClassifier(max_depth=1).fit(X, y)
    model.to_sql()  # SQLite keeps 7 and '7' apart
    with pytest.raises(ValueError, match=r"differ only in type \(as text: \['7'\]\).*Export for SQLite"):
        model.to_sql(dialect=dialect)
