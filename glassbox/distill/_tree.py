"""Distilling into shallow trees: each node's class probabilities taught by the teacher (see
``_distill``'s module docstring); a tree under monotonic constraints keeps its label shares,
which were chosen to respect them."""

import numpy as np

from glassbox.distill._taught import region_log_sums, region_probabilities


def teach_probabilities(student, X, log_proba):
    """Make each node's probabilities the teacher's: ``log_proba`` holds the teacher's
    log-probabilities of the rows of X, columns in ``student.classes_`` order. The splits and
    predictions stay."""
    if np.any(student.monotonic_cst_):
        return student
    tree = student.tree_
    log_sums, counts = region_log_sums(student.apply(X), tree.n_nodes, log_proba)
    for node in range(tree.n_nodes - 1, -1, -1):  # children come after their parent
        if tree.children_left[node] >= 0:
            children = [tree.children_left[node], tree.children_right[node]]
            log_sums[node] = log_sums[children].sum(axis=0)
            counts[node] = counts[children].sum()
    student.tree_ = tree.with_values(region_probabilities(log_sums, counts, tree.value), student.classes_)
    return student
