"""ShallowTreeClassifier and ShallowTreeRegressor: optimal depth-limited trees on shared bins.

The estimators own the user's parameters and the public objects; which trees are candidates and
how the best is found is ``_search``; the fitted structure is ``_structure.Tree``.
"""

import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from glassbox._base import (
    BinnedModelMixin,
    CertifiedMixin,
    ClassWeightMixin,
    CriterionMixin,
    NotProvenOptimalWarning,
    check_integer,
    check_random_state_param,
    check_real,
    check_classification_y,
    check_monotonic_cst,
    check_regression_y,
    check_verbose,
    drop_zero_weight_rows,
    effective_n_threads,
    event_sign,
    feature_names,
    fix_event,
    relative_weight,
    user_stacklevel,
)
from glassbox._dask import refuse_dask_fit, rowwise
from glassbox._ext._typedefs import BIN_CODE_DTYPE
from glassbox._progress import Progress
from glassbox._regions import (MISCLASSIFICATION, prediction_loss, region_floor, region_loss, region_probabilities,
                               row_statistics)
from glassbox.tree._candidates import choose_candidates
from glassbox.tree._search import Problem, search
from glassbox.tree._structure import build_tree

_PARAMS_DOC = """
    Parameters
    ----------
    max_depth : int, default=3
        Deepest path allowed (1..8). Depth <= 3 is solved exactly; deeper trees use the
        anytime strategy described in the Notes and are never reported optimal.
    min_samples_leaf : int, default=1
        Fewest training rows a leaf may hold.
    complexity : float, default=0.0
        Penalty added to the objective per leaf, so a smaller tree wins unless a bigger one
        lowers the error by more than ``complexity`` per extra leaf (and wins ties).
    max_bins : int, default=32
        Value bins per feature (2..254), shared with every glassbox model; the search cost grows
        with the square (depth 2) or cube (depth 3) of it.
    monotonic_cst : array-like of int, dict or None, default=None
        scikit-learn's meaning: per feature 1 (prediction never decreases as the feature
        grows), -1 (never increases) or 0; or a dict ``{feature_name: -1|0|1}``. The prediction
        is the mean for regression and, for binary classification, the probability of the event
        (``pos_label``, else ``classes_[1]``); multiclass is refused. Holds between any two leaves, not only
        siblings; at depth <= 3 the search is exact among monotone trees (see ``optimal_``). Missing
        values are not ordered and not constrained. Categorical features
        cannot be constrained. Leaf values are training means, so the guarantee is exact up to
        floating-point rounding of those means.
    candidate_features : "auto", int or None, default="auto"
        The features the exact search reads. Its pairwise histograms grow with the square of the
        features, so on wide data it searches the features a greedy reference uses (each
        feature's best split at the root and in the children of the 8 best root splits; see
        ``glassbox._candidates``), and ``optimal_`` is relative to them. "auto": every
        feature when their value bins sum to at most 640 (or at depth <= 2 when the histograms
        fit), else the best-ranked ones whose bins sum to at most 640. An int k: the k
        best-ranked. None: every feature (wide data may then be refused for memory).
    max_root_splits : int or None, default=None
        The search's budget: root splits (feature, threshold, missing side) each depth-3 search
        examines, whether or not its bounds then skip them; ``optimal_`` is False when there are
        more. The ones examined are the best by their own one-split cost, so the tree depends only
        on the data and the parameters, not on ``n_jobs`` or the machine's load. None: as many as
        1e9 units of work pay for, a split costing two depth-2 solves of ``(sum of bins)^2 x
        classes`` units each and a root feature its histogram updates (a unit is about 26 ns of
        one core, measured on the benchmark datasets: at most ~26 s of one core, usually far
        less as the bounds skip most splits). Every split of the benchmark datasets but
        satimage's fits the default (docs/tree.md). When not every split fits, the tree cannot be
        certified, and the search stops at 4e8 units (the best splits come first). 0 examines
        none: the tree is then the depth-2 optimum, or its root split with exact depth-2 subtrees
        below where that is better. Depth <= 2 is one exact solve and needs no budget.
    time_limit : float or None, default=60.0
        Seconds after which the search returns the best tree found: a safety net for slow or
        loaded machines. When it stops the search, ``optimal_`` is False, the fit warns, and the
        tree may differ between runs (``max_root_splits`` is the reproducible budget).
    categorical_features : "auto", None or array-like, default="auto"
        Passed to :class:`~glassbox.binning.Binner`.
    n_jobs : int or None, default=None
        Threads for the kernels (None: all cores).
    random_state : int, RandomState or None, default=None
        Only used when the binner subsamples rows (more than 200,000) to place thresholds.
    verbose : int or bool, default=0
        1: print the search's progress to stderr (every few seconds and at the end: root
        thresholds tried of all, features done, the best objective so far, the time against
        ``time_limit``). The fitted tree is the same for every value.
"""

