"""Candidates a default search can afford: on wide data, conjunctions among the best-ranked features.

The default budget (``max_nodes=None``) allows at least ``_search._DEFAULT_NODES[0]`` expansions,
each scoring every candidate rule. On wide data the conjunctions run to millions, and those few
expansions alone would cost many times the budget (200 rows x 500 features: 1.65 million
candidates, 29 s where the budget means 0.5 to 2.6 s). There the conjunctions are limited to
those among the features a greedy reference ranks best (``glassbox._candidates``, in the spirit
of McTavish et al., AAAI 2022), as many features as the budget pays for; every single condition
stays. The search is then exact over those candidates only, and the fit says so.
"""

import numpy as np

from glassbox.rules._antecedents import NO_MEMBERS, among_features
from glassbox.rules._search import default_budget_excess

# Work for the conjunctions, in default budgets, when the singles alone take most of the budget.
_CONJUNCTION_SHARE = 0.5
# Each retry aims this far below the budget: the work per candidate differs between singles and
# conjunctions (tables serve some and not others), so the first estimate may miss.
_MARGIN = 0.9


def limit_to_budget(antecedents, make_problem, ranked_features):
    """``(antecedents, problem)`` within the default budget's fewest expansions.

    ``make_problem(antecedents)`` builds the search's ``Problem``; ``ranked_features()`` gives the
    feature indices best first. Unchanged when the budget pays for every candidate. Otherwise the
    conjunctions kept are those among the best ``m`` features, ``m`` the largest whose candidates
    fit (estimated from the mean work per conjunction, then checked on the problem built, and
    lowered until they fit or no conjunction is left). The singles all stay: when they alone
    take most of the budget (thousands of features, or a table pass over many rows per feature),
    the conjunctions still get ``_CONJUNCTION_SHARE`` of it beyond the singles' own work, since
    those among the best features are the candidates most likely to matter."""
    problem = make_problem(antecedents)
    excess = default_budget_excess(problem)
    n_single = antecedents.n_single
    members = getattr(antecedents.conditions, "members", NO_MEMBERS)
    if excess <= 1 and antecedents.stopped_by != "budget":
        return antecedents, problem
    # The singles' own work, measured on their problem: a feature's table costs a pass over the
    # rows whatever its conditions, so it is not their share of the candidates.
    singles_only = among_features(antecedents, np.zeros(0, dtype=np.intp))
    singles_problem = make_problem(singles_only)
    singles = default_budget_excess(singles_problem)
    allowed = max(1.0, singles + _CONJUNCTION_SHARE)
    if excess <= allowed and antecedents.stopped_by != "budget":
        return antecedents, problem
    if len(members) == 0:  # the budget stopped the mining before its first conjunctions
        return singles_only, singles_problem
    order = np.asarray(ranked_features(), dtype=np.intp)
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    single_rank = np.array([rank[antecedents.conditions[a][0].feature] for a in range(n_single)], dtype=np.intp)
    # A conjunction is among the best m features when its worst-ranked feature is within them:
    # with_m[m] conjunctions are kept for m features.
    worst = np.where(members >= 0, single_rank[members], -1).max(axis=1)
    with_m = np.r_[0, np.cumsum(np.bincount(worst, minlength=len(order)))]
    # Pairs cut short by the mining's limits were mined best-ranked first, so those among the
    # features ranked before the last pair's worst are all there: keep no more features.
    most = len(order)
    if antecedents.stopped_by in ("memory", "budget") and (members[-1] >= 0).sum() == 2:
        most = int(worst[-1])
    affordable = len(members) * min((allowed - singles) / max(excess - singles, 1e-12), 1.0) * _MARGIN
    while True:
        m = min(int(np.searchsorted(with_m, affordable, side="right")) - 1, most)
        m = m if m >= 2 else 0  # one feature has no conjunction of distinct features
        if m == 0:
            return singles_only, singles_problem
        limited = among_features(antecedents, np.sort(order[:m]))
        problem = make_problem(limited)
        excess = default_budget_excess(problem)
        if excess <= allowed:
            return limited, problem
        affordable = min(affordable, with_m[m]) * (allowed - singles) / max(excess - singles, 1e-12) * _MARGIN
