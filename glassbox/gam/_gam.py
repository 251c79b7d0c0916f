"""GAMClassifier and GAMRegressor: explainable boosting on the shared binned data.

``g(E[y]) = intercept + sum_j f_j(x_j) + sum_(j,k) f_jk(x_j, x_k)``, every ``f`` a lookup table over
bins (:class:`~glassbox.gam.Term`). Fitting is cyclic gradient boosting over the terms, one small
Newton tree per term per round, in ``outer_bags`` bags each early-stopped on its own held-out
rows; the bags' tables are averaged and their spread kept as standard errors. Pairs come after
the main effects, boosted on their residuals. Everything here decides; ``_ext`` computes.
"""


import time
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from glassbox._base import (
    BinnedModelMixin,
    check_integer,
    check_random_state_param,
    check_real,
    check_classification_y,
    check_monotonic_cst,
    check_regression_y,
    check_sample_weight,
    check_verbose,
    effective_n_threads,
    event_class,
    event_sign,
    feature_names,
    fix_event,
    py_scalar,
    relative_weight,
    user_stacklevel,
)
from glassbox._dask import rowwise
from glassbox._ext._typedefs import CELL_CODE_DTYPE, MAX_VALUE_BINS
from glassbox._losses import classification_loss, regression_loss
from glassbox._dask import is_dask
from glassbox.gam._boosting import (MAX_BOOSTING_BYTES, MIN_HESSIAN, boosting_bytes, draw_bags, main_spec,
                                   pair_spec, patience, run_stage, split_bags, split_tables)
from glassbox.gam import _editing as editing
from glassbox.gam._constraints import flattened
from glassbox.gam._interactions import (MAX_PAIR_FEATURES, pair_cells, pair_cells_bound, parse_interactions,
                                       rank_pairs, strongest_features)
from glassbox.gam._term import Term, coarse_grid, term_histograms
from glassbox.gam._unordered import unordered_features, with_main_effects

