"""``distill`` on Dask (issue 18): the student is the GAM an in-memory fit on the same taught rows
gives, and the fidelity report summed over partitions is the in-memory report of the held-out rows."""

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

import glassbox as gb
from glassbox.distill._dask import held_out
from glassbox.distill._fidelity import fidelity_from_sums, fidelity_sums, measure, merge_fidelity_sums
from glassbox.distill._gam import fit_scores
from glassbox.distill._teacher import Teacher
from tests.test_dask_fit import assert_same_model

STUDENT = dict(outer_bags=2, max_rounds=80, max_samples=800, random_state=0, n_jobs=1)


def make_data(n=2400, classes=2, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.uniform(size=n),
                      "k": pd.Categorical(rng.choice(["p", "q", "r"], n), categories=["p", "q", "r"])})
    X.loc[rng.rand(n) < 0.1, "a"] = np.nan
    score = np.nan_to_num(X["a"].to_numpy()) + X["b"].to_numpy() ** 2 + (X["k"] == "p").to_numpy() + rng.normal(size=n)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1]))
    return X, pd.Series(y, name="y")


def teacher_for(X, y, regression=False):
    model = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
    return model(max_iter=30, categorical_features="from_dtype", random_state=0).fit(X, y)


def split_as_on_dask(ddf, dy, holdout, seed):
    """The rows the Dask path fits on and holds out, gathered here to compare with memory."""
    fit, hold, y_hold = [], [], []
    for i in range(ddf.npartitions):
        block, target = ddf.partitions[i].compute(), dy.partitions[i].compute()
        mask = held_out(i, len(block), holdout, seed)
        fit.append(block[~mask])
        hold.append(block[mask])
        y_hold.append(target[mask])
    return pd.concat(fit), pd.concat(hold), pd.concat(y_hold)


def seed_of(random_state):
    return int(np.random.RandomState(random_state).randint(np.iinfo(np.int32).max))


def partitioned(X, y, n=4):
    return dd.from_pandas(X, npartitions=n, sort=False), dd.from_pandas(y, npartitions=n, sort=False)


def test_binary_student_fits_the_teachers_log_odds_as_in_memory_and_the_report_matches():
    X, y = make_data()
    teacher = teacher_for(X, y)
    ddf, dy = partitioned(X, y)
    student, report = gb.distill(teacher, gb.GAMClassifier(**STUDENT), ddf, y=dy, random_state=0)
    X_fit, X_hold, y_hold = split_as_on_dask(ddf, dy, 0.2, seed_of(0))
    wrapped = Teacher.wrap(teacher)
    memory = fit_scores(gb.GAMClassifier(**STUDENT), X_fit, wrapped.ask(X_fit)[2], wrapped.classes)
    # Real-valued log-odds sum in another order on Dask: the starting intercept is equal to
    # rounding. The main effects stay equal to rounding; a pair's greedy steps can turn a near
    # tie the other way (measured: 5% of rows move, by < 0.1; in memory, targets raised by 1 ulp
    # moved every row and changed a bag's kept pair rounds from 74 to 79).
    assert [t.features for t in memory.terms_] == [t.features for t in student.terms_]
    for ta, tb in zip(memory.terms_, student.terms_):
        if not ta.is_pair:
            np.testing.assert_allclose(ta.scores, tb.scores, atol=1e-9, err_msg=ta.name)
    assert np.mean(memory.predict(X) == student.predict(X)) > 0.98
    assert np.max(np.abs(memory.decision_function(X) - student.decision_function(X))) < 0.25
    expected = measure(wrapped, student, X_hold, y_hold.to_numpy())
    got = report.splits["holdout"]
    assert got["n_rows"] == expected["n_rows"] == len(X_hold)
    for key in ("agreement", "agreement_0", "agreement_1", "student_accuracy", "teacher_accuracy"):
        assert got[key] == pytest.approx(expected[key], abs=1e-12), key
    for key in ("score_r2", "score_rmse"):
        assert got[key] == pytest.approx(expected[key], rel=1e-9), key
    assert abs(got["auc_vs_teacher"] - expected["auc_vs_teacher"]) <= got["auc_vs_teacher_max_error"] + 1e-12
    assert got["auc_vs_teacher_max_error"] < 1e-3


