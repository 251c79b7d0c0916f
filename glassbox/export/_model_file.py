"""``glassbox.save`` / ``glassbox.load``: versioned JSON model files that load without running code.

The file (``docs/model-format.md`` documents it field by field) holds the estimator's name and
parameters, the binning, the fitted structure, the class labels with their dtype and a training
summary. Loading is ``json.loads`` and nothing else: the estimator's name is looked up in a fixed
table of glassbox's public classes, never imported from the file, and every field is checked
(type, shape, range, consistency with the binning) before any model is built, so a tampered or
truncated file raises :class:`ModelFileError` naming the field. Predictions of a loaded model are
bit-identical to the original's: thresholds and tables are floats written by ``repr``.
"""

import math
import os

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.utils.validation import check_is_fitted

from glassbox._base import effective_n_threads, fix_event
from glassbox._families import check_params, estimator_names, family_by_name
from glassbox._version import __version__
from glassbox.export._binning import binning_from_dict, binning_to_dict
from glassbox.export._fields import Fields, ModelFileError
from glassbox.export._json import dumps, loads
from glassbox.export._targets import classes_from_json, classes_to_json, label_to_json

FORMAT = "glassbox-model"
# 2: distillation.student_params (the fitted student's own parameters); 3: GAM time_limit, class_weight;
# 4: classifiers' pos_label, GAMs' max_terms and main effects that may be absent, rule lists' monotonic_cst,
# rule lists' and trees' verbose, the optional csv block; 5: GAMs' early_stopping_rounds="auto";
# 6: rule-list and tree classifiers' criterion; 7: trees' candidate_features and max_root_splits;
# 8: GAMs' unordered_penalty and the features they boosted unordered; 9: rule lists' conjunction_features
FORMAT_VERSION = 9

TOP_KEYS = ("format", "format_version", "glassbox_version", "estimator", "params", "n_features_in",
            "feature_names_in", "classes", "binning", "structure", "training")
DISTILLATION_KEY = "distillation"
# Optional (version 4): how the training table was read from CSV, for tools that read new tables
# for the model (``glassbox predict``); the model itself never reads it.
CSV_KEY = "csv"
_TASKS = ("binary", "multiclass", "regression")
_MAX_THREADS = 2**31 - 1  # kernels take the thread count as a C int
_MAX_PARAM_DEPTH = 4  # parameters are scalars, lists of pairs or small dicts: never deeper
# Parameters added in a format version: older files omit them, and they take what every fit did
# before the parameter existed: the value in _OLDER_VALUE, else their default.
_PARAMS_SINCE = {("GAMClassifier", "time_limit"): 3, ("GAMRegressor", "time_limit"): 3,
                 ("RuleListClassifier", "class_weight"): 3, ("ShallowTreeClassifier", "class_weight"): 3,
                 ("GAMClassifier", "pos_label"): 4, ("GAMClassifier", "max_terms"): 4,
                 ("GAMRegressor", "max_terms"): 4, ("ShallowTreeClassifier", "pos_label"): 4,
                 ("RuleListClassifier", "pos_label"): 4, ("RuleListClassifier", "monotonic_cst"): 4,
                 ("RuleListRegressor", "monotonic_cst"): 4,
                 **{(name, "verbose"): 4 for name in ("RuleListClassifier", "RuleListRegressor",
                                                      "ShallowTreeClassifier", "ShallowTreeRegressor")},
                 ("RuleListClassifier", "criterion"): 6, ("ShallowTreeClassifier", "criterion"): 6,
                 **{(name, key): 7 for name in ("ShallowTreeClassifier", "ShallowTreeRegressor")
                    for key in ("candidate_features", "max_root_splits")},
                 ("GAMClassifier", "unordered_penalty"): 8, ("GAMRegressor", "unordered_penalty"): 8}
# Before version 7, a tree's search read every feature and examined every root split: a budget of
# more root splits than any search has.
_EVERY_ROOT_SPLIT = 2**31 - 1
_OLDER_VALUE = {("RuleListClassifier", "criterion"): "misclassification",
                ("ShallowTreeClassifier", "criterion"): "misclassification",
                **{(name, key): value for name in ("ShallowTreeClassifier", "ShallowTreeRegressor")
                   for key, value in (("candidate_features", None), ("max_root_splits", _EVERY_ROOT_SPLIT))},
                # Before version 8 every continuous main effect was boosted in value order.
                ("GAMClassifier", "unordered_penalty"): None, ("GAMRegressor", "unordered_penalty"): None}

# Parameter values added in a format version: an older file holding one is refused, as no writer
# of that version could have made it (and an older reader would refuse it with a less clear error).
_VALUES_SINCE = {("GAMClassifier", "early_stopping_rounds", "auto"): 5,
                 ("GAMRegressor", "early_stopping_rounds", "auto"): 5}


