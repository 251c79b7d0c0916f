"""The registry of benchmarked models: glassbox beside its peers, each at its own defaults.

A :class:`ModelSpec` says which tasks a model supports, how to build it for a task with a given
thread count and seed, how to prepare X for it, and how to measure the size of what it learned.
Peers are imported lazily (by ``"module:Class"`` name), so this module imports with scikit-learn
alone and a missing peer only fails the runs that need it.

The only parameters ever set on a peer are its thread count (``n_jobs``, where it has one) and its
seed (``random_state``), plus switches that silence logging and the depth of the named shallow
variants (``cart_d2``, ``cart_d3``). Everything else stays at the peer's default, so a comparison
never rests on a weakened baseline.

X preparation does only what a peer *needs*:

- ``native``: the DataFrame as loaded, category dtypes intact (string columns become categories);
  for peers that read pandas categoricals themselves (EBM, LightGBM, HistGradientBoosting, RIPPER).
- ``native_plain_names``: ``native`` with column names LightGBM accepts.
- ``ordinal``: categories become their integer codes (a missing category gets its own code -1);
  numeric NaN stays NaN, for peers that take NaN but not categories (scikit-learn trees).
- ``ordinal_imputed``: ``ordinal`` then numeric NaN replaced by the training median, for peers
  that reject NaN (imodels, pygam).
"""

import importlib
import inspect
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TASKS = ("binary", "multiclass", "regression")
CLASSIFICATION = frozenset({"binary", "multiclass"})
ALL_TASKS = frozenset(TASKS)


# --------------------------------------------------------------------------- X preparation
def native(X_train, X_test):
    """Category dtypes kept; string/object columns become categories learned on the training split."""
    X_train, X_test = X_train.copy(), X_test.copy()
    for column in X_train.columns:
        if not (pd.api.types.is_numeric_dtype(X_train[column]) or isinstance(X_train[column].dtype, pd.CategoricalDtype)):
            X_train[column] = X_train[column].astype("category")
            # a test value never seen in training becomes missing, as it would in deployment
            levels = X_train[column].cat.categories
            X_test[column] = pd.Categorical(X_test[column].where(X_test[column].isin(levels)), categories=levels)
    return X_train, X_test


def native_plain_names(X_train, X_test):
    """``native`` with ``[]{}",:`` in column names replaced by ``_`` (LightGBM rejects them in
    feature names, e.g. compas_two_year_clean's one-hot ``race:Asian``); values are untouched."""
    X_train, X_test = native(X_train, X_test)
    names = [re.sub(r'[\[\]{}",:]', "_", str(c)) for c in X_train.columns]
    return X_train.set_axis(names, axis=1), X_test.set_axis(names, axis=1)


def ordinal(X_train, X_test):
    """Categories as integer codes (missing category -> -1, a level of its own); all float64."""
    X_train, X_test = native(X_train, X_test)
    for frame in (X_train, X_test):
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].cat.codes
    return X_train.astype(np.float64), X_test.astype(np.float64)


def ordinal_imputed(X_train, X_test):
    """``ordinal`` with numeric NaN replaced by the training median (only for peers that reject NaN)."""
    X_train, X_test = ordinal(X_train, X_test)
    medians = X_train.median().fillna(0.0)  # an all-NaN column has no median
    return X_train.fillna(medians), X_test.fillna(medians)


