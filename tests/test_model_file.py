"""Model files: save -> load gives the same model bit for bit, and a hostile file gets a
ModelFileError naming the field, never another exception."""

import copy
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import glassbox as gb
from glassbox.export import FORMAT_VERSION, ModelFileError, from_dict, to_dict
from glassbox.rules._rulelist import NotProvenOptimalWarning
from tests import model_zoo
from tests.model_zoo import case_ids, fitted, quiet

_OUTPUTS = ("predict", "predict_proba", "decision_function", "predict_raw")


def _round_trip(model, tmp_path):
    path = tmp_path / "model.json"
    gb.save(model, path)
    return gb.load(path), path.read_bytes()


def _params(estimator):
    """get_params with estimator-valued parameters (a distilled model's student) as their class
    and parameters, so two separately built students compare equal."""
    out = {}
    for key, value in estimator.get_params(deep=False).items():
        out[key] = (type(value).__name__, _params(value)) if hasattr(value, "get_params") else value
    return out


def _outputs(model, X):
    return {name: quiet(getattr(model, name), X) for name in _OUTPUTS if hasattr(model, name)}


@pytest.mark.parametrize("case", case_ids())
def test_loaded_model_is_the_same_model(case, tmp_path):
    fit = fitted(case)
    model = fit.model
    loaded, saved = _round_trip(model, tmp_path)

    assert type(loaded) is type(model)
    expected = _params(model)
    if "teacher" in expected:  # the teacher is not saved: a loaded distilled model has none
        assert loaded.teacher is None
        expected["teacher"] = None
    assert _params(loaded) == expected
    if hasattr(model, "student_"):  # the parameters it was fitted with, which may be the template's resolved
        assert _params(loaded.student_) == _params(model.student_)
    for X in (fit.X_test, fit.X_train):
        before, after = _outputs(model, X), _outputs(loaded, X)
        assert before.keys() == after.keys() and "predict" in before
        for name in before:
            assert after[name].dtype == before[name].dtype, name
            assert np.array_equal(after[name], before[name]), name
    assert loaded.to_text() == model.to_text()
    pd.testing.assert_frame_equal(loaded.to_frame(), model.to_frame(), check_exact=True)

    path = tmp_path / "again.json"
    gb.save(model, path)
    assert path.read_bytes() == saved, "saving the same model twice must give the same bytes"
    gb.save(loaded, path)
    assert path.read_bytes() == saved, "a loaded model must save to the bytes it was loaded from"


def test_loaded_distilled_model_keeps_its_report_and_teacher_name(tmp_path):
    model = fitted("distilled_clf-binary").model
    loaded, _ = _round_trip(model, tmp_path)
    assert loaded.teacher_name_ == "Pipeline"
    assert type(loaded.student) is type(model.student_) and not hasattr(loaded.student, "terms_")
    assert str(loaded.fidelity_) == str(model.fidelity_)
    assert loaded.fidelity_.to_dict() == model.fidelity_.to_dict()


def test_the_file_is_plain_json_with_the_documented_top_level():
    data = to_dict(fitted("rules_clf-multiclass").model)
    assert list(data) == ["format", "format_version", "glassbox_version", "estimator", "params", "n_features_in",
                          "feature_names_in", "classes", "binning", "structure", "training"]
    assert data["format"] == "glassbox-model" and data["format_version"] == FORMAT_VERSION == 9
    assert data["estimator"] == "RuleListClassifier"
    assert data["classes"] == {"dtype": "object", "values": ["high", "low", "mid"]}
    assert set(data["training"]) >= {"n_rows", "total_weight", "objective", "optimal"}
    assert data["training"]["n_rows"] == 700
    json.dumps(data, allow_nan=False)  # nothing but JSON types, and no NaN or infinity


