"""Binner: thresholds, codes, categorical/missing/unseen handling, printing, errors."""

import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from glassbox.binning import (
    BinnedData,
    Binner,
    UnseenCategoryWarning,
    _short_thresholds,
    format_threshold,
)
from tests.twins import map_to_bins_naive


def _random_matrix(rng, n, p, nan_rate=0.1):
    X = rng.normal(size=(n, p)) * rng.uniform(0.1, 1000, size=p)
    X[:, 0] = rng.integers(0, 7, size=n)  # few distinct values
    X[:, 1] = np.round(X[:, 1])  # heavy ties
    X[rng.random((n, p)) < nan_rate] = np.nan
    return X


# --- codes against the NumPy twin -----------------------------------------------------------


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("max_bins", [2, 5, 64, 254])
def test_transform_matches_numpy_twin(order, n_jobs, max_bins):
    rng = np.random.default_rng(max_bins)
    X = np.asarray(_random_matrix(rng, 5000, 6), order=order)
    binner = Binner(max_bins=max_bins, n_jobs=n_jobs).fit(X)
    expected = map_to_bins_naive(
        X, [f.thresholds for f in binner.features_], [f.missing_code for f in binner.features_]
    )
    codes = binner.transform(X)
    assert codes.dtype == np.uint8 and codes.flags.f_contiguous
    np.testing.assert_array_equal(codes, expected)
    # Unseen test rows, including values outside the training range, follow the same rule.
    X_new = np.asarray(_random_matrix(rng, 3000, 6) * 3, order=order)
    np.testing.assert_array_equal(
        binner.transform(X_new),
        map_to_bins_naive(X_new, [f.thresholds for f in binner.features_], [f.missing_code for f in binner.features_]),
    )


def test_codes_do_not_depend_on_thread_count_or_layout():
    X = _random_matrix(np.random.default_rng(0), 20_000, 5)
    reference = Binner(n_jobs=1, random_state=0).fit_transform(X)
    for n_jobs in (2, -1, None):
        np.testing.assert_array_equal(Binner(n_jobs=n_jobs, random_state=0).fit_transform(X), reference)
    np.testing.assert_array_equal(Binner(n_jobs=2, random_state=0).fit_transform(np.asfortranarray(X)), reference)


# --- threshold placement ---------------------------------------------------------------------


@pytest.mark.parametrize("max_bins", [4, 10, 100, 254])
def test_bins_hold_equal_shares_of_continuous_data(max_bins):
    """Without ties, the k-th threshold has k/max_bins of the rows at or below it (within one row)."""
    rng = np.random.default_rng(max_bins)
    values = rng.standard_exponential(size=10_000)
    binner = Binner(max_bins=max_bins).fit(values.reshape(-1, 1))
    thresholds = binner.features_[0].thresholds
    assert len(thresholds) == max_bins - 1
    ranks = np.searchsorted(np.sort(values), thresholds, side="right")
    ideal = np.arange(1, max_bins) * len(values) / max_bins
    assert np.max(np.abs(ranks - ideal)) <= 1
    counts = binner.features_[0].counts[: max_bins]
    assert counts.max() - counts.min() <= 2


def test_each_distinct_value_gets_its_own_bin_when_few():
    values = np.array([3.0, 1.0, 2.0, 2.0, 10.0, 1.0, np.nan])
    feature = Binner().fit(values.reshape(-1, 1)).features_[0]
    np.testing.assert_array_equal(feature.thresholds[:2], [1.5, 2.5])
    assert 3 < feature.thresholds[2] < 10 and len(format_threshold(feature.thresholds[2])) == 1
    np.testing.assert_array_equal(feature.counts, [2, 2, 1, 1, 1, 0])  # 4 bins, missing, unseen


def test_heavy_tie_gets_one_bin_and_leaves_the_others_to_the_rest():
    rng = np.random.default_rng(0)
    values = np.where(rng.random(20_000) < 0.9, 0.0, rng.normal(size=20_000) + 10)
    feature = Binner(max_bins=50).fit(values.reshape(-1, 1)).features_[0]
    assert feature.n_bins == 50  # the tie does not swallow the bins it spans
    assert feature.counts[0] == np.sum(values == 0)  # zeros alone in the first bin
    rest = feature.counts[1:50]
    assert rest.max() <= 1.1 * np.sum(values != 0) / 49 + 1


