#!/usr/bin/env python3
"""Transfer learning by experiment: pretrain on five CIFAR-10 classes, transfer to new tasks.

    CNNBOOK_DATA=DIR python scripts/train_transfer.py

1. Pretrain `cnnbook.models.small_cnn` on the source task: CIFAR-10 classes
   0-4 (airplane, automobile, bird, cat, deer). Saved as
   cnnbook/assets/cifar5_base.keras; the assignments reuse it offline.
2. Transfer to two target tasks, each a 5-way classification:
   "similar"   CIFAR-10 classes 5-9 (dog, frog, horse, ship, truck);
   "different" Fashion-MNIST classes 0-4, padded to 32×32 and made RGB;
   with little data (20 images per class) and a lot (2,000 per class),
   by three methods, all on one two-stage schedule (cnnbook.models.TRANSFER_TRAINABLE):
   stage 1 at learning rate 1e-3, stage 2 at 1e-4;
   feature extraction  frozen convolutional base, the head (fc1 and a new
                       output layer) trained in both stages;
   fine-tuning         stage 1 as feature extraction, then conv3 unfrozen in
                       stage 2: the recipe that trains the head first;
   from scratch        the same network, randomly initialised, all trained.
   Feature extraction and fine-tuning share stage 1 (the same run, copied), and
   their stage 2 starts from the same seed: they differ only in conv3.
   Test accuracy on the target's test images of those classes (5,000 each).
Results: cnnbook/assets/transfer.json (with the command, date and machine).

    CNNBOOK_DATA=DIR python scripts/train_transfer.py --reuse-base

keeps the committed cifar5_base.keras and the source-task record of its run,
and reruns only the transfers. The two targets can run as two processes, then
be merged into one transfer.json:

    python scripts/train_transfer.py --reuse-base --targets similar --out A &
    python scripts/train_transfer.py --reuse-base --targets different --out B
    python scripts/train_transfer.py --merge A/transfer.json B/transfer.json
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parents[1] / "cnnbook" / "assets"
SOURCE_CLASSES = (0, 1, 2, 3, 4)
SIMILAR_CLASSES = (5, 6, 7, 8, 9)
DIFFERENT_CLASSES = (0, 1, 2, 3, 4)
SIZES = {"little": 20, "lots": 2000}  # training images per class
TARGETS = ("similar", "different")
METHODS = ("feature_extraction", "fine_tuning", "scratch")  # see cnnbook.models.transfer_model


def select(x, y, classes, per_class=None):
    """Images of `classes`, relabelled 0..k-1, the first `per_class` of each (in order)."""
    y = np.asarray(y).ravel()
    keep = []
    for label in classes:
        members = np.flatnonzero(y == label)
        keep.append(members if per_class is None else members[:per_class])
    order = np.sort(np.concatenate(keep))
    relabel = {c: i for i, c in enumerate(classes)}
    return x[order], np.array([relabel[v] for v in y[order]], np.uint8)


def as_cifar_shape(gray):
    """28×28 grayscale → 32×32×3, by zero padding and repeating the channel."""
    padded = np.pad(gray, ((0, 0), (2, 2), (2, 2)))
    return np.repeat(padded[..., None], 3, axis=-1)


def train(model, lr, x, y, epochs, batch_size, x_val=None, y_val=None):
    import keras

    if epochs == 0:
        return None
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    validation = (x_val, y_val) if x_val is not None else None
    return model.fit(x, y, batch_size=batch_size, epochs=epochs, validation_data=validation,
                     verbose=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pretrain-epochs", type=int, default=15)
    parser.add_argument("--epochs-little", type=int, nargs=2, default=(60, 20),
                        metavar=("STAGE1", "STAGE2"))
    parser.add_argument("--epochs-lots", type=int, nargs=2, default=(12, 6),
                        metavar=("STAGE1", "STAGE2"))
    parser.add_argument("--seeds-little", type=int, default=3)
    parser.add_argument("--seeds-lots", type=int, default=2)
    parser.add_argument("--reuse-base", action="store_true",
                        help="keep the committed cifar5_base and its source-task record")
    parser.add_argument("--targets", nargs="+", choices=TARGETS, default=list(TARGETS))
    parser.add_argument("--merge", nargs="+", type=Path, metavar="JSON",
                        help="merge the transfer.json files of runs on separate targets")
    parser.add_argument("--one-stage", type=Path, metavar="JSON",
                        help="with --merge: keep the results of an earlier one-stage run "
                             "(fine-tuning trained conv3 with the random head from the start) "
                             "beside the new ones, for comparison")
    parser.add_argument("--out", type=Path, default=ASSETS)
    parser.add_argument("--source", choices=["full", "sample"], default="full",
                        help="'sample' only to smoke-test the script")
    args = parser.parse_args()
    if args.merge:
        return merge(args.merge, args.out, args.one_stage)

    from cnnbook.assets import load_metrics, load_model, provenance, write_json_atomically
    from cnnbook.data import load_cifar10, load_fashion_mnist
    from cnnbook.models import TRANSFER_LEARNING_RATES

    (cx, cy), (cx_test, cy_test) = load_cifar10(source=args.source)
    (fx, fy), (fx_test, fy_test) = load_fashion_mnist(source=args.source)
    fx, fx_test = as_cifar_shape(fx), as_cifar_shape(fx_test)

    args.out.mkdir(parents=True, exist_ok=True)

    # 1. the source task
    sx, sy = select(cx, cy, SOURCE_CLASSES)
    sx_test, sy_test = select(cx_test, cy_test, SOURCE_CLASSES)
    if args.reuse_base:
        base = load_model("cifar5_base")
        previous = load_metrics("transfer")
        source_record = {**previous["source"], "trained": previous["source"].get(
            "trained", previous["date"])}  # the date of the run that trained the base
        base.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        source_accuracy = base.evaluate(sx_test, sy_test, verbose=0)[1]
        print(f"source task (reused base): test accuracy {source_accuracy:.4f}, recorded "
              f"{source_record['test_accuracy']}", flush=True)
    else:
        base, source_record = pretrain(args, sx, sy, sx_test, sy_test)

    # 2. the transfers
    targets = {
        "similar": (select(cx, cy, SIMILAR_CLASSES), select(cx_test, cy_test, SIMILAR_CLASSES)),
        "different": (select(fx, fy, DIFFERENT_CLASSES),
                      select(fx_test, fy_test, DIFFERENT_CLASSES)),
    }
    results = []
    for target in args.targets:
        (tx, ty), (tx_test, ty_test) = targets[target]
        for size, per_class in SIZES.items():
            x, y = select(tx, ty, range(5), per_class)
            epochs = args.epochs_little if size == "little" else args.epochs_lots
            seeds = range(args.seeds_little if size == "little" else args.seeds_lots)
            batch_size = 32 if size == "little" else 128
            runs = [transfer_runs(base, seed, x, y, tx_test, ty_test, epochs, batch_size)
                    for seed in seeds]
            for method in METHODS:
                accuracies = [run[method]["test_accuracy"] for run in runs]
                row = {"target": target, "size": size, "train_images": len(x),
                       "method": method, "epochs": list(epochs), "test_accuracy": accuracies,
                       "mean": round(float(np.mean(accuracies)), 4),
                       "after_stage1": [run[method]["after_stage1"] for run in runs],
                       "seconds": round(sum(run[method]["seconds"] for run in runs), 1)}
                results.append(row)
                print(row, flush=True)

    command = " ".join(["CNNBOOK_DATA=DIR python scripts/train_transfer.py", *sys.argv[1:]])
    write_json_atomically(args.out / "transfer.json", {
        **provenance(command),
        "data": {"kind": args.source,
                 "note": "CIFAR-10 from the JPEG re-encoding where CNNBOOK_DATA was made by "
                         "materialize.py; Fashion-MNIST padded to 32x32 and repeated to RGB"},
        "source": source_record,
        "targets": {"similar": {"dataset": "cifar10", "classes": list(SIMILAR_CLASSES)},
                    "different": {"dataset": "fashion_mnist",
                                  "classes": list(DIFFERENT_CLASSES)}},
        "sizes": SIZES, "methods": list(METHODS),
        "learning_rates": list(TRANSFER_LEARNING_RATES), "results": results,
    })
    print(f"wrote {args.out / 'cifar5_base.keras'} and {args.out / 'transfer.json'}")
    return 0


def merge(partials: list[Path], out: Path, one_stage: Path | None = None) -> int:
    """One transfer.json from runs on separate targets: their results, in target order."""
    import json

    from cnnbook.assets import write_json_atomically

    runs = [json.loads(path.read_text(encoding="utf-8")) for path in partials]
    results = [row for target in TARGETS for run in runs for row in run["results"]
               if row["target"] == target]
    if len({(r["target"], r["size"], r["method"]) for r in results}) != len(results):
        raise SystemExit("merge: two runs hold the same case")
    merged = {**runs[0], "results": results,
              "command": " ; ".join(run["command"] for run in runs) + " ; then --merge",
              "runs": [{key: run[key] for key in ("command", "date", "machine")}
                       for run in runs]}
    merged["date"] = max(run["date"] for run in runs)
    if one_stage is not None:
        earlier = json.loads(one_stage.read_text(encoding="utf-8"))
        merged["one_stage"] = {
            "note": "the earlier run: fine-tuning trained conv3 and the new head together from "
                    "the first epoch, at 3e-4; the other methods at 1e-3; one stage",
            "learning_rates": {"feature_extraction": 1e-3, "fine_tuning": 3e-4, "scratch": 1e-3},
            **{key: earlier[key] for key in ("command", "date", "machine", "results")}}
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomically(out / "transfer.json", merged)
    print(f"merged {len(runs)} runs, {len(results)} results, into {out / 'transfer.json'}")
    return 0


def pretrain(args, sx, sy, sx_test, sy_test):
    """Train cifar5_base on the source task, save it, and return it with its record."""
    import cnnbook
    from cnnbook.models import small_cnn

    cnnbook.seed_everything(0)
    base = small_cnn(n_classes=5, name="cifar5_base")
    start = time.perf_counter()
    history = train(base, 1e-3, sx[:-2500], sy[:-2500], args.pretrain_epochs, 128,
                    sx[-2500:], sy[-2500:])
    pretrain_seconds = time.perf_counter() - start
    source_accuracy = base.evaluate(sx_test, sy_test, verbose=0)[1]
    print(f"source task: test accuracy {source_accuracy:.4f} ({pretrain_seconds:.0f} s)",
          flush=True)
    inference = small_cnn(n_classes=5, name="cifar5_base")
    inference.set_weights(base.get_weights())
    partial = args.out / ".cifar5_base.partial.keras"
    inference.save(partial)
    partial.replace(args.out / "cifar5_base.keras")
    return base, {"classes": list(SOURCE_CLASSES), "train_images": len(sx) - 2500,
                  "epochs": args.pretrain_epochs,
                  "test_accuracy": round(float(source_accuracy), 4),
                  "seconds": round(pretrain_seconds, 1),
                  "history": {k: [round(float(v), 4) for v in vals]
                              for k, vals in history.history.items()}}


def transfer_runs(base, seed, x, y, x_test, y_test, epochs, batch_size):
    """The three methods on one target set with one seed: {method: its accuracies and time}.

    Feature extraction and fine-tuning train the same stage 1, so it runs once and
    both continue from a copy; each stage 2 is seeded alike, so the two runs differ
    only in whether conv3 learns.
    """
    import cnnbook
    from cnnbook.models import set_transfer_stage, transfer_model

    def score(model):
        return round(float(model.evaluate(x_test, y_test, verbose=0)[1]), 4)

    found = {}
    cnnbook.seed_everything(seed)
    start = time.perf_counter()
    head_first, lr = transfer_model("feature_extraction", base)
    train(head_first, lr, x, y, epochs[0], batch_size)
    stage1_seconds, stage1_accuracy = time.perf_counter() - start, score(head_first)
    for method in ("feature_extraction", "fine_tuning"):
        start = time.perf_counter()
        model, _ = transfer_model(method, base)
        model.set_weights(head_first.get_weights())
        cnnbook.seed_everything(seed + 1000)
        train(model, set_transfer_stage(model, method, 2), x, y, epochs[1], batch_size)
        found[method] = {"test_accuracy": score(model), "after_stage1": stage1_accuracy,
                         "seconds": stage1_seconds + time.perf_counter() - start}
    cnnbook.seed_everything(seed)
    start = time.perf_counter()
    model, lr = transfer_model("scratch", base)
    train(model, lr, x, y, epochs[0], batch_size)
    after_stage1 = score(model)
    cnnbook.seed_everything(seed + 1000)
    train(model, set_transfer_stage(model, "scratch", 2), x, y, epochs[1], batch_size)
    found["scratch"] = {"test_accuracy": score(model), "after_stage1": after_stage1,
                        "seconds": time.perf_counter() - start}
    print(f"  seed {seed}: " + ", ".join(f"{m} {r['test_accuracy']}" for m, r in found.items()),
          flush=True)
    return found


if __name__ == "__main__":
    sys.exit(main())
