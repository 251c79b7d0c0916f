"""What each ``glassbox`` subcommand does. Each returns the exit code; failures the user can fix
raise :class:`~glassbox.cli.CommandError` (exit code 1)."""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from glassbox.cli import CommandError
from glassbox.cli._data import choose_task, columns, parse_params, read_csv, require_columns, weight_column


def _estimator(model, task):
    import glassbox as gb

    classes = {
        ("gam", "classification"): gb.GAMClassifier, ("gam", "regression"): gb.GAMRegressor,
        ("rules", "classification"): gb.RuleListClassifier, ("rules", "regression"): gb.RuleListRegressor,
        ("tree", "classification"): gb.ShallowTreeClassifier, ("tree", "regression"): gb.ShallowTreeRegressor,
    }
    return classes[model, task]()


def _write_text(text, out):
    if out == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _score_text(model, X, y, sample_weight=None):
    from sklearn.base import is_classifier

    name = "accuracy" if is_classifier(model) else "R²"
    return ("weighted " if sample_weight is not None else "") + name, float(model.score(X, y, sample_weight))


# --- fit ---------------------------------------------------------------------------------------

def fit(args):
    from sklearn.model_selection import train_test_split

    from glassbox import save

    drop, categorical = columns(args.drop), columns(args.categorical)
    weight_names = [args.weight] if args.weight else []
    na_values = columns(args.na_values or "")
    table = read_csv(args.data, na_values, exempt=[args.target] + weight_names)
    require_columns(table, [args.target] + drop + categorical + weight_names, args.data)
    if args.target in drop:
        raise CommandError(f"--drop names the target {args.target!r}")
    if args.weight == args.target:
        raise CommandError(f"--weight names the target {args.target!r}; give a column of row weights")
    weight = weight_column(table, args.weight) if args.weight else None
    y = table[args.target]
    if y.isna().any():
        raise CommandError(
            f"target {args.target!r} is missing in {int(y.isna().sum())} rows; drop or fill those rows first"
        )
    X = table.drop(columns=list(dict.fromkeys([args.target] + drop + weight_names)))
    if X.shape[1] == 0:
        raise CommandError(f"{args.data} has no feature columns besides the target")
    for name in categorical:
        X[name] = X[name].astype("category")
    task, why = choose_task(y, args.task, args.target)
    estimator = _estimator(args.model, task)
    params = parse_params(args.param, estimator)
    if "random_state" in estimator.get_params() and "random_state" not in params:
        params["random_state"] = args.seed
    if args.positive_class is not None:
        if task != "classification":
            raise CommandError(f"--positive-class names a class, but {args.target!r} is fitted as regression")
        if "pos_label" not in estimator.get_params():
            raise CommandError(f"--positive-class is not supported by {type(estimator).__name__}")
        labels = [label for label in y.unique() if str(label) == args.positive_class]
        if not labels:
            raise CommandError(f"--positive-class {args.positive_class!r} is not a label of {args.target!r}; its labels "
                               f"are {', '.join(sorted(str(v) for v in y.unique()))}")
        params["pos_label"] = labels[0]
    estimator.set_params(**params)
    # Progress goes to stderr while fitting (stdout keeps the results); the file keeps the
    # verbose asked for with --param, else the default, so that loading and refitting is quiet.
    saved_verbose = estimator.verbose
    estimator.set_params(verbose=0 if args.quiet else params.get("verbose", 1))
    if not 0 <= args.test_size < 1:
        raise CommandError(f"--test-size must be in [0, 1), got {args.test_size}")

    print(f"{type(estimator).__name__} on {X.shape[0]} rows x {X.shape[1]} features ({task}: {why})")
    X_test = y_test = w_test = None
    if args.test_size > 0:
        stratify = y if task == "classification" and y.value_counts().min() >= 2 else None
        parts = train_test_split(X, y, *([weight] if weight is not None else []), test_size=args.test_size,
                                 random_state=args.seed, stratify=stratify)
        X, X_test, y, y_test = parts[:4]
        if weight is not None:
            weight, w_test = parts[4:]
    start = time.perf_counter()
    try:
        estimator.fit(X, y.to_numpy(), sample_weight=None if weight is None else weight.to_numpy())
    except ValueError as err:
        if weight is None or "weight" not in str(err):
            raise
        raise CommandError(f"weight column {args.weight!r}: {err}") from None
    seconds = time.perf_counter() - start
    estimator.set_params(verbose=saved_verbose)
    print()
    print(_gam_summary(estimator, args.out) if hasattr(estimator, "term_importances") else estimator.to_text())
    print()
    summary = f"fitted in {seconds:.2f} s on {X.shape[0]} rows"
    if X_test is not None:
        metric, value = _score_text(estimator, X_test, y_test.to_numpy(),
                                    None if w_test is None else w_test.to_numpy())
        summary += f"; test {metric} {value:.4f} on {X_test.shape[0]} held-out rows"
    save(estimator, args.out, csv={"na_values": na_values} if na_values else None)
    print(f"{summary}; model written to {args.out}")
    return 0