_SEARCH_ATTRIBUTES_DOC = """\
    optimal_ : bool
        Whether the tree is proven optimal for the objective over the split family on the
        ``candidate_features_`` (Notes): False when ``max_root_splits`` or ``time_limit``
        stopped the search, and at depth > 3.
    candidate_features_ : ndarray of intp
        The input columns the exact search read (``candidate_features``), in increasing order.
    lower_bound_ : float
        Proven lower bound on the optimal objective: ``objective_`` when ``optimal_``, else the
        equivalent-points bound (rows with the same bins on every searched feature share a leaf
        and owe their own loss), valid for every depth and often far below the optimum.
    optimality_gap_ : float
        ``objective_ - lower_bound_`` (0 when ``optimal_``).
"""

_NOTES_DOC = """
    Notes
    -----
    The split family (what "optimal" is over): a split on a continuous feature is a threshold
    between two bins with the missing values sent left or right; a categorical split sends a
    group of levels left, the groups being prefixes of the levels ordered by their training
    target mean (class-1 share for binary; for multiclass, share of the class whose ordering
    gives the best single split of the feature),
    which is the exact best grouping at the root for binary misclassification and squared
    error. Unseen levels follow the missing values. Every split keeps values on both sides
    within the node's range of the feature. Depth <= 2 is solved exactly on pairwise
    histograms; depth 3 by solving both sides of every root split exactly, with bounds (under a
    constrained root, both sides together by branch and bound, so the tree is the best
    monotone one); deeper trees refine each depth-3 leaf with an exact subtree (anytime, not
    claimed optimal).
"""


