"""A GAM's exports: its part of a model file (terms, intercept, loss) and its code plan.

Tables are written flat in row-major (C) order over the term's grid, then the class for a
multiclass model. A term axis on a feature's own bins (every main effect, and a pair axis the
coarse grid left as it was) writes ``null`` for its grid: the bins are ``binning.features[j]``.
A pair axis on a coarser grid writes that grid, which must be the feature's bins cut at a subset
of its thresholds; loading rebuilds the grid and its code map and refuses a file that disagrees.
"""

import numpy as np

from glassbox._losses import classification_loss, regression_loss
from glassbox.export._binning import feature_from_dict, feature_to_dict
from glassbox.export._codegen import AdditivePlan, TermPlan
from glassbox.export._fields import Fields, ModelFileError
from glassbox.gam import Term, grid_on

TERM_KEYS = ("features", "bins", "code_maps", "scores", "standard_errors", "bin_weights")


def structure_to_dict(model):
    own = model.binner_.features_
    terms = []
    for term in model.terms_:
        terms.append({
            "features": [int(j) for j in term.features],
            "bins": [None if b is own[j] else feature_to_dict(b) for b, j in zip(term.bins, term.features)],
            "code_maps": [m.tolist() for m in term.code_maps],
            "scores": term.scores.ravel().tolist(),
            "standard_errors": term.standard_errors.ravel().tolist(),
            "bin_weights": term.bin_weights.ravel().tolist(),
        })
    intercept = model.intercept_
    return {
        "loss": model.loss_.name,
        "intercept": intercept.tolist() if np.ndim(intercept) else float(intercept),
        "terms": terms,
    }


def training_to_dict(model):
    unordered = set(model.unordered_features_)
    return {
        "total_weight": float(model.terms_[0].bin_weights.sum()),  # a model keeps at least one term
        "n_rounds": model.n_rounds_.tolist(),
        "unordered_features": [j for j, f in enumerate(model.binner_.features_) if f.name in unordered],
    }


def _expected_loss(model):
    """The loss this estimator, with its classes or ``loss`` parameter, boosts."""
    if hasattr(model, "classes_"):
        return classification_loss(len(model.classes_))
    return regression_loss(model.loss)


def restore(model, structure, training, version):
    """Set ``terms_``, ``intercept_``, ``n_rounds_`` and ``unordered_features_`` on ``model``
    (binner_, classes_ and the parameters already set) from the validated file."""
    structure.only("loss", "intercept", "terms")
    training.only("n_rows", "total_weight", "n_rounds", *(("unordered_features",) if version >= 8 else ()))
    loss = structure.str("loss")
    expected = _expected_loss(model)
    if loss != expected.name:
        structure.fail("loss", f"{type(model).__name__} with these classes and parameters has loss "
                               f"{expected.name!r}, not {loss!r}")
    n_scores = len(model.classes_) if expected.link == "softmax" else 1
    if n_scores > 1:
        intercept = structure.floats("intercept", length=n_scores)
    else:
        intercept = structure.float("intercept")
    features = model.binner_.features_
    items = structure.objs("terms")
    # Every feature had its main effect before version 4; since, max_terms and remove_terms may
    # drop some (an older file, having them all, reads the same). Main effects in increasing
    # feature order, then pairs.
    terms = [_term(item, i, features, n_scores) for i, item in enumerate(items)]
    mains = [t.features[0] for t in terms if not t.is_pair]
    n_mains = len(mains)
    if any(t.is_pair for t in terms[:n_mains]) or mains != sorted(set(mains)):
        structure.fail("terms", "expected the main effects in increasing feature order, each feature at most once, "
                                "then the pairs")
    if not terms:
        structure.fail("terms", "expected at least one term")
    # Every raw score must be finite for every row: the largest possible sum is.
    # (Python floats: an overflow is inf, not a warning.)
    bound = float(np.abs(intercept).max()) + sum(float(np.abs(t.scores).max()) for t in terms)
    if not np.isfinite(bound):
        structure.fail("terms", "the scores are so large that a row's sum overflows")
    model.terms_, model.intercept_, model.loss_ = terms, intercept, expected
    has_pairs = any(t.is_pair for t in terms)
    model.n_rounds_ = _rounds(training, 2 if has_pairs else 1, model.outer_bags)
    # Before version 8 no feature was boosted unordered.
    unordered = training.ints("unordered_features", lo=0, hi=len(features) - 1).tolist() if version >= 8 else []
    if unordered != sorted(set(unordered)) or any(features[j].is_categorical for j in unordered):
        training.fail("unordered_features", "expected continuous features' indices in increasing order, each once")
    model.unordered_features_ = np.array([features[j].name for j in unordered], dtype=object)


