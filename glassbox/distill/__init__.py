"""Distillation: turn a fitted black box into a glass-box student, with a fidelity report."""

from glassbox.distill._augment import augment
from glassbox.distill._distill import distill
from glassbox.distill._estimators import DistilledClassifier, DistilledRegressor, inspected
from glassbox.distill._fidelity import FidelityReport
from glassbox.distill._teacher import Teacher

__all__ = ["DistilledClassifier", "DistilledRegressor", "FidelityReport", "Teacher", "augment", "distill", "inspected"]
