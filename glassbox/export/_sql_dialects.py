"""What each SQL engine spells its own way; the query itself is written once (``export/_sql.py``).

A :class:`Dialect` is a small table: the types a value is read as, how a NaN becomes NULL, how
names and strings are quoted, how a double is written so the engine reads exactly that double,
and the few functions whose behaviour differs. Where an engine needs more than a spelling (exact
ratios in SQLite, guards around PostgreSQL's arithmetic errors), the reason is beside the code.

Numbers must compare and add as the very doubles the model holds:

- SQLite's reader can miss the nearest double by one unit in the last place (about one literal
  in 15,000 with SQLite 3.40), so a SQLite literal is a plain decimal only where that decimal
  *is* the double (``34.5``, ``0.25``), and otherwise an exact ratio of integers
  (``(CAST(3602879701896397 AS REAL) / 36028797018963968 /* 0.1 */)``), which every version
  computes exactly.
- DuckDB reads ``34.5`` as a DECIMAL, so its literals are written in scientific notation
  (``34.5e0``), which it reads as the nearest double.
- PostgreSQL also reads ``34.5`` as a NUMERIC, and a CASE whose branches are all NUMERIC adds
  in decimal, not in doubles; ``34.5::float8`` is the nearest double (the cast reads the decimal
  with ``strtod``).
- ClickHouse reads ``34.5`` as the nearest Float64 and spells the non-finite values ``inf``,
  ``-inf`` and ``nan``.

PostgreSQL raises "value out of range" where a double result overflows to infinity or
underflows to zero from a non-zero operand (``exp(1000)``, ``exp(-1000)``, ``5e-324 / 3``),
where NumPy and the other engines give inf or 0. Its ``exp`` and the softmax's division are
therefore guarded, giving those very values without the error.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

# Past these, exp's double result is inf (above) or 0 (below): the largest argument whose exp is
# finite and the smallest whose exp is not 0, in glibc and NumPy alike.
_EXP_MAX = 709.782712893384
_EXP_MIN = -745.1332191019411


@dataclass(frozen=True)
class Dialect:
    """How one engine spells the parts of the exported query.

    Attributes
    ----------
    name : str
        The name ``to_sql(dialect=...)`` takes.
    title : str
        The engine's name in messages and comments.
    double : str
        The type numbers are cast to. ClickHouse's is Nullable: a cast of NULL to a plain
        Float64 is an error there.
    text : str
        The type levels are cast to where they are compared as text; "" in SQLite, whose columns
        hold any type (each value keeps its own).
    nan_to_null : str
        A template (``{x}``: a number) giving NULL where the number is NaN, for engines that
        store NaN apart from NULL; "{x}" for SQLite, which stores NaN as NULL itself.
    greatest : str
        The n-ary maximum.
    materialized : str
        The hint that keeps a common table expression from being pasted into each use of its
        columns and computed again. "" in ClickHouse, where the hint is experimental (behind
        ``enable_materialized_cte``) and unneeded: each stage is read once, as a subquery, whose
        columns are computed once.
    literal : callable
        ``literal(value)``: an expression the engine reads as exactly the double ``value``.
    backslash_escapes : bool
        Whether a backslash escapes the next character inside quotes (ClickHouse).
    escape_prefix : str
        The prefix under which a string literal reads backslash escapes (PostgreSQL's ``E''``):
        a string holding a backslash is written so, whatever the server's
        ``standard_conforming_strings``, and a backslash can never end it early.
    range_errors : bool
        Whether a double result that overflows to infinity or underflows to zero is an error
        (PostgreSQL) rather than that value.
    folds_case : bool
        Whether two quoted names differing only in case name the same column.
    max_name_bytes : int
        Longer names are cut to this many bytes of UTF-8 (0: no limit).
    settings : str
        Appended to the query: settings it needs whatever the session's. ClickHouse's
        ``transform_null_in = 1`` would make ``NULL NOT IN (...)`` true, sending a missing level
        to the "unseen" branch; the query pins it to 0, the default.
    max_query_bytes : int
        The longest query the engine parses by default (0: no limit that a model reaches).
        ClickHouse's ``max_query_size`` is 256 KiB, which a GAM of many terms passes: such a
        query says in a comment how to raise it.
    """

    name: str
    title: str
    double: str
    text: str
    nan_to_null: str
    greatest: str
    materialized: str
    literal: Callable
    backslash_escapes: bool = False
    escape_prefix: str = ""
    range_errors: bool = False
    folds_case: bool = True
    max_name_bytes: int = 0
    settings: str = ""
    max_query_bytes: int = 0

    @property
    def one_type_per_column(self):
        """Whether a column holds values of one type (all but SQLite)."""
        return bool(self.text)

    def quote(self, name):
        """A quoted identifier: any name works, spaces, dashes, quotes and backslashes included."""
        name = str(name)
        if self.backslash_escapes:
            name = name.replace("\\", "\\\\")
        return '"' + name.replace('"', '""') + '"'

    def string(self, value):
        """A string literal holding exactly ``value``."""
        value, prefix = str(value), ""
        if "\\" in value and (self.backslash_escapes or self.escape_prefix):
            value, prefix = value.replace("\\", "\\\\"), self.escape_prefix
        return prefix + "'" + value.replace("'", "''") + "'"

    def key(self, name):
        """What the engine compares when it matches a name: two names of one key are one column."""
        name = name.lower() if self.folds_case else name
        return self.clip(name)

    def clip(self, name, reserve=0):
        """``name`` cut (at a character) to the bytes the engine keeps, less ``reserve``."""
        if not self.max_name_bytes:
            return name
        limit = self.max_name_bytes - reserve
        while len(name.encode("utf-8")) > limit:
            name = name[:-1]
        return name

    def exp(self, x):
        """``exp(x)`` as NumPy computes it: inf past its range, 0 below it."""
        if not self.range_errors:
            return f"exp({x})"
        return (f"CASE WHEN {x} > {self.literal(_EXP_MAX)} THEN {self.literal(float('inf'))} "
                f"WHEN {x} < {self.literal(_EXP_MIN)} THEN {self.literal(0.0)} ELSE exp({x}) END")

    def share(self, part, total):
        """``part / total`` for a softmax: 0 <= part <= 1 <= total, the result 0 where it underflows."""
        if not self.range_errors:
            return f"{part} / ({total})"
        # The quotient rounds to 0 exactly when part / total <= 2**-1075; scaled by 2**60 on both
        # sides, the comparison is exact and neither product can overflow or underflow.
        return (f"CASE WHEN {part} * {self.literal(2.0 ** 60)} <= ({total}) * {self.literal(2.0 ** -1015)} "
                f"THEN {self.literal(0.0)} ELSE {part} / ({total}) END")


def _nonfinite(value):
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


def _is_finite(value):
    return value == value and value not in (float("inf"), float("-inf"))


def _sqlite_float(value):
    if not _is_finite(value):
        return f"CAST('{_nonfinite(value)}' AS REAL)"
    text = repr(value)
    sign, digits, exponent = Decimal(text).as_tuple()
    if Decimal(value) == Decimal(text) and abs(exponent) <= 22:
        return text  # the decimal is the double itself: read exactly (and as REAL: it has a '.' or 'e')
    return _exact_ratio(value, text)


def _exact_ratio(value, text):
    """``value`` as integer arithmetic that is exact in doubles: an odd integer below 2**53 times
    or divided by powers of two, each step no larger than 2**62 (an exact INTEGER literal)."""
    numerator, denominator = value.as_integer_ratio()
    power, operator = denominator.bit_length() - 1, "/"
    if denominator == 1:
        power = (numerator & -numerator).bit_length() - 1  # trailing zero bits
        numerator >>= power
        operator = "*"
    steps = []
    while power > 0:
        step = min(power, 62)
        steps.append(f" {operator} {2 ** step}")
        power -= step
    return f"(CAST({numerator} AS REAL){''.join(steps)} /* {text} */)"


def _duckdb_float(value):
    if not _is_finite(value):
        return f"CAST('{_nonfinite(value)}' AS DOUBLE)"
    text = repr(value)
    return text if "e" in text else text + "e0"


def _postgres_float(value):
    # ``-0.0::float8`` is -(0.0::float8): the sign survives, as it would not in NUMERIC.
    return f"'{_nonfinite(value)}'::float8" if not _is_finite(value) else f"{value!r}::float8"


def _clickhouse_float(value):
    return repr(value)  # repr spells inf, -inf and nan as ClickHouse does


_DIALECTS = {
    "sqlite": Dialect("sqlite", "SQLite", double="REAL", text="", nan_to_null="{x}", greatest="max",
                      materialized="MATERIALIZED ", literal=_sqlite_float),
    "duckdb": Dialect("duckdb", "DuckDB", double="DOUBLE", text="VARCHAR",
                      nan_to_null="NULLIF({x}, CAST('NaN' AS DOUBLE))", greatest="greatest",
                      materialized="MATERIALIZED ", literal=_duckdb_float),
    # Quoted names are case-sensitive, and cut to 63 bytes (NAMEDATALEN - 1).
    "postgres": Dialect("postgres", "PostgreSQL", double="DOUBLE PRECISION", text="TEXT",
                        nan_to_null="NULLIF({x}, 'NaN'::float8)", greatest="greatest",
                        materialized="MATERIALIZED ", literal=_postgres_float, escape_prefix="E",
                        range_errors=True, folds_case=False, max_name_bytes=63),
    # NaN equals nothing in ClickHouse, NULLIF included: isNaN tests it.
    "clickhouse": Dialect("clickhouse", "ClickHouse", double="Nullable(Float64)", text="Nullable(String)",
                          nan_to_null="if(isNaN({x}), NULL, {x})", greatest="greatest", materialized="",
                          literal=_clickhouse_float, backslash_escapes=True, folds_case=False,
                          settings="SETTINGS transform_null_in = 0", max_query_bytes=262144),
}

DIALECTS = tuple(_DIALECTS)
# Other names to_sql takes for a dialect.
ALIASES = {"postgresql": "postgres"}


def dialect(name):
    """The :class:`Dialect` called ``name`` (or one of its aliases); a ValueError listing them otherwise."""
    if not isinstance(name, str) or ALIASES.get(name, name) not in _DIALECTS:
        raise ValueError(f"dialect must be one of {list(DIALECTS)}, got {name!r}.")
    return _DIALECTS[ALIASES.get(name, name)]
