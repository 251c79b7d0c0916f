"""The boosting driver: outer bags, their train/validation rows, and the two stages (main effects,
then pairs) run through the nogil kernel ``glassbox._ext._gam_boost.boost_bag``.

Bags run in parallel threads sharing the read-only binned matrix; each bag's result depends only
on its own seed (drawn from the estimator's ``random_state``), and results are combined in bag
order, so the model is bit-identical whatever ``n_jobs`` is.
"""

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from glassbox._ext._gam_boost import boost_bag
from glassbox._ext._typedefs import INDEX_DTYPE, TERM_DTYPE, Y_DTYPE, TermKind

# early_stopping_rounds="auto": a bag stops after a tenth of the rounds up to its best one
# without improvement, at least AUTO_PATIENCE[0] and at most AUTO_PATIENCE[1] rounds. The lower
# end was 5 until 3-fold CV inside the 12 benchmark training splits found 3 as good (docs/gam.md:
# python -m benchmarks.select_gam_defaults --auto-patience 5 3).
AUTO_PATIENCE = (3, 20)
AUTO_PATIENCE_FRACTION = 0.1

# A leaf needs this much hessian (weights are rescaled to mean 1, so this is scale-free): stops
# Newton steps that divide by almost nothing on nearly pure bins.
MIN_HESSIAN = 1e-3


# Most memory the boosting may hold in arrays with a value per class (see boosting_bytes). A
# quantity given to a classifier (house prices: 3,842 classes) would otherwise fill any machine:
# that fit grew past 23 GB before it was stopped. Of the benchmark datasets, satimage holds the
# most, 0.16 GiB.
MAX_BOOSTING_BYTES = 8 * 1024**3


@dataclass
class Bag:
    """One outer bag: its rows and the raw scores the stages carry from one to the next."""

    seed: int
    train_rows: np.ndarray
    val_rows: np.ndarray
    train_scores: np.ndarray
    val_scores: np.ndarray
    # A validation loss at or below this stops the bag in any stage: the loss's floor_fraction
    # of its starting (intercept-only) validation loss; -inf for none.
    loss_floor: float = -np.inf


def patience(early_stopping_rounds):
    """The kernel's patience parameters for ``early_stopping_rounds`` (an int or "auto")."""
    if isinstance(early_stopping_rounds, str):
        low, high = AUTO_PATIENCE
        return {"patience_min": low, "patience_max": high, "patience_fraction": AUTO_PATIENCE_FRACTION}
    return {"patience_min": int(early_stopping_rounds), "patience_max": int(early_stopping_rounds),
            "patience_fraction": 0.0}


def term_specs(kinds, monotonic, n_a, n_b):
    """The kernel's record of each term of a stage (``TERM_DTYPE``): term t reads column t of the
    stage's code matrix, and its cells follow those of the terms before it."""
    n = len(kinds)
    specs = np.zeros(n, dtype=TERM_DTYPE)
    specs["column"] = np.arange(n)
    specs["kind"] = kinds
    specs["monotonic"] = monotonic
    specs["n_a"] = n_a
    specs["n_b"] = n_b
    specs["cell_offset"] = np.concatenate([[0], np.cumsum(specs["n_a"] * specs["n_b"])[:-1]]).astype(INDEX_DTYPE)
    return specs


def n_cells(specs):
    """Cells of every term of a stage together."""
    return int((specs["n_a"] * specs["n_b"]).sum())


@dataclass
class BagDraw:
    """The rows one bag drew (sorted row numbers of the whole data), and the bag's generator,
    which goes on to split them into train and validation."""

    seed: int
    rows: np.ndarray
    rng: np.random.RandomState


def draw_bags(n_samples, *, n_bags, max_samples, random_state):
    """Each bag's rows: every row, or with more than ``max_samples`` rows a draw of its own.

    The bags then see different subsets, and their average still learns from most rows. Drawing
    needs only the number of rows, so data in partitions draw the same rows as in memory.
    """
    seeds = random_state.randint(np.iinfo(np.int32).max, size=n_bags)
    draws = []
    for seed in seeds:
        rng = np.random.RandomState(seed)
        rows = np.arange(n_samples)
        if max_samples is not None and n_samples > max_samples:
            rows = np.sort(rng.choice(n_samples, max_samples, replace=False))
        draws.append(BagDraw(int(seed), rows, rng))
    return draws