def test_thresholds_lie_strictly_between_training_values():
    rng = np.random.default_rng(1)
    values = rng.normal(size=3000).round(3)
    feature = Binner(max_bins=40).fit(values.reshape(-1, 1)).features_[0]
    distinct = np.unique(values)
    position = np.searchsorted(distinct, feature.thresholds)
    assert np.all(distinct[position - 1] < feature.thresholds)
    assert np.all(feature.thresholds < distinct[position])


def test_values_at_the_float_limits_bin_like_any_others():
    """Thresholds near +-1.8e308 (where the shortest decimal can round to inf) lie strictly
    between neighbouring values and code them as the twin does, without warnings."""
    top = np.finfo(np.float64).max
    values = np.array([-top, -top / 2, -1e300, 0.0, 1e300, top / 3, np.nextafter(top, 0), top])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        binner = Binner().fit(values.reshape(-1, 1))
        codes = binner.transform(values.reshape(-1, 1))[:, 0]
    thresholds = binner.features_[0].thresholds
    assert np.all(np.isfinite(thresholds)) and len(thresholds) == len(values) - 1
    assert np.all(values[:-1] <= thresholds) and np.all(thresholds < values[1:])
    np.testing.assert_array_equal(codes, np.arange(len(values)))


def _significant_digits(value):
    digits = Decimal(format_threshold(value)).normalize().as_tuple().digits
    return len(digits)


def _shorter_number_between(lo, hi, max_digits):
    """Brute force: is there a number with at most ``max_digits`` significant digits in (lo, hi)?"""
    lo_d, hi_d = Decimal(float(lo)), Decimal(float(hi))
    for digits in range(1, max_digits + 1):
        for anchor in (lo_d, hi_d):
            if anchor == 0:
                continue
            exponent = anchor.adjusted() - digits + 1
            step = Decimal(1).scaleb(exponent)
            first = (lo_d / step).to_integral_value(rounding="ROUND_FLOOR") + 1
            # Compare as floats: a decimal between lo and hi that rounds onto hi separates nothing.
            if lo < float(first * step) < hi:
                return True
    return False


@settings(max_examples=1000, deadline=None)
@given(
    st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
    st.floats(1e-9, 1e3, allow_nan=False),
)
def test_thresholds_use_the_fewest_digits_that_separate(lo, gap):
    hi = lo + gap
    if not lo < hi:
        return
    (t,) = _short_thresholds(np.array([lo]), np.array([hi]))
    assert lo < t < hi or (t == lo and np.nextafter(lo, np.inf) == hi)
    assert float(format_threshold(t)) == t  # what prints is exactly what compares
    digits = _significant_digits(t)
    if digits > 1:
        assert not _shorter_number_between(lo, hi, digits - 1)


def test_printed_thresholds_are_human_sized():
    assert _short_thresholds(np.array([34.0]), np.array([35.0]))[0] == 34.5
    assert _short_thresholds(np.array([0.1234]), np.array([0.5678]))[0] == 0.3
    assert _short_thresholds(np.array([1999.0]), np.array([2007.0]))[0] == 2000.0
    feature = Binner().fit(np.array([[22.0], [34.0], [35.0], [51.0], [60.0]])).features_[0]
    assert [feature.bin_label(c) for c in range(feature.n_codes)] == [
        "<= 30", "(30, 34.5]", "(34.5, 40]", "(40, 56]", "> 56", "missing", "unseen"
    ]


@pytest.mark.parametrize(
    "value, text",
    [(34.5, "34.5"), (30.0, "30"), (-0.25, "-0.25"), (0.0, "0"), (1e-7, "1e-07"), (2.5e20, "2.5e+20"), (0.1 + 0.2, "0.30000000000000004")],
)
def test_format_threshold_is_shortest_round_trip(value, text):
    assert format_threshold(value) == text
    assert float(format_threshold(value)) == value


# --- categorical, missing, unseen ------------------------------------------------------------


def _mixed_frame():
    return pd.DataFrame(
        {
            "age": [22.0, 34.0, np.nan, 51.0, 60.0, 34.0],
            "race": pd.Series(["b", "a", None, "c", "a", "b"], dtype="category"),
            "city": pd.Series(["x", "y", "x", None, "y", "x"], dtype=object),
            "grade": pd.Series(["lo", pd.NA, "hi", "hi", "lo", "lo"], dtype="string"),
            "count": pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
            "flag": [True, False, True, True, False, False],
        }
    )


