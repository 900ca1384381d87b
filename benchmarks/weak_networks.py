#!/usr/bin/env python3
"""Deliberately weak networks under a grading budget: does the threshold reject them?

    CNNBOOK_DATA=DIR python benchmarks/weak_networks.py a3-mnist-cnn --profile cpu --runs 3
    CNNBOOK_DATA=DIR python benchmarks/weak_networks.py a4-cifar10-cnn --cpu-class avx2

A grading threshold must separate the reference solution from a network that
misses the point of the assignment: a single dense layer for A3 (softmax
regression on the pixels), a two-layer CNN without augmentation for A4. Each
is trained here with the reference solution's own `train()` (taken from the
solution notebook) under the profile's budget and the notebook's defaults,
then measured on the full real test split. Results:
benchmarks/results/weak_networks.json, with the CPU they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

import nbformat
import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EMULATION, RESULTS, cpu_record, emulate_cpu_class, save

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def weak_a3(keras):
    from keras import layers

    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(),
                             layers.Dense(10, activation="softmax", dtype="float32")],
                            name="weak_single_dense")


def weak_a4(keras):
    from keras import layers

    return keras.Sequential([
        keras.Input((32, 32, 3)), layers.Rescaling(1 / 255),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(10, activation="softmax", dtype="float32"),
    ], name="weak_two_layer_cnn")


WEAK = {"a3-mnist-cnn": ("mnist", weak_a3), "a4-cifar10-cnn": ("cifar10", weak_a4)}


def cell_source(notebook: nbformat.NotebookNode, grade_id: str | None = None,
                tag: str | None = None) -> str:
    for cell in notebook.cells:
        if (grade_id and cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id) or (
                tag and tag in cell.metadata.get("tags", [])):
            return cell.source
    raise KeyError(grade_id or tag)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment", choices=sorted(WEAK))
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cpu-class", choices=["native", *EMULATION], default="native")
    args = parser.parse_args()
    data_dir = os.environ.get("CNNBOOK_DATA")
    if not data_dir:
        print("weak_networks.py: error: set CNNBOOK_DATA to the full datasets", file=sys.stderr)
        return 2
    if args.cpu_class != "native":
        emulate_cpu_class(args.cpu_class)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    folder = SOLUTIONS / args.assignment
    spec = yaml.safe_load((folder / "grading.yml").read_text())
    notebook = nbformat.read(folder / f"{args.assignment}.ipynb", as_version=4)
    budget = spec["profiles"][args.profile]["parameters"]

    import keras

    from cnnbook import data
    from cnnbook.precision import use_precision

    namespace: dict = {"keras": keras, "np": np}
    exec(cell_source(notebook, tag="parameters"), namespace)  # the notebook's defaults
    namespace.update(budget)
    exec(cell_source(notebook, grade_id="train"), namespace)  # the reference's train()
    precision = use_precision(namespace.get("PRECISION", "auto"), lang="en")
    dataset, make_weak = WEAK[args.assignment]
    loader = {"mnist": data.load_mnist, "cifar10": data.load_cifar10}[dataset]
    (x_train, y_train), (x_test, y_test) = loader(data_dir, limit=namespace["TRAIN_LIMIT"])
    y_train, y_test = np.asarray(y_train).reshape(-1), np.asarray(y_test).reshape(-1)
    if dataset == "mnist":  # as A3's load_data cell prepares them
        x_train = (x_train.astype("float32") / 255)[..., np.newaxis]
        x_test = (x_test.astype("float32") / 255)[..., np.newaxis]
    n_validation = max(1, int(len(x_train) * namespace["VALIDATION_SHARE"]))
    runs = []
    for seed in range(args.runs):
        keras.utils.set_random_seed(seed)
        model = make_weak(keras)
        namespace["train"](model, x_train[:-n_validation], y_train[:-n_validation],
                           x_train[-n_validation:], y_train[-n_validation:],
                           namespace["EPOCHS"], namespace["BATCH_SIZE"])
        predicted = np.argmax(model.predict(x_test, batch_size=1000, verbose=0), axis=1)
        runs.append({"seed": seed, "test_accuracy": round(float(np.mean(predicted == y_test)), 4)})
        print(runs[-1], flush=True)
    threshold = budget.get("ACCURACY_TARGET", namespace.get("ACCURACY_TARGET"))
    summary = {"network": model.name, "weights": model.count_params(), "profile": args.profile,
               "parameters": budget, "precision": precision, "cpu": cpu_record(), "runs": runs,
               "max_test_accuracy": max(r["test_accuracy"] for r in runs),
               "median_test_accuracy": statistics.median(r["test_accuracy"] for r in runs),
               "threshold": threshold,
               "rejected": all(r["test_accuracy"] < threshold for r in runs)}
    print(json.dumps(summary, indent=1))
    path = RESULTS / "weak_networks.json"
    existing = json.loads(path.read_text())["results"] if path.exists() else {}
    emulation = "" if args.cpu_class == "native" else f" --cpu-class {args.cpu_class}"
    existing[f"{args.assignment}/{args.profile}/{summary['cpu']['class']}"] = {
        **summary, "command": f"CNNBOOK_DATA=DIR python benchmarks/weak_networks.py "
                              f"{args.assignment} --profile {args.profile} --runs {args.runs}"
                              f"{emulation}"}
    save("weak_networks", "see each result's command", existing)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
