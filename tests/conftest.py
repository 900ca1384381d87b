"""Shared fixtures: an isolated data environment, and the real data when staged."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # quieter TensorFlow in test output

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
