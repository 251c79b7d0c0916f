"""The binning's part of a model file: every FeatureBins as plain JSON, and back.

Thresholds are written as JSON numbers by ``repr`` (shortest round-trip), so the loaded model
compares against exactly the same floats and gives bit-identical codes.
"""

import numpy as np

from glassbox._ext._typedefs import MAX_VALUE_BINS
from glassbox.binning import CATEGORICAL, CONTINUOUS, Binner, FeatureBins
from glassbox.export._fields import ModelFileError


def binning_to_dict(binner):
    """The fitted ``binner`` as JSON-ready data."""
    names = getattr(binner, "feature_names_in_", None)
    return {
        "params": {k: v for k, v in binner.get_params().items() if k in ("max_bins", "subsample")},
        "feature_names_in": None if names is None else [str(n) for n in names],
        "features": [_feature_to_dict(f) for f in binner.features_],
    }


def _feature_to_dict(feature):
    for level in feature.levels + feature.other_levels:
        if not isinstance(level, (str, int, float, bool)):
            raise TypeError(
                f"level {level!r} of feature {feature.name!r} is a {type(level).__name__}; model files "
                "hold string, number and boolean levels only: convert the column before fitting."
            )
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
    params = fields.obj("params")
    binner = Binner(max_bins=params.int("max_bins", 2, MAX_VALUE_BINS),
                    subsample=params.data.get("subsample"))
    features = []
    for item in fields.objs("features"):
        kind = item.str("kind", (CONTINUOUS, CATEGORICAL))
        feature = FeatureBins(
            name=item.str("name"),
            kind=kind,
            thresholds=item.floats("thresholds", increasing=True),
            levels=item.scalars("levels"),
            other_levels=item.scalars("other_levels"),
        )
        if kind == CONTINUOUS and (feature.levels or feature.other_levels):
            raise ModelFileError(f"field '{item.path}.levels': a continuous feature has no levels")
        if kind == CATEGORICAL and len(feature.thresholds):
            raise ModelFileError(f"field '{item.path}.thresholds': a categorical feature has no thresholds")
        if feature.n_bins > MAX_VALUE_BINS:
            raise ModelFileError(f"field '{item.path}': {feature.n_bins} bins, more than {MAX_VALUE_BINS}")
        counts = item.ints("counts", length=feature.n_codes, lo=0)
        features.append(FeatureBins(feature.name, kind, feature.thresholds, feature.levels,
                                    feature.other_levels, counts))
    if not features:
        raise ModelFileError(f"field '{fields.path}.features': a model needs at least one feature")
    names = fields.data.get("feature_names_in")
    if names is not None:
        if not isinstance(names, list) or [f.name for f in features] != names:
            raise ModelFileError(f"field '{fields.path}.feature_names_in': must list the features' names in order")
        binner.feature_names_in_ = np.asarray(names, dtype=object)
    binner.n_features_in_ = len(features)
    binner.features_ = features
    return binner