# --------------------------------------------------------------------------- the spec
@dataclass(frozen=True)
class ModelSpec:
    """How to benchmark one model.

    classifier / regressor : ``"module:Class"`` to build for classification / regression tasks.
    tasks : the tasks the model supports; others are recorded as ``unsupported``, never run.
    params : fixed constructor parameters (only switches that silence output or pick the model
        variant, e.g. a tree depth); ``n_jobs`` and ``random_state`` are added when the class has them.
    prepare : ``(X_train, X_test) -> (X_train, X_test)``, one of the functions above.
    size : fitted model -> int, the size of the learned structure, in ``size_unit``.
    fit_params : extra keyword arguments to ``fit`` (RIPPER's ``pos_class``).
    note : one line on why the model gets the preparation it gets.
    """

    classifier: str = None
    regressor: str = None
    tasks: frozenset = ALL_TASKS
    params: dict = field(default_factory=dict)
    prepare: object = native
    size: object = None
    size_unit: str = ""
    fit_params: dict = field(default_factory=dict)
    note: str = ""

    def build(self, task, n_jobs, seed):
        """A fresh estimator for ``task``: the class at its defaults, plus threads and seed."""
        module, _, name = (self.regressor if task == "regression" else self.classifier).partition(":")
        cls = getattr(importlib.import_module(module), name)
        accepted = inspect.signature(cls.__init__).parameters
        params = dict(self.params)
        params.update({k: v for k, v in (("n_jobs", n_jobs), ("random_state", seed)) if k in accepted})
        return cls(**params)


# --------------------------------------------------------------------------- size measures
def _ebm_terms(model):
    return len(model.term_features_)


def _lightgbm_leaves(model):
    return sum(tree["num_leaves"] for tree in model.booster_.dump_model()["tree_info"])


def _hgb_leaves(model):
    # _predictors is private but the only place the fitted trees live; one list per iteration
    return sum(predictor.get_n_leaf_nodes() for iteration in model._predictors for predictor in iteration)


def _tree_leaves(model):
    return int(model.get_n_leaves())


def _figs_leaves(model):
    # complexity_ counts splits; each of the binary trees has one leaf more than splits
    return int(model.complexity_) + len(model.trees_)


def _rule_count(model):
    return len(model.rules_)


def _rulefit_terms(model):
    # the fitted model is a sparse linear model over rules and raw features: count nonzero terms
    return int((model._get_rules(exclude_zero_coef=True)["coef"] != 0).sum())


def _ripper_rules(model):
    return len(model.ruleset_.rules)


def _pygam_terms(model):
    return sum(1 for term in model.terms if not term.isintercept)


# --------------------------------------------------------------------------- peers
_BINARY = frozenset({"binary"})
_NOT_MULTICLASS = frozenset({"binary", "regression"})

PEERS = {
    "ebm": ModelSpec(
        "interpret.glassbox:ExplainableBoostingClassifier", "interpret.glassbox:ExplainableBoostingRegressor",
        size=_ebm_terms, size_unit="terms", note="native: reads pandas categoricals and NaN itself",
    ),
    "lightgbm": ModelSpec(
        "lightgbm:LGBMClassifier", "lightgbm:LGBMRegressor", params={"verbose": -1}, prepare=native_plain_names,
        size=_lightgbm_leaves, size_unit="leaves",
        note="native: pandas categoricals and NaN (black-box reference); JSON characters out of column names",
    ),
    "hgb": ModelSpec(
        "sklearn.ensemble:HistGradientBoostingClassifier", "sklearn.ensemble:HistGradientBoostingRegressor",
        size=_hgb_leaves, size_unit="leaves",
        note="native: categorical_features='from_dtype' is its default; NaN native; threads via OMP_NUM_THREADS",
    ),
    "cart": ModelSpec(
        "sklearn.tree:DecisionTreeClassifier", "sklearn.tree:DecisionTreeRegressor", prepare=ordinal,
        size=_tree_leaves, size_unit="leaves", note="ordinal: no categorical support; NaN native (sklearn >= 1.3)",
    ),
    "cart_d2": ModelSpec(
        "sklearn.tree:DecisionTreeClassifier", "sklearn.tree:DecisionTreeRegressor", params={"max_depth": 2},
        prepare=ordinal, size=_tree_leaves, size_unit="leaves", note="as cart; the depth-2 comparator",
    ),
    "cart_d3": ModelSpec(
        "sklearn.tree:DecisionTreeClassifier", "sklearn.tree:DecisionTreeRegressor", params={"max_depth": 3},
        prepare=ordinal, size=_tree_leaves, size_unit="leaves", note="as cart; the depth-3 comparator",
    ),
    "figs": ModelSpec(
        "imodels:FIGSClassifier", "imodels:FIGSRegressor", prepare=ordinal_imputed,
        size=_figs_leaves, size_unit="leaves", note="ordinal + median impute: check_array rejects NaN",
    ),
    "greedy_rl": ModelSpec(
        "imodels:GreedyRuleListClassifier", tasks=_BINARY, prepare=ordinal_imputed,
        size=_rule_count, size_unit="rules", note="ordinal + median impute: numeric thresholds only, no NaN",
    ),
    "rulefit": ModelSpec(
        "imodels:RuleFitClassifier", "imodels:RuleFitRegressor", tasks=_NOT_MULTICLASS, prepare=ordinal_imputed,
        size=_rulefit_terms, size_unit="terms", note="ordinal + median impute: its tree ensemble and lasso reject NaN",
    ),
    "ripper": ModelSpec(
        "wittgenstein:RIPPER", tasks=_BINARY, fit_params={"pos_class": 1},
        size=_ripper_rules, size_unit="rules", note="native: discretizes numbers, reads categories as nominal",
    ),
    "pygam": ModelSpec(
        "pygam:LogisticGAM", "pygam:LinearGAM", tasks=_NOT_MULTICLASS, prepare=ordinal_imputed,
        size=_pygam_terms, size_unit="terms", note="ordinal + median impute: numeric matrix only, rejects NaN",
    ),
}


