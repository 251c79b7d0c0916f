"""Shared plumbing: targets, weights, monotonic constraints, threads, input checks."""

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import DataConversionWarning

from glassbox._base import (
    check_classification_y,
    check_monotonic_cst,
    check_regression_y,
    check_sample_weight,
    effective_n_threads,
)
from glassbox._ext._openmp import openmp_enabled

NAMES = ["age", "income", "race"]
IS_CAT = [False, False, True]


def test_classification_target_is_encoded_in_sorted_class_order():
    codes, classes = check_classification_y(np.array(["yes", "no", "yes", "maybe"]), 4)
    assert list(classes) == ["maybe", "no", "yes"]
    np.testing.assert_array_equal(codes, [2, 1, 2, 0])


@pytest.mark.parametrize(
    "y, match",
    [
        (np.array([1, 1, 1]), r"only one class \(1\); a classifier"),
        (np.array(["a", None, "b"], dtype=object), "1 missing values"),
        (np.array([0.5, 1.5, 2.25]), "Unknown label type"),
        (np.array([0, 1]), "X has 3 rows but y has 2"),
        (None, "requires y"),
    ],
)
def test_classification_target_errors(y, match):
    with pytest.raises(ValueError, match=match):
        check_classification_y(y, 3)


def test_column_target_warns_and_is_raveled():
    with pytest.warns(DataConversionWarning):
        codes, _ = check_classification_y(np.array([[0], [1], [1]]), 3)
    assert codes.shape == (3,)


def test_regression_target():
    np.testing.assert_array_equal(check_regression_y([1, 2, 3], 3), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="1 NaN and 1 infinite"):
        check_regression_y([1.0, np.nan, np.inf], 3)
    with pytest.raises(ValueError, match="must be numeric"):
        check_regression_y(["a", "b", "c"], 3)


def test_sample_weight():
    np.testing.assert_array_equal(check_sample_weight(None, 3), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(check_sample_weight(2, 2), [2.0, 2.0])
    np.testing.assert_array_equal(check_sample_weight([0, 1, 2], 3), [0.0, 1.0, 2.0])
    for bad, match in [
        ([1.0, -1.0, 1.0], "1 negative values"),
        ([0.0, 0.0, 0.0], "all sample weights are zero"),
        ([1.0, 1.0], r"shape \(2,\) but X has 3 rows"),
        ([1.0, np.nan, 1.0], "NaN or infinite"),
        (["a", "b", "c"], "must be numeric"),
    ]:
        with pytest.raises(ValueError, match=match):
            check_sample_weight(bad, 3)


def test_monotonic_cst_list_and_dict_agree():
    as_list = check_monotonic_cst([1, -1, 0], NAMES, IS_CAT, has_names=True)
    as_dict = check_monotonic_cst({"age": 1, "income": -1}, NAMES, IS_CAT, has_names=True)
    np.testing.assert_array_equal(as_list, [1, -1, 0])
    np.testing.assert_array_equal(as_dict, as_list)
    assert as_list.dtype == np.int8
    np.testing.assert_array_equal(check_monotonic_cst(None, NAMES, IS_CAT, has_names=False), [0, 0, 0])


@pytest.mark.parametrize(
    "cst, has_names, match",
    [
        ({"agee": 1}, True, r"unknown features \['agee'\]; the features are \['age', 'income', 'race'\]"),
        ({"age": 1}, False, "needs X with column names"),
        ([1, 0], True, r"shape \(2,\) but X has 3 features"),
        ([2, 0, 0], True, "feature 'age' is 2; use -1"),
        ({"income": True}, True, "feature 'income' is True"),
        ([0, 0, 1], True, r"categorical features \['race'\]"),
        ({"race": -1}, True, "categorical features"),
    ],
)
def test_monotonic_cst_errors(cst, has_names, match):
    with pytest.raises(ValueError, match=match):
        check_monotonic_cst(cst, NAMES, IS_CAT, has_names=has_names)


def test_effective_n_threads():
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if not openmp_enabled():
        assert effective_n_threads(4) == 1
        return
    assert effective_n_threads(3) == 3
    assert effective_n_threads(-1) == cores
    assert effective_n_threads(-2) == max(1, cores - 1)
    assert 1 <= effective_n_threads(None) <= cores
    for bad in (0, 1.5, True, "2", 10**30, -(2**15) - 1):
        with pytest.raises(ValueError, match="n_jobs must be None or a non-zero integer"):
            effective_n_threads(bad)


def test_feature_names_from_frames_reach_every_fitted_estimator():
    from glassbox.binning import Binner

    frame = pd.DataFrame({"age": [1.0, 2.0], "sex": ["f", "m"]})
    binner = Binner().fit(frame)
    assert [f.name for f in binner.features_] == ["age", "sex"]
    assert list(binner.get_feature_names_out()) == ["age", "sex"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scikit-learn warns: X has no names now
        assert binner.transform(frame.to_numpy()).shape == (2, 2)
    assert [f.name for f in Binner().fit(np.ones((2, 3))).features_] == ["x0", "x1", "x2"]


def test_integer_parameter_check():
    from glassbox._base import check_integer

    check_integer("k", 3, 1, 3)
    check_integer("k", np.int64(10**9), 1)
    for bad in (0, 4, 2.0, True, "2", None):
        with pytest.raises(ValueError, match=r"k must be an integer in \[1, 3\], got"):
            check_integer("k", bad, 1, 3)
    with pytest.raises(ValueError, match=r"k must be an integer >= 1, got 0; keeps it small\."):
        check_integer("k", 0, 1, why="keeps it small")


def test_real_parameter_check():
    from glassbox._base import check_real

    check_real("c", 0.0, 0.0, 1.0, high_open=True)
    check_real("t", np.inf, 0, low_open=True, allow_inf=True)
    for bad in (1.0, -0.1, np.nan, np.inf, True, "0.5"):
        with pytest.raises(ValueError, match=r"c must be a finite number in \[0.0, 1.0\), got"):
            check_real("c", bad, 0.0, 1.0, high_open=True)
    for bad in (0, -1.0, np.nan):
        with pytest.raises(ValueError, match=r"t must be a number > 0, got"):
            check_real("t", bad, 0, low_open=True, allow_inf=True)
