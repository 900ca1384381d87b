#!/usr/bin/env python3
"""The degradation problem, small: plain and residual networks of two depths on CIFAR-10.

    CNNBOOK_DATA=DIR python scripts/train_degradation.py

He et al. (2016, figures 1 and 6) trained plain stacks of 20 to 56 layers on
CIFAR-10: the deeper plain network had the *higher training* error, so the
problem is optimisation, not overfitting; the same networks with shortcuts
improved with depth. This script repeats the comparison at a scale that fits
a laptop: `cnnbook.models.cifar_resnet` at two depths (default 8 and 32),
with and without shortcuts, trained on a subset of the CIFAR-10 training set
(the first 5,000 images) for a few epochs, with Adam and no augmentation.
It records, per network and epoch, the training loss and accuracy (the mean
over the epoch, as Keras reports them) and the test accuracy on the first
2,000 test images, then the final training accuracy measured in inference mode.
Results: cnnbook/assets/degradation.json (with the command, date and machine).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "cnnbook" / "assets"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depths", type=int, nargs=2, default=(8, 32))
    parser.add_argument("--width", type=int, default=8, help="filters of the first stage")
    parser.add_argument("--train-images", type=int, default=5000)
    parser.add_argument("--test-images", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ASSETS)
    parser.add_argument("--source", choices=["full", "sample"], default="full",
                        help="'sample' only to smoke-test the script")
    args = parser.parse_args()

    import keras

    import cnnbook
    from cnnbook.assets import provenance, write_json_atomically
    from cnnbook.data import last_source, load_cifar10
    from cnnbook.models import cifar_resnet

    (x_train, y_train), (x_test, y_test) = load_cifar10(source=args.source)
    data = last_source("cifar10")
    x_fit, y_fit = x_train[:args.train_images], y_train[:args.train_images]
    x_eval, y_eval = x_test[:args.test_images], y_test[:args.test_images]

    runs = []
    for depth in args.depths:
        for shortcuts in (False, True):
            cnnbook.seed_everything(args.seed)
            model = cifar_resnet(depth, shortcuts=shortcuts, width=args.width)
            model.compile(optimizer=keras.optimizers.Adam(args.learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            start = time.perf_counter()
            history = model.fit(x_fit, y_fit, batch_size=args.batch_size, epochs=args.epochs,
                                validation_data=(x_eval, y_eval), verbose=0)
            seconds = time.perf_counter() - start
            train_loss, train_accuracy = model.evaluate(x_fit, y_fit, verbose=0)
            run = {"depth": depth, "shortcuts": shortcuts, "name": model.name,
                   "params": model.count_params(),
                   "history": {key: [round(float(v), 4) for v in values]
                               for key, values in history.history.items()},
                   "final_train_loss": round(float(train_loss), 4),
                   "final_train_accuracy": round(float(train_accuracy), 4),
                   "final_test_accuracy": round(float(history.history["val_accuracy"][-1]), 4),
                   "seconds": round(seconds, 1)}
            runs.append(run)
            print({k: v for k, v in run.items() if k != "history"}, flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    write_json_atomically(args.out / "degradation.json", {
        **provenance("CNNBOOK_DATA=DIR python scripts/train_degradation.py"),
        "data": {"kind": args.source, "origin": data.kind if data else None,
                 "train_images": len(x_fit), "test_images": len(x_eval),
                 "note": "the first images of the CIFAR-10 training and test splits; CIFAR-10 "
                         "from the JPEG re-encoding where CNNBOOK_DATA was made by "
                         "materialize.py"},
        "settings": {"depths": list(args.depths), "width": args.width, "epochs": args.epochs,
                     "batch_size": args.batch_size, "optimizer": "adam",
                     "learning_rate": args.learning_rate, "seed": args.seed,
                     "augmentation": False},
        "runs": runs,
    })
    print(f"wrote {args.out / 'degradation.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
