"""The ``glassbox`` command: fit, look at, ship and report glass-box models from a shell.

Exit codes a script can rely on: 0 success; 1 a failure with a one-line message on stderr (a
missing file or column, a malformed model file, data the model cannot take); 2 a usage error
(argparse's convention: unknown command or option, missing argument).
"""

import argparse
import os
import platform
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
        description="Fit a glassbox model on DATA (CSV; text columns are categorical, empty cells are missing). "
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
    fit.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="an estimator parameter, e.g. --param max_depth=2 (repeatable; values are JSON "
                          "or plain text)")
    fit.add_argument("--test-size", type=float, default=0.2, help="share of rows held out for the test "
                     "score; 0 fits on every row (default: %(default)s)")
    fit.add_argument("--seed", type=int, default=0, help="random seed for the split and the model")
    fit.add_argument("--out", "-o", default="model.json", help="model file to write (default: %(default)s)")
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
    predict.add_argument("model", metavar="MODEL.json")
    predict.add_argument("data", metavar="DATA.csv")
    predict.add_argument("--keep", default="", metavar="COL[,COL...]", help="input columns to copy to the output")
    predict.add_argument("--out", "-o", default="-", help="output CSV (default: standard output)")
    predict.set_defaults(func=c.predict)

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
                    "importances and training summary.")
    report.add_argument("models", metavar="MODEL.json", nargs="+")
    report.add_argument("--out", "-o", default="report.html", help="HTML file to write (default: %(default)s)")
    report.set_defaults(func=c.report)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings as one line for a person at a terminal, not as a source location."""
    print(f"glassbox: warning: {message}", file=sys.stderr)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
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