def _term(item, i, features, n_scores):
    item.only(*TERM_KEYS)
    n_features = len(features)
    index = item.ints("features", lo=0, hi=n_features - 1)
    if len(index) not in (1, 2) or (len(index) == 2 and index[0] == index[1]):
        item.fail("features", "a term is a main effect (one feature) or a pair of two different features")
    raw_bins = item.value("bins")
    if not isinstance(raw_bins, list) or len(raw_bins) != len(index):
        item.fail("bins", f"expected a list of {len(index)} grids (null for a feature's own bins)")
    raw_maps = _lists(item, "code_maps", len(index))
    bins, maps = [], []
    for axis, j in enumerate(index.tolist()):
        grid, code_map = _axis(item, axis, features[j], raw_bins[axis])
        if raw_maps[axis] != code_map.tolist():
            item.fail(f"code_maps[{axis}]", f"expected the code map of feature {j}'s grid, {code_map.tolist()}")
        bins.append(grid)
        maps.append(code_map)
    grid_shape = tuple(b.n_codes for b in bins)
    size = int(np.prod(grid_shape))
    table_shape = grid_shape + ((n_scores,) if n_scores > 1 else ())
    scores = item.floats("scores", length=size * n_scores).reshape(table_shape)
    errors = item.floats("standard_errors", length=size * n_scores, lo=0).reshape(table_shape)
    weights = item.floats("bin_weights", length=size, lo=0).reshape(grid_shape)
    return Term(tuple(index.tolist()), tuple(bins), tuple(maps), scores, errors, weights)


def _lists(item, key, length):
    value = item.value(key)
    if not isinstance(value, list) or len(value) != length or not all(isinstance(v, list) for v in value):
        item.fail(key, f"expected a list of {length} lists")
    return value


def _axis(item, axis, feature, raw):
    """The grid and code map of one axis: the feature's own bins (``null``), or a coarse grid."""
    if raw is None:
        return feature, np.arange(feature.n_codes, dtype=np.intp)
    saved = feature_from_dict(Fields(raw, f"{item.path}.bins[{axis}]"))
    if feature.is_categorical or saved.kind != feature.kind or saved.name != feature.name:
        item.fail(f"bins[{axis}]", f"a coarse grid is only for continuous features; expected null "
                                   f"or a continuous grid on {feature.name!r}")
    if not np.isin(saved.thresholds, feature.thresholds).all():
        item.fail(f"bins[{axis}].thresholds", f"a pair's grid cuts only at thresholds of {feature.name!r}")
    grid, code_map = grid_on(feature, saved.thresholds)
    if not np.array_equal(grid.counts, saved.counts):
        item.fail(f"bins[{axis}].counts", f"expected the feature's counts summed over the grid: {grid.counts.tolist()}")
    return grid, code_map


def _rounds(training, n_stages, n_bags):
    rows = training.value("n_rounds")
    path = f"{training.path}.n_rounds"
    if (not isinstance(rows, list) or len(rows) != n_stages
            or not all(isinstance(r, list) and len(r) == n_bags for r in rows)):
        raise ModelFileError(f"field '{path}': expected {n_stages} lists (stages) of {n_bags} integers (outer_bags)")
    for r in rows:
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= np.iinfo(np.int32).max for v in r):
            raise ModelFileError(f"field '{path}': expected rounds as integers >= 0")
    return np.array(rows, dtype=np.intp)


def plan(model):
    """The :class:`AdditivePlan` of a fitted GAM: the intercept, each term's table per fine code
    of its feature(s), the link."""
    features = model.binner_.features_
    n_outputs = np.size(model.intercept_)
    terms = []
    for term in model.terms_:
        # The term's table read through its code maps: one entry per fine code of each feature,
        # so a pair's coarse grid needs no thresholds of its own.
        fine = term.scores[term.code_maps[0]]
        if term.is_pair:
            fine = fine[:, term.code_maps[1]]
        fine = fine.reshape(fine.shape[: len(term.features)] + (n_outputs,))
        expected = tuple(features[j].n_codes for j in term.features)
        if fine.shape[:-1] != expected:
            raise ValueError(f"term {term.name!r} has a table of shape {fine.shape[:-1]}, expected {expected}")
        terms.append(TermPlan(term.name, tuple(int(j) for j in term.features), _tuples(fine)))
    # The raw score starts from zeros + intercept: adding 0.0 first turns a -0.0 intercept into
    # 0.0 as it does.
    intercept = tuple(float(0.0 + v) for v in np.ravel(model.intercept_))
    return AdditivePlan(intercept, tuple(terms), model.loss_.link)


def _tuples(array):
    """Nested lists over all axes but the last, whose rows become tuples of Python floats."""
    if array.ndim == 1:
        return tuple(float(v) for v in array)
    return [_tuples(a) for a in array]
