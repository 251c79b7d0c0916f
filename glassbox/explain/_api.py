"""The views' entry points for any fitted glassbox model: text, frame, and the two explanations.

Each resolves what the model shows (a distilled model shows its student), finds the model's
family in the registry (``glassbox._families``) and hands over to the family's explanation
adapter (``explain/_gam.py``, ``_rule_list.py``, ``_tree.py``), which reads the public fitted
structure only.
"""

from glassbox._base import as_table, target_1d
from glassbox._dask import is_dask
from glassbox._families import family_of
from glassbox.distill import inspected


def shown(model):
    """``(the model whose structure is shown, its family's explanation adapter)``; a TypeError
    for anything but a glassbox model, NotFittedError for an unfitted one."""
    model = inspected(model)
    return model, family_of(model).adapter("explain")


def to_text(model):
    """``model.to_text()``: the fitted structure as text."""
    model, adapter = shown(model)
    return adapter.text(model)


def to_frame(model):
    """``model.to_frame()``: the fitted structure as a DataFrame."""
    model, adapter = shown(model)
    return adapter.frame(model)


def explain_global(model, name=None):
    """``model.explain_global()``: a :class:`GlobalExplanation` of any fitted glassbox model."""
    from glassbox.explain._explanation import GlobalExplanation

    inspected_model, adapter = shown(model)
    return GlobalExplanation(inspected_model, name=explanation_name(model, name),
                             **adapter.global_parts(inspected_model))


def explain_local(model, X, y=None, name=None):
    """``model.explain_local(X, y)``: a :class:`LocalExplanation` of any fitted glassbox model (a
    lazy :class:`DaskLocalExplanation` of a Dask collection)."""
    inspected_model, adapter = shown(model)
    if is_dask(X):
        from glassbox.explain._dask import explain_local_dask

        return explain_local_dask(inspected_model, adapter, X, y, explanation_name(model, name))
    from glassbox.explain._explanation import LocalExplanation

    X = as_table(X)
    if y is not None:
        y = target_1d(y, X.shape[0])
    return LocalExplanation(inspected_model, name=explanation_name(model, name),
                            **adapter.local_parts(inspected_model, X, y))


def explanation_name(model, name):
    """The name an explanation shows: ``name``, else the model's class (and its student's)."""
    if name is not None:
        return str(name)
    student = getattr(model, "student_", None)
    if student is not None:
        return f"{type(model).__name__} ({type(student).__name__} student)"
    return type(model).__name__
