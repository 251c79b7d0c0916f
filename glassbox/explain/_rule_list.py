"""Rule-list views: the list as text and as a frame, the rules in order (global explanation)
and, per row, the rule that fired (local).

Dicts follow InterpretML's decision-list shape (``type: "rule"`` with parallel ``rule`` and
``outcome`` lists); glassbox adds each rule's position, conditions as plain data, values and
support, and for a row the rules before the one that fired (which did not hold).
"""

import numpy as np
import pandas as pd
from sklearn.base import is_classifier

from glassbox._base import py_scalar
from glassbox.binning import format_threshold
from glassbox.explain._common import fmt, local_selector, meta, perf_records, row_headline, row_index, with_actual
from glassbox.explain._html import page, span, values_table
from glassbox.rules import first_match


def describe(model, rule):
    """What a rule predicts, as its line in the list ends: ``'yes' (p=0.81, n=120)``, ``3.25 (n=40)``."""
    if is_classifier(model):
        k = int(np.argmax(rule.value))
        return f"{py_scalar(rule.prediction)!r} (p={rule.value[k]:.2f}, n={rule.n_samples})"
    return f"{format_threshold(np.float64(f'{rule.prediction:.4g}'))} (n={rule.n_samples})"


def value_columns(model, value):
    """A rule's value as frame columns: ``p('yes')`` per class, or ``mean``."""
    if is_classifier(model):
        return {f"p({py_scalar(c)!r})": float(v) for c, v in zip(model.classes_, value)}
    return {"mean": float(value[0])}


def condition_record(condition):
    """A condition as plain data a user can evaluate without glassbox."""
    record = {"feature": condition.name, "missing": condition.includes_missing}
    if condition.bins.is_categorical:
        record.update(levels=list(condition.level_values), unseen=condition.includes_unseen)
    else:
        lower, upper = condition.bounds if condition.value_codes else (None, None)
        record.update(lower=lower, upper=upper, any_value=bool(condition.value_codes))
    return record


def text(model):
    """The list as IF / ELSE IF / ELSE lines, each with its training support."""
    lines = []
    for r, rule in enumerate(model.rules_):
        head = "ELSE" if not rule.conditions else ("IF " if r == 0 else "ELSE IF ") + rule.to_text() + " THEN"
        lines.append(f"{head} {describe(model, rule)}")
    return "\n".join(lines)


def frame(model):
    """One row per rule (the default rule last): its text, its conditions as plain data
    (feature, lower < x <= upper bounds or accepted levels, whether missing is accepted),
    prediction, class probabilities or mean, and training support."""
    rows = []
    for r, rule in enumerate(model.rules_):
        row = {"rule": r, "antecedent": rule.to_text(),
               "conditions": [condition_record(c) for c in rule.conditions],
               "prediction": rule.prediction}
        row.update(value_columns(model, rule.value))
        row.update({"n_samples": rule.n_samples, "weight": rule.weight})
        rows.append(row)
    return pd.DataFrame(rows)


def local_frame(model, X, y=None):
    """For each row: which rule fired (index into ``rules_``), its antecedent, the row's values of
    the features that rule tests, how many earlier rules did not fire, and the prediction (with
    the true target when ``y`` is given) and its probabilities or mean (what
    ``explain_local(X, y).to_frame()`` shows)."""
    fired = model.apply(X)
    table = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object),
                                                                 columns=model.binner_.get_feature_names_out())
    out = []
    for i, r in enumerate(fired):
        rule = model.rules_[r]
        values = {c.name: py_scalar(table.iloc[i, c.feature]) for c in rule.conditions}
        row = {"rule": int(r), "antecedent": rule.to_text(), "values": values,
               "rules_not_fired": int(r), "prediction": rule.prediction}
        row.update(value_columns(model, rule.value))
        out.append(row)
    return with_actual(pd.DataFrame(out, index=X.index if isinstance(X, pd.DataFrame) else None), y)


def _rule_data(model, r):
    rule = model.rules_[r]
    return {
        "type": "rule", "rule": [rule.to_text()], "outcome": [py_scalar(rule.prediction)], "position": r,
        "conditions": [condition_record(c) for c in rule.conditions],
        "value": [float(v) for v in rule.value], "n_samples": rule.n_samples, "weight": rule.weight,
        **meta(model),
    }


