"""DistilledClassifier / DistilledRegressor: ``distill`` as scikit-learn meta-estimators."""

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from glassbox._base import target_1d, as_table
from glassbox._dask import is_dask
from glassbox._inspect import InspectionMixin
from glassbox.distill._distill import distill


class _Distilled(InspectionMixin, BaseEstimator):
    def __init__(self, teacher, student, *, augment="auto", n_samples=None, target="auto", holdout=0.2,
                 refit_teacher=False, random_state=None):
        self.teacher = teacher
        self.student = student
        self.augment = augment
        self.n_samples = n_samples
        self.target = target
        self.holdout = holdout
        self.refit_teacher = refit_teacher
        self.random_state = random_state

    def fit(self, X, y=None):
        """Distil the teacher into a fitted student on X.

        The teacher is used as it is (already fitted) unless ``refit_teacher=True``, in which
        case a clone of it is first fitted on ``(X, y)``. ``y``, when given, is also used to
        report the student's and teacher's accuracy on the held-out rows.
        """
        on_dask = is_dask(X) or is_dask(y)
        if y is not None and not on_dask:
            y = target_1d(y, as_table(X).shape[0])
        if self.refit_teacher and on_dask:
            raise ValueError(
                "refit_teacher=True fits the teacher on (X, y), but X is a Dask collection and glassbox does not "
                "fit teachers; fit the teacher on Dask yourself (or on a sample), then pass it fitted."
            )
        if self.refit_teacher:
            if y is None:
                raise ValueError(
                    "refit_teacher=True requires y to be passed, but the target y is None: the "
                    "teacher is fitted on (X, y)."
                )
            self.teacher_ = clone(self.teacher).fit(X, y)
        else:
            self.teacher_ = self.teacher
        self.student_, self.fidelity_ = distill(
            self.teacher_, self.student, X, y=y, augment=self.augment, n_samples=self.n_samples,
            target=self.target, holdout=self.holdout, random_state=self.random_state,
        )
        self.n_features_in_ = self.student_.n_features_in_
        if hasattr(self.student_, "feature_names_in_"):
            self.feature_names_in_ = self.student_.feature_names_in_
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        student_tags = self.student.__sklearn_tags__()
        tags.input_tags.allow_nan = student_tags.input_tags.allow_nan
        tags.input_tags.categorical = student_tags.input_tags.categorical
        return tags

    def predict(self, X):
        check_is_fitted(self, "student_")
        return self.student_.predict(X)

    def __str__(self):
        if not hasattr(self, "student_"):
            return repr(self)
        return f"{self.student_.to_text()}\n\n{self.fidelity_}"


class DistilledClassifier(ClassifierMixin, _Distilled):
    """A glass-box classifier distilled from a black-box teacher.

    Parameters
    ----------
    teacher : fitted classifier or callable
        Anything with ``predict_proba``, ``decision_function`` or ``predict``.
    student : glassbox classifier
        ``GAMClassifier``, ``RuleListClassifier`` or ``ShallowTreeClassifier`` (unfitted).
    augment, n_samples, target, holdout, random_state
        As in :func:`glassbox.distill`: by default (``augment="auto"``) tree and rule-list
        students are fitted on the real rows plus 4 times as many MUNGE rows, GAM students on
        the real rows alone.
    refit_teacher : bool, default=False
        Fit a clone of the teacher on ``(X, y)`` first (for use in cross-validation).

    Attributes
    ----------
    student_ : the fitted glass-box student; every prediction comes from it. Its parameters are
        ``student``'s, except a rule list's ``c="auto"`` and ``max_nodes=None``, which
        :func:`distill` resolves on the real rows when it adds synthetic ones.
    fidelity_ : FidelityReport, measured on rows the student never saw.
    teacher_ : the teacher used (the one given, or its refitted clone).
    classes_ : ndarray
    """

    def fit(self, X, y=None):
        super().fit(X, y)
        self.classes_ = self.student_.classes_
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "student_")
        return self.student_.predict_proba(X)

    @available_if(lambda self: hasattr(self.student, "decision_function"))
    def decision_function(self, X):
        check_is_fitted(self, "student_")
        return self.student_.decision_function(X)


class DistilledRegressor(RegressorMixin, _Distilled):
    """A glass-box regressor distilled from a black-box regression teacher.

    Parameters and attributes as :class:`DistilledClassifier`, with a glassbox regressor student
    (``GAMRegressor``, ``RuleListRegressor``, ``ShallowTreeRegressor``).
    """


def inspected(model):
    """The fitted glassbox model whose structure ``model`` shows: a distilled model's student, any
    other model itself. Views (text, explanations, plots, exports) show a distilled model as the
    student it is; an unfitted distilled model raises NotFittedError."""
    if isinstance(model, _Distilled):
        check_is_fitted(model, "student_")
        return model.student_
    return model
