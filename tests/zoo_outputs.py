"""Every output a user reads off a fitted model of the zoo, in a canonical form, and the fixtures
that hold those outputs (and the model files) as glassbox wrote them before a change.

The fixtures pin behaviour across refactors: ``tests/test_fixtures.py`` loads each stored model
file with the current code and asks for bit-identical predictions, refits each zoo case and asks
for the same model file, and compares every text, frame, explanation and code export with the
stored ones. Write them anew only when a change of behaviour is intended (and say so in the
commit)::

    python -m tests.zoo_outputs --write            # every case whose data is available
    git checkout -- tests/fixtures/zoo/*.model.json.gz   # keep the old model files (a tree's
                                                         # records its fit time)

The stored model files are format version 2 (written before GAMs had ``time_limit``), so loading
them also checks that older files give the same outputs; the current format is pinned by the
``model_file`` stored with each case's outputs.

Only glassbox's own outputs are stored (no matplotlib or plotly output, whose bytes depend on
their versions); values are canonicalised to plain JSON, floats exactly (JSON floats round-trip
through Python's ``repr``), so the comparison does not depend on pandas' or NumPy's reprs.

Exact floats tie the fixtures to the machine's numeric libraries: NumPy's vectorised exp and log
and the C library's exp can differ in the last bit from one CPU to another, and a fit that starts
from values differing in the last bit (an intercept, a validation loss) may end measurably
elsewhere. On 2026-12-06 a new machine (AMD EPYC, no AVX-512) failed 14 cases with no change to
glassbox: GAM probabilities by up to 2 ulps, gam_reg-gamma's predictions by up to 0.016,
distilled_clf-binary's probabilities by 0.0012; the same terms, splits and rules, only their
values moved. On such a machine, check that ``git diff`` shows no change under ``glassbox/``,
then rewrite exactly the failing cases (``--write case ...``) and say so in the commit.
"""

import argparse
import gzip
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "zoo"
N_LOCAL_ROWS = 25  # rows of X_test explained locally (every row is predicted)


def canon(value):
    """``value`` as plain JSON data: exact floats, arrays and frames spelled out."""
    if isinstance(value, pd.DataFrame):
        return {"__frame__": {
            "columns": [canon(c) for c in value.columns],
            "index": [canon(i) for i in value.index],
            "rows": [[canon(v) for v in row] for row in value.itertuples(index=False, name=None)],
        }}
    if isinstance(value, pd.Series):
        return {"__series__": {"name": canon(value.name), "index": [canon(i) for i in value.index],
                               "values": [canon(v) for v in value.tolist()]}}
    if isinstance(value, np.ndarray):
        return {"__array__": {"kind": value.dtype.kind, "shape": list(value.shape),
                              "values": [canon(v) for v in value.ravel().tolist()]}}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dict):
        return {k if isinstance(k, str) else f"__key__{canon(k)!r}": canon(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canon(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if value is pd.NA:
        return {"__na__": True}
    return {"__repr__": repr(value)}


def _quiet(call, *args, **kwargs):
    from glassbox.binning import UnseenCategoryWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenCategoryWarning)
        return call(*args, **kwargs)


def model_file(model):
    """The model file's data, less the one field that is not a function of the data (fit time)."""
    from glassbox.export import to_dict

    data = to_dict(model)
    data.get("training", {}).pop("fit_time", None)
    return data


def outputs(model, X, y):
    """Every output of ``model`` on rows X (targets y), by name, canonicalised."""
    out = {}
    for method in ("predict", "predict_proba", "decision_function", "predict_raw"):
        if hasattr(model, method):
            out[method] = _quiet(getattr(model, method), X)
    out["to_text"] = model.to_text()
    out["str"] = str(model)
    out["to_frame"] = model.to_frame()
    if hasattr(model, "term_importances"):
        out["term_importances"] = model.term_importances()
    explanation = model.explain_global()
    out["global"] = _explanation(explanation)
    rows, targets = X.iloc[:N_LOCAL_ROWS], y[:N_LOCAL_ROWS]
    out["local"] = _explanation(_quiet(model.explain_local, rows, targets))
    out["local_without_y"] = _quiet(model.explain_local, rows).to_frame()
    out["sql_sqlite"] = model.to_sql()
    out["sql_duckdb"] = model.to_sql(("main", "rows"), dialect="duckdb", keep=())
    out["python"] = model.to_python()
    out["python_named"] = model.to_python(function_name="score_one")
    return canon(out)


def _explanation(explanation):
    parts = {
        "name": explanation.name,
        "data": explanation.data(-1),
        "overall": explanation.data(),
        "selector": explanation.selector,
        "frame": explanation.to_frame(),
        "text": explanation.to_text(),
        "len": len(explanation),
    }
    # Rule lists and trees render HTML themselves (GAMs go through plotly: see volatile_outputs).
    if not hasattr(explanation.model, "terms_"):
        parts["html_0"] = explanation.visualize(0)
        if explanation.explanation_type == "global":
            parts["html"] = explanation.visualize()
    return parts


def volatile_outputs(model, X, y):
    """Outputs whose bytes depend on matplotlib's and plotly's versions: every figure of the
    model and of its explanations (SVG, and plotly's JSON), as SHA-256 digests. For comparing
    two builds in one environment, never stored in the fixtures."""
    import hashlib
    import io

    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "glassbox"  # deterministic ids in the SVG

    def digest(figure):
        if hasattr(figure, "savefig"):
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Creator": None, "Date": None, "Format": None,
                                                           "Type": None})
            text = buffer.getvalue()
        else:
            text = figure if isinstance(figure, str) else figure.to_json()
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    out = {"plot_all": [digest(f) for f in model.plot("all")]}
    explanation = model.explain_global()
    out["global_visualize"] = [digest(explanation.visualize(k)) for k in [None, *range(min(len(explanation), 6))]]
    local = _quiet(model.explain_local, X.iloc[:3], y[:3])
    out["local_visualize"] = [digest(local.visualize(k)) for k in range(3)]
    out["local_plot"] = [digest(local.plot(k)) for k in range(3)]
    return out


