"""The ``glassbox`` command.

Exit codes: 0 success, 2 usage error (argparse's convention). Later subcommands (fit, show,
predict, export, report, demo) add 1 for a failure with a message on stderr.
"""

import argparse
import platform
import sys

from glassbox._version import __version__


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


def build_parser():
    parser = argparse.ArgumentParser(
        prog="glassbox",
        description="Interpretable-by-design models: rule lists, GAMs and shallow trees.",
    )
    parser.add_argument("--version", action="version", version=f"glassbox {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    info = sub.add_parser("info", help="show versions and build flags (OpenMP, threads)")
    info.set_defaults(func=_info)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
