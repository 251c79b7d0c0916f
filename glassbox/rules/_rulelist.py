"""``RuleListClassifier`` and ``RuleListRegressor``: ordered IF / ELSE IF / ELSE rule lists that
minimise ``loss + c * n_rules``, searched to a certificate of optimality when the budget allows.

The estimators decide (validation, parameters, the fitted structure); antecedent mining lives in
``_antecedents.py``, the search in ``_search.py``, and the bitset arithmetic in
``glassbox/_ext/_bitset.pyx``.
"""

import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone, is_classifier
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
    check_sample_weight,
    check_verbose,
    drop_zero_weight_rows,
    effective_n_threads,
    event_class,
    feature_names,
    fix_event,
    relative_weight,
    user_stacklevel,
)
from glassbox._dask import refuse_dask_fit, rowwise
from glassbox._progress import Progress
from glassbox._candidates import rank_features
from glassbox._regions import CRITERIA, MISCLASSIFICATION, prediction_loss, row_statistics
from glassbox.rules import _antecedents
from glassbox.rules._antecedents import mine_antecedents
from glassbox.rules._budget import limit_to_budget
from glassbox.rules._empty import empty_list_advice
from glassbox.rules._monotone import isotonic_on_pairs, order_pairs
from glassbox.rules._rule import Rule, first_match
from glassbox.rules._search import Problem, default_max_nodes, max_default_candidates, search


class EmptyRuleListWarning(UserWarning):
    """A fit returned the default rule alone; the message says which setting would give rules."""


# c="auto": a rule must cut the loss by 0.5% of the weight, and by at least 5 rows' worth on small
# data. docs/rules.md gives the cross-validation (inside the training splits) that chose it.
_AUTO_C = 0.005
_AUTO_C_ROWS = 5


def _auto_c(n_samples):
    return max(_AUTO_C, _AUTO_C_ROWS / max(n_samples, 1))


