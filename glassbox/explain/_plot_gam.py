"""GAM term figures: shape functions with standard-error bands over a density strip, bars for
categorical terms, heatmaps for pairs. Each is drawn from the term's explanation dict.

A continuous term is a step function over its bins, as the model evaluates it; its two unbounded
end bins are shaded (their outer edges are display only). The missing bin, when training rows
had missing values, gets its own panel (continuous) or bar (categorical): it is a score the
model uses like any other.
"""

import numpy as np

from glassbox.explain._plots import MAX_LABEL, NEGATIVE, POSITIVE, finish, new_figure, short_labels

_MAX_TICKS = 24
MAX_BARS = 40  # levels drawn for a categorical term: the most frequent, when it has more
# A categorical term's levels are columns with level labels when there are few and short ones;
# otherwise rows, one per level, where labels of any number and length (to MAX_LABEL) never meet.
_MAX_COLUMNS = 8
_COLUMN_LABEL = 10


def term_figure(d, link, show):
    if d["type"] == "interaction":
        return _heatmap(d, link, show)
    if d["feature_type"] == "continuous":
        return _shape(d, link, show)
    return _bars(d, link, show)


def _classes(d):
    """Class labels of a multiclass term (one curve each), else [None]."""
    return d["meta"]["label_names"] if np.ndim(d["scores"]) == np.ndim(d["density"]["scores"]) + 1 else [None]


def _column(values, k):
    values = np.asarray(values, dtype=np.float64)
    return values if k is None else values[..., k]


def _layout(fig, with_missing):
    grid = fig.add_gridspec(2, 2 if with_missing else 1, height_ratios=[4, 1],
                            width_ratios=[9, 1] if with_missing else [1])
    ax = fig.add_subplot(grid[0, 0])
    strip = fig.add_subplot(grid[1, 0], sharex=ax)
    ax.tick_params(labelbottom=False)
    side = (fig.add_subplot(grid[0, 1], sharey=ax), fig.add_subplot(grid[1, 1])) if with_missing else None
    return ax, strip, side


def _shape(d, link, show):
    edges = np.asarray(d["names"], dtype=np.float64)
    missing = d["missing"]
    fig = new_figure((7, 4.5), show)
    ax, strip, side = _layout(fig, missing is not None)
    classes = _classes(d)
    for i, k in enumerate(classes):
        colour, column = (NEGATIVE, None) if k is None else (f"C{i}", i)
        ax.stairs(_column(d["upper_bounds"], column), edges, baseline=_column(d["lower_bounds"], column),
                  fill=True, alpha=0.2, color=colour)
        ax.stairs(_column(d["scores"], column), edges, baseline=None, color=colour, lw=2,
                  label=None if k is None else str(k))
    if len(edges) > 2:
        for lo, hi in ((edges[0], edges[1]), (edges[-2], edges[-1])):
            ax.axvspan(lo, hi, color="0.93", zorder=0)
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_ylabel(f"score ({link})")
    ax.set_title(f"{d['term']} (bands: ± 1 standard error)")
    if classes != [None]:
        ax.legend(title="class", fontsize="small")
    weights = np.asarray(d["density"]["scores"], dtype=np.float64)
    widths = np.diff(edges)
    strip.stairs(weights / np.where(widths > 0, widths, 1), edges, fill=True, color=POSITIVE, alpha=0.6)
    strip.set_yticks([])
    strip.set_ylabel("density")
    strip.set_xlabel(d["term"])
    if side is not None:
        _missing_panel(side, missing, classes, weights.sum())
    return finish(fig, show)


def _missing_panel(side, missing, classes, value_weight):
    ax, strip = side
    score = np.atleast_1d(missing["score"])
    upper, lower = np.atleast_1d(missing["upper_bound"]), np.atleast_1d(missing["lower_bound"])
    for i, k in enumerate(classes):
        ax.errorbar([0], [score[i]], yerr=[[score[i] - lower[i]], [upper[i] - score[i]]], fmt="o",
                    color=NEGATIVE if k is None else f"C{i}", capsize=3)
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_xticks([0], ["missing"])
    ax.set_xlim(-1, 1)
    ax.tick_params(labelleft=False)
    share = missing["weight"] / (missing["weight"] + value_weight)
    strip.bar([0], [share], color=POSITIVE, alpha=0.6)
    strip.set_ylim(0, 1)
    strip.set_xticks([])
    strip.set_yticks([])
    strip.set_xlabel(f"{share:.0%}", fontsize="small")


