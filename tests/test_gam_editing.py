"""Editing a fitted GAM (remove_terms, monotonize, scale) and capping its terms (max_terms): the
edited model is consistent, survives its model file bit for bit, and exports as it predicts."""

import warnings

import numpy as np
import pandas as pd
import pytest

import glassbox as gb
from tests.credit_data import credit
from tests.test_codegen import _assert_close, _exec_python, _rows, _run_sql

FAST = dict(outer_bags=2, random_state=0)


def _credit(n=2000, seed=0):
    X, y, _ = credit(n, seed, wiggle=0.3)
    return X, y


@pytest.fixture(scope="module")
def model():
    X, y = _credit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gb.GAMClassifier(**FAST, interactions=3, pos_label="Bad").fit(X, y), X


def _centred(term):
    return abs((term.scores * term.bin_weights).sum()) <= 1e-12 * max(1.0, np.abs(term.scores).max()) * term.bin_weights.sum()


def _survives_file_and_exports(edited, X, tmp_path):
    gb.save(edited, tmp_path / "edited.json")
    loaded = gb.load(tmp_path / "edited.json")
    assert np.array_equal(loaded.predict_proba(X), edited.predict_proba(X))
    assert np.array_equal(loaded.decision_function(X), edited.decision_function(X))
    out = _run_sql(edited, X, "sqlite")
    _assert_close(out.iloc[:, :-1], edited.predict_proba(X), edited)
    module = _exec_python(edited)
    _assert_close(module["predict_proba"](_rows(X)), edited.predict_proba(X), edited)


def test_remove_terms_drops_exactly_their_contributions(model, tmp_path):
    fitted, X = model
    before = [t.scores.copy() for t in fitted.terms_]
    names = ["noise", fitted.terms_[-1].name]
    edited = fitted.remove_terms(names)
    assert [t.name for t in edited.terms_] == [t.name for t in fitted.terms_ if t.name not in names]
    assert edited.intercept_ == fitted.intercept_
    contributions = fitted.eval_terms(X)
    dropped = [i for i, t in enumerate(fitted.terms_) if t.name in names]
    assert np.allclose(edited.decision_function(X),
                       fitted.decision_function(X) - contributions[:, dropped].sum(axis=1), rtol=0, atol=1e-12)
    assert all(np.array_equal(a, t.scores) for a, t in zip(before, fitted.terms_))  # the original is untouched
    assert "\nnoise  (importance" not in edited.to_text() and edited.term_importances().index.tolist() == [t.name for t in edited.terms_]
    _survives_file_and_exports(edited, X, tmp_path)


def test_remove_terms_refuses_what_is_not_there(model):
    fitted, _ = model
    with pytest.raises(ValueError, match=r"'age' is not a term of the model; its terms are 'score', 'util'"):
        fitted.remove_terms("age")
    with pytest.raises(ValueError, match="term index 99 is out of range"):
        fitted.remove_terms([99])
    with pytest.raises(ValueError, match="keep at least one term"):
        fitted.remove_terms(list(range(len(fitted.terms_))))


def _pava(values, weights, increasing):
    """Slow twin: pool adjacent violators, weighted, on a list."""
    sign = 1 if increasing else -1
    blocks = []  # [mean, weight, count]
    for v, w in zip(values * sign, weights):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return sign * np.concatenate([[v] * n for v, _, n in blocks])


@pytest.mark.parametrize("direction", [-1, 1, "auto"])
def test_monotonize_is_the_weighted_isotonic_table_centred_again(model, direction, tmp_path):
    fitted, X = model
    edited = fitted.monotonize("util", direction)
    old, new = fitted.terms_[1], edited.terms_[1]
    bins = old.bins[0]
    values = slice(0, bins.n_bins)
    seen = old.bin_weights[values] > 0
    toward_bad = -old.scores[values]  # pos_label='Bad' = classes_[0]: the event's log-odds are the negated table
    resolved = direction if direction != "auto" else 1  # util raises the risk of 'Bad'
    expected = _pava(toward_bad[seen], old.bin_weights[values][seen], resolved > 0)
    shift = edited.intercept_ - fitted.intercept_
    assert np.allclose(-(new.scores[values][seen] + shift), expected, rtol=0, atol=1e-10)
    assert _centred(new)
    assert new.scores[bins.missing_code] + shift == pytest.approx(old.scores[bins.missing_code], abs=1e-12)
    assert new.scores[bins.unseen_code] == 0
    assert np.array_equal(new.standard_errors, old.standard_errors)
    # On a dense grid, the term's contribution to the event's log-odds never goes against the direction.
    grid = pd.DataFrame({"score": 575.0, "util": np.linspace(-0.5, 1.5, 3001), "region": "north", "noise": 0.0})
    toward = -edited.eval_terms(grid)[:, 1]
    assert np.all(np.diff(toward) * resolved >= 0)
    if resolved == 1:  # the way the data go: a real shape (against them, the isotonic table is flat)
        assert toward[0] < toward[-1]
    _survives_file_and_exports(edited, X, tmp_path)