# --- show, predict, export ---------------------------------------------------------------------

def _load(path):
    from glassbox import load

    if not Path(path).is_file():
        raise CommandError(f"no such model file: {path}")
    return load(path)


def _fitted_na_values(path):
    """The --na-values a model was fitted with (its file's ``csv`` block; the file has loaded,
    so it is valid JSON)."""
    from glassbox.export import csv_options

    options = csv_options(json.loads(Path(path).read_text(encoding="utf-8")))
    return options["na_values"] if options else []


def show(args):
    model = _load(args.model)
    if args.format == "text":
        print(model.to_text())
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            print(model.to_frame().to_string(index=False))
    return 0


def _model_columns(model, path):
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        raise CommandError(
            f"{path} was fitted on an array without column names, so CSV columns cannot be matched to its "
            "features; predict from Python, or refit on a table with named columns"
        )
    return [str(n) for n in names]


def _read_for_models(args, paths, models, other_columns=()):
    """``args.data`` read as the models' training CSV was: the cell values ``glassbox fit
    --na-values`` named (or ``--na-values``) are missing in the models' columns, not in
    ``other_columns`` (targets, weights, ids, segments)."""
    if args.na_values is not None:
        na_values = columns(args.na_values)
    else:
        fitted = {tuple(_fitted_na_values(path)) for path in paths}
        if len(fitted) > 1:
            raise CommandError("the model files were fitted with different --na-values "
                               f"({' and '.join(repr(list(v)) for v in sorted(fitted))}); say which apply with --na-values")
        na_values = list(fitted.pop())
    model_columns = {n for model, path in zip(models, paths) for n in _model_columns(model, path)}
    return read_csv(args.data, na_values, exempt=[c for c in other_columns if c not in model_columns])


def _model_and_rows(args):
    """``(model, X, kept columns)`` for a command on one model file and a CSV of rows
    (``predict``, ``reasons``): the rows read as the model's training CSV was."""
    model = _load(args.model)
    names, keep = _model_columns(model, args.model), columns(args.keep)
    table = _read_for_models(args, [args.model], [model], keep)
    require_columns(table, names, args.data, what="model column")
    require_columns(table, keep, args.data)
    return model, table[names], table[keep].copy()


def predict(args):
    from sklearn.base import is_classifier

    model, X, out = _model_and_rows(args)
    out["prediction"] = model.predict(X)
    if is_classifier(model):
        proba = model.predict_proba(X)
        for k, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, k]
    _write_text(out.to_csv(index=False, lineterminator="\n"), args.out)
    return 0


