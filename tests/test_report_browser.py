"""The HTML report in a real headless browser: it loads with no console errors, asks the network
for nothing, and a screenshot shows its content.

Needs Debian's chromium (/usr/bin/chromium) and Playwright for Python. Locally the test skips
when either is missing; CI installs both and sets GLASSBOX_REQUIRE_BROWSER=1, so there a missing
browser fails the run instead of skipping the check.
"""

import os
import shutil

import numpy as np
import pytest

from glassbox.report import write_report
from tests.model_zoo import fitted

CHROMIUM = os.environ.get("GLASSBOX_CHROMIUM", "/usr/bin/chromium")
# The flags that keep Chromium from reaching out to Google's services on a closed network.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def _browser_or_skip():
    required = os.environ.get("GLASSBOX_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("Playwright for Python is not installed (pip install playwright)")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if required:
            pytest.fail(f"GLASSBOX_REQUIRE_BROWSER=1 but there is no chromium at {CHROMIUM}")
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    return sync_playwright


def test_report_loads_cleanly_and_shows_its_content(tmp_path):
    sync_playwright = _browser_or_skip()
    import matplotlib  # noqa: F401  (in the test extra: a broken install fails, never skips)
    cases = ["gam_clf-binary", "rules_clf-multiclass", "tree_reg-regression", "distilled_clf-binary"]
    models = [(case, fitted(case).model) for case in cases]
    page_path = tmp_path / "report.html"
    write_report(models, page_path)

    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri(), wait_until="load")
            title = page.title()
            headings = page.locator("h2").all_inner_texts()
            n_svg = page.locator("figure svg").count()
            svg_box = page.locator("figure svg").first.bounding_box()
            body = page.inner_text("body")
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []  # self-contained: no network
    assert title == "glassbox report"
    assert headings == cases
    assert n_svg >= len(cases)  # every model has at least one figure
    assert svg_box["width"] > 200 and svg_box["height"] > 100  # figures are drawn at a readable size
    for name in ("num", "color", "IF ", "ELSE"):  # feature names and the rule list's text are on the page
        assert name in body

    import matplotlib.image

    image = matplotlib.image.imread(str(shot))
    assert image.shape[0] > 2000 and image.shape[1] >= 1200  # the whole page, four models long
    ink = (image[..., :3].mean(axis=2) < 0.5).mean()
    assert 0.005 < ink < 0.5, ink  # text and figures on a light page, not blank and not all dark
    rgb = np.round(image[..., :3] * 255).astype(np.int64)
    colours = np.bincount(((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]).ravel(), minlength=1 << 24)
    assert np.count_nonzero(colours) > 50  # colour plots, not text only


def test_the_validation_section_renders(tmp_path):
    """A report with hold-out data: its validation headings, ROC and reliability figures at a
    readable size, and the segment tables, with no console error and no request."""
    sync_playwright = _browser_or_skip()
    import matplotlib  # noqa: F401  (in the test extra: a broken install fails, never skips)
    f = fitted("gam_clf-binary")
    X = f.X_test.assign(region=np.where(np.arange(len(f.y_test)) % 3 == 0, "north", "south"))
    page_path = tmp_path / "validated.html"
    write_report([("gam", f.model), ("rules", fitted("rules_clf-binary").model)], page_path, X=X, y=f.y_test,
                 segments=["region", "num"])

    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri(), wait_until="load")
            validation = page.locator("section[id$='-validation']")
            n_sections = validation.count()
            headings = validation.first.locator("h3, h4, h5").all_inner_texts()
            roc = page.locator("figure.roc svg")
            n_roc, roc_box = roc.count(), roc.first.bounding_box()
            reliability_box = page.locator("figure.reliability svg").first.bounding_box()
            segment_rows = validation.first.locator("h5:text('region') + p + table tr").count()
            body = validation.first.inner_text()
            page.locator("figure.roc").first.screenshot(path=str(tmp_path / "roc.png"))
        finally:
            browser.close()

    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert n_sections == 2 and n_roc == 2
    assert headings == ["Validation on hold-out data", "Discrimination", "Calibration", "Data profile", "Segments",
                        "region", "num"]
    for box in (roc_box, reliability_box):
        assert 300 < box["width"] <= 600 and box["height"] > 250
    assert roc_box["x"] > 150  # beside its table, not below it
    assert segment_rows == 4  # header, all rows, south, north
    for text in ("AUC", "Gini", "KS at probability", "Brier score", "observed rate", "PSI reading", "stable"):
        assert text in body

    import matplotlib.image

    image = matplotlib.image.imread(str(tmp_path / "roc.png"))
    ink = (image[..., :3].mean(axis=2) < 0.5).mean()
    assert 0.005 < ink < 0.5, ink  # a drawn curve with axes, not a blank box