def test_dtypes_decide_kinds_and_levels_keep_names():
    binner = Binner().fit(_mixed_frame())
    kinds = {f.name: f.kind for f in binner.features_}
    assert kinds == {
        "age": "continuous", "race": "categorical", "city": "categorical",
        "grade": "categorical", "count": "continuous", "flag": "continuous",
    }
    by_name = {f.name: f for f in binner.features_}
    assert by_name["race"].levels == ("a", "b", "c")
    assert by_name["city"].levels == ("x", "y")
    assert by_name["grade"].levels == ("hi", "lo")
    assert list(binner.feature_names_in_) == list(_mixed_frame().columns)


def test_missing_values_get_the_missing_code_in_every_kind_of_column():
    frame = _mixed_frame()
    binner = Binner().fit(frame)
    codes = binner.transform(frame)
    for j, feature in enumerate(binner.features_):
        missing = frame.iloc[:, j].isna().to_numpy()
        assert np.all(codes[missing, j] == feature.missing_code)
        assert np.all(codes[~missing, j] < feature.n_bins)
        assert feature.counts[feature.missing_code] == missing.sum()
        assert feature.counts.sum() == len(frame)


def test_category_order_is_kept_and_empty_categories_dropped():
    column = pd.Categorical(["med", "low", "high", "low"], categories=["low", "med", "high", "never"], ordered=True)
    feature = Binner().fit(pd.DataFrame({"risk": column})).features_[0]
    assert feature.levels == ("low", "med", "high")


def test_unseen_levels_warn_with_feature_and_values_and_get_the_unseen_code():
    binner = Binner().fit(_mixed_frame())
    new = _mixed_frame()
    new["city"] = ["x", "paris", "rome", None, "paris", "y"]
    with pytest.warns(UnseenCategoryWarning, match=r"feature 'city' has 3 rows .*'paris', 'rome'") as record:
        codes = binner.transform(new)
    assert record[0].filename == __file__  # points at the caller, not at glassbox internals
    city = binner.features_[2]
    np.testing.assert_array_equal(codes[:, 2], [0, city.unseen_code, city.unseen_code, city.missing_code, city.unseen_code, 1])


def test_new_categories_in_a_category_column_are_unseen():
    train = pd.DataFrame({"c": pd.Series(["a", "b", "a"], dtype="category")})
    test = pd.DataFrame({"c": pd.Series(["b", "z", None], dtype="category")})
    binner = Binner().fit(train)
    with pytest.warns(UnseenCategoryWarning, match="'z'"):
        codes = binner.transform(test)
    feature = binner.features_[0]
    np.testing.assert_array_equal(codes[:, 0], [1, feature.unseen_code, feature.missing_code])


def test_rare_levels_are_grouped_as_other_never_as_missing():
    rng = np.random.default_rng(0)
    levels = np.array([f"L{i:03d}" for i in range(300)])
    weights = np.arange(300, 0, -1, dtype=float)
    values = rng.choice(levels, size=20_000, p=weights / weights.sum()).astype(object)
    values[:50] = None
    binner = Binner(max_bins=10).fit(pd.DataFrame({"c": values}))
    feature = binner.features_[0]
    n_levels = pd.Series(values).nunique()
    assert len(feature.levels) == 9 and len(feature.other_levels) == n_levels - 9
    frequent = pd.Series(values).value_counts().index[:9]
    assert set(feature.levels) == set(frequent)
    codes = binner.transform(pd.DataFrame({"c": values}))[:, 0]
    assert np.all(codes[:50] == feature.missing_code)
    in_other = pd.Series(values).isin(feature.other_levels).to_numpy()
    assert np.all(codes[in_other] == 9)
    assert feature.bin_label(9) == f"other ({n_levels - 9} levels)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # grouped levels are known, not unseen
        binner.transform(pd.DataFrame({"c": np.array(["L299", "L000"], dtype=object)}))


def test_numpy_object_columns_with_strings_are_categorical():
    X = np.array([[1.5, "a"], [2.5, "b"], [np.nan, None], [0.5, "a"]], dtype=object)
    binner = Binner().fit(X)
    assert [f.kind for f in binner.features_] == ["continuous", "categorical"]
    np.testing.assert_array_equal(binner.transform(X), [[1, 0], [2, 1], [3, 2], [0, 0]])
    mixed = [[1.0, "a"], [2.0, "b"]]  # nested lists keep each column's own type
    assert [f.kind for f in Binner().fit(mixed).features_] == ["continuous", "categorical"]


