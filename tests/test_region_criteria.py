"""The facts the rule-list and tree searches rely on, per classification criterion
(``glassbox._regions``), checked on generated regions: the kernel's loss equals its twin, a
region's loss is the loss of the probabilities it predicts, and the three bound constants hold
(equivalent points, subsets, added weight). The searches' results are checked against
exhaustive enumeration in ``test_rulelist_search.py`` and ``test_tree_optimality.py``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassbox import RuleListClassifier, ShallowTreeClassifier
from glassbox._ext._regions import region_losses
from glassbox._regions import (BRIER, CRITERIA, EQUIVALENT_FACTOR, LOG_LOSS, MISCLASSIFICATION, added_weight_cost,
                               prediction_loss, region_floor, region_loss, region_probabilities, smoothed_probabilities,
                               subset_slack)

criteria = st.sampled_from(range(len(CRITERIA)))


def _counts(draw, n_classes, low=0.0, high=50.0):
    values = draw(st.lists(st.one_of(st.just(0.0), st.floats(low, high)), min_size=n_classes, max_size=n_classes))
    return np.array(values)


@st.composite
def regions(draw):
    """(counts, extra counts, pseudo, n_classes): a region and rows added to it."""
    n_classes = draw(st.integers(2, 6))
    pseudo = draw(st.sampled_from([1.0, 0.5, 0.75, 0.6171875]))
    return _counts(draw, n_classes), _counts(draw, n_classes), pseudo, n_classes


@pytest.mark.parametrize("criterion", range(len(CRITERIA)))
@pytest.mark.parametrize("n_classes", [2, 3, 9, 70])
@pytest.mark.parametrize("pseudo", [1.0, 0.5625])
def test_kernel_loss_matches_twin_per_criterion(criterion, n_classes, pseudo):
    rng = np.random.default_rng(n_classes + 10 * criterion)
    stats = np.abs(rng.normal(size=(300, n_classes + 1))) * rng.integers(0, 2, size=(300, n_classes + 1))
    stats[:5] = 0.0  # regions without weight
    loss, _ = region_losses(np.ascontiguousarray(stats), n_classes, criterion, pseudo)
    np.testing.assert_allclose(loss, region_loss(stats, n_classes, criterion, pseudo), rtol=1e-12, atol=1e-12)
    assert np.all(loss[:5] == 0.0)


@settings(max_examples=300, deadline=None)
@given(regions(), criteria)
def test_region_loss_is_the_loss_of_its_own_prediction(region, criterion):
    counts, _, pseudo, n_classes = region
    if counts.sum() == 0:
        return
    # row by row from the definition: each unit of weight of class k scored against the prediction
    p = region_probabilities(counts, criterion, pseudo)
    if criterion == MISCLASSIFICATION:
        expected = counts.sum() - counts[np.argmax(p)]
    elif criterion == LOG_LOSS:
        expected = sum(-counts[k] * np.log(p[k]) for k in range(n_classes) if counts[k] > 0)
    else:
        expected = sum(counts[k] * np.sum((p - np.eye(n_classes)[k]) ** 2) for k in range(n_classes))
    assert region_loss(counts, n_classes, criterion, pseudo) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert prediction_loss(counts, p, criterion) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(regions(), criteria, st.floats(0.0, 1.0))
def test_equivalent_points_owe_their_factor_times_minority(region, criterion, mix):
    """A group of rows that no rule separates, inside any region (the group plus other rows),
    pays at least EQUIVALENT_FACTOR times its minority weight under the region's prediction."""
    group, others, pseudo, n_classes = region
    if group.sum() == 0:
        return
    region_counts = group + others * mix
    p = region_probabilities(region_counts, criterion, pseudo)
    paid = prediction_loss(group, p, criterion)
    owed = EQUIVALENT_FACTOR[criterion] * (group.sum() - group.max())
    assert paid >= owed - 1e-9 * max(1.0, owed)


