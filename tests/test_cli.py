"""The ``glassbox`` command: version, build info, usage errors."""

import subprocess
import sys

import glassbox
from glassbox.cli import main


def _run(*args):
    return subprocess.run([sys.executable, "-m", "glassbox", *args], capture_output=True, text=True, timeout=120)


def test_version():
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"glassbox {glassbox.__version__}"


def test_info_reports_build_flags(capsys):
    from glassbox._ext._openmp import openmp_enabled

    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"glassbox                 {glassbox.__version__}" in out
    assert ("openmp                   on" in out) == openmp_enabled()
    assert "threads for n_jobs=None" in out


def test_no_command_prints_usage_and_fails():
    result = _run()
    assert result.returncode == 2
    assert "usage: glassbox" in result.stderr


def test_unknown_command_is_a_usage_error():
    result = _run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr


# --- fit / show / predict / export / report on a real CSV ---------------------------------------

import json  # noqa: E402
import re  # noqa: E402
import sqlite3  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from tests.model_zoo import _data, quiet  # noqa: E402


@pytest.fixture(scope="module")
def csv_files(tmp_path_factory):
    """A training CSV (mixed types, NaN, a text target) and a CSV of new rows with an id column."""
    folder = tmp_path_factory.mktemp("cli")
    X_train, y_train, X_test, _ = _data("mixed_binary")
    train = X_train.assign(outcome=np.where(y_train == 1, "bad", "good"))
    train.to_csv(folder / "train.csv", index=False)
    new = X_test.assign(row_id=np.arange(len(X_test)) + 1000)
    new.to_csv(folder / "new.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def tree_file(csv_files):
    out = csv_files / "tree.json"
    code = main(["fit", str(csv_files / "train.csv"), "--target", "outcome", "--model", "tree",
                 "--categorical", "grade", "--param", "max_depth=2", "--out", str(out)])
    assert code == 0
    return out


def test_fit_prints_the_model_and_its_test_score(csv_files, tree_file, capsys):
    out = csv_files / "rules.json"
    assert main(["fit", str(csv_files / "train.csv"), "--target", "outcome", "--model", "rules",
                 "--param", "max_nodes=200", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "RuleListClassifier on 700 rows x 5 features (classification: target 'outcome' is not numeric)" in text
    assert "IF " in text and "ELSE" in text
    assert "test accuracy" in text and "on 140 held-out rows" in text
    assert json.loads(out.read_text())["estimator"] == "RuleListClassifier"


def test_fit_prints_a_gams_summary_not_every_table(csv_files, capsys):
    """A GAM's tables run to thousands of lines: fit prints its head and its terms by importance,
    on the model's own scale, and says where every table is."""
    out = csv_files / "gam.json"
    capsys.readouterr()
    assert main(["fit", str(csv_files / "train.csv"), "--target", "outcome", "--model", "gam",
                 "--param", "outer_bags=2", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "term importances (mean |contribution| to the log-odds on the training rows)" in text
    assert f"every term's table: glassbox show {out}" in text
    assert len(text.splitlines()) < 60
    regression = csv_files / "regression.csv"
    pd.read_csv(csv_files / "train.csv").assign(amount=lambda t: np.arange(len(t)) % 7 + 1.5).drop(
        columns="outcome").to_csv(regression, index=False)
    assert main(["fit", str(regression), "--target", "amount", "--model", "gam", "--param", "outer_bags=2",
                 "--param", "loss=poisson", "--out", str(csv_files / "poisson.json")]) == 0
    assert "to the log of the mean on the training rows" in capsys.readouterr().out


def test_fit_takes_row_weights_from_a_column(csv_files, capsys):
    """--weight COL: the column weighs the rows (and the test score), is no feature, and the model
    is the one Python fits with the same weights on the same split."""
    import glassbox
    from sklearn.model_selection import train_test_split

    table = pd.read_csv(csv_files / "train.csv")
    table["w"] = np.where(table["outcome"] == "bad", 5.0, 1.0)
    table.to_csv(csv_files / "weighted.csv", index=False)
    out = csv_files / "weighted_tree.json"
    capsys.readouterr()
    assert main(["fit", str(csv_files / "weighted.csv"), "--target", "outcome", "--model", "tree",
                 "--weight", "w", "--param", "max_depth=2", "--out", str(out)]) == 0
    assert "test weighted accuracy" in capsys.readouterr().out
    model = glassbox.load(out)
    assert "w" not in model.feature_names_in_
    X, y, w = table.drop(columns=["outcome", "w"]), table["outcome"], table["w"]
    X_train, X_test, y_train, _, w_train, _ = train_test_split(X, y, w, test_size=0.2, random_state=0, stratify=y)
    expected = glassbox.ShallowTreeClassifier(max_depth=2, random_state=0).fit(X_train, y_train.to_numpy(),
                                                                               sample_weight=w_train.to_numpy())
    np.testing.assert_array_equal(model.predict_proba(X_test), expected.predict_proba(X_test))


def test_fit_shows_progress_on_stderr_unless_quiet(csv_files, capsys):
    """Every family reports its fit on stderr (stdout keeps the model and its score); --quiet
    silences it; the saved model is quiet either way (verbose is not kept from the command)."""
    import glassbox

    for model, param in (("gam", "outer_bags=2"), ("rules", "max_nodes=200"), ("tree", "max_depth=2")):
        out = csv_files / f"progress_{model}.json"
        capsys.readouterr()
        assert main(["fit", str(csv_files / "train.csv"), "--target", "outcome", "--model", model,
                     "--param", param, "--out", str(out)]) == 0
        captured = capsys.readouterr()
        assert "[glassbox " in captured.err and "[glassbox " not in captured.out, model
        assert "test accuracy" in captured.out
        assert glassbox.load(out).verbose == 0
        assert main(["fit", str(csv_files / "train.csv"), "--target", "outcome", "--model", model,
                     "--param", param, "--quiet", "--out", str(out)]) == 0
        captured = capsys.readouterr()
        assert "[glassbox " not in captured.err and "test accuracy" in captured.out, model


def _coded(path, out, codes):
    """The CSV at ``path`` with its empty cells written as codes instead (``codes[column]``)."""
    table = pd.read_csv(path)
    for column, code in codes.items():
        table[column] = table[column].astype(object).where(table[column].notna(), code)
    table.to_csv(out, index=False)
    return out


def _without_csv(path):
    data = json.loads(path.read_text())
    data.pop("csv", None)
    data["training"].pop("fit_time", None)
    return data


def test_na_values_read_codes_as_missing_in_fit_and_predict(csv_files, capsys):
    """Bureau-style codes (-7, -8, a text "-9") read with --na-values fit the model that empty
    cells fit; the model file records them, so predict reads new files the same way unless told
    otherwise."""
    codes = {"num": -7, "count": -8.0, "color": "-9"}
    plain = pd.read_csv(csv_files / "train.csv").assign(count=lambda t: t["count"].mask(t.index % 9 == 0))
    plain.to_csv(csv_files / "plain.csv", index=False)
    coded = _coded(csv_files / "plain.csv", csv_files / "coded.csv", codes)
    new_plain = pd.read_csv(csv_files / "new.csv").assign(count=lambda t: t["count"].mask(t.index % 5 == 0))
    new_plain.to_csv(csv_files / "new_plain.csv", index=False)
    new_coded = _coded(csv_files / "new_plain.csv", csv_files / "new_coded.csv", codes)
    fit = ["--target", "outcome", "--model", "tree", "--param", "max_depth=2", "--quiet"]
    assert main(["fit", str(csv_files / "plain.csv"), *fit, "--out", str(csv_files / "plain.json")]) == 0
    assert main(["fit", str(coded), *fit, "--na-values", "-7,-8,-9", "--out", str(csv_files / "coded.json")]) == 0
    assert json.loads((csv_files / "coded.json").read_text())["csv"] == {"na_values": ["-7", "-8", "-9"]}
    assert "csv" not in json.loads((csv_files / "plain.json").read_text())
    assert _without_csv(csv_files / "coded.json") == _without_csv(csv_files / "plain.json")

    def predictions(model, data, *extra):
        out = csv_files / "na_pred.csv"
        assert main(["predict", str(csv_files / model), str(data), "--keep", "row_id", "--out", str(out), *extra]) == 0
        return pd.read_csv(out)

    expected = predictions("plain.json", csv_files / "new_plain.csv")
    pd.testing.assert_frame_equal(predictions("coded.json", new_coded), expected)
    pd.testing.assert_frame_equal(predictions("plain.json", new_coded, "--na-values", "-7,-8,-9"), expected)
    as_numbers = predictions("coded.json", new_coded, "--na-values=")  # none: -7 is a number below every cut
    assert not as_numbers.equals(expected)


def test_na_values_leave_the_target_and_weights_alone(csv_files, capsys):
    table = pd.read_csv(csv_files / "train.csv").drop(columns="outcome")
    table = table.assign(amount=np.arange(len(table)) % 5 - 7.0, w=np.where(np.arange(len(table)) % 2, -7, 1))
    table["w"] = table["w"].abs()  # weights 7 and 1: "-7" never appears, "7" does
    table.to_csv(csv_files / "negative_target.csv", index=False)
    assert main(["fit", str(csv_files / "negative_target.csv"), "--target", "amount", "--task", "regression",
                 "--model", "tree", "--param", "max_depth=1", "--weight", "w", "--na-values=-7,7", "--quiet",
                 "--out", str(csv_files / "negative_target.json")]) == 0
    assert "fitted in" in capsys.readouterr().out


@pytest.mark.parametrize("column, message", [
    ("nope", "has no column 'nope'"),
    ("color", "weight column 'color' has"),
    ("negative", "weight column 'negative': sample_weight has"),
    ("outcome", "--weight names the target"),
])
def test_bad_weight_columns_are_one_line_errors(csv_files, column, message):
    table = pd.read_csv(csv_files / "train.csv")
    table.assign(negative=-1.0).to_csv(csv_files / "badweights.csv", index=False)
    result = _run("fit", str(csv_files / "badweights.csv"), "--target", "outcome", "--model", "tree",
                  "--weight", column, "--out", str(csv_files / "never.json"))
    assert result.returncode == 1 and result.stderr.startswith("glassbox: error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_show_prints_what_the_model_prints(tree_file, capsys):
    import glassbox

    capsys.readouterr()
    assert main(["show", str(tree_file)]) == 0
    assert capsys.readouterr().out.strip() == glassbox.load(tree_file).to_text().strip()
    assert main(["show", str(tree_file), "--format", "table"]) == 0
    assert "rule" in capsys.readouterr().out


def test_predict_writes_the_models_predictions(csv_files, tree_file, capsys):
    import glassbox

    out = csv_files / "pred.csv"
    assert main(["predict", str(tree_file), str(csv_files / "new.csv"), "--keep", "row_id", "--out", str(out)]) == 0
    got = pd.read_csv(out)
    new = pd.read_csv(csv_files / "new.csv")
    model = glassbox.load(tree_file)
    X = new[list(model.feature_names_in_)]
    assert list(got.columns) == ["row_id", "prediction", "proba_bad", "proba_good"]
    np.testing.assert_array_equal(got["row_id"], new["row_id"])
    np.testing.assert_array_equal(got["prediction"], model.predict(X))
    np.testing.assert_allclose(got[["proba_bad", "proba_good"]], model.predict_proba(X), rtol=1e-15)


def test_export_sql_runs_in_sqlite_and_matches(csv_files, tree_file):
    import glassbox

    out = csv_files / "model.sql"
    assert main(["export", str(tree_file), "--sql", "--table", "rows", "--keep", "row_id", "--out", str(out)]) == 0
    new = pd.read_csv(csv_files / "new.csv")
    with sqlite3.connect(":memory:") as db:
        new.to_sql("rows", db, index=False)
        got = pd.read_sql_query(out.read_text(), db).sort_values("row_id")
    model = glassbox.load(tree_file)
    np.testing.assert_array_equal(got["prediction"].to_numpy(), model.predict(new[list(model.feature_names_in_)]))


@pytest.mark.parametrize("dialect", ["postgres", "postgresql", "clickhouse"])
def test_export_sql_for_postgres_and_clickhouse_runs_there_and_matches(csv_files, tree_file, dialect, engine):
    import glassbox
    from tests.sql_engines import load_and_run

    out = csv_files / f"model.{dialect}.sql"
    assert main(["export", str(tree_file), "--sql", "--dialect", dialect, "--table", "rows", "--keep", "row_id",
                 "--out", str(out)]) == 0
    new = pd.read_csv(csv_files / "new.csv")
    names, rows = load_and_run(dialect.replace("postgresql", "postgres"),
                               engine(dialect.replace("postgresql", "postgres")), new, out.read_text(), table="rows")
    got = pd.DataFrame(rows, columns=names).sort_values("row_id")
    assert list(got.columns) == ["row_id", "proba_bad", "proba_good", "prediction"]
    np.testing.assert_array_equal(got["row_id"], new["row_id"])
    model = glassbox.load(tree_file)
    X = new[list(model.feature_names_in_)]
    np.testing.assert_array_equal(got["prediction"].to_numpy(), quiet(model.predict, X))  # X has unseen levels
    np.testing.assert_array_equal(got[["proba_bad", "proba_good"]].to_numpy(dtype=float), quiet(model.predict_proba, X))


def test_export_refuses_an_unknown_dialect_as_a_usage_error(tree_file):
    result = _run("export", str(tree_file), "--sql", "--dialect", "oracle")
    assert result.returncode == 2
    assert "invalid choice: 'oracle' (choose from 'sqlite', 'duckdb', 'postgres', 'clickhouse'" in result.stderr


def test_export_python_is_code_that_runs(csv_files, tree_file, capsys):
    capsys.readouterr()
    assert main(["export", str(tree_file), "--python"]) == 0
    source = capsys.readouterr().out
    namespace = {}
    exec(compile(source, "exported.py", "exec"), namespace)
    assert callable(namespace["predict"])


def test_report_writes_one_html_page(csv_files, tree_file):
    import matplotlib  # noqa: F401  (in the test extra: a broken install fails, never skips)
    out = csv_files / "report.html"
    assert main(["report", str(tree_file), "--out", str(out)]) == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    # Self-contained: nothing is fetched (XML namespace names are identifiers, not requests).
    assert re.findall(r"""(?:src|href)=["']?https?:|url\(\s*["']?https?:""", page) == []


@pytest.mark.parametrize("argv, message", [
    (["fit", "{dir}/train.csv", "--target", "nope"], "has no column 'nope'; its columns are: num, skew"),
    (["fit", "{dir}/missing.csv", "--target", "outcome"], "no such file"),
    (["fit", "{dir}/train.csv", "--target", "outcome", "--param", "depth=3"], "has no parameter 'depth'"),
    (["fit", "{dir}/train.csv", "--target", "outcome", "--param", "max_bins"], "--param needs NAME=VALUE"),
    (["fit", "{dir}/train.csv", "--target", "outcome", "--test-size", "1.5"], "--test-size must be in [0, 1)"),
    (["show", "{dir}/train.csv"], "the model file is not valid JSON"),
    (["show", "{dir}/nothing.json"], "no such model file"),
    (["predict", "{dir}/tree.json", "{dir}/thin.csv"], "has no model column 'num'"),
])
def test_errors_are_one_line_messages_with_exit_code_1(csv_files, tree_file, argv, message):
    pd.read_csv(csv_files / "new.csv").drop(columns=["num"]).to_csv(csv_files / "thin.csv", index=False)
    result = _run(*[a.format(dir=csv_files) for a in argv])
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("glassbox: error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_export_needs_sql_or_python_and_that_is_a_usage_error(tree_file):
    result = _run("export", str(tree_file))
    assert result.returncode == 2 and "one of the arguments --sql --python is required" in result.stderr


def test_every_command_has_help():
    for command in ("demo", "fit", "show", "predict", "export", "report", "info"):
        result = _run(command, "--help")
        assert result.returncode == 0 and f"usage: glassbox {command}" in result.stdout


def test_demo_fits_prints_saves_and_reports(tmp_path, capsys):
    import matplotlib  # noqa: F401  (in the test extra: a broken install fails, never skips)
    import glassbox

    assert main(["demo", "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for header in ("== Generalized additive model: GAMClassifier (test accuracy",
                   "== Rule list: RuleListClassifier (test accuracy", "== Shallow tree: ShallowTreeClassifier"):
        assert header in out
    for name in ("gam", "rules", "tree"):
        model = glassbox.load(tmp_path / f"{name}.json")
        assert model.to_text().splitlines()[0] in out  # what was printed is what was saved
    assert (tmp_path / "report.html").read_text().count("<figure>") >= 3


# --- report --data: the validation on a hold-out CSV --------------------------------------------

@pytest.fixture(scope="module")
def holdout_csv(csv_files):
    """The new rows with their true outcome, a column no model uses (region) and row weights."""
    _, _, X_test, y_test = _data("mixed_binary")
    table = X_test.assign(outcome=np.where(y_test == 1, "bad", "good"),
                          region=np.where(np.arange(len(y_test)) % 3 == 0, "north", "south"),
                          w=1.0 + np.arange(len(y_test)) % 2)
    path = csv_files / "holdout.csv"
    table.to_csv(path, index=False)
    return path


def test_report_validates_each_model_on_the_hold_out(csv_files, tree_file, holdout_csv, capsys):
    import matplotlib  # noqa: F401  (in the test extra: a broken install fails, never skips)
    import glassbox
    from sklearn.metrics import roc_auc_score

    out = csv_files / "validated.html"
    capsys.readouterr()
    assert main(["report", str(tree_file), "--data", str(holdout_csv), "--target", "outcome",
                 "--segment", "region", "--segment", "num,color", "--weight", "w", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"report written to {out}, with a validation on the 200 rows of {holdout_csv}\n"
    page = out.read_text()
    for heading in ("<h4>Discrimination</h4>", "<h4>Calibration</h4>", "<h4>Data profile</h4>",
                    "<h5>region</h5>", "<h5>num</h5>", "<h5>color</h5>"):
        assert heading in page
    assert "metrics weighted by sample_weight" in page
    table = pd.read_csv(holdout_csv)
    model = glassbox.load(tree_file)
    p = quiet(model.predict_proba, table[list(model.feature_names_in_)])[:, 1]
    auc = roc_auc_score(table["outcome"] == model.classes_[1], p, sample_weight=table["w"])
    assert f'<tr><th>AUC</th><td class="num">{auc:.4g}</td></tr>' in page
    north = (table["region"] == "north").to_numpy()
    auc_north = roc_auc_score(table["outcome"][north] == model.classes_[1], p[north], sample_weight=table["w"][north])
    assert f'<td>north</td><td class="num">{north.sum()}</td><td class="num">{table["w"][north].sum():.4g}</td>' in page
    assert f'<td class="num">{auc_north:.4g}</td></tr>' in page


@pytest.mark.parametrize("edit, extra, message", [
    (None, ["--target", "nope"], "holdout.csv has no target column 'nope'"),
    (None, ["--target", "outcome", "--segment", "nope"], "holdout.csv has no segment column 'nope'"),
    (None, ["--target", "outcome", "--weight", "color"], "weight column 'color' has"),
    (None, ["--segment", "region"], "--data needs --target COL"),
    ("drop num", ["--target", "outcome"], "has no model column 'num'"),
    ("maybe", ["--target", "outcome"], "tree: the target y holds labels the model never saw: 'maybe' (200 rows); "
                                       "its classes are 'bad', 'good'"),
    ("empty", ["--target", "outcome"], "has a header but no rows"),
])
def test_report_refuses_bad_hold_out_data_in_one_line(csv_files, tree_file, holdout_csv, edit, extra, message):
    table = pd.read_csv(holdout_csv)
    path = holdout_csv
    if edit is not None:
        table = {"drop num": table.drop(columns="num"), "maybe": table.assign(outcome="maybe"),
                 "empty": table.head(0)}[edit]
        path = csv_files / f"holdout-{edit.replace(' ', '-')}.csv"
        table.to_csv(path, index=False)
    result = _run("report", str(tree_file), "--data", str(path), *extra, "--out", str(csv_files / "never.html"))
    assert result.returncode == 1 and result.stderr.startswith("glassbox: error: "), result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (csv_files / "never.html").exists()


def test_report_hold_out_options_need_data(tree_file):
    result = _run("report", str(tree_file), "--target", "outcome")
    assert result.returncode == 1 and "give it with --data HOLDOUT.csv" in result.stderr


def test_report_with_a_one_class_hold_out_says_na(csv_files, tree_file, holdout_csv):
    import matplotlib  # noqa: F401  (in the test extra: a broken install fails, never skips)
    path = csv_files / "holdout-bad-only.csv"
    pd.read_csv(holdout_csv).assign(outcome="bad").to_csv(path, index=False)
    out = csv_files / "one-class.html"
    assert main(["report", str(tree_file), "--data", str(path), "--target", "outcome", "--out", str(out)]) == 0
    assert '<tr><th>AUC</th><td class="na">n/a: one class</td></tr>' in out.read_text()
