"""matplotlib figures of glassbox models: ``glassbox.plot(model)`` and ``explanation.plot(key)``.

Every figure is drawn from an explanation's data dicts, so a plot shows exactly the numbers
``data()`` returns and ``interpret.show`` displays. Figures are built as bare
``matplotlib.figure.Figure`` objects, outside pyplot: nothing is shown, nothing has to be closed,
and ``fig.savefig(buffer, format="svg")`` embeds one in a report. ``show=True`` makes the figure
through pyplot instead and shows it. matplotlib is optional (the ``plot`` extra) and imported only
when a figure is asked for.
"""

import numbers

import numpy as np

from glassbox.explain._common import fmt, row_headline

NEGATIVE, POSITIVE, NEUTRAL = "#1f77b4", "#ff7f0e", "#808080"  # InterpretML's bar colours
HIGHLIGHT = "#fff1c2"


def require_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise ImportError(
            "glassbox's plots need matplotlib, which is not installed: "
            "pip install 'glassbox[plot]' (or pip install matplotlib)."
        ) from err


def new_figure(figsize, show=False):
    """A figure with constrained layout: through pyplot when it is to be shown, bare otherwise."""
    require_matplotlib()
    if show:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize, layout="constrained")
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


# Characters of an axis label naming one level or value: longer ones are shortened in the middle,
# so a level named by a sentence cannot squeeze the plot beside it to nothing.
MAX_LABEL = 32


def short_labels(labels, max_chars=MAX_LABEL):
    """``(labels, shortened)``: each label at most ``max_chars`` characters, a longer one cut in
    the middle with an ellipsis (its start and end usually tell levels apart) -- but kept longer
    where two distinct labels would otherwise read the same -- and whether any was cut."""
    labels = [str(label).replace("\n", " ") for label in labels]
    longest = max(map(len, labels), default=0)
    for width in range(max_chars, longest):
        out = [_shorten(label, width) for label in labels]
        if len(set(out)) == len(set(labels)):
            return out, True
    return labels, False


def _shorten(text, width):
    if len(text) <= width:
        return text
    head = width // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


def finish(fig, show):
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return fig


def plot(model, what=None, *, show=False, max_terms=20):
    """Figures of a fitted glassbox model's structure.

    Parameters
    ----------
    model : fitted glassbox estimator (a distilled model shows its student)
    what : None, int, str or "all", default=None
        None: the whole model (a GAM's term importances, a rule list, a tree). An int ``i``: the
        i-th item of ``model.explain_global()`` (a GAM term's shape function or pair heatmap, a
        rule list with rule ``i`` highlighted, a tree with the path to leaf ``i``). A GAM term's
        name (``"age"``, ``"age & income"``) picks that term. ``"all"``: a list with the whole
        model's figure followed by every item's.
    show : bool, default=False
        False: return a figure that is never shown and needs no closing. True: make it through
        pyplot and call ``plt.show()``.
    max_terms : int, default=20
        Most bars in an importance chart.

    Returns
    -------
    matplotlib.figure.Figure, or a list of them for ``what="all"``
    """
    require_matplotlib()
    explanation = model.explain_global()
    if isinstance(what, str) and what == "all":
        keys = [None] + list(range(len(explanation)))
        return [explanation.plot(key, show=show, max_terms=max_terms) for key in keys]
    if isinstance(what, str):
        names = list(explanation.selector.iloc[:, 0].astype(str)) if "Name" in explanation.selector else []
        if what not in names:
            raise ValueError(f"what={what!r} names no term of this model; expected None, an index, 'all' "
                             f"or one of {names}.")
        what = names.index(what)
    elif what is not None and not isinstance(what, numbers.Integral):
        raise TypeError(f"what must be None, an int, a term name or 'all', got {what!r}.")
    return explanation.plot(what, show=show, max_terms=max_terms)


# --- the draw callbacks of each family's explanations --------------------------------------