def fixture_paths(case):
    return FIXTURES / f"{case}.model.json.gz", FIXTURES / f"{case}.outputs.json.gz"


def read_model_file(case):
    """The stored model file's bytes (as ``glassbox.save`` wrote them)."""
    with gzip.open(fixture_paths(case)[0], "rb") as handle:
        return handle.read()


def read_outputs(case):
    with gzip.open(fixture_paths(case)[1], "rt", encoding="utf-8") as handle:
        return json.load(handle)


def write(cases):
    import glassbox as gb
    from tests.model_zoo import fitted

    FIXTURES.mkdir(parents=True, exist_ok=True)
    for case in cases:
        fit = fitted(case)
        model_path, outputs_path = fixture_paths(case)
        saved = Path(model_path.parent, "saved.json")
        gb.save(fit.model, saved)
        _write_gzip(model_path, saved.read_bytes())
        saved.unlink()
        data = {"model_file": canon(model_file(fit.model)), "outputs": outputs(fit.model, fit.X_test, fit.y_test)}
        _write_gzip(outputs_path, json.dumps(data, sort_keys=True, indent=0).encode("utf-8"))
        print(f"{case}: {model_path.stat().st_size} + {outputs_path.stat().st_size} bytes", file=sys.stderr)


def _write_gzip(path, data):
    with gzip.GzipFile(path, "wb", mtime=0) as handle:  # mtime=0: the same data, the same bytes
        handle.write(data)


def main(argv=None):
    import pytest

    from tests.model_zoo import CASES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the fixtures of every case")
    parser.add_argument("--volatile", metavar="PATH",
                        help="write the figures' digests of every case to PATH (not a fixture)")
    parser.add_argument("cases", nargs="*", help="cases to write (default: all)")
    args = parser.parse_args(argv)
    if not args.write and not args.volatile:
        parser.error("nothing to do: pass --write or --volatile PATH")
    cases = args.cases or list(CASES)
    if args.volatile:
        from tests.model_zoo import fitted

        digests = {}
        for case in cases:
            try:
                fit = fitted(case)
            except pytest.skip.Exception:
                continue
            digests[case] = volatile_outputs(fit.model, fit.X_test, fit.y_test)
        Path(args.volatile).write_text(json.dumps(digests, indent=1, sort_keys=True))
        print(f"wrote the figures' digests of {len(digests)} cases to {args.volatile}", file=sys.stderr)
        if not args.write:
            return
    written = []
    for case in cases:
        try:
            write([case])
            written.append(case)
        except pytest.skip.Exception as skipped:
            print(f"{case}: skipped ({skipped})", file=sys.stderr)
    print(f"wrote {len(written)} of {len(cases)} cases to {FIXTURES}", file=sys.stderr)


if __name__ == "__main__":
    main()
