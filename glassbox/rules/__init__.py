"""Rules: the shared :class:`Rule` / :class:`Condition` types (used by rule lists, tree leaves
and distilled rules) and the rule-list estimators."""

from glassbox._base import NotProvenOptimalWarning
from glassbox.rules._monotone import order_pairs
from glassbox.rules._rule import Condition, Rule, first_match
from glassbox.rules._rulelist import (
    EmptyRuleListWarning, RuleListClassifier, RuleListRegressor, describe_gap,
    resolved_defaults,
)

__all__ = ["Condition", "EmptyRuleListWarning", "NotProvenOptimalWarning", "Rule", "RuleListClassifier",
           "RuleListRegressor", "describe_gap", "first_match", "order_pairs", "resolved_defaults"]
