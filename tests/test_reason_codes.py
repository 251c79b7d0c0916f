"""Reason codes are exact functions of the fitted structure (explain/_reasons.py's definitions)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import glassbox as gb
from glassbox.explain import _gam, _rule_list, _tree
from tests.credit_data import credit

FAST = dict(outer_bags=2, random_state=0)


def _data(n=1500, seed=0):
    return credit(n, seed, pair=0.8)


def _quiet(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


def _event_raw(model, X):
    """The raw score toward the event, computed from the public predictions only."""
    if hasattr(model, "predict_proba") and len(model.classes_) == 2:
        k = list(model.classes_).index(model.pos_label if model.pos_label is not None else model.classes_[1])
        p = model.predict_proba(X)
        return np.log(p[:, k]) - np.log(p[:, 1 - k])
    return model.predict_raw(X)


@pytest.mark.parametrize("pos_label", [None, "Bad"])
@pytest.mark.parametrize("reference", ["best", "mean"])
def test_gam_gaps_add_up_to_the_score_against_the_reference(pos_label, reference):
    X, y, _ = _data()
    model = _quiet(gb.GAMClassifier(**FAST, interactions=3, pos_label=pos_label), X, y)
    assert sum(t.is_pair for t in model.terms_) == 3
    codes = model.binner_.transform(X)
    column = list(model.classes_).index(pos_label or "Good")
    gaps, _, unit = _gam.reason_gaps(model, codes, column, reference)
    sign = 1 if column == 1 else -1
    # The reference's raw score: the intercept plus each term's best score (the lowest toward the
    # event that 5% of the training weight reaches); or the intercept alone (tables centred).
    reference_raw = sign * model.intercept_
    if reference == "best":
        reference_raw += sum(_best_score(sign * t.scores, t.bin_weights) for t in model.terms_)
    assert np.allclose(gaps.sum(axis=1), _event_raw(model, X) - reference_raw, rtol=0, atol=1e-9)
    assert unit == f"the log-odds of class {pos_label or 'Good'!r}"
    # A main effect's share is its own table's: with no pair on a feature, its gap is exactly it.
    contributions = model.eval_terms(X) * sign
    paired = {f for t in model.terms_ if t.is_pair for f in t.features}
    for j in set(range(X.shape[1])) - paired:
        term = model.terms_[j]
        lowest = _best_score(sign * term.scores, term.bin_weights) if reference == "best" else 0.0
        assert np.allclose(gaps[:, j], contributions[:, j] - lowest, rtol=0, atol=1e-12)


def _best_score(scores, weights, share=0.05):
    """Slow twin of the best reference: walk the bins from the lowest score up until ``share``
    of the training weight is covered."""
    pairs = sorted(zip(np.ravel(scores), np.ravel(weights)), key=lambda p: p[0])
    total, covered = float(np.sum(weights)), 0.0
    for score, weight in pairs:
        covered += weight
        if covered >= share * total:
            return score
    raise AssertionError("no weight")


def test_the_best_reference_ignores_a_few_rows_in_an_extreme_bin():
    """A bin of 16 rows (0.4% of the weight) scoring far below the rest, as a noisy edge bin does,
    must not become every row's reference."""
    rng = np.random.RandomState(1)
    X = pd.DataFrame({"x": rng.uniform(0, 100, 4000)})
    y = np.where(rng.uniform(size=4000) < 1 / (1 + np.exp(-(X["x"] - 50) / 15)), "Bad", "Good")
    model = _quiet(gb.GAMClassifier(**FAST, interactions=0, pos_label="Bad"), X, y)
    term = model.terms_[0]
    scores = term.scores.copy()
    spike = int(np.argmax(scores[:term.bins[0].n_bins]))  # toward 'Good' = least toward 'Bad'
    assert term.bin_weights[spike] < 0.01 * term.bin_weights.sum()
    scores[spike] += 10.0  # its log-odds of 'Bad' fall by 10
    edited = _with_terms(model, [type(term)(term.features, term.bins, term.code_maps, scores,
                                             term.standard_errors, term.bin_weights)])
    row = pd.DataFrame({"x": [90.0]})
    reasons = edited.reason_codes(row, n=1)
    toward_bad = -scores
    reference = _best_score(toward_bad, term.bin_weights)
    assert reference > toward_bad[spike] + 5  # the spike is not the reference
    assert reasons["gap"].iloc[0] == pytest.approx(
        toward_bad[term.cells(model.binner_.transform(row))][0] - reference, abs=1e-12)
    assert reasons["reference"].iloc[0] != term.bins[0].bin_label(spike)