@pytest.mark.parametrize("spec", [["race", "n"], [1, 2], [False, True, True]])
def test_explicit_categorical_features(spec):
    frame = pd.DataFrame({"age": [1.0, 2.0, 3.0], "race": ["a", "b", "a"], "n": [10, 20, 10]})
    binner = Binner(categorical_features=spec).fit(frame)
    assert [f.kind for f in binner.features_] == ["continuous", "categorical", "categorical"]
    assert binner.features_[2].levels == (10, 20)
    with pytest.warns(UnseenCategoryWarning, match="'n'.*30"):
        codes = binner.transform(pd.DataFrame({"age": [1.0], "race": ["a"], "n": [30]}))
    assert codes[0, 2] == binner.features_[2].unseen_code


def test_numpy_and_pandas_inputs_give_the_same_codes():
    X = _random_matrix(np.random.default_rng(3), 2000, 4)
    frame = pd.DataFrame(X, columns=list("abcd"))
    np.testing.assert_array_equal(Binner().fit_transform(X), Binner().fit_transform(frame))
    np.testing.assert_array_equal(Binner().fit_transform(X.astype(np.float32)), Binner().fit_transform(X.astype(np.float32).astype(np.float64)))


def test_subsample_is_seeded_and_levels_use_every_row():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=5000), "c": ["rare"] + ["common"] * 4999})
    a = Binner(subsample=500, random_state=1).fit(frame)
    b = Binner(subsample=500, random_state=1).fit(frame)
    c = Binner(subsample=500, random_state=2).fit(frame)
    np.testing.assert_array_equal(a.features_[0].thresholds, b.features_[0].thresholds)
    assert not np.array_equal(a.features_[0].thresholds, c.features_[0].thresholds)
    assert a.features_[1].levels == ("common", "rare")


def test_constant_and_all_missing_columns():
    X = np.column_stack([np.full(10, 3.0), np.full(10, np.nan)])
    binner = Binner().fit(X)
    assert [f.n_bins for f in binner.features_] == [1, 1]
    np.testing.assert_array_equal(binner.transform(X), np.column_stack([np.zeros(10), np.ones(10)]))
    assert binner.features_[0].bin_label(0) == "any value"


def test_bin_returns_binned_data_with_kernel_metadata():
    frame = _mixed_frame()
    binner = Binner().fit(frame)
    data = binner.bin(frame)
    assert isinstance(data, BinnedData)
    np.testing.assert_array_equal(data.codes, binner.transform(frame))
    np.testing.assert_array_equal(data.n_codes, [f.n_codes for f in binner.features_])
    np.testing.assert_array_equal(data.is_categorical, [False, True, True, True, False, False])
    np.testing.assert_array_equal(data.missing_codes, [f.missing_code for f in binner.features_])


# --- errors a user can act on ----------------------------------------------------------------


def test_infinite_values_are_refused_with_feature_and_count():
    X = np.ones((5, 2))
    X[1, 1] = np.inf
    X[3, 1] = -np.inf
    with pytest.raises(ValueError, match=r"infinite values .*'x1': 2"):
        Binner().fit(X)
    binner = Binner().fit(np.ones((5, 2)))
    with pytest.raises(ValueError, match="'x1': 2"):
        binner.transform(X)


def test_strings_in_a_numeric_column_are_refused():
    frame = pd.DataFrame({"a": ["1", "x"], "b": [1.0, 2.0]})
    with pytest.raises(ValueError, match="feature 'a' is numeric here but holds non-numeric values"):
        Binner(categorical_features=None).fit(frame)
    binner = Binner().fit(pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="feature 'a'"):
        binner.transform(frame)


def test_unhashable_values_are_a_type_error():
    X = np.array([[1.0, "a"], [{"k": 1}, "b"]], dtype=object)
    with pytest.raises(TypeError, match="argument must be a string or a number"):
        Binner().fit(X)


def test_dates_must_be_converted():
    frame = pd.DataFrame({"when": pd.to_datetime(["2020-01-01", "2021-01-01"])})
    with pytest.raises(TypeError, match="convert dates"):
        Binner().fit(frame)