class _ShallowTree(CertifiedMixin, BinnedModelMixin, BaseEstimator):
    _is_classifier = False

    def __init__(self, max_depth=3, min_samples_leaf=1, complexity=0.0, max_bins=32,
                 monotonic_cst=None, candidate_features="auto", max_root_splits=None, time_limit=60.0,
                 categorical_features="auto", n_jobs=None, random_state=None, verbose=0):
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.complexity = complexity
        self.max_bins = max_bins
        self.monotonic_cst = monotonic_cst
        self.candidate_features = candidate_features
        self.max_root_splits = max_root_splits
        self.time_limit = time_limit
        self.categorical_features = categorical_features
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self):
        check_integer("max_depth", self.max_depth, 1, 8)
        check_integer("min_samples_leaf", self.min_samples_leaf, 1, np.iinfo(np.int32).max)
        check_real("complexity", self.complexity, 0)
        if not (self.candidate_features is None or (isinstance(self.candidate_features, str)
                                                    and self.candidate_features == "auto")):
            check_integer("candidate_features", self.candidate_features, 1,
                          why='or "auto", or None for every feature')
        if self.max_root_splits is not None:
            check_integer("max_root_splits", self.max_root_splits, 0)
        if self.time_limit is not None:
            check_real("time_limit", self.time_limit, 0, low_open=True, allow_inf=True)
        check_random_state_param(self.random_state)
        check_verbose(self.verbose)

    def fit(self, X, y, sample_weight=None):
        """Find the best tree of depth <= ``max_depth`` for the objective (see ``objective_``).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric, categorical and missing values.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        refuse_dask_fit(self, "shallow trees", X=X, y=y, sample_weight=sample_weight)
        self._check_params()
        start = time.monotonic()
        progress = Progress(self.verbose, "tree")
        # A row of weight zero is absent: also from binning and from min_samples_leaf, so a weight
        # of 0 and removing the row fit the same tree.
        X, y, given_weight, categorical = drop_zero_weight_rows(X, y, self._weights(y, sample_weight),
                                                                self.categorical_features)
        sw = relative_weight(given_weight)  # what the search computes with: scale-free
        data = self._fit_bins(X, max_bins=self.max_bins, categorical_features=categorical,
                              n_jobs=self.n_jobs, random_state=self.random_state)
        n = data.codes.shape[0]
        names = feature_names(self)
        cst = check_monotonic_cst(self.monotonic_cst, names, data.is_categorical,
                                  has_names=hasattr(self, "feature_names_in_"))
        stats, n_outputs, scale = self._stats(y, sw, n, cst)
        pseudo = float(sw.mean())  # the risk criteria's pseudo-row per class weighs one mean row
        order, ordinal = _ordinal_codes(data, stats, self._is_classifier, self._criterion(), pseudo)
        n_bins = np.array([f.n_bins for f in data.features], dtype=np.intp)
        n_threads = effective_n_threads(self.n_jobs)
        n_classes = getattr(self, "n_classes_", 0)
        # At depth <= 2 the search is one solve: "auto" keeps every feature whose histograms fit.
        shallow_fits = (self.max_depth <= 2
                        and _histogram_bytes(n_bins, stats.shape[1], self.max_depth, n_threads) <= MAX_HISTOGRAM_BYTES)
        self.candidate_features_ = choose_candidates(self.candidate_features, ordinal, stats, n_bins, n_classes,
                                                     self._criterion(), pseudo, n_threads, keep_all=shallow_fits)
        searched = self.candidate_features_
        if len(searched) < len(n_bins):
            progress(f"searching {len(searched)} of {len(n_bins)} features, ranked by the greedy reference")
        _check_histogram_memory(n_bins[searched], stats.shape[1], self.max_depth, n_threads, n_classes)
        deadline = start + (self.time_limit if self.time_limit is not None else np.inf)
        # A constraint reads the event's probability; with pos_label = classes_[0] the search's
        # class-1 share is the other class's, so it applies the opposite sign.
        applied = (cst * int(event_sign(self))).astype(cst.dtype)
        problem = Problem(np.asfortranarray(ordinal[:, searched]), stats, n_bins[searched], applied[searched],
                          n_classes, self.min_samples_leaf, self.complexity * scale, n_threads, deadline,
                          max_root_splits=self.max_root_splits, min_weight=1e-12 * sw.sum(),
                          criterion=self._criterion(), pseudo=pseudo, scale=scale, progress=progress)
        limit = "" if self.time_limit is None else f"; time_limit={self.time_limit:g}s"
        progress(f"searching trees of depth <= {self.max_depth} on {n:,} rows x {len(searched)} features (up to "
                 f"{n_bins[searched].max()} bins each){limit}", force=True)
        root, cost, proven = search(problem, self.max_depth)
        _to_input_features(root, searched)
        # Each node's training weight, as given.
        self.tree_ = build_tree(root, data.features, order, n_outputs, self._value_of(stats, pseudo),
                                lambda rows: float(given_weight[rows].sum()), classes=getattr(self, "classes_", None))
        self.monotonic_cst_ = cst
        self.optimal_ = bool(proven)
        self.objective_ = self._objective(data.codes, y_train=self._y_train, sw=sw)
        del self._y_train
        self.lower_bound_ = self.objective_ if self.optimal_ else min(
            self.objective_, (equivalent_points_bound(problem) + problem.leaf_penalty) / scale)
        self.fit_time_ = time.monotonic() - start
        progress(lambda: f"done: {self.tree_.n_leaves} leaves, objective {self.objective_:.6g}, "
                         + _why_not_optimal(self.optimal_, problem, self.max_depth), force=True)
        _warn_not_optimal(self, problem)
        return self

    def _weights(self, y, sample_weight):
        """The weights the fit uses: the regressor's as given (the classifier's class-weighted)."""
        return sample_weight

    def _criterion(self):
        """The classification criterion's index in ``glassbox._regions.CRITERIA`` (the classifier's)."""
        return MISCLASSIFICATION

    def _objective(self, codes, y_train, sw):
        """The objective of the fitted tree on the training data, computed from predictions."""
        leaf = self.tree_.apply(codes)
        error = self._error(leaf, y_train, sw)
        return float(error + self.complexity * self.tree_.n_leaves)

    def _codes(self, X):
        check_is_fitted(self, "tree_")
        return self._transform_bins(X)

    @rowwise
    def apply(self, X):
        """The leaf node each row reaches (an index into ``tree_``'s node arrays, as in
        scikit-learn's trees; ``tree_.leaf_id`` numbers the leaves left to right).

        Returns
        -------
        ndarray of intp, shape (n_samples,)
        """
        codes = self._codes(X)
        return self.tree_.apply(codes)


class ShallowTreeClassifier(CriterionMixin, ClassWeightMixin, ClassifierMixin, _ShallowTree):
    __doc__ = (
        """Optimal depth-limited classification tree, optionally monotone.

    The objective is the training loss of the leaves' predictions by ``criterion`` (the
    misclassification rate, or the mean log loss or Brier score of the leaves' smoothed class
    probabilities) plus ``complexity`` times the number of leaves.
    """ + _PARAMS_DOC.replace("    categorical_features :", """\
    criterion : {"log_loss", "brier", "misclassification"}, default="log_loss"
        The loss the tree minimises. "log_loss" and "brier": each leaf predicts its smoothed
        class distribution ``(w_k + m) / (w + K m)`` (one pseudo-row of the mean row weight
        ``m`` per class), and the tree minimises the log loss or Brier score of those
        probabilities. "misclassification": the weight of rows whose class is not their leaf's
        majority; leaf probabilities are the training shares. Misclassification puts leaves of
        the same class side by side and cannot rank risk; the risk criteria choose splits that
        separate risks, so the tree's probabilities rank rows (AUC). The depth-3 search is exact
        for each (its bounds are stated per criterion in ``glassbox._regions``); the log loss's
        looser bounds make it slower (fico, one thread: 15.7 s against 11.8 s: docs/tree.md).
        The default was chosen by
        cross-validation inside the benchmark datasets' training splits (docs/tree.md): against
        misclassification, +0.036 AUC (paired SE 0.010), accuracy -0.003 (SE 0.009).
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes, scikit-learn's meaning: each row's weight is multiplied by its
        class's ("balanced": ``n_samples / (n_classes * rows of the class)``; a dict maps labels to
        weights, omitted classes weigh 1). Leaf probabilities are those of the weighted rows, as
        in scikit-learn's trees; ``min_samples_leaf`` still counts rows.
    pos_label : label or None, default=None
        The event a binary tree is about: ``monotonic_cst`` reads its probability, and reason
        codes and reports are about it. None: ``classes_[1]``. ``classes_`` and
        ``predict_proba``'s columns keep scikit-learn's sorted order whatever the event.
    categorical_features :""") + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    tree_ : Tree
        Node arrays and leaf rules (:class:`glassbox.tree.Tree`); leaf values are class
        probabilities in ``classes_`` order (training shares, smoothed under the risk criteria).
    objective_ : float
        The objective of the fitted tree on the training data.
""" + _SEARCH_ATTRIBUTES_DOC + """    monotonic_cst_ : ndarray of int8, shape (n_features,)
        The constraints, on the event's probability.
    binner_ : Binner
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.
    fit_time_ : float
        Seconds spent in ``fit``.
    """ + _NOTES_DOC
    )
    _is_classifier = True

    def __init__(self, max_depth=3, min_samples_leaf=1, complexity=0.0, max_bins=32, monotonic_cst=None,
                 candidate_features="auto", max_root_splits=None, time_limit=60.0, criterion="log_loss",
                 class_weight=None, pos_label=None, categorical_features="auto", n_jobs=None, random_state=None,
                 verbose=0):
        self.criterion = criterion
        super().__init__(max_depth=max_depth, min_samples_leaf=min_samples_leaf, complexity=complexity,
                         max_bins=max_bins, monotonic_cst=monotonic_cst, candidate_features=candidate_features,
                         max_root_splits=max_root_splits, time_limit=time_limit,
                         categorical_features=categorical_features, n_jobs=n_jobs, random_state=random_state,
                         verbose=verbose)
        self.class_weight = class_weight
        self.pos_label = pos_label

    def _stats(self, y, sw, n, cst):
        codes, classes = check_classification_y(y, n)
        self.classes_, self.n_classes_ = classes, len(classes)
        fix_event(self)
        if self.n_classes_ > 2 and cst.any():
            raise ValueError(
                f"monotonic_cst is only supported for binary classification and regression, but y "
                f"has {self.n_classes_} classes: the constraint would need one direction per "
                "class. Drop monotonic_cst or fit one binary tree per class of interest."
            )
        stats = row_statistics(codes, sw, self.n_classes_, extra=[np.ones(n)])  # the row count last
        self._y_train = codes
        return stats, self.n_classes_, sw.sum()

    def _value_of(self, stats, pseudo):
        def value(rows):
            return region_probabilities(stats[rows, :self.n_classes_].sum(axis=0), self._criterion(), pseudo)
        return value

    def _error(self, leaf, y_codes, sw):
        counts = np.zeros((self.tree_.value.shape[0], self.n_classes_))
        np.add.at(counts, (leaf, y_codes), sw)
        return prediction_loss(counts, self.tree_.value, self._criterion()).sum() / sw.sum()

    @rowwise
    def predict_proba(self, X):
        """Class probabilities of the leaf each row reaches (training shares, smoothed under the
        risk criteria, or a distilled tree's teacher's probabilities; ``classes_`` order)."""
        leaves = self.apply(X)
        return self.tree_.value[leaves]

    @rowwise
    def predict(self, X):
        """The most probable class of the leaf each row reaches."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class ShallowTreeRegressor(RegressorMixin, _ShallowTree):
    __doc__ = (
        """Optimal depth-limited regression tree, optionally monotone.

    The objective is the weighted mean squared error divided by the weighted variance of y
    (1 - R² on the training data) plus ``complexity`` times the number of leaves.
    """ + _PARAMS_DOC + """
    Attributes
    ----------
    tree_ : Tree
        Node arrays and leaf rules (:class:`glassbox.tree.Tree`); leaf values are ``[mean]``.
    objective_ : float
        The objective of the fitted tree on the training data.