def test_monotonize_refuses_terms_without_an_order(model):
    fitted, X = model
    with pytest.raises(ValueError, match="'region' is categorical"):
        fitted.monotonize("region")
    with pytest.raises(ValueError, match="is a pair"):
        fitted.monotonize(len(fitted.terms_) - 1)
    with pytest.raises(ValueError, match="direction must be 1, -1 or 'auto'"):
        fitted.monotonize("util", direction=2)


def test_scale_multiplies_one_term(model, tmp_path):
    fitted, X = model
    edited = fitted.scale("score", 0.5)
    assert np.array_equal(edited.terms_[0].scores, fitted.terms_[0].scores * 0.5)
    assert np.array_equal(edited.terms_[0].standard_errors, fitted.terms_[0].standard_errors * 0.5)
    assert np.allclose(edited.eval_terms(X)[:, 1:], fitted.eval_terms(X)[:, 1:], rtol=0, atol=0)
    assert _centred(edited.terms_[0])
    assert np.array_equal(fitted.scale(0, -2.0).terms_[0].standard_errors, fitted.terms_[0].standard_errors * 2.0)
    with pytest.raises(ValueError, match="factor must be a finite number"):
        fitted.scale("score", np.inf)
    _survives_file_and_exports(edited, X, tmp_path)


@pytest.mark.parametrize("max_terms", [1, 3, 5])
def test_max_terms_keeps_the_most_important_terms_refitted(max_terms, tmp_path):
    X, y = _credit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = gb.GAMClassifier(**FAST, interactions=3).fit(X, y)
        capped = gb.GAMClassifier(**FAST, interactions=3, max_terms=max_terms).fit(X, y)
    ranked = full.term_importances().sort_values(ascending=False, kind="stable")
    assert sorted(t.name for t in capped.terms_) == sorted(ranked.index[:max_terms])
    mains = [t.features[0] for t in capped.terms_ if not t.is_pair]
    assert mains == sorted(mains) and all(t.is_pair for t in capped.terms_[len(mains):])
    # Refitted: with a main effect dropped the others take up its part; with every main effect
    # kept their stage is the full fit's, bit for bit (only the pairs change).
    first = capped.terms_[0]
    same = np.array_equal(first.scores, next(t.scores for t in full.terms_ if t.name == first.name))
    assert same == (len(mains) == X.shape[1])
    assert all(_centred(t) for t in capped.terms_)
    _survives_file_and_exports(capped, X, tmp_path)
    # A feature with no term reads no column: the SQL says which it reads.
    used = {X.columns[j] for t in capped.terms_ for j in t.features}
    header = capped.to_sql().splitlines()[2]
    assert header.startswith("-- Reads the columns:") and all(name in header for name in used)
    assert all(name not in header for name in set(X.columns) - used)


def test_max_terms_is_checked():
    X, y = _credit(300)
    with pytest.raises(ValueError, match="max_terms"):
        gb.GAMClassifier(max_terms=0).fit(X, y)


def test_a_file_with_main_effects_out_of_order_is_refused(model):
    from glassbox.export import ModelFileError, from_dict, to_dict

    fitted, _ = model
    data = to_dict(fitted)
    terms = data["structure"]["terms"]
    terms[0], terms[1] = terms[1], terms[0]
    with pytest.raises(ModelFileError, match="main effects in increasing feature order"):
        from_dict(data)


def test_the_edit_command(model, tmp_path, capsys):
    from glassbox.cli import main

    fitted, X = model
    gb.save(fitted, tmp_path / "m.json")
    assert main(["edit", str(tmp_path / "m.json"), "--remove", "noise", "--monotonize", "util=+1",
                 "--scale", "score=0.5", "-o", str(tmp_path / "e.json")]) == 0
    expected = fitted.remove_terms(["noise"]).monotonize("util", 1).scale("score", 0.5)
    edited = gb.load(tmp_path / "e.json")
    assert np.array_equal(edited.predict_proba(X), expected.predict_proba(X))
    assert [t.name for t in edited.terms_] == [t.name for t in expected.terms_]
    for bad, message in ((["--remove", "age"], "'age' is not a term"), (["--scale", "score"], "expected TERM=FACTOR"),
                         (["--monotonize", "util=up"], "the direction is +1, -1 or auto"), ([], "nothing to do")):
        assert main(["edit", str(tmp_path / "m.json"), *bad, "-o", str(tmp_path / "x.json")]) == 1
        assert message in capsys.readouterr().err