@pytest.mark.parametrize("labels", [
    np.array([3, 7, 7, 3], dtype=np.int32),
    np.array([False, True, True, False]),
    np.array([-1.0, 2.0, 2.0, -1.0]),
    np.array(["no", "yes", "yes", "no"]),           # <U3
    np.array(["no", "yes", "yes", "no"], dtype="U8"),  # wider than any label: the dtype is kept
])
def test_class_labels_come_back_with_their_dtype(labels, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = np.repeat(labels, 20)
    model = gb.ShallowTreeClassifier(max_depth=1).fit(X, y)
    loaded, _ = _round_trip(model, tmp_path)
    assert loaded.classes_.dtype == model.classes_.dtype
    assert np.array_equal(loaded.classes_, model.classes_)
    assert np.array_equal(loaded.predict(X), model.predict(X)) and loaded.predict(X).dtype == model.predict(X).dtype


def test_numpy_input_without_feature_names_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = X[:, 0] + rng.normal(size=300)
    model = gb.GAMRegressor(outer_bags=1, interactions=[(0, 1)], random_state=0).fit(X, y)
    loaded, _ = _round_trip(model, tmp_path)
    assert not hasattr(loaded, "feature_names_in_")
    assert np.array_equal(loaded.predict(X), model.predict(X))


# --- what save refuses ---------------------------------------------------------------------------


def test_save_refuses_what_is_not_a_fitted_glassbox_model(tmp_path):
    from sklearn.exceptions import NotFittedError
    from sklearn.tree import DecisionTreeClassifier

    with pytest.raises(NotFittedError):
        gb.save(gb.GAMClassifier(), tmp_path / "m.json")
    with pytest.raises(TypeError, match="takes a fitted glassbox estimator"):
        gb.save(DecisionTreeClassifier(), tmp_path / "m.json")

    class MyTree(gb.ShallowTreeClassifier):
        pass

    with pytest.raises(TypeError, match="got MyTree"):
        gb.save(MyTree(max_depth=1).fit([[0.0], [1.0]], [0, 1]), tmp_path / "m.json")


def test_save_refuses_nan_with_the_field_named(tmp_path):
    model = copy.deepcopy(fitted("rules_reg-regression").model)
    model.rules_[0].value[0] = np.nan
    with pytest.raises(ValueError, match=r"field 'model.structure.rules\[0\].value\[0\]'.*NaN"):
        gb.save(model, tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def test_parameters_without_a_json_form_are_written_as_null():
    model = fitted("tree_clf-binary").model
    odd = copy.deepcopy(model).set_params(random_state=np.random.RandomState(0), time_limit=np.inf)
    params = to_dict(odd)["params"]
    assert params["random_state"] is None and params["time_limit"] is None
    loaded = from_dict(json.loads(json.dumps(to_dict(odd))))
    assert loaded.random_state is None and loaded.time_limit is None


# --- hostile files -----------------------------------------------------------------------------


def _text(case="tree_clf-multiclass"):
    return json.dumps(to_dict(fitted(case).model))


@pytest.mark.parametrize("cut", [0, 1, 2, 50, 1000, 0.5, -2, -1])
def test_truncated_file_is_a_model_file_error(cut, tmp_path):
    raw = _text().encode()
    end = int(len(raw) * cut) if isinstance(cut, float) else cut
    (tmp_path / "m.json").write_bytes(raw[:end])
    with pytest.raises(ModelFileError, match="not valid JSON"):
        gb.load(tmp_path / "m.json")


@pytest.mark.parametrize("raw, match", [
    (b"\x80\x81 binary junk \xff", "not UTF-8"),
    (b"hello", "not valid JSON"),
    (b"[1, 2, 3]", "field 'model': expected an object, got list"),
    (b'"a string"', "expected an object, got str"),
    (b"{}", "field 'model.format' is missing"),
    (b'{"format": "something-else"}', "not a glassbox model file"),
    (b'{"a": NaN}', "holds NaN, which is not a JSON number"),
    (b'{"a": 1, "a": 2}', "repeats the key 'a'"),
    (b"[" * 100_000, "nests too deeply|not valid JSON"),
    (b'{"a": 1' + b"0" * 5000 + b"}", "not valid JSON"),  # an integer too long to convert
])
def test_non_model_files_are_model_file_errors(raw, match, tmp_path):
    (tmp_path / "m.json").write_bytes(raw)
    with pytest.raises(ModelFileError, match=match):
        gb.load(tmp_path / "m.json")


def test_unknown_estimator_is_refused_without_importing_anything():
    data = json.loads(_text())
    data["estimator"] = "os.system"
    with pytest.raises(ModelFileError, match=r"field 'model.estimator': expected one of \['GAMClassifier'"):
        from_dict(data)


def test_newer_format_version_asks_for_an_upgrade():
    data = json.loads(_text())
    data["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(ModelFileError, match=f"format version {FORMAT_VERSION + 1} .* upgrade glassbox to read it"):
        from_dict(data)


def _as_version_1(data):
    """What glassbox's version-1 writer made of the same model: no ``distillation.student_params``,
    and ``params.student`` holding the fitted student's parameters (the two were equal then)."""
    data = copy.deepcopy(data)
    data["format_version"] = 1
    data["params"]["student"]["params"] = data["distillation"].pop("student_params")
    for params, new in _params_new_after(data, 1):
        del params[new]
    for params, key, older in _values_new_after(data, 1):
        params[key] = older
    if data["params"]["student"]["estimator"].startswith("ShallowTree"):  # a tree's, since version 7
        del data["training"]["lower_bound"]
        del data["structure"]["candidate_features"]
    if data["params"]["student"]["estimator"].startswith("GAM"):  # a GAM's, since version 8
        del data["training"]["unordered_features"]
    if data["params"]["student"]["estimator"].startswith("RuleList"):  # a rule list's, since version 9
        del data["structure"]["conjunction_features"]
    return data


# Parameters each format version added, by estimator: older files load with their defaults.
_SEARCHERS = ("RuleListClassifier", "RuleListRegressor", "ShallowTreeClassifier", "ShallowTreeRegressor")
NEW_IN = {
    3: {"GAMClassifier": ["time_limit"], "GAMRegressor": ["time_limit"], "RuleListClassifier": ["class_weight"],
        "ShallowTreeClassifier": ["class_weight"]},
    4: {**dict.fromkeys(_SEARCHERS, ["verbose"]), "GAMClassifier": ["pos_label", "max_terms"],
        "GAMRegressor": ["max_terms"], "ShallowTreeClassifier": ["pos_label", "verbose"],
        "RuleListClassifier": ["pos_label", "monotonic_cst", "verbose"], "RuleListRegressor": ["monotonic_cst", "verbose"]},
    6: {"RuleListClassifier": ["criterion"], "ShallowTreeClassifier": ["criterion"]},
    7: dict.fromkeys(("ShallowTreeClassifier", "ShallowTreeRegressor"), ["candidate_features", "max_root_splits"]),
    8: dict.fromkeys(("GAMClassifier", "GAMRegressor"), ["unordered_penalty"]),
}
# What a file from before a parameter existed loads with, where that is not the current default
# (before version 7, a tree's search read every feature and examined every root split; before
# version 8, a GAM boosted every continuous feature in value order).
OLDER_VALUE = {"criterion": "misclassification", "candidate_features": None, "max_root_splits": 2**31 - 1,
               "unordered_penalty": None}


# Parameter values each format version added: an older file holding one is refused; older
# writers wrote the value given here instead.
NEW_VALUES_IN = {5: {"GAMClassifier": {"early_stopping_rounds": ("auto", 20)},
                     "GAMRegressor": {"early_stopping_rounds": ("auto", 20)}}}


def _values_new_after(data, version):
    """``(parameter object, name, older value)`` for each parameter value added after ``version``
    in a model file's data."""
    return [(params, key, older) for later, added in sorted(NEW_VALUES_IN.items()) if later > version
            for name, params in _parameter_objects(data) if params
            for key, (value, older) in added.get(name, {}).items() if params.get(key) == value]


def _parameter_objects(data):
    """``(estimator name, parameters)`` of a model file's data: the model's, its student
    template's, its fitted student's (None where absent)."""
    student = data["params"].get("student") or {}
    return [(data["estimator"], data["params"]), (student.get("estimator"), student.get("params")),
            (student.get("estimator"), data.get("distillation", {}).get("student_params"))]


def _params_new_after(data, version):
    """``(parameter object, name)`` for each parameter added after ``version`` in a model file's
    data (the model's, its student template's, its fitted student's)."""
    return [(params, key) for later, added in sorted(NEW_IN.items()) if later > version
            for name, params in _parameter_objects(data) if params for key in added.get(name, [])]


@pytest.mark.parametrize("case", [c for c in case_ids() if c.startswith("distilled")])
def test_version_1_distilled_files_still_load(case):
    model = fitted(case).model
    data = to_dict(model)
    loaded = from_dict(_as_version_1(data))
    older = {key: value for _, key, value in _values_new_after(data, 1)}  # values version 1 could hold
    older.update({key: OLDER_VALUE[key] for _, key in _params_new_after(data, 1) if key in OLDER_VALUE})
    assert _params(loaded.student) == _params(loaded.student_) == {**_params(model.student_), **older}
    X = fitted(case).X_test
    for name, before in _outputs(model, X).items():
        assert np.array_equal(_outputs(loaded, X)[name], before), name
    with pytest.raises(ModelFileError, match="student_params' is not part of the format"):
        from_dict({**_as_version_1(data), "distillation": data["distillation"]})


@pytest.mark.parametrize("version", [2, 3, 4, 5, 6, 7, 8])
@pytest.mark.parametrize("case", case_ids())
def test_older_files_load_as_before(case, version):
    """A file from before a version's parameters (3: GAMs' time_limit, classifiers' class_weight;
    4: classifiers' pos_label, GAMs' max_terms, rule lists' monotonic_cst, rule lists' and trees'
    verbose; 6: rule-list and tree classifiers' criterion; 7: trees' max_root_splits; 8: GAMs'
    unordered_penalty) loads the same model, with those parameters at their defaults or at what
    every older fit used (criterion: misclassification; max_root_splits: all of them;
    unordered_penalty: None, with no feature unordered); an older file naming one is
    refused, being no part of that format. So is one holding a value of a later version (5:
    GAMs' early_stopping_rounds="auto"), which older writers could not write, a tree's training
    lower_bound (7), a GAM's training unordered_features (8) and a rule list's structure
    conjunction_features (9: an older list combined every feature's conditions)."""
    model = fitted(case).model
    data = copy.deepcopy(to_dict(model))
    data["format_version"] = version
    new = _params_new_after(data, version)
    if new:
        names = "|".join(name for _, name in new)
        with pytest.raises(ModelFileError, match=rf"\.({names})' is not part of the format"):
            from_dict(data)
        for params, name in new:
            del params[name]
    for params, key, older in _values_new_after(data, version):
        with pytest.raises(ModelFileError, match=rf"\.{key}'.*part of the format from version 5 on"):
            from_dict(data)
        params[key] = older
    if version < 7 and hasattr(getattr(model, "student_", model), "tree_"):
        for block, key in (("structure", "candidate_features"), ("training", "lower_bound")):
            with pytest.raises(ModelFileError, match=rf"{block}\.{key}' is not part of the format"):
                from_dict(data)
            del data[block][key]
    gam = getattr(model, "student_", model)
    if version < 8 and hasattr(gam, "terms_"):
        with pytest.raises(ModelFileError, match=r"training\.unordered_features' is not part of the format"):
            from_dict(data)
        del data["training"]["unordered_features"]
    if version < 9 and hasattr(gam, "rules_"):
        with pytest.raises(ModelFileError, match=r"structure\.conjunction_features' is not part of the format"):
            from_dict(data)
        del data["structure"]["conjunction_features"]
    loaded = from_dict(data)
    if hasattr(gam, "terms_"):
        assert list(getattr(loaded, "student_", loaded).unordered_features_) == (
            [] if version < 8 else list(gam.unordered_features_))
    if hasattr(gam, "rules_"):
        np.testing.assert_array_equal(getattr(loaded, "student_", loaded).conjunction_features_,
                                      np.arange(gam.n_features_in_))
    for estimator in (loaded, getattr(loaded, "student", None), getattr(loaded, "student_", None)):
        for later, added in NEW_IN.items():
            for key in added.get(type(estimator).__name__, []) if later > version else []:
                assert getattr(estimator, key) == OLDER_VALUE.get(key, type(estimator)().get_params()[key]), key
    X = fitted(case).X_test
    for name, before in _outputs(model, X).items():
        assert np.array_equal(_outputs(loaded, X)[name], before), name
    tree = getattr(loaded, "student_", loaded)
    if hasattr(tree, "tree_") and version < 7:  # no bound was written: the objective, or a leaf's penalty
        assert tree.lower_bound_ == (tree.objective_ if tree.optimal_ else min(tree.objective_, tree.complexity))
        assert np.array_equal(tree.candidate_features_, np.arange(tree.n_features_in_))


def test_the_csv_block_is_recorded_checked_and_never_changes_the_model(tmp_path):
    """``save(..., csv=...)`` records how the training CSV was read (glassbox fit --na-values);
    loading gives the same model with or without it, and a malformed block names its field."""
    from glassbox.export import csv_options

    model = fitted("tree_clf-binary").model
    path = tmp_path / "m.json"
    gb.save(model, path, csv={"na_values": ["-7", "NA"]})
    data = json.loads(path.read_text())
    assert data["csv"] == {"na_values": ["-7", "NA"]} and csv_options(data) == {"na_values": ["-7", "NA"]}
    assert csv_options(to_dict(model)) is None and "csv" not in to_dict(model)
    X = fitted("tree_clf-binary").X_test
    assert all(np.array_equal(got, want) for got, want in zip(_outputs(gb.load(path), X).values(),
                                                               _outputs(model, X).values()))
    for bad, field in [({"na_values": "-7"}, "model.csv.na_values"), ({"na_values": [-7]}, "model.csv.na_values"),
                       ({"na_values": [], "sep": ";"}, "model.csv.sep"), (["-7"], "model.csv")]:
        with pytest.raises(ModelFileError, match=f"field '{field}"):
            from_dict({**data, "csv": bad})
    with pytest.raises(ModelFileError, match="'model.csv' is not part of the format"):
        from_dict({**data, "format_version": 3, "params": {k: v for k, v in data["params"].items() if k != "verbose"}})
    with pytest.raises(TypeError, match="csv must be None or"):
        gb.save(model, path, csv={"na_values": [-7]})


def test_a_student_replaced_after_fitting_is_not_saved():
    model = copy.deepcopy(fitted("distilled_clf-tree").model)
    model.set_params(student=gb.RuleListClassifier())
    with pytest.raises(ValueError, match="student was replaced after fitting .* fit again before saving"):
        to_dict(model)


def _set(path, value):
    def tamper(data):
        *parents, last = path
        target = data
        for key in parents:
            target = target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value(target[last]) if callable(value) else value
    return tamper


_DELETE = object()


@pytest.mark.parametrize("case, tamper, match", [
    ("tree_clf-binary", _set(["structure", "nodes", 1, "children_left"], 0), "pre-order"),
    ("tree_clf-binary", _set(["structure", "nodes", 0, "children_right"], 1), "pre-order"),
    ("tree_clf-binary", _set(["structure", "nodes", 0, "threshold"], 123.0), r"nodes\[0\].threshold': expected"),
    ("tree_clf-binary", _set(["structure", "nodes", 0, "left_codes"], lambda c: c + [99]), r"integers in \[0, "),
    ("tree_clf-binary", _set(["structure", "nodes", 3, "value"], [0.9, 0.9]), "summing to 1"),
    ("tree_clf-binary", _set(["structure", "monotonic_cst", 3], 1), "categorical feature cannot be constrained"),
    ("tree_clf-binary", _set(["params", "max_depth"], 2), "deeper than max_depth=2"),
    ("tree_clf-binary", _set(["params", "max_depth"], "3"), "max_depth must be an integer"),
    ("rules_clf-binary", _set(["structure", "rules", 0, "prediction"], 7), r"rules\[0\].prediction': expected"),
    ("rules_clf-binary", _set(["structure", "rules", 0, "conditions"], []), "only the last rule"),
    ("rules_clf-binary", _set(["structure", "rules", 0, "conditions", 0, "codes"], [999]),
     r"conditions\[0\].codes': expected integers in \[0, "),
    ("rules_clf-binary", _set(["structure", "rules", -1, "n_samples"], -1), r"n_samples': -1 is outside"),
    ("rules_clf-binary", _set(["classes", "values"], [1, 0]), "increasing order"),
    ("rules_clf-binary", _set(["classes", "dtype"], "datetime64[ns]"), "expected a NumPy dtype of labels"),
    ("rules_clf-binary", _set(["classes", "values"], [0, 1.5]), "do not fit dtype 'int64'"),
    ("gam_clf-multiclass", _set(["structure", "terms", 0, "scores"], lambda s: s[:-1]), r"terms\[0\].scores"),
    ("gam_clf-multiclass", _set(["structure", "terms", -1, "code_maps", 0, 0], 1), "code map"),
    ("gam_clf-multiclass", _set(["structure", "terms", 1, "features"], [0]), "main effects in increasing feature order"),
    ("gam_clf-multiclass", _set(["structure", "loss"], "log_loss"), "has loss 'softmax'"),
    ("gam_clf-multiclass", lambda d: [t.__setitem__("scores", [1e308] * len(t["scores"]))
                                      for t in d["structure"]["terms"]], "overflows"),
    ("gam_clf-multiclass", _set(["training", "n_rounds"], [[1]]), "outer_bags"),
    ("gam_clf-multiclass", _set(["binning", "features", 0, "counts"], _DELETE), "counts' is missing"),
    ("gam_clf-multiclass", _set(["feature_names_in", 0], "renamed"), "feature_names_in"),
    ("gam_clf-multiclass", _set(["extra"], 1), "'model.extra' is not part of the format"),
    ("distilled_clf-binary", _set(["params", "teacher"], "Pipeline"), "teacher is not saved"),
    ("distilled_reg-regression", _set(["params", "student", "estimator"], "ShallowTreeClassifier"),
     "needs a regressor student"),
    ("distilled_clf-binary", _set(["distillation", "fidelity", "task"], "regression"), "classification teacher"),
    ("distilled_clf-tree", _set(["distillation", "student_params"], _DELETE), "student_params' is missing"),
    ("distilled_clf-tree", _set(["distillation", "student_params", "max_depth"], "3"),
     "student_params' holds parameters ShallowTreeClassifier refuses"),
])
def test_tampered_fields_are_named(case, tamper, match):
    data = copy.deepcopy(to_dict(fitted(case).model))
    tamper(data)
    with pytest.raises(ModelFileError, match=match):
        from_dict(data)


# --- random single-field mutations over a whole file -----------------------------------------

_REPLACEMENTS = ["x", None, True, {}, [], 1.5, -1, 0, 10**30, 1e308, -1e308, float("nan"), float("inf")]


def _mutations(data, rng):
    """``(description, apply, undo)`` for random single-field changes all over ``data``, made in
    place: at every field, deleting it (in an object), two random replacements of another type or
    range, two random reorderings or resizings of a list, and two random bad entries in a list of
    numbers or strings."""
    out = []

    def visit(container, key, path):
        value = container[key]

        def replace(new, what):
            def apply():
                container[key] = copy.deepcopy(new)
            out.append((f"{path} {what}", apply, lambda: container.__setitem__(key, value)))

        def pick(options, k=2):
            return [options[i] for i in rng.choice(len(options), size=min(k, len(options)), replace=False)]

        if isinstance(container, dict):
            out.append((f"{path} deleted", lambda: container.pop(key), lambda: container.__setitem__(key, value)))
        for new in pick(_REPLACEMENTS):
            replace(new, f"= {new!r}")
        if isinstance(value, list) and value:
            changes = [(value[::-1], "reversed"), ([value[i] for i in rng.permutation(len(value))], "shuffled"),
                       (value[:-1], "shortened"), (value + value[-1:], "lengthened")]
            for new, what in pick(changes):
                replace(new, what)
            if not isinstance(value[0], (dict, list)):
                i = int(rng.integers(len(value)))
                for new in pick([float("nan"), -1e308, 10**30, -1, "x", None]):
                    replace(value[:i] + [new] + value[i + 1:], f"[{i}] = {new!r}")
        if isinstance(value, dict):
            for k in value:
                visit(value, k, f"{path}.{k}")
        elif isinstance(value, list) and value and isinstance(value[0], (dict, list)):
            for i in range(len(value)):
                visit(value, i, f"{path}[{i}]")

    for key in list(data):
        visit(data, key, key)
    return out


def _use(model, X):
    """Everything a loaded model offers must work (overflow in a tampered table is numbers, not
    a crash, so floating-point warnings are silenced)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in _OUTPUTS:
            if hasattr(model, name):
                assert len(getattr(model, name)(X)) == len(X)
        model.to_text()
        model.to_frame()
    from_dict(json.loads(json.dumps(to_dict(model))))


# Small models of every family, so that a thousand mutations and loads take seconds; the files
# are still real fitted models on the zoo's mixed data (NaN, strings, categoricals).
SMALL = {
    "gam-multiclass": (lambda: gb.GAMClassifier(max_bins=6, max_interaction_bins=3, interactions=1, outer_bags=2,
                                                max_rounds=20, n_jobs=1, random_state=0), "mixed_multiclass"),
    "gam-poisson": (lambda: gb.GAMRegressor(loss="poisson", max_bins=6, interactions=0, outer_bags=1,
                                            max_rounds=20, n_jobs=1, random_state=0), "mixed_counts"),
    "rules-multiclass": (lambda: gb.RuleListClassifier(max_nodes=50, max_thresholds=2, n_jobs=1), "mixed_multiclass"),
    "rules-regression": (lambda: gb.RuleListRegressor(max_nodes=50, max_thresholds=2, n_jobs=1), "mixed_regression"),
    "tree-binary": (lambda: gb.ShallowTreeClassifier(max_depth=2, max_bins=5, n_jobs=1), "mixed_binary"),
    "tree-monotone": (lambda: gb.ShallowTreeRegressor(max_depth=2, max_bins=5, monotonic_cst={"num": 1},
                                                     n_jobs=1),
                      "mixed_regression"),
    "distilled": (lambda: gb.DistilledClassifier(gb.GAMClassifier(max_bins=6, interactions=0, outer_bags=1, n_jobs=1),
                                                 gb.ShallowTreeClassifier(max_depth=2, max_bins=5, n_jobs=1),
                                                 refit_teacher=True, random_state=0), "mixed_binary"),
}


@pytest.mark.parametrize("name", list(SMALL))
def test_every_mutation_loads_a_working_model_or_is_a_model_file_error(name):
    factory, data_name = SMALL[name]
    X_train, y_train, X_test, _ = model_zoo._data(data_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotProvenOptimalWarning)
        model = factory().fit(X_train, y_train)
    data = to_dict(model)
    X = X_test.iloc[:20]
    failures, refused, loaded = [], 0, 0
    for what, apply, undo in _mutations(data, np.random.default_rng(0)):
        apply()
        try:
            mutated = from_dict(data)
            _use(mutated, X)
            loaded += 1
        except ModelFileError:
            refused += 1
        except Exception as err:  # noqa: BLE001 -- any other exception is the failure under test
            failures.append(f"{what}: {type(err).__name__}: {err}")
        finally:
            undo()
    assert not failures, f"{len(failures)} mutations crashed:\n" + "\n".join(failures[:20])
    assert refused > 100 and loaded > 0
    assert to_dict(from_dict(data)) == to_dict(model)  # every mutation was undone


@pytest.mark.parametrize("bad, what", [([], "at least one"), ([2, 1], "increasing"), ([0, 0], "increasing"),
                                       (None, "expected"), ([-1], r"integers in \[0, "), ("split", "split")])
def test_a_tree_file_with_malformed_candidate_features_or_bound_is_refused(bad, what):
    model = fitted("tree_clf-binary").model
    data = copy.deepcopy(to_dict(model))
    used = sorted({int(n["feature"]) for n in data["structure"]["nodes"] if n["feature"] >= 0})
    data["structure"]["candidate_features"] = ([f for f in range(model.n_features_in_) if f not in used[:1]]
                                               if bad == "split" else bad)
    with pytest.raises(ModelFileError, match=rf"structure\.candidate_features'.*({what})"):
        from_dict(data)
    data = copy.deepcopy(to_dict(model))
    data["training"]["lower_bound"] = data["training"]["objective"] + 0.1
    with pytest.raises(ModelFileError, match=r"training\.lower_bound'.* at most the objective"):
        from_dict(data)


@pytest.mark.parametrize("bad, what", [([2, 1], "increasing"), ([0, 0], "increasing"), (None, "expected"),
                                       ([-1], r"integers in \[0, "), ("conjunction", "several conditions")])
def test_a_rule_list_file_with_malformed_conjunction_features_is_refused(bad, what):
    model = fitted("rules_clf-binary").model
    data = copy.deepcopy(to_dict(model))
    rules = data["structure"]["rules"]
    conjunction = next(r for r in rules if len(r["conditions"]) > 1)  # the case has one
    left_out = conjunction["conditions"][0]["feature"]
    data["structure"]["conjunction_features"] = ([f for f in range(model.n_features_in_) if f != left_out]
                                                 if bad == "conjunction" else bad)
    with pytest.raises(ModelFileError, match=rf"structure\.conjunction_features'.*({what})"):
        from_dict(data)
    data["structure"]["conjunction_features"] = []  # no conjunction in the search: only with no rule using one
    with pytest.raises(ModelFileError, match="several conditions"):
        from_dict(data)
