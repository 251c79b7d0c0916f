"""Explanations and plots of every glassbox model.

``model.explain_global()`` / ``model.explain_local(X, y)`` return :class:`GlobalExplanation` /
:class:`LocalExplanation`: glassbox's ``to_frame()``, ``to_text()`` and ``plot()``, and
InterpretML's Explanation contract (``explanation_type``, ``name``, ``selector``, ``data(key)``,
``visualize(key)``), so ``interpret.show`` renders them. :func:`plot` (``glassbox.plot``) draws
matplotlib figures of a model's structure.
"""

from glassbox.explain._explanation import GlobalExplanation, LocalExplanation, explain_global, explain_local
from glassbox.explain._plots import plot

__all__ = ["GlobalExplanation", "LocalExplanation", "explain_global", "explain_local", "plot"]
