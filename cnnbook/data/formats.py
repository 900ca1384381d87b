"""Readers and writers for the datasets' canonical on-disk formats.

Every reader validates what it returns: a truncated or corrupt file raises
`CorruptDataError` naming the file, never a half-filled array.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import struct
from pathlib import Path

import numpy as np

from .errors import CorruptDataError
from .specs import CIFAR_BATCHES, CIFAR_FILES, FASHION_FILES, DatasetSpec

Split = tuple[np.ndarray, np.ndarray]
Splits = tuple[Split, Split]

# The globals a CIFAR batch pickle may name: numpy array reconstruction only,
# so a tampered file cannot run code (the idea of Keras's RestrictedUnpickler).
_ALLOWED_PICKLE_GLOBALS = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("_codecs", "encode"),  # how Python 3 writes bytes under pickle protocol 2
})


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that only rebuilds numpy arrays."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED_PICKLE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load global {module}.{name}")


def safe_unpickle(data: bytes) -> object:
    """Unpickle bytes written by the CIFAR site (Python 2 pickles included)."""
    return RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()


# ---------------------------------------------------------------- validation

def check_split(spec: DatasetSpec, x: np.ndarray, y: np.ndarray, where: object) -> None:
    """Raise CorruptDataError unless (x, y) look like `spec`'s images and labels."""
    if x.dtype != np.uint8 or x.shape[1:] != spec.image_shape:
        raise CorruptDataError(where, f"images are {x.dtype} {x.shape[1:]}, "
                                      f"expected uint8 {spec.image_shape}")
    if len(x) != len(y):
        raise CorruptDataError(where, f"{len(x)} images but {len(y)} labels")
    if len(x) == 0:
        raise CorruptDataError(where, "no images")
    if y.size and (y.min() < 0 or y.max() >= len(spec.classes)):
        raise CorruptDataError(where, f"labels outside 0..{len(spec.classes) - 1}")


