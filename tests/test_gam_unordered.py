"""Unordered continuous main effects (``unordered_penalty``): which features are chosen, what
their steps do, and that the rest of the model is as before."""

import numpy as np
import pandas as pd
import pytest

import glassbox as gb
from benchmarks.unordered_stats import statistics
from glassbox._losses import classification_loss, regression_loss
from glassbox.gam import GAMClassifier, GAMRegressor
from glassbox.gam._unordered import dispersion


def _coded_category(seed, n=8000, n_codes=40):
    """A category stored as integer codes (each with its own effect) beside a smooth feature. At
    8,000 rows the statistic of the codes is above 8, twice the default penalty, for seeds 1 to 3
    (the first test checks it); the other tests check the choice they rely on."""
    rng = np.random.default_rng(seed)
    effect = rng.normal(0, 1.5, n_codes)
    code = rng.integers(0, n_codes, n)
    age = rng.uniform(20, 70, n)
    X = pd.DataFrame({"code": code, "age": age})
    logit = effect[code] + 0.08 * (age - 45)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y, effect


def _smooth_and_noise(seed, n=3000):
    """Strong smooth effects (monotone, U-shaped, a bump) and pure noise, continuous and integer."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "rising": rng.uniform(-3, 3, n),
        "u_shape": rng.uniform(-3, 3, n),
        "bump": rng.uniform(-3, 3, n),
        "noise": rng.normal(size=n),
        "noise_counts": rng.integers(0, 12, n),
    })
    signal = 1.5 * np.tanh(X["rising"]) + 0.4 * X["u_shape"] ** 2 - 1.5 + 2 * np.exp(-X["bump"] ** 2)
    return X, signal.to_numpy(), rng


@pytest.mark.parametrize("seed", range(1, 4))
def test_an_integer_coded_category_is_unordered_fitted_in_fewer_rounds_and_closer(seed):
    X, y, effect = _coded_category(seed)
    kw = dict(random_state=seed, interactions=0, outer_bags=2)
    unordered = GAMClassifier(**kw).fit(X, y)
    ordered = GAMClassifier(**kw, unordered_penalty=None).fit(X, y)
    names, stats, _ = statistics(X, y, classifier=True)
    assert names == ["code", "age"] and stats[0] > 8 and stats[1] < 1
    assert list(unordered.unordered_features_) == ["code"]
    assert list(ordered.unordered_features_) == []
    assert unordered.n_rounds_.sum() * 3 < ordered.n_rounds_.sum()
    shape = [np.corrcoef(m.terms_[0].scores[:len(effect)], effect)[0, 1] for m in (unordered, ordered)]
    assert shape[0] > 0.95 and shape[0] >= shape[1] - 0.01


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("task", ["binary", "squared_error", "poisson", "multiclass"])
def test_smooth_shapes_and_noise_stay_in_value_order(seed, task):
    X, signal, rng = _smooth_and_noise(seed)
    if task == "binary":
        model, y = GAMClassifier, (rng.random(len(X)) < 1 / (1 + np.exp(-signal))).astype(int)
    elif task == "multiclass":
        model, y = GAMClassifier, np.digitize(signal + rng.normal(0, 0.5, len(X)), [-0.5, 0.5])
    elif task == "poisson":
        model, y = GAMRegressor, rng.poisson(np.exp(0.5 * signal))
    else:
        model, y = GAMRegressor, signal + rng.normal(0, 0.5, len(X))
    kw = {"loss": task} if model is GAMRegressor else {}
    fitted = model(**kw, random_state=seed, interactions=0, outer_bags=1, max_rounds=1).fit(X, y)
    assert list(fitted.unordered_features_) == []


@pytest.mark.parametrize("rate", [0.5, 0.02])
def test_noise_scores_about_two_over_pi_per_bin(rate):
    """Over pure noise the best two-way grouping of m chi-square(1) terms is about 2m/pi of them
    (0.64 per bin), less what four runs in value order take: the figure unordered_penalty's
    documentation quotes for noise, and far below the default penalty of 4."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(20_000, 12))
    _, stats, _ = statistics(X, (rng.random(20_000) < rate).astype(int), classifier=True)
    assert 0.45 < stats.mean() < 0.8 and stats.max() < 1.2


