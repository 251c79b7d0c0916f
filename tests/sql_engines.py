"""Real engines for the exported SQL: a throwaway PostgreSQL server and ClickHouse in process (chDB).

Tests load a DataFrame into an engine as a typed table and run a query there
(:func:`load_and_run`). Each column gets the type a user's table would have, decided from its
values, not from what the exporter expects: floats are doubles, integers BIGINT / Int64,
booleans BOOLEAN / Bool, strings text; a column mixing strings and numbers is text holding
Python's ``str`` of each value (as pandas frames reach DuckDB). Missing values (None, NaN,
pandas.NA) are loaded as SQL NULL. PostgreSQL has no cast from BOOLEAN to a number, so a column
of booleans that the model reads as numbers (glassbox's default for booleans) is loaded there as
BIGINT 0 / 1, as ``docs/inspect.md`` asks of a user's table.

PostgreSQL: ``initdb`` and ``pg_ctl`` start a server in a temporary directory that listens on a
unix socket there (no TCP port), with trust authentication, and is stopped at the end of the
session. PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user
(Debian's package creates it) or else ``nobody``. Without the server binaries the tests skip,
unless ``GLASSBOX_REQUIRE_POSTGRES=1`` (set in CI), where they fail. The Python drivers,
psycopg and chDB, are in the test extra: a missing install fails, never skips.
"""

import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile

import numpy as np
import pandas as pd
import pytest

# Types a loaded column takes, by the kind of its values.
_TYPES = {
    "postgres": {"double": "double precision", "bigint": "bigint", "bool": "boolean", "text": "text"},
    "clickhouse": {"double": "Nullable(Float64)", "bigint": "Nullable(Int64)", "bool": "Nullable(Bool)",
                   "text": "Nullable(String)"},
}


def _missing(value):
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _plain(value):
    value = value.item() if isinstance(value, np.generic) else value
    return None if _missing(value) else value


def typed_columns(frame, bools_as_integers=()):
    """``[(name, kind, values)]``: each column's kind ("double", "bigint", "bool", "text") and its
    values as Python objects, None where missing; the columns of ``bools_as_integers`` holding
    booleans are "bigint" 0 / 1."""
    out = []
    for name in frame.columns:
        values = [_plain(v) for v in frame[name].astype(object)]
        present = [v for v in values if v is not None]
        if all(isinstance(v, bool) for v in present) and present and name in bools_as_integers:
            kind, values = "bigint", [None if v is None else int(v) for v in values]
        elif all(isinstance(v, bool) for v in present) and present:
            kind = "bool"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in present) and present:
            kind = "bigint"
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            kind = "double"  # an all-missing column too
            values = [None if v is None else float(v) for v in values]
        else:
            kind = "text"
            values = [None if v is None else str(v) for v in values]
        out.append((name, kind, values))
    return out


# --- PostgreSQL ----------------------------------------------------------------------------------


def _postgres_bin(program):
    """``program`` from PATH, else from Debian's /usr/lib/postgresql/<version>/bin (not on PATH)."""
    found = shutil.which(program)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"),
                      key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return versions[-1] if versions else None


