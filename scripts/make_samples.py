#!/usr/bin/env python3
"""Rebuild the bundled samples in cnnbook/data/samples/ from real data.

MNIST and Fashion-MNIST: the sample is the first N training and first
N * n_test / n_train test images of the original files, so
`load_X(source="sample")` equals `load_X(limit=N)` on the staged full data.

CIFAR-10: the sample is a seed-0 random draw from the JPEG re-encoding
(`cifar10-jpeg.npz`): the first N training and N / 5 test images of
`np.random.default_rng(0).permutation`, the shuffle materialize.py draws. It
equals `load_cifar10(limit=N)` on the folder materialize.py writes, not on the
original CIFAR-10, whose order is different.

    python scripts/make_samples.py --mnist ../shared/data/mnist.npz \\
        --cifar-jpeg ../shared/data/cifar10-jpeg.npz \\
        --fashion /usr/share/datasets/fashion-mnist

The CIFAR-10 sample keeps the JPEG bytes of the source as they are (about
1 KB an image), which is what lets 3,000 colour images fit in about 1 MB.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from cnnbook.data.formats import read_fashion_dir, read_mnist_npz, write_npz
from cnnbook.data.specs import CIFAR10, FASHION_MNIST, MNIST

SAMPLES = Path(__file__).resolve().parents[1] / "cnnbook" / "data" / "samples"


def save_first(splits, spec, out: Path) -> None:
    (x_train, y_train), (x_test, y_test) = splits
    n_train, n_test = spec.sample_sizes
    write_npz(out, x_train=x_train[:n_train], y_train=y_train[:n_train],
              x_test=x_test[:n_test], y_test=y_test[:n_test])


def save_cifar_jpeg(source: Path, out: Path) -> None:
    """Keep the JPEG bytes of the first images in materialize.py's order."""
    n_keep = dict(zip(("train", "test"), CIFAR10.sample_sizes, strict=True))
    rng = np.random.default_rng(0)  # the permutation materialize.py draws
    arrays = {}
    with np.load(source) as f:
        for split in ("train", "test"):
            labels = f[f"{split}_labels"]
            order = rng.permutation(len(labels))[:n_keep[split]]
            blob, offsets = f[f"{split}_jpeg"], f[f"{split}_offsets"]
            pieces = [blob[offsets[i]:offsets[i + 1]] for i in order]
            arrays[f"{split}_jpeg"] = np.concatenate(pieces)
            arrays[f"{split}_offsets"] = np.concatenate([[0], np.cumsum([len(p) for p in pieces])])
            arrays[f"{split}_labels"] = labels[order]
    write_npz(out, **arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mnist", type=Path, help="a Keras-layout mnist.npz")
    parser.add_argument("--cifar-jpeg", type=Path, help="../shared/data/cifar10-jpeg.npz")
    parser.add_argument("--fashion", type=Path, help="a folder of the Fashion-MNIST .gz files")
    args = parser.parse_args()
    if args.mnist:
        save_first(read_mnist_npz(args.mnist, MNIST), MNIST, SAMPLES / MNIST.sample_file)
    if args.fashion:
        save_first(read_fashion_dir(args.fashion, FASHION_MNIST), FASHION_MNIST,
                   SAMPLES / FASHION_MNIST.sample_file)
    if args.cifar_jpeg:
        save_cifar_jpeg(args.cifar_jpeg, SAMPLES / CIFAR10.sample_file)
    for path in sorted(SAMPLES.glob("*.npz")):
        print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
