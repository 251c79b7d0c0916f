"""The fitted tree as plain data: node arrays that predict, and leaf ``Rule``s that explain.

A node's split is stored as a lookup table over the feature's bin codes (``goes_left``), so
prediction is one table read per level and reads exactly the structure that is printed; the
threshold and missing direction are kept beside it for people and exporters.
"""

from dataclasses import dataclass

import numpy as np

from glassbox.rules import Condition, Rule


@dataclass(frozen=True, eq=False)
class Tree:
    """A fitted shallow tree.

    Attributes
    ----------
    feature : ndarray of intp, shape (n_nodes,)
        Feature split on at each node; -1 at leaves.
    threshold : ndarray of float64, shape (n_nodes,)
        Continuous splits: values ``<= threshold`` go left. NaN at leaves and categorical splits.
    missing_left : ndarray of bool, shape (n_nodes,)
        Whether missing values (and, for categorical features, unseen levels) go left.
    goes_left : ndarray of bool, shape (n_nodes, max_codes)
        ``goes_left[node, code]``: a row whose bin code on ``feature[node]`` is ``code`` goes to
        the left child. This table is what ``apply`` reads.
    children_left, children_right : ndarray of intp, shape (n_nodes,)
        Child node ids; -1 at leaves.
    value : ndarray of float64, shape (n_nodes, n_outputs)
        Class probabilities (classification) or the mean target (regression) of the training
        rows reaching the node. A distilled classifier's are its teacher's (docs/distill.md).
    weight : ndarray of float64, shape (n_nodes,)
        Training weight reaching each node.
    n_samples : ndarray of intp, shape (n_nodes,)
        Training rows reaching each node.
    leaf_id : ndarray of intp, shape (n_nodes,)
        Index into ``leaves`` of each leaf node; -1 at internal nodes.
    leaves : tuple of Rule
        One rule per leaf, left to right: the conjunction of the conditions on its path.
    features : tuple of FeatureBins
        The binning the codes refer to.
    """

    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    goes_left: np.ndarray
    children_left: np.ndarray
    children_right: np.ndarray
    value: np.ndarray
    weight: np.ndarray
    n_samples: np.ndarray
    leaf_id: np.ndarray
    leaves: tuple
    features: tuple

    @classmethod
    def from_nodes(cls, feature, threshold, missing_left, goes_left, children_left, children_right, value,
                   weight, n_samples, features, classes=None):
        """The tree of these pre-order node arrays (see *Attributes*), with its leaves numbered
        left to right and each leaf's rule read from its path; a leaf predicts
        ``classes[argmax(value)]``, or its mean ``value[0]`` when ``classes`` is None (regression).

        Fitting, loading a model file and distillation all build trees here, so a tree's leaves
        are always derived from its nodes the same way.
        """
        n = len(feature)
        leaf_id = np.full(n, -1, dtype=np.intp)
        partial = cls(feature, threshold, missing_left, goes_left, children_left, children_right, value, weight,
                      n_samples, leaf_id, (), tuple(features))
        leaves = []
        for i in range(n):
            if feature[i] >= 0:
                continue
            leaf_id[i] = len(leaves)
            prediction = float(value[i][0]) if classes is None else classes[int(np.argmax(value[i]))]
            leaves.append(Rule(_path_conditions(partial, i), prediction, value[i].copy(), float(weight[i]),
                               int(n_samples[i])))
        return cls(feature, threshold, missing_left, goes_left, children_left, children_right, value, weight,
                   n_samples, leaf_id, tuple(leaves), tuple(features))

    def with_values(self, value, classes=None):
        """This tree with every node's ``value`` replaced (same splits), leaves rebuilt from it."""
        return Tree.from_nodes(self.feature, self.threshold, self.missing_left, self.goes_left, self.children_left,
                               self.children_right, np.asarray(value, dtype=np.float64), self.weight,
                               self.n_samples, self.features, classes)

    @property
    def n_nodes(self):
        return len(self.feature)

    @property
    def n_leaves(self):
        return len(self.leaves)

    @property
    def max_depth(self):
        depth = np.zeros(self.n_nodes, dtype=np.intp)
        for node in range(self.n_nodes):  # parents come before children
            for child in (self.children_left[node], self.children_right[node]):
                if child >= 0:
                    depth[child] = depth[node] + 1
        return int(depth.max())

    def apply(self, codes):
        """Leaf node id reached by each row of a binned matrix."""
        node = np.zeros(codes.shape[0], dtype=np.intp)
        for _ in range(self.max_depth):
            feature = self.feature[node]
            inner = feature >= 0
            code = codes[np.arange(codes.shape[0]), np.where(inner, feature, 0)]
            left = self.goes_left[node, code]
            node = np.where(inner, np.where(left, self.children_left[node], self.children_right[node]), node)
        return node

    def path(self, leaf_node):
        """Node ids from the root to ``leaf_node``."""
        parent = np.full(self.n_nodes, -1, dtype=np.intp)
        for node in range(self.n_nodes):
            for child in (self.children_left[node], self.children_right[node]):
                if child >= 0:
                    parent[child] = node
        out = [int(leaf_node)]
        while parent[out[-1]] >= 0:
            out.append(int(parent[out[-1]]))
        return out[::-1]

    def split_conditions(self, node):
        """``(left, right)`` Conditions of one split, as printed."""
        j = int(self.feature[node])
        return (_condition(j, self.features[j], self.goes_left[node]),
                _condition(j, self.features[j], ~self.goes_left[node]))

    def branch_conditions(self, node, accepted=None):
        """``(left, right)`` Conditions of a split as its branches read below the path so far:
        ``accepted`` maps a feature to the codes the path already allows, so a second split on a
        feature says only what is still possible there. Returns the two conditions and the
        ``accepted`` maps of the two children."""
        accepted = {} if accepted is None else accepted
        j = int(self.feature[node])
        out = []
        for side in (self.goes_left[node], ~self.goes_left[node]):
            table = accepted.get(j, np.ones_like(side)) & side
            out.append((_condition(j, self.features[j], table), {**accepted, j: table}))
        return out


