"""The modelled event (``pos_label``) and the warning when a monotone constraint fights the data."""

import warnings

import numpy as np
import pandas as pd
import pytest

import glassbox as gb
from glassbox import GAMClassifier

FAST = dict(outer_bags=2, interactions=0, random_state=0)


def _credit(n=3000, seed=0):
    """More score, less risk of 'Bad': the score's effect on the log-odds of 'Bad' falls."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"score": rng.uniform(300, 850, n), "utilisation": rng.uniform(0, 1, n),
                      "region": rng.choice(["north", "south", "east"], n)})
    logit = -(X["score"] - 575) / 80 + 1.5 * X["utilisation"]
    y = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-logit)), "Bad", "Good")
    return X, y


def _fit(**params):
    X, y = _credit()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = GAMClassifier(**FAST, **params).fit(X, y)
    return model, X, [str(w.message) for w in caught if "flattened" in str(w.message)]


def test_the_event_changes_the_views_not_the_predictions():
    plain, X, _ = _fit()
    bad, _, _ = _fit(pos_label="Bad")
    assert list(bad.classes_) == ["Bad", "Good"]  # scikit-learn's sorted order, whatever the event
    assert np.array_equal(plain.predict_proba(X), bad.predict_proba(X))
    assert np.array_equal(plain.decision_function(X), bad.decision_function(X))
    assert "log-odds of class 'Good'" in plain.to_text()
    assert "log-odds of class 'Bad'" in bad.to_text() and "'Good'" not in bad.to_text().splitlines()[0]
    # Every score shown is the fitted one with its sign changed: the log-odds of 'Bad'.
    assert np.array_equal(bad.to_frame()["score"], -plain.to_frame()["score"])
    account = bad.explain_local(X.head(50)).to_frame()
    assert np.allclose(account.sum(axis=1), -bad.decision_function(X.head(50)), rtol=0, atol=1e-12)
    assert np.allclose(account.sum(axis=1), np.log(bad.predict_proba(X.head(50))[:, 0] /
                                                     bad.predict_proba(X.head(50))[:, 1]), atol=1e-9)
    shown = bad.explain_global().data(0)["scores"]
    assert np.array_equal(shown, -plain.explain_global().data(0)["scores"])


def test_a_constraint_reads_the_event():
    """+1 on the log-odds of 'Bad' is -1 on those of 'Good': the same model, bit for bit."""
    on_bad, X, _ = _fit(pos_label="Bad", monotonic_cst={"score": -1})
    on_good, _, _ = _fit(monotonic_cst={"score": 1})
    assert np.array_equal(on_bad.predict_proba(X), on_good.predict_proba(X))
    # On a dense grid, the event's probability never rises with the score.
    grid = pd.DataFrame({"score": np.linspace(200, 950, 2001), "utilisation": 0.5, "region": "north"})
    p_bad = on_bad.predict_proba(grid)[:, list(on_bad.classes_).index("Bad")]
    assert np.all(np.diff(p_bad) <= 0) and p_bad[0] > p_bad[-1]


@pytest.mark.parametrize("pos_label, cst, warned", [(None, -1, True), (None, 1, False),
                                                     ("Bad", 1, True), ("Bad", -1, False)])
def test_a_constraint_that_flattens_a_strong_term_warns(pos_label, cst, warned):
    model, _, messages = _fit(pos_label=pos_label, monotonic_cst={"score": cst})
    assert bool(messages) == warned, messages
    if warned:
        event = "Bad" if pos_label else "Good"
        message = messages[0]
        assert f"monotonic_cst={cst:+d} on 'score' flattened its term" in message
        assert f"log-odds of class '{event}'" in message and f"use {-cst:+d}" in message
        # Both importances, as the model and a free fit give them.
        kept = float(message.split("importance ")[1].split(" with")[0])
        free = float(message.split("against ")[1].split(" without")[0])
        assert kept == pytest.approx(model.term_importances()["score"], rel=1e-2, abs=1e-3)
        free_model, _, _ = _fit(pos_label=pos_label)
        assert free == pytest.approx(free_model.term_importances()["score"], rel=0.2)
        assert free > 10 * kept


def test_the_check_does_not_change_the_model(monkeypatch):
    """The free comparison bag is fitted beside the model, from the first bag's starting scores:
    the constrained model is the one fitted without the check, bit for bit."""
    X, y = _credit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checked = GAMClassifier(**{**FAST, "interactions": 2}, monotonic_cst={"score": -1}).fit(X, y)
        monkeypatch.setattr(GAMClassifier, "_warn_if_flattened", lambda *args: None)
        unchecked = GAMClassifier(**{**FAST, "interactions": 2}, monotonic_cst={"score": -1}).fit(X, y)
    assert len(checked.terms_) == len(unchecked.terms_) == 4  # a pair: constrained features pair with none
    for a, b in zip(checked.terms_, unchecked.terms_):
        assert np.array_equal(a.scores, b.scores) and np.array_equal(a.standard_errors, b.standard_errors)
    assert checked.intercept_ == unchecked.intercept_


def test_pos_label_survives_the_model_file(tmp_path):
    model, X, _ = _fit(pos_label="Bad")
    gb.save(model, tmp_path / "m.json")
    loaded = gb.load(tmp_path / "m.json")
    assert loaded.pos_label == "Bad"
    assert loaded.to_text() == model.to_text()
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_bad_pos_label_is_refused():
    X, y = _credit(300)
    with pytest.raises(ValueError, match=r"pos_label='bad' is not a class of y; the classes are \['Bad', 'Good'\]"):
        GAMClassifier(**FAST, pos_label="bad").fit(X, y)
    y3 = np.array(["a", "b", "c"] * 100)
    with pytest.raises(ValueError, match="names the event of a binary classifier, but y has 3 classes"):
        GAMClassifier(**FAST, pos_label="a").fit(X, y3)


def test_numeric_labels_name_the_event():
    X, y = _credit(600)
    y01 = (y == "Bad").astype(int)
    model = GAMClassifier(**FAST, pos_label=0).fit(X, y01)
    assert "log-odds of class 0" in model.to_text()
    with pytest.raises(ValueError, match="pos_label=True is not a class of y"):
        GAMClassifier(**FAST, pos_label=True).fit(X, y01)


def test_a_trees_constraint_reads_its_event():
    X, y = _credit(2000)
    on_bad = gb.ShallowTreeClassifier(max_depth=2, pos_label="Bad", monotonic_cst={"score": -1}).fit(X, y)
    on_good = gb.ShallowTreeClassifier(max_depth=2, monotonic_cst={"score": 1}).fit(X, y)
    assert np.array_equal(on_bad.predict_proba(X), on_good.predict_proba(X))
    assert list(on_bad.monotonic_cst_) == [-1, 0, 0]  # as given: on the event's probability
    grid = pd.DataFrame({"score": np.linspace(200, 950, 1501), "utilisation": 0.5, "region": "north"})
    p_bad = on_bad.predict_proba(grid)[:, 0]
    assert np.all(np.diff(p_bad) <= 0) and p_bad[0] > p_bad[-1]
    with pytest.raises(ValueError, match="pos_label='bad' is not a class of y"):
        gb.ShallowTreeClassifier(max_depth=1, pos_label="bad").fit(X, y)
    # The reason codes and the report read the same event.
    assert on_bad.reason_codes(X.head(3)).attrs["event"] == "Bad"


def test_the_event_is_fixed_at_fit():
    """set_params(pos_label=...) after fitting changes no view: the constraints were applied for
    the event the fit saw, and the views read that one (pos_label_) until the next fit."""
    model, X, _ = _fit(pos_label="Bad", monotonic_cst={"score": -1})
    text, reasons = model.to_text(), model.reason_codes(X.head(20))
    model.set_params(pos_label="Good")
    assert model.pos_label_ == "Bad"
    assert model.to_text() == text and model.reason_codes(X.head(20)).equals(reasons)
    model.set_params(pos_label="neither")
    assert model.to_text() == text  # no refit, no error: the fitted event stands


def test_a_distilled_gam_reads_its_constraint_on_the_event():
    """A distilled GAM student with pos_label = classes_[0] fits the teacher's log-odds of that
    class with the constraint as given: monotone the way the user said, on a grid."""
    from sklearn.ensemble import RandomForestClassifier

    X, y = _credit(1500)
    Xn = pd.get_dummies(X, columns=["region"], dtype=float)
    teacher = RandomForestClassifier(n_estimators=30, random_state=0).fit(Xn, y)
    student = GAMClassifier(**FAST, pos_label="Bad", monotonic_cst={"score": -1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        distilled = gb.DistilledClassifier(teacher=teacher, student=student, random_state=0).fit(Xn, y)
    grid = pd.DataFrame({"score": np.linspace(250, 900, 1001), "utilisation": 0.5, "region_east": 0.0,
                         "region_north": 1.0, "region_south": 0.0})
    p_bad = distilled.predict_proba(grid[Xn.columns])[:, 0]
    assert np.all(np.diff(p_bad) <= 1e-12) and p_bad[0] > p_bad[-1] + 0.2
    assert distilled.student_.pos_label_ == "Bad"
    assert "log-odds of class 'Bad'" in distilled.to_text()
