"""The report's validation section: a :class:`~glassbox.report.Validation` as HTML.

Everything shown is a number of the Validation (or a figure drawn from them); this module only
lays them out and says, next to each table, how it was computed.
"""

import pandas as pd

from glassbox._base import py_scalar
from glassbox.report._figures import reliability_figure, roc_figure
from glassbox.report._html import Share, e, frame_table, key_values, svg
from glassbox.report._metrics import PSI_FLOOR, PSI_SHIFTED, PSI_STABLE
from glassbox.report._profile import PSI_GROUPS
from glassbox.report._validation import CALIBRATION_BANDS

# Significant digits of the validation's numbers: enough to compare models, few enough to read.
DIGITS = 4
# Metrics shown under calibration; every other metric is shown under discrimination / fit.
_CALIBRATION = ("event rate", "mean observed", "mean predicted", "observed / predicted", "Brier score")

PSI_METHOD = (
    "PSI (population stability index) compares each feature's distribution in the hold-out with the "
    f"model's training rows, over the model's own bins: adjacent bins merged into at most {PSI_GROUPS} groups "
    f"of about equal training rows (categorical features: the {PSI_GROUPS - 1} most frequent levels, the others "
    f"pooled), missing and unseen values as groups of their own; a share of 0 counts as {PSI_FLOOR:g}. "
    f"Usual reading: below {PSI_STABLE:g} stable, {PSI_STABLE:g} to {PSI_SHIFTED:g} watch, above {PSI_SHIFTED:g} "
    "shifted."
)
RANGE_NOTE = (
    "Training missing shares are the model's own counts (its binner). The model does not record its "
    "training minimum and maximum, so values outside the training range are not flagged as such: the edge "
    "columns give each population's share in the lowest and highest bins, beyond the outermost cut points, "
    "where every glassbox model predicts as at the cut point (a hold-out crowding there is extrapolated). "
    "Counts are rows, weights aside."
)


def validation_section(anchor, validation, figures=True):
    """The HTML of one model's validation (``figures=False`` when matplotlib is absent)."""
    v = validation
    weighted = ", metrics weighted by sample_weight" if v.weighted else ""
    lead = f"{v.n_rows} hold-out rows{weighted}."
    if v.task == "binary":
        lead += f" Event class: {py_scalar(v.event)!r}; probabilities, AUC, KS and calibration are about it."
    parts = [f'<section id="{anchor}"><h3>Validation on hold-out data</h3><p class="muted">{e(lead)}</p>']

    first = "Discrimination" if v.task != "regression" else "Fit"
    parts.append(f"<h4>{first}</h4>")
    table = key_values([(k, x) for k, x in v.metrics.items() if k not in _CALIBRATION], DIGITS)
    parts.append(_beside(table, f'<figure class="roc">{svg(roc_figure(v))}</figure>' if figures and v.roc else ""))
    if v.task == "binary":
        parts.append('<p class="muted">Gini = 2 AUC - 1. KS: the largest distance between the events\' and the '
                     "non-events' distributions of the predicted probability (on the ROC curve, the largest height "
                     "above the diagonal, drawn in red); it occurs at the probability shown: rows at or below it "
                     "against rows above it.</p>")

    parts.append("<h4>Calibration</h4>")
    table = key_values([(k, x) for k, x in v.metrics.items() if k in _CALIBRATION], DIGITS)
    parts.append(_beside(table, f'<figure class="reliability">{svg(reliability_figure(v))}</figure>'
                         if figures else ""))
    how = (f"Rows in {CALIBRATION_BANDS} bands of about equal count by the prediction (deciles): tied "
           f"predictions share a band, and a model with at most {CALIBRATION_BANDS} distinct predictions (a tree, "
           "a rule list) gets one band per prediction.")
    parts.append(f'<p class="muted">{e(how)}</p>')
    if len(v.calibration) == 1:
        parts.append(frame_table(next(iter(v.calibration.values())), digits=DIGITS))
    else:
        parts += [f"<details><summary>{e(name)} vs rest: {len(table)} bands</summary>"
                  f"{frame_table(table, digits=DIGITS)}</details>" for name, table in v.calibration.items()]

    parts.append("<h4>Data profile</h4>")
    noise = (PSI_GROUPS - 1) * (1 / v.n_rows + 1 / max(v.n_training_rows, 1))
    sampling = (f"Sampling alone gives a PSI of about (groups - 1) x (1 / hold-out rows + 1 / training rows): "
                f"{noise:.2g} for {PSI_GROUPS} groups, {v.n_rows} hold-out and {v.n_training_rows} training rows"
                + ("; on so few rows a stable feature can read watch by chance." if noise > PSI_STABLE / 2 else "."))
    parts.append(f'<p class="muted">{e(RANGE_NOTE)} {e(PSI_METHOD)} {e(sampling)}</p>')
    profile = frame_table(_shown_profile(v.profile), css_class="profile", digits=DIGITS)
    parts.append(f'<div class="wide">{profile}</div>')

    if v.segments:
        parts.append("<h4>Segments</h4>")
        parts.append('<p class="muted">The metrics per group of each segment column, for fairness and stability '
                     "checks; the first row is every hold-out row. Observed / predicted above 1: the model "
                     "under-predicts the group.</p>")
        for name, (how, table) in v.segments.items():
            parts.append(f"<h5>{e(name)}</h5><p class=\"muted\">{e(how)}.</p>{frame_table(table, digits=DIGITS)}")
    parts.append("</section>")
    return "".join(parts)


def _shown_profile(profile):
    """The profile as the page shows it: shares as percentages; when no feature is categorical,
    no kind and no unseen-level columns (they would say nothing)."""
    shown = profile.copy()
    for column in ("missing in training", "missing in hold-out"):
        shown[column] = pd.Series([Share(x) for x in shown[column]], index=shown.index, dtype=object)
    for column in ("lowest bin: training → hold-out", "highest bin: training → hold-out"):
        shown[column] = shown[column].str.replace(" ", "\u00a0")  # one line: "<= 35: 0.1% → 0.2%"
    if not (shown["kind"] == "categorical").any():
        shown = shown.drop(columns=["kind", "unseen levels (rows)", "unseen examples"])
    return shown


def _beside(left, right):
    """Numbers on the left, their figure on the right (stacked on a narrow screen)."""
    if not right:
        return left
    return f'<div class="beside"><div>{left}</div>{right}</div>'
