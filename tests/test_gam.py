"""GAMClassifier / GAMRegressor: the fitted structure, exact local explanations, monotonicity,
interactions, reproducibility and errors on bad input."""

import time
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score, roc_auc_score

from glassbox import GAMClassifier, GAMRegressor
from glassbox.binning import UnseenCategoryWarning
from benchmarks.datasets import split

FAST = dict(outer_bags=2, random_state=0)


def _mixed_frame(n, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "age": rng.uniform(18, 90, n),
        "income": rng.lognormal(10, 1, n),
        "city": pd.Categorical(rng.choice(["a", "b", "c", "d"], n)),
        "score": rng.normal(size=n),
    })
    X.loc[rng.random(n) < 0.1, "income"] = np.nan
    logit = 0.04 * (X["age"] - 50) + X["city"].map({"a": 1, "b": -1, "c": 0, "d": 0.5}).astype(float) \
        + np.where(X["income"].isna(), 1.5, 0) + np.sin(2 * X["score"])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def _sum_of_account(account, classes=None):
    if classes is None:
        return account.to_numpy().sum(axis=1)
    return np.column_stack([account[c].to_numpy().sum(axis=1) for c in classes])


# --- the structure and its exact explanations ---------------------------------------------------


def test_classifier_learns_every_shape_and_handles_missing_and_categories():
    X, y = _mixed_frame(4000)
    model = GAMClassifier(**FAST, interactions=0).fit(X, y)
    assert [t.name for t in model.terms_] == ["age", "income", "city", "score"]
    age = model.terms_[0]
    values = age.scores[: age.bins[0].n_bins]
    assert np.corrcoef(np.arange(len(values)), values)[0, 1] > 0.9  # rising log-odds
    income = model.terms_[1]
    assert income.scores[income.bins[0].missing_code] > np.max(income.scores[: income.bins[0].n_bins]) + 0.5
    city = model.terms_[2]
    levels = dict(zip(city.bins[0].levels, city.scores))
    assert levels["a"] > levels["d"] > levels["c"] > levels["b"]
    assert roc_auc_score(y, model.predict_proba(X)[:, 1]) > 0.75


def test_terms_are_centred_and_unseen_bins_score_zero():
    X, y = _mixed_frame(3000)
    model = GAMClassifier(**FAST, interactions=[("age", "city")]).fit(X, y)
    for term in model.terms_:
        mean = (term.scores * term.bin_weights).sum() / term.bin_weights.sum()
        assert abs(mean) < 1e-10
        assert np.all(np.take(term.scores, term.bins[-1].unseen_code, axis=-1) == 0)
        assert term.standard_errors.shape == term.scores.shape and np.all(term.standard_errors >= 0)
    assert model.terms_[-1].is_pair and model.terms_[-1].name == "age & city"


@pytest.mark.parametrize("name", ["compas_two_year_clean", "car_evaluation", "537_houses"])
def test_explain_local_sums_to_the_raw_output_on_real_data(shared_dataset, name):
    X, y, meta = shared_dataset(name)
    X_train, X_test, y_train, y_test = split(X, y, meta["task"])
    if meta["task"] == "regression":
        model = GAMRegressor(**FAST, interactions=3).fit(X_train[:5000], y_train[:5000])
        raw, classes = model.predict_raw(X_test), None
    else:
        model = GAMClassifier(**FAST, interactions=3).fit(X_train, y_train)
        raw, classes = model.decision_function(X_test), (model.classes_ if meta["task"] == "multiclass" else None)
    assert any(t.is_pair for t in model.terms_)
    account = model.explain_local(X_test).to_frame()
    assert list(account.index) == list(X_test.index)
    np.testing.assert_allclose(_sum_of_account(account, classes), raw, rtol=1e-12, atol=1e-12)