class _BaseRuleList(CertifiedMixin, BinnedModelMixin, BaseEstimator):
    """Parameters, fitting and inspection shared by the classifier and the regressor."""

    def __init__(self, c="auto", *, max_card=2, min_support=None, max_thresholds=8, max_rules=None,
                 max_nodes=None, time_limit=None, beam_width=8, monotonic_cst=None, categorical_features="auto",
                 n_jobs=None, random_state=None, verbose=0):
        self.c = c
        self.monotonic_cst = monotonic_cst
        self.max_card = max_card
        self.min_support = min_support
        self.max_thresholds = max_thresholds
        self.max_rules = max_rules
        self.max_nodes = max_nodes
        self.time_limit = time_limit
        self.beam_width = beam_width
        self.categorical_features = categorical_features
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __setstate__(self, state):
        # A list pickled before conjunction_features_ existed combined every feature's conditions,
        # as a format-8 model file loads: every reader of the fitted list can then rely on it.
        if "rules_" in state:
            state.setdefault("conjunction_features_", np.arange(state["n_features_in_"], dtype=np.intp))
        super().__setstate__(state)

    def _check_params(self):
        if not (isinstance(self.c, str) and self.c == "auto"):
            try:
                check_real("c", self.c, 0.0, 1.0, high_open=True)
            except ValueError:
                raise ValueError(f"c must be 'auto' or a finite number in [0.0, 1.0), got {self.c!r}.") from None
        check_integer("max_card", self.max_card, 1, 3, "conjunctions of more than 3 conditions "
                      "multiply the candidates beyond what the search can bound")
        if self.min_support is not None:
            check_real("min_support", self.min_support, 0.0, 1.0, high_open=True)
        check_integer("max_thresholds", self.max_thresholds, 1, 253)
        if self.max_rules is not None:
            check_integer("max_rules", self.max_rules, 0)
        if self.max_nodes is not None:
            check_integer("max_nodes", self.max_nodes, 1)
        if self.time_limit is not None:
            check_real("time_limit", self.time_limit, 0, low_open=True, allow_inf=True)
        check_integer("beam_width", self.beam_width, 1)
        check_random_state_param(self.random_state)
        check_verbose(self.verbose)

    def _weights(self, y, sample_weight):
        """The weights the fit uses: the regressor's as given (the classifier's class-weighted)."""
        return sample_weight

    def _criterion(self):
        """The classification criterion's index in ``glassbox._regions.CRITERIA`` (the classifier's)."""
        return MISCLASSIFICATION

    def _fit(self, X, y, sample_weight, classification):
        refuse_dask_fit(self, "rule lists", X=X, y=y, sample_weight=sample_weight)
        self._check_params()  # before the clock reads time_limit
        # One clock for the whole fit. Mining may take half of it: what it finds is then sorted,
        # deduplicated and scored, in time that grows with how much it found.
        start = time.perf_counter()
        deadline = np.inf if self.time_limit is None else start + self.time_limit
        progress = Progress(self.verbose, "rule list", start)
        binned, antecedents, problem, target, sample_weight, relative = self._prepare(
            X, y, self._weights(y, sample_weight), classification, (start + deadline) / 2, progress)
        max_rules = np.inf if self.max_rules is None else self.max_rules
        max_nodes = self.max_nodes if self.max_nodes is not None else default_max_nodes(problem)
        time_left = None if self.time_limit is None else max(deadline - time.perf_counter(), 0.0)
        progress(lambda: f"{self.n_antecedents_:,} candidate rules mined ({antecedents.n_single:,} single "
                         f"conditions{'' if antecedents.complete else '; mining stopped early'}) on "
                         f"{len(target):,} rows; searching with c={self.c_:.4g}, max_nodes={max_nodes:,}"
                         + ("" if self.time_limit is None else f", time_limit={self.time_limit:g}s"), force=True)
        result = search(problem, c=self.c_, max_rules=max_rules, max_nodes=max_nodes,
                        time_limit=time_left, beam_width=self.beam_width, progress=progress)
        self.objective_ = result.objective
        # Over incomplete candidates the search's bound holds for them only; the loss no rule can
        # remove (rows every single condition treats alike) bounds every list.
        self.lower_bound_ = result.lower_bound if antecedents.complete else min(result.lower_bound,
                                                                                problem.floor())
        self.optimal_ = result.optimal and antecedents.complete
        self.n_nodes_ = result.n_nodes
        self.conjunction_features_ = (np.arange(len(binned.features), dtype=np.intp)
                                      if antecedents.conjunction_features is None
                                      else antecedents.conjunction_features)
        self.rules_ = self._make_rules(antecedents, result.prefix, binned.codes, target, sample_weight, relative,
                                       classification)
        if self.monotonic_cst_.any() and self._make_monotone(binned, target, relative, classification):
            self.optimal_ = False  # the certificate was for the list's own predictions
        if len(self.rules_) == 1 and self.n_antecedents_:
            singles = [antecedents.conditions[a] for a in range(antecedents.n_single)]
            advice = empty_list_advice(singles, binned.codes, target, relative,
                                       classification, len(self.classes_) if classification else 0, self.c_,
                                       criterion=self._criterion(),
                                       suggest_balanced=getattr(self, "class_weight", None) is None,
                                       deadline=deadline)
            warnings.warn(f"the rule list is empty (the default rule alone): {advice}", EmptyRuleListWarning,
                          stacklevel=user_stacklevel())
        criterion = CRITERIA[self._criterion()]
        if antecedents.conjunction_features is not None:
            warnings.warn(
                f"the default search budget cannot score every candidate rule of these data often enough, so "
                f"conjunctions were limited to those among the {len(antecedents.conjunction_features)} features a "
                f"greedy reference ranks best ({self.n_antecedents_:,} candidate rules; every single condition is "
                "one). The list is the best the search found among those, not certified optimal: "
                f"{describe_gap(self.objective_, self.lower_bound_, classification, len(target), criterion)}. "
                "Set max_nodes to search every conjunction (each expansion then scores them all), or lower "
                "max_thresholds for fewer candidates.",
                NotProvenOptimalWarning, stacklevel=user_stacklevel(),
            )
        elif not antecedents.complete:
            reason = ("half the time limit" if antecedents.stopped_by == "deadline"
                      else f"the {_antecedents.MAX_MINED_BYTES >> 20} MiB of memory they may take")
            warnings.warn(
                f"mining the candidate rules stopped at {self.n_antecedents_} of them ({reason}), so the list "
                f"is the best the search found among those, not certified optimal: "
                f"{describe_gap(self.objective_, self.lower_bound_, classification, len(target), criterion)}. "
                "Lower max_card or max_thresholds, or raise min_support, for fewer candidates; or raise "
                "time_limit. (On wide data, conjunctions among the features a greedy reference ranks best "
                "are mined first.)",
                NotProvenOptimalWarning, stacklevel=user_stacklevel(),
            )
        elif not result.optimal:
            warnings.warn(
                f"the search budget (max_nodes={max_nodes}, time_limit={self.time_limit}) ran "
                f"out before the rule list was proven optimal: "
                f"{describe_gap(result.objective, result.lower_bound, classification, len(target), criterion)}. "
                "Raise the budget, raise c, or lower max_card / max_thresholds for a certificate.",
                NotProvenOptimalWarning, stacklevel=user_stacklevel(),
            )
        return self

    def _prepare(self, X, y, sample_weight, classification, deadline=np.inf, progress=None):
        """Validate, bin, mine the antecedents: what the search needs (sets ``c_``, the bins and
        ``classes_``), with the weights as given and relative to their mean (what it computes with)."""
        self._check_params()
        # A row of weight zero counts nowhere in the objective; dropped before binning, a zero
        # weight means exactly "row absent" (the bins would otherwise see its value).
        X, y, sample_weight, categorical = drop_zero_weight_rows(X, y, sample_weight, self.categorical_features)
        binned = self._fit_bins(X, categorical_features=categorical, n_jobs=self.n_jobs,
                                random_state=self.random_state)
        n_samples = binned.codes.shape[0]
        if classification:
            target, self.classes_ = check_classification_y(y, n_samples)
            fix_event(self)
        else:
            target = check_regression_y(y, n_samples)
        self.monotonic_cst_ = check_monotonic_cst(self.monotonic_cst, feature_names(self), binned.is_categorical,
                                                  has_names=getattr(self, "feature_names_in_", None) is not None)
        if classification and len(self.classes_) > 2 and self.monotonic_cst_.any():
            raise ValueError(
                f"monotonic_cst is only supported for binary classification and regression, but y has "
                f"{len(self.classes_)} classes: the constraint would need one direction per class. Drop "
                "monotonic_cst or fit one binary list per class of interest."
            )
        sample_weight = check_sample_weight(sample_weight, n_samples)
        relative = relative_weight(sample_weight)  # what the search computes with: scale-free
        n_threads = effective_n_threads(self.n_jobs)
        self.c_ = _auto_c(n_samples) if isinstance(self.c, str) else float(self.c)
        # A rule capturing less than c of the weight is never in an optimal classification list
        # (removing it costs less than the c it saves), so by default no such rule is mined.
        min_support = self.c_ if self.min_support is None else self.min_support
        n_classes = len(self.classes_) if classification else 0

        ranking = []

        def ranked_features():  # the greedy reference (glassbox._candidates), computed once when needed
            if not ranking:
                n_bins = np.array([f.n_bins for f in binned.features], dtype=np.intp)
                stats = row_statistics(target, relative, n_classes)
                ranking.append(rank_features(np.asfortranarray(binned.codes), stats, n_bins, binned.is_categorical,
                                             n_classes, self._criterion(), float(relative.mean()), n_threads))
            return ranking[0]

        # With the default budget, mining stops at the most candidates its fewest expansions could
        # score, and _budget.py limits the conjunctions to what they can.
        default_budget = self.max_nodes is None
        antecedents = mine_antecedents(binned, relative, max_card=self.max_card,
                                       min_support=min_support,
                                       max_thresholds=self.max_thresholds, n_threads=n_threads, deadline=deadline,
                                       max_conjunctions=max_default_candidates() if default_budget else None,
                                       rank_features=ranked_features, progress=progress)
        if classification:
            problem_y = target
        else:
            scale = _weighted_std(target, relative)
            problem_y = (target - np.average(target, weights=relative)) / (scale if scale > 0 else 1.0)

        def make_problem(antecedents):
            return Problem(antecedents.bits, antecedents.n_single, problem_y, relative,
                           classification=classification, n_classes=n_classes, nested=antecedents.nested,
                           n_threads=n_threads, criterion=self._criterion(), deadline=deadline,
                           conditions=antecedents.conditions, codes=binned.codes)

        if default_budget:
            antecedents, problem = limit_to_budget(antecedents, make_problem, ranked_features)
        else:
            problem = make_problem(antecedents)
        self.n_antecedents_ = len(antecedents.conditions)
        if self.n_antecedents_ == 0:
            warnings.warn(
                "no feature splits the training rows into groups of at least min_support="
                f"{min_support} of the weight (constant features?); the rule list is the "
                "default rule alone. Lower min_support or add informative features.",
                UserWarning, stacklevel=user_stacklevel(),
            )
        return binned, antecedents, problem, target, sample_weight, relative

    def _make_rules(self, antecedents, prefix, codes, target, sample_weight, relative, classification):
        """The fitted structure, with each rule's statistics read from the rows it captures: its
        values from the relative weights (scale-free), its training weight as given."""
        free = np.ones(codes.shape[0], dtype=bool)
        rules = []
        for conditions in [antecedents.conditions[a] for a in prefix] + [()]:
            rule = Rule(conditions, None, None)
            rows = free & rule.evaluate(codes)
            free &= ~rows
            w = relative[rows]
            if classification:
                counts = np.bincount(target[rows], weights=w, minlength=len(self.classes_))
                if counts.sum() == 0:  # a default rule with no rows left keeps the overall mix
                    counts = np.bincount(target, weights=relative, minlength=len(self.classes_))
                # Laplace smoothing: one pseudo-row of the average weight per class (with unit
                # weights, one row), whatever the weights' scale.
                pseudo = relative.mean()
                value = (counts + pseudo) / (counts.sum() + len(self.classes_) * pseudo)
                prediction = self.classes_[int(np.argmax(value))]
            else:
                mean = np.average(target[rows], weights=w) if w.sum() > 0 else np.average(target, weights=relative)
                value = np.array([mean])
                prediction = float(mean)
            rules.append(Rule(conditions, prediction, value, float(sample_weight[rows].sum()), int(rows.sum())))
        return rules

    def _make_monotone(self, binned, target, relative, classification):
        """Replace the rules' predictions (the event's probability, or the mean) by the closest
        that respect ``monotonic_cst`` (rules/_monotone.py); recompute ``objective_``. True when
        any prediction changed."""
        k = event_class(self)[0] if classification else 0
        values = np.array([rule.value[k] for rule in self.rules_])
        weights = np.array([rule.weight for rule in self.rules_])
        pairs = order_pairs(self.rules_, binned.features, self.monotonic_cst_)
        projected = isotonic_on_pairs(values, weights, pairs)
        if np.array_equal(projected, values):
            return False
        rules = []
        for rule, v in zip(self.rules_, projected):
            value = rule.value.copy()
            value[k] = v
            if classification:
                value[1 - k] = 1.0 - v
            prediction = self.classes_[int(np.argmax(value))] if classification else float(v)
            rules.append(Rule(rule.conditions, prediction, value, rule.weight, rule.n_samples))
        self.rules_ = rules
        fired = self._fired(binned.codes)
        if classification:
            counts = np.zeros((len(rules), len(self.classes_)))
            np.add.at(counts, (fired, target), relative)
            probabilities = np.array([rule.value for rule in rules])
            error = prediction_loss(counts, probabilities, self._criterion()).sum() / relative.sum()
        else:
            mean = np.average(target, weights=relative)
            variance = np.average((target - mean) ** 2, weights=relative)
            mse = np.average((target - projected[fired]) ** 2, weights=relative)
            error = mse / variance if variance > 0 else 0.0
        self.objective_ = float(error + self.c_ * (len(rules) - 1))
        return True

    def _fired(self, codes):
        return first_match(self.rules_, codes)

    @rowwise
    def apply(self, X):
        """Index into ``rules_`` of the rule that fires for each row: the first whose conditions
        hold (the default rule, last, when none does).

        Returns
        -------
        ndarray of intp, shape (n_samples,)
        """
        check_is_fitted(self, "rules_")
        return self._fired(self._transform_bins(X))