def _codec(estimator_name):
    """The module that writes and reads the structure of the estimator class called so (the
    family's export adapter, from the registry)."""
    return family_by_name(estimator_name).adapter("export")


def _distilled():
    from glassbox.distill import DistilledClassifier, DistilledRegressor

    return {"DistilledClassifier": DistilledClassifier, "DistilledRegressor": DistilledRegressor}


# --- writing ----------------------------------------------------------------------------------


def save(model, path, *, csv=None):
    """Write a fitted glassbox model to ``path`` as a JSON model file.

    Parameters
    ----------
    model : fitted glassbox estimator
        Any of the GAM, rule list and shallow tree estimators, or a ``DistilledClassifier`` /
        ``DistilledRegressor`` (its student is saved, with the teacher's class name and the
        fidelity report; the teacher itself is not).
    path : str or path-like
    csv : dict or None, default=None
        How the training table was read from CSV, recorded for tools that read new tables for
        this model: ``{"na_values": [text, ...]}``, cell texts read as missing (what
        ``glassbox fit --na-values`` records and ``glassbox predict`` applies again). The model
        never reads it: ``load`` gives the same estimator with or without it.

    Notes
    -----
    Saving the same model twice gives the same bytes. Parameters with no JSON form (a
    ``RandomState`` instance, an infinite ``time_limit``) are written as null. Labels and
    category levels must be strings, numbers or booleans; anything else is refused with a
    TypeError, and a NaN or infinity anywhere in the fitted values with a ValueError naming the
    field, before anything is written.
    """
    text = dumps(to_dict(model, csv=csv))
    with open(os.fspath(path), "wb") as handle:
        handle.write(text.encode("utf-8"))


def to_dict(model, *, csv=None):
    """The model file's content as plain JSON-ready data (what :func:`save` writes)."""
    name = type(model).__name__
    distilled = _distilled()
    known = {**estimator_names(), **distilled}
    if known.get(name) is not type(model):
        raise TypeError(f"glassbox.save takes a fitted glassbox estimator ({', '.join(known)}), got {name}.")
    check_is_fitted(model)
    inner = model.student_ if name in distilled else model
    family = _codec(type(inner).__name__)
    check_params(inner)  # never write a file whose parameters load would refuse
    names = getattr(inner, "feature_names_in_", None)
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "glassbox_version": __version__,
        "estimator": name,
        "params": _params_to_json(model, distilled=name in distilled),
        "n_features_in": int(inner.n_features_in_),
        "feature_names_in": None if names is None else [str(n) for n in names],
        "classes": classes_to_json(inner.classes_) if is_classifier(inner) else None,
        "binning": binning_to_dict(inner.binner_),
        "structure": family.structure_to_dict(inner),
        "training": {"n_rows": int(inner.binner_.features_[0].counts.sum()), **family.training_to_dict(inner)},
    }
    if name in distilled:
        data[DISTILLATION_KEY] = {"teacher": _teacher_name(model),
                                  "student_params": _params_to_json(model.student_, distilled=False),
                                  "fidelity": model.fidelity_.to_dict()}
    if csv is not None:
        data[CSV_KEY] = _csv_to_json(csv)
    return data


def _csv_to_json(csv):
    if not isinstance(csv, dict) or set(csv) != {"na_values"} or not isinstance(csv["na_values"], (list, tuple)) \
            or not all(isinstance(v, str) for v in csv["na_values"]):
        raise TypeError(f'csv must be None or {{"na_values": [str, ...]}}, got {csv!r}')
    return {"na_values": list(csv["na_values"])}


def csv_options(data):
    """The ``csv`` block of a model file's parsed JSON ``data`` (checked), or None: how the
    training table was read (see :func:`save`)."""
    top = Fields(data, "model")
    if CSV_KEY not in top.data:
        return None
    csv = top.obj(CSV_KEY).only("na_values")
    values = csv.value("na_values")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        csv.fail("na_values", "expected a list of strings")
    return {"na_values": values}


def _params_to_json(model, distilled):
    given = model.get_params(deep=False)
    params = {k: _json_value(v) for k, v in given.items()}
    if isinstance(given.get("class_weight"), dict):
        # Its keys are class labels, often numbers, which JSON object keys cannot be: a list of
        # [label, weight] pairs instead.
        params["class_weight"] = [[label_to_json(label), _json_value(w)] for label, w in given["class_weight"].items()]
    if distilled:
        if type(model.student) is not type(model.student_):
            raise ValueError(
                f"the student was replaced after fitting ({type(model.student).__name__} given, "
                f"{type(model.student_).__name__} fitted): fit again before saving."
            )
        # The template as given; the fitted student's own parameters (which distill may have
        # resolved, see its docstring) go in the distillation block.
        params["teacher"] = None
        params["student"] = {"estimator": type(model.student).__name__,
                             "params": _params_to_json(model.student, distilled=False)}
    return params


