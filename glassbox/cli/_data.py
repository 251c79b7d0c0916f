"""Reading the command's inputs: CSV tables, column lists, the task, estimator parameters."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from glassbox.cli import CommandError

# A target with at most this many distinct integer values is read as class labels.
MAX_CLASS_LEVELS = 10


def read_csv(path, na_values=(), exempt=()):
    """The table in ``path``: text columns stay text (glassbox reads them as categorical) and
    empty cells are missing, as are cells reading one of ``na_values`` (``--na-values``: "-7"
    also matches -7.0 in a numeric column) in every column but those in ``exempt`` (a target or
    weight column, whose values are what they say)."""
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    try:
        if na_values:
            header = pd.read_csv(path, nrows=0).columns
            na_values = {c: list(na_values) for c in header if c not in exempt}
        table = pd.read_csv(path, na_values=na_values or None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise CommandError(f"cannot read {path} as CSV: {err}") from None
    if table.shape[0] == 0:
        raise CommandError(f"{path} has a header but no rows")
    return table


def columns(text):
    """``"a,b"`` -> ``["a", "b"]`` (empty text: no columns)."""
    return [c.strip() for c in text.split(",") if c.strip()]


def require_columns(table, names, path, what="column"):
    missing = [n for n in names if n not in table.columns]
    if missing:
        raise CommandError(
            f"{path} has no {what}{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}; "
            f"its columns are: {', '.join(map(str, table.columns))}"
        )


def weight_column(table, name):
    """Column ``name`` of ``table`` as row weights (a float Series); every row needs a number."""
    weight = pd.to_numeric(table[name], errors="coerce")
    if weight.isna().any():
        raise CommandError(
            f"weight column {name!r} has {int(weight.isna().sum())} empty or non-numeric cells; every row needs a "
            "number"
        )
    return weight


def choose_task(y, task, target):
    """``"classification"`` or ``"regression"``, and why (printed, so the user can override)."""
    if task != "auto":
        return task, f"--task {task}"
    values = y.dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification", f"target {target!r} is not numeric"
    distinct = np.unique(values.to_numpy())
    if len(distinct) <= MAX_CLASS_LEVELS and np.all(distinct == np.round(distinct)):
        return "classification", f"target {target!r} has {len(distinct)} distinct integer values"
    return "regression", f"target {target!r} is numeric with {len(distinct)} distinct values"


def parse_params(items, estimator):
    """``["max_depth=2", "interactions=[[\"a\",\"b\"]]"]`` -> a dict checked against ``estimator``."""
    valid = estimator.get_params(deep=False)
    params = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CommandError(f"--param needs NAME=VALUE, got {item!r}")
        if name not in valid:
            raise CommandError(
                f"{type(estimator).__name__} has no parameter {name!r}; its parameters are: {', '.join(sorted(valid))}"
            )
        try:
            params[name] = json.loads(text)
        except json.JSONDecodeError:
            params[name] = text  # plain text, e.g. --param loss=poisson
    return params
