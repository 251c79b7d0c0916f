"""The report's scorecard section: a binary GAM's points in the industry's convention
(:meth:`~glassbox.gam.GAMClassifier.to_scorecard`'s default scaling) and, with hold-out rows,
what printing them as integers does to the ranking."""

from glassbox.report._html import NotAvailable, e, frame_table, key_values

# The card's text longer than this many lines starts folded.
MAX_OPEN_CARD_LINES = 120
MAX_CARD_ROWS = 400


def has_scorecard(model):
    """Whether ``model`` (the inspected one) is a binary GAM, which is a scorecard."""
    return hasattr(model, "terms_") and len(getattr(model, "classes_", ())) == 2


def scorecard_section(model, X=None, y=None, sample_weight=None):
    """The section's HTML for a binary GAM ``model``; ``X``/``y``: hold-out rows (model columns),
    with their weights when the validation is weighted."""
    card = model.to_scorecard()
    text = card.to_text()
    n_lines = text.count("\n") + 1
    parts = ["<h3>Scorecard points</h3>",
             f"<p class=\"muted\">{e(f'{card.pdo:g}')} points double the odds of not {e(repr(card.event))}; "
             f"{e(f'{card.base_score:g}')} points at odds {e(f'{card.base_odds:g}')}:1. Each characteristic's least "
             "favourable bin "
             "scores 0; the base points hold the rest. The exact total ranks rows as the model does; other scalings: "
             "model.to_scorecard(pdo=..., base_score=..., base_odds=...) or glassbox scorecard.</p>"]
    if X is not None:
        try:
            effect = card.evaluate(X, y, sample_weight=sample_weight)
        except ValueError:  # one class in the hold-out: no ranking to compare, as in the validation
            effect = None
        parts.append(key_values([("AUC, exact and integer points", NotAvailable("one class"))]) if effect is None
                     else key_values([
                         ("AUC, exact points", effect["auc_exact"]), ("AUC, integer points", effect["auc_rounded"]),
                         ("change from rounding", effect["auc_change"]),
                         ("points a total moves, mean", effect["mean_points_moved"]),
                         ("points a total moves, most", effect["max_points_moved"]),
                     ]))
    if n_lines <= MAX_OPEN_CARD_LINES:
        parts.append(f"<pre>{e(text)}</pre>")
    else:
        parts.append(f"<details><summary>The card: {n_lines} lines</summary><pre>{e(text)}</pre></details>")
    frame = card.to_frame()
    note = f" (first {MAX_CARD_ROWS} of {len(frame)})" if len(frame) > MAX_CARD_ROWS else ""
    parts.append(f"<details><summary>Points as a table: {len(frame)} rows{note}</summary>"
                 f"{frame_table(frame.head(MAX_CARD_ROWS))}</details>")
    return "".join(parts)
