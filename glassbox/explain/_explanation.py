"""The two explanation objects every glassbox model returns.

An explanation is data computed once from the fitted structure: an ``overall`` dict, one
``specific`` dict per item (a GAM term, a rule, a leaf, or a row of X), a ``selector`` table with
one row per item, and glassbox's own frame and text. The dict shapes are InterpretML's (the ones
its EBM, decision-list and tree explanations use), so ``interpret.show`` and anything else that
reads InterpretML explanations can read these; glassbox-only facts ride along under extra keys.

They meet InterpretML's Explanation contract by subclassing its ``ExplanationMixin``, so this is
the one module that imports interpret-core: only when an explanation is first built.
"""

import numbers

from interpret.api.base import ExplanationMixin


class _Explanation(ExplanationMixin):
    """What global and local explanations share: InterpretML's accessors and glassbox's."""

    explanation_type = None

    def __init__(self, model, *, name, overall, specific, selector, frame, text, render, draw):
        self.model = model
        self.name = name
        self.selector = selector
        self._overall = overall
        self._specific = specific
        self._frame = frame
        self._text = text
        self._render = render
        self._draw = draw

    def data(self, key=None):
        """InterpretML's data accessor.

        ``key=None``: the overall dict (a global explanation's importances, rule list or tree;
        None for a local one, as in InterpretML). An integer ``i``: the i-th item's dict (the
        i-th row of ``selector``). ``-1``: everything, ``{"overall": ..., "specific": [...]}``
        (InterpretML's convention).
        """
        if isinstance(key, tuple) and len(key) == 2:  # InterpretML's (provider, key) form
            key = key[1]
        if key is None:
            return self._overall
        key = self._check_key(key, allow_all=True)
        if key == -1:
            return {"overall": self._overall, "specific": self._specific}
        return self._specific[key]

    def visualize(self, key=None):
        """What ``interpret.show`` displays: a plotly figure drawn by InterpretML's own plotting
        functions (GAM shapes, importances and contributions; needs plotly) or an HTML string
        (rule lists and trees). ``key`` as in :meth:`data`."""
        if key is not None:
            key = self._check_key(key)
        return self._render(self, key)

    def plot(self, key=None, **kwargs):
        """The matplotlib figure of the whole explanation (``key=None``) or of its ``key``-th
        item; never shown unless ``show=True``. See :func:`glassbox.plot`."""
        if key is not None:
            key = self._check_key(key)
        return self._draw(self, key, **kwargs)

    def to_frame(self):
        """The explanation as a pandas DataFrame (a copy)."""
        return self._frame.copy()

    def to_text(self):
        """The explanation as text a person can read."""
        return self._text

    def __len__(self):
        return len(self._specific)

    def __str__(self):
        return self.to_text()

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}: {len(self)} items>"

    def _check_key(self, key, allow_all=False):
        if not isinstance(key, numbers.Integral) or isinstance(key, bool):
            raise TypeError(f"key must be None or an integer index into the selector, got {key!r}.")
        key = int(key)
        if allow_all and key == -1:
            return key
        if not 0 <= key < len(self._specific):
            raise IndexError(f"key {key} is out of range: this {self.explanation_type} explanation has "
                             f"{len(self._specific)} items (0..{len(self._specific) - 1}).")
        return key


class GlobalExplanation(_Explanation):
    """A fitted model's whole structure (``model.explain_global()``).

    Items (``data(i)``, ``visualize(i)``, rows of ``selector``): a GAM's terms, a rule list's
    rules, a tree's leaves. ``to_frame()`` and ``to_text()`` are the model's own.
    """

    explanation_type = "global"


class LocalExplanation(_Explanation):
    """Exact per-row accounts of a model's predictions (``model.explain_local(X, y)``).

    Items are the rows of X, in order. ``selector`` lists each row's prediction (and the true
    target when ``y`` was given), InterpretML's way.
    """

    explanation_type = "local"