def _as_uint8_labels(y: np.ndarray, where: object) -> np.ndarray:
    if not np.issubdtype(y.dtype, np.integer):
        raise CorruptDataError(where, f"labels have dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() > 255):
        raise CorruptDataError(where, "labels do not fit in uint8")
    return y.astype(np.uint8, copy=False)


# --------------------------------------------------------------------- MNIST

def read_mnist_npz(path: Path, spec: DatasetSpec) -> Splits:
    """Read Keras's `mnist.npz` layout (x_train, y_train, x_test, y_test)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    except FileNotFoundError:
        raise
    except Exception as exc:  # zip, zlib, header or missing-key errors alike
        raise CorruptDataError(path, f"{type(exc).__name__}: {exc}") from exc
    splits = ((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"]))
    for x, y in splits:
        check_split(spec, x, y, path)
    return splits


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write arrays as a compressed npz (used for the MNIST-style samples)."""
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


# ------------------------------------------------------------------ CIFAR-10

def read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR batch pickle into (n, 3, 32, 32) uint8 data and labels."""
    try:
        batch = safe_unpickle(path.read_bytes())
        data = np.asarray(batch[b"data"])
        labels = np.asarray(batch[b"labels"])
        if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
            raise ValueError(f"data is {data.dtype} {data.shape}, expected uint8 (n, 3072)")
    except FileNotFoundError:
        raise CorruptDataError(path, "file missing") from None
    except CorruptDataError:
        raise
    except Exception as exc:
        raise CorruptDataError(path, f"{type(exc).__name__}: {exc}") from exc
    return data.reshape(len(data), 3, 32, 32), _as_uint8_labels(labels, path)


def read_cifar_dir(folder: Path, spec: DatasetSpec) -> Splits:
    """Read a `cifar-10-batches-py/` folder into channels-last arrays, (n, 1) labels."""
    missing = [name for name in CIFAR_FILES if not (folder / name).is_file()]
    if missing:
        raise CorruptDataError(folder, f"missing {', '.join(missing)}")
    train = [read_cifar_batch(folder / name) for name in CIFAR_BATCHES[:-1]]
    x_test, y_test = read_cifar_batch(folder / CIFAR_BATCHES[-1])
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    splits = ((x_train, y_train.reshape(-1, 1)), (x_test, y_test.reshape(-1, 1)))
    for x, y in splits:
        check_split(spec, x, y, folder)
    return splits


def write_cifar_batch(path: Path, name: str, x_chw: np.ndarray, y: np.ndarray) -> None:
    """Write one batch in the original CIFAR pickle format."""
    batch = {
        b"batch_label": name.encode(),
        b"labels": [int(v) for v in y.ravel()],
        b"data": np.ascontiguousarray(x_chw.reshape(len(x_chw), 3072)),
        b"filenames": [f"{name}_{i:05d}.png".encode() for i in range(len(x_chw))],
    }
    with open(path, "wb") as fh:
        pickle.dump(batch, fh, protocol=4)


# ------------------------------------------------------------- Fashion-MNIST

_IDX_DTYPE = {0x08: np.uint8}


def read_idx_gz(path: Path) -> np.ndarray:
    """Read a gzipped IDX file (the MNIST/Fashion-MNIST distribution format)."""
    try:
        raw = gzip.decompress(path.read_bytes())
        zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
        if zero != 0 or dtype_code not in _IDX_DTYPE or not 1 <= ndim <= 3:
            raise ValueError("not an IDX file of unsigned bytes")
        dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
        body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
        if body.size != int(np.prod(dims)):
            raise ValueError(f"header says {dims}, body holds {body.size} bytes")
    except FileNotFoundError:
        raise CorruptDataError(path, "file missing") from None
    except Exception as exc:
        raise CorruptDataError(path, f"{type(exc).__name__}: {exc}") from exc
    return body.reshape(dims)


def read_fashion_dir(folder: Path, spec: DatasetSpec) -> Splits:
    """Read a `fashion-mnist/` folder of the four original IDX .gz files."""
    x_train, y_train, x_test, y_test = (read_idx_gz(folder / name) for name in FASHION_FILES)
    splits = ((x_train, y_train), (x_test, y_test))
    for x, y in splits:
        check_split(spec, x, y, folder)
    return splits


# ------------------------------------------------------- the bundled samples

def read_jpeg_npz(path: Path, spec: DatasetSpec) -> Splits:
    """Read images stored as concatenated JPEG bytes plus offsets and labels."""
    from PIL import Image

    try:
        with np.load(path, allow_pickle=False) as f:
            stored = {key: f[key] for key in f.files}
        splits = []
        for split in ("train", "test"):
            blob, offsets = stored[f"{split}_jpeg"], stored[f"{split}_offsets"]
            images = np.empty((len(offsets) - 1, *spec.image_shape), dtype=np.uint8)
            for i in range(len(images)):
                jpeg = blob[offsets[i]:offsets[i + 1]].tobytes()
                images[i] = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))
            labels = stored[f"{split}_labels"].astype(np.uint8).reshape(-1, 1)
            splits.append((images, labels))
    except Exception as exc:
        raise CorruptDataError(path, f"{type(exc).__name__}: {exc}") from exc
    for x, y in splits:
        check_split(spec, x, y, path)
    return splits[0], splits[1]


# --------------------------------------------------------------------- misc

def keras_image_data_format() -> str:
    """Keras's image data format, read without importing Keras when possible."""
    import sys

    if "keras" in sys.modules:
        return sys.modules["keras"].config.image_data_format()
    config = Path(os.path.expanduser(keras_home())) / "keras.json"
    try:
        value = json.loads(config.read_text()).get("image_data_format", "channels_last")
    except (OSError, ValueError, AttributeError):
        value = "channels_last"
    return value if value in ("channels_first", "channels_last") else "channels_last"


def keras_home() -> str:
    """Keras's home folder, where its downloads land.

    Keras fixes it when it is imported, so once it is, ask Keras; before,
    resolve it the way Keras will ($KERAS_HOME, else ~/.keras, else /tmp/.keras).
    """
    import sys

    if "keras" in sys.modules:
        try:
            from keras.src.backend.config import keras_home as keras_own_home

            return keras_own_home()
        except ImportError:  # a Keras without that private helper
            pass
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")
