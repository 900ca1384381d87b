#!/usr/bin/env python3
"""The training toolkit's comparisons; save cnnbook/assets/toolkit.json.

    python scripts/train_toolkit.py [--epochs 4]

Each comparison trains `cnnbook.toolkit.plain_cnn` (six 3×3 CONV layers of 16
filters) on the first 10,000 Fashion-MNIST training images for a few hundred
updates, changing one thing at a time; the validation set is the last 5,000
training images. One seed per setting: the page states only differences that
are far larger than what a second seed changes. Settings that two comparisons
share train once. Then it times training steps of the book's `small_cnn` in
float32 and in mixed bfloat16, each in a fresh process, twice: with
TensorFlow's oneDNN kernels, which use this CPU's bfloat16 instructions (AMX,
AVX512_BF16) where it has them, and with oneDNN switched off
(`TF_ENABLE_ONEDNN_OPTS=0`), so that TensorFlow's Eigen kernels emulate
bfloat16 in software, as on a CPU without it. (Capping oneDNN with
`ONEDNN_MAX_CPU_ISA=AVX2` does not work for this: TensorFlow 2.20 then fails
to create a bfloat16 convolution.)

The training-toolkit page reads the JSON; nothing here trains while the book
builds. About fifteen minutes on two busy cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "cnnbook" / "assets"
TRAIN, VALIDATION, BATCH = 10_000, 5000, 100

# name -> the settings that differ from BASE; grouped by the page's sections
BASE = {"inputs": "standardised", "init": "he_normal", "batch_norm": False,
        "optimizer": "sgd", "learning_rate": 0.01, "schedule": "constant",
        "weight_decay": 0.0, "l2": 0.0, "label_smoothing": 0.0}
COMPARISONS = {
    "inputs": {f"inputs_{kind}": {"inputs": kind} for kind in ("raw", "scaled", "standardised")},
    "init": {f"init_{name}": {"init": name}
             for name in ("he_normal", "glorot_uniform", "normal_0.01")},
    "batch_norm": {f"{'bn' if bn else 'plain'}_lr{lr}": {"batch_norm": bn, "learning_rate": lr}
                   for bn in (False, True) for lr in (0.01, 0.05, 0.2)},
    "schedule": {f"schedule_{kind}": {"batch_norm": True, "optimizer": "adam",
                                      "learning_rate": 0.01, "schedule": kind}
                 for kind in ("constant", "cosine", "warmup_cosine")},
    "weight_decay": {
        "decay_none": {"batch_norm": True, "optimizer": "adam", "learning_rate": 1e-3},
        "decay_l2": {"batch_norm": True, "optimizer": "adam", "learning_rate": 1e-3,
                     "l2": 5e-4},
        "decay_adamw": {"batch_norm": True, "optimizer": "adamw", "learning_rate": 1e-3,
                        "weight_decay": 0.05}},
    "label_smoothing": {f"smoothing_{value}": {"batch_norm": True, "optimizer": "adam",
                                               "learning_rate": 1e-3, "label_smoothing": value}
                        for value in (0.0, 0.1)},
}
WARMUP_SHARE = 0.1


def initializer(name: str):
    import keras

    if name == "normal_0.01":
        return keras.initializers.RandomNormal(stddev=0.01)
    return name


def inputs(kind: str, data: dict) -> dict:
    from cnnbook.toolkit import standardise

    (x_fit, y_fit), (x_val, y_val) = data["fit"], data["val"]
    if kind == "raw":
        x_fit, x_val = x_fit.astype("float32"), x_val.astype("float32")
    elif kind == "scaled":
        x_fit, x_val = x_fit.astype("float32") / 255, x_val.astype("float32") / 255
    else:
        x_fit, x_val = standardise(x_fit.astype("float32"), x_val.astype("float32"))
    return {"fit": (x_fit, y_fit), "val": (x_val, y_val)}


def optimizer(settings: dict, total_steps: int):
    import keras

    from cnnbook.toolkit import warmup_cosine

    rate = settings["learning_rate"]
    if settings["schedule"] == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=total_steps)
    elif settings["schedule"] == "warmup_cosine":
        rate = warmup_cosine(rate, total_steps, round(WARMUP_SHARE * total_steps))
    if settings["optimizer"] == "sgd":
        return keras.optimizers.SGD(rate, momentum=0.9)
    if settings["optimizer"] == "adamw":
        return keras.optimizers.AdamW(rate, weight_decay=settings["weight_decay"])
    return keras.optimizers.Adam(rate)


def finite(value: float) -> float | None:
    return round(float(value), 5) if math.isfinite(value) else None


def trial(settings: dict, data: dict, epochs: int, seed: int) -> dict:
    import keras
    import numpy as np

    import cnnbook
    from cnnbook.toolkit import confidence, plain_cnn

    cnnbook.seed_everything(seed)
    model = plain_cnn(depth=6, filters=16, batch_norm=settings["batch_norm"],
                      initializer=initializer(settings["init"]),
                      kernel_regularizer=keras.regularizers.L2(settings["l2"])
                      if settings["l2"] else None)
    arrays = inputs(settings["inputs"], data)
    total_steps = epochs * math.ceil(len(arrays["fit"][0]) / BATCH)
    model.compile(optimizer=optimizer(settings, total_steps),
                  loss=keras.losses.CategoricalCrossentropy(
                      from_logits=True, label_smoothing=settings["label_smoothing"]),
                  metrics=["accuracy"])
    one_hot = {split: (x, keras.utils.to_categorical(y, 10)) for split, (x, y) in arrays.items()}
    start = time.perf_counter()
    history = model.fit(*one_hot["fit"], batch_size=BATCH, epochs=epochs,
                        validation_data=one_hot["val"], verbose=0)
    seconds = time.perf_counter() - start
    logits = model.predict(arrays["val"][0], batch_size=500, verbose=0)
    # the plain cross-entropy on validation, whatever loss the run trained with
    plain_loss = keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(
        arrays["val"][1], logits, from_logits=True)).mean()
    kernels = [w for w in model.trainable_weights if "kernel" in w.path]
    norm = math.sqrt(sum(float(np.sum(keras.ops.convert_to_numpy(w) ** 2)) for w in kernels))
    return {"settings": settings, "steps": total_steps, "seconds": round(seconds, 1),
            "history": {key: [finite(v) for v in values]
                        for key, values in history.history.items()},
            "val_plain_loss": finite(plain_loss),
            "val_confidence": finite(confidence(logits).mean()),
            "kernel_norm": finite(norm)}


# ----------------------------------------------------------- mixed precision

TIMING = """
import json, sys, time
import numpy as np
import keras
from cnnbook.models import small_cnn
keras.mixed_precision.set_global_policy(sys.argv[1])
keras.utils.set_random_seed(0)
model = small_cnn(augment=False)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
steps = int(sys.argv[2])
x = np.random.default_rng(0).integers(0, 256, (128 * steps, 32, 32, 3)).astype("uint8")
y = np.random.default_rng(1).integers(0, 10, (128 * steps, 1))
model.fit(x[:256], y[:256], batch_size=128, epochs=1, verbose=0)  # build and warm up
start = time.perf_counter()
model.fit(x, y, batch_size=128, epochs=1, verbose=0)
print(json.dumps({"ms_per_step": 1000 * (time.perf_counter() - start) / steps}))
"""


KERNELS = {"onednn": {"TF_ENABLE_ONEDNN_OPTS": "1"}, "eigen": {"TF_ENABLE_ONEDNN_OPTS": "0"}}
TIMED_STEPS = 10


def time_precisions() -> dict:
    from cnnbook.precision import read_cpu

    rows = []
    for kernels, settings in KERNELS.items():
        for policy in ("float32", "mixed_bfloat16"):
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **settings}
            env.pop("ONEDNN_MAX_CPU_ISA", None)
            run = subprocess.run([sys.executable, "-c", TIMING, policy, str(TIMED_STEPS)],
                                 env=env, capture_output=True, text=True)
            if run.returncode:
                raise RuntimeError(f"timing {policy} with {kernels} kernels failed:\n"
                                   f"{run.stderr[-3000:]}")
            measured = json.loads(run.stdout.strip().splitlines()[-1])
            rows.append({"kernels": kernels, "policy": policy, **measured})
            print(rows[-1], flush=True)
    cpu = read_cpu()
    return {"model": "cnnbook.models.small_cnn(augment=False)", "batch_size": 128,
            "steps_timed": TIMED_STEPS, "cpu": cpu.model, "isa": cpu.isa,
            "loadavg": Path("/proc/loadavg").read_text().split()[:3]
            if Path("/proc/loadavg").exists() else None, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", default=None, help="comparisons to run")
    parser.add_argument("--out", type=Path, default=ASSETS / "toolkit.json")
    parser.add_argument("--source", choices=["full", "sample"], default="full",
                        help="'sample' only to smoke-test the script")
    args = parser.parse_args()

    from cnnbook.assets import provenance, write_json_atomically
    from cnnbook.data import last_source, load_fashion_mnist

    (x_train, y_train), _ = load_fashion_mnist(source=args.source)
    source = last_source("fashion_mnist")
    n_fit = min(TRAIN, len(x_train) - VALIDATION) if args.source == "full" else 2000
    n_val = VALIDATION if args.source == "full" else 500
    data = {"fit": (x_train[:n_fit, ..., None], y_train[:n_fit]),
            "val": (x_train[-n_val:, ..., None], y_train[-n_val:])}

    results = json.loads(args.out.read_text()) if args.only and args.out.exists() else {}
    comparisons = results.get("comparisons", {})
    done: dict[str, dict] = {}  # the same settings in two comparisons train once (same seed)
    for group, trials in COMPARISONS.items():
        if args.only and group not in args.only:
            continue
        comparisons[group] = {}
        for name, changes in trials.items():
            settings = {**BASE, **changes}
            key = json.dumps(settings, sort_keys=True)
            if key not in done:
                done[key] = trial(settings, data, args.epochs, args.seed)
            comparisons[group][name] = done[key]
            print(name, done[key]["history"]["val_accuracy"][-1],
                  done[key]["history"]["loss"][-1], done[key]["seconds"], flush=True)
    precision = results.get("precision")
    record = {
        **provenance(f"python scripts/train_toolkit.py --epochs {args.epochs}"),
        "data": {"dataset": "fashion_mnist", "kind": source.kind, "train": n_fit,
                 "validation": n_val, "note": f"the first {n_fit:,} training images; the "
                                              f"validation set is the last {n_val:,}"},
        "model": "cnnbook.toolkit.plain_cnn(depth=6, filters=16)", "epochs": args.epochs,
        "batch_size": BATCH, "seed": args.seed, "base": BASE, "warmup_share": WARMUP_SHARE,
        "comparisons": comparisons, "precision": precision,
    }
    write_json_atomically(args.out, record)  # the comparisons are safe before the timings
    if not args.only or "precision" in args.only:
        record["precision"] = time_precisions()
        write_json_atomically(args.out, record)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
