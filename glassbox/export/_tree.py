"""A shallow tree's exports: its part of a model file (its nodes in pre-order, each split as the
bin codes that go left) and its code plan (nested splits).

``left_codes`` is ``Tree.goes_left`` written as the list of codes that go left, which is what
prediction reads; the threshold and the missing direction are written beside it for people and
other tools, and loading checks they agree with it. The leaves' rules are not written: they are
rebuilt from the paths exactly as fitting builds them.
"""

import numpy as np

from glassbox.export._codegen import DecisionPlan, Split, codes_test, labels, outputs
from glassbox.export._targets import values_from_json
from glassbox.tree import Tree

NODE_KEYS = ("feature", "threshold", "missing_left", "left_codes", "children_left", "children_right",
             "value", "weight", "n_samples")


def structure_to_dict(model):
    tree = model.tree_
    nodes = []
    for i in range(tree.n_nodes):
        inner = tree.feature[i] >= 0
        nodes.append({
            "feature": int(tree.feature[i]),
            "threshold": float(tree.threshold[i]) if inner and np.isfinite(tree.threshold[i]) else None,
            "missing_left": bool(tree.missing_left[i]),
            "left_codes": np.flatnonzero(tree.goes_left[i]).tolist() if inner else [],
            "children_left": int(tree.children_left[i]),
            "children_right": int(tree.children_right[i]),
            "value": tree.value[i].tolist(),
            "weight": float(tree.weight[i]),
            "n_samples": int(tree.n_samples[i]),
        })
    return {"nodes": nodes, "monotonic_cst": model.monotonic_cst_.tolist(),
            "candidate_features": model.candidate_features_.tolist()}


def training_to_dict(model):
    return {
        "total_weight": float(model.tree_.weight[0]),
        "objective": float(model.objective_),
        "optimal": bool(model.optimal_),
        "lower_bound": float(model.lower_bound_),
        "fit_time": float(model.fit_time_),
    }


def restore(model, structure, training, version):
    """Set ``tree_``, ``monotonic_cst_`` and the search's attributes on ``model`` (binner_,
    classes_ and the parameters already set) from the validated file of format ``version``."""
    structure.only("nodes", "monotonic_cst", *(("candidate_features",) if version >= 7 else ()))
    training.only("n_rows", "total_weight", "objective", "optimal", *(("lower_bound",) if version >= 7 else ()),
                  "fit_time")
    features = model.binner_.features_
    items = structure.objs("nodes")
    if not items:
        structure.fail("nodes", "a tree has at least its root")
    n = len(items)
    n_outputs = len(model.classes_) if hasattr(model, "classes_") else 1
    feature = np.full(n, -1, dtype=np.intp)
    threshold = np.full(n, np.nan)
    missing_left = np.zeros(n, dtype=bool)
    goes_left = np.zeros((n, max(f.n_codes for f in features)), dtype=bool)
    children = np.full((2, n), -1, dtype=np.intp)
    value = np.zeros((n, n_outputs))
    weight = np.zeros(n)
    n_samples = np.zeros(n, dtype=np.intp)
    for i, item in enumerate(items):
        item.only(*NODE_KEYS)
        feature[i] = item.int("feature", -1, len(features) - 1)
        children[0, i] = item.int("children_left", -1, n - 1)
        children[1, i] = item.int("children_right", -1, n - 1)
        value[i] = values_from_json(item, "value", model)
        weight[i] = item.float("weight", lo=0.0)
        n_samples[i] = item.int("n_samples", lo=0)
        if feature[i] < 0:
            _check_leaf(item, children[:, i])
        elif (children[:, i] < 0).any():
            item.fail("children_left", "a split node has two children")
        else:
            missing_left[i], threshold[i] = _split(item, features[feature[i]], goes_left[i])
    _check_preorder(structure, children, model.max_depth)
    cst = structure.ints("monotonic_cst", length=len(features), lo=-1, hi=1)
    if any(cst[j] and f.is_categorical for j, f in enumerate(features)):
        structure.fail("monotonic_cst", "a categorical feature cannot be constrained")
    if version >= 7:
        searched = structure.ints("candidate_features", lo=0, hi=len(features) - 1)
        if len(searched) == 0 or np.any(np.diff(searched) <= 0):
            structure.fail("candidate_features", "expected the searched features' indices, increasing, at least one")
        if not np.isin(feature[feature >= 0], searched).all():
            structure.fail("candidate_features", "every split's feature is one the search read")
    else:  # every feature was searched
        searched = np.arange(len(features))
    model.candidate_features_ = np.asarray(searched, dtype=np.intp)
    model.tree_ = Tree.from_nodes(feature, threshold, missing_left, goes_left, children[0], children[1], value,
                                  weight, n_samples, features, getattr(model, "classes_", None))
    model.monotonic_cst_ = cst.astype(np.int8)
    if hasattr(model, "classes_"):
        model.n_classes_ = len(model.classes_)
    model.objective_ = training.float("objective")
    model.optimal_ = training.bool("optimal")
    if version >= 7:
        model.lower_bound_ = training.float("lower_bound")
        if model.lower_bound_ > model.objective_ or (model.optimal_ and model.lower_bound_ != model.objective_):
            training.fail("lower_bound", "a lower bound is at most the objective, and equals it when optimal")
    else:  # no bound was written: the objective when proven, else what every tree owes (a leaf's penalty)
        model.lower_bound_ = model.objective_ if model.optimal_ else min(model.objective_, float(model.complexity))
    model.fit_time_ = training.float("fit_time", lo=0.0)


