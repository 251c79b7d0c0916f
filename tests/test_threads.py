"""Thread counts follow the caller's limits: a threadpoolctl limit, and joblib's workers (which
scikit-learn's GridSearchCV(n_jobs=...) runs in) each get their share of the cores, so nested
parallelism does not oversubscribe the machine. Models do not depend on the thread count. (A
build without OpenMP uses one thread everywhere, which every assertion here also allows.)"""

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

import glassbox as gb
from glassbox._base import _available_cores, effective_n_threads


class _CountingGAM(gb.GAMClassifier):
    """Records the threads its fit would use, for the scorer to report from the worker."""

    def fit(self, X, y, sample_weight=None):
        self.threads_seen_ = effective_n_threads(self.n_jobs)
        return super().fit(X, y, sample_weight)


def _threads_seen(estimator, X, y):
    return estimator.threads_seen_


def _data(n=400):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] + rng.normal(size=n) > 0).astype(int)


def test_a_threadpoolctl_limit_is_honoured_and_changes_no_model():
    X, y = _data()
    before = effective_n_threads(None)
    free = gb.GAMClassifier(outer_bags=2, random_state=0).fit(X, y)
    with threadpool_limits(1, user_api="openmp"):
        assert effective_n_threads(None) == 1
        limited = gb.GAMClassifier(outer_bags=2, random_state=0).fit(X, y)
    assert effective_n_threads(None) == before
    np.testing.assert_array_equal(free.predict_proba(X), limited.predict_proba(X))


def test_joblib_workers_get_their_share_of_the_cores():
    cores = _available_cores()
    seen = Parallel(n_jobs=2)(delayed(effective_n_threads)(None) for _ in range(2))
    assert all(1 <= n <= max(1, cores // 2) for n in seen)


def test_a_gam_inside_grid_search_with_two_jobs_does_not_oversubscribe():
    X, y = _data()
    search = GridSearchCV(_CountingGAM(outer_bags=2, random_state=0), {"learning_rate": [0.1, 0.2]}, cv=2,
                          n_jobs=2, scoring=_threads_seen)
    search.fit(X, y)
    per_fit = search.cv_results_["mean_test_score"]
    assert np.all(per_fit >= 1) and np.all(per_fit <= max(1, _available_cores() // 2))
