"""The online path through Keras's real downloader, served from local files.

Only `urlretrieve` is replaced (by a fake server that maps URLs to files), so
Keras's own cache layout and bookkeeping run for real. Fashion-MNIST is used
because Keras checks no hash for it; MNIST and CIFAR-10 downloads are checked
against the originals' sha256, which only the real servers can satisfy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cnnbook import data
from cnnbook.data import download
from cnnbook.data import prepare as prepare_module
from tests.cnnbook.data.fakes import write_fashion

pytestmark = pytest.mark.keras


@pytest.fixture
def fake_server(tmp_path, monkeypatch, no_data_anywhere):
    """Serve the files of a folder for any URL with the same basename."""
    from keras.src.utils import file_utils

    served = write_fashion(tmp_path / "served")
    requested = []

    def urlretrieve(url, filename, reporthook=None):
        requested.append(url)
        shutil.copyfile(served / Path(url).name, filename)
        return filename, None

    monkeypatch.setattr(file_utils, "urlretrieve", urlretrieve)
    monkeypatch.setattr(download, "unavailable_reason", lambda spec: None)
    return requested


def test_loader_downloads_into_the_keras_cache_then_reads_it(fake_server, no_data_anywhere):
    (x_train, _), (x_test, _) = data.load_fashion_mnist()
    assert x_train.shape == (30, 28, 28) and len(x_test) == 5
    assert data.last_source("fashion_mnist").kind == "download"
    assert all(url.startswith("https://storage.googleapis.com/") for url in fake_server)
    fake_server.clear()
    data.load_fashion_mnist()  # the second time it is found in the cache, not fetched
    assert fake_server == []
    assert data.last_source("fashion_mnist").path == str(
        no_data_anywhere / "home" / ".keras" / "datasets" / "fashion-mnist")


def test_prepare_downloads_through_keras_and_verifies(fake_server, tmp_path):
    dest = tmp_path / "staged"
    results = prepare_module.prepare(dest, datasets=["fashion_mnist"], progress=False,
                                     log=lambda _: None)
    assert results[0].n_train == 30 and len(fake_server) == 4
    assert sorted(p.name for p in dest.iterdir()) == ["fashion-mnist"]  # scratch removed
    assert data.load_fashion_mnist(data_dir=dest)[0][0].shape == (30, 28, 28)
