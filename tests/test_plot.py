"""Plot smoke tests over every estimator (tests/model_zoo.py): each figure is made, draws, has
axes that name the model's features, and leaves nothing open in pyplot."""

import io
import sys

import matplotlib

matplotlib.use("Agg")  # before pyplot: tests never open a window

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import glassbox as gb  # noqa: E402
from glassbox.distill import inspected  # noqa: E402
from tests.model_zoo import case_ids, fitted, quiet  # noqa: E402


def _texts(fig):
    """Every piece of text a reader sees: titles, axis labels, tick labels, boxes."""
    out = []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels() + ax.texts]
    out += [t.get_text() for t in fig.texts]
    return " ".join(out)


def _draws(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=30)
    return buffer.tell() > 0


def _features(model):
    if hasattr(model, "terms_"):
        return [list(t.names) for t in model.terms_]
    rules = model.rules_ if hasattr(model, "rules_") else model.tree_.leaves
    return [[c.name for c in r.conditions] for r in rules]


@pytest.fixture(autouse=True)
def _nothing_left_open():
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "a figure was left open in pyplot"


@pytest.mark.parametrize("case", case_ids())
def test_figures_draw_and_name_the_features(case):
    f = fitted(case)
    model = inspected(f.model)
    features = _features(model)
    overall = gb.plot(f.model)
    assert isinstance(overall, Figure) and overall.axes
    assert all(name in _texts(overall) for names in features for name in names)
    assert _draws(overall)
    for key in {0, len(features) - 1}:  # the first and last term / rule / leaf
        fig = f.model.plot(key)
        assert isinstance(fig, Figure) and fig.axes
        assert all(name in _texts(fig) for name in features[key]), (features[key], _texts(fig)[:200])
    X = f.X_test.iloc[:1]
    fig = quiet(f.model.explain_local, X, f.y_test[:1]).plot(0)
    assert isinstance(fig, Figure) and f"row {X.index[0]}: prediction" in _texts(fig)
    assert _draws(fig)


def test_all_gives_the_whole_model_then_every_item():
    f = fitted("rules_clf-multiclass")
    figures = gb.plot(f.model, "all")
    assert len(figures) == 1 + len(f.model.rules_)
    assert all(isinstance(fig, Figure) for fig in figures)
    assert [fig.axes[0].get_title() for fig in figures[1:]] == [
        f"RuleListClassifier: rule {r}" for r in range(len(f.model.rules_))]


def test_gam_term_figures_show_their_parts():
    f = fitted("gam_clf-binary")
    model = f.model
    shape = model.plot("num")  # continuous, with missing values in training
    assert [ax.get_xlabel() for ax in shape.axes][1] == "num"
    assert "missing" in _texts(shape) and "density" in _texts(shape)
    bars = model.plot("color")  # categorical
    labels = [t.get_text() for t in bars.axes[1].get_xticklabels()]
    assert labels[:3] == ["blue", "green", "red"] and labels[-1] == "missing"
    pair = next(i for i, t in enumerate(model.terms_) if t.is_pair)
    heatmap = model.plot(pair)
    a, b = model.terms_[pair].names
    assert heatmap.axes[0].get_xlabel() == a and heatmap.axes[0].get_ylabel() == b
    assert all(_draws(fig) for fig in (shape, bars, heatmap))
    importance = model.plot()
    assert [t.get_text() for t in importance.axes[0].get_yticklabels()][-1] == model.term_importances().idxmax()


def test_multiclass_pairs_get_one_heatmap_per_class():
    model = fitted("gam_clf-multiclass").model
    pair = next(i for i, t in enumerate(model.terms_) if t.is_pair)
    fig = model.plot(pair)
    titles = [ax.get_title() for ax in fig.axes]
    assert all(any(repr(str(c)) in t for t in titles) for c in model.classes_)


def test_show_makes_the_figure_through_pyplot():
    model = fitted("tree_clf-monotone").model
    fig = model.plot(show=True)  # Agg: plt.show() returns at once
    assert plt.get_fignums() == [fig.number]
    plt.close(fig)


def test_bad_requests_get_clear_errors(monkeypatch):
    gam = fitted("gam_reg-regression").model
    with pytest.raises(ValueError, match="names no term"):
        gam.plot("nope")
    with pytest.raises(TypeError, match="what must be"):
        gam.plot(1.5)
    with pytest.raises(IndexError, match="out of range"):
        gam.plot(len(gam.terms_))
    local = quiet(gam.explain_local, fitted("gam_reg-regression").X_test.iloc[:3])
    with pytest.raises(ValueError, match=r"explanation.plot\(i\)"):
        local.plot()
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if matplotlib were not installed
    with pytest.raises(ImportError, match=r"glassbox\[plot\]"):
        gam.plot()


def test_a_categorical_with_hundreds_of_levels_draws_its_most_frequent_ones():
    """About 250 levels once made a figure 116 inches wide: the 40 most frequent are drawn (in the
    model's order, with the missing bar), the title says how many there are."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 20_000
    levels = [f"z{i:03d}" for i in range(250)]
    X = pd.DataFrame({"zip": rng.choice(levels, n, p=np.arange(1, 251) / np.arange(1, 251).sum())})
    X.loc[::50, "zip"] = None
    y = (rng.random(n) < 0.3).astype(int)
    model = gb.GAMClassifier(outer_bags=1, interactions=0, random_state=0).fit(X, y)
    figure = model.explain_global().plot(0)
    ticks = [t.get_text() for t in _level_ticks(figure)]
    assert max(figure.get_size_inches()) <= 21 and len(ticks) == 41 and ticks[-1] == "missing"
    counts = X["zip"].value_counts()
    most_frequent = sorted(counts.index, key=lambda level: (-counts[level], level))[:40]  # ties: model order
    assert ticks[:-1] == sorted(most_frequent)
    assert f"40 most frequent of {len(counts)} levels" in figure.axes[0].get_title()  # the levels fit saw


# --- categorical levels: readable labels whatever their number and length ------------------------

def _level_ticks(figure):
    """The tick labels naming a categorical term's levels."""
    return _level_axis(figure)[1]