def test_a_pair_is_shared_by_shapley_values():
    """Efficiency, symmetry and the dummy axiom on a hand-made pair table."""
    X, y, _ = _data(600)
    model = _quiet(gb.GAMClassifier(**FAST, interactions=[("util", "region")]), X, y)
    pair = model.terms_[-1]
    codes = model.binner_.transform(X)
    for scores in (pair.scores, np.broadcast_to(pair.scores[:, :1], pair.scores.shape).copy()):
        edited = [*model.terms_[:-1], type(pair)(pair.features, pair.bins, pair.code_maps, scores,
                                                  pair.standard_errors, pair.bin_weights)]
        only_pair = _with_terms(model, edited[-1:])
        gaps, _, _ = _gam.reason_gaps(only_pair, codes, 1, "best")
        a, b = pair.cells(codes)
        assert np.allclose(gaps[:, 1] + gaps[:, 2], scores[a, b] - _best_score(scores, pair.bin_weights),
                           rtol=0, atol=1e-12)
        if np.all(scores == scores[:, :1]):  # depends on util alone: region gets nothing
            assert np.all(gaps[:, 2] == 0)


def _with_terms(model, terms):
    import copy

    clone = copy.copy(model)
    clone.terms_ = terms
    return clone


def _representatives(feature, seen_codes):
    """A raw value falling in each code (what-if through the public predict path)."""
    values = []
    for code in seen_codes:
        if code == feature.missing_code:
            values.append(np.nan)
        elif feature.is_categorical:
            values.append(feature.levels[code])
        else:
            t = feature.thresholds
            values.append(t[code] if code < len(t) else t[-1] + 1.0)
    return values


_WHAT_IF = {"rules-Good": (gb.RuleListClassifier(max_card=2), "Good"),
            "rules-Bad": (gb.RuleListClassifier(max_card=2, pos_label="Bad"), "Bad"),
            "tree-Good": (gb.ShallowTreeClassifier(max_depth=3), "Good"),
            "tree-Bad": (gb.ShallowTreeClassifier(max_depth=3, pos_label="Bad"), "Bad"),
            "tree_reg": (gb.ShallowTreeRegressor(max_depth=2), None), "rules_reg": (gb.RuleListRegressor(), None)}


@pytest.mark.parametrize("reference", ["best", "mean"])
@pytest.mark.parametrize("case", list(_WHAT_IF))
def test_what_if_gaps_match_predictions_on_changed_rows(case, reference):
    X, y, logit = _data(800)
    estimator, event = _WHAT_IF[case]
    classifier = event is not None
    model = _quiet(clone(estimator), X, y if classifier else logit)
    X_test = X.iloc[:40].reset_index(drop=True)
    reasons = model.reason_codes(X_test, n=X.shape[1], reference=reference)
    column = list(model.classes_).index(event) if classifier else None
    predict = (lambda Z: model.predict_proba(Z)[:, column]) if classifier else model.predict
    now = predict(X_test)
    adapter = _rule_list if isinstance(model, (gb.RuleListClassifier, gb.RuleListRegressor)) else _tree
    gaps, _, unit = adapter.reason_gaps(model, model.binner_.transform(X_test), column, reference)
    assert unit == (f"the probability of {event!r}" if classifier else "the prediction")
    for j, feature in enumerate(model.binner_.features_):
        outcomes = []
        for value in _representatives(feature, np.flatnonzero(feature.counts > 0)):
            changed = X_test.copy()
            changed[feature.name] = pd.Series([value] * len(changed), dtype=X_test[feature.name].dtype)
            outcomes.append(predict(changed))
        weights = feature.counts[feature.counts > 0]
        if reference == "best":
            against = [_best_score(column_outcomes, weights) for column_outcomes in np.array(outcomes).T]
        else:
            against = np.average(np.array(outcomes), axis=0, weights=weights)
        assert np.allclose(gaps[:, j], now - against, rtol=0, atol=1e-12), feature.name
    # The frame lists the positive gaps, largest first, as the adapter computed them.
    for i in range(len(X_test)):
        expected = sorted([g for g in gaps[i] if g > 0], reverse=True)
        shown = reasons.loc[i]["gap"].tolist() if i in reasons.index.get_level_values(0) else []
        assert shown == pytest.approx(expected, abs=0)
    if reference == "mean":
        assert set(reasons["reference"]) <= {"the training average"}
    else:
        assert "the training average" not in set(reasons["reference"])


def test_a_gam_reference_names_the_pairs_a_feature_shares():
    """Under "best", a feature's gap holds shares of its pair terms, measured against their best
    cells: the reference says so, and a feature only in a pair is never said to be measured
    against the training average."""
    X, y, _ = _data()
    model = _quiet(gb.GAMClassifier(**FAST, interactions=[("util", "region")], pos_label="Bad"), X, y)
    pair_only = model.remove_terms(["util"])
    reasons = pair_only.reason_codes(X.head(200), n=4)
    util = reasons[reasons["feature"] == "util"]
    assert len(util) > 0 and set(util["reference"]) == {"the best cells of its 1 pair term"}
    region = reasons[reasons["feature"] == "region"]["reference"]
    assert len(region) > 0 and all(r.startswith("region ") and r.endswith("(and the best cells of its 1 pair term)")
                                   for r in region)
    score = reasons[reasons["feature"] == "score"]["reference"]
    assert len(score) > 0 and all(r.startswith("score > ") and "pair" not in r for r in score)
    assert not any("average" in r for r in reasons["reference"])


