"""What a fitted model computes, as a small neutral plan the SQL and Python exporters render.

A plan never mentions bin codes: every place where the model reads a feature's code becomes a
:class:`Test` on the raw value, so the generated code compares the very floats and levels the
binning does (``glassbox.binning``):

- continuous: ``x <= t`` against the thresholds (a value equal to a threshold is in the lower
  bin); missing values (NULL / None / NaN) are tested on their own and fail every comparison;
- categorical: lists of levels (the grouped "other" code lists every rare level it holds); a value
  that is not missing and matches no level is unseen.

Per family, the plan says what the codes become:

- :class:`AdditivePlan` (GAMs): the intercept plus one table per term, added in the order of
  ``eval_terms`` (the model's own), then the link (sigmoid, softmax, identity or exp);
- :class:`DecisionPlan` (rule lists, trees): nested IF / ELSE splits ending in leaf numbers, and
  each leaf's outputs (class probabilities and label, or the mean).

Every output is a tuple (one entry per class, or one for a single output), so the renderers
treat binary, multiclass and regression models alike. Each family's export adapter builds its
plan's body (``plan(model)`` in ``export/_gam.py``, ``_rule_list.py``, ``_tree.py``).
"""

from dataclasses import dataclass

import numpy as np

from glassbox._version import __version__
from glassbox.export._fields import plain_scalar


@dataclass(frozen=True)
class Test:
    """Which raw values of one feature pass: the values whose bin code is in a set of codes.

    Attributes
    ----------
    feature : int
        Index of the feature (into ``Plan.features``).
    ranges : tuple of (lower, upper)
        Continuous: the value passes when ``lower < x <= upper`` for one of them (None: unbounded).
    levels : tuple
        Categorical: the levels that pass; with ``others_pass``, the levels that fail.
    others_pass : bool
        Categorical: every value that is not missing and not in ``levels`` passes (unseen included).
    missing : bool
        Missing values pass.
    """

    feature: int
    ranges: tuple = ()
    levels: tuple = ()
    others_pass: bool = False
    missing: bool = False

    def clauses(self):
        """The test as ``(kind, *operands)`` clauses, one of which must hold (none: nothing passes):
        ``("present",)`` any value that is not missing; ``("at_most", t)``; ``("above", t)``;
        ``("between", lower, upper)``; ``("is", level)``; ``("in", levels)``; ``("not_in", levels)``
        (present and not one of them); ``("missing",)``. Renderers only spell them."""
        out = []
        for lower, upper in self.ranges:
            if lower is None and upper is None:
                out.append(("present",))
            elif lower is None:
                out.append(("at_most", upper))
            elif upper is None:
                out.append(("above", lower))
            else:
                out.append(("between", lower, upper))
        if self.others_pass:
            out.append(("not_in", self.levels) if self.levels else ("present",))
        elif len(self.levels) == 1:
            out.append(("is", self.levels[0]))
        elif self.levels:
            out.append(("in", self.levels))
        if self.missing:
            out.append(("missing",))
        return out


@dataclass(frozen=True)
class TermPlan:
    """One additive term: ``table`` holds its outputs per code of its feature(s), nested lists
    (codes of the first feature, then of the second for a pair) of tuples."""

    name: str
    features: tuple
    table: list


@dataclass(frozen=True)
class AdditivePlan:
    """``raw = intercept + term_1 + term_2 + ...`` per output, then ``link``: "logit" (binary
    probabilities), "softmax" (multiclass), "identity" or "log" (the prediction is exp(raw))."""

    intercept: tuple
    terms: tuple
    link: str


@dataclass(frozen=True)
class Split:
    """``then`` where every test holds, else ``otherwise``; each is a Split or a leaf number."""

    tests: tuple
    then: object
    otherwise: object
    text: str


@dataclass(frozen=True)
class DecisionPlan:
    """``root`` picks a leaf number; ``values[leaf]`` are its outputs, ``labels[leaf]`` its class
    (classifiers), ``texts[leaf]`` what a person reads. ``leaf_kind`` is "rule" or "leaf"."""

    root: object
    values: tuple
    labels: tuple
    texts: tuple
    leaf_kind: str


@dataclass(frozen=True)
class Plan:
    """A model's whole computation.

    ``features`` are every fitted feature's :class:`~glassbox.binning.FeatureBins`; ``used`` the
    indices the model reads, in order; ``classes`` the class labels as Python scalars (None for a
    regressor); ``title`` names the model for the generated code's header.
    """

    title: str
    version: str
    features: tuple
    used: tuple
    classes: tuple
    body: object


def make_plan(model):
    """The :class:`Plan` of a fitted glassbox model (a distilled model's: its student's, titled so)."""
    from glassbox._families import family_of
    from glassbox.distill import inspected

    shown = inspected(model)
    family = family_of(shown)
    title = type(shown).__name__
    if shown is not model:
        title = f"{title} (the student of a {type(model).__name__})"
    body = family.adapter("export").plan(shown)
    features = tuple(shown.binner_.features_)
    classes = getattr(shown, "classes_", None)
    if classes is not None:
        classes = tuple(plain(c, "class label") for c in classes)
    return Plan(title, __version__, features, _used(body), classes, body)


