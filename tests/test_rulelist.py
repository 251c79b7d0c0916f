"""RuleListClassifier / RuleListRegressor: structure, explanations, data handling, bad input."""

import threading
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss

from benchmarks.datasets import split
from glassbox import RuleListClassifier, RuleListRegressor
from glassbox.rules import NotProvenOptimalWarning, Rule


def _quiet_fit(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotProvenOptimalWarning)
        return model.fit(X, y, **kwargs)


def _pandas_rule_rows(X, conditions):
    """Rows of X satisfying every condition record of ``to_frame()``, with plain pandas."""
    rows = pd.Series(True, index=X.index)
    for cond in conditions:
        column = X[cond["feature"]]
        missing = column.isna()
        if "levels" in cond:
            values = column.isin(cond["levels"]) & ~missing
        else:
            values = ~missing if cond["any_value"] else pd.Series(False, index=X.index)
            if cond["lower"] is not None:
                values &= column > cond["lower"]
            if cond["upper"] is not None:
                values &= column <= cond["upper"]
        rows &= values | (missing & cond["missing"])
    return rows


def _pandas_predict(model, X):
    frame = model.to_frame()
    out = pd.Series(None, index=X.index, dtype=object)
    free = pd.Series(True, index=X.index)
    for _, rule in frame.iterrows():
        rows = free & _pandas_rule_rows(X, rule["conditions"])
        out[rows] = rule["prediction"]
        free &= ~rows
    return out


@pytest.mark.parametrize("name", ["compas_raw", "adult", "heart"])
def test_predictions_follow_printed_rules_on_shared_data(shared_dataset, name):
    X, y, meta = shared_dataset(name)
    X_train, X_test, y_train, _ = split(X, y, meta["task"])
    X_train, y_train = X_train.iloc[:3000], y_train.iloc[:3000]
    model = _quiet_fit(RuleListClassifier(max_nodes=200, time_limit=2.0, n_jobs=1), X_train, y_train)
    assert len(model.rules_) >= 2, "a trivial list would not exercise the test"
    expected = _pandas_predict(model, X_test)
    np.testing.assert_array_equal(model.predict(X_test), expected.to_numpy().astype(model.classes_.dtype))
    # explain_local names the rule that predicted, with the prediction it made.
    local = model.explain_local(X_test.iloc[:50]).to_frame()
    np.testing.assert_array_equal(local["prediction"].to_numpy().astype(model.classes_.dtype),
                                  model.predict(X_test.iloc[:50]))


def test_text_frame_and_local_explanation_agree():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"age": rng.integers(18, 70, 400).astype(float),
                      "priors": rng.integers(0, 10, 400).astype(float),
                      "sex": pd.Categorical(rng.choice(["f", "m"], 400))})
    X.loc[::17, "priors"] = np.nan
    y = np.where((X["priors"] > 3) | (X["age"] <= 22), "yes", "no")
    model = _quiet_fit(RuleListClassifier(max_card=1, max_thresholds=64), X, y)
    text = model.to_text().splitlines()
    assert text[0].startswith("IF ") and text[-1].startswith("ELSE ")
    assert len(text) == len(model.rules_)
    assert all(isinstance(r, Rule) for r in model.rules_) and model.rules_[-1].conditions == ()
    frame = model.to_frame()
    assert list(frame["antecedent"]) == [r.to_text() for r in model.rules_]
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    local = model.explain_local(X).to_frame()
    np.testing.assert_allclose(local[["p('no')", "p('yes')"]].to_numpy(), proba)
    for i in range(5):
        fired = model.rules_[local["rule"].iloc[i]]
        assert set(local["values"].iloc[i]) == {c.name for c in fired.conditions}
    assert (model.predict(X) == y).mean() > 0.95


def test_objective_is_training_error_plus_c_per_rule():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 3))
    y = (X[:, 0] > 0.3).astype(int) ^ (rng.random(500) < 0.1)
    model = _quiet_fit(RuleListClassifier(c=0.02, max_nodes=300, criterion="misclassification"), X, y)
    error = np.mean(model.predict(X) != y)
    assert model.objective_ == pytest.approx(error + 0.02 * (len(model.rules_) - 1))
    # the default: the log loss of the rules' smoothed probabilities
    model = _quiet_fit(RuleListClassifier(c=0.02, max_nodes=300), X, y)
    assert model.objective_ == pytest.approx(log_loss(y, model.predict_proba(X)) + 0.02 * (len(model.rules_) - 1))


def test_regressor_objective_is_relative_mse_plus_c_per_rule():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(400, 3))
    y = np.where(X[:, 0] > 0, 3.0, -1.0) + rng.normal(0, 0.5, 400)
    model = _quiet_fit(RuleListRegressor(c=0.02, max_nodes=300), X, y)
    mse = np.mean((model.predict(X) - y) ** 2)
    assert model.objective_ == pytest.approx(mse / np.var(y) + 0.02 * (len(model.rules_) - 1))
    assert model.score(X, y) > 0.8


