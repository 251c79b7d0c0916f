"""Scorecard points reproduce the model's odds and ranking; rounding's effect is measured."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import glassbox as gb
from glassbox.cli import main
from tests.credit_data import credit

FAST = dict(outer_bags=2, random_state=0)


def _credit(n=2000, seed=0):
    X, y, _ = credit(n, seed, round_score=True)
    return X, y


@pytest.fixture(scope="module")
def fitted():
    X, y = _credit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {label: gb.GAMClassifier(**FAST, interactions=2, pos_label=label).fit(X, y) for label in ("Bad", "Good")}, X, y


@pytest.mark.parametrize("event", ["Bad", "Good"])
@pytest.mark.parametrize("pdo, base_score, base_odds", [(20, 600, 50), (40, 500, 1), (15.5, 0, 0.25)])
def test_exact_points_are_the_odds_on_the_industry_scale(fitted, event, pdo, base_score, base_odds):
    models, X, _ = fitted
    model = models[event]
    card = model.to_scorecard(pdo=pdo, base_score=base_score, base_odds=base_odds)
    p = model.predict_proba(X)[:, list(model.classes_).index(event)]
    odds_not_event = (1 - p) / p
    expected = base_score + pdo / np.log(2) * (np.log(odds_not_event) - np.log(base_odds))
    assert np.allclose(card.score(X, rounded=False), expected, rtol=0, atol=1e-8)


def test_rounded_points_are_integers_adding_up_and_each_characteristic_starts_at_zero(fitted):
    models, X, _ = fitted
    model = models["Bad"]
    card = model.to_scorecard()
    assert len(card.points) == len(model.terms_) == 6
    for term, points, rounded in zip(model.terms_, card.points, card.points_rounded):
        assert rounded.dtype == np.int64 and np.array_equal(rounded, np.rint(points))
        assert points[term.bin_weights > 0].min() == 0.0
    codes = model.binner_.transform(X)
    by_hand = card.base_points_rounded + sum(r[t.cells(codes)] for t, r in zip(model.terms_, card.points_rounded))
    assert np.array_equal(card.score(X), by_hand)
    # The frame holds the same numbers: the base row, then every term's table cell by cell.
    frame = card.to_frame()
    assert frame["points_rounded"].iloc[0] == card.base_points_rounded
    assert np.array_equal(frame["points"].iloc[1:].to_numpy(), np.concatenate([p.reshape(-1) for p in card.points]))


def test_evaluate_reports_the_auc_before_and_after_rounding(fitted):
    models, X, y = fitted
    model = models["Bad"]
    card = model.to_scorecard(pdo=5)  # coarse points: rounding matters more
    effect = card.evaluate(X, y)
    is_bad = y == "Bad"
    assert effect["auc_exact"] == pytest.approx(roc_auc_score(is_bad, model.predict_proba(X)[:, 0]), abs=1e-12)
    assert effect["auc_rounded"] == roc_auc_score(is_bad, -card.score(X))
    assert effect["gini_rounded"] == pytest.approx(2 * effect["auc_rounded"] - 1)
    moved = np.abs(card.score(X) - card.score(X, rounded=False))
    assert effect["max_points_moved"] == moved.max() <= 0.5 * (len(card.points) + 1)


def test_the_card_survives_the_model_file(fitted, tmp_path):
    models, X, _ = fitted
    gb.save(models["Bad"], tmp_path / "m.json")
    loaded = gb.load(tmp_path / "m.json")
    assert loaded.to_scorecard().to_text() == models["Bad"].to_scorecard().to_text()
    assert np.array_equal(loaded.to_scorecard().score(X), models["Bad"].to_scorecard().score(X))


def test_text_shows_the_scaling_and_every_characteristic(fitted):
    text = fitted[0]["Bad"].to_scorecard().to_text()
    assert text.startswith("Scorecard: 20 points double the odds of not 'Bad'; 600 points at odds 50:1\nbase points: ")
    for name in ("\nscore\n", "\nutil\n", "\nregion\n", "missing"):
        assert name in text


def test_what_has_no_scorecard_is_refused():
    X, y = _credit(400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        multiclass = gb.GAMClassifier(**FAST, interactions=0).fit(X, np.where(X["score"] > 600, "a", y))
        rules = gb.RuleListClassifier().fit(X, y)
        regressor = gb.GAMRegressor(**FAST, interactions=0).fit(X, X["score"])
    for model, what in ((multiclass, "GAMClassifier with 3 classes"), (rules, "RuleListClassifier with 2"),
                        (regressor, "got GAMRegressor")):
        with pytest.raises(ValueError, match=f"needs a binary GAMClassifier .*{what}"):
            model.to_scorecard()
    model = gb.GAMClassifier(**FAST, interactions=0).fit(X, y)
    for bad in ({"pdo": 0}, {"base_odds": -1}, {"pdo": np.nan}, {"base_score": "600"}):
        with pytest.raises(ValueError, match="must be"):
            model.to_scorecard(**bad)
    with pytest.raises(ValueError, match="needs rows of both the event 'Good'"):
        model.to_scorecard().evaluate(X.head(5), ["Good"] * 5)


def test_the_command(fitted, tmp_path, capsys):
    models, X, y = fitted
    gb.save(models["Bad"], tmp_path / "m.json")
    X.assign(status=y).to_csv(tmp_path / "d.csv", index=False)
    assert main(["scorecard", str(tmp_path / "m.json"), "--pdo", "20", "--data", str(tmp_path / "d.csv"),
                 "--target", "status"]) == 0
    captured = capsys.readouterr()
    assert captured.out == models["Bad"].to_scorecard().to_text() + "\n"
    effect = models["Bad"].to_scorecard().evaluate(X, y)
    assert f"AUC {effect['auc_exact']:.4f} with exact points, {effect['auc_rounded']:.4f} with integer points" in captured.err
    assert main(["scorecard", str(tmp_path / "m.json"), "--format", "table", "-o", str(tmp_path / "t.csv")]) == 0
    table = pd.read_csv(tmp_path / "t.csv")
    assert table["points_rounded"].sum() == models["Bad"].to_scorecard().to_frame()["points_rounded"].sum()
    assert main(["scorecard", str(tmp_path / "m.json"), "--data", str(tmp_path / "d.csv")]) == 1
    assert "--data and --target go together" in capsys.readouterr().err


def test_the_report_shows_the_card_and_what_rounding_costs(fitted):
    from glassbox.report import render_report

    models, X, y = fitted
    page = render_report([("gam", models["Bad"]), ("rules", gb.RuleListClassifier(max_rules=2).fit(X, y))],
                         X=X.assign(extra=1), y=y)
    gam_part, rules_part = page.split('id="model-2"')
    assert gam_part.count("<h3>Scorecard points</h3>") == 1 and "Scorecard points" not in rules_part
    effect = models["Bad"].to_scorecard().evaluate(X, y)
    assert f"<td class=\"num\">{effect['auc_rounded']:.6g}</td>" in gam_part
    assert "20 points double the odds of not &#x27;Bad&#x27;" in gam_part
    without_data = render_report([models["Bad"]])
    assert "Scorecard points" in without_data and "AUC, integer points" not in without_data


def test_the_report_shows_na_for_a_one_class_hold_out_and_weights_the_auc(fitted):
    from glassbox.report import render_report

    models, X, y = fitted
    only_good = np.asarray(y) == "Good"
    page = render_report([models["Bad"]], X=X[only_good], y=y[only_good])
    assert "Scorecard points" in page and "n/a: one class" in page.split("Scorecard points")[1]
    weights = np.linspace(0.5, 2.0, len(y))
    weighted = models["Bad"].to_scorecard().evaluate(X, y, sample_weight=weights)
    assert weighted["auc_exact"] == pytest.approx(
        roc_auc_score(y == "Bad", models["Bad"].predict_proba(X)[:, 0], sample_weight=weights), abs=1e-12)
    page = render_report([models["Bad"]], X=X, y=y, sample_weight=weights)
    assert f"<td class=\"num\">{weighted['auc_rounded']:.6g}</td>" in page.split("Scorecard points")[1]