def class_named(model, text, option):
    """The class of ``model`` whose label reads ``text`` (a CSV or command line gives strings)."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        raise CommandError(f"{option} names a class, but the model is a regressor")
    for label in classes:
        if str(label) == text:
            return label
    raise CommandError(f"{option} {text!r} is not a class of the model; its classes are "
                       f"{', '.join(str(c) for c in classes)}")


def reasons(args):
    model, X, kept = _model_and_rows(args)
    if args.n < 1:
        raise CommandError(f"--n must be at least 1, got {args.n}")
    event = None if args.event is None else class_named(model, args.event, "--event")
    try:
        codes = model.reason_codes(X, n=args.n, reference=args.reference, event=event)
    except ValueError as err:
        raise CommandError(str(err)) from None
    out = codes.reset_index()
    for name in reversed(kept.columns):
        out.insert(0, name, kept[name].to_numpy()[out["row"].to_numpy()])
    print(f"reasons toward {codes.attrs['unit']}, against "
          f"{'each feature’s best bin' if args.reference == 'best' else 'the training average'}", file=sys.stderr)
    _write_text(out.to_csv(index=False, lineterminator="\n"), args.out)
    return 0


def scorecard(args):
    model = _load(args.model)
    if (args.data is None) != (args.target is None):
        raise CommandError("--data and --target go together: the rows and their outcome")
    try:
        card = model.to_scorecard(pdo=args.pdo, base_score=args.base_score, base_odds=args.base_odds)
    except ValueError as err:
        raise CommandError(str(err)) from None
    if args.format == "text":
        _write_text(card.to_text(), args.out)
    else:
        _write_text(card.to_frame().to_csv(index=False, lineterminator="\n"), args.out)
    if args.data is not None:
        table = _read_for_models(args, [args.model], [model], [args.target])
        names = _model_columns(model, args.model)
        require_columns(table, names + [args.target], args.data, what="column")
        y = table[args.target]
        if y.isna().any():
            raise CommandError(f"target {args.target!r} is missing in {int(y.isna().sum())} rows; drop those rows first")
        labels = {str(c): c for c in model.classes_}  # a CSV gives strings: match them to the classes
        unknown = sorted(set(map(str, y.unique())) - set(labels))
        if unknown:
            raise CommandError(f"target {args.target!r} holds labels the model was not fitted on: {', '.join(unknown)}")
        try:
            effect = card.evaluate(table[names], y.map(lambda v: labels[str(v)]))
        except ValueError as err:
            raise CommandError(str(err)) from None
        print(f"on {effect['n_rows']} rows of {args.data}: AUC {effect['auc_exact']:.4f} with exact points, "
              f"{effect['auc_rounded']:.4f} with integer points ({effect['auc_change']:+.4f}); rounding moves a "
              f"total by {effect['mean_points_moved']:.2f} points on average, {effect['max_points_moved']:.2f} at most",
              file=sys.stderr)
    return 0


def edit(args):
    from glassbox import save

    model = _load(args.model)
    if not hasattr(model, "remove_terms"):
        raise CommandError(f"{args.model} holds a {type(model).__name__}; only GAMs are edited without refitting")
    if not (args.remove or args.monotonize or args.scale):
        raise CommandError("nothing to do: give --remove, --monotonize or --scale")
    try:
        if args.remove:
            model = model.remove_terms(args.remove)
        for item in args.monotonize:
            term, _, direction = item.rpartition("=") if "=" in item else (item, "", "auto")
            if direction not in ("auto", "+1", "1", "-1"):
                raise CommandError(f"--monotonize {item!r}: the direction is +1, -1 or auto")
            model = model.monotonize(term, direction if direction == "auto" else int(direction))
        for item in args.scale:
            term, _, factor = item.rpartition("=")
            try:
                value = float(factor)
            except ValueError:
                raise CommandError(f"--scale {item!r}: expected TERM=FACTOR, FACTOR a number") from None
            model = model.scale(term, value)
    except ValueError as err:
        raise CommandError(str(err)) from None
    na_values = _fitted_na_values(args.model)
    save(model, args.out, csv={"na_values": na_values} if na_values else None)
    print(f"edited model written to {args.out}: {len(model.terms_)} terms")
    return 0


def export(args):
    model = _load(args.model)
    if args.sql:
        code = model.to_sql(table=args.table, dialect=args.dialect, keep=tuple(columns(args.keep)))
    else:
        if args.keep:
            raise CommandError("--keep applies to --sql only")
        code = model.to_python()
    _write_text(code, args.out)
    return 0


# --- report, demo ------------------------------------------------------------------------------

def report(args):
    from glassbox.report import write_report

    models = [(Path(path).stem, _load(path)) for path in args.models]
    holdout = _holdout(args, models) if args.data else {}
    if not args.data and (args.target or args.segment or args.weight):
        raise CommandError("--target, --segment and --weight describe hold-out data: give it with --data HOLDOUT.csv")
    write_report(models, args.out, **holdout)
    validated = f", with a validation on the {len(holdout['y'])} rows of {args.data}" if holdout else ""
    print(f"report written to {args.out}{validated}")
    return 0


def _holdout(args, models):
    """``write_report``'s hold-out arguments from ``--data``, ``--target``, ``--segment``, ``--weight``."""
    if not args.target:
        raise CommandError("--data needs --target COL, the column holding the true outcome")
    segments = [name for item in args.segment for name in columns(item)]
    table = _read_for_models(args, args.models, [model for _, model in models],
                             [args.target] + segments + ([args.weight] if args.weight else []))
    require_columns(table, [args.target], args.data, what="target column")
    require_columns(table, segments, args.data, what="segment column")
    require_columns(table, [args.weight] if args.weight else [], args.data, what="weight column")
    for (_, model), path in zip(models, args.models):
        require_columns(table, _model_columns(model, path), args.data, what="model column")
    if args.weight == args.target:
        raise CommandError(f"--weight names the target {args.target!r}; give a column of row weights")
    return {"X": table, "y": table[args.target].to_numpy(), "segments": segments or None,
            "sample_weight": None if not args.weight else weight_column(table, args.weight).to_numpy()}