_COMMON_PARAMS_DOC = """
    max_bins : int, default=254
        Most value bins per feature (2..254) for main effects; missing and unseen get their own.
    max_interaction_bins : int, default=64
        Most value bins per continuous feature in a pair's grid (2..254): pairs see a coarser
        grid (a subset of the main effect's thresholds) so their cells keep enough rows.
    interactions : int, str or list of pairs, default="3x" (classifier), "5x" (regressor)
        An int: how many pairs to detect automatically, ranked by how much the best step on each
        pair reduces the loss of the main-effect model (FAST). A string ``"<k>x"``: ``k`` pairs
        per feature (InterpretML's spelling; at most every pair). A list: exactly these pairs,
        each two feature names or indices. 0: no pairs. Greedy steps keep pairs that only fit
        noise from taking many steps, so a generous count costs fit time more than accuracy.
        On wide data, detected pairs are sought among at most 100 features, those (without a
        monotonic constraint) whose main effects are strongest, and ``"<k>x"`` counts at most
        100 features; this bounds detection at 4,950 candidate pairs. A pair of features that
        have no main effect at all can then be missed: list it to fit it.
    max_terms : int or None, default=None
        Most terms (main effects and pairs together) the model keeps: a sparse GAM for a short
        scorecard or a review. The full model is fitted first, its ``max_terms`` most important
        terms kept, and those boosted again from the start so they take up what the others
        explained (the fit costs the full fit plus a fit of the kept terms; a ``time_limit``
        covers both passes). A feature whose main effect is dropped has no term: it reads no
        column (or only through a kept pair). None: no cap.
    outer_bags : int, default=6
        Models fitted on different train/validation splits and averaged; their spread gives
        ``standard_errors``.
    max_samples : int or None, default=200_000
        Most rows one bag uses (for training and validation together). Larger data are
        subsampled per bag, each bag drawing its own rows, which keeps fit time nearly flat
        beyond this size at a negligible cost in accuracy. None: every bag uses every row.
    validation_size : float, default=0.15
        Share of each bag's rows held out for early stopping (stratified by class for
        classifiers). 0: no early stopping, every bag runs ``max_rounds`` rounds.
    learning_rate : float, default=0.1
        Shrinkage of each Newton step (Newton steps need less shrinkage than EBM's gradient
        steps; smaller values fit more slowly and rarely better).
    max_rounds : int, default=2000
        Most boosting rounds per stage (a round steps every term once, then makes the greedy
        steps).
    early_stopping_rounds : int or "auto", default="auto"
        Stop a bag when its validation loss has not improved by ``early_stopping_tolerance``
        (relative) for this many rounds; the best round's tables are kept. "auto": a tenth of
        the rounds up to the best one so far, at least 3 and at most 20, so a stage whose best
        round is early (pairs that fit little, small data) stops sooner, while one that improves
        for hundreds of rounds waits through plateaus as long as with 20.
    early_stopping_tolerance : float, default=1e-5
        The decrease of the validation loss, relative to the best so far, that counts as an
        improvement. A classifier's bag also stops at the first round whose validation loss is
        at most 0.1% of its intercept-only model's: on separable data (classes that the
        features determine, as in nursery or mushroom) the log loss falls toward 0 without end
        as the scores grow, and past that point the rounds only sharpen probabilities that are
        near 0 or 1 already (nursery: 5,999 rounds kept without it, 1,376 with it, test accuracy
        1.0 both; ``python -m benchmarks.gam_loss_floor``).
    greedy_ratio : float, default=1.0
        Greedy steps per round, as a multiple of the number of terms: after the cyclic pass, each
        greedy step goes to the term whose latest step reduced the loss most (InterpretML's
        name). Strong, finely shaped terms then get the steps they need while weak ones stop
        early. 0: purely cyclic boosting.
    max_leaves : int, default=2
        Most leaves of the tree fitted to one term's histogram in one step (main effects).
    unordered_penalty : float or None, default=4.0
        When a continuous feature's effect jumps between neighbouring values instead of changing
        with the value -- amounts where a few exact values matter (capital gains), categories
        stored as integer codes -- its steps group value bins by their effect in any order, as a
        categorical feature's do, instead of moving runs of neighbouring bins: one step then does
        the work of hundreds. Its table stays over the same value bins. A feature is treated so
        when, at the start of the fit, the best two-leaf step grouping its bins in any order
        reduces the loss by more than this many units of noise per value bin (with rows) beyond
        the best four-run step in value order. Noise alone gives about 0.6, smooth shapes with a
        bend or two less, a coordinate with many bends (house prices along longitude, 16,000
        rows) 2.5, adult's capital gains 6.8 and an integer-coded category far more. The default
        was chosen by cross-validation (docs/gam.md). Features with a monotonic constraint never
        are. None (or ``np.inf``): every continuous feature in value order. The features chosen
        are in ``unordered_features_``.
    min_samples_leaf : int, default=4
        Fewest training rows in a leaf of a step.
    l2_regularization : float, default=0.0
        Added to the hessian sum of every leaf.
    monotonic_cst : array-like of int, dict or None, default=None
        -1/0/+1 per feature (or a dict by feature name), scikit-learn's meaning: the main effect
        of a constrained feature is non-increasing / non-decreasing over its value bins. Enforced
        in every step. Categorical features cannot be constrained; features with a constraint
        are not used in automatically detected pairs.
    time_limit : float or None, default=None
        Seconds the fit may take (wall clock). Boosting checks the clock before every step: when
        a bag's share of the time is spent it keeps its best whole round, as early stopping would
        (a round cut midway is undone); the pair stage gets what the main effects leave (none, if
        they used it all), and a ``ConvergenceWarning`` says which stage stopped. Binning and the
        final averaging of the tables are not cut (milliseconds, except with very many classes).
        The model then depends on the machine's speed and load: leave None for reproducible
        models, and bound the work with ``max_rounds``, ``outer_bags``, ``interactions`` and
        ``max_samples`` instead.
    categorical_features : "auto", None or array-like, default="auto"
        Passed to :class:`~glassbox.binning.Binner`.
    n_jobs : int or None, default=None
        Threads: bags run in parallel, and rows in parallel inside a bag when threads are left.
        The fitted model is the same for every value.
    random_state : int, RandomState or None, default=None
        Seeds binning subsamples and each bag's split. An int gives bit-identical models.
    verbose : int or bool, default=0
        1: print each bag's rounds and validation loss to stderr as it finishes.
"""

_COMMON_ATTRS_DOC = """
    terms_ : list of Term
        The shape functions, main effects in feature order then pairs (a feature has no main
        effect when ``max_terms`` or ``remove_terms`` dropped it): each a lookup table of
        ``scores`` (with ``standard_errors`` and ``bin_weights``) over its features' bins.
    intercept_ : float or ndarray of shape (n_classes,)
        The raw score of a row on which every term contributes 0.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame with string column names.
    binner_ : Binner
        The fitted binning every term's bins come from.
    unordered_features_ : ndarray of str
        The continuous features whose main effects were boosted unordered (see
        ``unordered_penalty``): their shapes may jump between neighbouring bins. Only features
        with a main effect in ``terms_`` (not one ``max_terms`` or an edit dropped).
    n_rounds_ : ndarray of int, shape (n_stages, outer_bags)
        Rounds kept per bag, for the main-effect stage and (if any pairs) the pair stage.
    loss_ : Loss
        How the raw score becomes a prediction: its ``name`` (``"log_loss"``, ``"softmax"``,
        ``"squared_error"``, ``"poisson"``) and ``link`` (``"logit"``, ``"softmax"``,
        ``"identity"``, ``"log"``).
"""


