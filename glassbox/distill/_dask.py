"""``distill`` on Dask collections: the teacher asked partition by partition, a GAM student fitted
on Dask (:mod:`glassbox.gam._partitioned`), and the fidelity report summed over the held-out rows
of each partition, never gathered.

The held-out rows are drawn per partition: each row with probability ``holdout``, from a
generator seeded by ``random_state`` and the partition's number, so the same collection gives the
same split. (In memory the split is stratified by the teacher's labels; here it is not, which
at millions of rows changes the shares by little.) The teacher is asked on a partition each time
a pass over the data needs its answers (twice for the fit: the summaries and the gathered rows);
it is never refitted.
"""

import numpy as np
from sklearn.base import clone

from glassbox._dask_partitions import DaskPartitions
from glassbox._families import model_size
from glassbox.distill._fidelity import FidelityReport, fidelity_from_sums, fidelity_sums, merge_fidelity_sums
from glassbox.distill._gam import adopt_scores, score_regressor
from glassbox.gam import GAMClassifier, GAMRegressor, fit_partitioned, reads_target


def distill_on_dask(teacher, student, X, y, *, augment, n_samples, holdout, random_state, fit_scores):
    """:func:`~glassbox.distill.distill` for a Dask ``X`` (``teacher`` wrapped, arguments checked)."""
    if not isinstance(student, (GAMClassifier, GAMRegressor)):
        raise TypeError(
            f"on Dask, only GAM students can be fitted; a {type(student).__name__} fits in memory: distil into a "
            "GAM on Dask, or distil on a sample (X.sample(frac=0.05, random_state=0).compute())."
        )
    if augment is not None or n_samples is not None:
        raise ValueError(
            f"synthetic rows are not drawn on Dask (augment={augment!r}, n_samples={n_samples!r}); pass "
            "augment=None (GAM students draw none by default) and no n_samples."
        )
    seed = int(random_state.randint(np.iinfo(np.int32).max))
    parts = DaskPartitions(X, y, None, what="distill")
    if fit_scores:
        model, sign = score_regressor(student, teacher.classes)
        answer = "scores"
    else:
        model, sign = clone(student), 1.0
        answer = "labels" if teacher.is_classifier else "scores"
    taught = _Taught(parts, teacher, answer, sign, holdout, seed)
    fit_partitioned(model, taught)
    fitted = adopt_scores(clone(student), model, sign, teacher.classes) if fit_scores else model
    splits = {}
    if holdout > 0:
        sums = parts.map(_fidelity_block, teacher=teacher, student=fitted, holdout=holdout, seed=seed)
        splits["holdout"] = fidelity_from_sums(merge_fidelity_sums(sums), teacher)
    classes = None if teacher.classes is None else list(teacher.classes)
    return fitted, FidelityReport(teacher.task, classes, splits, model_size(fitted))


def held_out(index, n_rows, holdout, seed):
    """Which of partition ``index``'s rows are held out of the student's fit."""
    return np.random.RandomState([seed, index]).rand(n_rows) < holdout


def _take(X, mask):
    return X.loc[mask] if hasattr(X, "loc") else np.asarray(X)[mask]


class _Taught:
    """The partitions as the student's fit sees them: the rows not held out, with the teacher's
    answers (labels, or ``sign`` times its scores) as the target. Has the ``map``, ``names`` and
    ``dtypes`` a partitioned fit reads."""

    def __init__(self, parts, teacher, answer, sign, holdout, seed):
        self.parts, self.names, self.dtypes = parts, parts.names, parts.dtypes
        self._ask = dict(teacher=teacher, answer=answer, sign=sign, holdout=holdout, seed=seed)

    def map(self, fn, per_partition=None, **shared):
        return self.parts.map(_taught_block, per_partition, block_fn=fn, **self._ask, **shared)


def _taught_block(X, y, w, *, index, block_fn, teacher, answer, sign, holdout, seed, **kwargs):
    X = _take(X, ~held_out(index, len(X), holdout, seed))
    target = None
    if reads_target(block_fn):
        if len(X) == 0:
            target = np.asarray(teacher.classes)[:0] if answer == "labels" else np.zeros(0)
        else:
            labels, _, scores = teacher.ask(X)
            target = labels if answer == "labels" else sign * np.asarray(scores, dtype=np.float64)
    return block_fn(X, target, None, index=index, **kwargs)


def _fidelity_block(X, y, w, *, index, teacher, student, holdout, seed):
    mask = held_out(index, len(X), holdout, seed)
    return fidelity_sums(teacher, student, _take(X, mask), None if y is None else np.asarray(y)[mask])