def demo(args):
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    import glassbox as gb
    from glassbox.report import write_report

    data = load_breast_cancer(as_frame=True)
    # The ten "mean ..." measurements: the other twenty repeat them as errors and extremes.
    X = data.data[[c for c in data.data.columns if c.startswith("mean ")]]
    y = np.asarray(data.target_names)[data.target.to_numpy()]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    print(f"scikit-learn's breast-cancer data: {X.shape[0]} tumours, {X.shape[1]} measurements, "
          f"target benign / malignant; {len(y_test)} rows held out for testing.\n")

    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    models = [
        ("gam", "Generalized additive model", gb.GAMClassifier(random_state=0)),
        ("rules", "Rule list", gb.RuleListClassifier()),
        ("tree", "Shallow tree", gb.ShallowTreeClassifier()),
    ]
    fitted = []
    for name, title, model in models:
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        accuracy = float(model.score(X_test, y_test))
        print(f"== {title}: {type(model).__name__} (test accuracy {accuracy:.3f}, fitted in {seconds:.1f} s) ==")
        print(_gam_summary(model, out_dir / f"{name}.json") if name == "gam" else model.to_text())
        print()
        path = out_dir / f"{name}.json"
        gb.save(model, path)
        fitted.append((title, model))
    report_path = out_dir / "report.html"
    write_report(fitted, report_path)
    print(f"model files: {', '.join(str(out_dir / f'{n}.json') for n, _, _ in models)}")
    print(f"report:      {report_path}")
    print(f"next:        glassbox show {out_dir / 'tree.json'}   |   glassbox export {out_dir / 'rules.json'} --sql")
    return 0


_SCALES = {"logit": "the log-odds", "softmax": "the class logits", "log": "the log of the mean", "identity": "the mean"}


def _gam_summary(model, path):
    """A GAM's first lines and its terms by importance; every table is one ``glassbox show`` away
    (printing them all would take thousands of lines)."""
    head = model.to_text().split("\n\n")[0]
    importances = model.term_importances().sort_values(ascending=False)
    width = max(len(name) for name in importances.index)
    rows = "\n".join(f"  {name:<{width}}  {value:.3f}" for name, value in importances.items())
    scale = _SCALES.get(model.loss_.link, "the raw score")
    return (f"{head}\nterm importances (mean |contribution| to {scale} on the training rows):\n{rows}\n"
            f"(every term's table: glassbox show {path}; every shape function: the report)")
