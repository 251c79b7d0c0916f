"""Rule-list candidates scored from contingency tables (``glassbox/rules/_tables.py``,
``glassbox/_ext/_rule_tables.pyx``) against row-by-row sums and exhaustive enumeration."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassbox import RuleListClassifier, RuleListRegressor
from glassbox.rules import _tables
from glassbox.rules._antecedents import mine_antecedents, rows_to_bits
from glassbox.rules._search import Problem, search
from glassbox.rules._tables import plan_tables
from tests import twins
from tests.test_rulelist_search import _exhaustive


def _frame(rng, n):
    """Continuous columns (one with NaN, one with few values) and a categorical one."""
    X = pd.DataFrame({
        "a": rng.normal(size=n),
        "b": rng.integers(0, 5, n).astype(float),
        "c": pd.Categorical(rng.choice(list("pqrs"), n)),
        "d": rng.uniform(size=n),
    })
    X.loc[rng.random(n) < 0.15, "a"] = np.nan
    return X


def _mined(seed, n=300, max_card=3, max_thresholds=6):
    rng = np.random.default_rng(seed)
    X = _frame(rng, n)
    binned = RuleListClassifier()._fit_bins(X)
    ants = mine_antecedents(binned, np.ones(n), max_card=max_card, min_support=0.01,
                            max_thresholds=max_thresholds, n_threads=1)
    return rng, X, binned, ants


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("cap", [None, 16])
def test_tables_give_the_summed_statistics(seed, cap, monkeypatch):
    """Every antecedent's statistics within random masks equal the sums over its rows, whether
    a table, or (triples, pairs over the cell cap) the row sums give them."""
    if cap is not None:
        monkeypatch.setattr(_tables, "MAX_TABLE_CELLS", cap)
    rng, X, binned, ants = _mined(seed)
    n_stats = int(rng.integers(1, 6))
    values = rng.normal(size=(len(X), n_stats))
    plan = plan_tables(ants.conditions, ants.bits, binned.codes, n_stats)
    n_members = (ants.conditions.members >= 0).sum(axis=1)
    n_pairs, n_triples = int((n_members == 2).sum()), int((n_members == 3).sum())
    assert n_pairs > 0 and n_triples > 0
    assert plan.n_tabled <= len(ants.bits) - n_triples
    pair_tables = plan.table_spec[:, 2] > 0
    if cap is None:
        assert plan.n_tabled > ants.n_single  # pairs come from tables too
    else:
        assert (plan.table_spec[pair_tables, 4] <= cap).all()
        assert plan.n_tabled < ants.n_single + n_pairs  # some pairs are over the cap
    tables = plan.tables(values)
    for mask in [np.ones(len(X), dtype=bool), rng.random(len(X)) < 0.5, rng.random(len(X)) < 0.05,
                 np.zeros(len(X), dtype=bool)]:
        bits_mask = rows_to_bits(mask)
        out = np.empty((len(ants.bits), n_stats))
        tables.fill(ants.bits, bits_mask, out, int(rng.integers(1, 3)))
        np.testing.assert_allclose(out, twins.masked_sums_naive(ants.bits, bits_mask, values), rtol=1e-12,
                                   atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 120), st.lists(st.sampled_from(["normal", "few", "constant", "nan", "mostly nan", "levels"]),
                                     min_size=1, max_size=4),
       st.integers(1, 3), st.integers(1, 9), st.floats(0.0, 0.3), st.integers(0, 2**32 - 1))
def test_any_table_plan_gives_the_summed_statistics(n, kinds, max_card, max_thresholds, min_support, seed):
    """On generated tables (constant, all-missing and categorical columns, a single row), every
    antecedent's statistics from the plan equal the row sums, whatever is tabled."""
    rng = np.random.default_rng(seed)
    columns = {}
    for j, kind in enumerate(kinds):
        values = {"normal": rng.normal(size=n), "few": rng.integers(0, 3, n).astype(float),
                  "constant": np.ones(n), "nan": np.full(n, np.nan),
                  "mostly nan": np.where(rng.random(n) < 0.8, np.nan, rng.normal(size=n)),
                  "levels": None}[kind]
        columns[f"x{j}"] = pd.Categorical(rng.choice(list("abcde"), n)) if kind == "levels" else values
    X = pd.DataFrame(columns)
    binned = RuleListClassifier()._fit_bins(X)
    w = rng.uniform(0.5, 2.0, n)
    ants = mine_antecedents(binned, w, max_card=max_card, min_support=min_support, max_thresholds=max_thresholds,
                            n_threads=1)
    values = rng.normal(size=(n, 3))
    plan = plan_tables(ants.conditions, ants.bits, binned.codes, 3)
    mask = rows_to_bits(rng.random(n) < 0.6)
    out = np.empty((len(ants.bits), 3))
    plan.tables(values).fill(ants.bits, mask, out, 1)
    expected = twins.masked_sums_naive(ants.bits, mask, values).reshape(len(ants.bits), 3)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_tables_only_where_they_repay():
    """A feature of two levels gives two conditions covering each row once: a table would visit
    as many rows as they do, so they are summed; cuts on a continuous feature cover each row
    several times, so they get a table."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"flag": rng.integers(0, 2, 200).astype(float), "x": rng.normal(size=200)})
    binned = RuleListClassifier()._fit_bins(X)
    ants = mine_antecedents(binned, np.ones(200), max_card=1, min_support=0.01, max_thresholds=8, n_threads=1)
    plan = plan_tables(ants.conditions, ants.bits, binned.codes, 4)
    on_flag = np.array([cond.feature == 0 for (cond,) in ants.conditions])
    assert (plan.ant_table[on_flag] == -1).all()
    assert (plan.ant_table[~on_flag] >= 0).all()


def _search_pair(seed, classification):
    """One small problem, built with tables and without (conditions not given)."""
    rng = np.random.default_rng(100 + seed)
    n = 70
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.uniform(size=n), "c": rng.integers(0, 3, n).astype(float)})
    X.loc[rng.random(n) < 0.1, "b"] = np.nan
    signal = (X["a"] > 0.3).to_numpy() & (X["c"] != 1).to_numpy()
    w = rng.uniform(0.5, 3.0, n)  # many distinct weights: classification sums rows too
    if classification:
        y = np.where(rng.random(n) < 0.8, signal, rng.integers(0, 2, n)).astype(np.intp)
    else:
        y = 2.0 * signal + rng.normal(0, 0.7, n)
        y = (y - np.average(y, weights=w)) / np.sqrt(np.average((y - np.average(y, weights=w)) ** 2, weights=w))
    binned = RuleListClassifier()._fit_bins(X)
    ants = mine_antecedents(binned, w / w.mean(), max_card=2, min_support=0.03, max_thresholds=3, n_threads=1)
    kwargs = dict(classification=classification, n_classes=2 if classification else 0, nested=ants.nested)
    with_tables = Problem(ants.bits, ants.n_single, y, w, conditions=ants.conditions, codes=binned.codes, **kwargs)
    rows = Problem(ants.bits, ants.n_single, y, w, **kwargs)
    return with_tables, rows, ants, y, w


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("classification", [False, True])
def test_search_from_tables_reaches_the_exhaustive_optimum(seed, classification):
    from glassbox._ext import _rulelist
    from glassbox.rules._antecedents import bits_to_rows

    with_tables, rows, ants, y, w = _search_pair(seed, classification)
    assert with_tables.plan is not None and with_tables.plan.n_tabled > ants.n_single  # pairs from tables
    assert rows.plan is None
    c = 0.02
    masks = list(bits_to_rows(ants.bits, len(y)))
    expected = _exhaustive(masks, y, w, c, classification, 2, 2)
    for problem in (with_tables, rows):
        for bounds in (_rulelist.BOUND_ALL, 0):
            result = search(problem, c=c, max_rules=2, max_nodes=10**6, time_limit=None, beam_width=2, bounds=bounds)
            assert result.optimal
            assert result.objective == pytest.approx(expected, abs=1e-9)
    # The sums the moves of the polish read agree as well.
    mask = rows_to_bits(np.random.default_rng(seed).random(len(y)) < 0.6)
    np.testing.assert_allclose(with_tables.sums(mask), rows.sums(mask), rtol=1e-12, atol=1e-12)


def test_estimators_choose_tables_where_rows_are_summed():
    """Numeric targets and weights of many values take the tables; unweighted classification
    keeps its popcounts."""
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(2000, 5)), columns=list("abcde"))
    y = (X["a"] + X["b"] * X["c"] > 0).astype(int).to_numpy()
    regressor = RuleListRegressor()
    problem = regressor._prepare(X, X["a"] * 2.0 + X["d"], None, False)[2]
    assert problem.plan is not None and problem.groups is None
    classifier = RuleListClassifier()
    problem = classifier._prepare(X, y, None, True)[2]
    assert problem.plan is None and problem.groups is not None
    problem = classifier._prepare(X, y, rng.uniform(0.5, 1.5, len(y)), True)[2]
    assert problem.plan is not None and problem.groups is None


def test_malformed_tables_are_refused():
    rng, X, binned, ants = _mined(0, max_card=2)
    plan = plan_tables(ants.conditions, ants.bits, binned.codes, 2)
    values = np.ones((len(X), 2))
    from glassbox._ext._rule_tables import CandidateTables

    def build(**change):
        parts = dict(atoms=plan.atoms, values=values, table_spec=plan.table_spec, ant_table=plan.ant_table,
                     cell_start=plan.cell_start, cells=plan.cells, n_cells=plan.n_cells)
        parts.update(change)
        return CandidateTables(*parts.values())

    build()
    cells = plan.cells.copy()
    cells[0] = plan.table_spec[plan.ant_table[0], 4]  # one past its table
    with pytest.raises(ValueError, match="outside its table"):
        build(cells=cells)
    with pytest.raises(ValueError, match="values for"):
        build(values=values[1:])
    spec = plan.table_spec.copy()
    spec[-1, 4] = 1  # a pair table too small for its rows' cells
    with pytest.raises(ValueError, match="falls outside"):
        build(table_spec=spec)
    ant_table = plan.ant_table.copy()
    ant_table[0] = len(spec)
    with pytest.raises(ValueError, match="is scored by table"):
        build(ant_table=ant_table)
