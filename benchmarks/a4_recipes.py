#!/usr/bin/env python3
"""Candidate A4 recipes on the full CIFAR-10, for the reference class (issue 12).

    CNNBOOK_DATA=DIR python benchmarks/a4_recipes.py speed --cpu-class avx2
    CNNBOOK_DATA=DIR python benchmarks/a4_recipes.py train plain4 --epochs 10 --cpu-class avx2
    python benchmarks/a4_recipes.py summary

`summary` copies what the book's training chapter cites (the cost of three
candidates, measured in one interleaved run, and the A4 notebook's own runs
from benchmarks/assignments.py) into cnnbook/assets/a4_recipe.json.

`speed` times one short epoch of every candidate, interleaved, so that a
changing load hits them alike: the ratios between candidates are the figure
to read (absolute seconds on a shared machine are upper bounds). `train`
trains one candidate with a fixed number of epochs on the 47,500 images the
notebook fits on, then measures the model on the full test split, as the
grader does. Both record the load average. Results:
benchmarks/results/a4_recipes.json.

A candidate is a network (its blocks of 3x3 convolutions, with batch
normalisation, each block but the last followed by 2x2 max pooling, then
global average pooling and a softmax layer), an augmentation and a training
recipe (AdamW or Nesterov SGD, warm-up then cosine decay, label smoothing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EMULATION, RESULTS, cpu_record, cpu_seconds, emulate_cpu_class, save

# Blocks: (filters, convolutions) per resolution, pooling after each block.
CANDIDATES: dict[str, dict] = {
    # The reference before issue 12: 29.2 M multiply-adds per image.
    "reference": {"blocks": [(32, 1), (64, 2), (128, 2)], "augment": "flip+translate"},
    "reference-flip": {"blocks": [(32, 1), (64, 2), (128, 2)], "augment": "flip"},
    "reference-none": {"blocks": [(32, 1), (64, 2), (128, 2)], "augment": "none"},
    # One convolution at 16x16 (the second one held a third of the cost).
    "thin": {"blocks": [(32, 1), (64, 1), (128, 2)], "augment": "flip+translate"},
    "thin-flip": {"blocks": [(32, 1), (64, 1), (128, 2)], "augment": "flip"},
    # One convolution per block, wider at the end, a fourth block at 4x4.
    "plain4": {"blocks": [(32, 1), (64, 1), (128, 1), (256, 1)], "augment": "flip+translate"},
    # The same, pooling straight after each convolution (airbench's order): batch
    # normalisation and ReLU then touch a quarter of the values.
    "plain4-pool-first": {"blocks": [(32, 1), (64, 1), (128, 1), (256, 1)],
                          "augment": "flip+translate", "pool_first": True},
    "plain3w": {"blocks": [(32, 1), (96, 1), (192, 2)], "augment": "flip+translate"},
    # Only the first convolution: what the input pipeline and augmentation cost.
    "probe": {"blocks": [(32, 1)], "augment": "flip+translate"},
    "probe-none": {"blocks": [(32, 1)], "augment": "none"},
}


def build(blocks: list[tuple[int, int]], augment: str, pool_first: bool = False):
    """A CNN of `blocks` on raw pixels (0-255), augmenting while training."""
    import keras
    from keras import layers

    inputs = keras.Input((32, 32, 3))
    x = layers.Rescaling(1 / 255)(inputs)
    if "flip" in augment:
        x = layers.RandomFlip("horizontal")(x)
    if "translate" in augment:
        x = layers.RandomTranslation(0.0625, 0.0625, fill_mode="reflect")(x)
    for index, (filters, convolutions) in enumerate(blocks):
        pool = index < len(blocks) - 1
        for convolution in range(convolutions):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            if pool and pool_first and convolution == 0:
                x = layers.MaxPooling2D(2)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)
            x = layers.Activation("relu")(x)
        if pool and not pool_first:
            x = layers.MaxPooling2D(2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(10, activation="softmax", dtype="float32")(x)
    return keras.Model(inputs, outputs)


def multiply_adds(blocks: list[tuple[int, int]], pool_first: bool = False) -> int:
    """Multiply-adds of the convolutions per image, forward.

    With `pool_first`, a block's convolutions after its first run on the pooled map.
    """
    total, channels, side = 0, 3, 32
    for index, (filters, convolutions) in enumerate(blocks):
        pooled = pool_first and index < len(blocks) - 1
        for convolution in range(convolutions):
            at = side // 2 if pooled and convolution > 0 else side
            total += at * at * 9 * channels * filters
            channels = filters
        side //= 2
    return total


def compile_model(model, steps: int, optimizer: str, peak: float, smoothing: float,
                  weight_decay: float, warmup_share: float) -> None:
    import keras

    warmup = max(1, int(steps * warmup_share))
    schedule = keras.optimizers.schedules.CosineDecay(
        peak / 10, max(1, steps - warmup), warmup_target=peak, warmup_steps=warmup)
    if optimizer == "adamw":
        opt = keras.optimizers.AdamW(schedule, weight_decay=weight_decay)
    else:
        opt = keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True,
                                   weight_decay=weight_decay)
    model.compile(optimizer=opt,
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=smoothing),
                  metrics=["accuracy"])



def record(key: str, entry: dict) -> None:
    path = RESULTS / "a4_recipes.json"
    existing = json.loads(path.read_text())["results"] if path.exists() else {}
    existing[key] = entry
    save("a4_recipes", "see each result's command", existing)


def record_speed(name: str, epochs: list[dict], images: int, batch_size: int, precision: str,
                 command: str, tag: str = "") -> None:
    """Save what one candidate measured so far (a long run may be stopped at any time)."""
    record(f"speed/{name}/b{batch_size}{tag}/{cpu_record()['class']}", {
        "candidate": CANDIDATES[name],
        "multiply_adds": multiply_adds(CANDIDATES[name]["blocks"],
                                       CANDIDATES[name].get("pool_first", False)),
        "images": images, "batch_size": batch_size, "precision": precision, "epochs": epochs,
        "min_seconds_per_10000": round(min(e["seconds"] for e in epochs) * 10_000 / images, 1),
        "min_cpu_seconds_per_10000": round(
            min(e["cpu_seconds"] for e in epochs) * 10_000 / images, 1),
        "cpu": cpu_record(), "command": command})


# What the book cites: the run that compared the costs, and the notebook's own runs.
COST_TAG = "/s6"
COMPARED = ("reference", "plain4", "plain4-pool-first")
CHOSEN = "plain4-pool-first"
NOTEBOOK_RUNS = "a4-cifar10-cnn/student/avx2 (emulated)"  # assignments.py --cpu-class avx2
SOLUTION = Path(__file__).resolve().parents[1] / "solutions/a4-cifar10-cnn/a4-cifar10-cnn.ipynb"
OLD_REFERENCE = "a4-cifar10-cnn/student+EPOCHS=3/avx2 (emulated)"  # before issue 12


def _result(results: dict, key: str, how: str) -> dict:
    if key not in results:
        raise SystemExit(f"a4_recipes.py: error: no result {key!r}; {how}")
    return results[key]


def notebook_default(name: str) -> int:
    """A number in the A4 solution's parameters cell, e.g. its EPOCHS."""
    import re

    notebook = SOLUTION.read_text(encoding="utf-8")
    return int(re.search(rf'"{name} = (\d+)', notebook).group(1))


