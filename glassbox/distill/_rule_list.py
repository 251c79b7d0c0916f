"""Distilling into rule lists: defaults resolved on the real rows, and each rule's class
probabilities taught by the teacher (see ``_distill``'s module docstring)."""

import dataclasses

import numpy as np

from glassbox.distill._taught import region_log_sums, region_probabilities
from glassbox.rules import resolved_defaults


def resolve_defaults(student, X_real, y_real):
    """The parameters to set on ``student`` before it is fitted on real and synthetic rows: its
    data-dependent defaults as they resolve on the real rows alone (``rules.resolved_defaults``)."""
    return resolved_defaults(student, X_real, y_real)


def teach_probabilities(student, X, log_proba):
    """Make each rule's probabilities the teacher's: ``log_proba`` holds the teacher's
    log-probabilities of the rows of X, columns in ``student.classes_`` order. The rules and
    their predictions stay."""
    rules = student.rules_
    log_sums, counts = region_log_sums(student.apply(X), len(rules), log_proba)
    values = region_probabilities(log_sums, counts, np.array([rule.value for rule in rules]))
    student.rules_ = [dataclasses.replace(rule, value=value) for rule, value in zip(rules, values)]
    return student