def boosting_bytes(bag_rows, stage_cells, term_cells, n_scores, n_parallel, between_rows=0):
    """Bytes of the float64 arrays with a value per score (class) that a fit holds at once.

    ``bag_rows``: rows of each bag; ``stage_cells``: cells of each stage's terms together (main
    effects, pairs); ``term_cells``: cells of the largest term. Every bag keeps its rows' scores
    and the tables of every stage to the end. On top of that, at one time, the largest of:
    - boosting: each of the ``n_parallel`` bags running holds three working copies of its stage's
      tables, its rows' exps and two histograms of 16-byte entries (``boost_bag``);
    - between the stages, on ``between_rows`` rows, the choice of unordered features and the pair
      ranking: every bag's scores of those rows, their average, gradients, hessians and copies;
    - finishing: the averaged tables and their standard errors, and one term's bags stacked
      (a few copies while centring).
    """
    n_bags, cells = len(bag_rows), sum(stage_cells)
    kept = sum(bag_rows) + n_bags * cells
    running = n_parallel * (max(bag_rows) + 3 * max(stage_cells) + 4 * term_cells)
    between = (2 * n_bags + 8) * between_rows
    finishing = 2 * cells + 4 * n_bags * term_cells
    return 8 * n_scores * (kept + max(running, between, finishing))


def split_bags(draws, intercept, *, validation_size, strata, positions, y, sample_weight, loss):
    """Split each bag's rows into train and validation (stratified by ``strata`` when given).

    ``strata`` covers the rows at hand; ``positions`` maps a draw's row numbers (of the whole
    data) to them; ``y`` and ``sample_weight`` are theirs. A bag's scores start at ``intercept``,
    and its loss floor is ``loss.floor_fraction`` of the validation loss there. The floor is the
    fit's, not a stage's: relative to each stage's start, a pair stage after main effects that
    already separate the classes would start near 0 and boost on toward a thousandth of that.
    """
    bags = []
    for draw in draws:
        rng = draw.rng
        rows = positions(draw.rows)
        is_val = np.zeros(len(rows), dtype=bool)
        if validation_size:
            if strata is None:
                groups = [np.arange(len(rows))]
            else:
                bag_strata = strata[rows]
                groups = [np.flatnonzero(bag_strata == s) for s in np.unique(bag_strata)]
            for group in groups:
                n_val = int(round(validation_size * len(group)))
                if 0 < n_val < len(group):
                    is_val[rng.choice(group, n_val, replace=False)] = True
        train = rows[~is_val].astype(INDEX_DTYPE)
        val = rows[is_val].astype(INDEX_DTYPE)
        bag = Bag(draw.seed, train, val, np.tile(intercept, (len(train), 1)), np.tile(intercept, (len(val), 1)))
        if loss.floor_fraction > 0 and len(val):
            bag.loss_floor = loss.floor_fraction * loss.mean_loss(bag.val_scores, y[val], sample_weight[val])
        bags.append(bag)
    return bags


def bag_rows(codes, bag, y, sample_weight):
    """``(codes, train_rows, val_rows, y, sample_weight)`` for one bag's ``boost_bag``.

    A bag that draws a sparse subset of the rows (``max_samples`` of many more) gets its own
    copy of their codes, targets and weights, in the same row order: each step then reads its
    two code columns contiguously instead of one cache line per row of a matrix several times
    larger (1M x 20 rows: 21.6 s to 17.5 s a fit). The sums add in the same order, so the model
    is the same bit for bit. A bag of most rows reads the shared matrix: a copy would gain little
    (2% on adult) and double the memory of the largest fits.
    """
    n_train = len(bag.train_rows)
    rows = np.concatenate([bag.train_rows, bag.val_rows])
    if 2 * len(rows) > len(codes):
        return codes, bag.train_rows, bag.val_rows, y, sample_weight
    local = np.empty((len(rows), codes.shape[1]), dtype=codes.dtype, order="F")
    for j in range(codes.shape[1]):
        np.take(codes[:, j], rows, out=local[:, j])
    return (local, np.arange(n_train, dtype=INDEX_DTYPE), np.arange(n_train, len(rows), dtype=INDEX_DTYPE),
            y[rows], sample_weight[rows])


