"""Editing a fitted GAM without refitting: remove terms, make a term monotone, scale a term.

Each edit returns a new fitted model (the original is left as it was) whose tables are again
centred, so ``intercept_`` stays the raw score of an average row and every view, model file and
export reads the edited model exactly as it predicts. What an edit does to the standard errors
is said per edit.
"""

import copy
from dataclasses import replace

import numpy as np
from sklearn.isotonic import isotonic_regression
from sklearn.utils.validation import check_is_fitted

from glassbox._base import event_sign
from glassbox.gam._constraints import trend
from glassbox.gam._unordered import with_main_effects


def term_index(model, term):
    """Index in ``terms_`` of ``term``: an index, or a term's name (``age``, ``age & income``)."""
    names = [t.name for t in model.terms_]
    if isinstance(term, (int, np.integer)) and not isinstance(term, bool):
        if not -len(names) <= term < len(names):
            raise ValueError(f"term index {term} is out of range: the model has {len(names)} terms.")
        return int(term) % len(names)
    if isinstance(term, str) and term in names:
        return names.index(term)
    shown = ", ".join(map(repr, names[:8])) + (f", ... ({len(names)} in all: term_importances() lists them)"
                                                if len(names) > 8 else "")
    raise ValueError(f"{term!r} is not a term of the model; its terms are {shown} (or give an index).")


def _edited(model, edit):
    """A deep copy of ``model`` with ``edit(terms)`` -> ``(terms, intercept shift)`` applied to
    the copy's own terms (so their bins stay the copy's binner's, as the model file expects)."""
    out = copy.deepcopy(model)
    out.terms_, shift = edit(list(out.terms_))
    out.intercept_ = out.intercept_ + shift
    out.unordered_features_ = with_main_effects(out.unordered_features_, out.terms_)
    return out


def remove_terms(model, terms):
    """A copy of ``model`` without ``terms`` (names or indices). A term is centred, so removing
    it moves every row by its contribution and leaves the intercept as it is."""
    check_is_fitted(model, "terms_")
    if isinstance(terms, (str, int, np.integer)):
        terms = [terms]
    drop = {term_index(model, t) for t in terms}
    if len(drop) == len(model.terms_):
        raise ValueError("removing every term would leave only the intercept; keep at least one term.")
    return _edited(model, lambda terms: ([t for i, t in enumerate(terms) if i not in drop], 0.0))


def scale(model, term, factor):
    """A copy of ``model`` with ``term``'s scores (and standard errors, by ``|factor|``: the spread
    of the bags' scaled tables) multiplied by ``factor``. A centred table stays centred."""
    check_is_fitted(model, "terms_")
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.integer, np.floating)) \
            or not np.isfinite(factor):
        raise ValueError(f"factor must be a finite number, got {factor!r}.")
    i = term_index(model, term)

    def edit(terms):
        t = terms[i]
        terms[i] = replace(t, scores=t.scores * float(factor), standard_errors=t.standard_errors * abs(float(factor)))
        return terms, 0.0

    return _edited(model, edit)


def monotonize(model, term, direction="auto"):
    """A copy of ``model`` whose main effect ``term`` is monotone over its value bins.

    The value bins' scores become their isotonic regression, weighted by the training weight in
    each bin (the closest monotone table in weighted squared error); the missing bin keeps its
    score (it is not part of the order). ``direction`` reads the event's log-odds, as
    ``monotonic_cst`` does: +1 non-decreasing, -1 non-increasing, "auto" the way the term mostly
    goes. The table is then centred again, its mean moving into the intercept. Standard errors
    are kept: the bags' spread around the fitted shape remains the best measure of each bin's
    uncertainty, though the monotone table no longer is the bags' average.
    """
    check_is_fitted(model, "terms_")
    i = term_index(model, term)
    t = model.terms_[i]
    if t.is_pair or t.bins[0].is_categorical:
        raise ValueError(f"term {t.name!r} is {'a pair' if t.is_pair else 'categorical'}: only a continuous "
                         "feature's main effect has an order to be monotone in.")
    if np.ndim(model.intercept_):
        raise ValueError("a multiclass GAM has one table per class: monotone in which class's logit? Refit a binary "
                         "model, or use monotonic_cst.")
    if direction not in ("auto", 1, -1):
        raise ValueError(f"direction must be 1, -1 or 'auto', got {direction!r}.")
    bins = t.bins[0]
    values = slice(0, bins.n_bins)
    sign = event_sign(model)  # the fitted table is the log-odds of classes_[1]; the event may be classes_[0]
    scores, weights = t.scores[values] * sign, t.bin_weights[values]
    if direction == "auto":
        direction = trend(scores, weights) or 1
    seen = weights > 0
    if not seen.any():
        raise ValueError(f"no training row of {t.name!r} has a value (all were missing): its main effect has no "
                         "order to make monotone.")
    fitted = scores.copy()
    fitted[seen] = isotonic_regression(scores[seen], sample_weight=weights[seen], increasing=direction > 0)
    # A bin no training row fell in takes its left neighbour's value (the first seen one's at the start).
    positions = np.maximum.accumulate(np.where(seen, np.arange(len(seen)), -1))
    fitted = np.where(positions >= 0, fitted[np.maximum(positions, 0)], fitted[np.flatnonzero(seen)[0]])
    table = t.scores.copy()
    table[values] = fitted * sign
    # Centre again over the training weight; cells that must score 0 (unseen, never-seen missing) stay 0.
    shift = float((table * t.bin_weights).sum() / t.bin_weights.sum())
    zero = np.zeros(bins.n_codes, dtype=bool)
    zero[bins.unseen_code] = True
    zero[bins.missing_code] = t.bin_weights[bins.missing_code] == 0
    table = np.where(zero, 0.0, table - shift)

    def edit(terms):
        terms[i] = replace(terms[i], scores=table)
        return terms, shift

    return _edited(model, edit)