def _unprivileged_user():
    """The account the server runs as when we are root (None: we are not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and there is neither a 'postgres' nor a 'nobody' user to run PostgreSQL as")


class PostgresServer:
    """A PostgreSQL server in a temporary directory, reached through its unix socket."""

    USER, PORT = "glassbox", 5432

    def __init__(self):
        initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
        if not (initdb and pg_ctl):
            raise FileNotFoundError("no initdb / pg_ctl on PATH or under /usr/lib/postgresql/*/bin "
                                    "(apt-get install postgresql)")
        self.pg_ctl = pg_ctl
        account = _unprivileged_user()
        self.directory = tempfile.mkdtemp(prefix="glassbox-pg-")
        self.data = os.path.join(self.directory, "data")
        try:
            self.as_user = {}
            if account is not None:
                os.chown(self.directory, account.pw_uid, account.pw_gid)
                self.as_user = dict(user=account.pw_uid, group=account.pw_gid, extra_groups=[])
            self._run([initdb, "-D", self.data, "-U", self.USER, "--auth=trust", "--encoding=UTF8", "--locale=C",
                       "--no-sync"])
            with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
                conf.write(f"listen_addresses = ''\nunix_socket_directories = '{self.directory}'\n"
                           f"port = {self.PORT}\nfsync = off\nshared_buffers = 16MB\n")
            self._run([pg_ctl, "-D", self.data, "-l", os.path.join(self.directory, "server.log"), "-w", "-t", "60",
                       "start"])
        except BaseException:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise

    def _run(self, command):
        result = subprocess.run(command, cwd=self.directory, capture_output=True, text=True, timeout=120,
                                **self.as_user)
        if result.returncode != 0:
            log = os.path.join(self.directory, "server.log")
            tail = open(log).read()[-2000:] if os.path.exists(log) else ""
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n"
                               f"{result.stderr}{result.stdout}{tail}")

    def connect(self):
        import psycopg  # in the test extra

        return psycopg.connect(host=self.directory, port=self.PORT, user=self.USER, dbname="postgres",
                               autocommit=True)

    def stop(self):
        try:
            self._run([self.pg_ctl, "-D", self.data, "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres():
    """A started :class:`PostgresServer`; a skip (or, with GLASSBOX_REQUIRE_POSTGRES=1, a failure)
    saying why when none can start."""
    try:
        return PostgresServer()
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        if os.environ.get("GLASSBOX_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"GLASSBOX_REQUIRE_POSTGRES=1 but no PostgreSQL server could start: {error}")
        pytest.skip(f"no PostgreSQL server could start: {error}")


def _postgres_load(connection, frame, table, numeric, nan):
    from psycopg import sql

    name = sql.Identifier(*table) if isinstance(table, tuple) else sql.Identifier(table)
    columns = typed_columns(frame, bools_as_integers=numeric)
    if nan:  # missing numbers as the double NaN, which PostgreSQL keeps apart from NULL
        columns = [(c, kind, [float("nan") if v is None and kind == "double" else v for v in values])
                   for c, kind, values in columns]
    connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
    connection.execute(sql.SQL("CREATE TABLE {} ({})").format(name, sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_TYPES["postgres"][kind])) for c, kind, _ in columns)))
    with connection.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(name)) as copy:
        for row in zip(*(values for _, _, values in columns)):
            copy.write_row(row)


def _postgres_run(connection, sql_text):
    cursor = connection.execute(sql_text)
    return [d.name for d in cursor.description], cursor.fetchall()


# --- ClickHouse (chDB) ---------------------------------------------------------------------------

CLICKHOUSE_MAX_QUERY_SIZE = 262144  # its default, in bytes


def _clickhouse_name(name):
    # Backslash escapes, as ClickHouse reads them (the exporter doubles quotes instead: two spellings).
    return '"' + str(name).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _clickhouse_load(session, frame, table, nan):
    columns = typed_columns(frame)
    name = ".".join(map(_clickhouse_name, table if isinstance(table, tuple) else (table,)))
    if isinstance(table, tuple):
        session.query(f"CREATE DATABASE IF NOT EXISTS {_clickhouse_name(table[0])}")
    session.query(f"DROP TABLE IF EXISTS {name}")
    # nan: number columns are plain Float64 holding NaN where a value is missing (a common
    # ClickHouse schema, NaN there being apart from NULL); otherwise every column is Nullable.
    types = [("Float64" if nan and kind == "double" else _TYPES["clickhouse"][kind]) for _, kind, _ in columns]
    session.query(f"CREATE TABLE {name} ("
                  + ", ".join(f"{_clickhouse_name(c)} {t}" for (c, _, _), t in zip(columns, types))
                  + ") ENGINE = Memory")
    if not len(frame):
        return
    # chDB's Python() reads a local DataFrame: plain column names, NaN and None as NULL.
    dtypes = {"double": "float64", "bigint": "Int64", "bool": "boolean", "text": object}
    source = pd.DataFrame({f"c{i}": pd.Series(values, dtype=dtypes[kind])
                           for i, (_, kind, values) in enumerate(columns)})
    reads = [f"ifNull(c{i}, nan)" if t == "Float64" else f"c{i}" for i, t in enumerate(types)]
    session.query(f"INSERT INTO {name} SELECT {', '.join(reads)} FROM Python(source)")


def _clickhouse_run(session, sql_text):
    # A query past ClickHouse's default max_query_size (256 KiB) must say how to raise it; do so.
    advice = re.search(r"run SET max_query_size = (\d+) first", sql_text)
    size = len(sql_text.encode("utf-8"))
    if size > CLICKHOUSE_MAX_QUERY_SIZE:
        assert advice and int(advice.group(1)) >= size, f"a {size}-byte query with no max_query_size advice"
    if advice:
        session.query(f"SET max_query_size = {advice.group(1)}")
    frame = session.query(sql_text, "DataFrame")
    rows = [tuple(_plain(v) for v in row) for row in frame.astype(object).itertuples(index=False)]
    return list(frame.columns), rows


def numeric_features(model):
    """The names of the features ``model`` reads as numbers."""
    from glassbox.distill import inspected

    return {f.name for f in inspected(model).binner_.features_ if not f.is_categorical}


def load_and_run(dialect, connection, frame, sql_text, table="data", numeric=(), nan=False):
    """Load ``frame`` as ``table`` (a name, or a ``(schema, name)`` tuple) into the engine behind
    ``connection`` (a psycopg connection or a chDB session) and run ``sql_text``: ``(names, rows)``.
    ``numeric``: the columns the model reads as numbers (:func:`numeric_features`); ``nan``: store
    missing numbers as NaN instead of NULL."""
    if dialect == "postgres":
        _postgres_load(connection, frame, table, numeric, nan)
        return _postgres_run(connection, sql_text)
    if dialect == "clickhouse":
        _clickhouse_load(connection, frame, table, nan)
        return _clickhouse_run(connection, sql_text)
    raise ValueError(dialect)
