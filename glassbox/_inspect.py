"""The inspection and export surface every glassbox estimator shares (DESIGN.md's table).

Each method here is a thin, lazy entry point into the views, the way pandas' ``DataFrame.plot``
is: the work is done once for all families in :mod:`glassbox.explain` (text, frames,
explanations, plots) and :mod:`glassbox.export` (SQL, Python), which read the public fitted
structures. Nothing of the views is imported until a method is called, so the models never
depend on them. A distilled model answers for its student.
"""

from sklearn.exceptions import NotFittedError


class InspectionMixin:
    """Mixed into every public estimator (the binned models and the Distilled* wrappers)."""

    def to_text(self):
        """The fitted structure as text a person reads, exactly as it predicts: a GAM's intercept
        and every term's table, a rule list's IF / ELSE IF / ELSE lines, a tree's branches."""
        from glassbox.explain import to_text

        return to_text(self)

    def to_frame(self):
        """The fitted structure as a pandas DataFrame: one row per term bin (and class), per rule,
        or per leaf."""
        from glassbox.explain import to_frame

        return to_frame(self)

    def reason_codes(self, X, n=4, reference="best", event=None):
        """The principal reasons of each row's prediction: the features that pushed it most
        toward the event (adverse-action reason codes).

        A feature's *gap* is how much of the row's score toward the event it accounts for, against
        a reference. ``reference="best"``: the least event-prone score that 5% of the training
        weight reaches, counted from the best bin up (the practice of "points lost against the
        maximum", without letting a few rows in a noisy edge bin set the maximum); ``"mean"``:
        the training average. GAMs: additive, each term's score at the row minus its reference
        score; a pair term is shared between its two features by their Shapley values against
        its own reference cell, so a row's gaps add up exactly to its raw score toward the event
        minus the reference's. Rule lists and trees: the row's predicted probability (or value)
        minus the one with that feature alone moved to its reference over the bins training
        rows fell in. Exact functions of the fitted structure; module ``glassbox.explain._reasons``
        has the definitions.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features), or a Dask DataFrame / Array
            On Dask: a lazy Dask DataFrame, computed partition by partition, equal to the
            in-memory frame.
        n : int, default=4
            Most reasons per row (a row gets fewer when fewer features have a positive gap).
        reference : {"best", "mean"}, default="best"
        event : label or None, default=None
            The class the reasons are toward: a binary model's event (``pos_label``, else
            ``classes_[1]``) by default; required for multiclass. Regressors: toward a higher
            prediction.

        Returns
        -------
        DataFrame
            One row per (sample, rank), indexed by ``(row, rank)``: ``feature``, ``value``, ``bin``,
            ``gap`` (unit in ``.attrs["unit"]``), ``reference`` and ``text``.
        """
        from glassbox.explain import reason_codes

        return reason_codes(self, X, n=n, reference=reference, event=event)

    def to_scorecard(self, pdo=20, base_score=600, base_odds=50):
        """A binary GAM's points per bin, in the credit industry's convention.

        ``score = offset + factor * ln(odds of not the event)`` with ``factor = pdo / ln 2`` (every
        ``pdo`` points double the good:bad odds) and ``base_score`` points at odds of
        ``base_odds``:1. Each characteristic's least favourable bin scores 0; the base points hold
        the rest. The unrounded total ranks rows exactly as the model does; ``evaluate(X, y)``
        reports what the printed integer points change (AUC before and after rounding).

        Returns
        -------
        Scorecard
            ``to_frame()``, ``to_text()``, ``score(X, rounded=True)``, ``evaluate(X, y)``.
        """
        from glassbox.explain import to_scorecard

        return to_scorecard(self, pdo=pdo, base_score=base_score, base_odds=base_odds)

    def __str__(self):
        try:
            return self.to_text()
        except NotFittedError:  # unfitted: scikit-learn's parameter repr
            return repr(self)

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
            ``visualize(i)`` are the i-th row's. For a Dask DataFrame or Array (and ``y`` a Dask
            Series partitioned like it), a :class:`~glassbox.explain.DaskLocalExplanation`
            whose ``to_frame()`` is a lazy Dask DataFrame of the same rows.
        """
        from glassbox.explain import explain_local

        return explain_local(self, X, y=y, name=name)

    def plot(self, what=None, **kwargs):
        """matplotlib figure of the structure; see :func:`glassbox.plot`."""
        from glassbox.explain import plot

        return plot(self, what, **kwargs)

    def to_sql(self, table="data", *, dialect="sqlite", keep=()):
        """SQL computing this model's predictions in a database, with no glassbox installed.

        One SELECT over ``table``: the ``keep`` columns, then for a classifier one probability
        column per class (``proba_<class>``) and the predicted label (``prediction``), for a
        regressor the prediction (``prediction``). Missing values (NULL, and NaN where the
        engine stores it) and unseen levels are handled as the model handles them; probabilities
        match ``predict_proba`` to the last bit or two and labels exactly.

        Parameters
        ----------
        table : str or tuple of str, default="data"
            The table (or view) holding one column per feature, named as in ``feature_names_in_``;
            a tuple such as ``("schema", "table")`` for a qualified name.
        dialect : {"sqlite", "duckdb", "postgres", "clickhouse"}, default="sqlite"
            The engine to write for ("postgresql" is taken for "postgres"). The query is the
            same in each, spelled for it: literals it reads as exactly the model's doubles, its
            quoting, NaN read as missing where it stores NaN apart from NULL. A ClickHouse
            query longer than its default ``max_query_size`` says in a comment how to raise it.
        keep : str or sequence of str, default=()
            Columns of ``table`` passed through, e.g. an id to join the predictions back on.

        Returns
        -------
        str
            The query (numbers written so the engine reads exactly the model's doubles).
        """
        from glassbox.export import to_sql

        return to_sql(self, table, dialect=dialect, keep=keep)

    def to_python(self, function_name="predict_row"):
        """The source of a Python module computing this model's predictions with the standard
        library alone (``math``): no glassbox, NumPy or pandas needed.

        The module has ``predict(rows)`` and, for classifiers, ``predict_proba(rows)``, over an
        iterable of dicts (feature name -> value; None or NaN is missing), and the one-row
        function ``function_name(row)`` returning the label or the value (with
        ``predict_proba_row(row)`` for classifiers). Labels are the model's classes; results
        match ``predict`` / ``predict_proba`` to the last bit or two. Infinite numbers raise
        ValueError, as in glassbox.

        Parameters
        ----------
        function_name : str, default="predict_row"
            Name of the one-row prediction function.

        Returns
        -------
        str
            The module's source: write it to a ``.py`` file, or ``exec`` it.
        """
        from glassbox.export import to_python

        return to_python(self, function_name=function_name)
