"""An empty rule list warns, and what its warning says would give rules does give them."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import glassbox as gb
from glassbox.rules import EmptyRuleListWarning
from tests.twins import class_loss_naive


def _fit(estimator, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, y)
    return estimator, [str(w.message) for w in caught if issubclass(w.category, EmptyRuleListWarning)]


def _rare_positives(n=5000, seed=0):
    """8% positives: 30% risk above a = 0.8, 2% below. No rule changes a majority."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 1, n)})
    y = (rng.uniform(size=n) < np.where(X["a"] > 0.8, 0.30, 0.02)).astype(int)
    return X, y


def test_rare_positives_point_to_the_log_loss_and_balanced_class_weights_which_give_rules():
    X, y = _rare_positives()
    model, messages = _fit(gb.RuleListClassifier(criterion="misclassification"), X, y)
    assert len(model.rules_) == 1 and len(messages) == 1
    message = messages[0]
    assert message.startswith("the rule list is empty (the default rule alone): no one-condition rule lowers the "
                              "training error at all. Misclassification cannot see")
    assert "with criterion='log_loss' the best one-condition rule, IF a <= 0." in message
    assert ", or with class_weight='balanced' the best one-condition rule, IF a <= 0." in message
    for fix in ({"criterion": "log_loss"}, {"criterion": "misclassification", "class_weight": "balanced"}):
        fixed, again = _fit(gb.RuleListClassifier(**fix), X, y)
        assert len(fixed.rules_) > 1 and not again, fix


def _brute_force_gain(X, y, w, conditions, criterion="misclassification"):
    """Slow twin: the best one-rule list's loss reduction, rule by rule."""
    best = 0.0
    pseudo = w.mean()
    empty = class_loss_naive(y, w, 2, criterion, pseudo)[0]
    for cs in conditions:
        rows = gb.rules.Rule(tuple(cs), None, None).evaluate(X)
        error = sum(class_loss_naive(y[part], w[part], 2, criterion, pseudo)[0] for part in (rows, ~rows) if part.any())
        best = max(best, (empty - error) / w.sum())
    return best


@pytest.mark.parametrize("criterion", ["log_loss", "misclassification"])
def test_a_high_c_names_the_gain_and_c_below_it_gives_rules(criterion):
    rng = np.random.RandomState(1)
    X = pd.DataFrame({"a": rng.uniform(0, 1, 3000), "b": rng.normal(size=3000)})
    y = (rng.uniform(size=3000) < np.where(X["a"] > 0.6, 0.75, 0.3)).astype(int)
    model, messages = _fit(gb.RuleListClassifier(c=0.5, criterion=criterion), X, y)
    assert len(model.rules_) == 1 and len(messages) == 1
    gain = float(re.search(r"lowers the training error by ([0-9.e-]+), not more than c=0.5", messages[0]).group(1))
    assert f"c below {gain:.4g} gives rules" in messages[0]
    # The gain is the best one-rule list's over the mined one-condition candidates.
    from glassbox.rules._antecedents import mine_antecedents

    binned = model.binner_.bin(X)
    antecedents = mine_antecedents(binned, np.ones(len(y)), max_card=model.max_card, min_support=model.c_,
                                   max_thresholds=model.max_thresholds, n_threads=1)
    singles = [antecedents.conditions[a] for a in range(antecedents.n_single)]
    assert gain == pytest.approx(_brute_force_gain(binned.codes, y, np.ones(len(y)), singles, criterion), rel=1e-3)
    lower, again = _fit(gb.RuleListClassifier(c=gain * 0.9, criterion=criterion), X, y)
    assert len(lower.rules_) > 1 and not again


def test_no_signal_says_nothing_helps():
    # A two-valued feature whose two halves hold exactly 10% positives each: no rule on it
    # changes anything, weighed alike or not.
    a = np.repeat([0.0, 1.0], 1000)
    y = np.tile(np.r_[np.ones(100, dtype=int), np.zeros(900, dtype=int)], 2)
    X = pd.DataFrame({"a": a})
    model, messages = _fit(gb.RuleListClassifier(criterion="misclassification"), X, y)
    assert len(model.rules_) == 1 and len(messages) == 1
    assert "not even with class_weight='balanced': the features do not separate the classes here" in messages[0]
    model, messages = _fit(gb.RuleListClassifier(), X, y)  # the log loss sees no gain either
    assert len(model.rules_) == 1 and messages == [
        "the rule list is empty (the default rule alone): no one-condition rule lowers the training error at all."]


def test_a_regressor_with_a_high_c_names_the_gain():
    rng = np.random.RandomState(3)
    X = pd.DataFrame({"a": rng.uniform(0, 1, 2000)})
    y = np.where(X["a"] > 0.5, 1.0, 0.0) + rng.normal(scale=2.0, size=2000)
    model, messages = _fit(gb.RuleListRegressor(c=0.9, min_support=0.05), X, y)
    assert len(model.rules_) == 1 and len(messages) == 1
    gain = float(re.search(r"lowers the training error by ([0-9.e-]+)", messages[0]).group(1))
    lower, again = _fit(gb.RuleListRegressor(c=gain * 0.9, min_support=0.05), X, y)
    assert len(lower.rules_) > 1 and not again
    # A large offset changes nothing (the sums of squares are of the centred target).
    _, offset = _fit(gb.RuleListRegressor(c=0.9, min_support=0.05), X, y + 1e9)
    assert len(offset) == 1 and f"lowers the training error by {gain:.4g}, not more than" in offset[0]


def test_a_list_with_rules_does_not_warn():
    X, y = _rare_positives()
    _, messages = _fit(gb.RuleListClassifier(class_weight="balanced"), X, y)
    assert messages == []


def test_the_advice_stays_within_the_time_limit(monkeypatch):
    """Saying why the list is empty examines one-condition rules only, and stops at the fit's
    deadline. Binning and mining 4,000 x 600 already take longer than the 0.5 s limit, so the
    advice, timed alone, must return at once (loose bound: a busy machine); examining all 13,800
    candidates takes seconds."""
    import time

    from glassbox.rules import _rulelist

    real_advice, spent = _rulelist.empty_list_advice, []

    def timed(*args, **kwargs):
        start = time.perf_counter()
        out = real_advice(*args, **kwargs)
        spent.append(time.perf_counter() - start)
        return out

    monkeypatch.setattr(_rulelist, "empty_list_advice", timed)
    rng = np.random.RandomState(4)
    X = rng.normal(size=(4000, 600))
    y = rng.randint(0, 2, 4000)
    model, messages = _fit(gb.RuleListClassifier(c=0.9, max_card=1, min_support=0.01, time_limit=0.5), X, y)
    assert len(spent) == 1 and spent[0] < 0.5
    assert len(model.rules_) == 1 and len(messages) == 1