def draw_gam_global(explanation, key, *, show=False, max_terms=20):
    from glassbox.explain._plot_gam import term_figure

    overall = explanation.data()
    if key is None:
        return importance_figure(overall["names"], overall["scores"], explanation.name, max_terms, show)
    return term_figure(explanation.data(key), overall["link"], show)


def draw_rules(explanation, key, *, show=False, max_terms=None):
    from glassbox.explain._plot_diagrams import rules_figure

    title = explanation.name if key is None else f"{explanation.name}: rule {key}"
    return rules_figure(explanation.model, title, hit=key, show=show)


def draw_tree(explanation, key, *, show=False, max_terms=None):
    from glassbox.explain._plot_diagrams import tree_figure

    if key is None:
        return tree_figure(explanation.model, explanation.name, show=show)
    d = explanation.data(key)
    return tree_figure(explanation.model, f"leaf {d['leaf']}: {d['rule']}", path=d["path"], show=show)


def draw_local(explanation, key, *, show=False, max_terms=15):
    """One row of a local explanation: contributions (GAM), fired rule, or path."""
    from glassbox.explain._plot_diagrams import rules_figure, tree_figure

    if key is None:
        if len(explanation) != 1:
            raise ValueError(f"this local explanation has {len(explanation)} rows: pick one with "
                             "explanation.plot(i).")
        key = 0
    d = explanation.data(key)
    title = row_headline(explanation.selector.index[key], d["perf"])
    if d["type"] == "univariate":
        return contributions_figure(d, title, max_terms, show)
    if d["type"] == "rule":
        values = ", ".join(f"{k} = {fmt(v, 4)}" for k, v in d["values"].items())
        return rules_figure(explanation.model, title + (f"\n{values}" if values else ""), hit=d["fired"],
                            skipped=d["fired"], show=show)
    return tree_figure(explanation.model, title, path=d["path"], show=show)


# --- bar charts -------------------------------------------------------------------------------


def importance_figure(names, scores, title, max_terms, show):
    order = np.argsort(scores)[::-1][:max_terms][::-1]  # largest at the top
    fig = new_figure((7, 1.2 + 0.32 * len(order)), show)
    ax = fig.add_subplot()
    ax.barh(np.arange(len(order)), [scores[i] for i in order], color=NEGATIVE)
    ax.set_yticks(np.arange(len(order)), [names[i] for i in order])
    ax.set_xlabel("importance: mean absolute score over the training data")
    ax.set_title(f"{title}: term importances")
    return finish(fig, show)


def contributions_figure(d, title, max_terms, show):
    """A GAM row's account: one bar per term (largest first), the intercept in grey."""
    multiclass = np.ndim(d["scores"][0]) == 1
    k = d["perf"]["predicted"] if multiclass else None

    def pick(v):
        return float(v if k is None else v[k])

    scores = [pick(s) for s in d["scores"]]
    order = np.argsort(np.abs(scores))[::-1][:max_terms][::-1]
    labels = [d["names"][i] if _is_blank(d["values"][i]) else f"{d['names'][i]} = {fmt(d['values'][i], 4)}"
              for i in order]
    values = [scores[i] for i in order]
    colors = [POSITIVE if v > 0 else NEGATIVE for v in values]
    labels, values, colors = ["intercept"] + labels, [pick(d["extra"]["scores"][0])] + values, [NEUTRAL] + colors
    fig = new_figure((7, 1.4 + 0.32 * len(values)), show)
    ax = fig.add_subplot()
    ax.barh(np.arange(len(values)), values, color=colors)
    ax.set_yticks(np.arange(len(values)), labels)
    ax.axvline(0, color="0.3", lw=0.8)
    scale = d["link"] if k is None else f"logit of class {d['meta']['label_names'][k]!r}"
    raw = d["raw"] if k is None else d["raw"][k]
    ax.set_xlabel(f"contribution to the {scale} (total {raw:.4g})")
    ax.set_title(title)
    return finish(fig, show)


def _is_blank(value):
    """InterpretML's marker for "no single value" (a pair's row value)."""
    return isinstance(value, str) and value == ""