def outputs(values):
    return tuple(tuple(float(v) for v in np.ravel(value)) for value in values)


def labels(model, values):
    classes = getattr(model, "classes_", None)
    if classes is None:
        return ()
    # np.argmax, as predict: the first class of largest probability.
    return tuple(plain(classes[int(np.argmax(value))], "class label") for value in values)


def _used(body):
    used = set()
    if isinstance(body, AdditivePlan):
        for term in body.terms:
            used.update(term.features)
    else:
        stack = [body.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Split):
                used.update(t.feature for t in node.tests)
                stack += [node.then, node.otherwise]
    return tuple(sorted(used))


def codes_test(feature, bins, codes):
    """The :class:`Test` passed exactly by the values whose code (of ``bins``) is in ``codes``."""
    codes = {int(c) for c in codes}
    missing = bins.missing_code in codes
    values = sorted(c for c in codes if c < bins.n_bins)
    if not bins.is_categorical:  # continuous features have no unseen values
        ranges = []
        for first, last in _runs(values):
            lower = None if first == 0 else float(bins.thresholds[first - 1])
            upper = None if last == bins.n_bins - 1 else float(bins.thresholds[last])
            ranges.append((lower, upper))
        return Test(feature, ranges=tuple(ranges), missing=missing)
    if bins.unseen_code in codes:
        failing = [c for c in range(bins.n_bins) if c not in codes]
        return Test(feature, levels=levels_of(bins, failing), others_pass=True, missing=missing)
    return Test(feature, levels=levels_of(bins, values), missing=missing)


def levels_of(bins, codes):
    """The levels behind value codes of a categorical feature (the "other" code: all it groups)."""
    out = []
    for code in codes:
        if code < len(bins.levels):
            out.append(plain(bins.levels[code], f"level of feature {bins.name!r}"))
        elif code == len(bins.levels):
            out.extend(plain(v, f"level of feature {bins.name!r}") for v in bins.other_levels)
    return tuple(out)


def _runs(codes):
    """``[(first, last)]`` of the runs of consecutive integers in sorted ``codes``."""
    runs = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return [tuple(r) for r in runs]


def ladder(feature, bins, values):
    """``(branches, default)``: the first ``(Test, value)`` branch whose test holds gives the
    value, else ``default``; ``values[code]`` is the value for each code of ``bins``.

    Branches are tested in order, so a continuous branch tests only its upper threshold
    (``x <= t``); equal neighbouring values share one branch, values equal to the default need
    none, and missing values join the branch with their value (missing values fail every
    comparison, so they reach the default unaided).
    """
    missing_value = values[bins.missing_code]
    if bins.is_categorical:
        default = values[bins.unseen_code]
        groups = {}
        for code in range(bins.n_bins):
            if _key(values[code]) != _key(default) and levels_of(bins, [code]):
                groups.setdefault(_key(values[code]), (values[code], []))[1].append(code)
        shapes = [(value, dict(levels=levels_of(bins, codes))) for value, codes in groups.values()]
    else:
        merged = []
        for code in range(bins.n_bins):
            if merged and _key(values[code]) == _key(values[merged[-1][0]]):
                merged[-1][1] = code
            else:
                merged.append([code, code])
        default = values[merged[-1][0]]
        shapes = [(values[first], dict(ranges=((None, float(bins.thresholds[last])),))) for first, last in merged[:-1]]
    branches = []
    missing_placed = _key(missing_value) == _key(default)
    for value, shape in shapes:
        joins = not missing_placed and _key(value) == _key(missing_value)
        missing_placed |= joins
        branches.append((Test(feature, missing=joins, **shape), value))
    if not missing_placed:
        branches.insert(0, (Test(feature, missing=True), missing_value))
    return branches, default


def _key(value):
    """Exact identity of a value for grouping: bit-exact floats (0.0 and -0.0 stay apart)."""
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, (tuple, list)):
        return tuple(_key(v) for v in value)
    return type(value).__name__, value  # labels: 1 and True stay apart


def index_groups(values):
    """``(groups, default)`` to map an index to ``values[index]``: groups ``[(indices, value)]`` of
    indices sharing a value; the largest group (the last of equal size) is the default."""
    groups = {}
    for i, value in enumerate(values):
        groups.setdefault(_key(value), (value, []))[1].append(i)
    ordered = list(groups.values())
    default_at = max(range(len(ordered)), key=lambda g: (len(ordered[g][1]), g))
    default = ordered.pop(default_at)[0]
    return [(tuple(indices), value) for value, indices in ordered], default


def plain(value, what):
    """A level or class label as a plain str, int, float or bool; other types cannot be written."""
    return plain_scalar(value, what, "exported code holds string, number and boolean values only: convert "
                        "the column (or the target) before fitting.")


def one_line(text):
    """``text`` safe inside a one-line comment: control characters (newlines) become spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in str(text))
