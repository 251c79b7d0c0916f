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

    def explain_global(self, name=None):
        """The whole fitted structure as an explanation object.

        GAMs: every term's shape function (with standard errors and training density) and the
        term importances; rule lists: the rules in order; trees: the leaves and their paths.
        The object has glassbox's accessors (``to_frame()``, ``to_text()``, ``plot()``) and
        meets InterpretML's Explanation contract, so ``interpret.show(model.explain_global())``
        renders it.

        Parameters
        ----------
        name : str, default=None
            Display name (InterpretML's dashboard shows it); the estimator's class by default.

        Returns
        -------
        GlobalExplanation
        """
        from glassbox.explain import explain_global

        return explain_global(self, name=name)

    def explain_local(self, X, y=None, name=None):
        """Each row's exact account of its prediction, as an explanation object.

        GAMs: the intercept and every term's contribution, which add up to the raw output
        (``decision_function`` / ``predict_raw``) exactly; rule lists: the rule that fired and
        the rules before it that did not; trees: the path from the root to the leaf.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
            True targets, shown beside each prediction.
        name : str, default=None

        Returns
        -------
        LocalExplanation
            ``to_frame()`` has one row per sample (indexed like ``X``); ``data(i)`` and
            ``visualize(i)`` are the i-th row's.
        """
        from glassbox.explain import explain_local

        return explain_local(self, X, y=y, name=name)

    def plot(self, what=None, **kwargs):
        """matplotlib figure of the structure; see :func:`glassbox.plot`."""
        from glassbox.explain import plot

        return plot(self, what, **kwargs)
