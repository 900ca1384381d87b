"""Shared fixtures: an isolated data environment, and the real data when staged."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # quieter TensorFlow in test output
# Keras fixes its home (its download cache) when first imported, which can be
# during collection: point it at a throwaway folder so no test ever writes to
# the user's ~/.keras.
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="cnnbook-tests-keras-")
atexit.register(shutil.rmtree, os.environ["KERAS_HOME"], True)

# Staged full data, as .ci/run provides it; read once before any test isolates the env.
FULL_DATA_DIR = os.environ.get("CNNBOOK_DATA", "").strip() or None
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_data_anywhere(tmp_path, monkeypatch):
    """No staged data, empty Keras home, no Debian package, and downloads disabled."""
    from cnnbook.data import locate

    home = tmp_path / "home"
    (home / ".keras").mkdir(parents=True)  # as Keras creates it on import
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KERAS_HOME", str(home / ".keras"))
    monkeypatch.delenv("CNNBOOK_DATA", raising=False)
    monkeypatch.setenv("CNNBOOK_OFFLINE", "1")
    monkeypatch.setattr(locate, "DEBIAN_DATASETS", tmp_path / "no-debian-datasets")
    if "keras" in sys.modules:  # Keras fixed its home at import: move it too
        import keras.src.backend.config as keras_config

        monkeypatch.setattr(keras_config, "_KERAS_DIR", str(home / ".keras"))
    return tmp_path


def _staged(name: str) -> Path:
    if FULL_DATA_DIR is None:
        pytest.skip("full datasets not staged (set CNNBOOK_DATA)")
    path = Path(FULL_DATA_DIR) / name
    if not path.exists():
        pytest.skip(f"{path} not staged")
    return Path(FULL_DATA_DIR)


@pytest.fixture
def full_mnist_dir() -> Path:
    return _staged("mnist.npz")


@pytest.fixture
def full_cifar_dir() -> Path:
    return _staged("cifar-10-batches-py")


@pytest.fixture
def full_fashion_dir() -> Path:
    debian = Path("/usr/share/datasets")
    if (debian / "fashion-mnist").is_dir():
        return debian
    return _staged("fashion-mnist")
