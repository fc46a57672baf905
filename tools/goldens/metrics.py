"""Goldens for the NN target's classification metrics, into Tests/NNTests/Goldens/metrics.json:

    /tmp/torchenv/bin/python tools/goldens/metrics.py

The expected values follow scikit-learn's definitions with zero_division=0, written out here
with numpy so no scikit-learn install is needed:
- binary (average="binary", pos_label=1): predicted positive when score >= threshold;
  precision tp/(tp+fp), recall tp/(tp+fn), f1 2tp/(2tp+fp+fn), each 0 on a zero denominator.
- multiclass (average="macro"): prediction = argmax (first maximum); per-class precision, recall
  and f1 as above, averaged without weights over sklearn's unique_labels(y_true, y_pred), the
  classes present in the targets or the predictions.
Each case also gives batch sizes, so the Swift test feeds the samples in pieces.
"""
import os

import numpy as np

from common import ROOT, write

OUT_DIR = os.path.join(ROOT, "Tests", "NNTests", "Goldens")


def safe(a, b):
    return 0.0 if b == 0 else a / b


def per_class(y_true, y_pred, c):
    tp = int(np.sum((y_pred == c) & (y_true == c)))
    fp = int(np.sum((y_pred == c) & (y_true != c)))
    fn = int(np.sum((y_pred != c) & (y_true == c)))
    return safe(tp, tp + fp), safe(tp, tp + fn), safe(2 * tp, 2 * tp + fp + fn)


def expected(y_true, y_pred, binary):
    accuracy = float(np.mean(y_true == y_pred)) if len(y_true) else 0.0
    if binary:
        p, r, f = per_class(y_true, y_pred, 1)
    else:
        labels = np.union1d(y_true, y_pred)
        values = np.array([per_class(y_true, y_pred, c) for c in labels])
        p, r, f = values.mean(axis=0)
    return {"accuracy": accuracy, "precision": float(p), "recall": float(r), "f1": float(f)}


def binary_case(name, rng, n, threshold, logits, batches):
    scores = (rng.normal(size=n) * 2 if logits else rng.uniform(size=n)).astype(np.float32)
    scores[:3] = threshold  # exactly at the threshold: positive
    targets = (rng.uniform(size=n) < 0.35).astype(int)  # fewer positives than predicted
    pred = (scores >= np.float32(threshold)).astype(int)
    return {"name": name, "task": "binary", "threshold": threshold, "classes": 2, "batches": batches,
            "scores": [float(x) for x in scores], "targets": [int(t) for t in targets], "expected": expected(targets, pred, True)}


def multiclass_case(name, rng, n, classes, used, batches):
    scores = rng.normal(size=(n, classes)).astype(np.float32)
    scores[0, :] = 1.0  # a full tie: the first class wins
    scores[1, 2:4] = 10.0  # a tie at the top between classes 2 and 3
    scores[:, [c for c in range(classes) if c not in used]] -= 100  # never predicted
    targets = rng.choice(used[:-1], size=n)  # the last used class is predicted but never a target
    pred = np.argmax(scores, axis=1)
    return {"name": name, "task": "multiclass", "threshold": 0.0, "classes": classes, "batches": batches,
            "scores": [float(x) for x in scores.flatten()], "targets": [int(t) for t in targets],
            "expected": expected(targets, pred, False)}


def main():
    rng = np.random.default_rng(21)
    cases = [
        binary_case("binary_probabilities", rng, 41, 0.5, False, [8, 8, 8, 8, 9]),
        binary_case("binary_logits", rng, 30, 0.0, True, [30]),
        multiclass_case("multiclass_some_classes_unseen", rng, 60, 8, [0, 2, 3, 5, 6], [32, 28]),
        multiclass_case("multiclass_all_classes", rng, 50, 4, [0, 1, 2, 3], [1, 10, 39]),
    ]
    write("metrics", cases, "tools/goldens/metrics.py", out_dir=OUT_DIR)


if __name__ == "__main__":
    main()