def _level_axis(figure):
    """``("x" or "y", tick labels)`` of the axis naming a categorical term's levels."""
    for ax in figure.axes:
        for axis, ticks in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels())):
            texts = [t for t in ticks if t.get_text()]
            if texts and not any(_is_number(t.get_text()) for t in texts):
                return axis, texts
    raise AssertionError("no axis names the levels")


def _is_number(text):
    try:
        float(text.replace("−", "-"))
        return True
    except ValueError:
        return False


def _categorical_gam(levels, n_classes=2, n=3000, missing=False):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"level": rng.choice(levels, n), "x": rng.normal(size=n)})
    if missing:
        X.loc[::40, "level"] = None
    y = rng.integers(0, n_classes, n)
    return gb.GAMClassifier(outer_bags=1, interactions=0, random_state=0).fit(X, y), X


_WORDS = ["Wholesale", "Machinery", "Management", "WWW", "mm", "Other", "Self-employed", "Admin", "Craft", "Repair"]


def _names(n, words, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    names = set()
    while len(names) < n:
        names.add(" ".join(rng.choice(_WORDS, words)) + f" {len(names)}")
    return sorted(names)


@pytest.mark.parametrize("levels, n_classes, missing", [
    ([f"WWWWWWWWW{i}" for i in range(7)], 2, True),  # few short ones, of wide letters: columns
    ([f"WWWWWWW{i}" for i in range(8)], 2, True),  # one more: rows
    (_names(3, 1, 0), 2, False),
    (_names(25, 1, 1), 2, True),  # many short ones
    (_names(40, 6, 2), 2, True),  # many long ones: shortened
    (_names(15, 3, 3), 3, False),  # multiclass
    (_names(120, 4, 4), 2, True),  # beyond MAX_BARS
])
def test_category_labels_never_overlap_and_the_figure_stays_sane(levels, n_classes, missing):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from glassbox.explain._plot_gam import MAX_BARS
    from glassbox.explain._plots import MAX_LABEL

    model, X = _categorical_gam(levels, n_classes, missing=missing)
    figure = model.plot("level")
    columns = len(levels) + missing <= 8 and max(map(len, levels)) <= 10
    assert _level_axis(figure)[0] == ("x" if columns else "y")
    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    ticks = _level_ticks(figure)
    assert len(ticks) == min(len(levels), MAX_BARS) + missing
    boxes = [t.get_window_extent(renderer) for t in ticks]
    overlapping = [(ticks[i].get_text(), ticks[j].get_text()) for i in range(len(boxes))
                   for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    assert overlapping == []
    page = figure.bbox
    assert all(page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 and b.y1 <= page.y1 for b in boxes)
    width, height = figure.get_size_inches()
    assert 4 <= width <= 16 and 4 <= height <= 16
    score_axes = figure.axes[0].get_window_extent(renderer)
    assert score_axes.width > 0.3 * page.width  # the labels leave room for the bars
    labels = [t.get_text() for t in ticks]
    assert all(len(label) <= MAX_LABEL for label in labels) and len(set(labels)) == len(labels)
    shortened = any(len(name) > MAX_LABEL for name in levels)
    assert ("to_frame() gives them in full" in _texts(figure)) == shortened
    if shortened:  # the full names are where the note says
        bins = model.explain_global().to_frame()["bin"].astype(str).tolist()
        assert all(any(name in b for b in bins) for name in levels)


def test_short_labels_cut_the_middle_and_keep_levels_apart():
    from glassbox.explain._plots import short_labels

    long = "a" * 20 + "b" * 20
    labels, shortened = short_labels(["short", long, long + "x", long + "y"], 12)
    assert shortened and labels[0] == "short" and len(set(labels)) == 4
    assert labels[1] == "aaaaaa…bbbbb" and all(len(label) <= 12 for label in labels[1:])
    assert short_labels(["same start, other end " + e for e in "xyz"], 10)[0][0].endswith("x")
    prefix_only = ["p" * 30 + "1" + "q" * 30, "p" * 30 + "2" + "q" * 30]  # differ only in the middle
    labels, _ = short_labels(prefix_only, 12)
    assert len(set(labels)) == 2 and "1" in labels[0] and "2" in labels[1]
    assert short_labels(["a", "b"]) == (["a", "b"], False)


def test_a_pair_heatmap_shortens_long_level_names():
    import numpy as np
    import pandas as pd

    from glassbox.explain._plots import MAX_LABEL

    levels = _names(12, 6, 5)
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"level": rng.choice(levels, 2000), "x": rng.normal(size=2000)})
    y = (rng.random(2000) < 0.4).astype(int)
    model = gb.GAMClassifier(outer_bags=1, interactions=[["level", "x"]], random_state=0).fit(X, y)
    pair = next(i for i, t in enumerate(model.terms_) if t.is_pair)
    labels = [t.get_text() for t in model.plot(pair).axes[0].get_xticklabels()]
    assert labels and all(len(label) <= MAX_LABEL for label in labels)
    assert any("…" in label for label in labels) and len(set(labels)) == len(labels)