def _json_value(value):
    """A parameter as JSON data; None for a value with no JSON form (documented in ``save``)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_value(v) for k, v in value.items()}
    return None


def _teacher_name(model):
    if hasattr(model, "teacher_name_"):  # a loaded model: the teacher was never saved
        return model.teacher_name_
    teacher = getattr(model, "teacher_", model.teacher)
    return getattr(teacher, "__name__", type(teacher).__name__)  # a function's name, else the class's


# --- reading ----------------------------------------------------------------------------------


def load(path):
    """Read a model file written by :func:`save`; returns the fitted estimator.

    Loading runs no code from the file (plain JSON, no pickle, no imports by name) and checks
    every field; any problem raises :class:`~glassbox.export.ModelFileError` naming the field.
    The loaded model predicts bit-identically to the saved one.

    A distilled model comes back as a ``DistilledClassifier`` / ``DistilledRegressor`` with
    ``teacher=None`` (the teacher is not in the file; its class name is in ``teacher_name_``),
    ``student`` an unfitted student with the saved parameters, and ``student_`` and
    ``fidelity_`` restored: prediction and inspection work, refitting needs a teacher.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator
    """
    with open(os.fspath(path), "rb") as handle:
        raw = handle.read()
    return from_dict(loads(raw))


def from_dict(data):
    """The fitted estimator described by a model file's parsed JSON ``data`` (see :func:`load`)."""
    top = Fields(data, "model")
    if top.str("format") != FORMAT:
        top.fail("format", f"expected {FORMAT!r}: this is not a glassbox model file")
    version = top.int("format_version", lo=1)
    if version > FORMAT_VERSION:
        written = top.data.get("glassbox_version")
        raise ModelFileError(
            f"field 'model.format_version': the file has format version {version} (written by glassbox "
            f"{written}), newer than the version {FORMAT_VERSION} this glassbox {__version__} reads: "
            "upgrade glassbox to read it."
        )
    families, distilled = estimator_names(), _distilled()
    name = top.str("estimator", tuple(families) + tuple(distilled))
    top.only(*TOP_KEYS, *((DISTILLATION_KEY,) if name in distilled else ()), *((CSV_KEY,) if version >= 4 else ()))
    csv_options(data)
    top.str("glassbox_version")
    if name in distilled:
        model, inner = _distilled_from_params(top, distilled[name], version)
    else:
        model = inner = _estimator_from_params(top.obj("params"), families[name], version)
    _restore(inner, top, _codec(type(inner).__name__), version)
    if name in distilled:
        _restore_distillation(model, inner, top.obj(DISTILLATION_KEY), version)
    return model


def _restore(model, top, family, version):
    binner = binning_from_dict(top.obj("binning"))
    n_features = top.int("n_features_in", 1)
    if n_features != len(binner.features_):
        top.fail("n_features_in", f"the binning has {len(binner.features_)} features, not {n_features}")
    names = top.value("feature_names_in")
    binning_names = getattr(binner, "feature_names_in_", None)
    if names != (None if binning_names is None else list(binning_names)):
        top.fail("feature_names_in", "must equal binning.feature_names_in (null when fitted without names)")
    if hasattr(model, "n_jobs"):
        binner.n_jobs = model.n_jobs  # as fitting does: predict bins with the model's threads
    model.binner_ = binner
    model.n_features_in_ = n_features
    if names is not None:
        model.feature_names_in_ = np.asarray(names, dtype=object)
    if is_classifier(model):
        model.classes_ = classes_from_json(top.obj("classes"))
        if hasattr(model, "pos_label"):  # the event, fixed as fit fixes it (a bad label was refused with the params)
            try:
                fix_event(model)
            except ValueError as err:
                raise ModelFileError(f"field 'model.params.pos_label': {err}") from None
    elif not top.is_null("classes"):
        top.fail("classes", f"a {type(model).__name__} has no classes (null)")
    training = top.obj("training")
    family.restore(model, top.obj("structure"), training, version)
    training.int("n_rows", lo=0)
    training.float("total_weight", lo=0.0)


def _estimator_from_params(fields, cls, version):
    """An unfitted ``cls`` with the file's parameters, checked as ``fit`` would check them."""
    values = _params_from_json(fields, cls, version)
    estimator = cls(**values)
    _check_params(estimator, fields.path)
    return estimator


