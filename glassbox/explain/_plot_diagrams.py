"""Rule lists and trees drawn as diagrams of text boxes, for reports.

A rule list reads top to bottom: each condition box, "yes" to its outcome on the right, "no"
down to the next rule. A tree is laid out with leaves evenly spaced and each split centred over
its children; a path (a leaf's, or a row's) is highlighted. Box texts are the models' own
``to_text`` pieces, so a diagram says exactly what the printed model says.
"""

import textwrap

import numpy as np

from glassbox.explain._plots import HIGHLIGHT, NEGATIVE, finish, new_figure

_BOX = dict(boxstyle="round,pad=0.4", facecolor="white", edgecolor="0.5")
_HIT = dict(_BOX, facecolor=HIGHLIGHT, edgecolor="#e08a00", linewidth=1.5)


def _wrap(text, width):
    return "\n".join("\n".join(textwrap.wrap(line, width, break_long_words=False)) or line
                     for line in text.splitlines())


def rules_figure(model, title, *, hit=None, skipped=0, show=False):
    """The rule list; rule ``hit`` highlighted, rules before ``skipped`` greyed (did not hold)."""
    from glassbox.explain._rule_list import describe

    rules = model.rules_
    texts = []
    for r, rule in enumerate(rules):
        head = "ELSE" if not rule.conditions else ("IF " if r == 0 else "ELSE IF ") + _wrap(rule.to_text(), 60)
        texts.append((head, "THEN " + describe(model, rule)))
    heights = [1 + max(h.count("\n"), o.count("\n")) * 0.45 for h, o in texts]
    fig = new_figure((10, 1.0 + 0.55 * sum(heights)), show)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    top = sum(heights)
    ax.set_ylim(-0.3, top + 0.2)
    y = top
    centres = []
    for r, ((head, outcome), h) in enumerate(zip(texts, heights)):
        y -= h
        centre = y + h / 2
        centres.append(centre)
        box = _HIT if r == hit else _BOX
        colour = "0.6" if r < skipped else "black"
        ax.text(0.02, centre, f"{r}: {head}", va="center", ha="left", family="monospace", fontsize=9,
                color=colour, bbox=box)
        ax.annotate("", xy=(0.70, centre), xytext=(0.66, centre),
                    arrowprops=dict(arrowstyle="->", color=colour))
        if rules[r].conditions:
            ax.text(0.68, centre + 0.12, "yes", fontsize=7, color="0.4", ha="center")
        ax.text(0.71, centre, outcome, va="center", ha="left", fontsize=9, color=colour, bbox=box)
    for r in range(len(centres) - 1):
        ax.annotate("", xy=(0.01, centres[r + 1] + 0.25), xytext=(0.01, centres[r] - 0.25),
                    arrowprops=dict(arrowstyle="->", color="0.5"))
        ax.text(0.0, (centres[r] + centres[r + 1]) / 2, "no", fontsize=7, color="0.4", ha="right", va="center")
    ax.set_title(title)
    return finish(fig, show)


def tree_layout(tree):
    """``(x, depth)`` of every node: leaves at 0, 1, 2, ... left to right; a split over the middle
    of its children."""
    x = np.zeros(tree.n_nodes)
    depth = np.zeros(tree.n_nodes, dtype=int)
    next_leaf = [0]

    def place(node, d):
        depth[node] = d
        left, right = tree.children_left[node], tree.children_right[node]
        if left < 0:
            x[node] = next_leaf[0]
            next_leaf[0] += 1
            return
        place(left, d + 1)
        place(right, d + 1)
        x[node] = (x[left] + x[right]) / 2

    place(0, 0)
    return x, depth


def tree_figure(model, title, *, path=(), show=False):
    """The tree with the nodes and edges of ``path`` (node ids from the root) highlighted."""
    from glassbox.explain._tree import node_label

    tree = model.tree_
    x, depth = tree_layout(tree)
    n_leaves, max_depth = int(x.max()) + 1, int(depth.max())
    fig = new_figure((max(6.0, 2.4 * n_leaves), 1.2 + 1.7 * (max_depth + 1)), show)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(-0.7, n_leaves - 0.3)
    ax.set_ylim(-max_depth - 0.6, 0.6)
    on_path = set(path)
    for node in range(tree.n_nodes):
        for child, answer in ((tree.children_left[node], "yes"), (tree.children_right[node], "no")):
            if child < 0:
                continue
            lit = node in on_path and child in on_path
            ax.plot([x[node], x[child]], [-depth[node], -depth[child]], color="#e08a00" if lit else "0.6",
                    lw=2.5 if lit else 1, zorder=1)
            ax.text((x[node] + x[child]) / 2, -(depth[node] + depth[child]) / 2, answer, fontsize=8,
                    color="0.3", ha="center", va="center", backgroundcolor="white", zorder=2)
    for node in range(tree.n_nodes):
        leaf = tree.feature[node] < 0
        ax.text(x[node], -depth[node], _wrap(node_label(model, node), 28), ha="center", va="center", fontsize=8,
                color=NEGATIVE if leaf else "black", bbox=_HIT if node in on_path else _BOX, zorder=3)
    ax.set_title(title)
    return finish(fig, show)
