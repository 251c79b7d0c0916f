"""``distill``: fit a glass-box student to what a black-box teacher says, and measure how faithfully.

The teacher is asked, never refitted. Fidelity is measured only on rows the student never saw:
a held-out part of the real rows, and (with augmentation) a separately drawn set of synthetic
rows. What the student is fitted to is ``target``:

- ``"labels"``: the teacher's predicted labels (classification) — what rule lists and trees fit;
- ``"scores"``: the teacher's log-odds, fitted with the regression machinery: binary GAM students,
  whose additive log-odds can follow the teacher's directly, taught by a teacher that gives
  probabilities (a ``decision_function`` margin is not a log-odds);
- ``"auto"``: ``"scores"`` where that is possible, else ``"labels"`` (multiclass teachers, trees
  and rule lists, teachers with labels or margins only).

Regression teachers always give their predictions as the target.

Trees and rule lists choose their structure on hard labels, not probabilities: on validation
splits of the benchmark datasets' training rows, probability-weighted rows (each row once per
class) or rows weighted by the teacher's confidence never agreed with the teacher more than labels
did, and a regression tree on the teacher's probability agreed less (its squared error spends
splits on probability differences that do not change a label). Once the structure is chosen, a
teacher that gives probabilities also gives each leaf's or rule's probabilities: the softmax of
the mean log-probability of the rows it takes (the best constant on the teacher's log-odds
scale), unless that would change the leaf's predicted class -- predictions stay those the
structure was chosen for. Label shares would be near 0 or 1, since the teacher's labels are pure
where it is unsure too. A tree under monotonic constraints keeps its label shares, which were
chosen to respect them.

``augment="auto"`` (the default) draws synthetic rows for the students that choose a few splits
or rules by a discrete search on the rows' labels (trees, rule lists): each real row gives them
one bit, the teacher's labels on rows it was trained on lean towards the truth it memorised, and
4 times as many MUNGE rows show them the teacher's own behaviour near the
data. GAM students fit the teacher's log-odds (or values) with boosting and early stopping on
the real rows; measured on adult, synthetic rows did not bring them closer to the teacher and
multiplied their fit time, so "auto" draws none for them.
"""

import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from glassbox._base import as_table, py_scalar, target_1d
from glassbox._dask import is_dask
from glassbox._families import estimator_names, find_family, model_size
from glassbox.binning import UnseenCategoryWarning
from glassbox.distill._augment import augment as draw_rows
from glassbox.distill._fidelity import FidelityReport, _plain, measure
from glassbox.distill._teacher import Teacher, log_probabilities

TARGETS = ("auto", "labels", "scores")

# Synthetic rows drawn per real row fitted on when n_samples is None. MUNGE: chosen on validation
# splits of the benchmark datasets' training rows (1, 2, 4 and 8 tried; 4 agreed best with the
# teacher summed over depth-3 trees and <= 8-rule lists; docs/distill.md has the figures).
# Marginal rows lie anywhere in the box the data spans, mostly where no real row is: four per
# real row pulled a <= 8-rule list on adult's benchmark test split from 0.885 to 0.823 agreement
# with the teacher (seen there, not chosen there: it keeps the earlier default of one).
SYNTHETIC_PER_REAL = {"munge": 4, "marginal": 1}

# What each family of students does here is in its distillation adapter (the registry in
# glassbox._families names it): ``fit_scores`` (fit a binary teacher's log-odds),
# ``teach_probabilities`` (a label-fitted structure takes the teacher's probabilities) and
# ``resolve_defaults`` (defaults resolved on the real rows), each optional; and "auto" augments
# for the families whose structure is a discrete search on the rows' labels (``searched``).


