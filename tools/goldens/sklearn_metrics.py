"""Goldens for the regression and ranking metrics and the confusion matrix, computed by
scikit-learn itself, into Tests/NNTests/Goldens/sklearn_metrics.json:

    /tmp/torchenv/bin/pip install scikit-learn   # once
    /tmp/torchenv/bin/python tools/goldens/sklearn_metrics.py

- regression (mean_absolute_error, mean_squared_error, root_mean_squared_error, r2_score, all with
  multioutput="uniform_average"): one and several columns, targets far from zero, a column of
  equal targets (r2's force_finite case);
- top_k_accuracy_score for k = 1, 2, 3 and k >= classes, with tied scores (sklearn's order: of
  tied scores the higher class index ranks first), labels given so absent classes count;
- roc_auc_score on probabilities with many ties and on logits;
- confusion_matrix with every label given.

Each case gives batch sizes, so the Swift tests (SklearnMetricTests) feed the samples in pieces.
Scores are float32 values; sklearn computes on them in float64.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.exceptions import UndefinedMetricWarning

from common import ROOT

# k >= the class count is a deliberate case (a perfect score, as the Swift side must give too).
warnings.filterwarnings("ignore", category=UndefinedMetricWarning)

OUT = os.path.join(ROOT, "Tests", "NNTests", "Goldens", "sklearn_metrics.json")
rng = np.random.default_rng(2026)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def regression(name, n, columns, batches, shift=0.0, scale=1.0, constant_column=None):
    y = f32(rng.normal(size=(n, columns)) * scale + shift)
    if constant_column is not None:
        y[:, constant_column] = shift + 0.5
    pred = f32(y + rng.normal(size=(n, columns)) * 0.3 * scale)
    yt, yp = y.astype(np.float64), pred.astype(np.float64)
    return {"name": name, "kind": "regression", "columns": columns, "batches": batches,
            "targets": [float(v) for v in y.flatten()], "scores": [float(v) for v in pred.flatten()],
            "expected": {"mae": metrics.mean_absolute_error(yt, yp), "mse": metrics.mean_squared_error(yt, yp),
                         "rmse": metrics.root_mean_squared_error(yt, yp), "r2": metrics.r2_score(yt, yp)}}


def top_k(name, n, classes, batches):
    scores = f32(np.round(rng.normal(size=(n, classes)) * 2) / 2)  # halves: ties are common
    scores[0, :] = 1.0  # a full tie
    targets = rng.integers(0, classes, size=n)
    labels = np.arange(classes)
    expected = {str(k): metrics.top_k_accuracy_score(targets, scores.astype(np.float64), k=k, labels=labels)
                for k in [1, 2, 3, classes]}
    return {"name": name, "kind": "top_k", "columns": classes, "batches": batches,
            "targets": [int(t) for t in targets], "scores": [float(v) for v in scores.flatten()], "expected": expected}


def auroc(name, scores, targets, batches):
    scores = f32(scores)
    return {"name": name, "kind": "auroc", "columns": 1, "batches": batches,
            "targets": [int(t) for t in targets], "scores": [float(v) for v in scores],
            "expected": {"auroc": metrics.roc_auc_score(targets, scores.astype(np.float64))}}


def confusion(name, n, classes, batches):
    scores = f32(rng.normal(size=(n, classes)))
    targets = rng.integers(0, classes - 1, size=n)  # the last class is never a target
    predicted = np.argmax(scores, axis=1)
    matrix = metrics.confusion_matrix(targets, predicted, labels=np.arange(classes))
    return {"name": name, "kind": "confusion", "columns": classes, "batches": batches,
            "targets": [int(t) for t in targets], "scores": [float(v) for v in scores.flatten()],
            "expected": {}, "matrix": matrix.tolist()}


n = 57
cases = [
    regression("regression one column", 40, 1, [16, 16, 8]),
    regression("regression three columns", 33, 3, [10, 23]),
    regression("regression far from zero", 50, 2, [7, 43], shift=1000.0, scale=2.0),
    regression("regression with a column of equal targets", 20, 2, [20], constant_column=1),
    top_k("top_k 6 classes with ties", 61, 6, [32, 29]),
    top_k("top_k 3 classes", 25, 3, [1, 24]),
    auroc("auroc probabilities with ties", np.round(rng.uniform(size=n) * 8) / 8, rng.integers(0, 2, size=n), [20, 20, 17]),
    auroc("auroc logits", rng.normal(size=n) * 3, (rng.uniform(size=n) < 0.3).astype(int), [57]),
    auroc("auroc a perfect ranking", np.arange(10), [0] * 4 + [1] * 6, [5, 5]),
    confusion("confusion 4 classes", 45, 4, [20, 25]),
]
with open(OUT, "w") as f:
    json.dump({"generator": "tools/goldens/sklearn_metrics.py", "sklearn": sklearn.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.relpath(OUT, ROOT)}")