def _check_leaf(item, children):
    if (children != -1).any():
        item.fail("children_left", "a leaf (feature -1) has no children (-1)")
    if not item.is_null("threshold") or item.bool("missing_left") or item.value("left_codes") != []:
        item.fail("left_codes", "a leaf has no split: threshold null, missing_left false, left_codes []")


def _split(item, bins, goes_left):
    """Fill ``goes_left`` from the node's ``left_codes``; return (missing_left, threshold)."""
    codes = item.ints("left_codes", lo=0, hi=bins.n_codes - 1)
    if np.any(np.diff(codes) <= 0):
        item.fail("left_codes", "expected distinct bin codes in increasing order")
    goes_left[codes] = True
    missing_left = item.bool("missing_left")
    if goes_left[bins.missing_code] != missing_left or goes_left[bins.unseen_code] != missing_left:
        item.fail("left_codes", "the missing and unseen codes go left exactly when missing_left is true")
    if bins.is_categorical:
        if not item.is_null("threshold"):
            item.fail("threshold", f"a split on categorical {bins.name!r} has no threshold (null)")
        return missing_left, np.nan
    values = codes[codes < bins.n_bins]
    if not 1 <= len(values) <= bins.n_bins - 1 or values[-1] != len(values) - 1:
        item.fail("left_codes", f"a split on continuous {bins.name!r} sends a first run of its bins left, not all")
    if item.float("threshold") != bins.thresholds[len(values) - 1]:
        item.fail("threshold", f"expected {float(bins.thresholds[len(values) - 1])!r}, the upper edge of the "
                               "last bin going left")
    return missing_left, bins.thresholds[len(values) - 1]


def _check_preorder(structure, children, max_depth):
    """Every node reached once from the root, in pre-order (parent, left subtree, right
    subtree), and no deeper than ``max_depth``: so the tree is a tree, and leaves number left to
    right as in a fitted one."""
    order, stack, depth = [], [(0, 0)], 0
    while stack and len(order) <= children.shape[1]:
        node, d = stack.pop()
        order.append(node)
        depth = max(depth, d)
        if children[0, node] >= 0:
            stack += [(children[1, node], d + 1), (children[0, node], d + 1)]
    if order != list(range(children.shape[1])):
        structure.fail("nodes", "children must form one tree whose nodes are listed in pre-order")
    if depth > max_depth:
        structure.fail("nodes", f"the tree is {depth} deep, deeper than max_depth={max_depth}")


def plan(model):
    """The :class:`DecisionPlan` of a fitted tree: its splits, the leaves numbered left to right."""
    tree = model.tree_
    features = model.binner_.features_

    def node(i):
        j = int(tree.feature[i])
        if j < 0:
            return int(tree.leaf_id[i])
        bins = features[j]
        left = np.flatnonzero(tree.goes_left[i, : bins.n_codes])
        return Split((codes_test(j, bins, left),), node(tree.children_left[i]), node(tree.children_right[i]),
                     tree.split_conditions(i)[0].to_text())

    leaf_nodes = np.flatnonzero(tree.feature < 0)
    leaf_nodes = leaf_nodes[np.argsort(tree.leaf_id[leaf_nodes])]
    values = [tree.value[n] for n in leaf_nodes]  # predict reads tree_.value at the leaf node
    return DecisionPlan(node(0), outputs(values), labels(model, values),
                        tuple(leaf.to_text() for leaf in tree.leaves), "leaf")
