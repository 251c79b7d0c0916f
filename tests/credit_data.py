"""Generated credit data shared by the tests of the credit-facing views (reason codes, scorecards,
editing): a score that lowers the risk of 'Bad', a utilisation with missing values that raises
it, a region and a noise column; optional shapes make particular tests bite."""

import numpy as np
import pandas as pd


def credit(n=2000, seed=0, *, pair=0.0, wiggle=0.0, round_score=False):
    """``(X, y, logit)``: ``y`` is 'Bad' / 'Good' drawn from ``logit`` (the log-odds of 'Bad').
    ``pair`` adds a util x region interaction, ``wiggle`` a non-monotone effect of the noise."""
    rng = np.random.RandomState(seed)
    score = rng.uniform(300, 850, n)
    X = pd.DataFrame({"score": score.round() if round_score else score, "util": rng.uniform(0, 1, n),
                      "region": rng.choice(["north", "south", "east"], n), "noise": rng.normal(size=n)})
    X.loc[rng.rand(n) < 0.1, "util"] = np.nan
    util = X["util"].fillna(0.5)
    logit = (-(X["score"] - 575) / 80 + 1.5 * util + (X["region"] == "south")
             + pair * (X["util"].fillna(0) > 0.5) * (X["region"] == "east") + wiggle * np.sin(X["noise"] * 3))
    y = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-logit)), "Bad", "Good")
    return X, y, logit