class RuleListClassifier(CriterionMixin, ClassWeightMixin, ClassifierMixin, _BaseRuleList):
    """An ordered rule list for binary or multiclass targets, optimal for its objective.

    ``IF priors_count > 3 THEN 1 ... ELSE IF age <= 22.5 THEN 1 ... ELSE 0``: each rule predicts
    the smoothed class distribution of the training rows it captures (its class: the most
    probable). The list minimises the training loss of those predictions (``criterion``) per unit
    of weight plus ``c`` times the number of rules (the default rule is not counted), over
    antecedents built from the shared bins: ``x <= t``, ``x > t``, ``t1 < x <= t2``,
    ``x == level``, ``x is missing`` and conjunctions of up to ``max_card`` of them on different
    features, each capturing at least ``min_support`` of the training weight. A beam search finds a
    good list; branch-and-bound with the CORELS bounds then proves it optimal or finds better,
    within ``max_nodes`` expansions and ``time_limit`` seconds.

    Parameters
    ----------
    c : float in [0, 1) or "auto", default="auto"
        Cost per rule: a rule must cut the training loss (the misclassification rate, the mean
        log loss or the mean Brier score) by more than ``c`` to be worth it. "auto":
        ``max(0.005, 5 / n_samples)``, so on small data a rule must also be worth five training
        rows (see ``c_``).
    criterion : {"log_loss", "brier", "misclassification"}, default="log_loss"
        The loss the list minimises. "log_loss" and "brier": the log loss or Brier score of each
        rule's smoothed class probabilities (see ``rules_``); they reward a rule that separates
        2% risk from 30% risk even when both groups keep the same majority class, so the list
        ranks risk and keeps rules on rare positives. "misclassification" (CORELS's objective):
        the weight of the rows whose class is not their rule's. The bounds that make the search
        exact hold for each (docs/rules.md); under the risk criteria ``min_support`` limits the
        candidates, and the certificate is over them. The default was chosen by cross-validation
        inside the benchmark datasets' training splits (docs/rules.md): against
        misclassification, +0.051 AUC (paired SE 0.011) with the same accuracy, and about twice
        the rules.
    max_card : int in 1..3, default=2
        Most conditions in one rule.
    min_support : float in [0, 1) or None, default=None
        Smallest fraction of the training weight an antecedent must hold on. None: ``c_``, which
        loses nothing under misclassification: a rule capturing less than ``c_`` of the weight is
        never in an optimal list (removing it adds at most that weight of errors and saves
        ``c_``). Under the log loss and Brier score, and in regression, it only limits the
        candidates.
    max_thresholds : int, default=8
        Cut points per continuous feature, at evenly spaced weighted quantiles of its bins.
    max_rules : int or None, default=None
        Most rules (besides the default); None: only ``c`` limits the length.
    max_nodes : int or None, default=None
        Most prefixes the beam search and branch-and-bound expand together (a prefix whose best
        32 children were all explored counts again when its next children are scored). None:
        as many as 5e8 scorings of one candidate rule on 64 rows allow (each expansion scores
        every candidate on every row, plus a fixed cost per candidate counted as 32 such
        scorings; in regression or with weights of many values, candidates are read from
        tables of the rows left, counted by their rows and cells; more classes count more), between
        50 and 200,000: 0.5 to 2.6 s of one core's search on the benchmark datasets, whatever their
        shape (docs/rules.md). Where even 50 expansions would cost more (wide data: conjunctions
        by the million), the conjunctions are limited to those among the best-ranked features
        (``conjunction_features_``); an explicit ``max_nodes`` searches them all. The result
        depends only on the data and the parameters.
    time_limit : float or None, default=None
        Seconds of search (> 0; inf, like None, means no limit). A list cut short by time depends
        on the machine's speed, so it is not reproducible bit for bit; prefer ``max_nodes`` for
        that.
    beam_width : int, default=8
        Lists kept per length by the initial beam search.
    monotonic_cst : array-like of int, dict or None, default=None
        scikit-learn's meaning, per feature -1/0/+1 or a dict by name: with +1, any two rows that
        differ only in that feature (both with a value: missing values have no order) get
        predictions in its order, the larger value a probability of the event (``pos_label``) at
        least as large (-1: at most). The search finds the list as without the constraint; the
        rules' probabilities are then replaced by the closest ones (squared error weighted by each
        rule's training weight) that respect it, a rule's class being the more probable one.
        When that changes a rule, ``optimal_`` is False (the certificate was for the list's own
        probabilities) and ``objective_`` is the list's as it predicts. Binary and regression
        only; categorical features cannot be constrained.
    pos_label : label or None, default=None
        The event a binary list is about: ``monotonic_cst`` reads its probability; reason codes
        and reports are about it. None: ``classes_[1]``.
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes, scikit-learn's meaning: each row's weight is multiplied by its
        class's ("balanced": ``n_samples / (n_classes * rows of the class)``; a dict maps labels to
        weights, omitted classes weigh 1). The objective then counts a misclassified row of a
        rare class as much as its weight says, so a rule isolating a small high-risk group can
        pay for itself; the rules' probabilities are those of the weighted rows, as in
        scikit-learn's trees.
    categorical_features : "auto" or array-like, default="auto"
        Passed to the :class:`~glassbox.binning.Binner`.
    n_jobs : int or None, default=None
        Threads for building the antecedent bitsets (None: all cores). The search itself runs
        on one thread, without the GIL: its expansions depend on each other's results.
    random_state : int, RandomState or None, default=None
        Seeds the Binner's row subsample on very large data; the search is deterministic.
    verbose : int or bool, default=0
        1: print the search's progress to stderr (the candidates mined; then, every few
        seconds and at the end, prefixes expanded against ``max_nodes``, the best objective,
        the lower bound and the gap, and the time). The fitted list is the same for every value.

    Attributes
    ----------
    rules_ : list of Rule
        The list in order, the default rule (no conditions) last. Each rule's ``prediction`` is a
        class label, ``value`` its smoothed class probabilities in ``classes_`` order
        (``(weight_k + m) / (weight + n_classes * m)``, ``m`` the mean weight: a pseudo-count of
        one average row per class, whatever the weights' scale; in a distilled
        list, the teacher's probabilities: docs/distill.md), ``weight`` (in the units given) and
        ``n_samples`` the training rows it captured (of those no earlier rule took).
    classes_ : ndarray
        Class labels.
    c_ : float
        The cost per rule used (``c``, or its "auto" value).
    objective_ : float
        The training loss of ``rules_`` by ``criterion`` (weighted, per unit of weight) plus
        ``c_`` times the number of rules.
    lower_bound_ : float
        Proven lower bound on the optimal objective (equals ``objective_`` when ``optimal_``).
    optimality_gap_ : float
        ``objective_ - lower_bound_``: no list over the same candidates has a lower objective by
        more (0 when ``optimal_``).
    optimal_ : bool
        True only when the search proved ``rules_`` optimal (within ``max_rules``).
    n_nodes_ : int
        Prefixes expanded by the beam search and the branch-and-bound.
    n_antecedents_ : int
        Candidate antecedents mined.
    conjunction_features_ : ndarray of intp
        The features whose conditions the candidate conjunctions combine, increasing: every
        feature, unless the default budget (``max_nodes=None``) could not score every candidate
        often enough. Then conjunctions are only those among the features a greedy reference
        ranks best (its best split at the root and under the 8 best root splits), as many as the
        budget pays for, and ``optimal_`` is False; every single condition stays a candidate.
    binner_ : Binner
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.
    """

    def __init__(self, c="auto", *, criterion="log_loss", max_card=2, min_support=None, max_thresholds=8,
                 max_rules=None, max_nodes=None, time_limit=None, beam_width=8, monotonic_cst=None, pos_label=None,
                 class_weight=None, categorical_features="auto", n_jobs=None, random_state=None, verbose=0):
        self.criterion = criterion
        super().__init__(c, max_card=max_card, min_support=min_support, max_thresholds=max_thresholds,
                         max_rules=max_rules, max_nodes=max_nodes, time_limit=time_limit, beam_width=beam_width,
                         monotonic_cst=monotonic_cst, categorical_features=categorical_features, n_jobs=n_jobs,
                         random_state=random_state, verbose=verbose)
        self.pos_label = pos_label
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        """Mine antecedents from X and search the rule list; returns self."""
        return self._fit(X, y, sample_weight, classification=True)

    @rowwise
    def predict_proba(self, X):
        """Smoothed class frequencies (a distilled list's: its teacher's probabilities) of the rule
        that fires for each row."""
        fired = self.apply(X)
        return np.array([rule.value for rule in self.rules_])[fired]

    @rowwise
    def predict(self, X):
        """The class of the rule that fires for each row."""
        fired = self.apply(X)
        return self.classes_[np.argmax(np.array([rule.value for rule in self.rules_]), axis=1)][fired]