@dataclass(eq=False)
class _Fitting:
    """What every boosting stage of one fit shares: the binned data, target, weights, bags and
    run settings."""

    codes: np.ndarray
    features: tuple
    y: np.ndarray
    weight: np.ndarray
    bags: list
    run: dict
    intercept: np.ndarray
    n_scores: int
    monotonic: np.ndarray
    unordered: np.ndarray  # per feature: boosted unordered (glassbox/gam/_unordered.py)
    rank_rows: object  # the rows pairs are ranked on: positions in ``codes``, or slice(None)

    def fresh_bag(self, index):
        """Bag ``index`` with the scores it started from (stages move a bag's scores on)."""
        bag = self.bags[index]
        return replace(bag, train_scores=np.tile(self.intercept, (len(bag.train_rows), 1)),
                       val_scores=np.tile(self.intercept, (len(bag.val_rows), 1)))

    def restart(self):
        """Every bag back at its starting scores, for boosting again from scratch."""
        self.bags = [self.fresh_bag(i) for i in range(len(self.bags))]


@dataclass(frozen=True, eq=False)
class _Plan:
    """What :meth:`_BaseGAM._plan` decided."""

    names: list
    given_cst: np.ndarray
    monotonic: np.ndarray
    n_detect: int
    pairs: list
    draws: list
    rank_rows: np.ndarray


@dataclass(frozen=True, eq=False)
class _Sample:
    """The rows a fit boosts on: codes, target, relative weights and strata of the rows numbered
    ``rows`` in the whole data (sorted; None: the rows are the whole data)."""

    codes: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    strata: np.ndarray
    rows: np.ndarray = None

    def at(self, numbers):
        """Positions here of the whole data's rows ``numbers``."""
        return numbers if self.rows is None else np.searchsorted(self.rows, numbers)


@dataclass(frozen=True, eq=False)
class _BagTables:
    """One term as the boosting left it: its features and grid, and one table per bag (before
    centring and averaging into a :class:`Term`)."""

    features: tuple
    bins: tuple
    code_maps: tuple
    tables: list  # per bag, shape grid + (n_scores,)


def _warn_if_stopped(model, stopped, n_bags, elapsed):
    """Say which stages the time limit cut short, and what to change.

    ``stopped`` maps a stage to the number of its bags the clock stopped, or to "skipped".
    """
    cut = [f"the {stage} were not fitted" if n == "skipped" else f"{n} of {n_bags} bags of the {stage} stopped early"
           for stage, n in stopped.items() if n]
    if cut:
        warnings.warn(
            f"{type(model).__name__} reached time_limit={model.time_limit:g} s after {elapsed:.1f} s: "
            f"{'; '.join(cut)}. The model is the best found in time; raise time_limit, or lower max_rounds, "
            "outer_bags, interactions or max_samples, to fit it fully.",
            ConvergenceWarning, stacklevel=user_stacklevel(),
        )


