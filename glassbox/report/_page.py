"""The report page: per model its summary, certificate and budget notes, fidelity, figures,
structure, and (given hold-out data) its validation.

One page, no network and no script needed to view it: styles are inline, figures are inline SVG
(matplotlib writes glyphs as paths), tables are plain HTML. What it shows is read from the same
fitted structure that predicts: ``to_text()``, ``to_frame()``, ``plot()`` and the model file's
training summary; the validation comes from :func:`~glassbox.report.validate`.
"""

import datetime
from pathlib import Path

import numpy as np

from glassbox._base import py_scalar
from glassbox._version import __version__
from glassbox.report._html import e, fmt, frame_table, key_values, svg
from glassbox.report._scorecard import has_scorecard, scorecard_section

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
h3 { margin-top: 1.6rem; } h4 { margin: 1.2rem 0 .4rem; } h5 { margin: 1rem 0 .2rem; font-size: .95rem; }
.muted { color: #5b6578; font-size: .9rem; }
pre { background: #f5f7fb; border: 1px solid #dde3ee; padding: .8rem 1rem; overflow-x: auto; font-size: .85rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #dde3ee; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #eef2f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.na { color: #8a93a6; font-style: italic; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
figure.roc svg, figure.reliability svg { width: 440px; }
div.beside { display: flex; flex-wrap: wrap; gap: 1rem 2.5rem; align-items: flex-start; }
div.beside figure { margin: .5rem 0; }
ul.notes li { margin: .3rem 0; }
div.wide { overflow-x: auto; }
nav a { margin-right: 1rem; } details summary { cursor: pointer; color: #2d5fa8; }
"""


def write_report(models, path, *, X=None, y=None, sample_weight=None, segments=None):
    """Write the report of ``models`` to ``path`` (UTF-8 HTML); see :func:`render_report`.

    Parameters
    ----------
    models : list of fitted estimators or of ``(title, model)`` pairs
    path : str or Path
    X, y, sample_weight, segments
        Hold-out data: as in :func:`render_report`.
    """
    page = render_report(models, X=X, y=y, sample_weight=sample_weight, segments=segments)
    Path(path).write_text(page, encoding="utf-8")


def render_report(models, *, X=None, y=None, sample_weight=None, segments=None):
    """The report of ``models`` as one self-contained HTML page.

    Per model: a summary (features, classes and the event class, size, the model file's training
    block, parameters), notes on what its search certified and what its budget cut, the fidelity
    report of a distilled model, figures of its structure, and the structure as text and table.
    Given hold-out data, each model also gets a validation section (:func:`validate`):
    discrimination (AUC, Gini, KS, ROC curve; multiclass one-vs-rest AUCs, log loss, accuracy;
    regression R², RMSE, MAE and a Poisson or gamma GAM's deviance), calibration (Brier score,
    reliability plot, table by decile of the prediction), the data profile against the model's
    training bins (missing shares, unseen levels, edge bins, PSI) and the same metrics per
    segment.

    Parameters
    ----------
    models : list of fitted estimators or of ``(title, model)`` pairs
        An estimator's title is its class name.
    X : DataFrame or array of shape (n_samples, n_features), default=None
        Hold-out rows, not used to fit the models. A DataFrame may hold more columns than a model
        uses (each model takes its own by name), such as the segment columns.
    y : array-like of shape (n_samples,), default=None
        The hold-out target; required with X.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights for the validation metrics.
    segments : str, list of str, dict or DataFrame, default=None
        Columns of X (or ``{name: values}``) to break the validation down by; see :func:`validate`.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        No model; X without y (or y without X); hold-out data a model cannot be validated on
        (see :func:`validate`).

    Examples
    --------
    >>> from glassbox.report import write_report
    >>> write_report([("credit GAM", gam)], "report.html", X=X_test, y=y_test,
    ...              segments=["sex"])                              # doctest: +SKIP
    """
    items = [m if isinstance(m, tuple) else (type(m).__name__, m) for m in models]
    if not items:
        raise ValueError("a report needs at least one fitted model")
    if (X is None) != (y is None):
        raise ValueError("a validation needs both the hold-out rows X and their target y")
    if X is None and (sample_weight is not None or segments is not None):
        raise ValueError("sample_weight and segments apply to the validation: give the hold-out X and y too")
    validations = None
    if X is not None:
        from glassbox.report._validation import validate

        validations = []
        for title, model in items:
            try:
                validations.append(validate(model, X, y, sample_weight=sample_weight, segments=segments))
            except ValueError as err:  # several models: say which one cannot take the data
                raise ValueError(f"{title}: {err}") from None
    sections, links = [], []
    for i, (title, model) in enumerate(items):
        anchor = f"model-{i + 1}"
        links.append(f'<a href="#{anchor}">{e(title)}</a>')
        sections.append(_model_section(anchor, title, model, None if validations is None else validations[i],
                                       X, y, sample_weight))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    validated = f" validated on {validations[0].n_rows} hold-out rows" if validations else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>glassbox report</title><style>{_CSS}</style></head><body>"
        f"<h1>glassbox report</h1><p class=\"muted\">{len(items)} model{'s' if len(items) > 1 else ''}{validated}; "
        f"written by glassbox {e(__version__)} on {stamp}.</p>"
        + (f"<nav>{''.join(links)}</nav>" if len(items) > 1 else "")
        + "".join(sections) + "</body></html>\n"
    )


def _model_section(anchor, title, model, validation, X=None, y=None, sample_weight=None):
    from glassbox.distill import inspected as shown
    from glassbox.export import to_dict
    from glassbox.report._notes import model_notes

    inspected = shown(model)
    data = to_dict(model)
    parts = [f'<section id="{anchor}"><h2>{e(title)}</h2>',
             f"<p class=\"muted\">{e(type(model).__name__)}"
             + (f" (student: {e(type(inspected).__name__)})" if inspected is not model else "") + "</p>",
             "<h3>Summary</h3>", key_values(_summary(model, inspected, data))]
    notes = model_notes(inspected)
    if notes:
        parts += ["<h3>Certificate and budget</h3>", "<ul class=\"notes\">",
                  *(f"<li>{e(note)}</li>" for note in notes), "</ul>"]
    distillation = data.get("distillation")
    if distillation and distillation.get("fidelity"):
        parts += ["<h3>Fidelity to the teacher</h3>", _fidelity_table(distillation["fidelity"])]
    if validation is not None:
        from glassbox.report._validation_html import validation_section

        parts.append(validation_section(f"{anchor}-validation", validation, figures=_has_matplotlib()))
    if has_scorecard(inspected):
        from glassbox.report._holdout import holdout

        rows = holdout(inspected, X, y, sample_weight) if X is not None else None
        parts.append(scorecard_section(inspected, None if rows is None else rows.X, None if rows is None else rows.y,
                                       rows.weight if rows is not None and rows.weighted else None))
    figures = _figures(model)
    if figures:
        parts.append("<h3>Plots</h3>")
        parts += [f"<figure>{picture}</figure>" for picture in figures]
    text = inspected.to_text()
    n_lines = text.count("\n") + 1
    parts.append("<h3>Structure</h3>")
    if n_lines <= MAX_OPEN_TEXT_LINES:
        parts.append(f"<pre>{e(text)}</pre>")
    else:  # a GAM's pair tables run to thousands of lines: folded, so the page stays readable
        parts.append(f"<details><summary>Structure as text: {n_lines} lines</summary><pre>{e(text)}</pre></details>")
    frame = inspected.to_frame()
    note = f" (first {MAX_TABLE_ROWS} of {len(frame)})" if len(frame) > MAX_TABLE_ROWS else ""
    parts.append(f"<details><summary>Structure as a table: {len(frame)} rows{note}</summary>"
                 f"{frame_table(frame.head(MAX_TABLE_ROWS))}</details>")
    parts.append("</section>")
    return "".join(parts)


def _summary(model, inspected, data):
    from glassbox._families import model_size
    from glassbox.report._validation import event_class

    rows = [("features", ", ".join(str(n) for n in data.get("feature_names_in") or [])
             or f"{data.get('n_features_in')} unnamed columns")]
    if data.get("classes") is not None:
        classes = list(getattr(inspected, "classes_", []))
        rows.append(("classes", ", ".join(str(c) for c in classes)))
        if len(classes) == 2:
            event = event_class(model)
            rows.append(("event class", f"{py_scalar(event)!r}: predict_proba(X)[:, {classes.index(event)}]; "
                                        "probabilities, AUC, KS and calibration are about this class"))
    rows += [(f"size ({k})", v) for k, v in model_size(inspected).items()]
    for key, value in (data.get("training") or {}).items():
        rows.append((key.replace("_", " "), value))
    params = data.get("params") or {}
    rows.append(("parameters", ", ".join(f"{k}={v!r}" for k, v in sorted(params.items()))))
    return rows


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401  (figures are bare Figures: no pyplot, no backend, no closing)
    except ImportError:
        return False
    return True


def _figures(model):
    """The model's figures as inline SVG (none when matplotlib is not installed)."""
    if not _has_matplotlib():
        return []
    from glassbox.distill import inspected as shown

    inspected = shown(model)
    made = [inspected.plot()]  # the whole model: a GAM's importances, the rule list, the tree
    if hasattr(inspected, "terms_"):
        # Then each GAM term's shape (or pair heatmap), the most important first.
        explanation = inspected.explain_global()
        order = np.argsort([-t.importance() for t in inspected.terms_], kind="stable")[:MAX_TERM_FIGURES]
        made += [explanation.plot(int(i)) for i in order]
    return [svg(figure) for figure in made]


def _fidelity_table(fidelity):
    splits = fidelity.get("splits", {})
    metrics = sorted({k for values in splits.values() for k in values})
    head = "".join(f"<th>{e(s)}</th>" for s in splits)
    body = "".join(
        f"<tr><th>{e(m)}</th>" + "".join(f"<td class=\"num\">{fmt(splits[s].get(m, ''))}</td>" for s in splits) + "</tr>"
        for m in metrics
    )
    return f"<table><tr><th>metric</th>{head}</tr>{body}</table>"
