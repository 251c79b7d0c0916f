"""``model.to_python()``: a self-contained Python module (standard library only) that predicts.

The module reads each row's features the way glassbox does (numbers as floats with NaN for
missing, levels matched by Python equality as pandas matches them), walks the same thresholds,
levels and tables as the model, and adds, exponentiates and divides in the same order as
``predict_proba``, so its results equal the model's to the last bit or two (``math.exp`` and
NumPy's ``exp`` may differ by one unit in the last place).
"""

import keyword
import re

from glassbox.export._codegen import AdditivePlan, Split, ladder, make_plan, one_line

_RESERVED = {"predict", "predict_proba", "predict_proba_row", "raw_score", "rule", "leaf", "math",
             "CLASSES", "FEATURES", "VALUES", "LABELS", "MODEL", "GLASSBOX_VERSION"}


def to_python(model, *, function_name="predict_row"):
    """The module source (a string) computing ``model``'s predictions; see ``InspectionMixin.to_python``."""
    if not isinstance(function_name, str) or not function_name.isidentifier() or keyword.iskeyword(function_name) \
            or function_name.startswith("_") or function_name in _RESERVED:
        raise ValueError(
            f"function_name must be a Python identifier not starting with '_' and not one of the module's "
            f"own names {sorted(_RESERVED)}, got {function_name!r}."
        )
    return _Writer(make_plan(model), function_name).module()