def test_predictions_follow_the_tables():
    X, y = _mixed_frame(2000)
    model = GAMClassifier(**FAST, interactions=2).fit(X, y)
    codes = model.binner_.transform(X)
    raw = model.intercept_ + sum(
        t.scores[tuple(m[codes[:, f]] for m, f in zip(t.code_maps, t.features))] for t in model.terms_
    )
    np.testing.assert_allclose(model.decision_function(X), raw, rtol=1e-12, atol=1e-12)  # atol: raw near 0
    # raw agrees to 1e-12 relative; p = 1/(1+exp(-raw)) turns that into up to |raw| * 1e-12 relative.
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], 1 / (1 + np.exp(-raw)), rtol=1e-10)


def test_to_frame_and_to_text_show_the_tables():
    X, y = _mixed_frame(2000)
    model = GAMClassifier(**FAST, interactions=[("age", "score")]).fit(X, y)
    frame = model.to_frame()
    assert len(frame) == sum(t.scores.size for t in model.terms_)
    age = frame[frame["term"] == "age"]
    np.testing.assert_array_equal(age["score"].to_numpy(), model.terms_[0].scores)
    assert age["bin"].iloc[-2] == "missing"
    text = model.to_text()
    assert "age & score" in text and "intercept" in text and "'a'" in text
    assert str(model) == text
    importances = model.term_importances()
    assert list(importances.index) == [t.name for t in model.terms_] and (importances >= 0).all()


def test_to_text_merges_neighbouring_bins_that_print_alike_and_keeps_every_value():
    import itertools

    from glassbox.binning import format_threshold
    from glassbox.explain._gam import _number

    X, y = _mixed_frame(2000)
    model = GAMClassifier(**FAST, interactions=0).fit(X, y)
    text = model.to_text()
    for term in model.terms_[:2]:  # age (no missing values), income (10% missing)
        bins = term.bins[0]
        assert not bins.is_categorical
        lines = text.split(f"\n\n{term.name}  (importance")[1].split("\n\n")[0].splitlines()[1:]
        printed = [f"{_number(s)} ± {_number(e)}" for s, e in zip(term.scores, term.standard_errors)]
        # Runs of equal printed values over the value bins, labelled from the thresholds.
        expected, first = [], 0
        for value, run in itertools.groupby(range(bins.n_bins), key=lambda c: printed[c]):
            last = first + len(list(run)) - 1
            lo = None if first == 0 else format_threshold(bins.thresholds[first - 1])
            hi = None if last == bins.n_bins - 1 else format_threshold(bins.thresholds[last])
            label = f"<= {hi}" if lo is None else f"> {lo}" if hi is None else f"({lo}, {hi}]"
            expected.append(f"{label} {value}")
            first = last + 1
        if term.bin_weights[bins.missing_code] > 0:
            expected.append(f"missing {printed[bins.missing_code]}")
        assert [" ".join(line.split()) for line in lines] == expected
        assert len(expected) < bins.n_bins  # something was merged
    assert "income" in text and "missing" in text.split("income  (importance")[1].split("\n\n")[0]


def test_multiclass_has_per_class_tables_and_pairs():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 4))
    y = np.where(X[:, 0] * X[:, 1] > 0.3, "hi", np.where(X[:, 2] > 0, "mid", "lo"))
    model = GAMClassifier(**FAST, interactions=2).fit(X, y)
    assert list(model.classes_) == ["hi", "lo", "mid"]
    assert model.intercept_.shape == (3,)
    assert any(t.is_pair and set(t.features) == {0, 1} for t in model.terms_)
    for term in model.terms_:
        assert term.scores.shape == term.shape + (3,)
        np.testing.assert_allclose(term.scores.sum(axis=-1), 0, atol=1e-10)
    account = model.explain_local(X[:50]).to_frame()
    np.testing.assert_allclose(_sum_of_account(account, model.classes_), model.decision_function(X[:50]),
                               rtol=1e-12, atol=1e-12)
    assert model.score(X, y) > 0.85


