"""A self-contained HTML report of fitted glassbox models: structure, plots, importance, summary.

One page, no network and no script needed to view it: styles are inline, figures are inline SVG
(matplotlib writes glyphs as paths), tables are plain HTML. What it shows is read from the same
fitted structure that predicts: ``to_text()``, ``to_frame()``, ``plot()`` and the model file's
training summary.
"""

import datetime
import html
import io
from pathlib import Path

import numpy as np

from glassbox._version import __version__

# Tables longer than this are cut in the page (the model file and to_frame() hold them all).
MAX_TABLE_ROWS = 400
# A GAM's report shows this many term figures, the most important first.
MAX_TERM_FIGURES = 30
# Structure text longer than this many lines starts folded (a <details> the reader opens).
MAX_OPEN_TEXT_LINES = 300

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; color: #1d2330; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #dde3ee; }
h3 { margin-top: 1.6rem; } .muted { color: #5b6578; font-size: .9rem; }
pre { background: #f5f7fb; border: 1px solid #dde3ee; padding: .8rem 1rem; overflow-x: auto; font-size: .85rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #dde3ee; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #eef2f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
nav a { margin-right: 1rem; } details summary { cursor: pointer; color: #2d5fa8; }
"""


def write_report(models, path):
    """Write the report of ``models`` (fitted estimators, or ``(title, model)`` pairs) to ``path``."""
    Path(path).write_text(render_report(models), encoding="utf-8")


def render_report(models):
    """The report of ``models`` (fitted estimators, or ``(title, model)`` pairs) as an HTML string."""
    items = [m if isinstance(m, tuple) else (type(m).__name__, m) for m in models]
    if not items:
        raise ValueError("a report needs at least one fitted model")
    sections, links = [], []
    for i, (title, model) in enumerate(items):
        anchor = f"model-{i + 1}"
        links.append(f'<a href="#{anchor}">{_e(title)}</a>')
        sections.append(_model_section(anchor, title, model))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>glassbox report</title><style>{_CSS}</style></head><body>"
        f"<h1>glassbox report</h1><p class=\"muted\">{len(items)} model{'s' if len(items) > 1 else ''}; "
        f"written by glassbox {_e(__version__)} on {stamp}.</p>"
        + (f"<nav>{''.join(links)}</nav>" if len(items) > 1 else "")
        + "".join(sections) + "</body></html>\n"
    )


def _model_section(anchor, title, model):
    from glassbox.distill import inspected as shown
    from glassbox.export import to_dict

    inspected = shown(model)
    data = to_dict(model)
    parts = [f'<section id="{anchor}"><h2>{_e(title)}</h2>',
             f"<p class=\"muted\">{_e(type(model).__name__)}"
             + (f" (student: {_e(type(inspected).__name__)})" if inspected is not model else "") + "</p>",
             "<h3>Summary</h3>", _key_values(_summary(model, inspected, data))]
    distillation = data.get("distillation")
    if distillation and distillation.get("fidelity"):
        parts += ["<h3>Fidelity to the teacher</h3>", _fidelity_table(distillation["fidelity"])]
    figures = _figures(model)
    if figures:
        parts.append("<h3>Plots</h3>")
        parts += [f"<figure>{svg}</figure>" for svg in figures]
    text = inspected.to_text()
    n_lines = text.count("\n") + 1
    parts.append("<h3>Structure</h3>")
    if n_lines <= MAX_OPEN_TEXT_LINES:
        parts.append(f"<pre>{_e(text)}</pre>")
    else:  # a GAM's pair tables run to thousands of lines: folded, so the page stays readable
        parts.append(f"<details><summary>Structure as text: {n_lines} lines</summary><pre>{_e(text)}</pre></details>")
    frame = inspected.to_frame()
    shown = frame.head(MAX_TABLE_ROWS)
    note = f" (first {MAX_TABLE_ROWS} of {len(frame)})" if len(frame) > MAX_TABLE_ROWS else ""
    parts.append(f"<details><summary>Structure as a table: {len(frame)} rows{note}</summary>"
                 f"{_frame_table(shown)}</details>")
    parts.append("</section>")
    return "".join(parts)


def _summary(model, inspected, data):
    from glassbox._families import model_size

    rows = [("features", ", ".join(str(n) for n in data.get("feature_names_in") or [])
             or f"{data.get('n_features_in')} unnamed columns")]
    if data.get("classes") is not None:
        rows.append(("classes", ", ".join(str(c) for c in getattr(inspected, "classes_", []))))
    rows += [(f"size ({k})", v) for k, v in model_size(inspected).items()]
    for key, value in (data.get("training") or {}).items():
        rows.append((key.replace("_", " "), value))
    params = data.get("params") or {}
    rows.append(("parameters", ", ".join(f"{k}={v!r}" for k, v in sorted(params.items()))))
    return rows


def _figures(model):
    """The model's figures as inline SVG (none when matplotlib is not installed)."""
    try:
        import matplotlib  # noqa: F401  (figures are bare Figures: no pyplot, no backend, no closing)
    except ImportError:
        return []
    from glassbox.distill import inspected as shown

    inspected = shown(model)
    made = [inspected.plot()]  # the whole model: a GAM's importances, the rule list, the tree
    if hasattr(inspected, "terms_"):
        # Then each GAM term's shape (or pair heatmap), the most important first.
        explanation = inspected.explain_global()
        order = np.argsort([-t.importance() for t in inspected.terms_], kind="stable")[:MAX_TERM_FIGURES]
        made += [explanation.plot(int(i)) for i in order]
    out = []
    for figure in made:
        buffer = io.StringIO()
        # No date or creator: the same model gives the same figure, and no RDF block of URLs.
        figure.savefig(buffer, format="svg", bbox_inches="tight",
                       metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
        svg = buffer.getvalue()
        out.append(svg[svg.index("<svg"):])  # drop the XML prolog and DOCTYPE: inline SVG needs neither
    return out


def _fidelity_table(fidelity):
    splits = fidelity.get("splits", {})
    metrics = sorted({k for values in splits.values() for k in values})
    head = "".join(f"<th>{_e(s)}</th>" for s in splits)
    body = "".join(
        f"<tr><th>{_e(m)}</th>" + "".join(f"<td class=\"num\">{_fmt(splits[s].get(m, ''))}</td>" for s in splits) + "</tr>"
        for m in metrics
    )
    return f"<table><tr><th>metric</th>{head}</tr>{body}</table>"


def _key_values(rows):
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_fmt(v)}</td></tr>" for k, v in rows) + "</table>"


def _frame_table(frame):
    head = "".join(f"<th>{_e(c)}</th>" for c in map(_column_name, frame.columns))
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = "".join(
            f"<td class=\"num\">{_fmt(v)}</td>" if isinstance(v, (int, float)) and not isinstance(v, bool)
            else f"<td>{_fmt(v)}</td>" for v in values
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _column_name(column):
    return " / ".join(map(str, column)) if isinstance(column, tuple) else str(column)


def _fmt(value):
    if isinstance(value, float):
        return _e(f"{value:.6g}")
    if isinstance(value, dict):
        return _e(", ".join(f"{k}={_plain(v)}" for k, v in value.items()))
    return _e(_plain(value))


def _plain(value):
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _e(text):
    return html.escape(str(text), quote=True)
