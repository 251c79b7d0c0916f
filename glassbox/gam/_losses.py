"""Losses on the Python side: the starting intercept, and gradients for ranking pairs.

The kernel ``_gam_boost`` computes the same gradients row by row while boosting; these vectorised
versions serve interaction detection, which needs them once for all rows.
"""

import numpy as np
from scipy.special import expit, softmax


def initial_scores(y, sample_weight, loss, n_scores):
    """The constant raw score that minimises the loss: the model before any term."""
    w = sample_weight / sample_weight.sum()
    if loss == "squared_error":
        return np.array([np.dot(w, y)])
    if loss == "poisson":
        return np.array([np.log(max(np.dot(w, y), 1e-12))])
    if loss == "log_loss":
        p = np.clip(np.dot(w, y), 1e-12, 1 - 1e-12)
        return np.array([np.log(p / (1 - p))])
    priors = np.bincount(y.astype(np.intp), weights=w, minlength=n_scores)
    logits = np.log(np.clip(priors, 1e-12, None))
    return logits - logits.mean()


def gradients(raw, y, sample_weight, loss):
    """Weighted ``(gradient, hessian)`` per row and score, each of shape (n, n_scores)."""
    w = sample_weight[:, None]
    if loss == "squared_error":
        return w * (raw - y[:, None]), np.broadcast_to(w, raw.shape).copy()
    if loss == "poisson":
        mu = np.exp(np.minimum(raw, 50.0))
        return w * (mu - y[:, None]), w * mu
    if loss == "log_loss":
        p = expit(raw)
        return w * (p - y[:, None]), w * np.maximum(p * (1 - p), 1e-16)
    p = softmax(raw, axis=1)
    onehot = np.zeros_like(p)
    onehot[np.arange(len(y)), y.astype(np.intp)] = 1
    return w * (p - onehot), w * np.maximum(p * (1 - p), 1e-16)
