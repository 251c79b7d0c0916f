"""Scoring and explaining Dask collections (issue 18): lazy, partition by partition, and equal to
the in-memory results bit for bit, for every family; refusals where a family needs memory.

The Dask data has an empty partition, a partition with a level never seen in fit and one whose
numeric column is all missing. Scores are compared with the in-memory scores of the same rows as
pandas holds them; explanation frames with the in-memory explanation of the computed collection
(Dask keeps strings as pyarrow strings, whose missing value a frame then shows as such).
"""

import pickle

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster
from sklearn.exceptions import NotFittedError

import glassbox
from glassbox import (
    DistilledClassifier,
    DistilledRegressor,
    GAMClassifier,
    GAMRegressor,
    RuleListClassifier,
    RuleListRegressor,
    ShallowTreeClassifier,
    ShallowTreeRegressor,
)
from glassbox.explain import DaskLocalExplanation

FEATURES = ["a", "b", "c", "d", "e"]
SCORING = ("predict", "predict_proba", "decision_function", "predict_raw", "apply", "eval_terms")


def _table(n, seed, levels=("x", "y", "z")):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "a": rng.normal(size=n),
        "b": rng.choice(list(levels), n),
        "c": rng.integers(0, 6, n).astype(float),
        "d": rng.uniform(-1, 1, n),
        "e": pd.Categorical(rng.choice(["lo", "mid", "hi"], n), categories=["lo", "mid", "hi"]),
    })
    X.loc[rng.random(n) < 0.1, "a"] = np.nan
    X.loc[rng.random(n) < 0.1, "b"] = np.nan
    signal = X["a"].fillna(0) + (X["b"] == "x") + 0.5 * X["d"] + (X["e"] == "hi")
    targets = pd.DataFrame({
        "binary": np.where(signal + rng.normal(0, 0.3, n) > 0.6, "yes", "no"),
        "multi": np.digitize(signal + X["c"] / 6, [0.5, 1.2]),
        "reg": signal + X["c"] + rng.normal(0, 0.1, n),
    })
    return X, targets


@pytest.fixture(scope="module")
def train():
    return _table(400, 0)


@pytest.fixture(scope="module")
def parts():
    """``(X parts, target parts)``: in-memory pieces of the scored rows, indexed from 1000."""
    X, targets = _table(240, 1, levels=("x", "y", "z", "w"))  # "w": a level never seen in fit
    X.loc[X["b"] == "w", "b"] = "x"
    X.index = targets.index = pd.RangeIndex(1000, 1240)
    X.loc[1150:1159, "b"] = "w"
    X.loc[1160:1239, "d"] = np.nan
    cuts = [(0, 100), (100, 100), (100, 160), (160, 240)]  # the second is empty
    return [X.iloc[a:b] for a, b in cuts], [targets.iloc[a:b] for a, b in cuts]


def _dask_frame(pieces):
    return dd.from_delayed([dask.delayed(p) for p in pieces], meta=pieces[0].iloc[:0])


@pytest.fixture(scope="module")
def data(parts):
    """``(X, dask X, dask targets)``."""
    X_parts, target_parts = parts
    return pd.concat(X_parts), _dask_frame(X_parts), _dask_frame(target_parts)


def _small(cls):
    if cls in (GAMClassifier, GAMRegressor):
        return cls(outer_bags=2, max_rounds=40, interactions=1, random_state=0)
    if cls in (RuleListClassifier, RuleListRegressor):
        return cls(max_card=1, max_thresholds=4, random_state=0)
    return cls(max_depth=2, max_bins=16, random_state=0)


@pytest.fixture(scope="module")
def models(train):
    X, targets = train
    fitted = {}
    for family, (clf, reg) in {"gam": (GAMClassifier, GAMRegressor), "rules": (RuleListClassifier, RuleListRegressor),
                               "tree": (ShallowTreeClassifier, ShallowTreeRegressor)}.items():
        fitted[f"{family}-binary"] = (_small(clf).fit(X, targets["binary"]), "binary")
        fitted[f"{family}-multi"] = (_small(clf).fit(X, targets["multi"]), "multi")
        fitted[f"{family}-reg"] = (_small(reg).fit(X, targets["reg"]), "reg")
    fitted["distilled-clf"] = (DistilledClassifier(fitted["gam-binary"][0], _small(ShallowTreeClassifier),
                                                   random_state=0).fit(X), "binary")
    fitted["distilled-reg"] = (DistilledRegressor(fitted["gam-reg"][0], _small(RuleListRegressor),
                                                  random_state=0).fit(X), "reg")
    return fitted


MODELS = ["gam-binary", "gam-multi", "gam-reg", "rules-binary", "rules-multi", "rules-reg", "tree-binary",
          "tree-multi", "tree-reg", "distilled-clf", "distilled-reg"]


def _methods(model):
    return [m for m in SCORING if hasattr(model, m)]


