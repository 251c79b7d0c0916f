"""Explanation objects over every estimator (tests/model_zoo.py): exact local accounts, the
InterpretML Explanation contract, and glassbox's frame and text views.

The local checks use oracles independent of the explanation code: a GAM's contributions must
add up to ``decision_function`` / ``predict_raw``; a rule list's fired rule and a tree's leaf
rule are re-evaluated on the *raw* feature values from their plain-data condition records (not
through the binner), and must agree with ``predict``.
"""

import html.parser
import math
import sys

import numpy as np
import pandas as pd
import pytest
from interpret.api.base import ExplanationMixin
from interpret.api.templates import FeatureValueExplanation
from sklearn.exceptions import NotFittedError

import glassbox as gb
from glassbox.distill import inspected
from glassbox.explain import GlobalExplanation, LocalExplanation, explain_global
from glassbox.explain._rule_list import condition_record
from tests.model_zoo import case_ids, fitted, quiet

# InterpretML 0.7's charts call a plotly method that plotly deprecates; not glassbox's to fix.
pytestmark = pytest.mark.filterwarnings("ignore:The append_trace method:DeprecationWarning")

N_ROWS = 40  # rows explained per case: enough to meet every rule/leaf often, quick to check


def _family(model):
    for attribute in ("terms_", "rules_", "tree_"):
        if hasattr(model, attribute):
            return attribute.rstrip("_")
    raise AssertionError(type(model))


def _local(f, n=N_ROWS, with_y=True):
    X = f.X_test.iloc[:n]
    return X, quiet(f.model.explain_local, X, f.y_test[:n] if with_y else None)


# --- independent oracles ------------------------------------------------------------------------


def _is_missing(value):
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _holds(record, value, seen_levels):
    """Does a plain-data condition record (``condition_record``) hold for a raw value?"""
    if _is_missing(value):
        return record["missing"]
    if "levels" in record:  # categorical
        if value not in seen_levels:
            return record["unseen"]
        return value in record["levels"]
    if not record["any_value"]:
        return False
    lower, upper = record["lower"], record["upper"]
    return (lower is None or value > lower) and (upper is None or value <= upper)


def _rule_holds(model, rule, row):
    features = model.binner_.features_
    for condition in rule.conditions:
        bins = features[condition.feature]
        seen = set(bins.levels) | set(bins.other_levels)
        if not _holds(condition_record(condition), row.iloc[condition.feature], seen):
            return False
    return True


# --- local accounts are what predict uses --------------------------------------------------------


@pytest.mark.parametrize("case", case_ids())
def test_local_explanation_is_what_predict_uses(case):
    f = fitted(case)
    model = inspected(f.model)
    X, local = _local(f)
    frame = local.to_frame()
    assert len(frame) == len(X) and list(frame.index) == list(X.index)
    family = _family(model)
    if family == "terms":
        raw = quiet(model.decision_function if f.is_classifier else model.predict_raw, X)
        total = frame.to_numpy().sum(axis=1) if raw.ndim == 1 else np.stack(
            [frame[c].to_numpy().sum(axis=1) for c in model.classes_], axis=1)
        np.testing.assert_allclose(total, raw, rtol=1e-12, atol=1e-12)
        for i in range(len(X)):
            d = local.data(i)
            account = np.sum([d["extra"]["scores"][0]] + list(d["scores"]), axis=0)
            np.testing.assert_allclose(account, raw[i], rtol=1e-12, atol=1e-12)
            np.testing.assert_array_equal(d["raw"], raw[i])  # added in the model's order: to the bit
    elif family == "rules":
        predicted = quiet(model.predict, X)
        for i in range(len(X)):
            r = int(frame["rule"].iloc[i])
            row = X.iloc[i]
            assert _rule_holds(model, model.rules_[r], row), (i, r)
            assert not any(_rule_holds(model, rule, row) for rule in model.rules_[:r]), (i, r)
            assert local.data(i)["fired"] == r
            assert frame["prediction"].iloc[i] == predicted[i]
    else:
        tree = model.tree_
        predicted = quiet(model.predict, X)
        for i in range(len(X)):
            path = frame["path"].iloc[i]
            assert path[0] == 0 and tree.feature[path[-1]] < 0
            for parent, child in zip(path[:-1], path[1:]):
                assert child in (tree.children_left[parent], tree.children_right[parent])
            leaf = tree.leaves[int(frame["leaf"].iloc[i])]
            assert tree.leaf_id[path[-1]] == frame["leaf"].iloc[i]
            assert _rule_holds(model, leaf, X.iloc[i]), i
            assert frame["prediction"].iloc[i] == predicted[i]
            assert local.data(i)["decision"] == [n + 1 for n in path]
    # InterpretML's perf record: the prediction the model makes, the label it was given.
    for i in (0, len(X) - 1):
        perf = local.data(i)["perf"]
        if f.is_classifier:
            proba = quiet(f.model.predict_proba, X.iloc[[i]])[0]
            assert perf["predicted"] == int(np.argmax(proba)) and perf["predicted_score"] == proba.max()
            assert perf["actual_label"] == f.y_test[i] and model.classes_[perf["actual"]] == f.y_test[i]
        else:
            assert perf["predicted"] == quiet(f.model.predict, X.iloc[[i]])[0]
            assert perf["actual"] == f.y_test[i]