def _tuple(items):
    items = list(items)
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def literal(value):
    """A float, int, str or bool as Python source that evaluates to exactly that value."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return f"float({repr(value)!r})"  # repr(inf) is not a literal
    return repr(value)


class _Writer:
    def __init__(self, plan, function_name):
        self.plan, self.function_name = plan, function_name
        self.var = {}
        taken = set()
        for j in plan.used:
            name = "f_" + (re.sub(r"\W+", "_", plan.features[j].name, flags=re.ASCII).strip("_") or str(j))
            while name in taken:
                name += "_"
            taken.add(name)
            self.var[j] = name

    @property
    def is_classifier(self):
        return self.plan.classes is not None

    def module(self):
        plan = self.plan
        parts = [self._docstring(), "import math", "", self._constants()]
        parts += self._public()
        parts += self._additive() if isinstance(plan.body, AdditivePlan) else self._decision()
        parts += self._helpers()
        return "\n".join(parts).rstrip() + "\n"

    def _docstring(self):
        plan, name = self.plan, self.function_name
        used = ", ".join(repr(plan.features[j].name) for j in plan.used)
        reads = f"Features read: {one_line(used)}." if used else "Reads no feature: every row gets the same prediction."
        if self.is_classifier:
            use = (f"    predict_proba(rows) -> one list of probabilities per row, in CLASSES order\n"
                   f"    predict(rows)       -> one label per row\n"
                   f"    predict_proba_row(row), {name}(row) -> the same for one row")
        else:
            use = (f"    predict(rows) -> one prediction per row\n"
                   f"    {name}(row)  -> the same for one row")
        text = (
            f"Predictions of a glassbox {one_line(plan.title)}, exported by glassbox {plan.version}.\n\n"
            "Self-contained: needs the Python standard library only (math).\n\n"
            f"{use}\n\n"
            "A row is a dict (feature name -> value); rows are an iterable of them, such as a pandas\n"
            "DataFrame's ``df.to_dict('records')`` (a DataFrame itself works too).\n"
            f"{reads}\n"
            "Missing values are None or NaN; a level not seen in training gets the model's 'unseen'\n"
            "score. Infinite numbers raise ValueError, as glassbox does.\n"
        )
        # Feature names are data: no backslash or quote in them may end or bend the docstring.
        return '"""' + text.replace("\\", "\\\\").replace('"', '\\"') + '"""\n'


    def _constants(self):
        plan = self.plan
        lines = [f"MODEL = {plan.title!r}", f"GLASSBOX_VERSION = {plan.version!r}"]
        if self.is_classifier:
            lines.append(f"CLASSES = {_tuple(literal(c) for c in plan.classes)}")
        lines.append(f"FEATURES = {_tuple(repr(plan.features[j].name) for j in plan.used)}")
        return "\n".join(lines) + "\n\n"

    def _public(self):
        name = self.function_name
        rows_doc = "\n\n    ``rows``: an iterable of dicts (feature name -> value), or a pandas DataFrame.\n    "
        if self.is_classifier:
            return [
                "def predict_proba(rows):",
                f'    """Class probabilities of each row, a list in CLASSES order.{rows_doc}"""',
                "    return [predict_proba_row(row) for row in _rows(rows)]",
                "\n",
                "def predict(rows):",
                f'    """The predicted class of each row.{rows_doc}"""',
                f"    return [{name}(row) for row in _rows(rows)]",
                "\n",
            ]
        return [
            "def predict(rows):",
            f'    """The prediction of each row.{rows_doc}"""',
            f"    return [{name}(row) for row in _rows(rows)]",
            "\n",
        ]

    def _reads(self):
        """Lines reading every used feature of ``row`` into its variable."""
        lines = []
        for j in self.plan.used:
            bins = self.plan.features[j]
            reader = "_level" if bins.is_categorical else "_number"
            lines.append(f"    {self.var[j]} = {reader}(row, {bins.name!r})")
        return lines

    # --- GAMs ----------------------------------------------------------------------------------

    def _additive(self):
        body, name = self.plan.body, self.function_name
        single = len(body.intercept) == 1
        meaning = {"logit": f"the log-odds of class {self.plan.classes[1]!r}" if self.is_classifier else "",
                   "softmax": "the logit of each class (a list in CLASSES order)",
                   "identity": "the prediction", "log": "the log of the prediction"}[body.link]
        lines = ["def raw_score(row):",
                 f'    """{meaning[0].upper() + meaning[1:]}: the intercept plus every term\'s score,\n'
                 '    added in the model\'s order."""']
        lines += self._reads()
        lines.append(f"    raw = {self._value(body.intercept)}")
        for term in body.terms:
            lines.append(f"    # {one_line(term.name)}")
            if len(term.features) == 1:
                lines += self._ladder(term.features[0], term.table, self._assign, 1)
            else:
                b = term.features[1]
                lines += self._ladder(term.features[0], [tuple(row) for row in term.table],
                                      lambda row, depth: self._ladder(b, list(row), self._assign, depth + 1), 1)
            lines.append("    raw = raw + s" if single else "    raw = [r + t for r, t in zip(raw, s)]")
        lines += ["    return raw", "\n"]
        if body.link in ("identity", "log"):
            value = "raw_score(row)" if body.link == "identity" else "_exp(raw_score(row))"
            return lines + [f"def {name}(row):", '    """The prediction for one row (a dict)."""',
                            f"    return {value}", "\n"]
        if body.link == "logit":
            lines += ["def predict_proba_row(row):",
                      '    """Class probabilities of one row (a dict): the sigmoid of its log-odds."""',
                      "    p = 1.0 / (1.0 + _exp(-raw_score(row)))",
                      "    return [1.0 - p, p]", "\n"]
        else:
            lines += ["def predict_proba_row(row):",
                      '    """Class probabilities of one row (a dict): the softmax of its logits."""',
                      "    raw = raw_score(row)",
                      "    top = max(raw)",
                      "    e = [_exp(r - top) for r in raw]",
                      "    total = e[0]",
                      "    for x in e[1:]:  # left to right, as NumPy adds a few numbers",
                      "        total = total + x",
                      "    return [x / total for x in e]", "\n"]
        return lines + [f"def {name}(row):",
                        '    """The predicted class of one row (a dict): the first of largest probability."""',
                        "    proba = predict_proba_row(row)",
                        "    return CLASSES[proba.index(max(proba))]", "\n"]

    def _value(self, value):
        return literal(value[0]) if len(value) == 1 else "[" + ", ".join(literal(v) for v in value) + "]"

    def _assign(self, value, depth):
        shown = literal(value[0]) if len(value) == 1 else "(" + ", ".join(literal(v) for v in value) + ")"
        return ["    " * (depth + 1) + f"s = {shown}"]

    def _ladder(self, feature, values, render, depth):
        """if / elif / else lines giving ``render(value, depth + 1)`` for each branch."""
        branches, default = ladder(feature, self.plan.features[feature], values)
        if not branches:
            return render(default, depth - 1)
        pad = "    " * depth
        lines = []
        for i, (test, value) in enumerate(branches):
            lines.append(f"{pad}{'if' if i == 0 else 'elif'} {self.test(test)}:")
            lines += render(value, depth)
        lines.append(f"{pad}else:")
        return lines + render(default, depth)

    # --- rule lists and trees -----------------------------------------------------------------

    def _decision(self):
        body, name, kind = self.plan.body, self.function_name, self.plan.body.leaf_kind
        table = "VALUES" if not self.is_classifier else "PROBABILITIES"
        lines = [f"{table} = ("]
        for i, (value, text) in enumerate(zip(body.values, body.texts)):
            shown = literal(value[0]) if not self.is_classifier else _tuple(literal(v) for v in value)
            lines.append(f"    {shown},  # {kind} {i}: {one_line(text)}")
        lines += [")"]
        if self.is_classifier:
            lines.append(f"LABELS = {_tuple(literal(v) for v in body.labels)}")
        lines += ["\n", f"def {kind}(row):"]
        what = "rule that fires: the first whose conditions all hold" if kind == "rule" else "leaf the row reaches"
        lines.append(f'    """Index of the {what}."""')
        lines += self._reads()
        lines += self._choice(body.root, 1)
        lines.append("\n")
        if self.is_classifier:
            return lines + [
                "def predict_proba_row(row):",
                f'    """Class probabilities of one row (a dict): those of its {kind}."""',
                f"    return list(PROBABILITIES[{kind}(row)])", "\n",
                f"def {name}(row):",
                f'    """The predicted class of one row (a dict): that of its {kind}."""',
                f"    return LABELS[{kind}(row)]", "\n"]
        return lines + [f"def {name}(row):", f'    """The prediction for one row (a dict): its {kind}\'s mean."""',
                        f"    return VALUES[{kind}(row)]", "\n"]

    def _choice(self, node, depth):
        """``return leaf`` lines; a Split's ``then`` side is nested, its ``otherwise`` side
        follows (the ``then`` side always returns), so a rule list reads as flat IFs."""
        pad = "    " * depth
        lines = []
        while isinstance(node, Split):
            tests = " and ".join(self.test(t, nested=True) for t in node.tests) or "True"
            lines.append(f"{pad}if {tests}:  # {one_line(node.text)}")
            lines += self._choice(node.then, depth + 1)
            node = node.otherwise
        return lines + [f"{pad}return {node}"]

    def test(self, test, nested=False):
        """A Test as a Python condition on the feature's variable: a number is NaN when missing
        (NaN fails every comparison), a level None."""
        var = self.var[test.feature]
        categorical = self.plan.features[test.feature].is_categorical
        levels = lambda values: ", ".join(literal(v) for v in values)  # noqa: E731
        spell = {
            "present": lambda: f"{var} is not None" if categorical else f"not math.isnan({var})",
            "at_most": lambda t: f"{var} <= {literal(t)}",
            "above": lambda t: f"{var} > {literal(t)}",
            "between": lambda lo, hi: f"{literal(lo)} < {var} <= {literal(hi)}",
            "is": lambda v: f"{var} == {literal(v)}",
            "in": lambda vs: f"{var} in {{{levels(vs)}}}",
            "not_in": lambda vs: f"({var} is not None and {var} not in {{{levels(vs)}}})",
            "missing": lambda: f"{var} is None" if categorical else f"math.isnan({var})",
        }
        parts = [spell[kind](*operands) for kind, *operands in test.clauses()]
        if not parts:
            return "False"
        joined = " or ".join(parts)
        return f"({joined})" if nested and len(parts) > 1 else joined

    # --- helpers -------------------------------------------------------------------------------

    def _helpers(self):
        kinds = {self.plan.features[j].is_categorical for j in self.plan.used}
        lines = [_ROWS, _VALUE, _MISSING]
        if False in kinds:
            lines.append(_NUMBER)
        if True in kinds:
            lines.append(_LEVEL)
        if isinstance(self.plan.body, AdditivePlan) and self.plan.body.link != "identity":
            lines.append(_EXP)
        return lines


