"""The two explanation objects every glassbox model returns, and the dispatch to its family.

An explanation is data computed once from the fitted structure: an ``overall`` dict, one
``specific`` dict per item (a GAM term, a rule, a leaf, or a row of X), a ``selector`` table with
one row per item, and glassbox's own frame and text. The dict shapes are InterpretML's (the ones
its EBM, decision-list and tree explanations use), so ``interpret.show`` and anything else that
reads InterpretML explanations can read these; glassbox-only facts ride along under extra keys.
"""

import numbers

import numpy as np
import pandas as pd
from interpret.api.base import ExplanationMixin
from sklearn.utils.validation import check_is_fitted

from glassbox._base import _target_1d, as_table, py_scalar


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


def explain_global(model, name=None):
    """``model.explain_global()``: a :class:`GlobalExplanation` of any fitted glassbox model."""
    inspected = _inspected(model)
    family = _family(inspected)
    parts = family.global_parts(inspected)
    return GlobalExplanation(inspected, name=_name(model, name), **parts)


def explain_local(model, X, y=None, name=None):
    """``model.explain_local(X, y)``: a :class:`LocalExplanation` of any fitted glassbox model."""
    inspected = _inspected(model)
    family = _family(inspected)
    X = as_table(X)
    if y is not None:
        y = _target_1d(y, X.shape[0])
    parts = family.local_parts(inspected, X, y)
    return LocalExplanation(inspected, name=_name(model, name), **parts)


def _inspected(model):
    inspect = getattr(model, "_inspected", None)
    if inspect is None:
        raise TypeError(f"expected a glassbox estimator, got {type(model).__name__}; glassbox explains "
                        "its own models (GAM*, RuleList*, ShallowTree*, Distilled*).")
    return inspect()


def _family(model):
    """The module that turns this model's fitted structure into explanation parts."""
    from glassbox.explain import _gam, _rules, _tree

    for family in (_gam, _rules, _tree):
        if isinstance(model, family.estimators()):
            check_is_fitted(model, family.FITTED)
            return family
    raise TypeError(f"{type(model).__name__} has no explanation: glassbox explains GAM*, RuleList*, "
                    "ShallowTree* and Distilled* estimators.")


def _name(model, name):
    if name is not None:
        return str(name)
    student = getattr(model, "student_", None)
    if student is not None:
        return f"{type(model).__name__} ({type(student).__name__} student)"
    return type(model).__name__


def perf_records(model, X, y):
    """InterpretML's per-row ``perf`` dicts (its ``gen_perf_dicts`` shape): for a classifier the
    predicted and actual class *indices* and their probabilities, for a regressor the values.
    ``predicted_label`` / ``actual_label`` add the labels themselves."""
    n = X.shape[0]
    classes = getattr(model, "classes_", None)
    records = []
    if classes is not None:
        proba = model.predict_proba(X)
        predicted = np.argmax(proba, axis=1)
        index = {c: k for k, c in enumerate(classes.tolist())}
        for i in range(n):
            actual = np.nan if y is None else index.get(py_scalar(y[i]), np.nan)
            records.append({
                "is_classification": True,
                "predicted": int(predicted[i]),
                "actual": actual,
                "predicted_score": float(proba[i, predicted[i]]),
                "actual_score": (np.nan if y is None else 0.0 if np.isnan(actual) else float(proba[i, actual])),
                "predicted_label": py_scalar(classes[predicted[i]]),
                "actual_label": None if y is None else py_scalar(y[i]),
            })
    else:
        prediction = model.predict(X)
        for i in range(n):
            actual = np.nan if y is None else float(y[i])
            records.append({
                "is_classification": False,
                "predicted": float(prediction[i]),
                "actual": actual,
                "predicted_score": float(prediction[i]),
                "actual_score": actual,
                "predicted_label": float(prediction[i]),
                "actual_label": None if y is None else float(y[i]),
            })
    return records


def local_selector(records, index):
    """One row per explained sample, InterpretML's local selector columns, with labels."""
    classification = bool(records) and records[0]["is_classification"]
    rows = []
    for r in records:
        row = {"Actual": r["actual_label"], "Predicted": r["predicted_label"]}
        if classification:
            row.update({"PrScore": r["predicted_score"], "AcScore": r["actual_score"]})
            residual = r["actual_score"] - r["predicted_score"]
        else:
            residual = r["actual"] - r["predicted"]
        row.update({"Resid": residual, "AbsResid": abs(residual)})
        rows.append(row)
    columns = ["Actual", "Predicted"] + (["PrScore", "AcScore"] if classification else []) + ["Resid", "AbsResid"]
    return pd.DataFrame(rows, columns=columns, index=index)


def row_index(X):
    return X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(X.shape[0])


def with_actual(frame, y):
    """The family's local frame with the true target beside the prediction (when given)."""
    if y is None:
        return frame
    frame = frame.copy()
    at = frame.columns.get_loc("prediction") + 1
    frame.insert(at, "actual", [py_scalar(v) for v in y])
    return frame


def meta(model):
    """InterpretML's ``meta`` entry: the class labels of a classifier."""
    classes = getattr(model, "classes_", None)
    return {} if classes is None else {"meta": {"label_names": [py_scalar(c) for c in classes]}}


def fmt(value, digits=6):
    """A value for text and figure labels: floats to ``digits`` significant digits, the rest as
    ``repr`` (so labels read ``'red'``, ``3``, ``0.4772``)."""
    value = py_scalar(value)
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return repr(value)


def row_headline(label, perf):
    """``row 3: prediction 'yes' (p=0.812), actual 'no'``: how every local text and figure opens."""
    line = f"row {fmt(label)}: prediction {fmt(perf['predicted_label'])}"
    if perf["is_classification"]:
        line += f" (p={perf['predicted_score']:.3f})"
    if perf["actual_label"] is not None:
        line += f", actual {fmt(perf['actual_label'])}"
    return line
