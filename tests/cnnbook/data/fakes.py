"""Small fake datasets in the canonical formats, for fast tests."""

from __future__ import annotations

import gzip
import pickle
import tarfile
from pathlib import Path

import numpy as np

from cnnbook.data.formats import write_cifar_batch
from cnnbook.data.specs import CIFAR10_CLASSES, CIFAR_BATCHES, CIFAR_FILES, FASHION_FILES


def write_mnist(folder: Path, n: int = 60, value: int = 7) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    x = np.full((n, 28, 28), value, np.uint8)
    np.savez(folder / "mnist.npz", x_train=x, y_train=np.arange(n, dtype=np.uint8) % 10,
             x_test=x[:10], y_test=np.zeros(10, np.uint8))
    return folder


def write_cifar(folder: Path, n_per_batch: int = 20, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name in CIFAR_BATCHES:
        x = rng.integers(0, 256, (n_per_batch, 3, 32, 32), dtype=np.uint8)
        write_cifar_batch(folder / name, name, x, rng.integers(0, 10, n_per_batch))
    with open(folder / "batches.meta", "wb") as fh:
        pickle.dump({b"label_names": [c.encode() for c in CIFAR10_CLASSES]}, fh)
    return folder


def write_cifar_archive(path: Path, batches: Path, extra: dict[str, bytes] | None = None,
                        compresslevel: int = 6) -> Path:
    """A cifar-10-python.tar.gz as the CIFAR site ships it, plus optional extra members."""
    with tarfile.open(path, "w:gz", compresslevel=compresslevel) as tar:
        for name in CIFAR_FILES:
            tar.add(batches / name, arcname=f"cifar-10-batches-py/{name}")
        for name, payload in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            import io

            tar.addfile(info, io.BytesIO(payload))
    return path


def idx_gz(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def write_fashion(folder: Path, n_train: int = 30, n_test: int = 5) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    arrays = [np.full((n_train, 28, 28), 9), np.arange(n_train) % 10,
              np.full((n_test, 28, 28), 4), np.arange(n_test) % 10]
    for name, array in zip(FASHION_FILES, arrays, strict=True):
        (folder / name).write_bytes(idx_gz(array))
    return folder