def test_weights_rescaled_choose_the_same_features_and_uneven_weights_are_not_noise():
    """The test's unit is the loss's dispersion, so weights multiplied by any constant choose the
    same features; and weights that vary by 100x do not make noise look like a jumpy effect."""
    X, y, _ = _coded_category(5)
    X["noise"] = np.random.default_rng(1).normal(size=len(X))
    w = np.random.default_rng(2).uniform(0.05, 5, len(X))
    kw = dict(random_state=0, interactions=0, outer_bags=1, max_rounds=1)
    chosen = [list(GAMClassifier(**kw).fit(X, y, sample_weight=s * w).unordered_features_) for s in (1e-3, 1, 1e4)]
    assert chosen == [["code"]] * 3


@pytest.mark.parametrize("seed", range(5))
def test_dispersion_is_one_for_a_classifier_at_its_intercept(seed):
    """At the intercept (the class frequencies) the squared gradients add up to the hessians
    exactly: one unit of noise is one chi-square(1); a constant weight c makes it c."""
    rng = np.random.default_rng(seed)
    y = (rng.random(500) < rng.uniform(0.02, 0.5)).astype(float)
    y[:2] = [0, 1]
    loss = classification_loss(2)
    raw = np.full((len(y), 1), np.log(y.mean() / (1 - y.mean())))
    assert dispersion(*loss.gradients(raw, y, np.ones(len(y)))) == pytest.approx(1, rel=1e-12)
    assert dispersion(*loss.gradients(raw, y, np.full(len(y), 7.0))) == pytest.approx(7, rel=1e-12)
    residuals = rng.normal(0, 3, 1000)
    assert dispersion(*regression_loss("squared_error").gradients(
        np.zeros((1000, 1)), residuals, np.ones(1000))) == pytest.approx(np.mean(residuals ** 2))


def test_constrained_and_categorical_features_are_never_unordered():
    X, y, _ = _coded_category(3)
    fitted = GAMClassifier(random_state=0, interactions=0, outer_bags=1, max_rounds=1,
                           monotonic_cst={"code": 1}).fit(X, y)
    assert list(fitted.unordered_features_) == []
    fitted = GAMClassifier(random_state=0, interactions=0, outer_bags=1, max_rounds=1,
                           categorical_features=["code"]).fit(X, y)
    assert list(fitted.unordered_features_) == []


@pytest.mark.parametrize("value", [None, np.inf])
def test_no_penalty_keeps_every_feature_in_value_order(value):
    X, y, _ = _coded_category(4)
    fitted = GAMClassifier(random_state=0, interactions=0, outer_bags=1, max_rounds=1,
                           unordered_penalty=value).fit(X, y)
    assert list(fitted.unordered_features_) == []


@pytest.mark.parametrize("value", [-1.0, np.nan, "high", True])
def test_a_bad_penalty_is_a_clear_error(value):
    X, y, _ = _coded_category(4, n=200)
    with pytest.raises(ValueError, match=r"unordered_penalty must be a number >= 0, got"):
        GAMClassifier(unordered_penalty=value).fit(X, y)


def test_an_unordered_model_saves_loads_and_exports_as_it_predicts(tmp_path):
    """The chosen features survive the model file; predictions are bit-identical after loading,
    and the exported Python scores every row as the model does."""
    X, y, _ = _coded_category(6)
    X["code"] = X["code"].astype(float)
    X.loc[::17, "code"] = np.nan
    model = GAMClassifier(random_state=0, outer_bags=2).fit(X, y)
    assert list(model.unordered_features_) == ["code"]
    gb.save(model, tmp_path / "m.json")
    loaded = gb.load(tmp_path / "m.json")
    assert list(loaded.unordered_features_) == ["code"] and loaded.unordered_penalty == 4.0
    X_new = X.copy()
    X_new.loc[::5, "code"] += 0.5  # values between the training codes fall in their bins
    assert np.array_equal(loaded.predict_proba(X_new), model.predict_proba(X_new))
    namespace = {}
    exec(model.to_python(), namespace)
    scored = np.array(namespace["predict_proba"](X_new))
    np.testing.assert_allclose(scored, model.predict_proba(X_new), rtol=1e-12, atol=1e-15)


def test_the_report_notes_name_the_unordered_features():
    from glassbox.report._notes import model_notes

    X, y, _ = _coded_category(7)
    kw = dict(random_state=0, interactions=0, outer_bags=1, max_rounds=3)
    (note,) = [n for n in model_notes(GAMClassifier(**kw).fit(X, y)) if "unordered" in n]
    assert note.startswith("Boosted unordered: code. Its effect jumped") and "unordered_penalty=4" in note
    assert not [n for n in model_notes(GAMClassifier(**kw, unordered_penalty=None).fit(X, y)) if "unordered" in n]