def run_stage(codes, specs, bags, y, sample_weight, *, loss, params, n_threads, verbose, stage, deadline=np.inf):
    """Boost every bag on the terms of ``specs``; return ``(tables, rounds kept)``, one per bag, and
    how many bags the clock stopped.

    The bags' scores are updated in place to the kept model, ready for a next stage. With a
    ``deadline`` (a ``time.perf_counter()`` value), bags running in parallel share the time left
    and each later wave of bags gets an equal share of what remains when it starts; every bag runs
    at least one round, so the stage may overrun by a round per bag.
    """
    n_scores = bags[0].train_scores.shape[1]
    kernel_params = {
        "learning_rate": params["learning_rate"], "l2_regularization": params["l2_regularization"],
        "min_hessian": params["min_hessian"], "min_samples_leaf": params["min_samples_leaf"],
        "max_leaves": params["max_leaves"], "max_rounds": params["max_rounds"],
        "patience_min": params["patience_min"], "patience_max": params["patience_max"],
        "patience_fraction": params["patience_fraction"], "tolerance": params["tolerance"],
        "greedy_steps": int(round(params["greedy_ratio"] * len(specs))),
    }
    n_parallel = max(1, min(n_threads, len(bags)))
    threads_per_bag = max(1, n_threads // n_parallel)
    started = time.perf_counter()

    n_waves = -(-len(bags) // n_parallel)

    def fit(index):
        bag = bags[index]
        tables = np.zeros(n_cells(specs) * n_scores, dtype=Y_DTYPE)
        history = np.zeros(max(1, params["max_rounds"]), dtype=Y_DTYPE)
        time_left = (deadline - time.perf_counter()) / (n_waves - index // n_parallel)
        bag_codes, train_rows, val_rows, bag_y, bag_weight = bag_rows(codes, bag, y, sample_weight)
        n_rounds, kept, out_of_time = boost_bag(bag_codes, specs, train_rows, val_rows, bag_y, bag_weight,
                                                loss.kernel, {**kernel_params, "loss_floor": bag.loss_floor},
                                                bag.train_scores, bag.val_scores, tables, history, threads_per_bag,
                                                time_left)
        if verbose:
            loss_text = f", validation loss {history[kept - 1]:.6g}" if len(bag.val_rows) and kept else ""
            clock_text = " (stopped by time_limit)" if out_of_time else ""
            print(f"[glassbox GAM] {stage}: bag {index + 1}/{len(bags)} done, {n_rounds} rounds run{clock_text}, "
                  f"{kept} kept{loss_text} ({time.perf_counter() - started:.1f}s)", file=sys.stderr)
        return tables, kept, out_of_time

    if n_parallel == 1:
        results = [fit(i) for i in range(len(bags))]
    else:
        with ThreadPoolExecutor(max_workers=n_parallel) as pool:
            results = list(pool.map(fit, range(len(bags))))  # map keeps bag order
    return [r[0] for r in results], [r[1] for r in results], sum(r[2] for r in results)


def split_tables(tables, specs, n_scores):
    """Per-term arrays of shape (n_a, n_b, n_scores) from one bag's flat tables."""
    return [
        tables[spec["cell_offset"] * n_scores:(spec["cell_offset"] + spec["n_a"] * spec["n_b"]) * n_scores]
        .reshape(spec["n_a"], spec["n_b"], n_scores)
        for spec in specs
    ]


def main_spec(features, monotonic, unordered=None):
    """The main-effect stage's terms: one per feature, on its own bins (``unordered``: a boolean
    per feature, True for the continuous ones split like categorical ones)."""
    if unordered is None:
        unordered = np.zeros(len(features), dtype=bool)
    return term_specs(
        kinds=[TermKind.CATEGORICAL if f.is_categorical else TermKind.UNORDERED if u else TermKind.CONTINUOUS
               for f, u in zip(features, unordered)],
        monotonic=monotonic,
        n_a=[f.n_codes for f in features],
        n_b=np.ones(len(features)),
    )


def pair_spec(grids):
    """The pair stage's terms; ``grids``: per pair, the two coarse FeatureBins."""
    return term_specs(
        kinds=np.full(len(grids), TermKind.PAIR),
        monotonic=np.zeros(len(grids)),
        n_a=[a.n_codes for a, _ in grids],
        n_b=[b.n_codes for _, b in grids],
    )
