"""The inspection and export surface every glassbox estimator shares (DESIGN.md's table).

Each method here is a thin entry point; the work is done once for all families in
:mod:`glassbox.explain` (explanations, plots) and :mod:`glassbox.export` (model files, SQL,
Python). A distilled model answers for its student: ``_inspected`` names the fitted glassbox
model whose structure is shown, saved or exported.
"""


class InspectionMixin:
    """Mixed into every public estimator (the binned models and the Distilled* wrappers)."""

    def _inspected(self):
        """The fitted glassbox model whose structure this estimator's inspection shows."""
        return self
