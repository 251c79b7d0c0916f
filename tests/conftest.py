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


@pytest.fixture(scope="session")
def postgres():
    """A connection to a throwaway PostgreSQL server, started on first use (``tests/sql_engines.py``)."""
    from tests.sql_engines import start_postgres

    server = start_postgres()
    try:
        with server.connect() as connection:
            yield connection
    finally:
        server.stop()


@pytest.fixture(scope="session")
def clickhouse():
    """A chDB session: ClickHouse in process (chDB allows one session at a time, hence one per run)."""
    from chdb import session  # in the test extra: a missing install fails here, never skips

    connection = session.Session()
    yield connection
    connection.close()


@pytest.fixture
def engine(request):
    """``engine(dialect)``: the connection to run that dialect's SQL in (None for SQLite and DuckDB,
    which the tests open themselves); a server starts on first use only."""
    return lambda dialect: request.getfixturevalue(dialect) if dialect in ("postgres", "clickhouse") else None
