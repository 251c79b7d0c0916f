"""glassbox benchmarks: glassbox beside its peers on the shared datasets (not part of the package)."""
