"""``glassbox fit --positive-class`` and ``glassbox reasons``, end to end on CSV files."""

import io

import numpy as np
import pandas as pd
import pytest

import glassbox as gb
from glassbox.cli import main


@pytest.fixture(scope="module")
def credit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reasons")
    rng = np.random.RandomState(0)
    n = 800
    table = pd.DataFrame({"id": np.arange(n) + 1000, "score": rng.uniform(300, 850, n).round(),
                          "util": rng.uniform(0, 1, n).round(3), "region": rng.choice(["n", "s", "e"], n)})
    logit = -(table["score"] - 575) / 80 + 1.5 * table["util"] + (table["region"] == "s")
    table["status"] = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-logit)), "Bad", "Good")
    table.to_csv(folder / "credit.csv", index=False)
    model_file = folder / "model.json"
    assert main(["fit", str(folder / "credit.csv"), "--target", "status", "--drop", "id", "--positive-class", "Bad",
                 "--param", "outer_bags=2", "--param", "interactions=0", "-o", str(model_file)]) == 0
    return folder, table, model_file


def test_positive_class_sets_the_event(credit, capsys):
    _, _, model_file = credit
    model = gb.load(model_file)
    assert model.pos_label == "Bad"
    assert model.to_text().startswith("GAMClassifier: log-odds of class 'Bad'")


def test_reasons_writes_the_python_reason_codes(credit, capsys):
    folder, table, model_file = credit
    capsys.readouterr()
    assert main(["reasons", str(model_file), str(folder / "credit.csv"), "--n", "2", "--keep", "id"]) == 0
    captured = capsys.readouterr()
    written = pd.read_csv(io.StringIO(captured.out))
    assert "reasons toward the log-odds of class 'Bad'" in captured.err
    model = gb.load(model_file)
    expected = model.reason_codes(table[["score", "util", "region"]], n=2).reset_index()
    assert list(written.columns) == ["id", "row", "rank", "feature", "value", "bin", "gap", "reference", "text"]
    assert written["id"].tolist() == (table["id"].to_numpy()[expected["row"]]).tolist()
    assert written["feature"].tolist() == expected["feature"].tolist()
    assert np.allclose(written["gap"], expected["gap"], rtol=1e-15, atol=0)
    assert written["text"].tolist() == expected["text"].tolist()


def test_reasons_toward_another_class_and_bad_requests(credit, capsys):
    folder, table, model_file = credit
    assert main(["reasons", str(model_file), str(folder / "credit.csv"), "--event", "Good", "--n", "1",
                 "-o", str(folder / "good.csv")]) == 0
    assert "log-odds of class 'Good'" in pd.read_csv(folder / "good.csv")["text"][0]
    assert main(["reasons", str(model_file), str(folder / "credit.csv"), "--event", "bad"]) == 1
    assert "--event 'bad' is not a class of the model; its classes are Bad, Good" in capsys.readouterr().err
    assert main(["reasons", str(model_file), str(folder / "credit.csv"), "--n", "0"]) == 1
    assert "--n must be at least 1" in capsys.readouterr().err
    table.drop(columns=["util"]).to_csv(folder / "missing.csv", index=False)
    assert main(["reasons", str(model_file), str(folder / "missing.csv")]) == 1
    assert "util" in capsys.readouterr().err


def test_positive_class_errors(credit, capsys):
    folder, _, _ = credit
    data = str(folder / "credit.csv")
    assert main(["fit", data, "--target", "status", "--positive-class", "bad", "-o", str(folder / "x.json")]) == 1
    assert "--positive-class 'bad' is not a label of 'status'; its labels are Bad, Good" in capsys.readouterr().err
    assert main(["fit", data, "--target", "score", "--positive-class", "Bad", "-o", str(folder / "x.json")]) == 1
    assert "fitted as regression" in capsys.readouterr().err


def test_commands_on_saved_models_read_the_csv_as_fit_did(tmp_path, capsys):
    """A model fitted with --na-values reads the same codes as missing in reasons, scorecard and
    report --data (as predict does), so the codes never meet the model as numbers."""
    rng = np.random.RandomState(1)
    n = 600
    table = pd.DataFrame({"score": rng.uniform(300, 850, n).round(), "util": rng.uniform(0, 1, n).round(3)})
    table.loc[rng.rand(n) < 0.2, "util"] = -7  # "no record"
    logit = -(table["score"] - 575) / 80 + np.where(table["util"] == -7, 1.0, table["util"])
    table["status"] = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-logit)), "Bad", "Good")
    table.to_csv(tmp_path / "d.csv", index=False)
    model_file = str(tmp_path / "m.json")
    assert main(["fit", str(tmp_path / "d.csv"), "--target", "status", "--na-values", "-7", "--positive-class", "Bad",
                 "--param", "outer_bags=2", "--param", "interactions=0", "--quiet", "-o", model_file]) == 0
    model = gb.load(model_file)
    as_fitted = table[["score", "util"]].replace(-7, np.nan)
    capsys.readouterr()
    assert main(["reasons", model_file, str(tmp_path / "d.csv"), "--n", "2"]) == 0
    written = pd.read_csv(io.StringIO(capsys.readouterr().out))
    expected = model.reason_codes(as_fitted, n=2).reset_index()
    assert written["text"].tolist() == expected["text"].tolist()
    assert "util = -7" not in " ".join(written["text"]) and "util = missing" in " ".join(written["text"])
    assert main(["scorecard", model_file, "--data", str(tmp_path / "d.csv"), "--target", "status", "-o",
                 str(tmp_path / "card.txt")]) == 0
    effect = model.to_scorecard().evaluate(as_fitted, table["status"])
    assert f"AUC {effect['auc_exact']:.4f} with exact points" in capsys.readouterr().err
    # --na-values= reads the codes as numbers again: other reasons.
    assert main(["reasons", model_file, str(tmp_path / "d.csv"), "--n", "2", "--na-values="]) == 0
    raw = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert raw["text"].tolist() == model.reason_codes(table[["score", "util"]], n=2).reset_index()["text"].tolist()
    assert raw["text"].tolist() != written["text"].tolist()
