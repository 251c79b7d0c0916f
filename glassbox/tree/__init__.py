"""Shallow trees: optimal depth-limited classification and regression trees with hard
monotonic constraints, and the :class:`Tree` structure they fit."""

from glassbox._base import NotProvenOptimalWarning
from glassbox.tree._estimators import ShallowTreeClassifier, ShallowTreeRegressor
from glassbox.tree._structure import Tree

__all__ = ["NotProvenOptimalWarning", "ShallowTreeClassifier", "ShallowTreeRegressor", "Tree"]
