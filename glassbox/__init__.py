"""glassbox: interpretable-by-design models whose fitted structure is the explanation.

The public API is flat: estimators, ``distill``, ``plot``, ``save`` and ``load`` are imported from here
as each lands (see DESIGN.md). Binning, shared by every model, lives in :mod:`glassbox.binning`.

Each name is imported on first use (PEP 562), not with the package: a process that only needs
one family -- a joblib worker unpickling a GAM inside ``GridSearchCV(n_jobs=2)``, a script that
fits one model -- then skips the others' imports. By ``python -X importtime`` after
scikit-learn and pandas: 0.26 s for every name, 0.06 s for ``glassbox.gam`` alone; joblib's
workers pay it at each session's first search.
"""

import importlib
import importlib.util
import sys
import types
from typing import TYPE_CHECKING

from glassbox._version import __version__

# Each public name and the module that defines it.
_PUBLIC = {
    "GAMClassifier": "glassbox.gam",
    "GAMRegressor": "glassbox.gam",
    "RuleListClassifier": "glassbox.rules",
    "RuleListRegressor": "glassbox.rules",
    "ShallowTreeClassifier": "glassbox.tree",
    "ShallowTreeRegressor": "glassbox.tree",
    "DistilledClassifier": "glassbox.distill",
    "DistilledRegressor": "glassbox.distill",
    "distill": "glassbox.distill",
    "save": "glassbox.export",
    "load": "glassbox.export",
    "plot": "glassbox.explain",
}

__all__ = ["__version__", *_PUBLIC]

if TYPE_CHECKING:  # for type checkers and editors, which do not run __getattr__
    from glassbox.distill import DistilledClassifier, DistilledRegressor, distill
    from glassbox.explain import plot
    from glassbox.export import load, save
    from glassbox.gam import GAMClassifier, GAMRegressor
    from glassbox.rules import RuleListClassifier, RuleListRegressor
    from glassbox.tree import ShallowTreeClassifier, ShallowTreeRegressor


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value  # later look-ups find it without calling here
        return value
    # A subpackage or module (glassbox.binning, glassbox.gam, ...), as after the eager imports.
    if name.isidentifier() and not name.startswith("__") and importlib.util.find_spec(f"{__name__}.{name}"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'glassbox' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)


class _Package(types.ModuleType):
    """The package's class, for one name. ``distill`` is both a subpackage and its function,
    and importing the subpackage (which saving or reporting a model does) binds the package's
    attribute to it: with eager imports the function was bound after that, once. Here it is
    looked up whenever read; the import system's binding of the subpackage is ignored, while
    any other value set (a test's monkeypatch) is kept until deleted."""

    @property
    def distill(self):
        if "_distill" in self.__dict__:
            return self.__dict__["_distill"]
        return importlib.import_module("glassbox.distill").distill

    @distill.setter
    def distill(self, value):
        if value is not sys.modules.get("glassbox.distill"):
            self.__dict__["_distill"] = value

    @distill.deleter
    def distill(self):
        self.__dict__.pop("_distill", None)


sys.modules[__name__].__class__ = _Package