def test_multiclass_lists_predict_every_class():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(600, 2))
    y = np.select([X[:, 0] < -0.5, X[:, 0] > 0.5], ["a", "c"], "b")
    model = _quiet_fit(RuleListClassifier(max_card=1, max_thresholds=32), X, y)
    assert set(model.predict(X)) == {"a", "b", "c"}
    assert (model.predict(X) == y).mean() > 0.97


def test_zero_weight_rows_are_absent_rows():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3))
    y = (X[:, 1] + rng.normal(0, 0.5, 200) > 0).astype(int)
    w = (rng.random(200) < 0.7).astype(float)
    weighted = _quiet_fit(RuleListClassifier(max_nodes=300), X, y, sample_weight=w)
    subset = _quiet_fit(RuleListClassifier(max_nodes=300), X[w > 0], y[w > 0])
    assert weighted.to_text() == subset.to_text()


def test_integer_weights_are_repeated_rows_for_an_explicit_c():
    """Under misclassification. The risk criteria smooth by a pseudo-row of the mean weight (so
    that rescaled weights fit the same list), which repeating rows changes and weighting them does
    not."""
    rng = np.random.default_rng(14)
    X = rng.normal(size=(150, 3))
    y = (X[:, 0] - X[:, 2] + rng.normal(0, 0.7, 150) > 0).astype(int)
    w = rng.integers(1, 4, 150)
    params = {"c": 0.02, "max_nodes": 300, "criterion": "misclassification"}
    weighted = _quiet_fit(RuleListClassifier(**params), X, y, sample_weight=w.astype(float))
    repeated = _quiet_fit(RuleListClassifier(**params), np.repeat(X, w, axis=0), np.repeat(y, w))
    assert len(weighted.rules_) > 1
    assert weighted.to_frame()["antecedent"].tolist() == repeated.to_frame()["antecedent"].tolist()
    assert weighted.to_frame()["weight"].tolist() == repeated.to_frame()["weight"].tolist()
    assert weighted.objective_ == pytest.approx(repeated.objective_, abs=1e-12)


@pytest.mark.parametrize("n", [120, 3000])
def test_auto_c_is_five_rows_or_half_a_percent(n):
    rng = np.random.default_rng(15)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + rng.normal(0, 1.0, n) > 0).astype(int)
    model = _quiet_fit(RuleListClassifier(max_nodes=200), X, y)
    assert model.c_ == max(0.005, 5 / n)
    rules = [r.to_text() for r in model.rules_]
    # Counted in rows: weights rescaled to any total give the same c_ and the same list.
    scaled = _quiet_fit(RuleListClassifier(max_nodes=200), X, y, sample_weight=np.full(n, 1e-3))
    assert scaled.c_ == model.c_
    assert [r.to_text() for r in scaled.rules_] == rules
    explicit = _quiet_fit(RuleListClassifier(c=model.c_, max_nodes=200), X, y)
    assert [r.to_text() for r in explicit.rules_] == rules
    assert explicit.objective_ == model.objective_


def test_c_must_be_a_number_or_auto():
    X, y = np.arange(20.0).reshape(-1, 1), np.arange(20) % 2
    for bad in ("automatic", -0.1, 1.0):
        with pytest.raises(ValueError, match=r"^c must be 'auto' or a finite number in \[0\.0, 1\.0\), got "):
            RuleListClassifier(c=bad).fit(X, y)


@pytest.mark.filterwarnings("ignore::glassbox.rules.NotProvenOptimalWarning")
def test_two_fits_in_two_threads_match_sequential_fits():
    rng = np.random.default_rng(5)
    data = [(rng.normal(size=(300, 4)), seed) for seed in range(2)]
    problems = [(X, (X[:, seed] > 0).astype(int) ^ (rng.random(300) < 0.2)) for X, seed in data]
    sequential = [_quiet_fit(RuleListClassifier(max_nodes=500), X, y).to_text() for X, y in problems]
    results = [None, None]

    def work(i):
        results[i] = _quiet_fit(RuleListClassifier(max_nodes=500), *problems[i]).to_text()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == sequential


@pytest.mark.parametrize("params, match", [
    ({"c": -0.1}, "c must be"), ({"c": 1.5}, "c must be"), ({"c": np.nan}, "c must be"),
    ({"max_card": 0}, "max_card must be"), ({"max_card": 4}, "max_card must be"),
    ({"min_support": 1.0}, "min_support must be"), ({"max_thresholds": 0}, "max_thresholds must be"),
    ({"max_rules": -1}, "max_rules must be"), ({"max_nodes": 0}, "max_nodes must be"),
    ({"time_limit": -1.0}, "time_limit must be"), ({"beam_width": 0}, "beam_width must be"),
])
def test_bad_parameters_are_named(params, match):
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
    with pytest.raises(ValueError, match=match):
        RuleListClassifier(**params).fit(X, y)