_ROWS = '''def _rows(rows):
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a pandas DataFrame
        return rows.to_dict("records")
    if isinstance(rows, dict):
        raise TypeError("expected an iterable of rows (dicts), got one dict; use the *_row functions for one row")
    return rows

'''

_VALUE = '''def _value(row, name):
    try:
        return row[name]
    except KeyError:
        raise KeyError(f"the row has no feature {name!r}; rows need {FEATURES} (None for a missing value)") from None

'''

_MISSING = '''def _is_missing(value):
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN is the one value unequal to itself
    except TypeError:  # pandas.NA is neither equal nor unequal to itself: missing too
        return True

'''

_NUMBER = '''def _number(row, name):
    """A numeric feature as a float; NaN when missing (NaN fails every comparison)."""
    value = _value(row, name)
    if _is_missing(value):
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"feature {name!r} is numeric but got {value!r}; give a number, or None if missing") from None
    if math.isinf(number):
        raise ValueError(f"feature {name!r} is {number}: glassbox models cannot bin infinite values; "
                         "give a finite number, or None if missing")
    return number

'''

_LEVEL = '''def _level(row, name):
    """A categorical feature's level (compared with ==, as pandas matches levels); None when missing."""
    value = _value(row, name)
    if _is_missing(value):
        return None
    try:
        hash(value)
    except TypeError:
        raise TypeError(f"feature {name!r} got a {type(value).__name__} ({value!r}); give a string or "
                        "a number, or None if missing") from None
    return value

'''

_EXP = '''def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:  # NumPy and SQL give inf here
        return math.inf
'''
