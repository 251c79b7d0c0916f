"""Tree views: the tree as text and as a frame of leaves, the tree and its leaves (global
explanation) and, per row, its path (local).

The overall dict is InterpretML's tree shape: cytoscape ``nodes`` and ``edges`` with node ids
``"1"``, ``"2"``, ... in pre-order (glassbox node ``n`` is id ``n + 1``, InterpretML's numbering),
and a path is its ``decision`` list of those ids. glassbox adds each leaf's rule and values.
"""

import numpy as np
import pandas as pd
from sklearn.base import is_classifier

from glassbox._base import py_scalar
from glassbox.explain._common import local_selector, meta, perf_records, row_headline, row_index, with_actual
from glassbox.explain._html import page, span


def node_text(model, node):
    """What a node predicts: ``'yes' [no: 0.2, yes: 0.8]`` (classes and probabilities), or the mean."""
    tree = model.tree_
    if is_classifier(model):
        v = tree.value[node]
        probs = ", ".join(f"{py_scalar(c)}: {p:.3g}" for c, p in zip(model.classes_, v))
        return f"{py_scalar(model.classes_[int(np.argmax(v))])!r} [{probs}]"
    return f"{tree.value[node, 0]:.6g}"


def value_columns(model, value):
    """Node values as frame columns: ``proba_<class>`` per class, or ``value``."""
    if is_classifier(model):
        return {f"proba_{c}": value[k] for k, c in enumerate(model.classes_)}
    return {"value": value[0]}


def text(model):
    """The tree, one condition per line, with feature names and thresholds as used. Each branch
    prints what its rows satisfy given the path so far (a second split on a feature prints only
    the values still possible there)."""
    tree = model.tree_
    lines = []

    def walk(node, indent, accepted):
        if tree.feature[node] < 0:
            leaf = tree.leaves[tree.leaf_id[node]]
            lines.append(f"{indent}predict {node_text(model, node)}  "
                         f"(leaf {tree.leaf_id[node]}, n={leaf.n_samples}, weight={leaf.weight:.6g})")
            return
        branches = tree.branch_conditions(node, accepted)
        for (condition, below), child in zip(branches, (tree.children_left[node], tree.children_right[node])):
            lines.append(f"{indent}if {condition.to_text()}:")
            walk(child, indent + "    ", below)

    walk(0, "", {})
    return "\n".join(lines)


def frame(model):
    """One row per leaf: its rule, prediction, values, training weight and rows."""
    rows = []
    for i, leaf in enumerate(model.tree_.leaves):
        row = {"leaf": i, "rule": leaf.to_text(), "prediction": leaf.prediction}
        row.update(value_columns(model, leaf.value))
        row.update({"weight": leaf.weight, "n_samples": leaf.n_samples})
        rows.append(row)
    return pd.DataFrame(rows)


def local_frame(model, X, y=None):
    """The path each row takes: leaf, node ids, the leaf's rule, and the prediction (with the true
    target when ``y`` is given); indexed like X (what ``explain_local(X, y).to_frame()`` shows). The prediction is read from the leaf the path
    ends in, so it equals ``predict``."""
    tree = model.tree_
    nodes = model.apply(X)
    paths = {int(n): tree.path(n) for n in np.unique(nodes)}
    leaves = [tree.leaves[tree.leaf_id[n]] for n in nodes]
    out = pd.DataFrame({
        "leaf": tree.leaf_id[nodes],
        "path": [paths[int(n)] for n in nodes],
        "rule": [leaf.to_text() for leaf in leaves],
        "prediction": [leaf.prediction for leaf in leaves],
    }, index=X.index if isinstance(X, pd.DataFrame) else None)
    for key, column in value_columns(model, tree.value[nodes].T).items():
        out[key] = column
    return with_actual(out, y)


def node_label(model, node):
    """A node's box text: its test (internal) or its prediction (leaf), and its training rows."""
    tree = model.tree_
    if tree.feature[node] >= 0:
        head = tree.split_conditions(node)[0].to_text()
    else:
        head = f"predict {node_text(model, node)}"
    return f"{head}\nn={int(tree.n_samples[node])}"


def graph(model):
    """InterpretML's cytoscape ``(nodes, edges)``; an edge's ``label`` says whether the parent's
    test held (``yes``: left child) or not (``no``)."""
    tree = model.tree_
    names = [f.name for f in tree.features]
    total = max(int(tree.n_samples[0]), 1)
    nodes, edges = [], []
    for node in range(tree.n_nodes):
        j = int(tree.feature[node])
        nodes.append({"data": {"id": str(node + 1), "label": node_label(model, node),
                               "feature": names[j] if j >= 0 else None}})
        for child, answer in ((tree.children_left[node], "yes"), (tree.children_right[node], "no")):
            if child >= 0:
                edges.append({"data": {"source": str(node + 1), "target": str(child + 1), "label": answer,
                                       "edge_weight": tree.n_samples[child] / total * 15}})
    return nodes, edges


