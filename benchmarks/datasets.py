"""Load the shared real datasets (``../shared/datasets`` beside the checkout).

Used by the benchmarks and by tests; the glassbox package itself never reads this folder.
Set ``GLASSBOX_DATASETS`` to use another copy.
"""

import json
import os
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

DATASETS_DIR = Path(
    os.environ.get("GLASSBOX_DATASETS", Path(__file__).resolve().parents[1].parent / "shared" / "datasets")
)


def manifest():
    """The manifest as a dict keyed by dataset name; empty when the folder is absent."""
    path = DATASETS_DIR / "manifest.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def available(task=None):
    """Names of the datasets present, optionally only those of one task."""
    return sorted(
        name
        for name, meta in manifest().items()
        if (DATASETS_DIR / meta["file"]).is_file() and (task is None or meta["task"] == task)
    )


def load_dataset(name):
    """``(X, y, meta)``: X a DataFrame whose manifest-listed categorical columns have dtype
    ``category`` (string columns stay strings, missing values stay NaN), y a Series."""
    meta = manifest().get(name)
    if meta is None:
        raise FileNotFoundError(f"dataset {name!r} is not in {DATASETS_DIR / 'manifest.json'}")
    frame = pd.read_csv(DATASETS_DIR / meta["file"])
    y = frame.pop(meta["target"])
    for column in meta["categorical"]:
        frame[column] = frame[column].astype("category")
    return frame, y, meta


def split(X, y, task, *, test_size=0.2, seed=0):
    """The fixed 80/20 split every benchmark and data test uses (stratified for classification)."""
    stratify = y if task in ("binary", "multiclass") else None
    return train_test_split(X, y, test_size=test_size, random_state=seed, stratify=stratify)
