"""Shared fixtures. Tests that need the real datasets skip cleanly when ../shared is absent."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the benchmarks' dataset loader is shared with the tests
    sys.path.insert(0, str(ROOT))

from benchmarks.datasets import DATASETS_DIR, available, load_dataset  # noqa: E402


@pytest.fixture
def shared_dataset():
    """``shared_dataset(name) -> (X, y, meta)``, skipping when the shared datasets are absent."""

    def load(name):
        if name not in available():
            pytest.skip(f"shared dataset {name!r} not found under {DATASETS_DIR}")
        return load_dataset(name)

    return load