def test_regressors_squared_error_and_poisson():
    rng = np.random.default_rng(2)
    X = rng.uniform(-2, 2, size=(4000, 3))
    mean = np.exp(0.5 * X[:, 0] + np.sin(X[:, 1]))
    y = rng.poisson(mean)
    poisson = GAMRegressor(loss="poisson", **FAST, interactions=0).fit(X, y)
    assert np.all(poisson.predict(X) > 0)
    np.testing.assert_allclose(np.exp(poisson.predict_raw(X)), poisson.predict(X))
    assert np.corrcoef(poisson.predict(X), mean)[0, 1] > 0.95
    y2 = X[:, 0] ** 2 + np.sin(3 * X[:, 1]) + 0.1 * rng.normal(size=4000)
    squared = GAMRegressor(**FAST, interactions=0).fit(X[:3000], y2[:3000])
    assert r2_score(y2[3000:], squared.predict(X[3000:])) > 0.95


def test_gamma_regressor_fits_the_mean_of_skewed_positive_targets():
    """Gamma targets whose spread grows with the mean: the gamma deviance recovers the log-mean
    (a term's score multiplies the prediction by exp(score)), and has lower held-out deviance
    than squared error fitted to the same rows."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-2, 2, size=(6000, 3))
    mean = np.exp(0.6 * X[:, 0] + 0.5 * np.sin(2 * X[:, 1]) + 1.0)
    y = rng.gamma(2.0, mean / 2.0)  # shape 2: standard deviation mean / sqrt(2)
    train, test = slice(0, 4500), slice(4500, None)
    gamma = GAMRegressor(loss="gamma", **FAST, interactions=0).fit(X[train], y[train])
    assert gamma.loss_.name == "gamma" and gamma.loss_.link == "log"
    predicted = gamma.predict(X[test])
    assert np.all(predicted > 0)
    np.testing.assert_array_equal(np.exp(gamma.predict_raw(X[test])), predicted)
    assert np.corrcoef(np.log(predicted), np.log(mean[test]))[0, 1] > 0.97
    squared = GAMRegressor(**FAST, interactions=0).fit(X[train], y[train])

    def deviance(prediction):
        prediction = np.maximum(prediction, 1e-3)
        return float(np.mean(2 * (np.log(prediction / y[test]) + y[test] / prediction - 1)))

    assert deviance(predicted) < deviance(squared.predict(X[test]))
    assert "log of the mean" in gamma.to_text().splitlines()[0]


# --- monotonic constraints ------------------------------------------------------------------------


@pytest.mark.parametrize("cst", [{"age": 1, "income": -1}, [0, -1, 0, 1]])
def test_monotonic_constraints_hold_on_terms_and_on_a_dense_grid(cst):
    X, y = _mixed_frame(4000, seed=3)
    y = np.where(X["score"] > 1.5, 1 - y, y)  # make "score" non-monotone to give the constraint work
    model = GAMClassifier(**FAST, monotonic_cst=cst, interactions=2).fit(X, y)
    signs = cst if isinstance(cst, list) else [cst.get(c, 0) for c in X.columns]
    constrained = [j for j, s in enumerate(signs) if s]
    for j in constrained:
        term = model.terms_[j]
        values = term.scores[: term.bins[0].n_bins]
        assert np.all(signs[j] * np.diff(values) >= 0), f"term {term.name} breaks its constraint"
        assert not any(t.is_pair and j in t.features for t in model.terms_)  # detection skips them
    rows = X.sample(20, random_state=0)
    for j in constrained:
        column = X.columns[j]
        grid = np.linspace(X[column].min() - 1, X[column].max() + 1, 2000)
        for _, row in rows.iterrows():
            frame = pd.DataFrame({c: np.repeat(row[c], len(grid)) for c in X.columns})
            frame["city"] = pd.Categorical(frame["city"], categories=X["city"].cat.categories)
            frame[column] = grid
            raw = model.decision_function(frame)
            assert np.all(signs[j] * np.diff(raw) >= -1e-12)


# --- reproducibility --------------------------------------------------------------------------------


def test_random_state_gives_bit_identical_models_for_any_n_jobs():
    X, y = _mixed_frame(20_000, seed=4)  # several row chunks per bag
    models = [GAMClassifier(outer_bags=3, random_state=5, interactions=2, n_jobs=n).fit(X, y) for n in (1, 2, 3)]
    for other in models[1:]:
        assert len(other.terms_) == len(models[0].terms_)
        for a, b in zip(models[0].terms_, other.terms_):
            assert a.features == b.features
            np.testing.assert_array_equal(a.scores, b.scores)
            np.testing.assert_array_equal(a.standard_errors, b.standard_errors)
        assert other.intercept_ == models[0].intercept_


def test_verbose_reports_progress(capsys):
    X, y = _mixed_frame(1000)
    GAMClassifier(**FAST, verbose=1, interactions=1).fit(X, y)
    err = capsys.readouterr().err
    assert "main effects: bag 2/2 done" in err and "pairs: bag 1/2" in err and "validation loss" in err


# --- bad input ------------------------------------------------------------------------------------


def test_bad_targets_and_weights_are_explained():
    X, y = _mixed_frame(200)
    with pytest.raises(ValueError, match="missing values"):
        GAMClassifier(**FAST).fit(X, np.where(np.arange(200) < 3, np.nan, y))
    with pytest.raises(ValueError, match="NaN"):
        GAMRegressor(**FAST).fit(X, np.where(np.arange(200) < 3, np.nan, 1.0))
    with pytest.raises(ValueError, match="infinite"):
        GAMRegressor(**FAST).fit(X, np.where(np.arange(200) < 3, np.inf, 1.0))
    with pytest.raises(ValueError, match="only one class"):
        GAMClassifier(**FAST).fit(X, np.ones(200))
    with pytest.raises(ValueError, match="negative"):
        GAMClassifier(**FAST).fit(X, y, sample_weight=-np.ones(200))
    with pytest.raises(ValueError, match="all sample weights are zero"):
        GAMClassifier(**FAST).fit(X, y, sample_weight=np.zeros(200))
    with pytest.raises(ValueError, match="non-negative targets"):
        GAMRegressor(loss="poisson", **FAST).fit(X, -np.ones(200))
    with pytest.raises(ValueError, match="strictly positive targets; y has 1 values <= 0"):
        GAMRegressor(loss="gamma", **FAST).fit(X, np.r_[0.0, np.ones(199)])
    with pytest.raises(ValueError, match="loss must be 'squared_error' or 'poisson' or 'gamma', got 'tweedie'"):
        GAMRegressor(loss="tweedie", **FAST).fit(X, np.ones(200))


def _estimate_and_peak(monkeypatch, X, y, **params):
    """The fit's own boosting_bytes estimate and the peak of NumPy's traced allocations (one
    thread: one bag at a time, so the peak does not depend on how the bags overlap)."""
    import tracemalloc

    from glassbox.gam import _gam

    estimates = []
    estimate = _gam.boosting_bytes
    monkeypatch.setattr(_gam, "boosting_bytes",
                        lambda *args, **kwargs: estimates.append(estimate(*args, **kwargs)) or estimates[-1])
    tracemalloc.start()
    try:
        GAMClassifier(random_state=0, max_rounds=2, n_jobs=1, **params).fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return estimates[-1], peak


def test_boosting_memory_estimate_bounds_what_each_class_costs(monkeypatch):
    # What the fit holds per class grows no faster than the estimate the limit reads, and at
    # least half as fast (the estimate is a bound, not a guess far above the real cost).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 4))
    few = _estimate_and_peak(monkeypatch, X, np.arange(3000) % 5)
    many = _estimate_and_peak(monkeypatch, X, np.arange(3000) % 45)
    estimated, traced = many[0] - few[0], many[1] - few[1]
    assert 0.5 * estimated <= traced <= estimated


@pytest.mark.parametrize("seed", range(20))
def test_pair_cells_bound_is_the_largest_the_detected_or_given_pairs_can_hold(seed):
    from itertools import combinations

    from glassbox.gam._interactions import pair_cells_bound

    rng = np.random.default_rng(seed)
    sizes = list(rng.integers(1, 300, rng.integers(1, 9)))
    products = sorted((sizes[a] * sizes[b] for a, b in combinations(range(len(sizes)), 2)), reverse=True)
    n_detect = int(rng.integers(0, 12))
    chosen = products[:n_detect]
    assert pair_cells_bound(sizes, n_detect, []) == (sum(chosen), max(chosen, default=0))
    pairs = [p for p in combinations(range(len(sizes)), 2) if rng.random() < 0.5]
    given = [sizes[a] * sizes[b] for a, b in pairs]
    assert pair_cells_bound(sizes, 0, pairs) == (sum(given), max(given, default=0))


def test_a_quantity_given_to_a_classifier_is_refused_before_boosting(monkeypatch):
    from glassbox.gam import _gam

    def no_boosting(*args, **kwargs):
        raise AssertionError("the fit boosted before refusing")

    monkeypatch.setattr(_gam, "run_stage", no_boosting)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6000, 6))
    prices = 1000 * (rng.permutation(6000) % 3000 + 100)  # integer-valued: 3,000 classes to a classifier
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"3,000 classes: if it is a quantity .* fit a GAMRegressor; otherwise fewer "
                                         r"pairs \(interactions\)"):
        GAMClassifier(random_state=0).fit(X, prices)
    assert time.perf_counter() - started < 5


def test_the_memory_limit_is_the_estimate_the_fit_makes(monkeypatch):
    from glassbox.gam import _gam

    X, y = _mixed_frame(400)
    estimate, _ = _estimate_and_peak(monkeypatch, X, y)
    monkeypatch.setattr(_gam, "MAX_BOOSTING_BYTES", estimate)
    GAMClassifier(random_state=0, max_rounds=2, n_jobs=1).fit(X, y)
    monkeypatch.setattr(_gam, "MAX_BOOSTING_BYTES", estimate - 1)
    with pytest.raises(ValueError, match="limit is 0 GiB. Fewer pairs"):
        GAMClassifier(random_state=0, max_rounds=2, n_jobs=1).fit(X, y)


def _floorless(monkeypatch):
    from glassbox import _losses

    monkeypatch.setattr(_losses.LogLoss, "floor_fraction", 0.0)
    monkeypatch.setattr(_losses.Softmax, "floor_fraction", 0.0)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_separable_classes_stop_at_the_loss_floor_with_the_same_predictions(monkeypatch, n_classes):
    """Classes that two features determine: the log loss falls toward 0 without end, and the
    floor (0.1% of a stage's starting validation loss) ends the stages in far fewer rounds,
    every class still predicted right."""
    rng = np.random.default_rng(n_classes)
    X = pd.DataFrame({"a": rng.integers(0, 6, 3000), "b": rng.integers(0, 4, 3000), "noise": rng.normal(size=3000)})
    y = (X["a"] + 2 * X["b"]) % n_classes
    with_floor = GAMClassifier(random_state=0, n_jobs=1, max_rounds=600).fit(X, y)
    _floorless(monkeypatch)
    without = GAMClassifier(random_state=0, n_jobs=1, max_rounds=600).fit(X, y)  # 3 classes: 600 pair rounds
    assert np.sum(with_floor.n_rounds_) < 0.6 * np.sum(without.n_rounds_)
    assert (with_floor.predict(X) == y).all() and (without.predict(X) == y).all()
    assert with_floor.predict_proba(X)[np.arange(3000), y].min() > 0.9


def test_the_loss_floor_leaves_a_rare_positive_fit_unchanged(monkeypatch):
    """The floor is relative to the stage's starting loss, which is small for a rare positive
    class (0.3% here): a fit that does not separate the classes is the same model, to the bit,
    with the floor as without it."""
    rng = np.random.default_rng(8)
    X = rng.normal(size=(20_000, 4))
    y = (rng.random(20_000) < 0.003 * np.exp(X[:, 0] - 0.5)).astype(int)
    assert 0 < y.mean() < 0.01
    with_floor = GAMClassifier(random_state=0, n_jobs=1, interactions=0).fit(X, y)
    _floorless(monkeypatch)
    without = GAMClassifier(random_state=0, n_jobs=1, interactions=0).fit(X, y)
    np.testing.assert_array_equal(with_floor.n_rounds_, without.n_rounds_)
    np.testing.assert_array_equal(with_floor.predict_proba(X), without.predict_proba(X))


@pytest.mark.parametrize("loss_name, n_scores, rate", [("log_loss", 1, 0.0001), ("log_loss", 1, 0.3),
                                                        ("softmax", 3, 0.3), ("squared_error", 1, None)])
def test_each_bag_s_loss_floor_is_a_thousandth_of_its_intercept_only_loss(loss_name, n_scores, rate):
    """The floor is relative to the bag's starting (intercept-only) validation loss, never an
    absolute loss: with 0.01% positives that loss is about 0.001 nats, so an absolute floor of
    that size would stop the fit after one round. Regression losses get none."""
    from glassbox._losses import LOSSES
    from glassbox.gam._boosting import draw_bags, split_bags
    from tests.twins import loss_naive

    rng = np.random.default_rng(4)
    n = 200_000
    y = (rng.integers(0, n_scores, n) if n_scores > 1 else rng.random(n) < rate if rate else rng.normal(size=n))
    y = y.astype(np.float64)
    w = rng.uniform(0.5, 2.0, n)
    loss = LOSSES[loss_name]
    intercept = loss.initial_scores_from_sums(loss.target_sums(y, w, n_scores))
    draws = draw_bags(n, n_bags=3, max_samples=None, random_state=np.random.RandomState(0))
    bags = split_bags(draws, intercept, validation_size=0.15, strata=None if rate is None else y,
                      positions=lambda rows: rows, y=y, sample_weight=w, loss=loss)
    for bag in bags:
        if rate is None:
            assert bag.loss_floor == -np.inf
            continue
        start = loss_naive(bag.val_scores, y[bag.val_rows], w[bag.val_rows], loss_name).sum() / w[bag.val_rows].sum()
        assert bag.loss_floor == pytest.approx(1e-3 * start, rel=1e-9)
    if rate == 0.0001:
        assert bags[0].loss_floor < 2e-6  # far below what a fit that learns anything reaches


def test_bad_constraints_and_interactions_are_explained():
    X, y = _mixed_frame(200)
    with pytest.raises(ValueError, match="unknown features \\['height'\\]"):
        GAMClassifier(**FAST, monotonic_cst={"height": 1}).fit(X, y)
    with pytest.raises(ValueError, match="categorical features \\['city'\\]"):
        GAMClassifier(**FAST, monotonic_cst={"city": 1}).fit(X, y)
    with pytest.raises(ValueError, match="unknown feature 'height'"):
        GAMClassifier(**FAST, interactions=[("age", "height")]).fit(X, y)
    with pytest.raises(ValueError, match="itself"):
        GAMClassifier(**FAST, interactions=[("age", "age")]).fit(X, y)
    with pytest.raises(ValueError, match="no column names"):
        GAMClassifier(**FAST, interactions=[("age", "city")]).fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="interactions must be >= 0"):
        GAMClassifier(**FAST, interactions=-1).fit(X, y)
    with pytest.raises(ValueError, match="like '3x'"):
        GAMClassifier(**FAST, interactions="three").fit(X, y)
    with pytest.raises(ValueError, match="greedy_ratio"):
        GAMClassifier(**FAST, greedy_ratio=-1).fit(X, y)
    with pytest.raises(ValueError, match="learning_rate"):
        GAMClassifier(learning_rate=0).fit(X, y)
    with pytest.raises(ValueError, match="max_leaves"):
        GAMClassifier(max_leaves=1).fit(X, y)


def test_unseen_category_warns_with_the_feature_and_uses_the_unseen_score():
    X, y = _mixed_frame(1000)
    model = GAMClassifier(**FAST, interactions=0).fit(X, y)
    new = X.iloc[:5].copy()
    new["city"] = pd.Categorical(["zz"] * 5)
    with pytest.warns(UnseenCategoryWarning, match="'city'"):
        account = model.explain_local(new).to_frame()
    assert np.all(account["city"] == 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenCategoryWarning)
        known = model.explain_local(X.iloc[:5]).to_frame()
    np.testing.assert_array_equal(account["age"], known["age"])


def test_bags_subsample_rows_beyond_max_samples():
    X, y = _mixed_frame(3000, seed=6)
    small = GAMClassifier(outer_bags=2, random_state=0, max_samples=800, interactions=2, verbose=0)
    small.fit(X, y)
    assert roc_auc_score(y, small.predict_proba(X)[:, 1]) > 0.7
    again = GAMClassifier(outer_bags=2, random_state=0, max_samples=800, interactions=2, n_jobs=1).fit(X, y)
    for a, b in zip(small.terms_, again.terms_):
        np.testing.assert_array_equal(a.scores, b.scores)
    with pytest.raises(ValueError, match="max_samples"):
        GAMClassifier(max_samples=1).fit(X, y)


def test_a_bag_of_few_rows_boosts_on_its_own_copy_to_the_same_model(monkeypatch):
    """Bags of at most half the rows boost on copies of their rows' codes (_boosting.bag_rows),
    which must change nothing: the same model bit for bit as boosting on the shared matrix."""
    from glassbox.gam import _boosting

    X, y = _mixed_frame(3000, seed=9)
    params = dict(outer_bags=2, random_state=0, max_samples=1000, interactions=2)
    copied = GAMClassifier(**params).fit(X, y)
    calls = []

    def shared(codes, bag, y, sample_weight):
        calls.append(len(bag.train_rows) + len(bag.val_rows))
        return codes, bag.train_rows, bag.val_rows, y, sample_weight

    monkeypatch.setattr(_boosting, "bag_rows", shared)
    direct = GAMClassifier(**params).fit(X, y)
    assert calls and max(calls) <= 1000  # the monkeypatched path ran, on bags a copy serves
    assert len(copied.terms_) == len(direct.terms_)
    for a, b in zip(copied.terms_, direct.terms_):
        np.testing.assert_array_equal(a.scores, b.scores)
    assert np.asarray(copied.intercept_).tobytes() == np.asarray(direct.intercept_).tobytes()


@pytest.mark.parametrize("early_stopping_rounds", ["auto", 7])
def test_a_bag_stops_after_its_patience_of_idle_rounds(capfd, early_stopping_rounds):
    """Every bag that early stopping ends ran exactly its patience past its best round: the
    fixed number, or for "auto" a tenth of the best round (rounded up) within [3, 20]."""
    import re

    X, y = _mixed_frame(3000, seed=10)
    GAMClassifier(outer_bags=4, random_state=0, interactions=3, verbose=1, max_rounds=400,
                  early_stopping_rounds=early_stopping_rounds).fit(X, y)
    bags = re.findall(r"bag \d+/4 done, (\d+) rounds run, (\d+) kept", capfd.readouterr().err)
    assert len(bags) == 8  # main effects and pairs
    for run, kept in ((int(a), int(b)) for a, b in bags):
        wanted = early_stopping_rounds if early_stopping_rounds != "auto" else min(20, max(3, -(-kept // 10)))
        assert run == 400 or run - kept == wanted, (run, kept)
    assert any(run != 400 for run, _ in bags)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "fast", None, True])
def test_early_stopping_rounds_takes_a_positive_integer_or_auto(bad):
    X, y = _mixed_frame(200, seed=11)
    with pytest.raises(ValueError, match=r'early_stopping_rounds must be an integer >= 1, got .*or "auto"'):
        GAMClassifier(early_stopping_rounds=bad).fit(X, y)


def test_interactions_per_feature_scales_with_the_width_and_stops_at_every_pair():
    X, y = _mixed_frame(1500, seed=8)
    half = GAMClassifier(**FAST, interactions="0.5x").fit(X, y)  # 4 features -> 2 pairs
    assert sum(t.is_pair for t in half.terms_) == 2
    every = GAMClassifier(**FAST, interactions="3x").fit(X, y)   # 12 asked, 6 exist
    assert sorted(t.features for t in every.terms_ if t.is_pair) == [(a, b) for a in range(4) for b in range(a + 1, 4)]


def test_greedy_steps_go_to_the_term_that_still_gains():
    """One strong, finely shaped feature among noise: greedy rounds spend their extra steps on it,
    so within the same number of rounds its table gets more distinct steps than cyclic rounds give."""
    rng = np.random.default_rng(11)
    n = 4000
    X = rng.uniform(-3, 3, (n, 5))
    y = 3 * np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=n)
    kw = dict(outer_bags=1, validation_size=0, max_rounds=10, interactions=0, random_state=0)
    cyclic = GAMRegressor(**kw, greedy_ratio=0).fit(X, y)
    greedy = GAMRegressor(**kw, greedy_ratio=1).fit(X, y)  # 5 extra steps a round, nearly all on x0
    assert r2_score(y, greedy.predict(X)) > r2_score(y, cyclic.predict(X)) + 0.05
    noise = [np.abs(t.scores).max() for t in greedy.terms_[1:]]
    assert max(noise) < 0.1 * np.abs(greedy.terms_[0].scores).max()


def test_on_wide_data_pairs_are_sought_among_the_strongest_main_effects():
    """150 features: pairs come only from the 100 with the strongest main effects (by the fitted
    model's own importances), "3x" asks for 3 per feature of those 100, and a planted interaction
    between two strong features is found. Narrower data keep every feature as a candidate."""
    rng = np.random.default_rng(4)
    n, p = 400, 150
    X = rng.normal(size=(n, p))
    weights = np.where(np.arange(p) < 110, np.linspace(0.5, 0.1, p), 0.0)  # 40 features without effect
    weights[:2] = 1.5  # the interacting pair also has strong main effects
    y = (X @ weights + 3.0 * X[:, 0] * X[:, 1] + 0.3 * rng.normal(size=n) > 0).astype(int)
    model = GAMClassifier(**FAST, interactions="3x", monotonic_cst=[0, 0, 1] + [0] * (p - 3)).fit(X, y)
    importances = model.term_importances()
    mains = importances.iloc[:p].to_numpy()
    eligible = np.setdiff1d(np.arange(p), [2])  # a constrained feature never pairs
    strongest = set(eligible[np.argsort(-mains[eligible], kind="stable")[:100]])
    pairs = [t.features for t in model.terms_ if t.is_pair]
    assert 0 < len(pairs) <= 300
    assert {f for pair in pairs for f in pair} <= strongest
    assert (0, 1) in pairs
    narrow = GAMClassifier(**FAST, interactions=5000).fit(X[:, :12], y)
    assert sum(t.is_pair for t in narrow.terms_) == 12 * 11 // 2


def test_time_limit_bounds_the_fit_and_says_what_stopped():
    """Boosting that would run 2,000 rounds per bag: a 0.5 s limit ends the fit soon after, with a
    ConvergenceWarning naming the stages cut; the model still predicts. A limit that never binds
    gives the same model as none, and the limit is checked like every parameter."""
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(2)
    X = rng.normal(size=(20_000, 8))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=len(X)) > 0).astype(int)
    slow = dict(max_rounds=2000, early_stopping_rounds=2000, random_state=0, n_jobs=1)
    start = time.perf_counter()
    with pytest.warns(ConvergenceWarning, match=r"time_limit=0.5 s .*main effects stopped early; the pairs were not fitted"):
        model = GAMClassifier(**slow, time_limit=0.5).fit(X, y)
    assert time.perf_counter() - start < 3.0  # the limit, a round per bag, binning; slack for a busy machine
    assert not any(t.is_pair for t in model.terms_) and model.n_rounds_[0].max() < 2000
    assert np.isfinite(model.predict_proba(X[:100])).all()
    fast = dict(outer_bags=2, random_state=0)
    none, generous = GAMClassifier(**fast).fit(X[:2000], y[:2000]), GAMClassifier(**fast, time_limit=1e6).fit(X[:2000], y[:2000])
    np.testing.assert_array_equal(none.predict_proba(X), generous.predict_proba(X))
    for bad in (0, -1.0, "10", np.nan):
        with pytest.raises((ValueError, TypeError), match="time_limit"):
            GAMClassifier(time_limit=bad).fit(X[:100], y[:100])
