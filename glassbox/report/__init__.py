"""The glassbox report: one self-contained HTML page of fitted models, and their validation.

:func:`render_report` / :func:`write_report` (and ``glassbox report``) show each model's structure,
figures, importances, training summary and the notes on its certificate and budget; given
hold-out data, a validation a model-risk reviewer can sign off: discrimination, calibration, the
data profile against the model's training bins, and the same by segment. :func:`validate`
returns those numbers as a :class:`Validation`, for scripts and tests.

Layout: ``_page`` (the page), ``_validation`` (what is computed, on ``_holdout``'s checked
inputs), ``_metrics`` (the numbers), ``_profile`` (training vs hold-out per feature), ``_notes``
(certificates and budgets in words), ``_figures`` and ``_validation_html`` (how it is shown),
``_html`` (escaping and tables).
"""

from glassbox.report._page import MAX_OPEN_TEXT_LINES, MAX_TABLE_ROWS, MAX_TERM_FIGURES, render_report, write_report
from glassbox.report._validation import Validation, event_class, validate

__all__ = ["MAX_OPEN_TEXT_LINES", "MAX_TABLE_ROWS", "MAX_TERM_FIGURES", "Validation", "event_class", "render_report",
           "validate", "write_report"]
