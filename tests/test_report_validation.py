"""The report's validation numbers: each equals scikit-learn's (or scipy's, or a slow hand
computation) on the same rows, and bad hold-out data is refused with a message to act on."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sklearn import metrics

import glassbox as gb
from glassbox.binning import UnseenCategoryWarning
from glassbox.report import event_class, validate
from glassbox.report._metrics import PSI_FLOOR
from glassbox.rules import NotProvenOptimalWarning
from tests.model_zoo import fitted, quiet


def _region(n):
    """A column the models never saw, as a protected attribute would be."""
    return np.where(np.arange(n) % 3 == 0, "north", "south")


def _proba_of(model, X, label):
    return quiet(model.predict_proba, X)[:, list(model.classes_).index(label)]


def _weights(n):
    return 0.5 + np.random.default_rng(1).random(n) * 2


# --- discrimination and calibration equal scikit-learn's ----------------------------------------

@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", ["gam_clf-binary", "tree_clf-binary", "distilled_clf-binary"])
def test_binary_metrics_equal_scikit_learn(case, weighted):
    f = fitted(case)
    w = _weights(len(f.y_test)) if weighted else None
    v = validate(f.model, f.X_test, f.y_test, sample_weight=w)
    event = f.model.classes_[1]
    assert v.task == "binary" and v.event == event == event_class(f.model)
    assert v.n_rows == len(f.y_test) and v.weighted == weighted
    if not case.startswith("distilled"):  # a student counts the rows it was fitted on
        assert v.n_training_rows == len(f.y_train)
    p, y = _proba_of(f.model, f.X_test, event), f.y_test == event
    m = v.metrics
    assert m["AUC"] == pytest.approx(metrics.roc_auc_score(y, p, sample_weight=w), rel=1e-12)
    assert m["Gini"] == pytest.approx(2 * metrics.roc_auc_score(y, p, sample_weight=w) - 1, rel=1e-12)
    assert m["Brier score"] == pytest.approx(metrics.brier_score_loss(y, p, sample_weight=w), rel=1e-12)
    assert m["log loss"] == pytest.approx(metrics.log_loss(y, p, sample_weight=w), rel=1e-12)
    predicted = quiet(f.model.predict, f.X_test)
    assert m["accuracy"] == pytest.approx(metrics.accuracy_score(f.y_test, predicted, sample_weight=w), rel=1e-12)
    assert m["event rate"] == pytest.approx(np.average(y, weights=w))
    assert m["mean predicted"] == pytest.approx(np.average(p, weights=w))
    # KS by brute force: every cut-off, the weighted share of each class at or below it.
    w_ = np.ones(len(y)) if w is None else w
    gaps = [abs(w_[y & (p <= t)].sum() / w_[y].sum() - w_[~y & (p <= t)].sum() / w_[~y].sum()) for t in np.unique(p)]
    assert m["KS"] == pytest.approx(max(gaps), abs=1e-12)
    assert m["KS at probability"] == np.unique(p)[int(np.argmax(gaps))]
    if not weighted:
        assert m["KS"] == pytest.approx(ks_2samp(p[y], p[~y]).statistic, abs=1e-12)
    fpr, tpr, _ = metrics.roc_curve(y, p, sample_weight=w)
    np.testing.assert_allclose(v.roc[event][0], fpr)
    np.testing.assert_allclose(v.roc[event][1], tpr)


def test_multiclass_metrics_equal_scikit_learn():
    f = fitted("gam_clf-multiclass")
    v = validate(f.model, f.X_test, f.y_test)
    classes = list(f.model.classes_)
    proba = quiet(f.model.predict_proba, f.X_test)
    m = v.metrics
    assert v.task == "multiclass" and v.event is None
    assert m["macro AUC (one-vs-rest)"] == pytest.approx(
        metrics.roc_auc_score(f.y_test, proba, multi_class="ovr", average="macro", labels=classes), rel=1e-12)
    for k, c in enumerate(classes):
        assert m[f"AUC {c} vs rest"] == pytest.approx(metrics.roc_auc_score(f.y_test == c, proba[:, k]), rel=1e-12)
    assert m["log loss"] == pytest.approx(metrics.log_loss(f.y_test, proba, labels=classes), rel=1e-12)
    onehot = (f.y_test[:, None] == np.array(classes)[None, :])
    assert m["Brier score"] == pytest.approx(np.mean(np.sum((proba - onehot) ** 2, axis=1)), rel=1e-12)
    try:  # scikit-learn >= 1.7 scores multiclass Brier itself, on the same 0..2 scale
        expected = metrics.brier_score_loss(f.y_test, proba, labels=classes)
    except ValueError:
        expected = None
    if expected is not None:
        assert m["Brier score"] == pytest.approx(expected, rel=1e-12)
    assert m["accuracy"] == pytest.approx(metrics.accuracy_score(f.y_test, quiet(f.model.predict, f.X_test)))
    assert set(v.calibration) == set(classes) and set(v.roc) == set(classes)


@pytest.mark.parametrize("case, loss", [("gam_reg-regression", None), ("tree_reg-regression", None),
                                        ("gam_reg-poisson", 1), ("gam_reg-gamma", 2)])
def test_regression_metrics_equal_scikit_learn(case, loss):
    f = fitted(case)
    w = _weights(len(f.y_test))
    v = validate(f.model, f.X_test, f.y_test, sample_weight=w)
    pred = quiet(f.model.predict, f.X_test)
    m = v.metrics
    assert m["R²"] == pytest.approx(metrics.r2_score(f.y_test, pred, sample_weight=w), rel=1e-12)
    assert m["RMSE"] == pytest.approx(np.sqrt(metrics.mean_squared_error(f.y_test, pred, sample_weight=w)), rel=1e-12)
    assert m["MAE"] == pytest.approx(metrics.mean_absolute_error(f.y_test, pred, sample_weight=w), rel=1e-12)
    deviance = [k for k in m if "deviance" in k]
    if loss is None:
        assert deviance == []
        return
    name = {1: "poisson", 2: "gamma"}[loss]
    mean_deviance = {1: metrics.mean_poisson_deviance, 2: metrics.mean_gamma_deviance}[loss]
    assert m[f"mean {name} deviance"] == pytest.approx(mean_deviance(f.y_test, pred, sample_weight=w), rel=1e-12)
    assert m[f"D² ({name} deviance explained)"] == pytest.approx(
        metrics.d2_tweedie_score(f.y_test, pred, sample_weight=w, power=loss), rel=1e-12)


@pytest.mark.parametrize("case", ["gam_clf-binary", "rules_clf-binary", "gam_reg-regression"])
def test_calibration_bands_are_consecutive_runs_of_the_sorted_predictions(case):
    """Deciles of the prediction: sorted by it, the rows fall into the table's bands in order, ties
    never split; each band's means are those of its run of rows."""
    f = fitted(case)
    v = validate(f.model, f.X_test, f.y_test)
    table = v.calibration["all"]
    if v.task == "binary":
        pred, observed, column = _proba_of(f.model, f.X_test, v.event), (f.y_test == v.event) * 1.0, "observed rate"
    else:
        pred, observed, column = quiet(f.model.predict, f.X_test), f.y_test, "mean observed"
    order = np.argsort(pred, kind="stable")
    bounds = np.r_[0, np.cumsum(table["rows"])]
    assert bounds[-1] == len(pred) and len(table) <= 10
    n_distinct = len(np.unique(pred))
    assert len(table) == n_distinct if n_distinct <= 10 else len(table) <= 10  # few predictions: one band each
    for i in range(len(table)):
        run = order[bounds[i]:bounds[i + 1]]
        if i:  # no tie across a band boundary
            assert pred[order[bounds[i] - 1]] < pred[run[0]]
        assert table["mean predicted"][i] == pytest.approx(pred[run].mean(), rel=1e-12)
        assert table[column][i] == pytest.approx(observed[run].mean(), rel=1e-12)