class _BaseGAM(BinnedModelMixin, BaseEstimator):
    def __init__(self, *, max_bins=254, max_interaction_bins=64, interactions="3x", max_terms=None, outer_bags=6,
                 max_samples=200_000, validation_size=0.15, learning_rate=0.1, max_rounds=2000,
                 early_stopping_rounds="auto", early_stopping_tolerance=1e-5, greedy_ratio=1.0, max_leaves=2,
                 unordered_penalty=4.0, min_samples_leaf=4, l2_regularization=0.0, monotonic_cst=None,
                 time_limit=None, categorical_features="auto", n_jobs=None, random_state=None, verbose=0):
        self.max_bins = max_bins
        self.max_interaction_bins = max_interaction_bins
        self.interactions = interactions
        self.max_terms = max_terms
        self.outer_bags = outer_bags
        self.max_samples = max_samples
        self.validation_size = validation_size
        self.learning_rate = learning_rate
        self.max_rounds = max_rounds
        self.early_stopping_rounds = early_stopping_rounds
        self.early_stopping_tolerance = early_stopping_tolerance
        self.greedy_ratio = greedy_ratio
        self.max_leaves = max_leaves
        self.unordered_penalty = unordered_penalty
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.monotonic_cst = monotonic_cst
        self.time_limit = time_limit
        self.categorical_features = categorical_features
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __setstate__(self, state):
        # A model pickled before unordered terms existed boosted none, as a format-7 model file
        # loads: every reader of the fitted model (views, edits, model files) can then rely on it.
        if "terms_" in state:
            state.setdefault("unordered_features_", np.array([], dtype=object))
        super().__setstate__(state)

    # --- fitting --------------------------------------------------------------------------------

    def _check_params(self):
        check_integer("max_bins", self.max_bins, 2, MAX_VALUE_BINS)
        check_integer("max_interaction_bins", self.max_interaction_bins, 2, MAX_VALUE_BINS)
        check_integer("outer_bags", self.outer_bags, 1)
        check_integer("max_rounds", self.max_rounds, 1)
        if not (isinstance(self.early_stopping_rounds, str) and self.early_stopping_rounds == "auto"):
            check_integer("early_stopping_rounds", self.early_stopping_rounds, 1,
                          why='or "auto" (a tenth of the rounds up to the best one, from 3 to 20)')
        check_integer("max_leaves", self.max_leaves, 2, 64)
        check_integer("min_samples_leaf", self.min_samples_leaf, 1)
        check_verbose(self.verbose)
        if self.max_samples is not None:
            check_integer("max_samples", self.max_samples, 2)
        if self.max_terms is not None:
            check_integer("max_terms", self.max_terms, 1)
        check_real("validation_size", self.validation_size, 0, 1, high_open=True)
        check_real("learning_rate", self.learning_rate, 0, np.inf, low_open=True)
        check_real("early_stopping_tolerance", self.early_stopping_tolerance, 0, np.inf)
        check_real("l2_regularization", self.l2_regularization, 0, np.inf)
        check_real("greedy_ratio", self.greedy_ratio, 0, np.inf)
        if self.unordered_penalty is not None:
            check_real("unordered_penalty", self.unordered_penalty, 0, allow_inf=True)
        if self.time_limit is not None:
            check_real("time_limit", self.time_limit, 0, low_open=True, allow_inf=True)
        effective_n_threads(self.n_jobs)
        check_random_state_param(self.random_state)

    def _params(self):
        return {
            "learning_rate": float(self.learning_rate),
            "l2_regularization": float(self.l2_regularization),
            "min_hessian": MIN_HESSIAN,
            "min_samples_leaf": int(self.min_samples_leaf),
            "max_leaves": int(self.max_leaves),
            "max_rounds": int(self.max_rounds),
            **patience(self.early_stopping_rounds),
            "tolerance": float(self.early_stopping_tolerance),
            "greedy_ratio": float(self.greedy_ratio),
        }

    def fit(self, X, y, sample_weight=None):
        """Fit the GAM.

        Parameters
        ----------
        X : array-like, DataFrame, or Dask DataFrame / Array of shape (n_samples, n_features)
            Numeric, categorical and missing values are all accepted. A Dask collection (with
            ``y`` and ``sample_weight`` partitioned alike) is fitted without gathering it: see
            ``docs/scale.md``.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        if any(is_dask(v) for v in (X, y, sample_weight)):
            from glassbox.gam._dask_fit import fit_on_dask  # imports Dask only when given it

            return fit_on_dask(self, X, y, sample_weight)
        self._check_params()
        started = time.perf_counter()
        rng = check_random_state(self.random_state)
        binned = self._fit_bins(X, max_bins=self.max_bins, categorical_features=self.categorical_features,
                                n_jobs=self.n_jobs, random_state=rng.randint(np.iinfo(np.int32).max))
        codes = binned.codes
        n_samples = codes.shape[0]
        y_fit, strata, loss = self._encode_y(y, n_samples)
        weight = check_sample_weight(sample_weight, n_samples)
        scaled = relative_weight(weight)
        scaled = scaled / scaled.mean()  # mean 1: hessian thresholds then mean the same at any weight scale
        plan = self._plan(binned.is_categorical, n_samples, rng)
        sums = loss.target_sums(y_fit, scaled, self._n_scores(loss))
        return self._fit_sample(plan, binned.features, _Sample(codes, y_fit, scaled, strata), loss, sums,
                                lambda terms: term_histograms(codes, terms, weight, scaled), started)

    def _n_scores(self, loss):
        return len(self.classes_) if loss.link == "softmax" else 1

    def _plan(self, is_categorical, n_samples, rng):
        """What a fit decides before it sees a row beyond the bins: constraints, pairs, and the
        rows each bag and the pair ranking draw (numbers of the whole data's rows, so data in
        partitions draw exactly the rows an in-memory fit draws)."""
        names = feature_names(self)
        has_names = getattr(self, "feature_names_in_", None) is not None
        given_cst = check_monotonic_cst(self.monotonic_cst, names, is_categorical, has_names=has_names)
        # A constraint reads the event's log-odds; with pos_label = classes_[0] the raw score is the
        # other class's, so the boosting applies the opposite sign.
        monotonic = (given_cst * int(event_sign(self))).astype(given_cst.dtype)
        n_detect, pairs = parse_interactions(self.interactions, names, has_names)
        draws = draw_bags(n_samples, n_bags=self.outer_bags, max_samples=self.max_samples, random_state=rng)
        rank_rows = None  # rank pairs on at most max_samples rows: the ranking needs sums per cell
        if n_detect and self.max_samples is not None and n_samples > self.max_samples:
            rank_rows = np.sort(rng.choice(n_samples, self.max_samples, replace=False))
        return _Plan(names, given_cst, monotonic, n_detect, pairs, draws, rank_rows)

    def _fit_sample(self, plan, features, sample, loss, sums, histograms, started):
        """Boost on the rows a fit drew (``sample``) and finish the terms on every row's
        ``histograms``; ``sums`` are the loss's target sums over every row."""
        deadline = np.inf if self.time_limit is None else started + self.time_limit
        features, monotonic = tuple(features), plan.monotonic
        n_scores = self._n_scores(loss)
        self._check_boosting_memory(plan, features, n_scores, len(sample.y))
        intercept = loss.initial_scores_from_sums(sums)
        bags = split_bags(plan.draws, intercept, validation_size=self.validation_size, strata=sample.strata,
                          positions=sample.at, y=sample.y, sample_weight=sample.weight, loss=loss)
        run = dict(loss=loss, params=self._params(), n_threads=effective_n_threads(self.n_jobs), verbose=self.verbose,
                   deadline=deadline)
        rank_rows = slice(None) if plan.rank_rows is None else sample.at(plan.rank_rows)
        unordered = unordered_features(sample.codes, features, monotonic, loss, np.tile(intercept, (len(sample.y), 1)),
                                       sample.y, sample.weight, run["params"],
                                       np.inf if self.unordered_penalty is None else self.unordered_penalty,
                                       n_threads=run["n_threads"], deadline=deadline)
        fitting = _Fitting(sample.codes, features, sample.y, sample.weight, bags, run, intercept, n_scores, monotonic,
                           unordered, rank_rows)

        terms, rounds, stopped = self._boost(fitting, list(range(len(features))), plan.n_detect, plan.pairs)
        weights = histograms(terms)  # every later term is one of these
        if monotonic.any() and n_scores == 1:
            self._warn_if_flattened(fitting, [t.tables[0][:, 0] for t in terms[:len(features)]], plan,
                                    [weights[(j,)][1] for j in range(len(features))])
        if self.max_terms is not None and len(terms) > self.max_terms:
            # Keep the most important terms of the full fit and boost them again from the start,
            # so the kept terms take up what the dropped ones explained.
            full, _ = self._finish_terms(terms, weights, intercept, n_scores)
            keep = sorted(np.argsort([-t.importance() for t in full], kind="stable")[:self.max_terms])
            mains = [full[i].features[0] for i in keep if not full[i].is_pair]
            kept_pairs = [full[i].features for i in keep if full[i].is_pair]
            fitting.restart()
            terms, rounds, refit_stopped = self._boost(fitting, mains, 0, kept_pairs)
            # The clock may have cut either pass: say every stage it cut in one or the other.
            stopped = {stage: refit_stopped.get(stage) or stopped.get(stage)
                       for stage in dict.fromkeys([*stopped, *refit_stopped])}

        self.terms_, self.intercept_ = self._finish_terms(terms, weights, intercept, n_scores)
        self.unordered_features_ = with_main_effects([f.name for f, u in zip(features, unordered) if u], self.terms_)
        _warn_if_stopped(self, stopped, len(bags), time.perf_counter() - started)
        self.n_rounds_ = np.array(rounds, dtype=np.intp)
        self.loss_ = loss
        return self

    def _check_boosting_memory(self, plan, features, n_scores, n_rows):
        """Refuse, before any work, a fit whose boosting would hold more than
        ``MAX_BOOSTING_BYTES`` in arrays with a value per class (``n_rows``: the rows boosted on)."""
        grid_sizes = [coarse_grid(f, self.max_interaction_bins)[0].n_codes for f in features]
        n_pair_cells, largest_pair = pair_cells_bound(grid_sizes, plan.n_detect, plan.pairs)
        main_cells = [f.n_codes for f in features]
        n_parallel = min(effective_n_threads(self.n_jobs), len(plan.draws))
        ranked_rows = n_rows if plan.rank_rows is None else len(plan.rank_rows)
        need = boosting_bytes([len(d.rows) for d in plan.draws], (sum(main_cells), n_pair_cells),
                              max(max(main_cells), largest_pair), n_scores, n_parallel,
                              between_rows=ranked_rows if plan.n_detect else n_rows)
        if need <= MAX_BOOSTING_BYTES:
            return
        lower = "fewer pairs (interactions), a smaller max_interaction_bins, fewer outer_bags or a smaller max_samples"
        advice = f"{lower[0].upper()}{lower[1:]} lower it."
        if n_scores > 1:
            advice = (f"y has {n_scores:,} classes: if it is a quantity (a price, a count), fit a GAMRegressor; "
                      f"otherwise {lower} lower it.")
        raise ValueError(
            f"this fit would hold about {need / 1024**3:.1f} GiB of boosting scores and tables, one value per "
            f"class ({n_scores:,}) for every row and cell; the limit is {MAX_BOOSTING_BYTES / 1024**3:.0f} GiB. "
            f"{advice}"
        )

    def _boost(self, fitting, mains, n_detect, pairs):
        """Boost the main effects of the features ``mains``, then ``pairs`` (or ``n_detect``
        detected pairs); return the per-bag tables of every term, the rounds kept per stage and
        which stages the clock stopped."""
        codes, features, bags, run, n_scores = fitting.codes, fitting.features, fitting.bags, fitting.run, fitting.n_scores
        y_fit, scaled, intercept, deadline = fitting.y, fitting.weight, fitting.intercept, run["deadline"]
        n_samples = codes.shape[0]
        chosen = [features[j] for j in mains]
        main_codes = codes if len(mains) == len(features) else np.asfortranarray(codes[:, mains])
        spec = main_spec(chosen, fitting.monotonic[mains], fitting.unordered[mains])
        tables, kept, stopped = run_stage(main_codes, spec, bags, y_fit, scaled, stage="main effects", **run)
        stopped = {"main effects": stopped}
        rounds = [kept]
        per_bag = [split_tables(t, spec, n_scores) for t in tables]  # [bag][main] (n_a, 1, K)
        terms = [_BagTables((j,), (features[j],), (np.arange(features[j].n_codes, dtype=np.intp),),
                            [bag[m][:, 0, :] for bag in per_bag])
                 for m, j in enumerate(mains)]

        if (n_detect or pairs) and time.perf_counter() >= deadline:
            stopped["pairs"] = "skipped"  # the main effects used the whole budget
        elif n_detect or pairs:
            grids, maps = zip(*(coarse_grid(f, self.max_interaction_bins) for f in features))
            if n_detect:
                rows = fitting.rank_rows
                sub = codes[rows]
                raw = intercept + np.mean([
                    sum(bag[m][sub[:, j], 0, :] for m, j in enumerate(mains)) for bag in per_bag
                ], axis=0)
                allowed = np.array([j for j in mains if fitting.monotonic[j] == 0], dtype=np.intp)
                if len(allowed) > MAX_PAIR_FEATURES:  # wide data: only the strongest main effects pair up
                    candidates = allowed
                    position = {j: m for m, j in enumerate(mains)}

                    def contribution(k):
                        j = candidates[k]
                        return np.mean([bag[position[j]][sub[:, j], 0, :] for bag in per_bag], axis=0)

                    allowed = candidates[strongest_features(len(candidates), contribution, scaled[rows],
                                                            MAX_PAIR_FEATURES)]
                ranked = rank_pairs(sub[:, allowed], [maps[j] for j in allowed], [grids[j] for j in allowed],
                                    raw, y_fit[rows], scaled[rows], run["loss"], n_pairs=n_detect,
                                    params=run["params"], n_threads=run["n_threads"], deadline=deadline)
                pairs = [(int(allowed[a]), int(allowed[b])) for a, b in ranked]
            if time.perf_counter() >= deadline:  # detection used the rest (or stopped unfinished)
                stopped["pairs"], pairs = "skipped", []
            if pairs:
                cells = np.empty((n_samples, len(pairs)), dtype=CELL_CODE_DTYPE, order="F")
                for i, pair in enumerate(pairs):
                    cells[:, i] = pair_cells(codes, pair, maps, grids)
                spec2 = pair_spec([(grids[a], grids[b]) for a, b in pairs])
                tables2, kept, stopped["pairs"] = run_stage(cells, spec2, bags, y_fit, scaled, stage="pairs", **run)
                rounds.append(kept)
                per_bag2 = [split_tables(t, spec2, n_scores) for t in tables2]
                terms += [_BagTables((a, b), (grids[a], grids[b]), (maps[a], maps[b]), [bag[i] for bag in per_bag2])
                          for i, (a, b) in enumerate(pairs)]
        return terms, rounds, stopped

    def _warn_if_flattened(self, fitting, constrained, plan, weights):
        """Warn about each constraint that flattened a term the data shape the other way:
        ``constrained`` are the first bag's main effects (one table per feature), compared with
        the same bag boosted without constraints (from its starting scores, on a copy: the fit's
        own bags are not touched); ``weights`` are each feature's relative training weight per code."""
        features, monotonic, given_cst, names = fitting.features, fitting.monotonic, plan.given_cst, plan.names
        spec = main_spec(features, np.zeros_like(monotonic))
        out, _, _ = run_stage(fitting.codes, spec, [fitting.fresh_bag(0)], fitting.y, fitting.weight,
                              stage="constraint check", **{**fitting.run, "verbose": 0})
        free = split_tables(out[0], spec, 1)
        values = [slice(0, f.n_bins) for f in features]
        weights = [w[v] for w, v in zip(weights, values)]
        found = flattened([t[v] for t, v in zip(constrained, values)],
                          [t[v, 0, 0] for t, v in zip(free, values)], weights, monotonic)
        _, event = event_class(self)
        scale = f"the log-odds of class {py_scalar(event)!r}" if event is not None else "the prediction"
        for j, kept, free_importance, direction in found:
            cst, direction = int(given_cst[j]), direction * event_sign(self)  # both on the event's scale
            warnings.warn(
                f"monotonic_cst={cst:+d} on {names[j]!r} flattened its term: importance {kept:.3g} with the "
                f"constraint against {free_importance:.3g} without it, where the term mostly "
                f"{'rises' if direction > 0 else 'falls'}. The constraint reads {scale}: {cst:+d} means it never "
                f"{'falls' if cst > 0 else 'rises'} as {names[j]!r} grows. If you meant the opposite, use "
                f"{-cst:+d}" + (" (or name the other class as pos_label)." if event is not None else "."),
                UserWarning, stacklevel=user_stacklevel(),
            )

    def _finish_terms(self, bag_terms, weights, intercept, n_scores):
        """Centre each bag's tables (on the relative weights: scale-free), move the means into
        the intercept, average the bags; each term keeps its bins' weights as given.
        ``weights``: :func:`~glassbox.gam._term.term_histograms` of every row."""
        n_bags = self.outer_bags
        bag_intercepts = np.tile(intercept, (n_bags, 1)).astype(np.float64)
        terms = []
        for term in bag_terms:
            features, bins, maps = term.features, term.bins, term.code_maps
            stacked = np.stack(term.tables)                       # (n_bags, *grid, K)
            grid = stacked.shape[1:-1]
            bin_weights, centring = weights[features]
            axes = tuple(range(1, 1 + len(grid)))
            means = (stacked * centring[None, ..., None]).sum(axis=axes) / centring.sum()  # (n_bags, K)
            stacked = stacked - means.reshape((n_bags,) + (1,) * len(grid) + (n_scores,))
            bag_intercepts += means
            if n_scores > 1:  # softmax ignores a shift shared by all classes: keep each cell's sum 0
                stacked = stacked - stacked.mean(axis=-1, keepdims=True)
            keep = np.ones(grid, dtype=bool)  # cells that score 0: unseen codes, never-seen missing
            for axis, b in enumerate(bins):
                sl = [slice(None)] * len(grid)
                sl[axis] = b.unseen_code
                keep[tuple(sl)] = False
                sl[axis] = b.missing_code
                if bin_weights[tuple(sl)].sum() == 0:
                    keep[tuple(sl)] = False
            stacked = stacked * keep[None, ..., None]
            scores = stacked.mean(axis=0)
            errors = stacked.std(axis=0)
            if n_scores == 1:
                scores, errors = scores[..., 0], errors[..., 0]
            terms.append(Term(features, bins, maps, scores, errors, bin_weights))
        final = bag_intercepts.mean(axis=0)
        if n_scores > 1:
            return terms, final - final.mean()
        return terms, float(final[0])

    # --- evaluating the structure ------------------------------------------------------------

    def _contributions(self, X):
        """``(intercept, [per-term contributions])`` for X, each (n,) or (n, n_classes)."""
        check_is_fitted(self, "terms_")
        codes = self._transform_bins(X)
        return self.intercept_, [term.contributions(codes) for term in self.terms_]

    def _raw(self, X):
        check_is_fitted(self, "terms_")
        codes = self._transform_bins(X)
        raw = np.empty((len(codes),) + np.shape(self.intercept_))
        raw[...] = self.intercept_
        for term in self.terms_:  # summed in place: no array per term is kept
            term.add_contributions(codes, raw)
        return raw

    @rowwise
    def eval_terms(self, X):
        """Each term's contribution to each row's raw score (InterpretML's ``eval_terms``).

        The intercept plus a row's contributions, added in term order, is its raw score
        (``decision_function`` of a classifier, ``predict_raw`` of a regressor) to the last bit.

        Returns
        -------
        ndarray of shape (n_samples, n_terms), or (n_samples, n_terms, n_classes) for multiclass
            Column ``t`` is ``terms_[t]``'s contribution.
        """
        _, parts = self._contributions(X)
        return np.stack(parts, axis=1)

    # --- editing (gam/_editing.py): each returns a new model, the tables centred again ----------

    def remove_terms(self, terms):
        """A copy of the model without ``terms`` (term names such as ``"age"`` or
        ``"age & income"``, or indices into ``terms_``). Tables are centred, so the intercept
        stays; each row moves by the removed terms' contributions. The original is unchanged."""
        return editing.remove_terms(self, terms)

    def monotonize(self, term, direction="auto"):
        """A copy of the model whose main effect ``term`` (a continuous feature's) is monotone:
        its value bins' scores replaced by their isotonic regression weighted by training weight,
        ``direction`` +1/-1 on the event's log-odds (as ``monotonic_cst`` reads it) or "auto"; the
        missing bin keeps its score; the table is centred again. Standard errors are kept (the
        bags' spread around the fitted shape). The original is unchanged."""
        return editing.monotonize(self, term, direction)

    def scale(self, term, factor):
        """A copy of the model with ``term``'s scores multiplied by ``factor`` (its standard errors
        by ``|factor|``); 0 silences the term but keeps it. The original is unchanged."""
        return editing.scale(self, term, factor)

    def term_importances(self):
        """Mean absolute contribution of each term over the training data, as a Series by term name."""
        check_is_fitted(self, "terms_")
        return pd.Series([t.importance() for t in self.terms_], index=[t.name for t in self.terms_],
                         name="importance")


