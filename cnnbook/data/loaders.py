"""The public loaders: drop-in replacements for `keras.datasets.<name>.load_data()`."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from . import download, locate
from .errors import STAGE_HINT, DataNotFoundError
from .formats import (
    Splits,
    keras_home,
    keras_image_data_format,
    read_cifar_dir,
    read_fashion_dir,
    read_jpeg_npz,
    read_mnist_npz,
)
from .specs import CIFAR10, FASHION_MNIST, MNIST, DatasetSpec, proportional_test_count

SOURCES = ("full", "sample", "auto")
PathLike = str | os.PathLike


@dataclass(frozen=True)
class DataSource:
    """Where the arrays of the last load of a dataset came from."""

    dataset: str
    kind: str  # "full", "download" or "sample"
    path: str
    n_train: int
    n_test: int
    limited: bool = False  # True when `limit=` kept only the first images

    @property
    def is_sample(self) -> bool:
        return self.kind == "sample"


_last_sources: dict[str, DataSource] = {}


def last_source(name: str) -> DataSource | None:
    """Where the most recent `load_<name>()` in this process read its data."""
    return _last_sources.get(name)


def load_mnist(data_dir: PathLike | None = None, limit: int | None = None,
               source: str = "full") -> Splits:
    """MNIST as `keras.datasets.mnist.load_data()` returns it.

    `((x_train, y_train), (x_test, y_test))`: uint8 images (n, 28, 28), uint8
    labels (n,). `limit=N` keeps the first N training images and
    proportionally fewer test images. `source` is "full", "sample" or "auto".
    """
    return _load(MNIST, data_dir, limit, source)


def load_cifar10(data_dir: PathLike | None = None, limit: int | None = None,
                 source: str = "full") -> Splits:
    """CIFAR-10 as `keras.datasets.cifar10.load_data()` returns it.

    uint8 images (n, 32, 32, 3) (channels first if Keras is configured so)
    and uint8 labels of shape (n, 1). Arguments as in `load_mnist`.
    """
    return _load(CIFAR10, data_dir, limit, source)


def load_fashion_mnist(data_dir: PathLike | None = None, limit: int | None = None,
                       source: str = "full") -> Splits:
    """Fashion-MNIST as `keras.datasets.fashion_mnist.load_data()` returns it."""
    return _load(FASHION_MNIST, data_dir, limit, source)


# ------------------------------------------------------------------ internals

def _load(spec: DatasetSpec, data_dir: PathLike | None, limit: int | None,
          source: str) -> Splits:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | np.integer)
                              or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, not {limit!r}")
    if source == "sample":
        splits = _to_keras_format(spec, _read_sample(spec))
        origin = ("sample", str(sample_path(spec)))
    else:
        splits, origin = _load_full_or_auto(spec, data_dir, source)
    splits = _apply_limit(spec, splits, limit)
    (x_train, _), (x_test, _) = splits
    _last_sources[spec.name] = DataSource(spec.name, origin[0], origin[1],
                                          len(x_train), len(x_test), limit is not None)
    return splits


def _load_full_or_auto(spec: DatasetSpec, data_dir: PathLike | None,
                       source: str) -> tuple[Splits, tuple[str, str]]:
    found, looked = locate.find_local(spec, data_dir)
    if found is not None:
        return _to_keras_format(spec, read_staged(spec, found)), ("full", str(found))
    reason = download.unavailable_reason(spec)
    if reason is None:
        try:
            cache = os.path.join(os.path.expanduser(keras_home()), "datasets")
            return download.download_with_keras(spec), ("download", cache)
        except Exception as exc:  # network errors surface in many types
            reason = f"download failed ({exc.__class__.__name__}: {exc})"
    if source == "auto":
        n_train, n_test = spec.sample_sizes
        print(f"cnnbook: full {spec.title} not found locally and not downloadable "
              f"({reason}); using the bundled sample of {n_train:,} train / {n_test:,} test "
              f"images. Stage the full set with: {STAGE_HINT}", file=sys.stderr, flush=True)
        return _to_keras_format(spec, _read_sample(spec)), ("sample", str(sample_path(spec)))
    places = "; ".join(c.describe() for c in looked)
    raise DataNotFoundError(
        f"{spec.title} is not staged and cannot be downloaded ({reason}). Looked in: "
        f"{places}. Stage it offline with: {STAGE_HINT} and set {locate.ENV_VAR}=DIR, "
        f"or pass source='sample' (or 'auto') to use the bundled sample.")


def read_staged(spec: DatasetSpec, path: Path) -> Splits:
    if spec.name == "mnist":
        return read_mnist_npz(path, spec)
    if spec.name == "cifar10":
        return read_cifar_dir(path, spec)
    return read_fashion_dir(path, spec)


def sample_path(spec: DatasetSpec) -> Path:
    """The bundled sample file of `spec` inside the installed package."""
    return Path(str(resources.files("cnnbook.data") / "samples" / spec.sample_file))


def _read_sample(spec: DatasetSpec) -> Splits:
    path = sample_path(spec)
    if spec.name == "cifar10":
        return read_jpeg_npz(path, spec)
    return read_mnist_npz(path, spec)


def _to_keras_format(spec: DatasetSpec, splits: Splits) -> Splits:
    """Apply Keras's configured image layout, as its CIFAR loader does."""
    if spec.name != "cifar10" or keras_image_data_format() == "channels_last":
        return splits
    return tuple((x.transpose(0, 3, 1, 2), y) for x, y in splits)  # type: ignore[return-value]


def _apply_limit(spec: DatasetSpec, splits: Splits, limit: int | None) -> Splits:
    if limit is None:
        return splits
    (x_train, y_train), (x_test, y_test) = splits
    n_test = proportional_test_count(spec.n_train, spec.n_test, int(limit))
    return ((x_train[:limit].copy(), y_train[:limit].copy()),
            (x_test[:n_test].copy(), y_test[:n_test].copy()))
