"""What a model predicts, in a model file: class labels with their dtype, and the value and
prediction of each rule or leaf.

Labels come back exactly: ``predict`` returns ``classes_[k]``, so a loaded model must have the
same labels in the same dtype (``int64``, ``bool``, ``float64``, ``<U5``, ``object``...) for its
predictions to be bit-identical to the original's.
"""

import re

import numpy as np

from glassbox.export._fields import ModelFileError, _is_int, _is_number, plain_scalar

_NUMERIC_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64",
}
_STR_DTYPE = re.compile(r"U([1-9][0-9]{0,5})")
_PROBABILITY_SUM_TOLERANCE = 1e-9


def label_to_json(label):
    """A class label as a JSON scalar (NumPy scalars as the Python value they hold)."""
    return plain_scalar(label, "class label",
                        "model files hold string, number and boolean labels only: convert y before fitting.")


def classes_to_json(classes):
    dtype = classes.dtype
    if dtype.name in _NUMERIC_DTYPES:
        name = dtype.name
    elif dtype.kind == "U":
        name = f"U{dtype.itemsize // 4}"
    elif dtype == object:
        name = "object"
    else:
        raise TypeError(f"classes of dtype {dtype} cannot be saved; convert y to numbers or strings before fitting.")
    return {"dtype": name, "values": [label_to_json(c) for c in classes]}


def classes_from_json(fields):
    """``classes_`` from a file's ``classes`` object, with its dtype; sorted and distinct as
    scikit-learn's ``np.unique`` gives them."""
    fields.only("dtype", "values")
    name = fields.str("dtype")
    values = fields.scalars("values")
    if len(values) < 2:
        fields.fail("values", "a classifier has at least two classes")
    match = _STR_DTYPE.fullmatch(name)
    if name == "bool":
        ok = all(isinstance(v, bool) for v in values)
    elif name in _NUMERIC_DTYPES and name[0] in "iu":
        info = np.iinfo(np.dtype(name))
        ok = all(_is_int(v) and info.min <= v <= info.max for v in values)
    elif name in _NUMERIC_DTYPES:
        largest = float(np.finfo(np.dtype(name)).max)
        ok = all(_is_number(v) and abs(v) <= largest for v in values)
    elif match:
        ok = all(isinstance(v, str) and len(v) <= int(match.group(1)) for v in values)
    elif name == "object":
        ok = True
    else:
        fields.fail("dtype", f"expected a NumPy dtype of labels (bool, int64, float64, U<width>, object...), "
                             f"got {name!r}")
    if not ok:
        fields.fail("values", f"labels that do not fit dtype {name!r}")
    classes = np.array(values, dtype=object if name == "object" else np.dtype(name))
    try:
        ordered = all(a < b for a, b in zip(classes[:-1], classes[1:]))
    except TypeError:
        ordered = False
    if not ordered:
        fields.fail("values", "expected distinct labels in increasing order, as fitting gives them")
    return classes


def values_from_json(fields, key, model, length=None):
    """The value of a rule or leaf: class probabilities in ``classes_`` order, or ``[mean]``."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        return fields.floats(key, length=1)
    value = fields.floats(key, length=len(classes), lo=0.0)
    if value.max() > 1 or abs(value.sum() - 1) > _PROBABILITY_SUM_TOLERANCE:
        fields.fail(key, "expected class probabilities: each in [0, 1], summing to 1")
    return value


def check_prediction(fields, key, expected):
    """The saved prediction must be the one the value implies (``classes_[argmax]`` or the
    mean), so the file cannot print one answer and predict another."""
    saved = fields.value(key)
    want = label_to_json(expected)
    if type(saved) is not type(want) or saved != want:
        raise ModelFileError(f"field '{fields.path}.{key}': expected {want!r}, the prediction its value implies")