@pytest.mark.filterwarnings("ignore::glassbox.binning.UnseenCategoryWarning")
@pytest.mark.parametrize("name", MODELS)
def test_scores_on_a_dask_frame_are_the_in_memory_scores(models, data, name):
    model, _ = models[name]
    X, dX, _ = data
    for method in _methods(model):
        lazy = getattr(model, method)(dX)
        assert isinstance(lazy, da.Array), method
        result = lazy.compute()
        expected = getattr(model, method)(X)
        np.testing.assert_array_equal(result, expected, err_msg=method)
        assert (lazy.dtype, lazy.ndim, lazy.shape[1:]) == (result.dtype, result.ndim, result.shape[1:]), method
        assert lazy.numblocks[0] == dX.npartitions


@pytest.mark.filterwarnings("ignore::glassbox.binning.UnseenCategoryWarning")
@pytest.mark.parametrize("name", MODELS)
def test_local_explanation_frames_on_a_dask_frame_are_the_in_memory_frames(models, data, name):
    model, target = models[name]
    _, dX, dy = data
    for y in (None, dy[target]):
        explanation = model.explain_local(dX, y)
        assert isinstance(explanation, DaskLocalExplanation)
        lazy = explanation.to_frame()
        assert isinstance(lazy, dd.DataFrame)
        result = lazy.compute()
        in_memory = model.explain_local(dX.compute(), None if y is None else y.compute()).to_frame()
        pd.testing.assert_frame_equal(result, in_memory)
        pd.testing.assert_index_equal(lazy.columns, result.columns)
        pd.testing.assert_series_equal(lazy.dtypes, result.dtypes)
        assert result.index.equals(dX.compute().index)


@pytest.fixture(scope="module")
def array_models(train):
    """One model per family fitted on a NumPy array of objects (numbers, strings and NaN)."""
    X, targets = train
    values = X.astype(object).to_numpy()
    return {"gam": _small(GAMClassifier).fit(values, targets["multi"]),
            "rules": _small(RuleListClassifier).fit(values, targets["binary"]),
            "tree": _small(ShallowTreeRegressor).fit(values, targets["reg"])}


@pytest.mark.filterwarnings("ignore::glassbox.binning.UnseenCategoryWarning")
@pytest.mark.parametrize("family", ["gam", "rules", "tree"])
def test_a_dask_array_is_scored_and_explained_block_by_block(array_models, data, family):
    model = array_models[family]
    X = data[0].astype(object).to_numpy()
    dX = da.from_array(X, chunks=((100, 0, 60, 80), (2, 3)))  # columns in two blocks, one empty row block
    for method in _methods(model):
        lazy = getattr(model, method)(dX)
        assert lazy.chunks[0] == (100, 0, 60, 80), method
        result = lazy.compute()
        np.testing.assert_array_equal(result, getattr(model, method)(X), err_msg=method)
        assert (lazy.dtype, lazy.shape) == (result.dtype, result.shape), method
    lazy = model.explain_local(dX, da.from_array(np.arange(240.0), chunks=((100, 0, 60, 80),))).to_frame()
    expected = model.explain_local(X, np.arange(240.0)).to_frame()
    pd.testing.assert_frame_equal(lazy.compute(), expected)  # indexed 0..239 by position, as in memory
    pd.testing.assert_series_equal(lazy.dtypes, expected.dtypes)


def _exploding_frame(like):
    def explode():
        raise RuntimeError("a partition was computed")

    return dd.from_delayed([dask.delayed(explode)()], meta=like.iloc[:0])


@pytest.mark.parametrize("name", ["gam-multi", "rules-binary", "tree-reg", "distilled-clf"])
def test_nothing_is_computed_until_the_result_is(models, data, name):
    model, _ = models[name]
    lazy_X = _exploding_frame(data[0])
    results = [getattr(model, m)(lazy_X) for m in _methods(model)] + [model.explain_local(lazy_X).to_frame()]
    for result in results:
        with pytest.raises(RuntimeError, match="a partition was computed"):
            result.compute()


@pytest.mark.parametrize("name", ["gam-binary", "rules-multi", "tree-reg"])
def test_wrong_columns_fail_at_call_time_with_the_in_memory_message(models, data, name):
    model, _ = models[name]
    X, dX, _ = data
    for columns in (["b", "a", "c", "d", "e"], ["a", "b", "c", "d"]):
        with pytest.raises(ValueError) as in_memory:
            model.predict(X[columns])
        for call in (model.predict, lambda Z: model.explain_local(Z)):
            with pytest.raises(ValueError) as on_dask:
                call(dX[columns])
            assert str(on_dask.value) == str(in_memory.value)
    renamed = dX.rename(columns={"d": "dd"})
    with pytest.raises(ValueError, match="dd"):
        model.predict(renamed)