# --- InterpretML's Explanation contract --------------------------------------------------------


def _check_gam_term(d, term, n_classes):
    scores = np.asarray(d["scores"])
    if n_classes > 2:
        assert scores.shape[-1] == n_classes and d["meta"]["label_names"]
    assert np.all(np.asarray(d["upper_bounds"]) >= scores) and np.all(np.asarray(d["lower_bounds"]) <= scores)
    if term.is_pair:
        assert d["type"] == "interaction"
        assert scores.shape[:2] == (len(d["left_names"]), len(d["right_names"]))
        assert d["features"] == list(term.names)
        return
    assert d["type"] == "univariate" and d["features"] == [term.names[0]]
    n_bins = term.bins[0].n_bins
    assert scores.shape[0] == n_bins and len(d["density"]["scores"]) == n_bins
    if d["feature_type"] == "continuous":
        edges = np.asarray(d["names"])
        assert len(edges) == n_bins + 1 and np.all(np.diff(edges) > 0)
        np.testing.assert_array_equal(edges[1:-1], term.bins[0].thresholds)  # the model's own cuts
    else:
        assert len(d["names"]) == n_bins
    assert d["density"]["names"] == d["names"]
    np.testing.assert_array_equal(d["density"]["scores"], term.bin_weights[:n_bins])
    has_missing = term.bin_weights[term.bins[0].missing_code] > 0
    assert (d["missing"] is not None) == has_missing


@pytest.mark.parametrize("case", case_ids())
def test_global_explanation_meets_the_interpret_contract(case):
    f = fitted(case)
    model = inspected(f.model)
    explanation = f.model.explain_global()
    assert isinstance(explanation, (GlobalExplanation, ExplanationMixin))
    assert explanation.explanation_type == "global" and isinstance(explanation.name, str)
    selector = explanation.selector
    assert isinstance(selector, pd.DataFrame) and len(selector) == len(explanation) > 0
    overall = explanation.data()
    assert explanation.data(-1) == {"overall": overall, "specific": [explanation.data(i)
                                                                     for i in range(len(explanation))]}
    n_classes = len(getattr(model, "classes_", []))
    family = _family(model)
    if family == "terms":
        assert overall["names"] == [t.name for t in model.terms_] == list(selector["Name"])
        np.testing.assert_allclose(overall["scores"], model.term_importances().to_numpy())
        for i, term in enumerate(model.terms_):
            _check_gam_term(explanation.data(i), term, n_classes)
    elif family == "rules":
        assert overall["type"] == "rule"
        assert overall["rule"] == [r.to_text() for r in model.rules_] == list(selector["Antecedent"])
        assert len(overall["outcome"]) == len(model.rules_)
        for i, rule in enumerate(model.rules_):
            d = explanation.data(i)
            assert d["rule"] == [rule.to_text()] and d["outcome"] == [rule.prediction] and d["position"] == i
            assert [c["feature"] for c in d["conditions"]] == [c.name for c in rule.conditions]
    else:
        tree = model.tree_
        assert overall["type"] == "tree"
        assert [n["data"]["id"] for n in overall["nodes"]] == [str(i + 1) for i in range(tree.n_nodes)]
        assert len(overall["edges"]) == tree.n_nodes - 1
        assert len(explanation) == tree.n_leaves
        for i in range(tree.n_leaves):
            d = explanation.data(i)
            assert d["leaf"] == i and d["decision"][0] == 1 and d["rule"] == tree.leaves[i].to_text()
            assert tree.leaf_id[d["decision"][-1] - 1] == i
    with pytest.raises(IndexError, match="out of range"):
        explanation.data(len(explanation))
    with pytest.raises(TypeError, match="integer"):
        explanation.data("first")