def distill(teacher, student, X, *, y=None, augment="auto", n_samples=None, target="auto", holdout=0.2,
            task=None, classes=None, munge_p=0.5, munge_s=10.0, random_state=None):
    """Fit a copy of ``student`` to ``teacher`` on X (and synthetic rows); return it with a report.

    Parameters
    ----------
    teacher : fitted model or callable
        Anything with ``predict_proba``, ``decision_function`` or ``predict`` (used as is), or a
        function of X (then ``task=`` and, for classifiers, ``classes=`` are required).
    student : glassbox estimator
        A glassbox classifier for a classification teacher, a regressor for a regression one.
        It is cloned; the argument is not modified.
    X : DataFrame or array of shape (n_samples, n_features), or a Dask DataFrame / Array
        Real rows in the teacher's input format. On Dask (with ``y`` a Dask Series or None),
        the teacher is asked partition by partition, a GAM student is fitted on Dask and the
        fidelity report is summed over each partition's held-out rows (docs/scale.md).
    y : array-like or None
        True targets of X, used only to report the student's and teacher's own accuracy on the
        held-out rows. Those rows were held out of the *student's* fit only: if the teacher was
        trained on X, its accuracy there is in-sample. Distil on rows the teacher never saw for
        an honest comparison of the two.
    augment : "auto", None, "marginal" or "munge", default="auto"
        Synthetic rows to add to the real ones (see :func:`glassbox.distill.augment`).
        ``"auto"``: ``"munge"`` for tree and rule-list students, None for GAM students (see the
        module docstring for why).
    n_samples : int or None
        How many synthetic rows to fit on (default: 4 times the real rows fitted on for
        ``"munge"``, as many as them for ``"marginal"``; ``SYNTHETIC_PER_REAL``). A rule-list
        student's ``c="auto"`` and ``max_nodes=None`` are resolved on the real rows and set on
        the fitted student: synthetic rows would otherwise lower both (a smaller ``c`` on small
        data, fewer expansions as each costs more rows). Each expansion still scores all rows, so
        the search takes about (real + synthetic) / real times as long as on the real rows.
    target : {"auto", "labels", "scores"}
    holdout : float in [0, 1)
        Share of the real rows (and of as many synthetic rows, drawn separately) kept out of the
        student's fit to measure fidelity on.
    task, classes : passed to :meth:`Teacher.wrap` (needed for callables).
    munge_p, munge_s : MUNGE's swap probability and local-variance divisor.
    random_state : int, RandomState or None

    Returns
    -------
    student : fitted clone of ``student``
    report : FidelityReport
    """
    teacher = Teacher.wrap(teacher, task=task, classes=classes)
    _check_student(student, teacher)
    on_dask = is_dask(X) or is_dask(y)
    if not on_dask:
        X = as_table(X)
        if y is not None:
            y = target_1d(y, X.shape[0])  # the report compares y with the rows it belongs to
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    if not isinstance(holdout, numbers.Real) or not 0 <= holdout < 1:
        raise ValueError(f"holdout must be a number in [0, 1), got {holdout!r}")
    fitter = _score_fitter(student, teacher, target)
    auto = isinstance(augment, str) and augment == "auto"
    augment = default_augment(student) if auto else augment
    if augment not in (None, "marginal", "munge"):
        raise ValueError(f"augment must be 'auto', None, 'marginal' or 'munge', got {augment!r}")
    if n_samples is not None and (not isinstance(n_samples, numbers.Integral) or n_samples < 1):
        raise ValueError(f"n_samples must be a positive integer or None, got {n_samples!r}")
    rng = check_random_state(random_state)
    if on_dask:
        from glassbox.distill._dask import distill_on_dask  # imports Dask only when given it

        return distill_on_dask(teacher, student, X, y, augment=augment, n_samples=n_samples, holdout=holdout,
                               random_state=rng, fit_scores=fitter is not None)
    X_fit, X_hold, y_hold = _split(teacher, X, y, holdout, rng)
    if auto and len(X_fit) < 2:
        augment = None  # nothing to draw from; an explicit augment= says so with an error instead

    X_train, X_aug_hold = X_fit, None
    if augment is not None:
        n_fit = SYNTHETIC_PER_REAL[augment] * len(X_fit) if n_samples is None else n_samples
        n_hold = max(1, int(round(holdout * n_fit))) if holdout > 0 else 0
        # One draw split in two: the held-out synthetic rows come from the same distribution
        # (and MUNGE's neighbour search runs once).
        drawn = draw_rows(X_fit, augment, n_fit + n_hold, random_state=rng, p=munge_p, s=munge_s)
        synthetic, X_aug_hold = _head_tail(drawn, n_fit)
        X_train = _concat(X_fit, synthetic)
    elif n_samples is not None:
        raise ValueError(
            f"n_samples sets how many synthetic rows to draw, but none are drawn for a "
            f"{type(student).__name__} student with augment={augment!r} ('auto' draws none for GAMs); "
            "pass augment='marginal' or 'munge'."
        )

    labels, proba, scores = teacher.ask(X_train)
    if teacher.is_classifier and fitter is None and len(np.unique(labels)) < 2:
        raise ValueError(
            f"the teacher predicts only class {_plain(labels[0])!r} on these {len(labels)} rows, so a classifier "
            "student has nothing to tell apart; give rows where the teacher's answers vary "
            "(more data, or augment='marginal' / 'munge')."
        )
    fitted = clone(student)
    adapter = find_family(student).adapter("distill")
    if X_train is not X_fit and hasattr(adapter, "resolve_defaults"):
        # Synthetic rows must not shrink a rule list's data-dependent defaults (its c and search
        # budget both fall as rows are added): resolve them on the real rows it is fitted on.
        fitted.set_params(**adapter.resolve_defaults(fitted, X_fit, labels[: len(X_fit)]))
    if fitter is not None:
        fitted = fitter(fitted, X_train, scores, teacher.classes)
    else:
        fitted.fit(X_train, labels)
        if proba is not None and hasattr(adapter, "teach_probabilities"):
            adapter.teach_probabilities(fitted, X_train, _log_proba(proba, teacher.classes, fitted.classes_))

    splits = {}
    with warnings.catch_warnings():
        # Held-out rows may hold levels the student never saw: expected, and measured as such.
        warnings.simplefilter("ignore", UnseenCategoryWarning)
        if X_hold is not None:
            splits["holdout"] = measure(teacher, fitted, X_hold, y_hold)
        if X_aug_hold is not None:
            splits[f"augmented ({augment})"] = measure(teacher, fitted, X_aug_hold)
    classes_out = None if teacher.classes is None else list(teacher.classes)
    return fitted, FidelityReport(teacher.task, classes_out, splits, model_size(fitted))


