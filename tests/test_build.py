"""The build: kernels compile without OpenMP (single-threaded fallback) and still agree."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_build_without_openmp_works_single_threaded(tmp_path):
    pytest.importorskip("Cython", reason="rebuilding needs Cython (in the 'test' extra)")
    for item in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / item, tmp_path / item)
    # Rebuild only the kernels the probe checks (every kernel would take minutes); the others are
    # the checkout's own builds, copied so that the package imports.
    rebuilt = ("_typedefs", "_openmp", "_binning")
    shutil.copytree(ROOT / "glassbox", tmp_path / "glassbox",
                    ignore=shutil.ignore_patterns(*(f"{m}.*.so" for m in rebuilt), *(f"{m}.*.pyd" for m in rebuilt),
                                                  "*.c", "__pycache__"))
    env = {**os.environ, "GLASSBOX_NO_OPENMP": "1", "GLASSBOX_EXTENSIONS": ",".join(rebuilt)}
    build = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    assert "OpenMP off" in build.stdout
    probe = (
        "import numpy as np\n"
        "from glassbox._ext._openmp import openmp_enabled\n"
        "from glassbox._base import effective_n_threads\n"
        "from glassbox.binning import Binner\n"
        "from tests.twins import map_to_bins_naive\n"
        "X = np.random.default_rng(0).normal(size=(3000, 3)); X[::7, 1] = np.nan\n"
        "b = Binner(n_jobs=2).fit(X)\n"
        "expected = map_to_bins_naive(X, [f.thresholds for f in b.features_], [f.missing_code for f in b.features_])\n"
        "assert (b.transform(X) == expected).all()\n"
        "print(openmp_enabled(), effective_n_threads(2))\n"
    )
    shutil.copytree(ROOT / "tests", tmp_path / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["False", "1"]
