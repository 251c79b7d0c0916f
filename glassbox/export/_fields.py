"""Reading untrusted model files: typed field access that names the field when anything is off.

Loading a model runs no code; it reads plain JSON through these helpers, so a tampered or
truncated file fails with ``ModelFileError: field 'binning.features[3].thresholds': ...``
instead of a KeyError deep inside a model, or a crash in a kernel.
"""

import math

import numpy as np

from glassbox._base import py_scalar

# Integers are read into int64 arrays: anything larger would overflow there, not here.
_INT_MIN, _INT_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


class ModelFileError(ValueError):
    """A model file is malformed: the message names the field and what was expected."""


def plain_scalar(value, what, why):
    """``value`` as a plain str, int, float or bool (NumPy scalars unwrapped), the only values
    model files and exported code can hold; else a TypeError ``"{what} {value!r} is a ...; {why}"``."""
    value = py_scalar(value)
    if not isinstance(value, (str, int, float, bool)):
        raise TypeError(f"{what} {value!r} is a {type(value).__name__}; {why}")
    return value


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value):
    # A JSON integer too large for a float is as unusable as inf (math.isfinite would raise).
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


class Fields:
    """A JSON object (dict) and its path in the file, for error messages."""

    def __init__(self, data, path="model"):
        if not isinstance(data, dict):
            raise ModelFileError(f"field {path!r}: expected an object, got {type(data).__name__}")
        self.data = data
        self.path = path

    def _raw(self, key):
        if key not in self.data:
            raise ModelFileError(f"field '{self.path}.{key}' is missing")
        return self.data[key]

    def _fail(self, key, what):
        raise ModelFileError(f"field '{self.path}.{key}': {what}")

    def fail(self, key, what):
        """Raise the ModelFileError for ``key`` (checks a caller makes beyond types and ranges)."""
        self._fail(key, what)

    def only(self, *keys):
        """Refuse fields not in ``keys``: in a known format version they mean a tampered file or
        a writer that did not bump the version."""
        unknown = [k for k in self.data if k not in keys]
        if unknown:
            raise ModelFileError(f"field '{self.path}.{unknown[0]}' is not part of the format (expected {list(keys)})")
        return self

    def value(self, key):
        """The raw JSON value of ``key`` (for checks the typed readers do not cover)."""
        return self._raw(key)

    def is_null(self, key):
        """Whether ``key`` is present and null (a missing key is still an error)."""
        return self._raw(key) is None

    def obj(self, key):
        return Fields(self._raw(key), f"{self.path}.{key}")

    def objs(self, key, length=None):
        items = self._raw(key)
        if not isinstance(items, list):
            self._fail(key, f"expected a list, got {type(items).__name__}")
        if length is not None and len(items) != length:
            self._fail(key, f"expected {length} entries, got {len(items)}")
        return [Fields(item, f"{self.path}.{key}[{i}]") for i, item in enumerate(items)]

    def str(self, key, choices=None):
        value = self._raw(key)
        if not isinstance(value, str):
            self._fail(key, f"expected a string, got {type(value).__name__}")
        if choices is not None and value not in choices:
            self._fail(key, f"expected one of {list(choices)}, got {value!r}")
        return value

    def bool(self, key):
        value = self._raw(key)
        if not isinstance(value, bool):
            self._fail(key, f"expected true or false, got {type(value).__name__}")
        return value

    def int(self, key, lo=None, hi=None):
        value = self._raw(key)
        if not _is_int(value):
            self._fail(key, f"expected an integer, got {type(value).__name__}")
        lo = _INT_MIN if lo is None else lo
        hi = _INT_MAX if hi is None else hi
        if value < lo or value > hi:
            self._fail(key, f"{value} is outside [{lo}, {hi}]")
        return value

    def float(self, key, lo=-math.inf):
        """One finite number (>= ``lo``) as a Python float."""
        value = self._raw(key)
        if not _is_number(value) or not _finite(value):
            self._fail(key, f"expected a finite number, got {value!r}")
        if value < lo:
            self._fail(key, f"expected a number >= {lo}, got {value!r}")
        return float(value)

    def floats(self, key, length=None, increasing=False, finite=True, lo=None):
        """A list of numbers as float64 (exactly: JSON numbers written by ``repr`` round-trip)."""
        values = self._raw(key)
        if not isinstance(values, list) or not all(_is_number(v) for v in values):
            self._fail(key, "expected a list of numbers")
        if finite and not all(_finite(v) for v in values):
            self._fail(key, "expected finite numbers")
        if length is not None and len(values) != length:
            self._fail(key, f"expected {length} numbers, got {len(values)}")
        array = np.asarray(values, dtype=np.float64)
        if increasing and np.any(np.diff(array) <= 0):
            self._fail(key, "expected strictly increasing numbers")
        if lo is not None and np.any(array < lo):
            self._fail(key, f"expected numbers >= {lo}")
        return array

    def ints(self, key, length=None, lo=None, hi=None):
        values = self._raw(key)
        if not isinstance(values, list) or not all(_is_int(v) for v in values):
            self._fail(key, "expected a list of integers")
        if length is not None and len(values) != length:
            self._fail(key, f"expected {length} integers, got {len(values)}")
        lo = _INT_MIN if lo is None else lo
        hi = _INT_MAX if hi is None else hi
        if any(v < lo or v > hi for v in values):
            self._fail(key, f"expected integers in [{lo}, {hi}]")
        return np.asarray(values, dtype=np.int64)

    def scalars(self, key):
        """A list of JSON scalars (strings, numbers, booleans): category levels, class labels.

        Distinct as Python sees them (``1``, ``1.0`` and ``True`` are one value), which is how
        the binning looks levels up.
        """
        values = self._raw(key)
        if not isinstance(values, list) or not all(isinstance(v, (str, int, float, bool)) for v in values):
            self._fail(key, "expected a list of strings, numbers or booleans")
        if not all(_finite(v) for v in values if _is_number(v)):
            self._fail(key, "expected finite numbers")
        if len(set(values)) != len(values):
            self._fail(key, "expected distinct values")
        return tuple(values)
