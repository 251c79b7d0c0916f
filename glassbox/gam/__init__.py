"""Generalized additive models: explainable boosting over per-feature and pairwise lookup tables."""

from glassbox.gam._gam import GAMClassifier, GAMRegressor
from glassbox.gam._partitioned import fit_partitioned, reads_target
from glassbox.gam._term import Term, grid_on

__all__ = ["GAMClassifier", "GAMRegressor", "Term", "fit_partitioned", "grid_on", "reads_target"]
