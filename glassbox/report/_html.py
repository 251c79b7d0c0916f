"""The report's HTML pieces: escaping, number formatting, tables, inline SVG figures.

Every piece of model or data text goes through :func:`e`; numbers are printed with six
significant digits, and a value that could not be computed prints as its reason
(:class:`NotAvailable`), never as a blank or a NaN.
"""

import html
import io
from dataclasses import dataclass


@dataclass(frozen=True)
class NotAvailable:
    """A metric that cannot be computed on these rows, and why (``"one class"``)."""

    reason: str

    def __str__(self):
        return f"n/a: {self.reason}"

    def __float__(self):
        return float("nan")


def e(text):
    """``text`` escaped for HTML (quotes too, so it is safe in attributes)."""
    return html.escape(str(text), quote=True)


def fmt(value, digits=6):
    """A cell's text, escaped: floats to ``digits`` significant digits, dicts as ``k=v`` lists."""
    if isinstance(value, float):
        return e(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return e(", ".join(f"{k}={plain(v)}" for k, v in value.items()))
    return e(plain(value))


def plain(value):
    return f"{value:.6g}" if isinstance(value, float) else str(value)


class Share(float):
    """A share shown as a percentage (``0.0312`` shows as ``3.1%``)."""

    def __str__(self):
        return f"{100 * self:.1f}%"


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def key_values(rows, digits=6):
    """A two-column table of ``(name, value)`` rows."""
    return "<table>" + "".join(f"<tr><th>{e(k)}</th>{cell(v, digits)}</tr>" for k, v in rows) + "</table>"


def cell(value, digits=6):
    """One ``<td>``: numbers right-aligned, an unavailable value greyed with its reason."""
    if isinstance(value, NotAvailable):
        return f'<td class="na">{e(value)}</td>'
    if isinstance(value, Share):
        return f'<td class="num">{e(value)}</td>'
    return f'<td class="num">{fmt(value, digits)}</td>' if is_number(value) else f"<td>{fmt(value)}</td>"


def frame_table(frame, css_class=None, digits=6):
    """A DataFrame as a table (its index is not shown)."""
    head = "".join(f"<th>{e(c)}</th>" for c in map(_column_name, frame.columns))
    rows = "".join("<tr>" + "".join(cell(v, digits) for v in values) + "</tr>"
                   for values in frame.itertuples(index=False, name=None))
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<table{attribute}><tr>{head}</tr>{rows}</table>"


def _column_name(column):
    return " / ".join(map(str, column)) if isinstance(column, tuple) else str(column)


def svg(figure):
    """A matplotlib figure as inline SVG markup (glyphs as paths: no font needed to view it)."""
    buffer = io.StringIO()
    # No date or creator: the same model gives the same figure, and no RDF block of URLs.
    figure.savefig(buffer, format="svg", bbox_inches="tight",
                   metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: inline SVG needs neither
