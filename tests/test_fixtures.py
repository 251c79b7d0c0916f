"""Behaviour pinned by fixtures written before a change (``tests/zoo_outputs.py``).

For every model-zoo case: the model file that glassbox wrote must load and give bit-identical
predictions, texts, frames, explanations and exported code; and fitting the case again must
write the same model file and give the same outputs. A failure names the first output that
differs, and where in it.
"""

import pytest

from glassbox.export import from_dict
from glassbox.export._json import loads
from tests.model_zoo import CASES, fitted
from tests.zoo_outputs import canon, fixture_paths, model_file, outputs, read_model_file, read_outputs

CASES_WITH_FIXTURES = [case for case in CASES if fixture_paths(case)[1].exists()]


def first_difference(got, want, path="outputs"):
    """The path and both values where two canonical structures first differ (None: equal)."""
    if type(got) is not type(want):
        return path, got, want
    if isinstance(got, dict):
        for key in sorted(set(got) | set(want)):
            if key not in got or key not in want:
                return f"{path}.{key}", got.get(key, "<absent>"), want.get(key, "<absent>")
            found = first_difference(got[key], want[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(got, list):
        for i, (a, b) in enumerate(zip(got, want)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        if len(got) != len(want):
            return f"{path} (length)", len(got), len(want)
        return None
    if isinstance(got, float) and got != got and want != want:
        return None  # NaN where NaN was
    if got != want or (isinstance(got, float) and got.hex() != want.hex()):  # -0.0 is not 0.0
        return path, got, want
    return None


def assert_same(got, want, what):
    found = first_difference(got, want)
    if found:
        path, a, b = found
        pytest.fail(f"{what}: {path} differs\n  now:    {str(a)[:300]}\n  stored: {str(b)[:300]}")


def test_every_case_has_fixtures():
    """The fixtures cover the whole zoo (a new case needs ``python -m tests.zoo_outputs --write``)."""
    assert CASES_WITH_FIXTURES == list(CASES)


@pytest.mark.parametrize("case", CASES_WITH_FIXTURES)
def test_stored_model_file_loads_to_the_same_outputs(case):
    fit = fitted(case)  # the rows to ask (and a skip when the case's data is absent)
    model = from_dict(loads(read_model_file(case)))
    assert_same(outputs(model, fit.X_test, fit.y_test), read_outputs(case)["outputs"], f"{case} (loaded)")


@pytest.mark.parametrize("case", CASES_WITH_FIXTURES)
def test_refitted_model_writes_the_stored_file_and_outputs(case):
    fit = fitted(case)
    stored = read_outputs(case)
    assert_same(canon(model_file(fit.model)), stored["model_file"], f"{case} (model file)")
    assert_same(outputs(fit.model, fit.X_test, fit.y_test), stored["outputs"], f"{case} (refitted)")