def test_multiclass_student_fits_labels_bit_for_bit_as_in_memory():
    X, y = make_data(classes=3)
    teacher = teacher_for(X, y)
    ddf, dy = partitioned(X, y)
    student, report = gb.distill(teacher, gb.GAMClassifier(**STUDENT), ddf, random_state=1)
    X_fit, X_hold, _ = split_as_on_dask(ddf, dy, 0.2, seed_of(1))
    memory = clone(gb.GAMClassifier(**STUDENT)).fit(X_fit, teacher.predict(X_fit))
    assert_same_model(memory, student)
    expected = measure(Teacher.wrap(teacher), student, X_hold)
    got = report.splits["holdout"]
    assert got["agreement"] == pytest.approx(expected["agreement"], abs=1e-12)
    assert abs(got["auc_vs_teacher"] - expected["auc_vs_teacher"]) <= got["auc_vs_teacher_max_error"] + 1e-12


def test_regression_teacher():
    X, y = make_data()
    target = pd.Series(y + X["c"].to_numpy(), name="y")
    teacher = teacher_for(X, target, regression=True)
    ddf, dy = partitioned(X, target)
    student, report = gb.distill(teacher, gb.GAMRegressor(**STUDENT), ddf, y=dy, random_state=2)
    _, X_hold, y_hold = split_as_on_dask(ddf, dy, 0.2, seed_of(2))
    expected = measure(Teacher.wrap(teacher), student, X_hold, y_hold.to_numpy())
    for key in ("score_r2", "score_rmse", "student_r2", "teacher_r2"):
        assert report.splits["holdout"][key] == pytest.approx(expected[key], rel=1e-9), key


@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(0, 300), max_size=5), classes=st.sampled_from([2, 3]), seed=st.integers(0, 99))
def test_fidelity_sums_over_any_blocks_are_those_of_all_rows(cuts, classes, seed):
    X, y = make_data(n=300, classes=classes, seed=seed)
    wrapped = Teacher.wrap(teacher_for(X, y))
    student = gb.GAMClassifier(outer_bags=1, max_rounds=20, interactions=0, random_state=0).fit(X, y)
    edges = [0, *sorted(cuts), 300]
    blocks = [fidelity_sums(wrapped, student, X.iloc[a:b], y.to_numpy()[a:b]) for a, b in zip(edges[:-1], edges[1:])]
    whole = fidelity_from_sums(fidelity_sums(wrapped, student, X, y.to_numpy()), wrapped)
    merged = fidelity_from_sums(merge_fidelity_sums(blocks), wrapped)
    assert merged.keys() == whole.keys()
    for key, value in whole.items():
        assert merged[key] == pytest.approx(value, rel=1e-9, abs=1e-12, nan_ok=True), key
    exact = measure(wrapped, student, X, y.to_numpy())
    assert abs(whole["auc_vs_teacher"] - exact["auc_vs_teacher"]) <= whole["auc_vs_teacher_max_error"] + 1e-12


def test_refusals_on_dask():
    X, y = make_data(n=200)
    teacher = teacher_for(X, y)
    ddf, dy = partitioned(X, y)
    with pytest.raises(TypeError, match="only GAM students"):
        gb.distill(teacher, gb.RuleListClassifier(), ddf)
    with pytest.raises(ValueError, match="synthetic rows are not drawn on Dask"):
        gb.distill(teacher, gb.GAMClassifier(**STUDENT), ddf, augment="munge")
    with pytest.raises(ValueError, match="X has 4 partitions but y has 2"):
        gb.distill(teacher, gb.GAMClassifier(**STUDENT), ddf, y=dd.from_pandas(y, npartitions=2))


def test_distilled_classifier_fits_on_dask_like_distill():
    X, y = make_data(n=1200)
    teacher = teacher_for(X, y)
    ddf, dy = partitioned(X, y)
    wrapper = gb.DistilledClassifier(teacher, gb.GAMClassifier(**STUDENT), random_state=0).fit(ddf, dy)
    student, report = gb.distill(teacher, gb.GAMClassifier(**STUDENT), ddf, y=dy, random_state=0)
    np.testing.assert_array_equal(wrapper.predict_proba(X), student.predict_proba(X))
    assert wrapper.fidelity_.splits == report.splits
    with pytest.raises(ValueError, match="refit_teacher=True"):
        gb.DistilledClassifier(teacher, gb.GAMClassifier(**STUDENT), refit_teacher=True).fit(ddf, dy)
