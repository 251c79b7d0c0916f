"""Whether this build has OpenMP, and how many threads it would use by default."""

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int glassbox_openmp_enabled(void) { return 1; }
    static int glassbox_omp_max_threads(void) { return omp_get_max_threads(); }
    #else
    static int glassbox_openmp_enabled(void) { return 0; }
    static int glassbox_omp_max_threads(void) { return 1; }
    #endif
    """
    int glassbox_openmp_enabled() nogil
    int glassbox_omp_max_threads() nogil


def openmp_enabled():
    """True when the extensions were compiled with OpenMP."""
    return bool(glassbox_openmp_enabled())


def omp_max_threads():
    """OpenMP's default team size (honours OMP_NUM_THREADS); 1 without OpenMP."""
    return glassbox_omp_max_threads()