def global_parts(model):
    rules = model.rules_
    overall = {
        "type": "rule", "rule": [r.to_text() for r in rules], "outcome": [py_scalar(r.prediction) for r in rules],
        "value": [[float(v) for v in r.value] for r in rules], "n_samples": [r.n_samples for r in rules],
        "weight": [r.weight for r in rules], **meta(model),
    }
    selector = pd.DataFrame({
        "Rule": range(len(rules)),
        "Antecedent": [r.to_text() for r in rules],
        "Prediction": [py_scalar(r.prediction) for r in rules],
        "# Samples": [r.n_samples for r in rules],
    })
    from glassbox.explain import _plots

    return dict(overall=overall, specific=[_rule_data(model, r) for r in range(len(rules))], selector=selector,
                frame=frame(model), text=text(model), render=render, draw=_plots.draw_rules)


def local_parts(model, X, y):
    fired = local_frame(model, X, y)
    perf = perf_records(model, X, y)
    specific = []
    for i, (r, values) in enumerate(zip(fired["rule"], fired["values"])):
        rule = model.rules_[r]
        specific.append({
            "type": "rule", "rule": [rule.to_text()], "outcome": [py_scalar(rule.prediction)], "fired": int(r),
            "rules_not_fired": [earlier.to_text() for earlier in model.rules_[:r]], "values": dict(values),
            "perf": perf[i], **meta(model),
        })
    from glassbox.explain import _plots

    return dict(overall=None, specific=specific, selector=local_selector(perf, row_index(X)), frame=fired,
                text=_local_text(model, fired.index, specific), render=render, draw=_plots.draw_local)


def _local_text(model, index, specific):
    lines = []
    for label, d in zip(index, specific):
        r = d["fired"]
        rule = "the default rule (ELSE)" if not model.rules_[r].conditions else f"rule {r}: IF {d['rule'][0]}"
        lines.append(row_headline(label, d["perf"]))
        lines.append(f"  {rule} THEN {describe(model, model.rules_[r])}")
        if d["values"]:
            lines.append("  values: " + ", ".join(f"{k} = {fmt(v)}" for k, v in d["values"].items()))
        if r:
            lines.append(f"  rules 0..{r - 1} did not hold")
    return "\n".join(lines)


def render(explanation, key):
    """HTML: the list with the selected rule (global) or the fired rule (local) highlighted."""
    model = explanation.model
    if explanation.explanation_type == "local":
        if key is None:
            return None
        d = explanation.data(key)
        title = f"{row_headline(explanation.selector.index[key], d['perf'])}; rule {d['fired']} fired"
        return page(title, _rule_list(model, hit=d["fired"], skipped=d["fired"]) + values_table(d["values"]))
    if key is None:
        return page("Rule list", _rule_list(model))
    return page(f"Rule {key}", _rule_list(model, hit=key))


def _rule_list(model, hit=None, skipped=0):
    items = []
    for r, rule in enumerate(model.rules_):
        head = "ELSE" if not rule.conditions else ("IF" if r == 0 else "ELSE IF")
        body = "" if not rule.conditions else span("cond", rule.to_text()) + " THEN "
        line = f"{head} {body}{span('outcome', describe(model, rule))}"
        if r == hit:
            line = f'<span class="hit">{line}</span>'
        elif r < skipped:
            line = f'<span class="skipped">{line}</span>'
        items.append(f"<li value=\"{r}\">{line}</li>")
    return f'<ol class="rules" start="0">{"".join(items)}</ol>'


# --- reason codes ------------------------------------------------------------------------------


def outputs(model, codes):
    """Each binned row's prediction (probabilities in ``classes_`` order, or ``[mean]``): the
    value of the first rule that holds, evaluated on the structure itself."""
    return np.array([rule.value for rule in model.rules_])[first_match(model.rules_, codes)]


def reason_gaps(model, codes, column, reference):
    """``(gaps, best, unit)`` by what-if on each feature a rule reads (explain/_reasons.py)."""
    from glassbox.explain._reasons import what_if_gaps

    used = sorted({c.feature for rule in model.rules_ for c in rule.conditions})
    return what_if_gaps(model, lambda c: outputs(model, c), used, codes, column, reference)
