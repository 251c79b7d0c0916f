"""The binning's part of a model file: every FeatureBins as plain JSON, and back.

Thresholds are written as JSON numbers by ``repr`` (shortest round-trip), so the loaded model
compares against exactly the same floats and gives bit-identical codes.
"""

import numpy as np

from glassbox._ext._typedefs import MAX_VALUE_BINS
from glassbox.binning import CATEGORICAL, CONTINUOUS, Binner, FeatureBins
from glassbox.export._fields import ModelFileError, plain_scalar


def binning_to_dict(binner):
    """The fitted ``binner`` as JSON-ready data."""
    names = getattr(binner, "feature_names_in_", None)
    return {
        "params": {k: v for k, v in binner.get_params().items() if k in ("max_bins", "subsample")},
        "feature_names_in": None if names is None else [str(n) for n in names],
        "features": [feature_to_dict(f) for f in binner.features_],
    }


def feature_to_dict(feature):
    """One :class:`FeatureBins` as JSON-ready data (levels must be strings, numbers or booleans)."""
    for level in feature.levels + feature.other_levels:
        plain_scalar(level, f"feature {feature.name!r}: level",
                     "model files hold string, number and boolean levels only: convert the column before fitting.")
    return {
        "name": feature.name,
        "kind": feature.kind,
        "thresholds": [float(t) for t in feature.thresholds],
        "levels": list(feature.levels),
        "other_levels": list(feature.other_levels),
        "counts": [int(c) for c in feature.counts],
    }


def binning_from_dict(fields):
    """A fitted :class:`Binner` from the ``binning`` object of a model file (a ``Fields``)."""
    fields.only("params", "feature_names_in", "features")
    params = fields.obj("params").only("max_bins", "subsample")
    subsample = None if params.is_null("subsample") else params.int("subsample", lo=2)
    binner = Binner(max_bins=params.int("max_bins", 2, MAX_VALUE_BINS), subsample=subsample)
    features = [feature_from_dict(item) for item in fields.objs("features")]
    if not features:
        raise ModelFileError(f"field '{fields.path}.features': a model needs at least one feature")
    names = fields.value("feature_names_in")
    if names is not None:
        if not isinstance(names, list) or [f.name for f in features] != names:
            raise ModelFileError(f"field '{fields.path}.feature_names_in': must list the features' names in order")
        binner.feature_names_in_ = np.asarray(names, dtype=object)
    binner.n_features_in_ = len(features)
    binner.features_ = features
    return binner


def feature_from_dict(item):
    """One :class:`FeatureBins` from its object in a model file (an ``item`` of ``Fields``)."""
    item.only("name", "kind", "thresholds", "levels", "other_levels", "counts")
    kind = item.str("kind", (CONTINUOUS, CATEGORICAL))
    feature = FeatureBins(
        name=item.str("name"),
        kind=kind,
        thresholds=item.floats("thresholds", increasing=True),
        levels=item.scalars("levels"),
        other_levels=item.scalars("other_levels"),
    )
    if kind == CONTINUOUS and (feature.levels or feature.other_levels):
        item.fail("levels", "a continuous feature has no levels")
    if kind == CATEGORICAL and len(feature.thresholds):
        item.fail("thresholds", "a categorical feature has no thresholds")
    if set(feature.levels) & set(feature.other_levels):
        item.fail("other_levels", "a level cannot be both kept and grouped as other")
    if feature.n_bins > MAX_VALUE_BINS:
        raise ModelFileError(f"field '{item.path}': {feature.n_bins} bins, more than {MAX_VALUE_BINS}")
    counts = item.ints("counts", length=feature.n_codes, lo=0)
    return FeatureBins(feature.name, kind, feature.thresholds, feature.levels, feature.other_levels, counts)
