"""The GAM's losses, each written once: what a target must be, the best constant score, the
gradients (a NumPy twin of the kernel's), and the link from raw scores to predictions.

The kernel computes the same gradients and losses row by row in ``glassbox/_ext/_gam_loss.pxd``
(one definition per loss, shared by every boosting pass); ``kernel`` is the loss's id there. The
Python side here serves what needs every row at once: the starting intercept, and the gradients
that rank candidate pairs. A loss's ``name`` is its name in model files and in
``GAMRegressor(loss=...)``; its ``link`` is what exported code applies to the raw score.

Adding a loss: its class here, its id and formulas in ``_gam_loss.pxd`` (docs/development.md).
"""

import numpy as np
from scipy.special import expit, softmax

from glassbox._ext._gam_loss import LossId, gradients_rows

# Raw scores are clipped before exp so a wild step cannot overflow (the kernel clips alike).
MAX_EXP_ARG = 50.0

# The classification losses' floor_fraction (Loss says why).
SEPARABLE_FLOOR = 1e-3


class Loss:
    """A loss the GAM boosts, and the link from its raw score to predictions.

    Attributes
    ----------
    name : str
        Its name in model files (and ``GAMRegressor(loss=...)`` for regression losses).
    link : {"identity", "log", "logit", "softmax"}
        How a raw score becomes a prediction: the score itself, its exp (a mean on the log
        scale), the sigmoid of the log-odds of ``classes_[1]``, the softmax of per-class logits.
    kernel : LossId
        The loss's id in the boosting kernel.
    floor_fraction : float
        A bag stops boosting once its validation loss is at most this fraction of its
        intercept-only validation loss (0: never). The classification losses have no minimum on
        separable data (classes that the features determine): their loss falls toward 0 without
        end as the scores grow, and past 0.1% of the start the rounds only sharpen probabilities
        that are near certain already (nursery's bags kept 5,999 rounds in all without it and
        1,376 with it, test accuracy 1.0 both: ``python -m benchmarks.gam_loss_floor``). The
        regression losses have a finite minimum that early stopping finds.
    """

    name = None
    link = None
    kernel = None
    floor_fraction = 0.0

    def mean_loss(self, raw, y, sample_weight):
        """The weighted mean loss of raw scores ``raw`` (n, n_scores), by the kernel's formula
        (the boosting's validation loss); 0 without weight."""
        total = float(np.sum(sample_weight))
        if total <= 0:
            return 0.0
        _, _, values = gradients_rows(np.ascontiguousarray(raw, dtype=np.float64), np.asarray(y, dtype=np.float64),
                                      np.asarray(sample_weight, dtype=np.float64), self.kernel)
        return float(np.sum(values)) / total

    def check_target(self, y):
        """``y`` (float64, finite) if this loss can fit it; else a ValueError saying why."""
        self.check_signs(*sign_counts(y))
        return y

    def check_signs(self, n_negative, n_zero, n_positive):
        """A ValueError when targets with these sign counts cannot be fitted (counts add over
        partitions, so data split across machines is checked exactly as in memory)."""

    def target_sums(self, y, w, n_scores):
        """Weighted sums the constant score is a function of: ``[sum(w * y), sum(w)]`` (softmax: the
        weight of each class, then ``sum(w)``). They add over partitions; with integer weights and
        targets they are exact, so data split across machines gives the same intercept bit for bit."""
        return np.array([np.dot(w, y), w.sum()])

    def initial_scores(self, y, w, n_scores):
        """The constant raw score (one per output) minimising the loss under weights ``w``."""
        return self.initial_scores_from_sums(self.target_sums(y, w, n_scores))

    def initial_scores_from_sums(self, sums):
        """:meth:`initial_scores` from :meth:`target_sums` (summed over partitions)."""
        raise NotImplementedError

    def gradients(self, raw, y, sample_weight):
        """Weighted ``(gradient, hessian)`` of the loss in each raw score, each (n, n_scores)."""
        raise NotImplementedError

    def predict(self, raw):
        """Predictions from raw scores: the mean (regression) or class probabilities."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, link={self.link!r})"

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))


def sign_counts(y):
    """``(negative, zero, positive)`` counts of a target."""
    return int((y < 0).sum()), int((y == 0).sum()), int((y > 0).sum())


class SquaredError(Loss):
    name, link, kernel = "squared_error", "identity", LossId.SQUARED_ERROR

    def initial_scores_from_sums(self, sums):
        return np.array([sums[0] / sums[1]])

    def gradients(self, raw, y, sample_weight):
        w = sample_weight[:, None]
        return w * (raw - y[:, None]), np.broadcast_to(w, raw.shape).copy()

    def predict(self, raw):
        return raw


class Poisson(Loss):
    name, link, kernel = "poisson", "log", LossId.POISSON

    def check_signs(self, n_negative, n_zero, n_positive):
        if n_negative or not n_positive:
            raise ValueError(
                "loss='poisson' needs non-negative targets with at least one positive value (counts); "
                f"y has {n_negative} negative values. Use loss='squared_error' otherwise."
            )

    def initial_scores_from_sums(self, sums):
        return np.array([np.log(max(sums[0] / sums[1], 1e-12))])

    def gradients(self, raw, y, sample_weight):
        w = sample_weight[:, None]
        mu = np.exp(np.minimum(raw, MAX_EXP_ARG))
        return w * (mu - y[:, None]), w * mu

    def predict(self, raw):
        return np.exp(raw)


class Gamma(Loss):
    """Gamma deviance on the log scale: positive, right-skewed targets (claim sizes, costs,
    durations) whose spread grows with their mean."""

    name, link, kernel = "gamma", "log", LossId.GAMMA

    def check_signs(self, n_negative, n_zero, n_positive):
        if n_negative or n_zero:
            raise ValueError(
                f"loss='gamma' needs strictly positive targets; y has {n_negative + n_zero} values <= 0. "
                "Use loss='poisson' for counts with zeros, or loss='squared_error'."
            )

    def initial_scores_from_sums(self, sums):
        return np.array([np.log(sums[0] / sums[1])])

    def gradients(self, raw, y, sample_weight):
        w = sample_weight[:, None]
        p = y[:, None] * np.exp(-np.maximum(raw, -MAX_EXP_ARG))
        return w * (1.0 - p), w * p

    def predict(self, raw):
        return np.exp(raw)


class LogLoss(Loss):
    name, link, kernel = "log_loss", "logit", LossId.LOG_LOSS
    floor_fraction = SEPARABLE_FLOOR

    def initial_scores_from_sums(self, sums):
        p = np.clip(sums[0] / sums[1], 1e-12, 1 - 1e-12)
        return np.array([np.log(p / (1 - p))])

    def gradients(self, raw, y, sample_weight):
        w = sample_weight[:, None]
        p = expit(raw)
        return w * (p - y[:, None]), w * np.maximum(p * (1 - p), 1e-16)

    def predict(self, raw):
        p = 1.0 / (1.0 + np.exp(-raw))
        return np.column_stack([1 - p, p])


class Softmax(Loss):
    name, link, kernel = "softmax", "softmax", LossId.SOFTMAX
    floor_fraction = SEPARABLE_FLOOR

    def target_sums(self, y, w, n_scores):
        return np.append(np.bincount(y.astype(np.intp), weights=w, minlength=n_scores), w.sum())

    def initial_scores_from_sums(self, sums):
        priors = sums[:-1] / sums[-1]
        logits = np.log(np.clip(priors, 1e-12, None))
        return logits - logits.mean()

    def gradients(self, raw, y, sample_weight):
        w = sample_weight[:, None]
        p = softmax(raw, axis=1)
        onehot = np.zeros_like(p)
        onehot[np.arange(len(y)), y.astype(np.intp)] = 1
        return w * (p - onehot), w * np.maximum(p * (1 - p), 1e-16)

    def predict(self, raw):
        raw = raw - raw.max(axis=1, keepdims=True)
        e = np.exp(raw)
        return e / e.sum(axis=1, keepdims=True)


# Every loss by its name in model files.
LOSSES = {loss.name: loss for loss in (SquaredError(), Poisson(), Gamma(), LogLoss(), Softmax())}
# The losses GAMRegressor(loss=...) takes.
REGRESSION_LOSSES = ("squared_error", "poisson", "gamma")


def classification_loss(n_classes):
    """The loss of a classifier with ``n_classes`` classes: log loss (binary) or softmax."""
    return LOSSES["log_loss"] if n_classes == 2 else LOSSES["softmax"]


def regression_loss(name):
    """The regression loss called ``name``; a ValueError listing the choices otherwise."""
    if not isinstance(name, str) or name not in REGRESSION_LOSSES:
        choices = " or ".join(repr(n) for n in REGRESSION_LOSSES)
        raise ValueError(f"loss must be {choices}, got {name!r}.")
    return LOSSES[name]