# --- data profile: the model's training counts against the hold-out -----------------------------

def _hand_psi(train, hold):
    """PSI by the textbook: shares per value (missing and new values included), 0 floored."""
    keys = set(train.astype(object).fillna("<NA>")) | set(hold.astype(object).fillna("<NA>"))
    e = train.astype(object).fillna("<NA>").value_counts(normalize=True)
    a = hold.astype(object).fillna("<NA>").value_counts(normalize=True)
    total = 0.0
    for key in keys:
        ek, ak = max(e.get(key, 0.0), PSI_FLOOR), max(a.get(key, 0.0), PSI_FLOOR)
        total += (ak - ek) * np.log(ak / ek)
    return total


def test_psi_and_missing_shares_against_a_hand_computation():
    rng = np.random.default_rng(0)
    n = 3000

    def table(shift):
        level = rng.choice(["a", "b", "c", "d"], size=n, p=[0.4, 0.3, 0.2, 0.1] if not shift else [0.1, 0.2, 0.3, 0.4])
        small = rng.integers(0, 6, size=n).astype(float)  # six distinct values: six bins, one group each
        small[rng.random(n) < (0.05 if not shift else 0.2)] = np.nan
        return pd.DataFrame({"level": level.astype(object), "small": small, "wide": rng.normal(shift, 1, size=n)})

    X_train, X_hold = table(0), table(1)
    X_hold.loc[:9, "level"] = "new"  # a level the model never saw
    y = (X_train["wide"] + rng.normal(size=n) > 0).astype(int)
    model = gb.GAMClassifier(outer_bags=1, interactions=0, random_state=0).fit(X_train, y)
    v = validate(model, X_hold, np.zeros(n, dtype=int))
    profile = v.profile.set_index("feature")
    for column in ("level", "small"):
        assert profile.loc[column, "PSI"] == pytest.approx(_hand_psi(X_train[column], X_hold[column]), rel=1e-10)
        assert profile.loc[column, "missing in training"] == pytest.approx(X_train[column].isna().mean())
        assert profile.loc[column, "missing in hold-out"] == pytest.approx(X_hold[column].isna().mean())
    assert profile.loc["level", "unseen levels (rows)"] == 10
    assert profile.loc["level", "unseen examples"] == "'new'"
    assert profile.loc["level", "PSI reading"] == "shifted"
    # 254 fine bins: grouped, so a sample of the very same population reads stable; a shift of
    # one standard deviation reads shifted.
    assert profile.loc["wide", "bins"] > 100 and profile.loc["wide", "PSI reading"] == "shifted"
    same = validate(model, table(0), np.zeros(n, dtype=int)).profile.set_index("feature")
    assert same.loc["wide", "PSI"] < 0.1 and same.loc["wide", "PSI reading"] == "stable"


