"""glassbox: interpretable-by-design models whose fitted structure is the explanation.

The public API is flat: estimators, ``distill``, ``plot``, ``save`` and ``load`` are imported from here
as each lands (see DESIGN.md). Binning, shared by every model, lives in :mod:`glassbox.binning`.
"""

from glassbox._version import __version__
from glassbox.gam import GAMClassifier, GAMRegressor
from glassbox.rules import RuleListClassifier, RuleListRegressor
from glassbox.tree import ShallowTreeClassifier, ShallowTreeRegressor
from glassbox.distill import DistilledClassifier, DistilledRegressor, distill
from glassbox.explain import plot
from glassbox.export import load, save

__all__ = [
    "__version__",
    "GAMClassifier",
    "GAMRegressor",
    "RuleListClassifier",
    "RuleListRegressor",
    "ShallowTreeClassifier",
    "ShallowTreeRegressor",
    "DistilledClassifier",
    "DistilledRegressor",
    "distill",
    "save",
    "load",
    "plot",
]
