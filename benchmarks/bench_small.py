"""The small exact models beside their peers: glassbox's default depth-3 tree and default rule
list against scikit-learn's CART (depth 3), imodels' greedy rule list and FIGS, and
wittgenstein's RIPPER, on the fixed split of ``benchmarks.datasets.split`` of every
classification dataset in ``../shared/datasets`` (or ``--datasets``).

    python -m benchmarks.bench_small [--datasets adult fico ... wide_50k_1000] [--models glassbox_tree cart3 ...]
        [--set criterion=misclassification] [--seeds 0 1 2 ...] [--out rows.json] [--frontier frontier.png]

Besides the shared datasets, ``GENERATED`` names wide data made here (the issue's 50,000 rows x
1,000 features, 20 informative, 5% positives; and 100,000 x 200): pass them in ``--datasets``.
``--frontier PATH`` also fits the rule list over a path of ``c`` on the binary datasets and
plots mean test AUC against mean rules, glassbox's path beside the peers' points.

Per dataset and model: test AUC (macro one-vs-rest for multiclass), log loss, accuracy, size
(leaves; rules before the default; RIPPER's rules; FIGS's splits), fit seconds and, for glassbox,
whether the model is certified optimal and its gap (objective minus certified lower bound).
Then, per model, the means over the datasets it ran on, and glassbox's tree against CART and its
rule list against each peer rule learner (on the datasets both ran on), with paired standard
errors. ``--seeds`` repeats every fit over several splits (``split``'s seed; default 0 alone):
small test sets (haberman's 62 rows) make one split's AUC noisy, so each pair of models is then
also compared per dataset, its mean difference over the splits with the paired standard error.
``--set`` passes a
parameter to both glassbox models (to compare a non-default setting).

Peers run at their defaults (FIGS with ``max_rules=7``, the splits of a full depth-3 tree) on
one-hot encoded, median-imputed copies of the data (they need numbers); imodels' greedy list and
RIPPER are binary only and are skipped on multiclass data. glassbox reads the table as it is.
Fits use 2 threads where a model takes ``n_jobs``. Run it alone on the machine: fit seconds are
part of the answer; the load average is printed before and after. RIPPER has no time limit: on
adult's one-hot table (2 cores, 2026-12-06) it ran more than 8 minutes without finishing, so
leave it out (``--models``) on the larger tables.
"""

import argparse
import json
import os
import time
import warnings

import numpy as np

from benchmarks.bench_rules import _numeric
from benchmarks.datasets import available, load_dataset, split
from benchmarks.report import paired_mean_se
from benchmarks.select_small_defaults import metrics

N_JOBS = 2
GLASSBOX = ("glassbox_tree", "glassbox_rules")
PEERS = ("cart3", "figs7", "imodels_greedy", "ripper")
BINARY_ONLY = {"imodels_greedy", "ripper"}
RULE_PEERS = ("imodels_greedy", "ripper", "figs7")


# Generated wide data: (rows, features); 20 informative features, logistic, 5% positives.
GENERATED = {"wide_50k_1000": (50_000, 1_000), "wide_100k_200": (100_000, 200)}
FRONTIER_C = (0.002, 0.005, 0.01, 0.02, 0.04)


def generated(name, seed=0):
    """``(X, y, meta)`` of a generated dataset of ``GENERATED``: standard normal features, a
    logistic target on 20 of them (random weights) with its intercept set for 5% positives."""
    import pandas as pd

    n, p = GENERATED[name]
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)).astype(np.float32).astype(float)
    beta = np.zeros(p)
    beta[rng.choice(p, 20, replace=False)] = rng.normal(size=20)
    logit = X @ beta
    logit -= np.quantile(logit, 0.95)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-3.0 * logit))).astype(int)
    return pd.DataFrame(X, columns=[f"x{j}" for j in range(p)]), pd.Series(y), {"task": "binary"}


def _load(name):
    return generated(name) if name in GENERATED else load_dataset(name)


class _Binary:
    """A binary peer fitted on 0/1 labels, seen with the data's class labels."""

    def __init__(self, model, classes):
        self.model, self.classes_ = model, classes

    def predict_proba(self, X):
        p = np.clip(np.asarray(self.model.predict_proba(X), dtype=float)[:, -1], 0.0, 1.0)
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