def default_augment(student):
    """What ``augment="auto"`` means for ``student``: "munge" for trees and rule lists (families
    whose structure is searched on labels), else None."""
    family = find_family(student)
    return "munge" if family is not None and family.searched else None


def _log_proba(proba, teacher_classes, student_classes):
    """The teacher's log-probabilities in the student's class order (the student knows the classes
    the teacher predicted on its rows, a subset of the teacher's)."""
    column = {py_scalar(c): j for j, c in enumerate(teacher_classes)}
    picked = proba[:, [column[py_scalar(c)] for c in student_classes]]
    return log_probabilities(picked)


def _check_student(student, teacher):
    if find_family(student) is None:
        raise TypeError(
            f"the student must be a glassbox estimator ({', '.join(estimator_names())}), "
            f"got {type(student).__name__}."
        )
    if teacher.is_classifier and not is_classifier(student):
        raise TypeError(f"a {teacher.task} teacher needs a classifier student, got {type(student).__name__}.")
    if not teacher.is_classifier and not is_regressor(student):
        hint = ""
        if getattr(teacher.model, "classes_", None) is None:
            hint = (
                f" The teacher ({type(teacher.model).__name__}) was taken for a regression model: it has no "
                "classes_ and no classifier tag. If it is a classifier, pass task= and classes= (a booster "
                "whose predict gives probabilities as a callable: lambda X: booster.predict(X))."
            )
        raise TypeError(f"a regression teacher needs a regressor student, got {type(student).__name__}.{hint}")


def _score_fitter(student, teacher, target):
    fitter = getattr(find_family(student).adapter("distill"), "fit_scores", None) if is_classifier(student) else None
    if not teacher.is_classifier or target == "labels":
        return None
    supported = fitter is not None and teacher.has_probabilities and teacher.task == "binary"
    if target == "scores" and not supported:
        if fitter is None:
            reason = f"{type(student).__name__} fits labels, not scores"
        elif teacher.task != "binary":
            reason = "log-odds targets need a binary teacher"
        elif not teacher.has_scores:
            reason = "the teacher gives labels only"
        else:
            reason = "the teacher gives decision scores, not probabilities (a margin is not a log-odds)"
        raise ValueError(f"target='scores' is not possible here: {reason}. Use target='labels' or 'auto'.")
    return fitter if supported else None


def _split(teacher, X, y, holdout, rng):
    """Real rows to fit on, and held-out real rows (stratified by the teacher's labels)."""
    n = X.shape[0]
    n_hold = int(round(holdout * n))
    if n_hold == 0 or n - n_hold < 2:
        return X, None, None
    stratify = None
    if teacher.is_classifier:
        labels = teacher.ask(X)[0]
        _, counts = np.unique(labels, return_counts=True)
        # Stratify when every class can be on both sides; tiny data falls back to a plain split.
        stratify = labels if counts.min() >= 2 and min(n_hold, n - n_hold) >= len(counts) else None
    index = np.arange(n)
    fit_idx, hold_idx = train_test_split(index, test_size=n_hold, stratify=stratify,
                                         random_state=rng.randint(np.iinfo(np.int32).max))
    fit_idx, hold_idx = np.sort(fit_idx), np.sort(hold_idx)  # keep the rows' order; y follows X
    take = (lambda rows: X.iloc[rows]) if isinstance(X, pd.DataFrame) else (lambda rows: np.asarray(X)[rows])
    y_hold = None if y is None else np.asarray(y)[hold_idx]
    return take(fit_idx), take(hold_idx), y_hold


def _head_tail(rows, n):
    """The first n rows, and the rest (None when there are none)."""
    if isinstance(rows, pd.DataFrame):
        head, tail = rows.iloc[:n], rows.iloc[n:].reset_index(drop=True)
    else:
        head, tail = rows[:n], rows[n:]
    return head, (tail if len(tail) else None)


def _concat(real, synthetic):
    if isinstance(real, pd.DataFrame):
        return pd.concat([real.reset_index(drop=True), synthetic], ignore_index=True)
    return np.concatenate([np.asarray(real), synthetic])