def _params_from_json(fields, cls, version, skip=()):
    names = [key for key in cls._get_param_names() if _PARAMS_SINCE.get((cls.__name__, key), 1) <= version]
    fields.only(*names)
    values = {}
    for key in names:
        value = fields.value(key)
        if key not in skip and not _plain_json(value, _MAX_PARAM_DEPTH):
            fields.fail(key, "expected plain JSON data (numbers, strings, booleans, null, lists, objects)")
        values[key] = value
    for (name, key), value in _OLDER_VALUE.items():
        if name == cls.__name__ and key not in names:
            values[key] = value
    for (name, key, value), since in _VALUES_SINCE.items():
        if name == cls.__name__ and version < since and values.get(key) == value:
            fields.fail(key, f"{value!r} is part of the format from version {since} on, and this file is "
                             f"version {version}")
    if isinstance(values.get("class_weight"), list):
        values["class_weight"] = _class_weight_from_json(fields, values["class_weight"])
    return values


def _class_weight_from_json(fields, pairs):
    """A ``class_weight`` dict from the [label, weight] pairs it is saved as."""
    if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], (str, int, float, bool)) for p in pairs):
        fields.fail("class_weight", "expected null, 'balanced' or a list of [label, weight] pairs")
    weights = {label: weight for label, weight in pairs}
    if len(weights) != len(pairs):
        fields.fail("class_weight", "a label appears twice")
    return weights


def _plain_json(value, depth):
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if depth == 0:
        return False
    if isinstance(value, list):
        return all(_plain_json(v, depth - 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v, depth - 1) for k, v in value.items())
    return False


def _check_params(estimator, path):
    """The estimator's own parameter checks, and ``n_jobs`` (which predict uses to bin)."""
    try:
        check_params(estimator)
        if hasattr(estimator, "n_jobs"):
            effective_n_threads(estimator.n_jobs)
            if estimator.n_jobs is not None and abs(estimator.n_jobs) > _MAX_THREADS:
                raise ValueError(f"n_jobs={estimator.n_jobs} is beyond any thread count")
    except (ValueError, TypeError) as err:
        message = f"field '{path}' holds parameters {type(estimator).__name__} refuses: {err}"
        raise ModelFileError(message) from None


def _distilled_from_params(top, cls, version):
    """``(model, student_)``: the wrapper with ``teacher=None`` and its unfitted student (the
    template), and the student instance to restore the fitted structure into, with the
    parameters it was fitted with. Version 1 files hold one set: fitting never changed them then."""
    fields = top.obj("params")
    values = _params_from_json(fields, cls, version, skip=("student",))
    if values["teacher"] is not None:
        fields.fail("teacher", "the teacher is not saved: expected null")
    student = fields.obj("student").only("estimator", "params")
    families = estimator_names()
    student_name = student.str("estimator", tuple(families))
    student_cls = families[student_name]
    # The kind first: a classifier's parameters (class_weight) are no part of a regressor's.
    if is_classifier(student_cls()) != (cls.__name__ == "DistilledClassifier"):
        kind = "classifier" if cls.__name__ == "DistilledClassifier" else "regressor"
        student.fail("estimator", f"a {cls.__name__} needs a {kind} student, not {student_name}")
    template = _estimator_from_params(student.obj("params"), student_cls, version)
    values["student"] = template
    model = cls(**values)
    if version == 1:
        return model, clone(template)
    return model, _estimator_from_params(top.obj(DISTILLATION_KEY).obj("student_params"), student_cls, version)


def _restore_distillation(model, student, fields, version):
    from glassbox.distill import FidelityReport

    fields.only("teacher", "fidelity", *(() if version == 1 else ("student_params",)))
    teacher = fields.str("teacher")
    report = fields.obj("fidelity").only("task", "classes", "splits", "student_size")
    task = report.str("task", _TASKS)
    if (task == "regression") == is_classifier(model):
        kind = "classification" if is_classifier(model) else "regression"
        report.fail("task", f"a {type(model).__name__} has a {kind} teacher")
    classes = None if report.is_null("classes") else list(report.scalars("classes"))
    splits = {}
    split_fields = report.obj("splits")
    for split in split_fields.data:
        metrics = split_fields.obj(split)
        splits[split] = {m: _metric(metrics, m) for m in metrics.data}
    sizes = report.obj("student_size")
    student_size = {k: sizes.int(k, lo=0) for k in sizes.data}
    model.student_ = student
    model.fidelity_ = FidelityReport(task, classes, splits, student_size)
    model.teacher_name_ = teacher
    model.n_features_in_ = student.n_features_in_
    if hasattr(student, "feature_names_in_"):
        model.feature_names_in_ = student.feature_names_in_
    if is_classifier(model):
        model.classes_ = student.classes_


def _metric(metrics, key):
    """A fidelity metric; null is a metric that could not be computed (NaN in the report)."""
    if metrics.is_null(key):
        return float("nan")
    if isinstance(metrics.value(key), int) and not isinstance(metrics.value(key), bool):
        return metrics.int(key)
    return metrics.float(key)