@pytest.mark.parametrize("case", case_ids())
def test_local_explanation_meets_the_interpret_contract(case):
    f = fitted(case)
    model = inspected(f.model)
    X, local = _local(f)
    assert isinstance(local, (LocalExplanation, ExplanationMixin))
    assert local.explanation_type == "local" and local.data() is None
    selector = local.selector
    assert len(selector) == len(local) == len(X) and list(selector.index) == list(X.index)
    assert list(selector["Actual"]) == list(f.y_test[:N_ROWS])
    assert list(selector["Predicted"]) == list(quiet(f.model.predict, X))
    d = local.data(0)
    assert {"is_classification", "predicted", "actual", "predicted_score", "actual_score"} <= set(d["perf"])
    if _family(model) == "terms":
        n_terms = len(model.terms_)
        assert d["type"] == "univariate" and d["names"] == [t.name for t in model.terms_]
        assert len(d["scores"]) == len(d["values"]) == n_terms and d["extra"]["names"] == ["Intercept"]
        # InterpretML's own explanation class reads these dicts and draws them.
        plain = FeatureValueExplanation("local", local.data(-1), feature_names=d["names"], name=local.name)
        assert plain.visualize(0).data
    elif _family(model) == "rules":
        assert d["type"] == "rule" and len(d["rule"]) == len(d["outcome"]) == 1
        assert len(d["rules_not_fired"]) == d["fired"]
    else:
        assert d["type"] == "tree" and d["decision"][0] == 1


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _check_rendered(figure, names):
    """What interpret's renderer accepts: a plotly figure (serialised to JSON as its inline
    renderer does) or a self-contained HTML string, either naming the features."""
    if isinstance(figure, str):
        parser = _Tags()
        parser.feed(figure)
        text = " ".join(parser.text)
        assert {"html", "body", "style"} <= set(parser.tags) and "<script" not in figure
        assert "http" not in figure  # nothing fetched from the network
    else:
        import plotly.graph_objects as go
        import plotly.io

        assert isinstance(figure, go.Figure) and figure.data
        text = plotly.io.to_json(figure)
    assert any(name in text for name in names), names


@pytest.mark.parametrize("case", case_ids(shared=False))
def test_visualize_returns_what_interpret_renders(case):
    pytest.importorskip("plotly", reason="InterpretML's charts need plotly (in the test extra)")
    f = fitted(case)
    explanation = f.model.explain_global()
    names = list(f.X_train.columns)
    _check_rendered(explanation.visualize(), names)
    kinds = list(explanation.selector.iloc[:, 1]) if "Type" in explanation.selector else []
    # One item of each kind (a GAM's continuous, categorical and pair terms), and the last.
    keys = {kinds.index(kind) for kind in set(kinds)} | {len(explanation) - 1}
    for key in keys:
        _check_rendered(explanation.visualize(key), names)
    _, local = _local(f, n=1)
    assert local.visualize() is None  # as InterpretML: a local explanation has no overall view
    _check_rendered(local.visualize(0), names + ["Intercept"])
    if _family(inspected(f.model)) == "terms":
        # InterpretML's generic explanation draws glassbox's overall importances as its own.
        plain = FeatureValueExplanation("global", explanation.data(-1),
                                        feature_names=list(explanation.selector["Name"]))
        _check_rendered(plain.visualize(), names)


def test_visualize_without_plotly_says_how_to_get_it(monkeypatch):
    f = fitted("gam_clf-binary")
    explanation = f.model.explain_global()
    monkeypatch.setitem(sys.modules, "interpret.visual.plot", None)  # as if plotly were absent
    with pytest.raises(ImportError, match="pip install plotly"):
        explanation.visualize(0)
    assert explanation.data(0)["type"] == "univariate"  # data needs no plotly
    assert isinstance(fitted("tree_clf-binary").model.explain_global().visualize(), str)


# --- glassbox's views -------------------------------------------------------------------------