def test_the_frame_ranks_at_most_n_positive_gaps():
    X, y, _ = _data()
    model = _quiet(gb.GAMClassifier(**FAST, pos_label="Bad"), X, y)
    reasons = model.reason_codes(X.head(30), n=2)
    assert list(reasons.columns) == ["feature", "value", "bin", "gap", "reference", "text"]
    assert reasons.attrs == {"unit": "the log-odds of class 'Bad'", "reference": "best", "event": "Bad"}
    for _, group in reasons.groupby(level="row"):
        assert 1 <= len(group) <= 2 and (group["gap"] > 0).all()
        assert list(group.index.get_level_values("rank")) == list(range(1, len(group) + 1))
        assert group["gap"].is_monotonic_decreasing
    first = reasons.iloc[0]
    assert first["text"].startswith(f"{first['feature']} = ") and "to the log-odds of class 'Bad' against" in first["text"]


def test_the_best_reference_is_the_event_free_end_of_a_monotone_term():
    X, y, _ = _data()
    model = _quiet(gb.GAMClassifier(**FAST, pos_label="Bad", monotonic_cst={"score": -1}, interactions=0), X, y)
    reasons = model.reason_codes(X.head(50), n=4)
    score = reasons[reasons["feature"] == "score"]
    assert len(score) > 0 and score["reference"].str.startswith("score > ").all()


def test_multiclass_needs_an_event_and_regressors_have_none():
    X, y, logit = _data(600)
    y3 = np.where(logit > 1, "high", np.where(logit > -1, "mid", "low"))
    model = _quiet(gb.GAMClassifier(**FAST, interactions=0), X, y3)
    with pytest.raises(ValueError, match=r"multiclass model has no single event: name the class .* \['high', 'low', 'mid'\]"):
        model.reason_codes(X.head())
    reasons = model.reason_codes(X.head(), event="high")
    assert reasons.attrs["unit"] == "the logit of class 'high'"
    with pytest.raises(ValueError, match="event='top' is not a class"):
        model.reason_codes(X.head(), event="top")
    regressor = _quiet(gb.GAMRegressor(**FAST, interactions=0), X, logit)
    with pytest.raises(ValueError, match="regressor's reasons are toward a higher prediction"):
        regressor.reason_codes(X.head(), event="high")
    assert regressor.reason_codes(X.head()).attrs["unit"] == "the mean"


@pytest.mark.parametrize("bad, message", [({"n": 0}, "n must be a positive integer"),
                                          ({"n": 2.5}, "n must be a positive integer"),
                                          ({"reference": "median"}, "reference must be one of")])
def test_bad_arguments_are_refused(bad, message):
    X, y, _ = _data(300)
    model = _quiet(gb.ShallowTreeClassifier(max_depth=2), X, y)
    with pytest.raises(ValueError, match=message):
        model.reason_codes(X.head(), **bad)


def test_a_distilled_model_gives_its_students_reasons():
    from sklearn.ensemble import RandomForestClassifier

    X, y, _ = _data(800)
    Xn = pd.get_dummies(X, columns=["region"]).fillna(-1)
    teacher = RandomForestClassifier(n_estimators=20, random_state=0).fit(Xn, y)
    distilled = _quiet(gb.DistilledClassifier(teacher=teacher, student=gb.ShallowTreeClassifier(max_depth=2),
                                              random_state=0), Xn, y)
    assert distilled.reason_codes(Xn.head(10)).equals(distilled.student_.reason_codes(Xn.head(10)))


@pytest.mark.parametrize("estimator", [gb.GAMClassifier(**FAST, interactions=0), gb.ShallowTreeClassifier(max_depth=2)],
                         ids=["gam", "tree"])
def test_arrays_give_the_same_reasons_as_frames(estimator):
    X, y, _ = _data(600)
    numeric = X.drop(columns=["region"])
    on_frame = _quiet(clone(estimator), numeric, y).reason_codes(numeric.head(20))
    on_array = _quiet(clone(estimator), numeric.to_numpy(), y).reason_codes(numeric.head(20).to_numpy())
    assert on_frame["gap"].tolist() == on_array["gap"].tolist()
    np.testing.assert_array_equal(on_frame["value"].astype(float), on_array["value"].astype(float))  # NaN alike
    assert set(on_array["feature"]) <= {"x0", "x1", "x2"}
