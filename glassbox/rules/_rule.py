"""The one rule type: rule lists, tree leaves (a leaf's path is a rule) and distilled rules.

A :class:`Condition` is a set of bin codes of one feature, so a rule is evaluated on the binned
matrix exactly as the model evaluates it, and its text is read from the same
:class:`~glassbox.binning.FeatureBins` the codes came from: what prints is what predicts.
"""

from dataclasses import dataclass, field

import numpy as np

from glassbox.binning import FeatureBins, format_threshold


@dataclass(frozen=True)
class Condition:
    """A test on one feature: "the feature's code is one of ``codes``".

    Build conditions with :meth:`range`, :meth:`levels` or :meth:`missing` rather than by hand.

    Attributes
    ----------
    feature : int
        Column index in the fitted X.
    codes : tuple of int
        The sorted bin codes that satisfy the condition (value bins, and possibly the missing
        and unseen codes).
    bins : FeatureBins
        The feature's binning, from which the text, thresholds and levels are read.
    """

    feature: int
    codes: tuple
    bins: FeatureBins = field(compare=False, repr=False)

    @classmethod
    def range(cls, feature, bins, first, last, *, missing=False):
        """Continuous ``bins.thresholds[first-1] < x <= bins.thresholds[last]`` (value bins
        ``first..last``), plus missing values when ``missing``."""
        if bins.is_categorical:
            raise ValueError(f"feature {bins.name!r} is categorical: use Condition.levels")
        if not 0 <= first <= last < bins.n_bins:
            raise ValueError(f"bins {first}..{last} out of range for feature {bins.name!r} (0..{bins.n_bins - 1})")
        codes = list(range(first, last + 1)) + ([bins.missing_code] if missing else [])
        return cls(feature, tuple(codes), bins)

    @classmethod
    def levels(cls, feature, bins, level_codes, *, missing=False, unseen=False):
        """Categorical ``x in {levels of level_codes}``, plus missing / unseen values if asked."""
        if not bins.is_categorical:
            raise ValueError(f"feature {bins.name!r} is continuous: use Condition.range")
        level_codes = sorted({int(c) for c in level_codes})
        if any(not 0 <= c < bins.n_bins for c in level_codes):
            raise ValueError(f"level codes {level_codes} out of range for feature {bins.name!r}")
        codes = level_codes + ([bins.missing_code] if missing else []) + ([bins.unseen_code] if unseen else [])
        return cls(feature, tuple(codes), bins)

    @classmethod
    def missing(cls, feature, bins):
        """``x is missing``."""
        return cls(feature, (bins.missing_code,), bins)

    @property
    def name(self):
        return self.bins.name

    @property
    def includes_missing(self):
        return self.bins.missing_code in self.codes

    @property
    def includes_unseen(self):
        return self.bins.unseen_code in self.codes

    @property
    def value_codes(self):
        """The value-bin codes (neither missing nor unseen)."""
        n_bins = self.bins.n_bins
        return tuple(c for c in self.codes if c < n_bins)

    @property
    def bounds(self):
        """Continuous: ``(lower, upper)`` with ``lower < x <= upper``; None where unbounded."""
        if self.bins.is_categorical:
            raise ValueError(f"feature {self.name!r} is categorical: it has levels, not bounds")
        values = self.value_codes
        if not values:
            return None, None
        t = self.bins.thresholds
        lower = None if values[0] == 0 else float(t[values[0] - 1])
        upper = None if values[-1] == self.bins.n_bins - 1 else float(t[values[-1]])
        return lower, upper

    @property
    def level_values(self):
        """Categorical: the levels the condition accepts (grouped rare levels expanded)."""
        if not self.bins.is_categorical:
            raise ValueError(f"feature {self.name!r} is continuous: it has bounds, not levels")
        levels = self.bins.levels
        out = []
        for code in self.value_codes:
            out.extend([levels[code]] if code < len(levels) else self.bins.other_levels)
        return tuple(out)

    def lookup(self):
        """Boolean table over the feature's codes: ``lookup()[code]`` is True when satisfied."""
        table = np.zeros(self.bins.n_codes, dtype=bool)
        table[list(self.codes)] = True
        return table

    def evaluate(self, codes):
        """Which rows of a binned matrix (n_samples, n_features) satisfy the condition."""
        return self.lookup()[codes[:, self.feature]]

    def to_text(self):
        """``age <= 34.5``, ``34.5 < age <= 51``, ``race == 'Other'``, ``priors is missing``."""
        name, values = self.name, self.value_codes
        categorical = self.bins.is_categorical
        all_values = len(values) == self.bins.n_bins
        unseen = categorical and self.includes_unseen  # continuous features have no unseen rows
        if all_values and self.includes_missing:
            return "True" if unseen or not categorical else f"{name} is not an unseen level"
        parts = []
        if all_values:
            parts.append(f"{name} is not missing" if unseen or not categorical else f"{name} is a seen level")
            unseen = False  # already said
        elif values:
            parts.append(self._levels_text(values) if categorical else self._range_text(values))
        if self.includes_missing:
            parts.append(f"{name} is missing")
        if unseen:
            parts.append(f"{name} is an unseen level")
        if not parts:
            return "False"
        return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"

    def _range_text(self, values):
        if list(values) != list(range(values[0], values[-1] + 1)):
            raise ValueError(f"condition on {self.name!r} is not one interval of bins: {values}")
        lower, upper = self.bounds
        if lower is None:
            return f"{self.name} <= {format_threshold(upper)}"
        if upper is None:
            return f"{self.name} > {format_threshold(lower)}"
        return f"{format_threshold(lower)} < {self.name} <= {format_threshold(upper)}"

    def _levels_text(self, values):
        if len(values) == 1 and values[0] < len(self.bins.levels):
            return f"{self.name} == {self.bins.levels[values[0]]!r}"
        return f"{self.name} in {{{', '.join(repr(v) for v in self.level_values)}}}"

    def __str__(self):
        return self.to_text()


@dataclass(frozen=True, eq=False)
class Rule:
    """A conjunction of conditions and what the model predicts where it holds.

    Attributes
    ----------
    conditions : tuple of Condition
        All must hold; an empty tuple always holds (a rule list's default rule, a stump's root).
    prediction : object
        The predicted class label (classification) or value (regression).
    value : ndarray of float64
        Class probabilities in ``classes_`` order (classification) or ``[mean]`` (regression).
    weight : float
        Training weight the rule captured (in a rule list: of the rows no earlier rule took).
    n_samples : int
        Training rows the rule captured.
    """

    conditions: tuple
    prediction: object
    value: np.ndarray
    weight: float = 0.0
    n_samples: int = 0

    def evaluate(self, codes):
        """Which rows of a binned matrix satisfy every condition."""
        mask = np.ones(codes.shape[0], dtype=bool)
        for condition in self.conditions:
            mask &= condition.evaluate(codes)
        return mask

    def to_text(self):
        """The antecedent as text: ``age <= 34.5 and race == 'Other'`` (``True`` when empty)."""
        return " and ".join(c.to_text() for c in self.conditions) if self.conditions else "True"

    def __str__(self):
        return self.to_text()


def first_match(rules, codes):
    """Index of the first of ``rules`` whose conditions hold, for each row of a binned matrix;
    the last rule (a list's default, with no conditions) where none of the others does."""
    fired = np.full(codes.shape[0], len(rules) - 1, dtype=np.intp)
    free = np.ones(codes.shape[0], dtype=bool)
    for r, rule in enumerate(rules[:-1]):
        hit = free & rule.evaluate(codes)
        fired[hit] = r
        free &= ~hit
    return fired