def test_inputs_that_are_not_tables_are_refused(models, data):
    model, _ = models["gam-binary"]
    dX = data[1]
    with pytest.raises(ValueError, match="1-D"):
        model.predict(da.zeros(10))
    with pytest.raises(ValueError, match="3-D"):
        model.predict(da.zeros((4, 5, 2)))
    with pytest.raises(ValueError, match="Dask Series; use X.to_frame"):
        model.predict(dX["a"])
    with pytest.raises(NotFittedError):
        GAMClassifier().predict(dX)


@pytest.mark.filterwarnings("ignore::glassbox.binning.UnseenCategoryWarning")
def test_explain_local_needs_y_partitioned_like_x(models, data):
    model, _ = models["rules-binary"]
    _, dX, dy = data
    with pytest.raises(TypeError, match="y as a Dask Series"):
        model.explain_local(dX, dy["binary"].compute())
    with pytest.raises(ValueError, match="X has 4 partitions but y has 2"):
        model.explain_local(dX, dy["binary"].repartition(npartitions=2))
    with pytest.raises(ValueError, match="for labels, pass a Dask Series"):
        model.explain_local(dX, da.from_array(np.array(["no"] * 240, dtype=object), chunks=60))
    shifted = dd.from_delayed([dask.delayed(p) for p in (dy["binary"].partitions[i].compute() for i in (1, 0, 2, 3))],
                              meta=dy["binary"]._meta)
    with pytest.raises(ValueError, match="X has 100 rows but y has 0"):
        model.explain_local(dX, shifted).to_frame().compute()


def test_the_lazy_explanation_sends_per_row_views_to_an_in_memory_slice(models, data):
    model, _ = models["tree-binary"]
    explanation = model.explain_local(data[1])
    for call in (lambda: explanation.data(0), lambda: explanation.visualize(0), lambda: explanation.to_text(),
                 lambda: explanation.plot(0), lambda: explanation.selector):
        with pytest.raises(TypeError, match=r"to_frame\(\).*explain_local\(X.head\(100\)\)"):
            call()
    assert "lazy" in repr(explanation)


@pytest.mark.parametrize("cls", [RuleListClassifier, RuleListRegressor, ShallowTreeClassifier,
                                 ShallowTreeRegressor])
def test_rule_lists_and_trees_refuse_to_fit_on_dask(cls, data):
    _, dX, dy = data
    X, y = dX.compute(), dy["binary" if cls in (RuleListClassifier, ShallowTreeClassifier) else "reg"].compute()
    weight = dd.from_pandas(pd.Series(np.ones(len(X))), npartitions=2)
    family = "rule lists" if cls in (RuleListClassifier, RuleListRegressor) else "shallow trees"
    for args, named in [((dX, y), "X"), ((X, dd.from_pandas(y, npartitions=2)), "y"),
                        ((X, y, weight), "sample_weight")]:
        with pytest.raises(TypeError, match=rf"\({named}\), but {family} are fitted in memory") as err:
            cls().fit(*args)
        assert "sample(frac=" in str(err.value) and "distil" in str(err.value)


def test_in_memory_only_methods_refuse_dask_instead_of_computing_it(models, data):
    from glassbox.explain import to_scorecard

    model, _ = models["gam-binary"]
    with pytest.raises(TypeError, match="needs its data in memory but got a Dask DataFrame"):
        to_scorecard(model).score(_exploding_frame(data[0]))


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client


@pytest.mark.filterwarnings("ignore::glassbox.binning.UnseenCategoryWarning")
def test_worker_processes_score_and_explain_as_in_memory(models, data, client):
    X, dX, dy = data
    # The workers unpickle the models: they must import this glassbox, not another install.
    assert client.submit(lambda: __import__("glassbox").__file__).result() == glassbox.__file__
    gam, rules, tree = models["gam-multi"][0], models["rules-binary"][0], models["tree-reg"][0]
    np.testing.assert_array_equal(client.compute(gam.predict_proba(dX)).result(), gam.predict_proba(X))
    np.testing.assert_array_equal(client.compute(rules.predict(dX)).result(), rules.predict(X))
    frame = client.compute(tree.explain_local(dX, dy["reg"]).to_frame()).result()
    pd.testing.assert_frame_equal(frame, tree.explain_local(dX.compute(), dy["reg"].compute()).to_frame())


def test_the_model_is_one_key_of_the_graph_not_a_part_of_every_task(models, array_models, data):
    # A worker then fetches a model (megabytes, with many pairs) once, not once per partition.
    model, on_array = models["gam-multi"][0], array_models["gam"]
    for fitted, lazy in [(model, model.predict_proba(data[1])), (model, model.explain_local(data[1]).to_frame()),
                         (on_array, on_array.predict(da.from_array(data[0].to_numpy(dtype=object), chunks=60)))]:
        size = len(pickle.dumps(fitted))
        tasks = dict(lazy.__dask_graph__()).values()
        assert sorted(len(pickle.dumps(task)) >= size for task in tasks) == [False] * (len(tasks) - 1) + [True]
