"""A rule list's exports: its part of a model file (its rules in order, the default rule last)
and its code plan (nested IF / ELSE tests).

A condition is written as the feature's index and the bin codes it accepts, exactly what
``Condition`` holds, so the loaded rule is evaluated on the same codes; its text is read from the
binning as before. The search's outcome (objective, bound, optimality) goes in ``training``.
"""

import numpy as np

from glassbox._base import check_monotonic_cst, event_class
from glassbox.export._codegen import DecisionPlan, Split, codes_test, labels, outputs
from glassbox.export._fields import ModelFileError
from glassbox.export._targets import check_prediction, label_to_json, values_from_json
from glassbox.rules import Condition, Rule, order_pairs

RULE_KEYS = ("conditions", "prediction", "value", "weight", "n_samples")


def structure_to_dict(model):
    return {"rules": [rule_to_dict(rule) for rule in model.rules_],
            "conjunction_features": model.conjunction_features_.tolist()}


def rule_to_dict(rule):
    return {
        "conditions": [{"feature": int(c.feature), "codes": [int(k) for k in c.codes]} for c in rule.conditions],
        "prediction": label_to_json(rule.prediction),
        "value": rule.value.tolist(),
        "weight": float(rule.weight),
        "n_samples": int(rule.n_samples),
    }


def training_to_dict(model):
    return {
        "total_weight": float(sum(rule.weight for rule in model.rules_)),
        "c": float(model.c_),
        "objective": float(model.objective_),
        "lower_bound": float(model.lower_bound_),
        "optimal": bool(model.optimal_),
        "n_nodes": int(model.n_nodes_),
        "n_antecedents": int(model.n_antecedents_),
    }


def restore(model, structure, training, version):
    """Set ``rules_`` and the search's attributes on ``model`` (binner_, classes_ and the
    parameters already set) from the validated file."""
    structure.only("rules", *(("conjunction_features",) if version >= 9 else ()))
    training.only("n_rows", "total_weight", "c", "objective", "lower_bound", "optimal", "n_nodes", "n_antecedents")
    items = structure.objs("rules")
    if not items:
        structure.fail("rules", "a rule list has at least its default rule")
    features = model.binner_.features_
    rules = []
    for r, item in enumerate(items):
        item.only(*RULE_KEYS)
        conditions = tuple(condition_from_dict(c, features) for c in item.objs("conditions"))
        if len(conditions) > model.max_card:
            item.fail("conditions", f"{len(conditions)} conditions; a rule of this list has at most max_card="
                                    f"{model.max_card}")
        if len({c.feature for c in conditions}) < len(conditions):
            item.fail("conditions", "a rule tests each feature once")
        if r == len(items) - 1 and conditions:
            item.fail("conditions", "the last rule is the default rule, with no conditions")
        if r < len(items) - 1 and not conditions:
            item.fail("conditions", "only the last rule (the default) has no conditions")
        value = values_from_json(item, "value", model)
        classes = getattr(model, "classes_", None)
        prediction = float(value[0]) if classes is None else classes[int(np.argmax(value))]
        check_prediction(item, "prediction", prediction)
        rules.append(Rule(conditions, prediction, value, item.float("weight", lo=0.0), item.int("n_samples", lo=0)))
    if version >= 9:
        combined = structure.ints("conjunction_features", lo=0, hi=len(features) - 1)
        if np.any(np.diff(combined) <= 0):
            structure.fail("conjunction_features", "expected feature indices in increasing order, each once")
        if any(len(rule.conditions) > 1 and not all(c.feature in combined for c in rule.conditions)
               for rule in rules):
            structure.fail("conjunction_features", "every feature of a rule with several conditions is one of them")
    else:  # conjunctions were never limited to some features
        combined = np.arange(len(features))
    model.conjunction_features_ = np.asarray(combined, dtype=np.intp)
    model.rules_ = rules
    _restore_constraints(model, structure)
    model.c_ = training.float("c", lo=0.0)
    if isinstance(model.c, str):  # "auto" resolves to at least 0.005, and to 1 or more on 5 rows or fewer
        if model.c_ < 0.005:
            training.fail("c", "c='auto' is at least 0.005")
    elif model.c_ != model.c:
        training.fail("c", f"expected the parameter c={model.c!r}")
    model.objective_ = training.float("objective")
    model.lower_bound_ = training.float("lower_bound")
    model.optimal_ = training.bool("optimal")
    model.n_nodes_ = training.int("n_nodes", lo=0)
    model.n_antecedents_ = training.int("n_antecedents", lo=0)


def condition_from_dict(item, features):
    """A :class:`Condition`: a feature index and the sorted bin codes it accepts, which must be
    codes of that feature (and, for a continuous feature, one interval of value bins)."""
    item.only("feature", "codes")
    j = item.int("feature", 0, len(features) - 1)
    bins = features[j]
    codes = item.ints("codes", lo=0, hi=bins.n_codes - 1)
    if len(codes) == 0 or np.any(np.diff(codes) <= 0):
        item.fail("codes", "expected distinct bin codes in increasing order")
    if not bins.is_categorical:
        values = codes[codes < bins.n_bins]
        if bins.unseen_code in codes:
            item.fail("codes", f"{bins.name!r} is continuous: it has no unseen code")
        if len(values) and values[-1] - values[0] != len(values) - 1:
            item.fail("codes", f"a condition on continuous {bins.name!r} accepts one interval of bins")
    return Condition(j, tuple(int(c) for c in codes), bins)


def plan(model):
    """The :class:`DecisionPlan` of a fitted rule list: each rule's tests in order, the default last."""
    features = model.binner_.features_
    rules = model.rules_
    root = len(rules) - 1  # the default rule
    for r in range(len(rules) - 2, -1, -1):
        tests = tuple(codes_test(c.feature, features[c.feature], c.codes) for c in rules[r].conditions)
        root = Split(tests, r, root, rules[r].to_text())
    values = [rule.value for rule in rules]
    return DecisionPlan(root, outputs(values), labels(model, values), tuple(r.to_text() for r in rules), "rule")


def _restore_constraints(model, structure):
    """``monotonic_cst_`` from the parameters, and the rules' predictions checked against it (a
    file cannot hold a list that breaks its own constraint)."""
    features = model.binner_.features_
    try:
        model.monotonic_cst_ = check_monotonic_cst(model.monotonic_cst, [f.name for f in features],
                                                   [f.is_categorical for f in features],
                                                   has_names=getattr(model, "feature_names_in_", None) is not None)
    except ValueError as err:
        raise ModelFileError(f"field 'model.params.monotonic_cst': {err}") from None
    if model.monotonic_cst_.any():
        k = event_class(model)[0] if hasattr(model, "classes_") else 0
        for a, b in order_pairs(model.rules_, features, model.monotonic_cst_):
            if model.rules_[a].value[k] > model.rules_[b].value[k]:
                structure.fail("rules", f"rule {a} predicts more than rule {b}, against monotonic_cst")
