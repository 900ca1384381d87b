#!/usr/bin/env python3
"""Train the book's small CIFAR-10 CNN; save cnnbook/assets/small_cnn.{keras,json}.

    CNNBOOK_DATA=DIR python scripts/train_small_cnn.py [--epochs 15]

Trains `cnnbook.models.small_cnn` on the full CIFAR-10 training set minus its
last 5,000 images, which are the validation set; the test set is used once,
at the end. The book's chapters on learned features and on training read the
saved model and its per-epoch history; nothing trains while the book builds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "cnnbook" / "assets"
VALIDATION = 5000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ASSETS, help="folder for the two files")
    parser.add_argument("--source", choices=["full", "sample"], default="full",
                        help="'sample' only to smoke-test the script")
    parser.add_argument("--data-note", default="",
                        help="where the data came from, recorded in the JSON (e.g. 'JPEG "
                             "re-encoding of CIFAR-10, written by materialize.py')")
    args = parser.parse_args()

    import keras

    import cnnbook
    from cnnbook.assets import provenance, write_json_atomically
    from cnnbook.data import last_source, load_cifar10
    from cnnbook.models import small_cnn

    (x_train, y_train), (x_test, y_test) = load_cifar10(source=args.source)
    data = last_source("cifar10")
    x_fit, y_fit = x_train[:-VALIDATION], y_train[:-VALIDATION]
    x_val, y_val = x_train[-VALIDATION:], y_train[-VALIDATION:]

    cnnbook.seed_everything(args.seed)
    model = small_cnn()
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_fit, y_fit, batch_size=args.batch_size, epochs=args.epochs,
                        validation_data=(x_val, y_val), verbose=2)
    seconds = time.perf_counter() - start
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy {test_accuracy:.4f} after {args.epochs} epochs, {seconds:.0f} s")

    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "small_cnn.keras"
    partial = args.out / ".small_cnn.partial.keras"
    inference = small_cnn()  # uncompiled: the file holds no optimizer state
    inference.set_weights(model.get_weights())
    inference.save(partial)
    partial.replace(target)
    command = f"CNNBOOK_DATA=DIR python scripts/train_small_cnn.py --epochs {args.epochs}"
    if args.data_note:
        command += f" --data-note {args.data_note!r}"
    write_json_atomically(args.out / "small_cnn.json", {
        **provenance(command),
        "data": {"dataset": "cifar10", "kind": data.kind, "train": len(x_fit),
                 "validation": len(x_val), "test": len(x_test),
                 "note": "the validation set is the last 5,000 training images",
                 "origin": args.data_note},
        "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
        "params": model.count_params(), "train_seconds": round(seconds, 1),
        "history": {key: [round(float(v), 5) for v in values]
                    for key, values in history.history.items()},
        "test": {"loss": round(float(test_loss), 5), "accuracy": round(float(test_accuracy), 5)},
    })
    print(f"wrote {target} and {args.out / 'small_cnn.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
