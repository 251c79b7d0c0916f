"""The data profile: how the hold-out's features compare with what the model was fitted on.

The training side is what the model itself records: its binner's ``FeatureBins.counts``, the
training rows in each value bin and in the missing bin. The hold-out is binned by the same
binner (its public ``transform``), so both sides are counted over exactly the bins the model
predicts with. Counts are rows, weights aside, as the binner's are.

What the model does not record is each feature's training minimum and maximum, so values
outside the training range cannot be flagged as such; the profile shows instead the share of
rows in the lowest and highest bins, beyond the outermost cut points, where every glassbox model
predicts the same as at the cut point: a hold-out that crowds there is a hold-out the model
extrapolates for.
"""

import warnings

import numpy as np
import pandas as pd

from glassbox._base import py_scalar
from glassbox.binning import UnseenCategoryWarning
from glassbox.report._metrics import psi, psi_reading

# PSI is summed over at most this many groups of value bins (plus missing and unseen): over a
# model's hundreds of fine bins it would grow with sampling noise alone (about one bin's worth
# of noise per bin), so a few thousand rows from the very same population would read "shifted".
PSI_GROUPS = 10
# Unseen levels shown by name per feature.
MAX_UNSEEN_EXAMPLES = 5


def psi_groups(feature):
    """The PSI group of each of ``feature``'s value bins (ints, contiguous for continuous features)."""
    counts = feature.counts[:feature.n_bins].astype(np.float64)
    if feature.is_categorical:
        rank = np.empty(feature.n_bins, dtype=np.intp)
        rank[np.argsort(-counts, kind="stable")] = np.arange(feature.n_bins)
        return np.minimum(rank, PSI_GROUPS - 1)  # the most frequent levels alone, the rest pooled
    # A bin joins the group its first row falls in, by training share: groups of about equal rows
    # that never split a bin (a bin with a heavy tie is a group of its own).
    before = np.cumsum(counts) - counts
    share = before / max(counts.sum(), 1.0)
    return np.minimum((share * PSI_GROUPS).astype(np.intp), PSI_GROUPS - 1)


def feature_psi(feature, holdout_counts):
    """PSI of one feature between its training counts and the hold-out's counts per code."""
    groups = psi_groups(feature)
    n_groups = int(groups.max()) + 1 if len(groups) else 0

    def grouped(counts):
        values = np.bincount(groups, weights=counts[:feature.n_bins], minlength=n_groups)
        return np.r_[values, counts[feature.missing_code], counts[feature.unseen_code]]

    return psi(grouped(feature.counts.astype(np.float64)), grouped(holdout_counts.astype(np.float64)))


def data_profile(binner, X):
    """One row per feature: missing shares, unseen levels, edge bins and PSI, training vs hold-out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenCategoryWarning)  # the profile reports them, by name
        codes = binner.transform(X)
    n_rows = codes.shape[0]
    rows = []
    for j, feature in enumerate(binner.features_):
        train = feature.counts
        n_train = max(int(train.sum()), 1)
        hold = np.bincount(codes[:, j], minlength=feature.n_codes)
        unseen = codes[:, j] == feature.unseen_code
        value = feature_psi(feature, hold)
        rows.append({
            "feature": feature.name,
            "kind": feature.kind,
            "bins": feature.n_bins,
            "missing in training": train[feature.missing_code] / n_train,
            "missing in hold-out": hold[feature.missing_code] / n_rows,
            "PSI": value,
            "PSI reading": psi_reading(value),
            "unseen levels (rows)": int(unseen.sum()) if feature.is_categorical else "",
            "unseen examples": _examples(X, j, unseen),
            "lowest bin: training → hold-out": _edge(feature, train, hold, 0),
            "highest bin: training → hold-out": _edge(feature, train, hold, feature.n_bins - 1),
        })
    return pd.DataFrame(rows)


def _examples(X, j, unseen):
    if not unseen.any():
        return ""
    column = X.iloc[:, j] if isinstance(X, pd.DataFrame) else X[:, j]
    values = pd.unique(np.asarray(column, dtype=object)[unseen])
    shown = ", ".join(repr(py_scalar(v)) for v in values[:MAX_UNSEEN_EXAMPLES])
    return shown + (f" and {len(values) - MAX_UNSEEN_EXAMPLES} more" if len(values) > MAX_UNSEEN_EXAMPLES else "")


def _edge(feature, train, hold, code):
    """``"<= 12.5: 0.4% → 2.0%"``: one edge bin's label and its share of each population."""
    if feature.is_categorical or len(feature.thresholds) == 0:
        return ""
    return (f"{feature.bin_label(code)}: {train[code] / max(train.sum(), 1):.1%} → "
            f"{hold[code] / max(hold.sum(), 1):.1%}")