def test_profile_edge_bins_are_the_shares_beyond_the_outermost_cuts():
    f = fitted("tree_clf-binary")
    v = validate(f.model, f.X_test, f.y_test)
    feature = next(b for b in f.model.binner_.features_ if b.name == "skew")
    t = feature.thresholds
    row = v.profile.set_index("feature").loc["skew"]
    low_train = (f.X_train["skew"] <= t[0]).mean()
    low_hold = (f.X_test["skew"] <= t[0]).mean()
    assert row["lowest bin: training → hold-out"] == f"{feature.bin_label(0)}: {low_train:.1%} → {low_hold:.1%}"
    high_hold = (f.X_test["skew"] > t[-1]).mean()
    assert row["highest bin: training → hold-out"].endswith(f" → {high_hold:.1%}")


# --- segments ------------------------------------------------------------------------------------

def test_segment_metrics_equal_per_group_scikit_learn():
    f = fitted("gam_clf-binary")
    region = _region(len(f.y_test))
    X = f.X_test.assign(region=region)  # not a feature: the model takes its own columns by name
    v = validate(f.model, X, f.y_test, segments=["region", "color", "num"])
    event = v.event
    p, y = _proba_of(f.model, f.X_test, event), f.y_test == event
    table = v.segments["region"][1].set_index("group")
    assert list(table.index) == ["all rows", "south", "north"]  # the largest group first
    for group in ("north", "south"):
        rows = region == group
        assert table.loc[group, "rows"] == rows.sum()
        assert table.loc[group, "AUC"] == pytest.approx(metrics.roc_auc_score(y[rows], p[rows]), rel=1e-12)
        assert table.loc[group, "event rate"] == pytest.approx(y[rows].mean())
        assert table.loc[group, "mean predicted"] == pytest.approx(p[rows].mean())
        assert table.loc[group, "observed / predicted"] == pytest.approx(y[rows].mean() / p[rows].mean())
    assert table.loc["all rows", "AUC"] == v.metrics["AUC"]
    colors = v.segments["color"][1].set_index("group")
    assert colors.loc["(missing)", "rows"] == f.X_test["color"].isna().sum()
    assert colors.loc["purple", "rows"] == (f.X_test["color"] == "purple").sum()  # unseen in training: still a group
    how, bands = v.segments["num"]
    assert "5 bands" in how and "missing values are a group" in how
    assert bands["rows"].iloc[1:].sum() == len(f.y_test)
    assert np.ptp(bands["rows"].iloc[1:-1]) <= 1  # the bands hold about equal rows


