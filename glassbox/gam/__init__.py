"""Generalized additive models: explainable boosting over per-feature and pairwise lookup tables."""

from glassbox.gam._gam import GAMClassifier, GAMRegressor
from glassbox.gam._term import Term, grid_on

__all__ = ["GAMClassifier", "GAMRegressor", "Term", "grid_on"]
