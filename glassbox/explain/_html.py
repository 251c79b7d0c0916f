"""Small self-contained HTML pages: what ``visualize`` returns for rule lists and trees.

InterpretML's dashboard embeds an HTML string as it is (in an iframe), so these pages carry
their own style and load nothing from the network. Every piece of model text is escaped.
"""

from html import escape

from glassbox.explain._common import fmt

_STYLE = """
body { font-family: sans-serif; font-size: 14px; margin: 1em; color: #222; }
ol.rules { padding-left: 1.5em; } ol.rules li { margin: 0.3em 0; }
.tree ul { list-style: none; padding-left: 1.4em; border-left: 1px solid #bbb; margin: 0; }
.tree li { margin: 0.2em 0; }
.cond { font-family: monospace; }
.outcome { color: #1f5fa0; font-weight: bold; }
.support { color: #777; }
.hit { background: #fff1c2; border-radius: 3px; padding: 0 0.2em; }
.skipped { color: #999; text-decoration: line-through; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 6px; }
"""


def page(title, body):
    """A whole HTML document; ``title`` is text, ``body`` is HTML already escaped by the caller."""
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h2>{escape(title)}</h2>{body}</body></html>")


def span(css_class, text):
    return f'<span class="{css_class}">{escape(str(text))}</span>'


def values_table(values):
    """A row's values of the features an explanation mentions, as a two-column table."""
    if not values:
        return ""
    rows = "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(fmt(v))}</td></tr>" for k, v in values.items())
    return f"<table><tr><th>feature</th><th>value</th></tr>{rows}</table>"
