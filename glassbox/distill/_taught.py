"""Class probabilities a label-fitted student's regions (a tree's nodes, a rule list's rules)
take from the teacher: shared by the tree and rule-list adapters."""

import numpy as np
from scipy.special import softmax


def region_log_sums(region, n_regions, log_proba):
    """Per region: the sum of its rows' log-probabilities, ``(n_regions, n_classes)``, and its
    row count; ``region`` holds each row's region."""
    log_sums = np.zeros((n_regions, log_proba.shape[1]))
    np.add.at(log_sums, region, log_proba)
    return log_sums, np.bincount(region, minlength=n_regions)


def region_probabilities(log_sums, counts, fallback):
    """Class probabilities of regions taught by a teacher's probabilities.

    Row r of the result is the softmax of the mean log-probability of region r's rows,
    ``log_sums[r] / counts[r]``: the probabilities whose log-odds are the rows' mean log-odds (the
    best constant on the log-odds scale). A region without rows, or whose taught probabilities
    would name another class than ``fallback[r]`` does (its predicted class, which the structure
    was chosen for), keeps ``fallback[r]``, so predictions never change.
    """
    counts = np.asarray(counts, dtype=np.float64)
    mean = log_sums / np.maximum(counts, 1.0)[:, None]
    taught = softmax(mean, axis=1)
    keep = (counts > 0) & (np.argmax(taught, axis=1) == np.argmax(fallback, axis=1))
    return np.where(keep[:, None], taught, fallback)