# --------------------------------------------------------------------------- glassbox models
# GLASSBOX MODELS ARE REGISTERED HERE: name -> (classifier, regressor, fixed params, size unit).
# An entry whose class glassbox does not export yet is skipped, so the list may run ahead of the
# package. glassbox reads DataFrames with categoricals and NaN itself, hence ``native``; sizes
# come from glassbox's own model_size (rules, leaves or terms).
GLASSBOX = {
    "gb_rulelist": ("RuleListClassifier", "RuleListRegressor", {}, "rules"),
    "gb_gam": ("GAMClassifier", "GAMRegressor", {}, "terms"),
    "gb_tree_d2": ("ShallowTreeClassifier", "ShallowTreeRegressor", {"max_depth": 2}, "leaves"),
    "gb_tree_d3": ("ShallowTreeClassifier", "ShallowTreeRegressor", {"max_depth": 3}, "leaves"),
}


def _glassbox_size(model):
    from glassbox._families import model_size

    (count,) = model_size(model).values()
    return count


GLASSBOX_IMPORT_ERROR = None  # why glassbox's models are missing, when they are


def glassbox_models():
    """Specs for the GLASSBOX entries whose classes ``glassbox`` exports today."""
    global GLASSBOX_IMPORT_ERROR
    try:
        import glassbox
    except Exception as exc:  # a checkout caught mid-edit must not stop the peers from running
        GLASSBOX_IMPORT_ERROR = f"{type(exc).__name__}: {exc}"
        return {}
    specs = {}
    for name, (classifier, regressor, params, size_unit) in GLASSBOX.items():
        has_clf, has_reg = hasattr(glassbox, classifier), hasattr(glassbox, regressor)
        if not (has_clf or has_reg):
            continue
        tasks = (CLASSIFICATION if has_clf else frozenset()) | (frozenset({"regression"}) if has_reg else frozenset())
        specs[name] = ModelSpec(
            f"glassbox:{classifier}", f"glassbox:{regressor}", tasks=tasks, params=params,
            size=_glassbox_size, size_unit=size_unit,
            note="native: glassbox bins categoricals and NaN itself",
        )
    return specs


MODELS = {**glassbox_models(), **PEERS}


def unknown_model_hint():
    """Text to append to an "unknown model" error: why glassbox's models are missing, if they are."""
    return f" (glassbox failed to import: {GLASSBOX_IMPORT_ERROR})" if GLASSBOX_IMPORT_ERROR else ""