def _fit_peer(name, X_train, y_train):
    classes = np.unique(y_train)
    if name == "cart3":
        from sklearn.tree import DecisionTreeClassifier

        model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X_train, y_train)
        return model, model.get_n_leaves()
    if name == "figs7":
        from imodels import FIGSClassifier

        model = FIGSClassifier(max_rules=7, random_state=0).fit(X_train.to_numpy(), y_train)
        return _Numpy(model), model.complexity_
    y01 = (y_train == classes[1]).astype(int)
    if name == "imodels_greedy":
        from imodels import GreedyRuleListClassifier

        model = GreedyRuleListClassifier().fit(X_train.to_numpy(), y01)
        return _Binary(_Numpy(model), classes), len(model.rules_)
    if name == "ripper":
        import wittgenstein as lw

        model = lw.RIPPER(random_state=0)
        model.fit(X_train, y01, pos_class=1)
        return _Binary(model, classes), len(model.ruleset_)
    raise ValueError(name)


class _Numpy:
    """A peer that takes arrays, not frames (imodels)."""

    def __init__(self, model):
        self.model = model
        self.classes_ = getattr(model, "classes_", None)

    def predict_proba(self, X):
        return self.model.predict_proba(np.asarray(X))

    def predict(self, X):
        return self.model.predict(np.asarray(X))


def run(name, model_name, X_train, X_test, y_train, y_test, params):
    from glassbox import RuleListClassifier, ShallowTreeClassifier

    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    row = {"dataset": name, "model": model_name}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        if model_name in GLASSBOX:
            cls = ShallowTreeClassifier if model_name == "glassbox_tree" else RuleListClassifier
            model = cls(n_jobs=N_JOBS, **params).fit(X_train, y_train)
            row["fit_s"] = time.perf_counter() - start
            row["size"] = model.tree_.n_leaves if model_name == "glassbox_tree" else len(model.rules_) - 1
            row["optimal"] = bool(model.optimal_)
            if hasattr(model, "lower_bound_"):
                row["gap"] = float(model.objective_ - model.lower_bound_)
            row.update(metrics(model, X_test, y_test))
        else:
            N_train, N_test = _numeric(X_train, X_test)
            model, size = _fit_peer(model_name, N_train, y_train)
            row["fit_s"] = time.perf_counter() - start
            row["size"] = float(size)
            if model.classes_ is None:
                model.classes_ = np.unique(y_train)
            row.update(metrics(model, N_test, y_test))
    return row


def _per_dataset(rows, mine, theirs, metric):
    """``{dataset: [mine - theirs on each split]}`` over the fits both models made."""
    by = {}
    for r in rows:
        if "error" not in r:
            by.setdefault((r["dataset"], r.get("seed", 0)), {})[r["model"]] = r
    out = {}
    for (dataset, _), models in by.items():
        if mine in models and theirs in models:
            out.setdefault(dataset, []).append(models[mine][metric] - models[theirs][metric])
    return out


def _paired(rows, mine, theirs, metric):
    """Mean and paired SE of ``mine - theirs`` over the datasets both ran on (each dataset's
    mean over its splits), and how many datasets."""
    d = np.array([np.mean(values) for values in _per_dataset(rows, mine, theirs, metric).values()])
    if not len(d):
        return 0.0, 0.0, 0
    return (*paired_mean_se(d), len(d))


