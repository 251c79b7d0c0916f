"""Explanations, texts, frames and plots of every glassbox model.

``model.explain_global()`` / ``model.explain_local(X, y)`` return :class:`GlobalExplanation` /
:class:`LocalExplanation` (a lazy :class:`DaskLocalExplanation` of a Dask collection): glassbox's ``to_frame()``, ``to_text()`` and ``plot()``, and
InterpretML's Explanation contract (``explanation_type``, ``name``, ``selector``, ``data(key)``,
``visualize(key)``), so ``interpret.show`` renders them. :func:`plot` (``glassbox.plot``) draws
matplotlib figures of a model's structure; :func:`to_text` and :func:`to_frame` are what
``model.to_text()`` and ``model.to_frame()`` return.

interpret-core is imported only when an explanation is built (the two classes come from it).
"""

from glassbox.explain._api import explain_global, explain_local, to_frame, to_text
from glassbox.explain._dask import DaskLocalExplanation
from glassbox.explain._plots import plot
from glassbox.explain._reasons import reason_codes
from glassbox.explain._scorecard import Scorecard, to_scorecard

__all__ = ["DaskLocalExplanation", "GlobalExplanation", "LocalExplanation", "Scorecard", "explain_global", "explain_local", "plot",
           "reason_codes", "to_frame", "to_scorecard", "to_text"]


def __getattr__(name):
    # The explanation classes subclass InterpretML's: imported on first use, not with glassbox.
    if name in ("GlobalExplanation", "LocalExplanation"):
        from glassbox.explain import _explanation

        return getattr(_explanation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
