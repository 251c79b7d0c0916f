"""The ``glassbox`` command: fit, look at, ship and report glass-box models from a shell.

Exit codes a script can rely on: 0 success; 1 a failure with a one-line message on stderr (a
missing file or column, a malformed model file, data the model cannot take); 2 a usage error
(argparse's convention: unknown command or option, missing argument).
"""

import argparse
import os
import platform
import re
import sys
import warnings

from glassbox._version import __version__


class CommandError(Exception):
    """A failure the user can fix: printed as ``glassbox: error: ...`` with exit code 1."""


def _info(args):
    from glassbox._base import effective_n_threads
    from glassbox._ext._openmp import omp_max_threads, openmp_enabled

    import numpy
    import pandas
    import sklearn

    rows = [
        ("glassbox", __version__),
        ("python", platform.python_version()),
        ("platform", platform.platform()),
        ("numpy", numpy.__version__),
        ("pandas", pandas.__version__),
        ("scikit-learn", sklearn.__version__),
        ("openmp", "on" if openmp_enabled() else "off (single-threaded build)"),
        ("openmp max threads", str(omp_max_threads())),
        ("threads for n_jobs=None", str(effective_n_threads(None))),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


MODELS = ("gam", "rules", "tree")


def build_parser():
    from glassbox.cli import _commands as c
    from glassbox.export._sql import ALIASES, DIALECTS

    parser = argparse.ArgumentParser(
        prog="glassbox",
        description="Interpretable-by-design models: rule lists, GAMs and shallow trees. "
                    "Run 'glassbox demo' for a tour, 'glassbox COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"glassbox {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    info = sub.add_parser("info", help="show versions and build flags (OpenMP, threads)")
    info.set_defaults(func=_info)

    demo = sub.add_parser(
        "demo", help="fit the three model families on data shipped with scikit-learn, print them, write a report",
        description="Fit a GAM, a rule list and a shallow tree on scikit-learn's breast-cancer data, print "
                    "each with its test accuracy, and write the model files and one HTML report.")
    demo.add_argument("--out-dir", default="glassbox-demo", help="folder for the model files and report "
                      "(default: %(default)s)")
    demo.set_defaults(func=c.demo)

    fit = sub.add_parser(
        "fit", help="fit a model on a CSV file and save it as a model file",
        description="Fit a glassbox model on DATA (CSV; text columns are categorical, empty cells and "
                    "--na-values are missing). Progress goes to stderr, the model and its score to stdout. "
                    "A share of the rows is held out to report the model's test score; the saved model is "
                    "the one that was scored.")
    fit.add_argument("data", metavar="DATA.csv")
    fit.add_argument("--target", required=True, help="the column to predict")
    fit.add_argument("--model", choices=MODELS, default="gam", help="model family (default: %(default)s)")
    fit.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                     help="auto: classification when the target is text, boolean, or has at most 10 "
                          "distinct integer values; regression otherwise")
    fit.add_argument("--categorical", default="", metavar="COL[,COL...]",
                     help="numeric columns to treat as categorical (text columns always are)")
    fit.add_argument("--drop", default="", metavar="COL[,COL...]", help="columns not to use as features (ids)")
    fit.add_argument("--weight", metavar="COL", help="a numeric column of row weights (not a feature); the test "
                     "score is weighted by it too")
    fit.add_argument("--positive-class", metavar="LABEL",
                     help="the event a binary classifier is about (its pos_label: 'Bad' for default); explanations, "
                          "reason codes and monotonic constraints read the log-odds of this class")
    fit.add_argument("--na-values", metavar="V[,V...]",
                     help="cell values that mean missing in the feature columns, besides empty cells, e.g. "
                          "--na-values=-7,-8,-9 (credit bureau codes for 'no record'); -7 also matches -7.0. "
                          "The model file records them, and 'glassbox predict' reads new files the same way")
    fit.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="an estimator parameter, e.g. --param max_depth=2 (repeatable; values are JSON "
                          "or plain text)")
    fit.add_argument("--test-size", type=float, default=0.2, help="share of rows held out for the test "
                     "score; 0 fits on every row (default: %(default)s)")
    fit.add_argument("--seed", type=int, default=0, help="random seed for the split and the model")
    fit.add_argument("--out", "-o", default="model.json", help="model file to write (default: %(default)s)")
    fit.add_argument("--quiet", "-q", action="store_true",
                     help="no progress lines on stderr while fitting (warnings and errors still print)")
    fit.set_defaults(func=c.fit)

    show = sub.add_parser("show", help="print a model file's structure", description="Print a saved model.")
    show.add_argument("model", metavar="MODEL.json")
    show.add_argument("--format", choices=("text", "table"), default="text",
                      help="text: the model as a person reads it; table: one row per rule/leaf/term-bin")
    show.set_defaults(func=c.show)

    predict = sub.add_parser(
        "predict", help="predict the rows of a CSV file with a model file",
        description="Write one prediction per row of DATA as CSV (and class probabilities for classifiers). "
                    "DATA must hold every column the model was fitted on; other columns are ignored.")
    _rows_arguments(predict)
    predict.add_argument("--out", "-o", default="-", help="output CSV (default: standard output)")
    predict.set_defaults(func=c.predict)

    reasons = sub.add_parser(
        "reasons", help="the principal reasons of each row's prediction (adverse-action reason codes)",
        description="Write, per row of DATA, the features that pushed its prediction most toward the event, "
                    "ranked, with the gap each accounts for and the sentence it reads as (model.reason_codes).")
    _rows_arguments(reasons)
    reasons.add_argument("--n", type=int, default=4, help="most reasons per row (default: %(default)s)")
    reasons.add_argument("--reference", choices=("best", "mean"), default="best",
                         help="best: against each feature's least event-prone bin (adverse-action practice); "
                              "mean: against the training average (default: %(default)s)")
    reasons.add_argument("--event", metavar="LABEL",
                         help="the class the reasons are toward (default: the model's event; required for multiclass)")
    reasons.add_argument("--out", "-o", default="-", help="output CSV (default: standard output)")
    reasons.set_defaults(func=c.reasons)

    scorecard = sub.add_parser(
        "scorecard", help="a binary GAM's scorecard points (points to double the odds)",
        description="Print a binary GAM's points per bin in the industry's convention: PDO points double the odds "
                    "(good:bad), BASE_SCORE points at odds BASE_ODDS:1; with --data and --target, what rounding "
                    "the points to integers does to the AUC on those rows.")
    scorecard.add_argument("model", metavar="MODEL.json")
    scorecard.add_argument("--pdo", type=float, default=20, help="points to double the odds (default: %(default)s)")
    scorecard.add_argument("--base-score", type=float, default=600, help="score at the base odds (default: %(default)s)")
    scorecard.add_argument("--base-odds", type=float, default=50, help="good:bad odds at the base score "
                           "(default: %(default)s)")
    scorecard.add_argument("--format", choices=("text", "table"), default="text",
                           help="text: the card as a person reads it; table: one row per bin, as CSV")
    scorecard.add_argument("--data", metavar="DATA.csv", help="rows to measure the rounding on (with --target)")
    scorecard.add_argument("--target", help="the outcome column of --data")
    _na_values_option(scorecard)
    scorecard.add_argument("--out", "-o", default="-", help="output file (default: standard output)")
    scorecard.set_defaults(func=c.scorecard)

    edit = sub.add_parser(
        "edit", help="edit a GAM model file without refitting: remove, monotonize or scale terms",
        description="Write an edited copy of a GAM model file: --remove drops terms, --monotonize makes a "
                    "continuous feature's main effect monotone (isotonic regression weighted by training weight), "
                    "--scale multiplies a term's scores. Applied in that order; the tables are centred again and "
                    "the copy predicts, exports and explains as edited. Term names are as 'glassbox show' prints "
                    "them ('age', 'age & income').")
    edit.add_argument("model", metavar="MODEL.json")
    edit.add_argument("--remove", action="append", default=[], metavar="TERM", help="a term to drop (repeatable)")
    edit.add_argument("--monotonize", action="append", default=[], metavar="TERM[=+1|-1|auto]",
                      help="a main effect to make monotone, on the event's log-odds (default auto; repeatable)")
    edit.add_argument("--scale", action="append", default=[], metavar="TERM=FACTOR",
                      help="multiply a term's scores by FACTOR (repeatable)")
    edit.add_argument("--out", "-o", required=True, help="model file to write")
    edit.set_defaults(func=c.edit)

    export = sub.add_parser(
        "export", help="write a model as SQL or plain Python that needs no glassbox",
        description="Write code computing the model's predictions: one SQL SELECT, or a stdlib-only Python module.")
    export.add_argument("model", metavar="MODEL.json")
    kind = export.add_mutually_exclusive_group(required=True)
    kind.add_argument("--sql", action="store_true", help="a SELECT statement")
    kind.add_argument("--python", action="store_true", help="a Python module")
    export.add_argument("--table", default="data", help="SQL: the table to select from (default: %(default)s)")
    export.add_argument("--dialect", default="sqlite", choices=[*DIALECTS, *ALIASES], metavar="DIALECT",
                        help=f"SQL: the engine to write for, one of {', '.join(DIALECTS)} (default: %(default)s)")
    export.add_argument("--keep", default="", metavar="COL[,COL...]", help="SQL: input columns to select too")
    export.add_argument("--out", "-o", default="-", help="output file (default: standard output)")
    export.set_defaults(func=c.export)

    report = sub.add_parser(
        "report", help="write a self-contained HTML report of one or more model files",
        description="One HTML page (no network needed to view it) with each model's structure, plots, "
                    "importances, training summary and notes on its certificate and budget. With --data and "
                    "--target, each model is also validated on those hold-out rows: discrimination (AUC, Gini, KS, "
                    "ROC), calibration (Brier, reliability by decile), the data profile against the model's "
                    "training bins (missing, unseen levels, PSI) and the same by --segment.")
    report.add_argument("models", metavar="MODEL.json", nargs="+")
    report.add_argument("--data", metavar="HOLDOUT.csv", help="hold-out rows (not used to fit the models) to "
                        "validate each model on; it must hold every column the models use, other columns may be "
                        "segments")
    report.add_argument("--target", help="with --data: the column holding the true outcome")
    report.add_argument("--segment", action="append", default=[], metavar="COL[,COL...]",
                        help="with --data: a column to break the validation down by, a feature or not (e.g. a "
                             "protected attribute); numeric columns with many values are cut into 5 quantile "
                             "bands (repeatable)")
    report.add_argument("--weight", metavar="COL", help="with --data: a numeric column of row weights for the "
                        "validation metrics")
    _na_values_option(report)
    report.add_argument("--out", "-o", default="report.html", help="HTML file to write (default: %(default)s)")
    report.set_defaults(func=c.report)
    return parser


def _rows_arguments(command):
    """A model file, a CSV of rows, the columns to keep and how to read missing values: what
    ``predict`` and ``reasons`` take."""
    command.add_argument("model", metavar="MODEL.json")
    command.add_argument("data", metavar="DATA.csv")
    command.add_argument("--keep", default="", metavar="COL[,COL...]", help="input columns to copy to the output")
    _na_values_option(command)


def _na_values_option(command):
    """``--na-values`` for a command that reads a CSV for saved models."""
    command.add_argument("--na-values", metavar="V[,V...]",
                         help="cell values that mean missing in the model's columns (default: those the model "
                              "was fitted with, 'glassbox fit --na-values'; --na-values= for none)")


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings as one line for a person at a terminal, not as a source location."""
    print(f"glassbox: warning: {message}", file=sys.stderr)


def _attach_values(argv):
    """``--na-values -7,-8`` as ``--na-values=-7,-8``: argparse takes a value starting with '-' for
    an option (unless it is a single negative number), and negative codes are the usual ones."""
    out = []
    for arg in argv:
        if out and out[-1] == "--na-values" and re.match(r"-[\d.]", arg):
            out[-1] = f"--na-values={arg}"
        else:
            out.append(arg)
    return out


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(_attach_values(sys.argv[1:] if argv is None else argv))
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    from glassbox.export import ModelFileError

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.func(args)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
        return 1
    except (CommandError, ModelFileError) as err:
        print(f"glassbox: error: {err}", file=sys.stderr)
    except OSError as err:  # unreadable or unwritable paths
        print(f"glassbox: error: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
    except (ValueError, TypeError) as err:  # data the model cannot take: the estimators' own messages
        print(f"glassbox: error: {err}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
