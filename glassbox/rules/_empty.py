"""Why a rule list came out empty, and what would give it rules.

The empty list (the default rule alone) is a valid answer only when it is the best one. When a
fit returns it, the user needs to know whether no rule helps at all or whether a setting hides
them: ``c`` (every rule must lower the training error by more than ``c``), or misclassification
itself, which on rare positives cannot see a rule that separates 2% risk from 30% risk (no rule
changes the majority class anywhere). The best one-condition rule answers both: its error
reduction against ``c``, and, for a classifier fitted by misclassification, the same under the
log loss (``criterion="log_loss"``) and with the classes weighed alike
(``class_weight="balanced"``). One-condition rules only: they are few (conjunctions run to
millions on wide data) and a rule list fit must end within its time limit, so the advice stops at
the fit's deadline too, saying how many it examined.
"""

import time

import numpy as np

from glassbox._regions import LOG_LOSS, MISCLASSIFICATION, region_loss
from glassbox.rules._rule import Rule


def _examined(conditions, deadline):
    """The candidates examined: all, or those the deadline left time for (checked every 64)."""
    for a, cs in enumerate(conditions):
        if a % 64 == 0 and a and time.perf_counter() >= deadline:
            return
        yield cs


def _class_error(target, weight, conditions, codes, n_classes, criterion):
    """Weighted loss (``criterion``) of the default rule alone, and of each one-rule list (the
    rule, then the default on the rest). One candidate's rows at a time: thousands of candidates
    on many rows would not fit in memory together."""
    total = np.bincount(target, weights=weight, minlength=n_classes)
    pseudo = weight.mean()  # the smoothing's pseudo-row, as in the fit
    empty = region_loss(total, n_classes, criterion, pseudo)
    one_rule = np.empty(len(conditions))
    for a, cs in enumerate(conditions):
        rows = Rule(tuple(cs), None, None).evaluate(codes)
        inside = np.bincount(target[rows], weights=weight[rows], minlength=n_classes)
        one_rule[a] = region_loss(np.array([inside, total - inside]), n_classes, criterion, pseudo).sum()
    return empty, one_rule


def _squared_error(target, weight, conditions, codes):
    """Weighted squared error of the mean alone, and of each one-rule list (two means)."""
    def sse(w, wy, wyy):
        return wyy - (wy ** 2 / w if w > 0 else 0.0)

    w, wy, wyy = weight.sum(), (weight * target).sum(), (weight * target ** 2).sum()
    one_rule = np.empty(len(conditions))
    for a, cs in enumerate(conditions):
        rows = Rule(tuple(cs), None, None).evaluate(codes)
        w_in, wy_in, wyy_in = weight[rows].sum(), (weight[rows] * target[rows]).sum(), \
            (weight[rows] * target[rows] ** 2).sum()
        one_rule[a] = sse(w_in, wy_in, wyy_in) + sse(w - w_in, wy - wy_in, wyy - wyy_in)
    return sse(w, wy, wyy), one_rule


def empty_list_advice(conditions, codes, target, weight, classification, n_classes, c, criterion=MISCLASSIFICATION,
                      suggest_balanced=True, deadline=np.inf):
    """The sentence a warning gives when the fitted list is empty: the best single rule, what it
    gains against ``c``, and (classification, unless class weights were given) with balanced
    classes. ``weight`` are the weights the fit computed with; gains are shares of the total
    weight (of the variance, for regression), as the objective counts them."""
    if not conditions:
        return "no candidate rule was mined (see the warning above)."
    n_candidates = len(conditions)
    conditions = list(_examined(conditions, deadline))
    note = "" if len(conditions) == n_candidates else (
        f" (of the first {len(conditions)} of {n_candidates} one-condition rules: time_limit left no time for more)")
    if classification:
        empty, one_rule = _class_error(target, weight, conditions, codes, n_classes, criterion)
        scale = weight.sum()
    else:
        target = target.astype(np.float64)
        # Centred first: sums of squares of a large offset would cancel away the variance.
        empty, one_rule = _squared_error(target - np.average(target, weights=weight), weight, conditions, codes)
        scale = max(float(empty), 1e-300)
    gains = (empty - one_rule) / scale
    best = int(np.argmax(gains))
    rule = Rule(tuple(conditions[best]), None, None).to_text()
    if gains[best] > 0:
        advice = (f"the best one-condition rule{note}, IF {rule}, lowers the training error by {gains[best]:.4g}, "
                  f"not more than c={c:.4g}; c below {gains[best]:.4g} gives rules")
    else:
        advice = f"no one-condition rule{note} lowers the training error at all"
    if classification and criterion == MISCLASSIFICATION and gains[best] <= c and time.perf_counter() < deadline:
        empty_l, one_rule_l = _class_error(target, weight, conditions, codes, n_classes, LOG_LOSS)
        gains_l = (empty_l - one_rule_l) / weight.sum()
        best_l = int(np.argmax(gains_l))
        if gains_l[best_l] > c:
            advice += (f". Misclassification cannot see a rule that only changes how likely the classes are: with "
                       f"criterion='log_loss' the best one-condition rule, IF "
                       f"{Rule(tuple(conditions[best_l]), None, None).to_text()}, lowers the mean log loss by "
                       f"{gains_l[best_l]:.4g}, more than c")
    if (classification and criterion == MISCLASSIFICATION and suggest_balanced and gains[best] <= c
            and time.perf_counter() < deadline):
        counts = np.bincount(target, minlength=n_classes).astype(np.float64)
        balanced = weight * (counts.sum() / (n_classes * np.maximum(counts, 1)))[target]
        empty_b, one_rule_b = _class_error(target, balanced, conditions, codes, n_classes, criterion)
        gains_b = (empty_b - one_rule_b) / balanced.sum()
        best_b = int(np.argmax(gains_b))
        if gains_b[best_b] > c:
            why = (", or" if "log_loss" in advice else
                   f". Misclassification cannot see a rule that only changes how likely the rarer classes are "
                   f"(the most frequent holds {counts.max() / counts.sum():.0%} of the rows):")
            advice += (f"{why} with class_weight='balanced' the best one-condition rule, IF "
                       f"{Rule(tuple(conditions[best_b]), None, None).to_text()}, lowers the balanced error by "
                       f"{gains_b[best_b]:.4g}, more than c")
        elif gains[best] <= 0:
            advice += ", not even with class_weight='balanced': the features do not separate the classes here"
    return advice + "."
