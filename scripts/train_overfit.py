#!/usr/bin/env python3
"""Overfitting shown: the book's small CIFAR-10 CNN on 5,000 images, with and without
augmentation, and early stopping; save cnnbook/assets/overfit.json.

    CNNBOOK_DATA=DIR python scripts/train_overfit.py [--epochs 30] [--batch-size 32]

Three runs of `cnnbook.models.small_cnn`, each from the same seed, on the first
5,000 CIFAR-10 training images (a tenth of the set, so that the network can
memorise them within minutes, in batches of 32 so that each epoch makes
many updates); the validation set is the last 5,000 training
images, as in `train_small_cnn.py`, and the test set is used at the end:

1. `no_augmentation`: no flips or shifts, trained for `--epochs` epochs: it
   overfits (training accuracy climbs while the validation loss rises);
2. `augmentation`: the same network with its flip and shift layers, same
   epochs: the gap between training and validation stays smaller;
3. `early_stopping`: run 1 again under `keras.callbacks.EarlyStopping(
   monitor="val_loss", patience=3, restore_best_weights=True)`; its restored
   model's test predictions give the confusion matrix.

The training-toolkit page reads the JSON; nothing trains while the book builds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "cnnbook" / "assets"
TRAIN = 5000
VALIDATION = 5000
PATIENCE = 3


def rounded(history: dict) -> dict:
    return {key: [round(float(v), 5) for v in values] for key, values in history.items()}


def fit(model, data: dict, epochs: int, batch_size: int, callbacks=()) -> tuple[dict, float]:
    import keras

    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(*data["fit"], batch_size=batch_size, epochs=epochs,
                        validation_data=data["val"], callbacks=list(callbacks), verbose=2)
    return rounded(history.history), round(time.perf_counter() - start, 1)


def confusion_matrix(labels, predictions, n_classes: int = 10) -> list[list[int]]:
    """Row i, column j: test images of class i that the network called class j."""
    import numpy as np

    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (np.asarray(labels).reshape(-1), np.asarray(predictions)), 1)
    return matrix.tolist()


def run(name: str, augment: bool, data: dict, args, callbacks=()) -> tuple[dict, object]:
    import cnnbook
    from cnnbook.models import small_cnn

    cnnbook.seed_everything(args.seed)
    model = small_cnn(augment=augment)
    history, seconds = fit(model, data, args.epochs, args.batch_size, callbacks)
    test_loss, test_accuracy = model.evaluate(*data["test"], verbose=0)
    print(f"{name}: test accuracy {test_accuracy:.4f}, {seconds:.0f} s", flush=True)
    return {"augment": augment, "epochs_run": len(history["loss"]), "train_seconds": seconds,
            "history": history,
            "test": {"loss": round(float(test_loss), 5),
                     "accuracy": round(float(test_accuracy), 5)}}, model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ASSETS / "overfit.json")
    parser.add_argument("--source", choices=["full", "sample"], default="full",
                        help="'sample' only to smoke-test the script")
    parser.add_argument("--data-note", default="",
                        help="where the data came from, recorded in the JSON")
    args = parser.parse_args()

    import keras

    from cnnbook.assets import provenance, write_json_atomically
    from cnnbook.data import last_source, load_cifar10

    (x_train, y_train), (x_test, y_test) = load_cifar10(source=args.source)
    source = last_source("cifar10")
    n_fit = min(TRAIN, len(x_train) - VALIDATION) if args.source == "full" else len(x_train) // 2
    n_val = VALIDATION if args.source == "full" else len(x_train) // 5
    data = {"fit": (x_train[:n_fit], y_train[:n_fit]),
            "val": (x_train[-n_val:], y_train[-n_val:]), "test": (x_test, y_test)}

    runs = {}
    runs["no_augmentation"], _ = run("no_augmentation", False, data, args)
    runs["augmentation"], _ = run("augmentation", True, data, args)
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=PATIENCE,
                                            restore_best_weights=True)
    runs["early_stopping"], model = run("early_stopping", False, data, args, [stopper])
    stopped = runs["early_stopping"]
    stopped["patience"] = PATIENCE
    stopped["stopped_epoch"] = stopped["epochs_run"]  # 1-based: the last epoch it ran
    stopped["best_epoch"] = int(min(range(stopped["epochs_run"]),
                                    key=stopped["history"]["val_loss"].__getitem__)) + 1
    predictions = model.predict(x_test, batch_size=500, verbose=0).argmax(axis=-1)
    stopped["confusion"] = confusion_matrix(y_test, predictions)

    command = (f"CNNBOOK_DATA=DIR python scripts/train_overfit.py --epochs {args.epochs} "
               f"--batch-size {args.batch_size}")
    if args.data_note:
        command += f" --data-note {args.data_note!r}"
    write_json_atomically(args.out, {
        **provenance(command),
        "data": {"dataset": "cifar10", "kind": source.kind, "train": n_fit, "validation": n_val,
                 "test": len(x_test),
                 "note": f"the first {n_fit:,} training images; the validation set is the "
                         f"last {n_val:,}", "origin": args.data_note},
        "model": "cnnbook.models.small_cnn", "optimizer": "Adam(1e-3)",
        "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
        "runs": runs,
    })
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