class GAMClassifier(ClassifierMixin, _BaseGAM):
    __doc__ = f"""Explainable boosting classifier: a GAM (log-odds; softmax for multiclass) fitted by
    cyclic gradient boosting over per-feature and pairwise lookup tables.

    Parameters
    ----------
    pos_label : label or None, default=None
        The event a binary model is about (``'Bad'`` for credit default, ``1`` for a diagnosis):
        explanations, reason codes and scorecards show the log-odds of this class, and
        ``monotonic_cst`` reads it (+1: the event becomes no less likely as the feature grows).
        None: ``classes_[1]``. ``classes_``, ``predict_proba``'s columns and
        ``decision_function`` (the log-odds of ``classes_[1]``) keep scikit-learn's convention
        whatever the event, so scorers and metrics read them as usual. Multiclass: must be None.{_COMMON_PARAMS_DOC}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,){_COMMON_ATTRS_DOC}
    """

    def __init__(self, *, pos_label=None, max_bins=254, max_interaction_bins=64, interactions="3x", max_terms=None,
                 outer_bags=6, max_samples=200_000, validation_size=0.15, learning_rate=0.1, max_rounds=2000,
                 early_stopping_rounds="auto", early_stopping_tolerance=1e-5, greedy_ratio=1.0, max_leaves=2,
                 unordered_penalty=4.0, min_samples_leaf=4, l2_regularization=0.0, monotonic_cst=None,
                 time_limit=None, categorical_features="auto", n_jobs=None, random_state=None, verbose=0):
        super().__init__(max_bins=max_bins, max_interaction_bins=max_interaction_bins, interactions=interactions,
                         max_terms=max_terms,
                         outer_bags=outer_bags, max_samples=max_samples, validation_size=validation_size,
                         learning_rate=learning_rate, max_rounds=max_rounds,
                         early_stopping_rounds=early_stopping_rounds,
                         early_stopping_tolerance=early_stopping_tolerance, greedy_ratio=greedy_ratio,
                         max_leaves=max_leaves, unordered_penalty=unordered_penalty, min_samples_leaf=min_samples_leaf,
                         l2_regularization=l2_regularization, monotonic_cst=monotonic_cst, time_limit=time_limit,
                         categorical_features=categorical_features, n_jobs=n_jobs, random_state=random_state,
                         verbose=verbose)
        self.pos_label = pos_label

    def _encode_y(self, y, n_samples):
        """``(target, strata, loss)``: class codes as floats, the codes to stratify bags by."""
        codes, self.classes_ = check_classification_y(y, n_samples)
        fix_event(self)
        return codes.astype(np.float64), codes, classification_loss(len(self.classes_))

    @rowwise
    def decision_function(self, X):
        """Raw scores: log-odds of ``classes_[1]`` (n,), or per-class logits (n, n_classes)."""
        raw = self._raw(X)
        return raw[:, 0] if raw.ndim == 2 and raw.shape[1] == 1 else raw

    @rowwise
    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes)."""
        raw = self.decision_function(X)
        return self.loss_.predict(raw)

    @rowwise
    def predict(self, X):
        """The most probable class of each row."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class GAMRegressor(RegressorMixin, _BaseGAM):
    __doc__ = f"""Explainable boosting regressor: a GAM for the mean (squared error) or the log-mean
    (Poisson for counts, gamma for positive skewed amounts) fitted by cyclic gradient boosting over
    lookup tables.

    Parameters
    ----------
    loss : {{"squared_error", "poisson", "gamma"}}, default="squared_error"
        Poisson needs non-negative targets with a positive mean, gamma strictly positive targets
        (claim sizes, costs: the spread grows with the mean); both have their terms on the log
        scale, so a term multiplies the prediction by ``exp(score)``.{_COMMON_PARAMS_DOC}
    Attributes
    ----------{_COMMON_ATTRS_DOC}
    """

    def __init__(self, *, loss="squared_error", max_bins=254, max_interaction_bins=64, interactions="5x", max_terms=None,
                 outer_bags=6, max_samples=200_000, validation_size=0.15, learning_rate=0.1, max_rounds=2000,
                 early_stopping_rounds="auto", early_stopping_tolerance=1e-5, greedy_ratio=1.0, max_leaves=2,
                 unordered_penalty=4.0, min_samples_leaf=4, l2_regularization=0.0, monotonic_cst=None,
                 time_limit=None, categorical_features="auto", n_jobs=None, random_state=None, verbose=0):
        super().__init__(max_bins=max_bins, max_interaction_bins=max_interaction_bins, interactions=interactions,
                         max_terms=max_terms,
                         outer_bags=outer_bags, max_samples=max_samples, validation_size=validation_size, learning_rate=learning_rate,
                         max_rounds=max_rounds, early_stopping_rounds=early_stopping_rounds,
                         early_stopping_tolerance=early_stopping_tolerance, greedy_ratio=greedy_ratio,
                         max_leaves=max_leaves, unordered_penalty=unordered_penalty,
                         min_samples_leaf=min_samples_leaf, l2_regularization=l2_regularization,
                         monotonic_cst=monotonic_cst, time_limit=time_limit, categorical_features=categorical_features,
                         n_jobs=n_jobs,
                         random_state=random_state, verbose=verbose)
        self.loss = loss

    def _check_params(self):
        super()._check_params()
        regression_loss(self.loss)

    def _encode_y(self, y, n_samples):
        """``(target, strata, loss)``: the checked target, no strata."""
        loss = regression_loss(self.loss)
        return loss.check_target(check_regression_y(y, n_samples)), None, loss

    @rowwise
    def predict_raw(self, X):
        """Raw additive scores: the prediction itself (squared error) or its logarithm (Poisson).

        (A regressor has no ``decision_function`` in scikit-learn; this is its counterpart, and
        what ``explain_local(X).to_frame()`` rows sum to.)
        """
        raw = self._raw(X)
        return raw[:, 0] if raw.ndim == 2 else raw

    @rowwise
    def predict(self, X):
        """Predicted mean of each row."""
        raw = self.predict_raw(X)
        return self.loss_.predict(raw)
