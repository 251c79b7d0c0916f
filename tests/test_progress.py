"""``verbose``: rule lists and trees report their search on stderr at a bounded rate, and fit the
same model with it as without."""

import copy

import pytest

import glassbox as gb
from glassbox import _progress
from glassbox.export import to_dict
from tests.model_zoo import _data


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_lines_come_at_most_once_per_interval_and_forced_ones_always(monkeypatch, capsys):
    clock = _Clock()
    monkeypatch.setattr(_progress.time, "perf_counter", clock)
    built = []

    def message():
        built.append(clock.now)
        return f"at {clock.now}"

    progress = _progress.Progress(1, "test")
    for now, force in [(100.5, False), (101.9, False), (102.1, False), (103.0, False), (103.5, True),
                       (105.0, False), (105.6, False)]:
        clock.now = now
        progress(message, force=force)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["[glassbox test] at 102.1 (2.1s)", "[glassbox test] at 103.5 (3.5s)",
                     "[glassbox test] at 105.6 (5.6s)"]
    assert built == [102.1, 103.5, 105.6]  # a message is built only when its line is printed


def test_verbose_0_prints_nothing_even_when_forced(capsys):
    _progress.Progress(0, "test")(lambda: pytest.fail("built"), force=True)
    assert capsys.readouterr().err == ""


# Each estimator on data where its search runs every stage that reports (mining conjunctions, the
# beam, branch and bound and the moves; the depth-3 sweep over root splits and the deepening).
ESTIMATORS = {
    "RuleListClassifier": (lambda v: gb.RuleListClassifier(max_nodes=300, verbose=v), "mixed_binary",
                           ["candidate rules mined", "mining conjunctions of 2 conditions", "beam search",
                            "branch and bound: ", "of max_nodes=300 prefixes expanded", "lower bound", "gap",
                            "search stopped by max_nodes"]),
    "RuleListRegressor": (lambda v: gb.RuleListRegressor(max_nodes=100, verbose=v), "mixed_regression",
                          ["candidate rules mined", "beam search", "moving rules in the best list",
                           "search stopped by max_nodes"]),
    "ShallowTreeClassifier": (lambda v: gb.ShallowTreeClassifier(max_depth=4, n_jobs=2, verbose=v), "mixed_binary",
                              ["searching trees of depth <= 4", "time_limit=60s", "depth-3 root splits: ",
                               "thresholds tried", "best objective", "deepening leaf 1 of",
                               "done: ", "not proven optimal (depth > 3"]),
    "ShallowTreeRegressor": (lambda v: gb.ShallowTreeRegressor(max_depth=3, verbose=v), "mixed_regression",
                             ["depth-3 root splits: ", "done: ", "proven optimal"]),
}


def _model_file(model):
    """The model file's data, less what verbose and the clock change."""
    data = copy.deepcopy(to_dict(model))
    del data["params"]["verbose"]
    data["training"].pop("fit_time", None)
    return data


@pytest.mark.filterwarnings("ignore::glassbox.rules._rulelist.NotProvenOptimalWarning")
@pytest.mark.parametrize("name", ESTIMATORS)
def test_verbose_reports_the_search_and_fits_the_same_model(name, monkeypatch, capsys):
    make, data, expected = ESTIMATORS[name]
    X, y, _, _ = _data(data)
    quiet = make(0).fit(X, y)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(_progress, "INTERVAL", 0.0)  # every report a line: each stage shows
    loud = make(1).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    prefix = "[glassbox rule list] " if name.startswith("RuleList") else "[glassbox tree] "
    assert lines and all(line.startswith(prefix) and line.endswith("s)") for line in lines)
    for text in expected:
        assert any(text in line for line in lines), text
    assert lines[-1].startswith(prefix + ("search " if name.startswith("RuleList") else "done: "))
    assert _model_file(loud) == _model_file(quiet)
    assert (loud.predict(X) == quiet.predict(X)).all()


@pytest.mark.parametrize("name", ESTIMATORS)
@pytest.mark.parametrize("bad", [-1, 1.0, "yes", None])
def test_verbose_must_be_a_non_negative_int_or_a_bool(name, bad):
    X, y, _, _ = _data(ESTIMATORS[name][1])
    with pytest.raises(ValueError, match=r"verbose must be an integer >= 0, got .*; or a bool \(True is 1\)"):
        ESTIMATORS[name][0](bad).fit(X, y)


QUICK = {
    "GAMClassifier": (lambda v: gb.GAMClassifier(outer_bags=1, max_rounds=5, interactions=0, verbose=v),
                      "mixed_binary", "[glassbox GAM] "),
    "RuleListClassifier": (lambda v: gb.RuleListClassifier(max_nodes=50, verbose=v), "mixed_binary",
                           "[glassbox rule list] "),
    "ShallowTreeRegressor": (lambda v: gb.ShallowTreeRegressor(max_depth=2, verbose=v), "mixed_regression",
                             "[glassbox tree] "),
}


@pytest.mark.filterwarnings("ignore::glassbox.rules._rulelist.NotProvenOptimalWarning")
@pytest.mark.parametrize("name", QUICK)
def test_verbose_takes_a_bool_as_scikit_learn_does(name, capsys, tmp_path):
    """verbose=True reports as 1 does, False is silent as 0 is, and a model fitted with True
    saves and loads with it."""
    make, data, prefix = QUICK[name]
    X, y, _, _ = _data(data)
    make(False).fit(X, y)
    assert capsys.readouterr().err == ""
    loud = make(True).fit(X, y)
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith(prefix) for line in lines)
    gb.save(loud, tmp_path / "model.json")
    loaded = gb.load(tmp_path / "model.json")
    assert loaded.verbose is True
    assert to_dict(loaded) == to_dict(loud)