def test_one_class_target_is_an_error():
    with pytest.raises(ValueError, match="only one class"):
        RuleListClassifier().fit(np.arange(10.0).reshape(5, 2), [1] * 5)


def test_constant_features_warn_and_give_the_default_rule():
    X = np.ones((20, 3))
    y = np.arange(20) % 2
    with pytest.warns(UserWarning, match="default rule alone"):
        model = RuleListClassifier().fit(X, y)
    assert len(model.rules_) == 1 and model.optimal_
    assert model.to_text().startswith("ELSE")


def test_max_rules_caps_the_list():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    model = _quiet_fit(RuleListClassifier(c=0.0, max_rules=2, max_nodes=300), X, y)
    assert len(model.rules_) <= 3


def test_regressor_inspection_matches_predictions():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 2))
    y = np.where(X[:, 1] > 0.2, 5.0, 1.0) + rng.normal(0, 0.1, 300)
    model = _quiet_fit(RuleListRegressor(max_card=1, max_nodes=300), X, y)
    local = model.explain_local(X[:20]).to_frame()
    np.testing.assert_allclose(local["mean"].to_numpy(), model.predict(X[:20]))
    frame = model.to_frame()
    assert list(frame["rule"]) == list(range(len(model.rules_)))
    # Each rule's mean is the mean of the training rows it captured.
    fired = local["rule"].to_numpy()
    all_fired = model.explain_local(X).to_frame()["rule"].to_numpy()
    for r, rule in enumerate(model.rules_):
        assert rule.value[0] == pytest.approx(y[all_fired == r].mean())
    assert set(fired) <= set(range(len(model.rules_)))
    assert model.to_text().count("\n") == len(model.rules_) - 1


def test_antecedent_dedup_and_support_match_plain_numpy():
    from glassbox.rules._antecedents import _supports, _unique, bits_to_rows

    rng = np.random.default_rng(8)
    # Few distinct values in few words: many duplicates and many equal hashes to sort out.
    bits = rng.integers(0, 4, size=(500, 3)).astype(np.uint64)
    bits[:, -1] &= np.uint64(0xFF)  # 136 rows: bits past the last row stay 0
    as_void = np.ascontiguousarray(bits).view(np.dtype((np.void, bits.shape[1] * 8))).ravel()
    np.testing.assert_array_equal(_unique(bits), np.sort(np.unique(as_void, return_index=True)[1]))
    rows = bits_to_rows(bits, 136)
    for weights in (np.full(136, 2.5), rng.random(136)):
        np.testing.assert_allclose(_supports(bits, weights, 1), rows @ weights, rtol=1e-12)


@pytest.mark.parametrize("hashes", ["colliding", "partly colliding"])
def test_dedup_survives_hash_collisions(hashes, monkeypatch):
    """Bitsets whose hashes collide without being equal are still told apart (the exact
    comparison within a run of equal hashes)."""
    from glassbox.rules import _antecedents

    rng = np.random.default_rng(9)
    bits = rng.integers(0, 3, size=(60, 2)).astype(np.uint64)
    as_void = np.ascontiguousarray(bits).view(np.dtype((np.void, 16))).ravel()
    expected = np.sort(np.unique(as_void, return_index=True)[1])
    true_hashes = _antecedents._bitset_hashes

    def fake(b):  # still a function of the bitset: equal bitsets, equal hashes
        out = true_hashes(b)
        out[:, (b[:, 0] % 2 == 0) | (hashes == "colliding")] = 7  # one run of unequal bitsets
        return out

    monkeypatch.setattr(_antecedents, "_bitset_hashes", fake)
    np.testing.assert_array_equal(_antecedents._unique(bits), expected)


def test_nested_partners_are_subsets_or_supersets():
    """The search drops a rule capturing as much as a nested partner: that is only sound if
    every partner's rows contain the rule's or lie within them."""
    from glassbox.rules._antecedents import bits_to_rows, mine_antecedents

    rng = np.random.default_rng(9)
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.integers(0, 30, 400).astype(float),
                      "c": pd.Categorical(rng.choice(list("xyz"), 400))})
    X.loc[::13, "a"] = np.nan
    model = RuleListClassifier()
    binned = model._fit_bins(X)
    ants = mine_antecedents(binned, np.ones(400), max_card=2, min_support=0.01, max_thresholds=8, n_threads=1)
    rows = bits_to_rows(ants.bits, 400)
    checked = 0
    for a, partners in enumerate(ants.nested):
        for b in partners[partners >= 0]:
            assert b < a
            inside, outside = rows[a] & ~rows[b], rows[b] & ~rows[a]
            assert not inside.any() or not outside.any(), (a, b)
            checked += 1
    assert checked > len(ants.conditions) // 2