""" + _SEARCH_ATTRIBUTES_DOC + """    monotonic_cst_ : ndarray of int8, shape (n_features,)
    binner_ : Binner
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.
    fit_time_ : float
        Seconds spent in ``fit``.
    """ + _NOTES_DOC
    )

    def _stats(self, y, sw, n, cst):
        y = check_regression_y(y, n)
        W = sw.sum()
        mean = float(sw @ y / W)
        centred = y - mean  # centring keeps w*y*y sums well conditioned
        self._y_train = y
        self._variance_sum = float(sw @ centred**2)
        stats = row_statistics(centred, sw, 0, extra=[np.ones(n)])  # the row count last
        self._mean = mean
        return stats, 1, self._variance_sum if self._variance_sum > 0 else W

    def _value_of(self, stats, pseudo):
        def value(rows):
            w = stats[rows, 0].sum()
            return [self._mean + stats[rows, 1].sum() / w if w > 0 else self._mean]
        return value

    def _error(self, leaf, y, sw):
        residual = y - self.tree_.value[leaf, 0]
        denominator = self._variance_sum if self._variance_sum > 0 else sw.sum()
        return float(sw @ residual**2 / denominator)

    @rowwise
    def predict(self, X):
        """The training mean of the leaf each row reaches."""
        leaves = self.apply(X)
        return self.tree_.value[leaves, 0]


def _why_not_optimal(optimal, problem, max_depth):
    if optimal:
        return "proven optimal"
    if problem.timed_out:
        return "not proven optimal: stopped by time_limit"
    if max_depth > 3:
        return "not proven optimal (depth > 3 is refined leaf by leaf)"
    examined, there_are = problem.scopes[0] if problem.scopes else (0, 0)
    return f"not proven optimal: {examined:,} of {there_are:,} root splits examined (max_root_splits)"


def _warn_not_optimal(model, problem):
    """Warn when a budget stopped the search: the clock (the tree may differ between runs) or,
    at depth 3, ``max_root_splits``; deeper trees are never claimed optimal and do not warn."""
    gap = f"its objective {model.objective_:.6g} is at most {model.optimality_gap_:.3g} above the optimum"
    if problem.timed_out:
        warnings.warn(
            f"The tree search stopped at time_limit={model.time_limit:g}s before it finished, so the tree is "
            f"the best found by then and may differ between runs and machines; {gap}. Raise time_limit, or "
            "lower max_root_splits (a budget in work, reproducible) or max_bins.",
            NotProvenOptimalWarning, stacklevel=user_stacklevel())
    elif model.max_depth == 3 and problem.scopes and problem.scopes[0][0] < problem.scopes[0][1]:
        examined, there_are = problem.scopes[0]
        warnings.warn(
            f"The depth-3 search examined {examined:,} of {there_are:,} root splits (the best by their own "
            f"one-split cost; max_root_splits={model.max_root_splits}), so the tree is not proven optimal; {gap} "
            f"(a bound from rows no split separates, often loose). max_root_splits={there_are} examines them all "
            "(slower), and lower max_bins or fewer features make each cheaper.",
            NotProvenOptimalWarning, stacklevel=user_stacklevel())


def equivalent_points_bound(problem):
    """The least loss any tree can have: rows with the same code on every feature fall in the
    same leaf, whatever the splits, and a leaf's loss is at least the summed floors of such
    groups (``glassbox._regions.region_floor``)."""
    _, group = np.unique(problem.codes, axis=0, return_inverse=True)
    sums = np.zeros((int(group.max()) + 1 if len(group) else 0, problem.stats.shape[1]))
    np.add.at(sums, group.reshape(-1), problem.stats)
    return float(region_floor(sums, problem.n_classes, problem.criterion).sum())


# Largest pairwise-histogram memory the search may hold (depth 3: the node's, plus four per
# root-feature worker: left and right for each missing direction).
MAX_HISTOGRAM_BYTES = 2 * 1024**3


def _histogram_bytes(n_bins, n_stats, max_depth, n_threads):
    """Bytes of the n_features^2 x codes^2 x n_stats float64 histograms the search holds."""
    p, codes = len(n_bins), int(n_bins.max()) + 1
    copies = 1 if max_depth <= 2 else 1 + 4 * min(n_threads, p)
    return copies * p * p * codes * codes * n_stats * 8


def _check_histogram_memory(n_bins, n_stats, max_depth, n_threads, n_classes=0):
    """Refuse clearly, with what to change, rather than exhaust memory on wide data (or on a
    target of many classes: each class is a statistic in every histogram cell)."""
    need = _histogram_bytes(n_bins, n_stats, max_depth, n_threads)
    if need > MAX_HISTOGRAM_BYTES:
        quantity = (f"y has {n_classes:,} classes: if it is a quantity (a price, a count), fit a "
                    "ShallowTreeRegressor; otherwise " if n_classes > 2 else "")
        raise ValueError(
            f"the exact tree search on {len(n_bins)} features with up to {n_bins.max()} bins each needs "
            f"{need / 1024**3:.1f} GiB of pairwise histograms (limit "
            f"{MAX_HISTOGRAM_BYTES / 1024**3:.0f} GiB); {quantity}lower max_bins, or let candidate_features "
            "(\"auto\" or a number) choose fewer features."
        )


def _to_input_features(node, searched):
    """Number a search tree's split features as the input's columns, not the searched subset's."""
    if node.feature >= 0:
        node.feature = int(searched[node.feature])
        _to_input_features(node.left, searched)
        _to_input_features(node.right, searched)