def test_a_group_with_one_class_says_so():
    f = fitted("tree_clf-binary")
    y = f.y_test
    group = np.where(y == y[0], "same", "mixed")
    group[np.flatnonzero(y != y[0])[:3]] = "same"  # "same" holds both classes, "mixed" only one
    group[np.flatnonzero(y == y[0])[-3:]] = "same"
    v = validate(f.model, f.X_test, y, segments={"group": group})
    table = v.segments["group"][1].set_index("group")
    assert str(table.loc["mixed", "AUC"]) == "n/a: one class"
    assert isinstance(table.loc["same", "AUC"], float)


def test_one_class_hold_out_shows_na_not_a_crash():
    f = fitted("gam_clf-binary")
    y = np.full(len(f.y_test), f.model.classes_[0])
    v = validate(f.model, f.X_test, y)
    for name in ("AUC", "Gini", "KS"):
        assert str(v.metrics[name]) == "n/a: one class"
    assert v.roc == {}
    assert v.metrics["Brier score"] == pytest.approx(metrics.brier_score_loss(
        y == f.model.classes_[1], _proba_of(f.model, f.X_test, f.model.classes_[1])))


def test_the_event_class_follows_pos_label_when_the_model_has_one():
    """Binary metrics are about ``event_class(model)``: ``classes_[1]``, or a ``pos_label``."""
    import copy

    f = fitted("gam_clf-binary")
    model = copy.deepcopy(f.model)
    model.pos_label_ = model.classes_[0]  # the event as a fit with pos_label=classes_[0] fixes it
    v = validate(model, f.X_test, f.y_test)
    assert v.event == model.classes_[0]
    p0 = _proba_of(model, f.X_test, model.classes_[0])
    assert v.metrics["AUC"] == pytest.approx(metrics.roc_auc_score(f.y_test == model.classes_[0], p0))
    model.pos_label_ = "neither"
    with pytest.raises(ValueError, match="pos_label_='neither' is not a class of the fitted model"):
        event_class(model)


# --- bad hold-out data ---------------------------------------------------------------------------

def _bad_inputs():
    f = fitted("gam_clf-binary")
    X, y = f.X_test, f.y_test
    y_nan = y.astype(float)
    y_nan[:2] = np.nan
    return {
        "no rows": ((X.iloc[:0], y[:0]), {}, "the hold-out has no rows"),
        "missing model column": ((X.drop(columns=["num", "grade"]), y), {},
                                 "the hold-out lacks columns the model needs: 'num', 'grade'"),
        "unseen label": ((X, np.where(np.arange(len(y)) < 3, 7, y)), {},
                         "the target y holds labels the model never saw: 7 (3 rows); its classes are 0, 1"),
        "text labels": ((X, y.astype(str)), {}, "(200 rows); its classes are 0, 1. Check the target column and its type"),
        "missing target": ((X, y_nan), {}, "the target y is missing in 2 rows"),
        "short y": ((X, y[:-1]), {}, "one value per row of X"),
        "segment absent": ((X, y), {"segments": ["region"]}, "segment column 'region' is not in the hold-out"),
        "segment length": ((X, y), {"segments": {"region": ["a"]}}, "segment 'region' has 1 values for 200 rows"),
        "negative weight": ((X, y), {"sample_weight": -np.ones(len(y))}, "sample_weight must be finite and non-neg"),
        "array for names": ((X.to_numpy(), y), {}, "give the hold-out as a DataFrame with the columns"),
    }