def _used_features(model):
    family = _family(model)
    if family == "terms":
        return {n for t in model.terms_ for n in t.names}
    rules = model.rules_ if family == "rules" else model.tree_.leaves
    return {c.name for r in rules for c in r.conditions}


@pytest.mark.parametrize("case", case_ids())
def test_frames_and_texts_name_the_features(case):
    f = fitted(case)
    model = inspected(f.model)
    explanation = f.model.explain_global()
    used = _used_features(model)
    assert not explanation.to_frame().empty
    assert explanation.to_text() == model.to_text() == str(explanation)
    assert all(name in explanation.to_text() for name in used)
    X, local = _local(f)
    text = local.to_text()
    frame = local.to_frame()
    assert len(frame) == len(X)
    first = text.split("\nrow ")[0]  # row 0's account
    assert first.startswith(f"row {X.index[0]}: prediction") and "actual" in first
    if _family(model) == "terms":
        assert all(t.name in first for t in model.terms_)
    else:
        assert "actual" in frame.columns
        assert list(frame["actual"]) == list(f.y_test[:N_ROWS])
        fired = local.data(0)
        mentioned = fired["rule"][0] if _family(model) == "rules" else fired["rule"]
        assert (mentioned if mentioned != "True" else "ELSE") in first
    # Without y: no actual anywhere.
    _, bare = _local(f, n=2, with_y=False)
    assert "actual" not in bare.to_text() and "actual" not in bare.to_frame().columns
    assert bare.selector["Actual"].isna().all()


def test_distilled_explanations_are_the_students():
    f = fitted("distilled_reg-regression")
    mine, students = f.model.explain_global(), f.model.student_.explain_global()
    assert "student" in mine.name
    assert mine.to_text() == students.to_text()
    assert mine.data() == students.data()
    X = f.X_test.iloc[:5]
    pd.testing.assert_frame_equal(quiet(f.model.explain_local, X).to_frame(),
                                  quiet(f.model.student_.explain_local, X).to_frame())


def test_bad_input_gets_a_clear_error():
    f = fitted("tree_clf-binary")
    X = f.X_test.iloc[20:25]  # rows with no unseen level
    with pytest.raises(ValueError, match="X has 5 rows but y has 4"):
        f.model.explain_local(X, f.y_test[:4])
    with pytest.raises(NotFittedError):
        gb.GAMClassifier().explain_global()
    with pytest.raises(NotFittedError):
        gb.DistilledClassifier(None, gb.GAMClassifier()).explain_local(X)
    with pytest.raises(TypeError, match="glassbox explains"):
        explain_global(object())
    with pytest.raises(ValueError, match="feature"):
        f.model.explain_local(X.iloc[:, :2])
    local = f.model.explain_local(X)
    with pytest.raises(IndexError, match="5 items"):
        local.visualize(5)
    with pytest.raises(TypeError, match="integer"):
        local.data(1.5)


def test_local_explanation_of_numpy_input_uses_positional_names():
    f = fitted("tree_reg-regression")
    X = f.X_train[["num", "skew", "count"]].to_numpy()
    model = gb.ShallowTreeRegressor(max_depth=2).fit(X, f.y_train)
    local = model.explain_local(X[:4], f.y_train[:4])
    assert list(local.selector.index) == [0, 1, 2, 3]
    assert "x" in model.explain_global().to_text()
    assert local.to_text().startswith("row 0: prediction")


def test_missing_values_read_missing_in_local_texts_and_figures():
    """A row's missing values are shown as the bin they fall in, never as 'nan' or 'None'."""
    import matplotlib

    matplotlib.use("Agg")
    X = pd.DataFrame({"age": [20.0, 30.0, np.nan, 50.0] * 50, "city": ["a", "b", None, "a"] * 50})
    y = np.array([0, 1, 1, 0] * 50)
    model = gb.GAMClassifier(outer_bags=1, interactions=0, random_state=0).fit(X, y)
    explanation = model.explain_local(X.iloc[2:3])
    text = str(explanation)
    assert "age = missing" in text and "city = missing" in text
    labels = [t.get_text() for ax in explanation.plot(0).axes for t in ax.get_yticklabels()]
    assert "age = missing" in labels and "city = missing" in labels
    assert not any(word in text + " ".join(labels) for word in ("nan", "None", "<NA>"))