def _bars(d, link, show):
    names = list(d["names"])
    missing = d["missing"]
    scores = [np.atleast_1d(s) for s in np.asarray(d["scores"], dtype=np.float64)]
    upper = [np.atleast_1d(s) for s in np.asarray(d["upper_bounds"], dtype=np.float64)]
    weights = list(np.asarray(d["density"]["scores"], dtype=np.float64))
    if missing is not None:
        names.append("missing")
        scores.append(np.atleast_1d(missing["score"]))
        upper.append(np.atleast_1d(missing["upper_bound"]))
        weights.append(missing["weight"])
    scores, errors = np.array(scores), np.array(upper) - np.array(scores)
    n_levels = len(names) - (missing is not None)
    title = f"{d['term']} (error bars: ± 1 standard error)"
    if n_levels > MAX_BARS:
        # Hundreds of levels would make a figure yards wide: the most frequent ones, in the
        # model's order (and the missing bar), with the rest named in the title.
        keep = np.sort(np.argsort(-np.asarray(weights[:n_levels]), kind="stable")[:MAX_BARS])
        keep = np.concatenate([keep, [n_levels]]) if missing is not None else keep
        names, scores, errors = [names[i] for i in keep], scores[keep], errors[keep]
        weights = [weights[i] for i in keep]
        title = (f"{d['term']}: the {MAX_BARS} most frequent of {n_levels} levels (error bars: ± 1 standard "
                 "error; explain_global().to_frame() lists all)")
    labels, shortened = short_labels(names)
    classes = _classes(d)
    vertical = len(labels) <= _MAX_COLUMNS and max(map(len, labels)) <= _COLUMN_LABEL
    fig, ax, strip = _bar_axes(len(labels), len(classes), max(map(len, labels)), vertical, show)
    x = np.arange(len(labels))
    width = 0.8 / len(classes)
    for i, k in enumerate(classes):
        offset = (i - (len(classes) - 1) / 2) * width
        colours = NEGATIVE if k is None else f"C{i}"
        label = None if k is None else str(k)
        if vertical:
            bars = ax.bar(x + offset, scores[:, i], width, yerr=errors[:, i], capsize=2, color=colours, label=label)
        else:
            bars = ax.barh(x + offset, scores[:, i], width, xerr=errors[:, i], capsize=2, color=colours, label=label)
        if missing is not None:
            bars[-1].set_hatch("//")
    score_label = f"score ({link})"
    if vertical:
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_ylabel(score_label)
        strip.bar(x, weights, color=POSITIVE, alpha=0.6)
        strip.set_yticks([])
        strip.set_ylabel("weight")
        strip.set_xticks(x, labels)
        strip.set_xlabel(d["term"])
    else:
        ax.axvline(0, color="0.4", lw=0.8)
        ax.locator_params(axis="x", nbins=5)  # the level labels take width: fewer, wider-spaced scores
        ax.set_xlabel(score_label)
        ax.set_yticks(x, labels)
        ax.set_ylabel(d["term"])
        ax.invert_yaxis()  # the first level at the top (the strip shares the axis)
        strip.barh(x, weights, color=POSITIVE, alpha=0.6)
        strip.set_xticks([])
        strip.set_xlabel("weight")
    ax.set_title(title)
    if classes != [None]:
        ax.legend(title="class", fontsize="small")
    if shortened:
        fig.supxlabel(f"labels longer than {MAX_LABEL} characters are shortened (…); "
                      "explain_global().to_frame() gives them in full", fontsize="small", color="0.3")
    return finish(fig, show)


def _bar_axes(n_bars, n_classes, longest, vertical, show):
    """``(figure, score axes, weight strip)`` for a categorical term, sized to its levels: columns
    as wide as their labels, or one row per level tall enough for its label."""
    if vertical:
        column = max(0.45 * n_classes**0.5, 0.2 + 0.12 * longest)  # inches: 10 pt letters, wide ones too
        fig = new_figure((max(5.0, 1.5 + column * n_bars), 4.5), show)
        ax, strip, _ = _layout(fig, False)
        return fig, ax, strip
    row = max(0.25, 0.05 * n_classes)  # inches: a 10 pt label, and every class's bar visible
    fig = new_figure((8.0, max(4.5, 2.0 + row * n_bars)), show)
    grid = fig.add_gridspec(1, 2, width_ratios=[4, 1])
    ax = fig.add_subplot(grid[0, 0])
    strip = fig.add_subplot(grid[0, 1], sharey=ax)
    strip.tick_params(labelleft=False)
    return fig, ax, strip


def _heatmap(d, link, show):
    scores = np.asarray(d["scores"], dtype=np.float64)
    classes = d["meta"]["label_names"] if scores.ndim == 3 else [None]
    fig = new_figure((5.5 * len(classes) + 1, 4.8), show)
    from matplotlib import colormaps  # after new_figure, which says how to install matplotlib

    axes = fig.subplots(1, len(classes), squeeze=False)[0]
    empty = np.asarray(d["bin_weights"]) == 0
    limit = float(np.max(np.abs(scores))) or 1.0
    cmap = colormaps["RdBu_r"].with_extremes(bad="0.85")
    for i, (ax, k) in enumerate(zip(axes, classes)):
        grid = scores if k is None else scores[:, :, i]
        # Cells with no training rows score 0 by construction: greyed out, not coloured as a score.
        shown = np.ma.masked_array(grid, mask=empty).T
        image = ax.imshow(shown, origin="lower", aspect="auto", cmap=cmap, vmin=-limit, vmax=limit)
        _ticks(ax.set_xticks, d["left_names"], rotation=45)
        _ticks(ax.set_yticks, d["right_names"])
        ax.set_xlabel(d["features"][0])
        ax.set_ylabel(d["features"][1])
        ax.set_title(d["term"] if k is None else f"{d['term']}: class {k!r}")
    fig.colorbar(image, ax=list(axes), label=f"score ({link})")
    return finish(fig, show)


def _ticks(setter, labels, rotation=0):
    labels = short_labels(labels)[0]
    step = max(1, int(np.ceil(len(labels) / _MAX_TICKS)))
    positions = np.arange(0, len(labels), step)
    if rotation:
        setter(positions, [labels[p] for p in positions], rotation=rotation, ha="right")
    else:
        setter(positions, [labels[p] for p in positions])
