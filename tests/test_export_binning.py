"""The binning survives JSON exactly, and a tampered file gets an error naming the field."""

import copy
import json

import numpy as np
import pandas as pd
import pytest

from glassbox.binning import Binner
from glassbox.export import Fields, ModelFileError, binning_from_dict, binning_to_dict


def _round_trip(binner):
    text = json.dumps(binning_to_dict(binner))
    return binning_from_dict(Fields(json.loads(text), "binning"))


@pytest.mark.parametrize("name", ["compas_raw", "adult", "heloc_raw", "nursery"])
def test_loaded_binning_gives_identical_codes_on_real_data(shared_dataset, name):
    X, _, _ = shared_dataset(name)
    binner = Binner(random_state=0).fit(X)
    loaded = _round_trip(binner)
    np.testing.assert_array_equal(loaded.transform(X), binner.transform(X))
    for a, b in zip(binner.features_, loaded.features_):
        assert a.name == b.name and a.kind == b.kind and a.levels == b.levels
        np.testing.assert_array_equal(a.thresholds, b.thresholds)  # exact floats
        np.testing.assert_array_equal(a.counts, b.counts)
    assert list(loaded.feature_names_in_) == list(X.columns)


def test_round_trip_on_awkward_values():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({
        "tiny": rng.normal(size=500) * 1e-12,
        "huge": rng.normal(size=500) * 1e300,
        "ints": rng.integers(-5, 5, 500),
        "mixed": pd.Series(rng.choice(["a", "b", 3, 2.5, True], 500), dtype=object),
    })
    X.loc[::9, "tiny"] = np.nan
    binner = Binner(max_bins=40).fit(X)
    loaded = _round_trip(binner)
    np.testing.assert_array_equal(loaded.transform(X), binner.transform(X))
    numpy_binner = Binner().fit(X[["tiny", "huge"]].to_numpy())
    assert not hasattr(_round_trip(numpy_binner), "feature_names_in_")


def _good():
    X = pd.DataFrame({"age": np.arange(50.0), "race": ["a", "b"] * 25})
    return binning_to_dict(Binner().fit(X))


@pytest.mark.parametrize(
    "tamper, match",
    [
        (lambda d: d["features"][0].pop("thresholds"), r"field 'binning.features\[0\].thresholds' is missing"),
        (lambda d: d["features"][0]["thresholds"].reverse(), r"'binning.features\[0\].thresholds': expected strictly increasing"),
        (lambda d: d["features"][0]["thresholds"].__setitem__(0, "1"), "expected a list of numbers"),
        (lambda d: d["features"][0].__setitem__("kind", "ordinal"), r"expected one of \['continuous', 'categorical'\]"),
        (lambda d: d["features"][0]["counts"].pop(), r"'binning.features\[0\].counts': expected 52 integers, got 51"),
        (lambda d: d["features"][1]["levels"].append("a"), "expected distinct values"),
        (lambda d: d["features"][1]["levels"].append({"x": 1}), "expected a list of strings, numbers or booleans"),
        (lambda d: d["features"][1].__setitem__("thresholds", [1.0]), "a categorical feature has no thresholds"),
        (lambda d: d["features"][0].__setitem__("thresholds", list(np.arange(300.0))), "more than 254"),
        (lambda d: d.__setitem__("features", []), "at least one feature"),
        (lambda d: d.__setitem__("feature_names_in", ["race", "age"]), "feature_names_in"),
        (lambda d: d["params"].__setitem__("max_bins", 999), r"999 is outside \[2, 254\]"),
        (lambda d: d.__setitem__("features", "age"), "expected a list"),
    ],
)
def test_tampered_binning_is_refused_with_the_field_named(tamper, match):
    data = copy.deepcopy(_good())
    tamper(data)
    with pytest.raises(ModelFileError, match=match):
        binning_from_dict(Fields(data, "binning"))


def test_unsaveable_levels_are_refused_at_save():
    X = pd.DataFrame({"when": pd.Series([pd.Timestamp("2020-01-01"), pd.Timestamp("2021-01-01")], dtype=object)})
    binner = Binner(categorical_features=[0]).fit(X)
    with pytest.raises(TypeError, match="hold string, number and boolean levels only"):
        binning_to_dict(binner)