def global_parts(model):
    tree = model.tree_
    nodes, edges = graph(model)
    base = {"type": "tree", "features": [f.name for f in tree.features], "nodes": nodes, "edges": edges,
            **meta(model)}
    leaf_nodes = [n for n in range(tree.n_nodes) if tree.feature[n] < 0]  # leaf_id order: left to right
    specific = []
    for node in leaf_nodes:
        leaf = tree.leaves[tree.leaf_id[node]]
        path = tree.path(node)
        specific.append({**base, "leaf": int(tree.leaf_id[node]), "path": path,
                         "decision": [n + 1 for n in path], "rule": leaf.to_text(),
                         "prediction": py_scalar(leaf.prediction), "value": [float(v) for v in leaf.value],
                         "n_samples": leaf.n_samples, "weight": leaf.weight})
    selector = pd.DataFrame({
        "Leaf": range(tree.n_leaves),
        "Rule": [leaf.to_text() for leaf in tree.leaves],
        "Prediction": [py_scalar(leaf.prediction) for leaf in tree.leaves],
        "# Samples": [leaf.n_samples for leaf in tree.leaves],
    })
    from glassbox.explain import _plots

    return dict(overall=base, specific=specific, selector=selector, frame=frame(model),
                text=text(model), render=render, draw=_plots.draw_tree)


def local_parts(model, X, y):
    paths = local_frame(model, X, y)
    perf = perf_records(model, X, y)
    nodes, edges = graph(model)
    names = [f.name for f in model.tree_.features]
    specific = [{"type": "tree", "features": names, "nodes": nodes, "edges": edges, "path": list(path),
                 "decision": [n + 1 for n in path], "leaf": int(leaf), "rule": rule, "perf": perf[i], **meta(model)}
                for i, (path, leaf, rule) in enumerate(zip(paths["path"], paths["leaf"], paths["rule"]))]
    from glassbox.explain import _plots

    return dict(overall=None, specific=specific, selector=local_selector(perf, row_index(X)), frame=paths,
                text=_local_text(model, paths.index, specific), render=render, draw=_plots.draw_local)


def _local_text(model, index, specific):
    lines = []
    for label, d in zip(index, specific):
        lines.append(row_headline(label, d["perf"]))
        lines.append(f"  leaf {d['leaf']} via nodes {' -> '.join(map(str, d['path']))}: "
                     f"IF {d['rule']} THEN {node_text(model, d['path'][-1])}")
    return "\n".join(lines)


def render(explanation, key):
    """HTML: the tree as nested branches, the selected leaf's or row's path highlighted."""
    model = explanation.model
    if explanation.explanation_type == "local":
        if key is None:
            return None
        d = explanation.data(key)
        title = f"{row_headline(explanation.selector.index[key], d['perf'])}; leaf {d['leaf']}"
    elif key is None:
        return page("Tree", _branches(model, 0, set()))
    else:
        d = explanation.data(key)
        title = f"Leaf {d['leaf']}: {d['rule']}"
    return page(title, _branches(model, 0, set(d["path"])))


def _branches(model, node, path):
    tree = model.tree_

    def mark(node, html):
        return f'<span class="hit">{html}</span>' if node in path else html

    if tree.feature[node] < 0:
        leaf = tree.leaves[tree.leaf_id[node]]
        return mark(node, f"predict {span('outcome', node_text(model, node))} "
                          f"{span('support', f'(leaf {tree.leaf_id[node]}, n={leaf.n_samples})')}")
    items = []
    for child, condition in zip((tree.children_left[node], tree.children_right[node]), tree.split_conditions(node)):
        test = mark(child, "if " + span("cond", condition.to_text()) + ":")
        items.append(f"<li>{test} {_branches(model, child, path)}</li>")
    body = f"<ul>{''.join(items)}</ul>"
    return f'<div class="tree">{body}</div>' if node == 0 else body



# --- reason codes ------------------------------------------------------------------------------


def reason_gaps(model, codes, column, reference):
    """``(gaps, best, unit)`` by what-if on each feature a split reads (explain/_reasons.py)."""
    from glassbox.explain._reasons import what_if_gaps

    tree = model.tree_
    used = sorted({int(f) for f in tree.feature if f >= 0})
    return what_if_gaps(model, lambda c: tree.value[tree.apply(c)], used, codes, column, reference)