def _ordinal_codes(data, stats, is_classifier, criterion=MISCLASSIFICATION, pseudo=1.0):
    """Order each categorical feature's levels by target mean; return the order and the codes.

    Returns ``order`` (per feature, binner codes in ordinal order) and the ordinal code matrix,
    whose missing code stays ``n_bins`` (no unseen values occur in training data).
    """
    codes = data.codes
    ordinal = np.asfortranarray(codes.copy())
    order = []
    for j, bins in enumerate(data.features):
        if not bins.is_categorical:
            order.append(np.arange(bins.n_bins, dtype=np.intp))
            continue
        n_loss = stats.shape[1] - 1  # the loss block: every column but the row count
        sums = np.zeros((bins.n_codes, n_loss))
        np.add.at(sums, codes[:, j], stats[:, :n_loss])
        sums = sums[: bins.n_bins]
        key = _level_key(sums, is_classifier, criterion, pseudo)
        ranked = np.lexsort((np.arange(bins.n_bins), key))
        order.append(ranked.astype(np.intp))
        rank = np.empty(bins.n_codes, dtype=BIN_CODE_DTYPE)
        rank[ranked] = np.arange(bins.n_bins)
        rank[bins.n_bins:] = bins.n_bins  # missing (and unseen) stay the missing code
        ordinal[:, j] = rank[codes[:, j]]
    return order, ordinal


def _level_key(sums, is_classifier, criterion=MISCLASSIFICATION, pseudo=1.0):
    """Sort key of each level (empty levels last): the target mean (regression: channels w,
    wy, wyy), the class-1 share (binary), or for multiclass the share of the class k whose
    ordering admits the best single split of the levels (least loss by ``criterion`` over the
    prefix splits; ties: lowest k) -- no single ordering is exact for several classes."""
    if not is_classifier:
        return _share(sums[:, 1], sums[:, 0])
    w = sums.sum(axis=1)
    if sums.shape[1] == 2:
        return _share(sums[:, 1], w)
    best_key, best_error = None, np.inf
    for k in range(sums.shape[1]):
        key = _share(sums[:, k], w)
        ranked = np.lexsort((np.arange(len(key)), key))
        left = np.cumsum(sums[ranked], axis=0)[:-1]
        right = sums.sum(axis=0) - left
        errors = (region_loss(left, sums.shape[1], criterion, pseudo)
                  + region_loss(right, sums.shape[1], criterion, pseudo))
        error = errors.min() if len(errors) else 0.0
        if error < best_error:
            best_key, best_error = key, error
    return best_key


def _share(part, whole):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1), np.inf)