class RuleListRegressor(RegressorMixin, _BaseRuleList):
    """An ordered rule list for a numeric target, optimal for its objective.

    Each rule predicts the (weighted) mean target of the training rows it captures. The list
    minimises the weighted mean squared error divided by the weighted variance of y, plus ``c_``
    times the number of rules (the default rule not counted); otherwise as
    :class:`RuleListClassifier` (same parameters and search).

    Parameters
    ----------
    See :class:`RuleListClassifier`.

    Attributes
    ----------
    rules_ : list of Rule
        The list in order, the default rule last; ``prediction`` is the rule's mean,
        ``value`` is ``[mean]``.
    objective_ : float
        Weighted MSE / weighted variance of y on the training data, plus ``c_`` times the number
        of rules.
    c_, lower_bound_, optimality_gap_, optimal_, n_nodes_, n_antecedents_, conjunction_features_, binner_,
    n_features_in_, feature_names_in_
        As in :class:`RuleListClassifier`.
    """

    def fit(self, X, y, sample_weight=None):
        """Mine antecedents from X and search the rule list; returns self."""
        return self._fit(X, y, sample_weight, classification=False)

    @rowwise
    def predict(self, X):
        """The mean of the rule that fires for each row."""
        fired = self.apply(X)
        return np.array([rule.value[0] for rule in self.rules_])[fired]