@pytest.mark.parametrize("n_classes", [12, 200])
def test_noise_among_many_classes_stays_in_value_order(n_classes):
    """Every class has its own step and its own noise: with many rare classes the threshold adds
    up over them, so noise features are not unordered however many classes there are."""
    rng = np.random.default_rng(n_classes)
    X = pd.DataFrame({"noise": rng.normal(size=3000), "counts": rng.integers(0, 30, 3000)})
    y = rng.integers(0, n_classes, 3000)
    fitted = GAMClassifier(random_state=0, interactions=0, outer_bags=1, max_rounds=1).fit(X, y)
    assert list(fitted.unordered_features_) == []


def test_the_choice_stops_at_the_deadline():
    """Past the fit's deadline the features not yet tested stay in value order (the fit's time
    limit covers the choice too)."""
    from glassbox.binning import Binner
    from glassbox.gam._unordered import unordered_features

    X, y, _ = _coded_category(2)
    binner = Binner().fit(X)
    codes = np.asarray(binner.transform(X))
    loss = classification_loss(2)
    scores = np.full((len(y), 1), np.log(y.mean() / (1 - y.mean())))
    params = {"l2_regularization": 0.0, "min_hessian": 1e-3, "min_samples_leaf": 4}
    args = (codes, binner.features_, np.zeros(2), loss, scores, y.astype(float), np.ones(len(y)), params, 4.0)
    assert list(unordered_features(*args)) == [True, False]
    assert list(unordered_features(*args, deadline=0.0)) == [False, False]


def test_a_target_the_start_already_fits_has_nothing_to_test():
    """Gradients all 0 (one row, or a constant target) give no noise unit: every feature stays in
    value order, without dividing by that zero (the fuzz found it)."""
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "b": [1, 1, 2, 2, 3, 3]})
    fitted = GAMRegressor(outer_bags=1, max_rounds=5, interactions=0, random_state=0).fit(X, np.full(6, 2.5))
    assert list(fitted.unordered_features_) == []
    names, stats, _ = statistics(X, np.full(6, 2.5), classifier=False)
    assert np.isnan(stats).all()


def _weak_code_beside_a_strong_feature():
    """A category stored as integer codes, unordered, beside a smooth feature that matters more
    (seed 3 of this generator: the codes' statistic is above 12, the test checks it)."""
    rng = np.random.default_rng(3)
    n, n_codes = 20000, 20
    effect = rng.normal(0, 1.5, n_codes)
    X = pd.DataFrame({"code": rng.integers(0, n_codes, n), "strong": rng.uniform(-3, 3, n)})
    logit = effect[X["code"]] + 5 * np.tanh(X["strong"])
    return X, (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)


def test_unordered_features_lists_only_features_the_model_keeps():
    X, y = _weak_code_beside_a_strong_feature()
    assert statistics(X, y, classifier=True)[1][0] > 4
    kw = dict(random_state=0, interactions=0, outer_bags=2)
    both = GAMClassifier(**kw).fit(X, y)
    assert list(both.unordered_features_) == ["code"]
    # max_terms=1 keeps the strong feature alone: the codes are no longer part of the model.
    one = GAMClassifier(**kw, max_terms=1).fit(X, y)
    assert [t.name for t in one.terms_] == ["strong"] and list(one.unordered_features_) == []
    assert list(both.remove_terms("code").unordered_features_) == []
    assert list(both.remove_terms("strong").unordered_features_) == ["code"]
    assert list(both.unordered_features_) == ["code"]  # an edit leaves the original as it was


def test_a_model_pickled_before_unordered_features_loads_with_none(tmp_path):
    import pickle

    from glassbox.report._notes import model_notes

    X, y, _ = _coded_category(7)
    fitted = GAMClassifier(random_state=0, interactions=0, outer_bags=1, max_rounds=3).fit(X, y)
    assert list(fitted.unordered_features_) == ["code"]
    del fitted.unordered_features_  # what a model pickled before the attribute holds
    model = pickle.loads(pickle.dumps(fitted))
    assert list(model.unordered_features_) == []
    assert model_notes(model) and not [n for n in model_notes(model) if "unordered" in n]
    assert list(model.remove_terms("age").unordered_features_) == []
    gb.save(model, tmp_path / "old.json")
    np.testing.assert_array_equal(gb.load(tmp_path / "old.json").predict_proba(X), model.predict_proba(X))
    assert not hasattr(pickle.loads(pickle.dumps(GAMClassifier())), "unordered_features_")  # unfitted stays so