def _condition(j, bins, table):
    """The Condition accepting the codes where ``table`` is True (value bins, missing, unseen)."""
    codes = np.flatnonzero(table[: bins.n_codes])
    values = [int(c) for c in codes if c < bins.n_bins]
    missing = bins.missing_code in codes
    if bins.is_categorical:
        return Condition.levels(j, bins, values, missing=missing, unseen=bins.unseen_code in codes)
    if not values:
        return Condition.missing(j, bins)
    return Condition.range(j, bins, values[0], values[-1], missing=missing)


def build_tree(root, features, order, n_outputs, value_of, weight_of, classes=None):
    """Turn a search tree (ordinal codes) into a :class:`Tree` over the binner's codes.

    ``order[j][k]`` is the binner code of ordinal value bin k of feature j; ``value_of(rows)`` and
    ``weight_of(rows)`` give a node's value and weight; ``classes`` name a classifier's leaves.
    """
    nodes = []

    def visit(node):  # pre-order: parents before children, left before right
        nodes.append(node)
        if node.feature >= 0:
            visit(node.left)
            visit(node.right)

    visit(root)
    ids = {id(n): i for i, n in enumerate(nodes)}
    n = len(nodes)
    max_codes = max(f.n_codes for f in features)
    feature = np.full(n, -1, dtype=np.intp)
    threshold = np.full(n, np.nan)
    missing_left = np.zeros(n, dtype=bool)
    goes_left = np.zeros((n, max_codes), dtype=bool)
    left = np.full(n, -1, dtype=np.intp)
    right = np.full(n, -1, dtype=np.intp)
    value = np.zeros((n, n_outputs))
    weight = np.zeros(n)
    n_samples = np.zeros(n, dtype=np.intp)
    for i, node in enumerate(nodes):
        value[i] = value_of(node.rows)
        weight[i] = weight_of(node.rows)
        n_samples[i] = len(node.rows)
        if node.feature < 0:
            continue
        j, bins = node.feature, features[node.feature]
        feature[i], missing_left[i] = j, node.missing_left
        goes_left[i, order[j][: node.u + 1]] = True
        # Missing values, and unseen levels (which have no place in the level ordering), go
        # the same way.
        goes_left[i, bins.missing_code] = goes_left[i, bins.unseen_code] = node.missing_left
        if not bins.is_categorical:
            threshold[i] = bins.thresholds[node.u]
        left[i], right[i] = ids[id(node.left)], ids[id(node.right)]

    return Tree.from_nodes(feature, threshold, missing_left, goes_left, left, right, value, weight, n_samples,
                           features, classes)


def _path_conditions(tree, leaf_node):
    """One Condition per feature on the path: the intersection of the sides taken."""
    path = tree.path(leaf_node)
    accepted = {}
    for parent, child in zip(path[:-1], path[1:]):
        j = int(tree.feature[parent])
        side = tree.goes_left[parent] if child == tree.children_left[parent] else ~tree.goes_left[parent]
        accepted[j] = accepted.get(j, np.ones_like(side)) & side
    return tuple(_condition(j, tree.features[j], table) for j, table in accepted.items())

