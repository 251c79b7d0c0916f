"""The HTML report's page structure (the browser test checks how it renders)."""

import re

import pytest

from glassbox.report import MAX_OPEN_TEXT_LINES, render_report
from tests.model_zoo import fitted

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
