"""Declares glassbox's Cython extensions; metadata lives in pyproject.toml.

OpenMP is detected by compiling a tiny program with the compiler setuptools will use, so a
compiler without OpenMP (Apple clang without libomp, say) still builds glassbox, single-threaded.
``GLASSBOX_NO_OPENMP=1`` forces that fallback; ``GLASSBOX_DEBUG_CYTHON=1`` turns on bounds
checking and wraparound in every kernel (slow, for hunting memory errors).
"""

import os
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# Every .pyx in glassbox/_ext is one extension with one job; the shared C types are in
# glassbox/_ext/_typedefs.pxd. Globbing means a new kernel needs no edit here.
HERE = Path(__file__).parent
EXTENSIONS = sorted(p.stem for p in (HERE / "glassbox" / "_ext").glob("*.pyx"))
# GLASSBOX_EXTENSIONS=_typedefs,_openmp,_binning builds only those kernels: a quick build of
# one part (tests/test_build.py checks the no-OpenMP fallback this way). Unset: all of them.
if os.environ.get("GLASSBOX_EXTENSIONS"):
    EXTENSIONS = [e for e in os.environ["GLASSBOX_EXTENSIONS"].split(",") if e in EXTENSIONS]

DEBUG = os.environ.get("GLASSBOX_DEBUG_CYTHON", "0") == "1"
NO_OPENMP = os.environ.get("GLASSBOX_NO_OPENMP", "0") == "1"

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "nonecheck": DEBUG,
    "cdivision": True,
    "embedsignature": True,
}


def _openmp_flags(compiler_type):
    """Compile and link flags that turn OpenMP on for this platform's usual compiler."""
    if compiler_type == "msvc":
        return ["/openmp"], []
    if sys.platform == "darwin":
        # Apple clang needs the preprocessor flag and an explicit libomp (e.g. from Homebrew).
        return ["-Xpreprocessor", "-fopenmp"], ["-lomp"]
    return ["-fopenmp"], ["-fopenmp"]


class BuildExt(build_ext):
    """Adds OpenMP flags when a test program with ``#pragma omp`` compiles, links and runs."""

    def _openmp_works(self, compile_args, link_args):
        code = textwrap.dedent(
            """
            #include <omp.h>
            int main(void) {
                int n = 0;
                #pragma omp parallel reduction(+:n)
                n += 1;
                return omp_get_max_threads() > 0 && n > 0 ? 0 : 1;
            }
            """
        )
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "check_openmp.c"
            src.write_text(code)
            try:
                objects = self.compiler.compile([str(src)], output_dir=tmp, extra_postargs=compile_args)
                self.compiler.link_executable(objects, "check_openmp", output_dir=tmp, extra_postargs=link_args)
            except Exception:  # any compiler or linker failure means: no usable OpenMP
                return False
        return True

    def build_extensions(self):
        compile_args, link_args = _openmp_flags(self.compiler.compiler_type)
        use_openmp = not NO_OPENMP and self._openmp_works(compile_args, link_args)
        print(f"glassbox: building with OpenMP {'on' if use_openmp else 'off (single-threaded)'}")
        for ext in self.extensions:
            if use_openmp:
                ext.extra_compile_args += compile_args
                ext.extra_link_args += link_args
            if self.compiler.compiler_type != "msvc":
                ext.extra_compile_args += ["-O3"] if not DEBUG else ["-O0", "-g"]
        super().build_extensions()


def _extensions():
    exts = [
        Extension(
            f"glassbox._ext.{name}",
            [f"glassbox/_ext/{name}.pyx"],
            include_dirs=[np.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        )
        for name in EXTENSIONS
    ]
    return cythonize(exts, compiler_directives=DIRECTIVES, annotate=False)


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt})
