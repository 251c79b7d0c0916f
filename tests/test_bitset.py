"""The bitset kernels against their NumPy twins on random inputs."""

import numpy as np
import pytest

from glassbox._ext._bitset import and_pairs, build_bitsets, masked_popcounts, masked_sums
from glassbox.rules._antecedents import bits_to_rows, rows_to_bits
from tests import twins


@pytest.mark.parametrize("n_samples", [1, 63, 64, 65, 200, 333, 1000])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_kernels_match_twins(n_samples, n_threads):
    rng = np.random.default_rng(n_samples)
    n_features, n_codes, n_sets = 3, 6, 7
    codes = np.asfortranarray(rng.integers(0, n_codes, size=(n_samples, n_features)).astype(np.uint8))
    features = rng.integers(0, n_features, size=n_sets).astype(np.intp)
    accept = (rng.random((n_sets, n_codes)) < 0.5).astype(np.uint8)
    n_words = (n_samples + 63) // 64

    bits = np.empty((n_sets, n_words), dtype=np.uint64)
    build_bitsets(codes, features, accept, bits, n_threads)
    np.testing.assert_array_equal(bits, twins.build_bitsets_naive(codes, features, accept))

    pairs = rng.integers(0, n_sets, size=(5, 2)).astype(np.intp)
    conj = np.empty((5, n_words), dtype=np.uint64)
    and_pairs(bits, pairs, conj, n_threads)
    np.testing.assert_array_equal(conj, twins.and_pairs_naive(bits, pairs))

    mask = twins.bits_of_rows_naive(rng.random(n_samples) < 0.7)[0]
    groups = twins.bits_of_rows_naive(rng.random((3, n_samples)) < 0.4)
    index = rng.integers(0, n_sets, size=5).astype(np.intp)
    counts = np.empty((5, 3))
    masked_popcounts(bits, index, mask, groups, counts, n_threads)
    np.testing.assert_array_equal(counts, twins.masked_popcounts_naive(bits[index], mask, groups, n_samples))

    values = rng.random((n_samples, 4))
    sums = np.empty((5, 4))
    masked_sums(bits, index, mask, values, sums, n_threads)
    np.testing.assert_allclose(sums, twins.masked_sums_naive(bits[index], mask, values), rtol=1e-12, atol=1e-12)


def test_packing_helpers_match_twins():
    rng = np.random.default_rng(0)
    rows = rng.random(130) < 0.5
    np.testing.assert_array_equal(rows_to_bits(rows), twins.bits_of_rows_naive(rows)[0])
    np.testing.assert_array_equal(bits_to_rows(rows_to_bits(rows)[None], 130)[0], rows)


@pytest.mark.parametrize("classification, criterion", [(True, 0), (True, 1), (True, 2), (False, 0)])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_score_children_matches_twin(classification, criterion, n_threads):
    from glassbox._ext._rulelist import score_children

    rng = np.random.default_rng(7)
    n, n_classes = 40, 3
    if classification:
        node = rng.integers(5, 50, n_classes + 1).astype(float)
        node[-1] = node[:-1].sum() * 0.1
        captured = np.floor(node[None, :] * rng.random((n, n_classes + 1)))
        captured[:4] = 0.0  # rules capturing nothing
        captured[4:8] = [1.0, 2.0, 1.0, 0.0]  # rules classifying too few rows correctly
    else:
        node = np.array([30.0, 4.0, 50.0, 3.0])
        captured = node[None, :] * rng.random((n, 4))
        captured[:4] = 0.0
    captured[8] = node  # a rule capturing every row the prefix left
    total, c, prefix_loss = float(node[:n_classes].sum() if classification else node[0]) + 7.0, 0.05, 2.5
    outs = [np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.uint8)]
    score_children(np.ascontiguousarray(captured), node, np.empty_like(captured), *outs, classification,
                   n_classes if classification else 0, criterion, 0.75, prefix_loss, total, c, 2, 1e-12, n_threads)
    expected = twins.score_children_naive(captured, node, classification, n_classes, prefix_loss, total, c, 2, 1e-12,
                                          criterion, 0.75)
    for got, want in zip(outs, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # the support bounds end a rule's subtree under misclassification only
    assert set(outs[3]) >= ({0, 1, 2} if classification and criterion == 0 else {0, 2})
