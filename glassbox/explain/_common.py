"""What every family's explanations share: InterpretML's per-row ``perf`` records and local
selector, the class labels, and how values and rows are written in texts and figures."""

import numpy as np
import pandas as pd

from glassbox._base import py_scalar


def perf_records(model, X, y):
    """InterpretML's per-row ``perf`` dicts (its ``gen_perf_dicts`` shape): for a classifier the
    predicted and actual class *indices* and their probabilities, for a regressor the values.
    ``predicted_label`` / ``actual_label`` add the labels themselves."""
    n = X.shape[0]
    classes = getattr(model, "classes_", None)
    records = []
    if classes is not None:
        proba = model.predict_proba(X)
        predicted = np.argmax(proba, axis=1)
        index = {c: k for k, c in enumerate(classes.tolist())}
        for i in range(n):
            actual = np.nan if y is None else index.get(py_scalar(y[i]), np.nan)
            records.append({
                "is_classification": True,
                "predicted": int(predicted[i]),
                "actual": actual,
                "predicted_score": float(proba[i, predicted[i]]),
                "actual_score": (np.nan if y is None else 0.0 if np.isnan(actual) else float(proba[i, actual])),
                "predicted_label": py_scalar(classes[predicted[i]]),
                "actual_label": None if y is None else py_scalar(y[i]),
            })
    else:
        prediction = model.predict(X)
        for i in range(n):
            actual = np.nan if y is None else float(y[i])
            records.append({
                "is_classification": False,
                "predicted": float(prediction[i]),
                "actual": actual,
                "predicted_score": float(prediction[i]),
                "actual_score": actual,
                "predicted_label": float(prediction[i]),
                "actual_label": None if y is None else float(y[i]),
            })
    return records


def local_selector(records, index):
    """One row per explained sample, InterpretML's local selector columns, with labels."""
    classification = bool(records) and records[0]["is_classification"]
    rows = []
    for r in records:
        row = {"Actual": r["actual_label"], "Predicted": r["predicted_label"]}
        if classification:
            row.update({"PrScore": r["predicted_score"], "AcScore": r["actual_score"]})
            residual = r["actual_score"] - r["predicted_score"]
        else:
            residual = r["actual"] - r["predicted"]
        row.update({"Resid": residual, "AbsResid": abs(residual)})
        rows.append(row)
    columns = ["Actual", "Predicted"] + (["PrScore", "AcScore"] if classification else []) + ["Resid", "AbsResid"]
    return pd.DataFrame(rows, columns=columns, index=index)


def value_table(X):
    """X as a DataFrame of its raw values (an array's as objects), to read each row's value of a
    feature by position, as the text shows it."""
    return X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))


def row_index(X):
    return X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(X.shape[0])


def with_actual(frame, y):
    """The family's local frame with the true target beside the prediction (when given)."""
    if y is None:
        return frame
    frame = frame.copy()
    at = frame.columns.get_loc("prediction") + 1
    frame.insert(at, "actual", [py_scalar(v) for v in y])
    return frame


def meta(model):
    """InterpretML's ``meta`` entry: the class labels of a classifier."""
    classes = getattr(model, "classes_", None)
    return {} if classes is None else {"meta": {"label_names": [py_scalar(c) for c in classes]}}


def fmt(value, digits=6):
    """A value for text and figure labels: floats to ``digits`` significant digits, missing
    values (NaN, None, ``pd.NA``) as ``missing`` -- the bin they fall in -- and the rest as
    ``repr`` (so labels read ``'red'``, ``3``, ``0.4772``, ``missing``)."""
    value = py_scalar(value)
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return "missing"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return repr(value)


def row_headline(label, perf):
    """``row 3: prediction 'yes' (p=0.812), actual 'no'``: how every local text and figure opens."""
    line = f"row {fmt(label)}: prediction {fmt(perf['predicted_label'])}"
    if perf["is_classification"]:
        line += f" (p={perf['predicted_score']:.3f})"
    if perf["actual_label"] is not None:
        line += f", actual {fmt(perf['actual_label'])}"
    return line