@pytest.mark.parametrize("name", ["no rows", "missing model column", "unseen label", "text labels",
                                  "missing target", "short y", "segment absent", "segment length", "negative weight",
                                  "array for names"])
def test_bad_hold_out_data_is_refused_with_a_clear_message(name):
    (X, y), kwargs, message = _bad_inputs()[name]
    with pytest.raises(ValueError) as caught:
        validate(fitted("gam_clf-binary").model, X, y, **kwargs)
    assert message in str(caught.value)


# --- notes on certificates and budgets ----------------------------------------------------------

def test_an_unproven_rule_list_is_explained_in_the_words_of_its_warning():
    from glassbox.report._notes import model_notes
    from glassbox.rules import describe_gap

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(0, 1, 300) > 0).astype(int)
    with pytest.warns(NotProvenOptimalWarning) as caught:
        model = gb.RuleListClassifier(c=0.001, max_nodes=3).fit(X, y)
    gap = describe_gap(model.objective_, model.lower_bound_, True, 300, model.criterion)
    assert gap in str(caught[0].message)  # the fit's warning ...
    (note,) = model_notes(model)
    assert note.startswith("Not proven optimal") and gap in note  # ... and the report say the same
    proven = gb.RuleListClassifier(max_card=1, max_thresholds=2).fit(X, y)
    assert proven.optimal_ and model_notes(proven)[0].startswith("Proven optimal")


def test_tree_and_gam_notes_say_what_the_budget_did():
    from glassbox.report._notes import model_notes

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    assert model_notes(gb.ShallowTreeClassifier(max_depth=2).fit(X, y))[0].startswith("Proven optimal")
    deep = gb.ShallowTreeClassifier(max_depth=4).fit(X, y)
    assert not deep.optimal_ and model_notes(deep)[0].startswith("Not claimed optimal: trees deeper than 3")
    stopped = gb.ShallowTreeClassifier(max_depth=3, time_limit=1e-6).fit(X, y)  # a microsecond: never finishes
    assert not stopped.optimal_
    assert model_notes(stopped)[0].startswith("Not proven optimal: the search (the default budget of root splits, "
                                              "time_limit=1e-06 s) stopped before it had examined every root split")
    assert f"no tree has one lower than {stopped.lower_bound_:.6g}" in model_notes(stopped)[0]
    gam = gb.GAMClassifier(outer_bags=2, interactions=0, validation_size=0, max_rounds=30, random_state=0).fit(X, y)
    notes = model_notes(gam)
    assert notes[0].startswith("Boosting kept main effects: 30 rounds per bag (max_rounds=30, 2 bags)")
    assert "no early stopping" in notes[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        timed = gb.GAMClassifier(outer_bags=2, interactions=0, validation_size=0, max_rounds=10**7,
                                 time_limit=0.05, random_state=0).fit(X, y)
    assert (timed.n_rounds_ < 10**7).all()  # ten million rounds take minutes: the clock stopped both
    assert any("2 bag stages stopped before max_rounds, so by the clock" in n for n in model_notes(timed))


def test_a_shared_dataset_segment_view():
    """On real data with a protected attribute (skips when ../shared/datasets is absent)."""
    f = fitted("gam_clf-compas")
    v = validate(f.model, f.X_test, f.y_test, segments=["race", "sex"])
    p, y = _proba_of(f.model, f.X_test, v.event), f.y_test == v.event
    for name in ("race", "sex"):
        table = v.segments[name][1].set_index("group")
        for group, row in table.iloc[1:].iterrows():
            rows = (f.X_test[name].astype(str) == group).to_numpy()
            if rows.sum() == 0:
                continue  # a pooled or missing group
            if 0 < y[rows].sum() < rows.sum():
                assert row["AUC"] == pytest.approx(metrics.roc_auc_score(y[rows], p[rows]), rel=1e-12)
            else:
                assert str(row["AUC"]) == "n/a: one class"


def test_unseen_levels_give_no_warning_from_validate():
    """The profile names unseen levels; validate does not also warn about them."""
    f = fitted("gam_clf-binary")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnseenCategoryWarning)
        validate(f.model, f.X_test, f.y_test)
