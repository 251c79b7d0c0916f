"""Scorecard points: a binary GAM's tables in the credit industry's points convention.

A scorecard scores ``score = offset + factor * ln(odds)``, the odds being those of the
*non-event* (good:bad), so a higher score means less risk: ``factor = pdo / ln 2`` makes every
``pdo`` points double the odds, and ``offset`` puts ``base_score`` at ``base_odds``. A GAM's
log-odds of its event are additive, so the score is too: each term's points are
``-factor * score`` of every bin (or pair cell), shifted so that the characteristic's least
favourable bin training rows fell in scores 0, and the base points (``offset - factor *
intercept`` minus those shifts) hold the rest. The unrounded total is an exact, decreasing
function of the model's probability of the event, so it ranks rows as the model does; the
integer-rounded points a card prints change the ranking a little, which :meth:`Scorecard.evaluate`
measures.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from glassbox._base import event_class, py_scalar, same_label
from glassbox.explain._gam import _merged, _shown_codes, event_terms, term_frame


@dataclass(frozen=True, eq=False)
class Scorecard:
    """Points per bin of each term of a binary GAM (see the module docstring).

    Attributes
    ----------
    pdo, base_score, base_odds : float
        The scaling: ``pdo`` points double the odds (good:bad); ``base_score`` points at odds of
        ``base_odds`` to 1.
    factor, offset : float
        ``pdo / ln 2`` and ``base_score - factor * ln(base_odds)``.
    event : label
        The model's event (bad outcome): more points, less of it.
    base_points : float
        Points every row starts from (``base_points_rounded``: the integer a card prints).
    points : list of ndarray
        Per term (in ``model.terms_`` order), points per code or cell (``points_rounded``: as
        integers).
    """

    model: object
    pdo: float
    base_score: float
    base_odds: float
    factor: float
    offset: float
    event: object
    base_points: float
    base_points_rounded: int
    points: list
    points_rounded: list

    def to_frame(self):
        """One row per term and bin (or cell), with its training weight and its points, and a
        first row for the base points."""
        _, terms = event_terms(self.model)
        parts = [pd.DataFrame({"term": ["(base points)"], "feature": [None], "bin": [None], "feature_2": [None],
                               "bin_2": [None], "weight": [np.nan], "points": [self.base_points],
                               "points_rounded": [self.base_points_rounded]})]
        for term, points, rounded in zip(terms, self.points, self.points_rounded):
            frame = term_frame(term, None).drop(columns=["score", "standard_error"])
            frame["points"] = points.reshape(-1)
            frame["points_rounded"] = rounded.reshape(-1)
            parts.append(frame)
        return pd.concat(parts, ignore_index=True)

    def to_text(self):
        """The card as a person reads it: base points, then each characteristic's bins with their
        integer points (neighbouring bins with equal points merged)."""
        _, terms = event_terms(self.model)
        lines = [f"Scorecard: {self.pdo:g} points double the odds of not {py_scalar(self.event)!r}; "
                 f"{self.base_score:g} points at odds {self.base_odds:g}:1",
                 f"base points: {self.base_points_rounded}"]
        for term, rounded in zip(terms, self.points_rounded):
            lines.append("")
            lines.append(term.name)
            if term.is_pair:
                a, b = term.bins
                for i in _shown_codes(term, 0):
                    for label_b, value in _merged(b, _shown_codes(term, 1), [str(rounded[i, j]) for j in
                                                                          _shown_codes(term, 1)]):
                        label = f"{a.name} {a.bin_label(i)} & {b.name} {label_b}"
                        lines.append(f"  {label:<40} {value:>6}")
            else:
                codes = _shown_codes(term, 0)
                for label, value in _merged(term.bins[0], codes, [str(rounded[c]) for c in codes]):
                    lines.append(f"  {label:<40} {value:>6}")
        return "\n".join(lines)

    def __str__(self):
        return self.to_text()

    def score(self, X, rounded=True):
        """Each row's total points: the base points plus every term's points at its bin (cell)."""
        codes = self.model.binner_.transform(X)
        _, terms = event_terms(self.model)
        tables = self.points_rounded if rounded else self.points
        total = np.full(codes.shape[0], self.base_points_rounded if rounded else self.base_points,
                        dtype=np.int64 if rounded else np.float64)
        for term, table in zip(terms, tables):
            total = total + table[term.cells(codes)]
        return total

    def evaluate(self, X, y, sample_weight=None):
        """What rounding the points to integers costs: the AUC of the exact and the rounded totals
        (ranking the event by fewer points; weighted by ``sample_weight`` when given), and how far
        the totals move. Returns a dict; a ValueError when ``y`` has only one class."""
        from sklearn.metrics import roc_auc_score

        is_event = np.array([same_label(v, self.event) for v in np.asarray(y)], dtype=bool)
        if is_event.all() or not is_event.any():
            raise ValueError(f"y needs rows of both the event {py_scalar(self.event)!r} and other classes to "
                             "compare rankings.")
        exact, rounded = self.score(X, rounded=False), self.score(X, rounded=True)
        auc_exact = roc_auc_score(is_event, -exact, sample_weight=sample_weight)
        auc_rounded = roc_auc_score(is_event, -rounded, sample_weight=sample_weight)
        moved = np.abs(rounded - exact)
        return {"auc_exact": float(auc_exact), "auc_rounded": float(auc_rounded),
                "auc_change": float(auc_rounded - auc_exact), "gini_exact": float(2 * auc_exact - 1),
                "gini_rounded": float(2 * auc_rounded - 1), "max_points_moved": float(moved.max()),
                "mean_points_moved": float(moved.mean()), "n_rows": int(len(exact))}


def to_scorecard(model, pdo=20, base_score=600, base_odds=50):
    """The :class:`Scorecard` of a fitted binary GAM classifier (or a distilled one's student)."""
    from glassbox.explain._api import shown

    model, _ = shown(model)
    for name, value in (("pdo", pdo), ("base_score", base_score), ("base_odds", base_odds)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or \
                not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if pdo <= 0 or base_odds <= 0:
        raise ValueError(f"pdo and base_odds must be positive, got pdo={pdo!r}, base_odds={base_odds!r}.")
    classes = getattr(model, "classes_", None)
    if classes is None or len(classes) != 2 or not hasattr(model, "terms_"):
        raise ValueError("a scorecard adds points on the log-odds of one event: it needs a binary GAMClassifier "
                         f"(got {type(model).__name__}{'' if classes is None else f' with {len(classes)} classes'}).")
    factor = float(pdo) / np.log(2.0)
    offset = float(base_score) - factor * np.log(float(base_odds))
    intercept, terms = event_terms(model)
    base = offset - factor * float(intercept)
    points, rounded = [], []
    for term in terms:
        table = -factor * term.scores
        worst = table[term.bin_weights > 0].min()  # the least favourable bin training rows fell in: 0 points
        table = table - worst
        base += worst
        points.append(table)
        rounded.append(np.rint(table).astype(np.int64))
    return Scorecard(model, float(pdo), float(base_score), float(base_odds), factor, offset, event_class(model)[1],
                     base, int(np.rint(base)), points, rounded)
