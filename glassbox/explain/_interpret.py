"""What ``visualize`` returns for InterpretML's dashboard.

GAM terms, importances and contributions are drawn by InterpretML's own plotting functions
(``interpret.visual.plot``, the ones its EBM explanations use), so ``interpret.show`` shows a
glassbox GAM exactly as it shows an EBM. Those functions need plotly, which InterpretML's
dashboard needs anyway; it is imported only here, when a figure is asked for. Rule lists and
trees are HTML strings (see ``_html``), which the dashboard embeds as they are.
"""

import importlib
from html import escape

import numpy as np
import pandas as pd

from glassbox.explain._html import page

TOP_N = 15  # bars in an importance or contribution chart, InterpretML's choice


def interpret_plots():
    """``interpret.visual.plot``, or an ImportError saying how to get plotly."""
    try:
        plot = importlib.import_module("interpret.visual.plot")
    except ImportError as err:
        raise ImportError(
            "visualize() draws GAM explanations with InterpretML's plotly charts, and plotly is not "
            f"installed ({err}). Install it with `pip install plotly`, or draw a static figure "
            "with explanation.plot() (matplotlib)."
        ) from err
    return plot


def render_gam(explanation, key):
    if explanation.explanation_type == "local":
        return None if key is None else _local(explanation.data(key))
    if key is None:
        return _importances(explanation.data())
    d = explanation.data(key)
    if d["type"] == "interaction":
        return _pair(d)
    return _main_effect(d)


def _importances(overall):
    plots = interpret_plots()
    order = np.argsort(overall["scores"])[::-1][:TOP_N][::-1]  # largest at the top
    data = {"names": [overall["names"][i] for i in order], "scores": [overall["scores"][i] for i in order]}
    return plots.plot_horizontal_bar(data, title="Term importances", start_zero=True,
                                     xtitle="Mean absolute score (weighted)")


def _main_effect(d):
    plots = interpret_plots()
    multiclass = np.ndim(d["scores"]) == 2
    title = f"Term: {d['term']} ({d['feature_type']})"
    if d["feature_type"] == "continuous":
        if d["missing"] is not None:
            title += f"; missing: {_short(d['missing']['score'])}"
        return plots.plot_continuous_bar(d, multiclass=multiclass, show_error=not multiclass, title=title,
                                         xtitle=d["term"])
    # Categorical: the missing bin is one more bar.
    extra = [d["missing"]] if d["missing"] is not None else []
    names = d["names"] + ["missing"] * len(extra)
    scores = np.concatenate([d["scores"], [np.asarray(m["score"]) for m in extra]]) if extra else d["scores"]
    upper = (np.concatenate([d["upper_bounds"], [np.asarray(m["upper_bound"]) for m in extra]])
             if extra else d["upper_bounds"])
    weights = list(d["density"]["scores"]) + [m["weight"] for m in extra]
    data = {**d, "names": names, "scores": scores, "upper_bounds": upper,
            "density": {"names": names, "scores": weights}}
    return plots.plot_bar(data, title=title, xtitle=d["term"])


def _pair(d):
    if np.ndim(d["scores"]) == 3:  # InterpretML's heatmap has one score per cell: tabulate instead
        frames = []
        for k, label in enumerate(d["meta"]["label_names"]):
            frame = pd.DataFrame(d["scores"][:, :, k], index=d["left_names"], columns=d["right_names"])
            frames.append(f"<h3>class {escape(str(label))}</h3>" + frame.to_html(float_format=lambda v: f"{v:.4g}"))
        axes = f"<p>rows: {escape(d['features'][0])}, columns: {escape(d['features'][1])}</p>"
        return page(f"Term: {d['term']} (interaction, one table per class)", axes + "".join(frames))
    plots = interpret_plots()
    return plots.plot_pairwise_heatmap(d, title=f"Term: {d['term']} (interaction)", xtitle=d["features"][0],
                                       ytitle=d["features"][1])


def _local(d):
    plots = interpret_plots()
    multiclass = np.ndim(d["scores"][0]) == 1
    k = d["perf"]["predicted"] if multiclass else None
    size = [abs(float(s if k is None else s[k])) for s in d["scores"]]
    order = np.argsort(size)[::-1][:TOP_N][::-1]
    data = {**d}
    for field in ("names", "scores", "values"):
        data[field] = [d[field][i] for i in order]
    figure = plots.plot_horizontal_bar(data, multiclass=multiclass)
    figure.update_layout(xaxis_title=f"Contribution to the {d['link']}")
    return figure


def _short(value):
    return ", ".join(f"{v:.3g}" for v in value) if isinstance(value, list) else f"{value:.3g}"
