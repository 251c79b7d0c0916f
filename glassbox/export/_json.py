"""The model file's JSON text: written deterministically, read strictly.

Writing: the same data always gives the same bytes (keys in the order given, no timestamps),
objects indented one key a line and lists of plain values kept on one line, so a person can read
and diff the file. Floats are written by ``repr`` (the shortest text that reads back as the same
float), so saved tables round-trip bit for bit. NaN and infinities have no JSON form: they are
refused with the path of the field rather than written as invalid JSON.

Reading: only standard JSON. ``NaN``/``Infinity`` tokens, duplicate keys, bad UTF-8, truncation
and nesting too deep to parse all become :class:`ModelFileError`.
"""

import json
import math

from glassbox.export._fields import ModelFileError

_INDENT = "  "


def dumps(data):
    """``data`` (dicts, lists, str, int, float, bool, None) as the file's text."""
    lines = []
    _write(data, "model", 0, lines, prefix="")
    return "\n".join(lines) + "\n"


def _scalar(value, path):
    if value is None or isinstance(value, (bool, str, int)):
        return json.dumps(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(
                f"cannot save field '{path}': it holds {value!r}, and JSON has no NaN or infinity. "
                "The model's fitted values should all be finite; refit it on finite data."
            )
        return repr(value)
    raise TypeError(f"cannot save field '{path}': a {type(value).__name__} has no JSON form")


def _is_container(value):
    return isinstance(value, (dict, list))


def _write(value, path, depth, lines, prefix):
    pad = _INDENT * depth
    if isinstance(value, dict):
        if not value:
            lines.append(f"{pad}{prefix}{{}}")
            return
        lines.append(f"{pad}{prefix}{{")
        items = list(value.items())
        for i, (key, item) in enumerate(items):
            if not isinstance(key, str):
                raise TypeError(f"cannot save field '{path}': key {key!r} is not a string")
            _write(item, f"{path}.{key}", depth + 1, lines, prefix=f"{json.dumps(key)}: ")
            if i < len(items) - 1:
                lines[-1] += ","
        lines.append(f"{pad}}}")
    elif isinstance(value, list) and any(_is_container(v) for v in value):
        lines.append(f"{pad}{prefix}[")
        for i, item in enumerate(value):
            _write(item, f"{path}[{i}]", depth + 1, lines, prefix="")
            if i < len(value) - 1:
                lines[-1] += ","
        lines.append(f"{pad}]")
    elif isinstance(value, list):
        lines.append(f"{pad}{prefix}[{', '.join(_scalar(v, f'{path}[{i}]') for i, v in enumerate(value))}]")
    else:
        lines.append(f"{pad}{prefix}{_scalar(value, path)}")


def loads(raw):
    """Parse a model file's bytes (or text) as strict JSON; any failure is a ModelFileError."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ModelFileError(f"the model file is not UTF-8 text ({err}); is it a glassbox model file?") from None
    try:
        return json.loads(raw, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except ModelFileError:
        raise
    except RecursionError:
        raise ModelFileError("the model file nests too deeply to be a glassbox model file") from None
    except ValueError as err:  # json.JSONDecodeError, and integers too long to convert
        hint = " (the file looks truncated)" if "Expecting" in str(err) or "Unterminated" in str(err) else ""
        raise ModelFileError(f"the model file is not valid JSON{hint}: {err}") from None


def _refuse_constant(name):
    raise ModelFileError(
        f"the model file holds {name}, which is not a JSON number; glassbox never writes one, "
        "so the file was edited or written by another tool"
    )


def _unique_keys(pairs):
    data = {}
    for key, value in pairs:
        if key in data:
            raise ModelFileError(f"the model file repeats the key {key!r} in one object")
        data[key] = value
    return data