@settings(max_examples=300, deadline=None)
@given(regions(), criteria, st.floats(0.0, 1.0), st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6))
def test_the_floor_is_below_every_prediction_and_adds_up_under_unions(region, criterion, mix, other):
    """region_floor is at most the loss of any probabilities (here: the region's own, another
    region's, and an arbitrary vector), equals it at the region's own shares, and a union of two
    regions floors at least their summed floors: the equivalent-points lower bound of the trees."""
    group, others, pseudo, n_classes = region
    floor = region_floor(group, n_classes, criterion)
    for p in (region_probabilities(group, criterion, pseudo),
              region_probabilities(group + others * mix, criterion, pseudo),
              np.array(other[:n_classes]) / max(sum(other[:n_classes]), 1e-12) if sum(other[:n_classes]) else None):
        if p is not None:
            assert floor <= prediction_loss(group, p, criterion) + 1e-9 * max(1.0, group.sum())
    shares = group / group.sum() if group.sum() > 0 else group
    if group.sum() > 0 and criterion != MISCLASSIFICATION and np.all((group == 0) | (shares > 0)):  # no underflow
        assert floor == pytest.approx(prediction_loss(group, shares, criterion), rel=1e-9, abs=1e-9)
    union = region_floor(group + others, n_classes, criterion)
    parts = floor + region_floor(others, n_classes, criterion)
    assert union >= parts - 1e-9 * max(1.0, (group + others).sum())


@settings(max_examples=300, deadline=None)
@given(regions(), criteria)
def test_fewer_rows_cost_at_most_the_subset_slack_more(region, criterion):
    part, rest, pseudo, n_classes = region
    whole = part + rest
    slack = subset_slack(criterion, n_classes, 1, pseudo)
    assert region_loss(part, n_classes, criterion, pseudo) <= region_loss(whole, n_classes, criterion, pseudo) \
        + slack + 1e-9 * max(1.0, whole.sum())


@settings(max_examples=300, deadline=None)
@given(regions(), criteria, st.floats(0.0, 200.0))
def test_added_weight_costs_at_most_its_rate(region, criterion, spare):
    """Adding weight to a region raises its loss by at most added_weight_cost per unit, the rate
    taken at the total weight of the data (here: the region's plus ``spare``)."""
    part, added, pseudo, n_classes = region
    whole = part + added
    rate = added_weight_cost(criterion, n_classes, whole.sum() + spare, pseudo)
    rise = region_loss(whole, n_classes, criterion, pseudo) - region_loss(part, n_classes, criterion, pseudo)
    assert rise <= rate * added.sum() + 1e-9 * max(1.0, whole.sum())


def test_the_smoothed_brier_score_is_not_monotone_so_its_slack_is_needed():
    """Two rows of one class cost more than three: the slack is not a formality."""
    one_class = lambda n: region_loss(np.array([n, 0.0]), 2, BRIER, 1.0)  # noqa: E731
    assert one_class(2.0) > one_class(3.0)
    assert one_class(2.0) - one_class(3.0) <= subset_slack(BRIER, 2, 1, 1.0)


def test_smoothing_is_one_pseudo_row_of_the_mean_weight():
    np.testing.assert_allclose(smoothed_probabilities(np.array([3.0, 1.0]), 0.5), [3.5 / 5, 1.5 / 5])
    np.testing.assert_allclose(region_probabilities(np.array([3.0, 1.0]), MISCLASSIFICATION, 0.5), [0.75, 0.25])


@pytest.mark.parametrize("Model", [RuleListClassifier, ShallowTreeClassifier])
@pytest.mark.parametrize("bad", ["gini", "entropy", "LOG_LOSS", None, 1, ["log_loss"]])
def test_unknown_criterion_is_refused_clearly(Model, bad):
    X = np.arange(20.0).reshape(-1, 1)
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="criterion must be one of 'misclassification', 'log_loss', 'brier'"):
        Model(criterion=bad).fit(X, y)