def _print_per_dataset(rows, mine, theirs, metric):
    """Per dataset, the mean of ``mine - theirs`` over the splits and its paired SE."""
    print(f"\n{mine} - {theirs}, {metric}, per dataset over its splits:")
    print("| dataset | splits | mean difference | paired SE | lowest |\n|---|---|---|---|---|")
    for dataset, values in _per_dataset(rows, mine, theirs, metric).items():
        mean, se = paired_mean_se(np.array(values))
        print(f"| {dataset} | {len(values)} | {mean:+.4f} | {se:.4f} | {min(values):+.4f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", help="default: every classification dataset present")
    parser.add_argument("--models", nargs="+", default=[*GLASSBOX, *PEERS], choices=[*GLASSBOX, *PEERS])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a glassbox parameter (JSON value), for both models")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0], help="split seeds (default: 0)")
    parser.add_argument("--out", help="write the rows as JSON here")
    parser.add_argument("--frontier", metavar="PATH", help="also plot AUC against rules over c, written here")
    args = parser.parse_args(argv)
    params = {}
    for item in args.set:
        key, value = item.split("=", 1)
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    datasets = args.datasets or available("binary") + available("multiclass")
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()}); glassbox parameters {params}")
    print("| dataset | model | AUC | log loss | accuracy | size | fit s | certified (gap) |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    rows = []
    for name in datasets:
        X, y, meta = _load(name)
        for seed in args.seeds:
            label = name if len(args.seeds) == 1 else f"{name} (split {seed})"
            X_train, X_test, y_train, y_test = split(X, y, meta["task"], seed=seed)
            for model_name in args.models:
                if meta["task"] == "multiclass" and model_name in BINARY_ONLY:
                    continue
                try:
                    row = run(name, model_name, X_train, X_test, y_train, y_test, params)
                except Exception as err:  # a peer failing is a result, not a crash
                    row = {"dataset": name, "model": model_name, "error": f"{type(err).__name__}: {err}"[:100]}
                    print(f"| {label} | {model_name} | error: {row['error']} | | | | | |", flush=True)
                    rows.append({**row, "seed": seed})
                    continue
                row["seed"] = seed
                rows.append(row)
                cert = "" if "optimal" not in row else str(row["optimal"])
                cert += f" ({row['gap']:.3g})" if "gap" in row else ""
                print(f"| {label} | {model_name} | {row['auc']:.4f} | {row['log_loss']:.4f} | {row['accuracy']:.4f} | "
                      f"{row['size']:.0f} | {row['fit_s']:.2f} | {cert} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print("| model | fits | mean AUC | mean log loss | mean accuracy | mean size | total fit s | max fit s |")
    print("|---|---|---|---|---|---|---|---|")
    for model_name in args.models:
        mine = [r for r in rows if r["model"] == model_name and "error" not in r]
        if mine:
            print(f"| {model_name} | {len(mine)} | {np.mean([r['auc'] for r in mine]):.4f} | "
                  f"{np.mean([r['log_loss'] for r in mine]):.4f} | {np.mean([r['accuracy'] for r in mine]):.4f} | "
                  f"{np.mean([r['size'] for r in mine]):.1f} | {sum(r['fit_s'] for r in mine):.1f} | "
                  f"{max(r['fit_s'] for r in mine):.1f} |")
    print()
    pairs = [("glassbox_tree", "cart3")] + [("glassbox_rules", peer) for peer in RULE_PEERS]
    for mine, theirs in pairs:
        for metric in ("auc", "accuracy", "log_loss", "size"):
            mean, se, n = _paired(rows, mine, theirs, metric)
            if n:
                print(f"{mine} - {theirs}: {metric} {mean:+.4f} (paired SE {se:.4f}, {n} datasets)")
    if len(args.seeds) > 1:
        for mine, theirs in pairs:
            if _per_dataset(rows, mine, theirs, "auc"):
                _print_per_dataset(rows, mine, theirs, "auc")
    if args.frontier:
        path = [row for name in datasets if _load(name)[2]["task"] == "binary"
                for row in _frontier_rows(name, params)]
        _plot_frontier(path, rows, args.frontier)
        rows += path
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=1)


def _frontier_rows(name, params):
    """The default rule list's path over ``FRONTIER_C`` on one dataset (rows as ``run`` makes)."""
    X, y, meta = _load(name)
    X_train, X_test, y_train, y_test = split(X, y, meta["task"])
    out = []
    for c in FRONTIER_C:
        row = run(name, "glassbox_rules", X_train, X_test, y_train, y_test, {**params, "c": c})
        row["c"] = c
        print(f"| {name} | rules c={c:g} | {row['auc']:.4f} | {row['size']:.0f} | {row['fit_s']:.2f} |", flush=True)
        out.append(row)
    return out


def _plot_frontier(path, rows, out):
    """Mean test AUC against mean size over the binary datasets: glassbox's path over c (the
    default, c="auto", marked) beside each rule learner's default point, on the datasets each
    ran on (the path restricted to the same ones)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    binary = {r["dataset"] for r in path}
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for model_name, marker in (("glassbox_rules", "*"), *((peer, "o") for peer in RULE_PEERS)):
        done = [r for r in rows if r["model"] == model_name and "error" not in r and r["dataset"] in binary]
        if not done:
            continue
        names = {r["dataset"] for r in done}
        ax.scatter(np.mean([r["size"] for r in done]), np.mean([r["auc"] for r in done]), marker=marker, s=80,
                   label=f"{model_name} (default; {len(names)} datasets)")
        if model_name != "glassbox_rules":
            continue
        points = [(np.mean([r["size"] for r in path if r["c"] == c and r["dataset"] in names]),
                   np.mean([r["auc"] for r in path if r["c"] == c and r["dataset"] in names])) for c in FRONTIER_C]
        ax.plot(*zip(*points), "-", color="grey", label="glassbox_rules over c")
        for c, (x, y) in zip(FRONTIER_C, points):
            ax.annotate(f"c={c:g}", (x, y), fontsize=7)
    ax.set_xlabel("mean rules (before the default) / FIGS splits")
    ax.set_ylabel("mean test AUC")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"frontier written to {out}")


if __name__ == "__main__":
    main()
