"""Plain-language notes on what a fitted model's search certified and what its budget cut.

The model file's training block says ``optimal False, lower bound 0.000126646``; a reviewer
needs to know what that means for the model in front of them. Each note is a sentence or two
read from public fitted attributes and parameters; a rule list's gap is worded by
:func:`glassbox.rules.describe_gap`, the same function that words the warning its fit gave.
"""

import numpy as np
from sklearn.base import is_classifier

from glassbox.rules import describe_gap


def model_notes(model):
    """Notes on the certificate and budget of a fitted glassbox model (not a distilled wrapper)."""
    if hasattr(model, "rules_"):
        return _rule_list_notes(model)
    if hasattr(model, "tree_"):
        return _tree_notes(model)
    if hasattr(model, "terms_"):
        return _gam_notes(model)
    return []


def _n_training_rows(model):
    return int(model.binner_.features_[0].counts.sum())


def _rule_list_notes(model):
    candidates = (f"candidate rules (conditions on up to max_card={model.max_card} features, at most "
                  f"max_thresholds={model.max_thresholds} cut points per feature)")
    objective = f"the training error plus c={model.c_:.3g} per rule"
    if model.optimal_:
        return [f"Proven optimal: no rule list over the same {candidates} has a lower objective ({objective}). "
                "Optimality is over those candidates and the training data, not a promise about new data."]
    gap = describe_gap(model.objective_, model.lower_bound_, is_classifier(model), _n_training_rows(model),
                       getattr(model, "criterion", "misclassification"))
    budget = (f"max_nodes={model.max_nodes}" if model.max_nodes is not None else "the default node budget") + (
        f", time_limit={model.time_limit:g} s" if model.time_limit is not None else "")
    return [
        f"Not proven optimal: the search ({budget}; it explored {model.n_nodes_} nodes) or the mining of "
        f"{candidates} stopped before a certificate. The list is the best found: {gap}. It may still be "
        "optimal; a larger budget (or fewer candidates) gives a certificate, or a better list.",
    ]


def _tree_notes(model):
    family = (f"trees of depth at most max_depth={model.max_depth} with splits between the model's bins "
              f"(max_bins={model.max_bins})")
    objective = f"the training error plus complexity={model.complexity:g} per leaf"
    if model.optimal_:
        return [f"Proven optimal: no tree among {family} has a lower objective ({objective}), on the training data."]
    if model.max_depth > 3:
        return [f"Not claimed optimal: trees deeper than 3 are grown by refining each depth-3 leaf with an exact "
                f"subtree, a search that never proves optimality. Its objective on the training data is "
                f"{model.objective_:.6g} ({objective})."]
    budget = ("the default budget of root splits" if model.max_root_splits is None
              else f"max_root_splits={model.max_root_splits}")
    limit = f", time_limit={model.time_limit:g} s" if model.time_limit is not None else ""
    return [f"Not proven optimal: the search ({budget}{limit}) stopped before it had examined every root "
            f"split, and returned the best tree found among {family}. Its objective is {model.objective_:.6g} "
            f"({objective}); no tree has one lower than {model.lower_bound_:.6g} (rows that no split separates "
            "owe their own loss), a loose bound. A larger budget gives a certificate, or a better tree."]


def _gam_notes(model):
    rounds = np.asarray(model.n_rounds_)
    stages = ["main effects", "pairs"][: rounds.shape[0]]
    kept = "; ".join(f"{stage}: {_span(r)} rounds per bag" for stage, r in zip(stages, rounds))
    notes = [f"Boosting kept {kept} (max_rounds={model.max_rounds}, {rounds.shape[1]} bags)"]
    capped = int((rounds >= model.max_rounds).sum())
    if model.validation_size > 0 and not capped and model.time_limit is None:
        notes[0] += (f": early stopping on each bag's validation rows ({model.validation_size:.0%} of its rows) "
                     "chose them")
    notes[0] += "."
    if model.validation_size == 0:
        notes.append("validation_size=0: no early stopping, so every bag ran max_rounds rounds unless the time "
                     "limit stopped it.")
    elif capped:
        notes.append(f"{capped} bag stage{'s' if capped > 1 else ''} reached max_rounds={model.max_rounds} before "
                     "early stopping: the shapes may be under-fitted; raise max_rounds.")
    unordered = list(model.unordered_features_)
    if unordered:
        notes.append(
            f"Boosted unordered: {', '.join(unordered)}. {'Their' if len(unordered) > 1 else 'Its'} effect jumped "
            "between neighbouring values at the start of the fit, so each step grouped value bins by their effect "
            f"in any order, as for a categorical feature (unordered_penalty={model.unordered_penalty:g}); such a "
            "shape may jump from one bin to the next.")
    n_pairs = sum(len(t.features) == 2 for t in model.terms_)
    if model.time_limit is not None:
        cut = int((rounds < model.max_rounds).sum()) if model.validation_size == 0 else None
        notes.append(
            f"Fitted under time_limit={model.time_limit:g} s: a bag the clock stopped keeps its best whole round, as "
            "early stopping would, and the pair stage gets only the time the main effects leave. "
            + (f"{cut} bag stage{'s' if cut != 1 else ''} stopped before max_rounds, so by the clock. " if cut else "")
            + ("The model does not record which bags the clock stopped (the fit's ConvergenceWarning said so); "
               "it depends on the machine's speed and load. " if cut is None else "")
            + (f"It has no pair terms although interactions={model.interactions!r} asked for them: the time limit "
               "may have left none for the pair stage." if n_pairs == 0 and _asks_for_pairs(model) else "")
        )
    return [note.strip() for note in notes]


def _asks_for_pairs(model):
    value = model.interactions
    if isinstance(value, str):
        return value.strip().rstrip("x").strip() not in ("0", "0.0", "")
    return bool(value)


def _span(values):
    lo, hi = int(values.min()), int(values.max())
    return str(lo) if lo == hi else f"{lo} to {hi}"