def resolved_defaults(estimator, X, y):
    """The values a rule list's data-dependent defaults, ``c="auto"`` and ``max_nodes=None``,
    take when it is fitted on ``(X, y)`` (only those left at their default are given).

    Distillation fits a rule list on real rows plus synthetic ones, which must not change what
    the defaults mean: ``c`` falls with the rows on small data, though synthetic rows are no new
    evidence for a longer list, and the budget falls as each expansion scores more rows. So it
    sets these values, resolved on the real rows, before fitting. The budget is left to the
    student when the real rows' candidates were more than it can search (``_budget.py``): it then
    limits them again, on all its rows.
    """
    params = {}
    probe = clone(estimator)
    if isinstance(estimator.c, str):
        params["c"] = probe.c = _auto_c(len(y))
    if estimator.max_nodes is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the real fit warns about the same data
            _, antecedents, problem = probe._prepare(X, y, probe._weights(y, None), is_classifier(estimator))[:3]
        # When the budget had to limit the candidates (_budget.py), a fixed max_nodes would search
        # them all: the student's own default limits them again, on all its rows.
        if antecedents.conjunction_features is None:
            params["max_nodes"] = default_max_nodes(problem)
    return params


def describe_gap(objective, lower_bound, classification, n_rows, criterion="misclassification"):
    """A rule list's optimality gap in words a person can weigh, for the warning a fit gives when
    the budget runs out and for the report of the fitted model (one wording for both).

    The objective is the error plus ``c`` per rule (error as a share of the training weight for
    classifiers, as a share of the training variance for regressors), so at the same length no
    list over the same candidate rules has an error lower by more than the gap.

    Parameters
    ----------
    objective, lower_bound : float
        ``objective_`` and ``lower_bound_`` of the fitted rule list.
    classification : bool
    n_rows : int
        Training rows (of non-zero weight).
    criterion : str, default="misclassification"
        The classifier's ``criterion``.

    Returns
    -------
    str
        ``"its objective 0.21 is within 0.004 of the optimum (no list of the same length ...)"``.
    """
    gap = objective - lower_bound
    if classification and criterion != "misclassification":
        what = "mean log loss" if criterion == "log_loss" else "mean Brier score"
        meaning = (f"no list of the same length over these candidate rules has a training {what} lower by more "
                   f"than {gap:.3g}")
    elif classification:
        meaning = (f"no list of the same length over these candidate rules misclassifies more than {gap:.1%} "
                   f"less of the training weight, about {gap * n_rows:.0f} of the {n_rows} training rows when they "
                   "weigh alike")
    else:
        meaning = (f"no list of the same length over these candidate rules has a training R² higher by more than "
                   f"{gap:.3g}")
    return f"its objective {objective:.6g} is within {gap:.3g} of the optimum ({meaning})"


def _weighted_std(y, w):
    mean = np.average(y, weights=w)
    return float(np.sqrt(np.average((y - mean) ** 2, weights=w)))
