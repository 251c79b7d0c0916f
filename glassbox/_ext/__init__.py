"""Cython kernels. Each module has one job, takes typed memoryviews, releases the GIL and gets
``n_threads`` from its Python caller; the decisions are made in the Python modules above."""
