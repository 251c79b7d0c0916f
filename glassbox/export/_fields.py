"""Reading untrusted model files: typed field access that names the field when anything is off.

Loading a model runs no code; it reads plain JSON through these helpers, so a tampered or
truncated file fails with ``ModelFileError: field 'binning.features[3].thresholds': ...``
instead of a KeyError deep inside a model, or a crash in a kernel.
"""

import math

import numpy as np


class ModelFileError(ValueError):
    """A model file is malformed: the message names the field and what was expected."""


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

    def obj(self, key):
        return Fields(self._raw(key), f"{self.path}.{key}")

    def objs(self, key):
        items = self._raw(key)
        if not isinstance(items, list):
            self._fail(key, f"expected a list, got {type(items).__name__}")
        return [Fields(item, f"{self.path}.{key}[{i}]") for i, item in enumerate(items)]

    def str(self, key, choices=None):
        value = self._raw(key)
        if not isinstance(value, str):
            self._fail(key, f"expected a string, got {type(value).__name__}")
        if choices is not None and value not in choices:
            self._fail(key, f"expected one of {list(choices)}, got {value!r}")
        return value

    def int(self, key, lo=None, hi=None):
        value = self._raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self._fail(key, f"expected an integer, got {type(value).__name__}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self._fail(key, f"{value} is outside [{lo}, {hi}]")
        return value

    def floats(self, key, length=None, increasing=False, finite=True):
        """A list of numbers as float64 (exactly: JSON numbers written by ``repr`` round-trip)."""
        values = self._raw(key)
        if not isinstance(values, list) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
        ):
            self._fail(key, "expected a list of numbers")
        if finite and not all(math.isfinite(v) for v in values):
            self._fail(key, "expected finite numbers")
        array = np.asarray(values, dtype=np.float64)
        if length is not None and array.shape != (length,):
            self._fail(key, f"expected {length} numbers, got {len(values)}")
        if increasing and np.any(np.diff(array) <= 0):
            self._fail(key, "expected strictly increasing numbers")
        return array

    def ints(self, key, length=None, lo=None):
        values = self._raw(key)
        if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            self._fail(key, "expected a list of integers")
        if length is not None and len(values) != length:
            self._fail(key, f"expected {length} integers, got {len(values)}")
        if lo is not None and any(v < lo for v in values):
            self._fail(key, f"expected integers >= {lo}")
        return np.asarray(values, dtype=np.int64)

    def scalars(self, key):
        """A list of JSON scalars (strings, numbers, booleans): category levels, class labels."""
        values = self._raw(key)
        if not isinstance(values, list) or not all(isinstance(v, (str, int, float, bool)) for v in values):
            self._fail(key, "expected a list of strings, numbers or booleans")
        if len(set(map(_level_key, values))) != len(values):
            self._fail(key, "expected distinct values")
        return tuple(values)


def _level_key(value):
    return (type(value).__name__, value)
