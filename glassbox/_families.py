"""The registry of model families: the one place that says, per family, what every layer above
it needs to know.

A family is a folder of estimators sharing one fitted structure (``gam/``: terms, ``rules/``:
a rule list, ``tree/``: a tree). Its :class:`Family` entry records that structure's attribute,
how to count its size, its distillation traits, and the modules that adapt it in the layers
above (distillation, explanations, export). Those modules are named, not imported: this module
sits in the families' layer and imports nothing above it; each layer imports its own adapter
when it first needs it (``Family.adapter``). ``tests/test_architecture.py`` checks that every
named adapter exists, lives in its layer and has that layer's functions.

A new family is its folder plus one entry in ``FAMILIES`` (and the adapters the entry names);
nothing else dispatches on families. ``docs/development.md`` lists the adapters' functions.
"""

import importlib
from dataclasses import dataclass, field

from sklearn.utils.validation import check_is_fitted

from glassbox.gam import GAMClassifier, GAMRegressor
from glassbox.rules import RuleListClassifier, RuleListRegressor
from glassbox.tree import ShallowTreeClassifier, ShallowTreeRegressor

# Adapter layers and the functions each adapter module provides (optional ones in brackets in
# docs/development.md; the architecture test checks the required ones).
ADAPTER_LAYERS = {
    "distill": "glassbox.distill",
    "explain": "glassbox.explain",
    "export": "glassbox.export",
}


@dataclass(frozen=True)
class Family:
    """One model family.

    Attributes
    ----------
    name : str
        The family's name (``"gam"``, ``"rule_list"``, ``"tree"``).
    estimators : tuple of type
        Its public estimators, in the order model files list their names.
    structure : str
        The fitted attribute that holds the structure (``"terms_"``...): what views read, and
        what ``check_is_fitted`` checks.
    size_unit : str
        What a person counts to read the model: ``"terms"``, ``"rules"`` or ``"leaves"``.
    count : callable
        The number of those units in a fitted structure.
    searched : bool
        Distillation trait: the structure is chosen by a discrete search on the rows' labels
        (rules, splits), so ``augment="auto"`` adds synthetic rows for it.
    adapters : dict
        Layer (a key of ``ADAPTER_LAYERS``) -> the module adapting this family in that layer.
    """

    name: str
    estimators: tuple
    structure: str
    size_unit: str
    count: object
    searched: bool
    adapters: dict = field(default_factory=dict)

    def adapter(self, layer):
        """The module adapting this family in ``layer`` (imported on first use)."""
        return importlib.import_module(self.adapters[layer])

    def size(self, model):
        """``{size_unit: n}`` of a fitted model of this family."""
        return {self.size_unit: int(self.count(getattr(model, self.structure)))}


FAMILIES = (
    Family(
        name="gam",
        estimators=(GAMClassifier, GAMRegressor),
        structure="terms_",
        size_unit="terms",
        count=len,
        searched=False,
        adapters={"distill": "glassbox.distill._gam", "explain": "glassbox.explain._gam",
                  "export": "glassbox.export._gam"},
    ),
    Family(
        name="rule_list",
        estimators=(RuleListClassifier, RuleListRegressor),
        structure="rules_",
        size_unit="rules",
        count=len,
        searched=True,
        adapters={"distill": "glassbox.distill._rule_list", "explain": "glassbox.explain._rule_list",
                  "export": "glassbox.export._rule_list"},
    ),
    Family(
        name="tree",
        estimators=(ShallowTreeClassifier, ShallowTreeRegressor),
        structure="tree_",
        size_unit="leaves",
        count=lambda tree: tree.n_leaves,
        searched=True,
        adapters={"distill": "glassbox.distill._tree", "explain": "glassbox.explain._tree",
                  "export": "glassbox.export._tree"},
    ),
)


def estimator_names():
    """Every family estimator by class name, in registry order (the names model files hold)."""
    return {cls.__name__: cls for family in FAMILIES for cls in family.estimators}


def family_by_name(estimator_name):
    """The family of the estimator class called ``estimator_name`` (KeyError if none)."""
    for family in FAMILIES:
        if any(cls.__name__ == estimator_name for cls in family.estimators):
            return family
    raise KeyError(estimator_name)


def find_family(model):
    """The family ``model`` (an estimator instance) belongs to, or None."""
    for family in FAMILIES:
        if isinstance(model, family.estimators):
            return family
    return None


def family_of(model, *, fitted=True):
    """The family of ``model``; a TypeError for anything else, and (``fitted``) scikit-learn's
    NotFittedError for an unfitted one."""
    family = find_family(model)
    if family is None:
        names = ", ".join(estimator_names())
        raise TypeError(f"{type(model).__name__} is not a glassbox model of a known family; glassbox explains "
                        f"and exports its own models ({names}, and the Distilled* models of them).")
    if fitted:
        check_is_fitted(model, family.structure)
    return family


def model_size(model):
    """The size a person reads, by model family: ``{"rules": n}`` for a rule list, ``{"leaves": n}``
    for a tree, ``{"terms": n}`` for a GAM; ``{}`` for anything else (or an unfitted model)."""
    family = find_family(model)
    if family is None or not hasattr(model, family.structure):
        return {}
    return family.size(model)


def check_params(model):
    """Run a family estimator's own parameter checks (those ``fit`` runs first); ValueError or
    TypeError naming the parameter. Model files check what they write and read with it."""
    family_of(model, fitted=False)
    model._check_params()
