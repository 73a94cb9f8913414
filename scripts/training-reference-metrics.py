#!/usr/bin/env python3
"""Reference figures for lambdas/pipelines/training/evaluate.ts, computed by scikit-learn.

Writes test/fixtures/training/reference-metrics.json: fixed prediction sets (ties, probabilities of
exactly 0 and 1, a constant target) with sklearn's AUC, log loss, accuracy, confusion matrix, RMSE,
MAE and R². The tests assert agreement to 1e-9. Run it once with a Python that has sklearn (Debian's
python3-sklearn: /usr/bin/python3 scripts/training-reference-metrics.py) and commit the JSON; CI only
reads it.
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)

OUT = pathlib.Path(__file__).resolve().parent.parent / "test/fixtures/training/reference-metrics.json"
rng = np.random.default_rng(20261128)


def binary(name, labels, probabilities):
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(probabilities, dtype=np.float64)
    predicted = (p > 0.5).astype(np.int64)  # XGBoost's rule: class 1 when p > 0.5
    expected = {
        "accuracy": accuracy_score(y, predicted),
        "logloss": log_loss(y, p, labels=[0, 1]),
        "confusionMatrix": confusion_matrix(y, predicted, labels=[0, 1]).tolist(),
    }
    if len(set(y.tolist())) == 2:
        expected["auc"] = roc_auc_score(y, p)
    return {"name": name, "kind": "binary", "labels": y.tolist(), "predictions": p.tolist(), "expected": expected}


def multiclass(name, labels, probabilities):
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(probabilities, dtype=np.float64)
    k = p.shape[1]
    predicted = p.argmax(axis=1)
    return {
        "name": name,
        "kind": "multiclass",
        "classes": k,
        "labels": y.tolist(),
        "predictions": p.reshape(-1).tolist(),
        "expected": {
            "accuracy": accuracy_score(y, predicted),
            "logloss": log_loss(y, p, labels=list(range(k))),
            "confusionMatrix": confusion_matrix(y, predicted, labels=list(range(k))).tolist(),
        },
    }


def regression(name, labels, predictions):
    y = np.asarray(labels, dtype=np.float64)
    p = np.asarray(predictions, dtype=np.float64)
    return {
        "name": name,
        "kind": "regression",
        "labels": y.tolist(),
        "predictions": p.tolist(),
        "expected": {
            "rmse": float(np.sqrt(mean_squared_error(y, p))),
            "mae": mean_absolute_error(y, p),
            "r2": r2_score(y, p),
        },
    }


n = 1000
random_labels = rng.integers(0, 2, n)
# Scores rounded to 2 decimals: hundreds of ties, some across classes; shifted up for positives.
random_scores = np.clip(np.round(rng.normal(0.45 + 0.15 * random_labels, 0.2), 2), 0, 1)
dirichlet = rng.dirichlet([1.0, 2.0, 0.5], 200)
dirichlet[0] = [0.0, 1.0, 0.0]  # a zero probability on the true class exercises the clipping
regression_labels = rng.normal(50, 12, 500)

cases = [
    binary(
        "ties-and-threshold",
        [0, 0, 1, 1, 0, 1, 1, 0, 1, 0],
        [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2, 0.35, 0.5],
    ),
    binary("certain-right-and-wrong", [0, 1, 1, 0, 1, 0], [0.0, 1.0, 0.0, 1.0, 0.7, 0.3]),
    binary("all-scores-tied", [0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3]),
    binary("one-class-only", [1, 1, 1], [0.9, 0.2, 0.6]),
    binary("random-1000-rounded", random_labels, random_scores),
    multiclass("dirichlet-3-classes", rng.integers(0, 3, 200), dirichlet),
    regression("gaussian-500", regression_labels, regression_labels + rng.normal(0, 5, 500)),
    regression("constant-target-missed", [3.0, 3.0, 3.0, 3.0], [2.5, 3.0, 3.5, 4.0]),
    regression("constant-target-hit", [3.0, 3.0, 3.0], [3.0, 3.0, 3.0]),
]

document = {
    "generator": f"scripts/training-reference-metrics.py with scikit-learn {sklearn.__version__}, numpy {np.__version__}",
    "cases": cases,
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(document, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {OUT}")