def summary() -> int:
    """Write cnnbook/assets/a4_recipe.json from results/a4_recipes.json and assignments.json."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import keras

    from cnnbook.assets import provenance, write_json_atomically

    recipes = json.loads((RESULTS / "a4_recipes.json").read_text())["results"]
    notebooks = json.loads((RESULTS / "assignments.json").read_text())["results"]
    cost = {}
    for name in COMPARED:
        entry = _result(recipes, f"speed/{name}/b256{COST_TAG}/avx2 (emulated)",
                        "run the speed mode with --cpu-class avx2 first")
        cost[name] = {"blocks": entry["candidate"]["blocks"],
                      "pool_first": entry["candidate"].get("pool_first", False),
                      "multiply_adds": entry["multiply_adds"],
                      "cpu_seconds_per_10000": entry["min_cpu_seconds_per_10000"],
                      "load_average": [e["load_before"] for e in entry["epochs"]]}
    notebook = _result(notebooks, NOTEBOOK_RUNS, "run benchmarks/assignments.py "
                       "a4-cifar10-cnn --cpu-class avx2 --runs 3 first")
    old = _result(notebooks, OLD_REFERENCE, "see benchmarks/README.md")
    record = provenance("python benchmarks/a4_recipes.py summary")
    record.update({
        "cost": cost, "chosen": CHOSEN, "epochs": notebook_default("EPOCHS"),
        "params": build(**CANDIDATES[CHOSEN]).count_params(),
        "notebook": {key: notebook[key] for key in (
            "median_test_accuracy", "median_train_seconds", "median_notebook_seconds",
            "runs", "cpu", "command")},
        "old_reference": {key: old[key] for key in (
            "median_test_accuracy", "median_train_seconds", "parameters", "command")},
    })
    keras.backend.clear_session()
    target = Path(__file__).resolve().parents[1] / "cnnbook" / "assets" / "a4_recipe.json"
    write_json_atomically(target, record)
    print(f"wrote {target}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["speed", "train", "summary"])
    parser.add_argument("candidates", nargs="*", default=[])
    parser.add_argument("--cpu-class", choices=["native", *EMULATION], default="native")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--optimizer", choices=["adamw", "sgd"], default="adamw")
    parser.add_argument("--peak", type=float, default=4e-3)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--smoothing", type=float, default=0.1)
    parser.add_argument("--warmup-share", type=float, default=0.2)
    parser.add_argument("--speed-images", type=int, default=2560)
    parser.add_argument("--rounds", type=int, default=1, help="speed: epochs per candidate")
    parser.add_argument("--tag", default="", help="a suffix of the result's key, e.g. /quiet")
    args = parser.parse_args()
    if args.mode == "summary":
        return summary()
    data_dir = os.environ.get("CNNBOOK_DATA")
    if not data_dir:
        print("a4_recipes.py: error: set CNNBOOK_DATA to the full datasets", file=sys.stderr)
        return 2
    if args.cpu_class != "native":
        emulate_cpu_class(args.cpu_class)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from cnnbook.data import load_cifar10
    from cnnbook.precision import use_precision

    precision = use_precision("auto", lang="en")
    names = args.candidates or list(CANDIDATES)
    command = "CNNBOOK_DATA=DIR python benchmarks/a4_recipes.py " + " ".join(sys.argv[1:])
    (x_train, y_train), (x_test, y_test) = load_cifar10(data_dir)
    n_validation = int(len(x_train) * 0.05)  # as the notebook: fit on the first 95%
    x_fit, y_fit = x_train[:-n_validation], y_train[:-n_validation]
    if args.mode == "speed":
        x, y = x_fit[:args.speed_images], keras.utils.to_categorical(y_fit[:args.speed_images], 10)
        models = {}
        for name in names:
            keras.utils.set_random_seed(0)
            models[name] = build(**CANDIDATES[name])
            compile_model(models[name], 100, args.optimizer, args.peak, args.smoothing,
                          args.weight_decay, args.warmup_share)
            models[name].fit(x[:args.batch_size * 2], y[:args.batch_size * 2],
                             batch_size=args.batch_size, verbose=0)  # trace outside the timing
        times: dict[str, list] = {name: [] for name in names}
        for _ in range(args.rounds):
            for name in names:
                before, start, cpu_start = os.getloadavg()[0], time.perf_counter(), cpu_seconds()
                models[name].fit(x, y, batch_size=args.batch_size, epochs=1, verbose=0)
                seconds = time.perf_counter() - start
                times[name].append({"seconds": round(seconds, 2),
                                    "cpu_seconds": round(cpu_seconds() - cpu_start, 2),
                                    "load_before": round(before, 2),
                                    "load_after": round(os.getloadavg()[0], 2)})
                print(name, times[name][-1], flush=True)
                record_speed(name, times[name], len(x), args.batch_size, precision, command,
                             args.tag)
        return 0
    for name in names:
        keras.utils.set_random_seed(args.seed)
        model = build(**CANDIDATES[name])
        steps = args.epochs * int(np.ceil(len(x_fit) / args.batch_size))
        compile_model(model, steps, args.optimizer, args.peak, args.smoothing,
                      args.weight_decay, args.warmup_share)
        epochs = []
        load_start, start = os.getloadavg()[0], time.perf_counter()
        y_hot = keras.utils.to_categorical(y_fit, 10)
        for epoch in range(args.epochs):
            before, epoch_start = os.getloadavg()[0], time.perf_counter()
            cpu_start = cpu_seconds()
            history = model.fit(x_fit, y_hot, batch_size=args.batch_size, epochs=epoch + 1,
                                initial_epoch=epoch, verbose=0)
            epochs.append({"seconds": round(time.perf_counter() - epoch_start, 1),
                           "cpu_seconds": round(cpu_seconds() - cpu_start, 1),
                           "load_before": round(before, 2),
                           "accuracy": round(float(history.history["accuracy"][-1]), 4)})
            print(name, epoch, epochs[-1], flush=True)
        train_seconds = time.perf_counter() - start
        predictions = model.predict(x_test, batch_size=500, verbose=0)
        flipped = model.predict(x_test[:, :, ::-1], batch_size=500, verbose=0)
        labels = np.asarray(y_test).reshape(-1)
        test = float(np.mean(predictions.argmax(-1) == labels))
        test_flips = float(np.mean((predictions + flipped).argmax(-1) == labels))
        print(name, "test", test, "with flips", test_flips, "train s", round(train_seconds, 1))
        record(f"train/{name}/e{args.epochs}/b{args.batch_size}/{args.optimizer}"
               f"{args.tag}/seed{args.seed}/{cpu_record()['class']}", {
                   "candidate": CANDIDATES[name], "epochs": args.epochs,
                   "batch_size": args.batch_size, "optimizer": args.optimizer,
                   "peak_learning_rate": args.peak, "weight_decay": args.weight_decay,
                   "label_smoothing": args.smoothing, "warmup_share": args.warmup_share,
                   "seed": args.seed, "precision": precision,
                   "test_accuracy": round(test, 4),
                   "test_accuracy_with_flips": round(test_flips, 4),
                   "train_seconds": round(train_seconds, 1), "load_start": round(load_start, 2),
                   "per_epoch": epochs, "cpu": cpu_record(), "command": command})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
