"""Rule-list explanations: the rules in order (global) and, per row, the rule that fired.

Dicts follow InterpretML's decision-list shape (``type: "rule"`` with parallel ``rule`` and
``outcome`` lists); glassbox adds each rule's position, conditions as plain data, values and
support, and for a row the rules before the one that fired (which did not hold).
"""

import pandas as pd

from glassbox._base import py_scalar
from glassbox.explain._explanation import (
    fmt, local_selector, meta, perf_records, row_headline, row_index, with_actual,
)
from glassbox.explain._html import page, span, values_table

FITTED = "rules_"


def estimators():
    from glassbox.rules._rulelist import _BaseRuleList

    return _BaseRuleList


def _rule_data(model, r):
    from glassbox.rules._rulelist import _condition_record

    rule = model.rules_[r]
    return {
        "type": "rule", "rule": [rule.to_text()], "outcome": [py_scalar(rule.prediction)], "position": r,
        "conditions": [_condition_record(c) for c in rule.conditions],
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
                frame=model.to_frame(), text=model.to_text(), render=render, draw=_plots.draw_rules)


def local_parts(model, X, y):
    frame = model._local_frame(X)
    perf = perf_records(model, X, y)
    specific = []
    for i, (r, values) in enumerate(zip(frame["rule"], frame["values"])):
        rule = model.rules_[r]
        specific.append({
            "type": "rule", "rule": [rule.to_text()], "outcome": [py_scalar(rule.prediction)], "fired": int(r),
            "rules_not_fired": [earlier.to_text() for earlier in model.rules_[:r]], "values": dict(values),
            "perf": perf[i], **meta(model),
        })
    from glassbox.explain import _plots

    frame = with_actual(frame, y)
    return dict(overall=None, specific=specific, selector=local_selector(perf, row_index(X)), frame=frame,
                text=_local_text(model, frame.index, specific), render=render, draw=_plots.draw_local)


def _local_text(model, index, specific):
    lines = []
    for label, d in zip(index, specific):
        r = d["fired"]
        rule = "the default rule (ELSE)" if not model.rules_[r].conditions else f"rule {r}: IF {d['rule'][0]}"
        lines.append(row_headline(label, d["perf"]))
        lines.append(f"  {rule} THEN {model._describe(model.rules_[r])}")
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
        text = f"{head} {body}{span('outcome', model._describe(rule))}"
        if r == hit:
            text = f'<span class="hit">{text}</span>'
        elif r < skipped:
            text = f'<span class="skipped">{text}</span>'
        items.append(f"<li value=\"{r}\">{text}</li>")
    return f'<ol class="rules" start="0">{"".join(items)}</ol>'
