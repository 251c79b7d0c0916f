"""Rule / Condition: text and evaluation agree with each other and with the raw values."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from glassbox._base import BinnedModelMixin
from glassbox.binning import Binner, UnseenCategoryWarning
from glassbox.rules import Condition, Rule


@pytest.fixture
def fitted():
    rng = np.random.default_rng(0)
    n = 2000
    frame = pd.DataFrame(
        {
            "age": np.where(rng.random(n) < 0.05, np.nan, rng.integers(18, 80, n).astype(float)),
            "race": pd.Series(rng.choice(["a", "b", "c", None], n), dtype="category"),
        }
    )
    binner = Binner(max_bins=12)
    return frame, binner.fit_transform(frame), binner.features_


def _raw_range_mask(values, lower, upper, missing):
    mask = np.ones(len(values), dtype=bool)
    if lower is not None:
        mask &= values > lower
    if upper is not None:
        mask &= values <= upper
    mask &= ~np.isnan(values)
    return mask | (np.isnan(values) if missing else False)


def test_range_conditions_select_exactly_what_their_thresholds_say(fitted):
    frame, codes, features = fitted
    age = features[0]
    values = frame["age"].to_numpy()
    for first in range(age.n_bins):
        for last in range(first, age.n_bins):
            for missing in (False, True):
                condition = Condition.range(0, age, first, last, missing=missing)
                lower, upper = condition.bounds
                np.testing.assert_array_equal(condition.evaluate(codes), _raw_range_mask(values, lower, upper, missing))
                text = condition.to_text()
                if first == 0 and last == age.n_bins - 1:
                    assert text == ("True" if missing else "age is not missing")
                elif first == 0:
                    assert text.startswith("age <= ") or text.startswith("(age <= ")
                assert ("age is missing" in text) == (missing and text != "True")


def test_printed_thresholds_reproduce_the_condition_on_raw_data(fitted):
    frame, codes, features = fitted
    condition = Condition.range(0, features[0], 2, 5)
    lower, upper = map(float, re.fullmatch(r"(\S+) < age <= (\S+)", condition.to_text()).groups())
    raw = (frame["age"] > lower) & (frame["age"] <= upper)
    np.testing.assert_array_equal(condition.evaluate(codes), raw.to_numpy())


def test_level_conditions(fitted):
    frame, codes, features = fitted
    race = features[1]
    one = Condition.levels(1, race, [race.levels.index("b")])
    assert one.to_text() == "race == 'b'"
    np.testing.assert_array_equal(one.evaluate(codes), (frame["race"] == "b").to_numpy())
    two = Condition.levels(1, race, [0, 2], missing=True)
    assert two.to_text() == "(race in {'a', 'c'} or race is missing)"
    expected = frame["race"].isin(["a", "c"]) | frame["race"].isna()
    np.testing.assert_array_equal(two.evaluate(codes), expected.to_numpy())
    assert Condition.missing(1, race).to_text() == "race is missing"
    assert Condition.levels(1, race, [0, 1, 2], unseen=True).to_text() == "race is not missing"
    assert Condition.levels(1, race, [0, 1, 2]).to_text() == "race is a seen level"
    assert Condition.levels(1, race, [0, 1, 2], missing=True).to_text() == "race is not an unseen level"
    assert Condition.levels(1, race, [0, 1, 2], missing=True, unseen=True).to_text() == "True"
    assert Condition.levels(1, race, [1], unseen=True).to_text() == "(race == 'b' or race is an unseen level)"


def test_grouped_levels_are_expanded():
    values = np.array(["common"] * 50 + ["r1", "r2", "r3"], dtype=object)
    binner = Binner(max_bins=2)
    codes = binner.fit_transform(pd.DataFrame({"c": values}))
    bins = binner.features_[0]
    other = Condition.levels(0, bins, [1])
    assert set(other.level_values) == {"r1", "r2", "r3"}
    assert other.to_text() == "c in {'r1', 'r2', 'r3'}"
    np.testing.assert_array_equal(other.evaluate(codes), values != "common")


def test_rule_is_the_conjunction(fitted):
    frame, codes, features = fitted
    age, race = features
    rule = Rule(
        (Condition.range(0, age, 0, 3), Condition.levels(1, race, [0])),
        prediction=1, value=np.array([0.2, 0.8]),
    )
    expected = Condition.range(0, age, 0, 3).evaluate(codes) & (frame["race"] == "a").to_numpy()
    np.testing.assert_array_equal(rule.evaluate(codes), expected)
    assert rule.to_text() == f"{Condition.range(0, age, 0, 3).to_text()} and race == 'a'"
    default = Rule((), prediction=0, value=np.array([0.6, 0.4]))
    assert default.to_text() == "True" and default.evaluate(codes).all()


def test_conditions_are_values(fitted):
    _, _, features = fitted
    assert Condition.range(0, features[0], 1, 2) == Condition.range(0, features[0], 1, 2)
    assert len({Condition.range(0, features[0], 1, 2), Condition.range(0, features[0], 1, 2)}) == 1


def test_bad_conditions(fitted):
    _, _, (age, race) = fitted
    with pytest.raises(ValueError, match="categorical: use Condition.levels"):
        Condition.range(1, race, 0, 1)
    with pytest.raises(ValueError, match="continuous: use Condition.range"):
        Condition.levels(0, age, [0])
    with pytest.raises(ValueError, match="out of range"):
        Condition.range(0, age, 3, age.n_bins)
    with pytest.raises(ValueError, match="out of range"):
        Condition.levels(1, race, [7])


class _Model(BinnedModelMixin, BaseEstimator):
    def fit(self, X, y=None):
        self.train_ = self._fit_bins(X, max_bins=8, random_state=0)
        return self

    def codes(self, X):
        return self._transform_bins(X)


def test_binned_model_data_path():
    frame = pd.DataFrame({"x": np.arange(20.0), "c": ["a", "b"] * 10})
    model = _Model().fit(frame)
    assert model.n_features_in_ == 2 and list(model.feature_names_in_) == ["x", "c"]
    np.testing.assert_array_equal(model.codes(frame), model.train_.codes)
    with pytest.raises(ValueError, match="column 0 is 'c' but was 'x' at fit"):
        model.codes(frame[["c", "x"]])
    with pytest.warns(UnseenCategoryWarning, match="'c'.*'z'") as record:
        model.codes(pd.DataFrame({"x": [1.0], "c": ["z"]}))
    assert record[0].filename == __file__
