"""Datasets for the course, online and offline.

`load_mnist()`, `load_cifar10()` and `load_fashion_mnist()` return exactly what
`keras.datasets.<name>.load_data()` returns, but read local copies themselves
(Keras's loaders reject any copy whose archive hash differs), fall back to a
real download through Keras, and can use a small bundled real sample:

>>> (x_train, y_train), (x_test, y_test) = load_cifar10(source="auto")

Stage the full sets for an offline machine with
`python -m cnnbook data prepare --dest DIR [--from PATH]`.
"""

from .errors import CorruptDataError, DataError, DataNotFoundError
from .loaders import (
    DataSource,
    last_source,
    load_cifar10,
    load_fashion_mnist,
    load_mnist,
    sample_path,
)
from .select import colour_dominance, pick_by_colour
from .specs import CIFAR10_CLASSES, DATASETS, FASHION_MNIST_CLASSES, MNIST_CLASSES, get_spec

__all__ = [
    "CIFAR10_CLASSES",
    "DATASETS",
    "FASHION_MNIST_CLASSES",
    "MNIST_CLASSES",
    "CorruptDataError",
    "DataError",
    "DataNotFoundError",
    "DataSource",
    "colour_dominance",
    "get_spec",
    "last_source",
    "load_cifar10",
    "load_fashion_mnist",
    "load_mnist",
    "pick_by_colour",
    "sample_path",
]