def test_columns_checked_at_transform():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "c": [5.0, 6.0]})
    binner = Binner().fit(frame)
    with pytest.raises(ValueError, match="X has 2 features, but Binner is expecting 3"), \
            pytest.warns(UserWarning, match="X does not have valid feature names"):
        binner.transform(frame[["a", "b"]].to_numpy())
    with pytest.raises(ValueError, match="yet now missing:\n- c"):
        binner.transform(frame[["a", "b"]])
    with pytest.raises(ValueError, match=r"(?s)same order.*column 0 is 'c' but was 'a' at fit.*feature_names_in_"):
        binner.transform(frame[["c", "b", "a"]])
    with pytest.raises(ValueError, match="unseen at fit time:\n- z"):
        binner.transform(frame.rename(columns={"c": "z"}))


@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.empty((0, 3)), ValueError, r"0 sample\(s\)"),
        (np.empty((3, 0)), ValueError, r"0 feature\(s\)"),
        (np.arange(3.0), ValueError, r"Reshape your data with X.reshape\(-1, 1\)"),
        (sp.csr_matrix(np.eye(3)), TypeError, "sparse.*toarray"),
        (pd.Series([1.0, 2.0]), ValueError, "to_frame"),
        (np.ones((2, 2)) * 1j, ValueError, "Complex"),
    ],
)
def test_malformed_input(X, error, match):
    with pytest.raises(error, match=match):
        Binner().fit(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"max_bins": 1}, r"max_bins must be an integer in \[2, 254\]"),
        ({"max_bins": 255}, "max_bins"),
        ({"max_bins": 3.5}, "max_bins"),
        ({"subsample": 0}, "subsample"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"categorical_features": ["nope"]}, "unknown feature 'nope'"),
        ({"categorical_features": [7]}, "neither a feature name nor an index"),
        ({"categorical_features": [True]}, "boolean mask needs 2 entries"),
    ],
)
def test_bad_parameters(params, match):
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    with pytest.raises(ValueError, match=match):
        Binner(**params).fit(frame)


def test_categorical_names_need_column_names():
    with pytest.raises(ValueError, match="X has no column names"):
        Binner(categorical_features=["a"]).fit(np.ones((3, 2)))


# --- real data -------------------------------------------------------------------------------


def test_compas_raw_strings_missing_and_high_cardinality(shared_dataset):
    X, _, meta = shared_dataset("compas_raw")
    binner = Binner(random_state=0)
    codes = binner.fit_transform(X)
    by_name = {f.name: f for f in binner.features_}
    assert {n for n, f in by_name.items() if f.is_categorical} == set(meta["categorical"])
    charge = by_name["c_charge_desc"]
    n_levels = X["c_charge_desc"].nunique()
    assert len(charge.levels) + len(charge.other_levels) == n_levels
    for j, name in enumerate(X.columns):
        missing = X[name].isna().to_numpy()
        assert np.all(codes[missing, j] == by_name[name].missing_code)
    assert by_name["days_b_screening_arrest"].counts[by_name["days_b_screening_arrest"].missing_code] > 0


def test_infinities_outside_the_threshold_subsample_are_refused_too():
    X = np.random.default_rng(0).normal(size=(5000, 3))
    X[4321, 2] = np.inf
    for subsample in (None, 100):  # the sample may or may not contain the inf row
        with pytest.raises(ValueError, match=r"infinite values .*'x2': 1"):
            Binner(subsample=subsample, random_state=0).fit(X)


def test_columns_with_no_value_at_fit_read_later_values_as_unseen_levels():
    # A pandas category column with no category, and an object column of None only: both are
    # categorical with no level, so strings (and numbers) at transform are unseen, not a crash.
    X = pd.DataFrame({"empty category": pd.Categorical([None] * 4), "all None": np.array([None] * 4, dtype=object),
                      "x": [1.0, 2.0, 3.0, 4.0]})
    binner = Binner().fit(X)
    assert [f.is_categorical for f in binner.features_] == [True, True, False]
    assert all(len(f.levels) == 0 for f in binner.features_[:2])
    later = pd.DataFrame({"empty category": pd.Categorical(["a", None]), "all None": ["b", 7], "x": [1.0, 5.0]})
    with pytest.warns(UnseenCategoryWarning):
        codes = binner.transform(later)
    first, second = binner.features_[:2]
    np.testing.assert_array_equal(codes[:, 0], [first.unseen_code, first.missing_code])
    np.testing.assert_array_equal(codes[:, 1], [second.unseen_code, second.unseen_code])
