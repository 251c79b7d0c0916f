"""The HTML report's page structure (the browser test checks how it renders)."""

import re

import pytest

from glassbox.report import MAX_OPEN_TEXT_LINES, render_report
from tests.model_zoo import fitted, quiet

pytest.importorskip("matplotlib", reason="the report draws its figures with matplotlib (in the test extra)")


def _structure_block(page):
    return page[page.index("<h3>Structure</h3>"):]


def test_short_structure_text_is_open_and_long_text_starts_folded():
    short, long = fitted("tree_clf-binary").model, fitted("gam_reg-houses").model
    assert short.to_text().count("\n") + 1 <= MAX_OPEN_TEXT_LINES < long.to_text().count("\n") + 1
    short_block = _structure_block(render_report([("tree", short)]))
    assert short_block.startswith("<h3>Structure</h3><pre>")
    long_block = _structure_block(render_report([("gam", long)]))
    n_lines = long.to_text().count("\n") + 1
    assert re.match(rf"<h3>Structure</h3><details><summary>Structure as text: {n_lines} lines</summary><pre>", long_block)
    assert "Structure as text" not in short_block


# --- the validation section ----------------------------------------------------------------------

import html  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from glassbox.report import validate  # noqa: E402
from glassbox.report._notes import model_notes  # noqa: E402


def _holdout(case):
    f = fitted(case)
    return f, f.X_test.assign(region=np.where(np.arange(len(f.y_test)) % 3 == 0, "north", "south"))


def test_the_validation_section_shows_the_numbers_of_validate():
    f, X = _holdout("gam_clf-binary")
    plain = render_report([("gam", f.model)])
    assert "Validation on hold-out data" not in plain and "<h4>Discrimination</h4>" not in plain
    page = render_report([("gam", f.model)], X=X, y=f.y_test, segments=["region"])
    for heading in ("<h3>Validation on hold-out data</h3>", "<h4>Discrimination</h4>", "<h4>Calibration</h4>",
                    "<h4>Data profile</h4>", "<h4>Segments</h4>", "<h5>region</h5>"):
        assert page.count(heading) == 1, heading
    assert '<figure class="roc"><svg' in page and '<figure class="reliability"><svg' in page
    p = quiet(f.model.predict_proba, X[list(f.model.feature_names_in_)])[:, 1]
    auc = roc_auc_score(f.y_test == f.model.classes_[1], p)
    assert f'<tr><th>AUC</th><td class="num">{auc:.4g}</td></tr>' in page
    assert "<tr><th>event class</th><td>1: predict_proba(X)[:, 1]; probabilities, AUC, KS and calibration" in page
    v = validate(f.model, X, f.y_test, segments=["region"])
    north = v.segments["region"][1].set_index("group").loc["north", "AUC"]
    assert f'<td>north</td><td class="num">{(X["region"] == "north").sum()}</td>' in page
    assert f'<td class="num">{north:.4g}</td>' in page
    assert "<td>purple</td>" not in page and "&#x27;purple&#x27;" in page  # the unseen level, escaped
    missing_train, missing_hold = f.X_train["num"].isna().mean(), f.X_test["num"].isna().mean()
    n_bins = f.model.binner_.features_[0].n_bins
    assert (f'<td>num</td><td>continuous</td><td class="num">{n_bins}</td><td class="num">{missing_train:.1%}</td>'
            f'<td class="num">{missing_hold:.1%}</td>') in page  # shares as percentages
    n_hold, n_train = len(f.y_test), len(f.y_train)
    noise = 9 * (1 / n_hold + 1 / n_train)  # PSI's sampling noise over 10 groups, said for these row counts
    assert f"{noise:.2g} for 10 groups, {n_hold} hold-out and {n_train} training rows" in page


def test_a_one_class_hold_out_renders_without_a_roc_curve():
    f = fitted("rules_clf-binary")
    y = np.full(len(f.y_test), f.model.classes_[1])
    page = render_report([f.model], X=f.X_test, y=y)
    assert '<td class="na">n/a: one class</td>' in page and '<figure class="roc">' not in page


def test_multiclass_and_regression_sections():
    f = fitted("tree_clf-multiclass")
    page = render_report([f.model], X=f.X_test, y=f.y_test)
    assert "AUC high vs rest" in page and "<summary>high vs rest:" in page
    g = fitted("gam_reg-poisson")
    page = render_report([g.model], X=g.X_test, y=g.y_test)
    assert "<h4>Fit</h4>" in page and "mean poisson deviance" in page and "<th>predicted band</th>" in page


def test_notes_explain_an_unproven_rule_list():
    model = fitted("rules_clf-binary").model
    assert not model.optimal_
    page = render_report([model])
    (note,) = model_notes(model)
    assert "<h3>Certificate and budget</h3>" in page and html.escape(note) in page
    assert "no list of the same length over these candidate rules has a training mean log loss lower by more than" \
        in note


def test_a_report_refuses_half_a_hold_out_and_names_the_model_it_fails_on():
    f = fitted("tree_clf-binary")
    with pytest.raises(ValueError, match="needs both the hold-out rows X and their target y"):
        render_report([f.model], X=f.X_test)
    with pytest.raises(ValueError, match="give the hold-out X and y too"):
        render_report([f.model], segments=["color"])
    with pytest.raises(ValueError, match="^tree: the hold-out lacks column the model needs: 'num'"):
        render_report([("tree", f.model)], X=f.X_test.drop(columns="num"), y=f.y_test)


def test_hold_out_values_on_the_page_are_escaped():
    f = fitted("tree_clf-binary")
    hostile = "<script>alert(1)</script>"
    X = f.X_test.assign(color=f.X_test["color"].where(np.arange(len(f.y_test)) % 5 != 0, hostile))
    page = render_report([f.model], X=X, y=f.y_test, segments={hostile: np.where(f.y_test == 1, hostile, "b")})
    assert "<script" not in page
    assert page.count(html.escape(hostile)) >= 3  # the unseen level, the segment's name and its group
