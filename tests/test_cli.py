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
