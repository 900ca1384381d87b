"""cnnbook.data: the loaders return Keras's arrays, from every place, or fail clearly."""

from __future__ import annotations

import os
import pickle
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from cnnbook import data
from cnnbook.data import download, locate
from tests.cnnbook.data.fakes import write_cifar as _write_cifar
from tests.cnnbook.data.fakes import write_fashion as _write_fashion
from tests.cnnbook.data.fakes import write_mnist
from tests.conftest import ROOT

LOADERS = {"mnist": data.load_mnist, "cifar10": data.load_cifar10,
           "fashion_mnist": data.load_fashion_mnist}
KERAS_LAYOUT = {  # (x shape, y shape) per split, as keras.datasets.<name>.load_data() gives
    "mnist": ((28, 28), ()), "fashion_mnist": ((28, 28), ()), "cifar10": ((32, 32, 3), (1,)),
}


def assert_keras_layout(name, splits, n_train=None, n_test=None):
    (x_train, y_train), (x_test, y_test) = splits
    image, label = KERAS_LAYOUT[name]
    for x, y in ((x_train, y_train), (x_test, y_test)):
        assert x.dtype == np.uint8 and y.dtype == np.uint8
        assert x.shape[1:] == image and y.shape[1:] == label
        assert len(x) == len(y)
        assert set(np.unique(y)) <= set(range(10))
    if n_train is not None:
        assert (len(x_train), len(x_test)) == (n_train, n_test)


# ------------------------------------------------------------ bundled sample

@pytest.mark.parametrize("name", LOADERS)
def test_sample_has_keras_layout_and_documented_size(name, no_data_anywhere):
    splits = LOADERS[name](source="sample")
    assert_keras_layout(name, splits, *data.get_spec(name).sample_sizes)
    source = data.last_source(name)
    assert source.is_sample and source.n_train == data.get_spec(name).sample_sizes[0]


@pytest.mark.parametrize("name", LOADERS)
def test_sample_is_real_and_class_balanced_enough(name):
    (x_train, y_train), _ = LOADERS[name](source="sample")
    counts = np.bincount(y_train.ravel(), minlength=10)
    assert counts.min() > 0.5 * counts.mean()  # every class well represented
    assert 20 < x_train.mean() < 150  # real images, not zeros or noise


def test_samples_fit_the_size_budget():
    total = sum(data.sample_path(s).stat().st_size for s in data.DATASETS.values())
    assert total <= 8 * 1024 * 1024
    assert (data.sample_path(data.get_spec("mnist")).parent / "DATA.md").is_file()


@pytest.mark.parametrize("name", LOADERS)
def test_auto_falls_back_to_sample_with_one_line_notice(name, no_data_anywhere, capsys):
    splits = LOADERS[name](source="auto")
    assert_keras_layout(name, splits, *data.get_spec(name).sample_sizes)
    notice = capsys.readouterr().err.strip().splitlines()  # a diagnostic: stderr
    assert len(notice) == 1 and "bundled sample" in notice[0]
    assert "python -m cnnbook data prepare" in notice[0]


# --------------------------------------------------------- limit and source

def test_limit_keeps_first_n_and_proportional_test():
    full = data.load_mnist(source="sample")
    (x_train, y_train), (x_test, _) = data.load_mnist(source="sample", limit=600)
    assert (len(x_train), len(x_test)) == (600, 100)
    np.testing.assert_array_equal(x_train, full[0][0][:600])
    np.testing.assert_array_equal(y_train, full[0][1][:600])
    (x_train, _), (x_test, _) = data.load_cifar10(source="sample", limit=100)
    assert (len(x_train), len(x_test)) == (100, 20)


@pytest.mark.parametrize("bad", [0, -5, 2.5, "10", True])
def test_bad_limit_is_rejected(bad):
    with pytest.raises(ValueError, match="limit"):
        data.load_mnist(source="sample", limit=bad)


def test_bad_source_is_rejected():
    with pytest.raises(ValueError, match="source"):
        data.load_mnist(source="everything")


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="choose one of"):
        data.get_spec("imagenet")


# ------------------------------------------------------- resolution order

def test_order_data_dir_then_env_then_keras_cache(no_data_anywhere, monkeypatch):
    tmp = no_data_anywhere
    keras_cache = write_mnist(tmp / "home" / ".keras" / "datasets", value=3)
    assert data.load_mnist()[0][0][0, 0, 0] == 3
    assert data.last_source("mnist").path == str(keras_cache / "mnist.npz")
    env_dir = write_mnist(tmp / "env", value=2)
    monkeypatch.setenv("CNNBOOK_DATA", str(env_dir))
    assert data.load_mnist()[0][0][0, 0, 0] == 2
    explicit = write_mnist(tmp / "explicit", value=1)
    assert data.load_mnist(data_dir=explicit)[0][0][0, 0, 0] == 1
    assert data.load_mnist(data_dir=str(explicit))[0][0][0, 0, 0] == 1


def test_empty_env_var_counts_as_unset(no_data_anywhere, monkeypatch):
    write_mnist(no_data_anywhere / "home" / ".keras" / "datasets", value=3)
    monkeypatch.setenv("CNNBOOK_DATA", "")
    assert data.load_mnist()[0][0][0, 0, 0] == 3


def test_keras_home_is_honoured_before_keras_is_imported(no_data_anywhere, monkeypatch):
    other = no_data_anywhere / "elsewhere"
    write_mnist(other / "datasets", value=5)
    monkeypatch.setenv("KERAS_HOME", str(other))
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    assert data.load_mnist()[0][0][0, 0, 0] == 5


@pytest.mark.keras
def test_once_imported_keras_decides_its_home(no_data_anywhere, monkeypatch):
    import keras.src.backend.config as keras_config

    other = no_data_anywhere / "keras-chose-this"
    write_mnist(other / "datasets", value=6)
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(other))
    monkeypatch.setenv("KERAS_HOME", str(no_data_anywhere / "set-too-late"))
    assert data.load_mnist()[0][0][0, 0, 0] == 6


def test_unwritable_keras_home_falls_back_to_tmp_like_keras(no_data_anywhere, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(no_data_anywhere / "does-not-exist"))
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    looked = [c.path for c in locate.candidates(data.get_spec("mnist"))]
    assert Path("/tmp/.keras/datasets/mnist.npz") in looked


def test_keras3_extracted_cifar_layout_is_found(no_data_anywhere):
    target = no_data_anywhere / "home/.keras/datasets/cifar-10-batches-py-target"
    _write_cifar(target / "cifar-10-batches-py")
    splits = data.load_cifar10()
    assert_keras_layout("cifar10", splits, 100, 20)


def test_cifar_pixels_are_transposed_like_keras(tmp_path):
    folder = _write_cifar(tmp_path / "cifar-10-batches-py")
    from cnnbook.data.formats import read_cifar_batch

    chw, _ = read_cifar_batch(folder / "data_batch_1")
    (x_train, _), _ = data.load_cifar10(data_dir=tmp_path)
    np.testing.assert_array_equal(x_train[0], chw[0].transpose(1, 2, 0))


def test_channels_first_config_is_respected(tmp_path, monkeypatch):
    _write_cifar(tmp_path / "cifar-10-batches-py")
    home = tmp_path / "keras-home"
    home.mkdir()
    (home / "keras.json").write_text('{"image_data_format": "channels_first"}')
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    (x_train, _), (x_test, _) = data.load_cifar10(data_dir=tmp_path)
    assert x_train.shape[1:] == x_test.shape[1:] == (3, 32, 32)


def test_debian_fashion_layout_is_found(no_data_anywhere, monkeypatch):
    debian = no_data_anywhere / "debian"
    _write_fashion(debian / "fashion-mnist")
    monkeypatch.setattr(locate, "DEBIAN_DATASETS", debian)
    assert_keras_layout("fashion_mnist", data.load_fashion_mnist(), 30, 5)
    assert data.last_source("fashion_mnist").path == str(debian / "fashion-mnist")


# ------------------------------------------------------------ never garbage

def test_truncated_npz_names_the_file(tmp_path):
    real = data.sample_path(data.get_spec("mnist")).read_bytes()
    (tmp_path / "mnist.npz").write_bytes(real[: len(real) // 2])
    with pytest.raises(data.CorruptDataError, match=re.escape(str(tmp_path / "mnist.npz"))):
        data.load_mnist(data_dir=tmp_path)


def test_npz_with_wrong_arrays_is_refused(tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((5, 3, 3)), y_train=np.zeros(5),
             x_test=np.zeros((5, 3, 3)), y_test=np.zeros(5))
    with pytest.raises(data.CorruptDataError, match="expected uint8"):
        data.load_mnist(data_dir=tmp_path)


def test_truncated_cifar_batch_names_the_file(tmp_path):
    folder = _write_cifar(tmp_path / "cifar-10-batches-py")
    batch = folder / "data_batch_3"
    batch.write_bytes(batch.read_bytes()[:5000])
    with pytest.raises(data.CorruptDataError, match="data_batch_3"):
        data.load_cifar10(data_dir=tmp_path)


def test_incomplete_cifar_folder_names_what_is_missing(tmp_path):
    folder = _write_cifar(tmp_path / "cifar-10-batches-py")
    (folder / "test_batch").unlink()
    with pytest.raises(data.CorruptDataError, match="missing test_batch"):
        data.load_cifar10(data_dir=tmp_path)


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_malicious_cifar_pickle_is_refused(tmp_path):
    folder = _write_cifar(tmp_path / "cifar-10-batches-py")
    (folder / "data_batch_1").write_bytes(pickle.dumps({b"data": _Boom()}))
    with pytest.raises(data.CorruptDataError, match=r"refusing to load global"):
        data.load_cifar10(data_dir=tmp_path)


def test_truncated_fashion_gz_names_the_file(tmp_path):
    folder = _write_fashion(tmp_path / "fashion-mnist")
    target = folder / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:40])
    with pytest.raises(data.CorruptDataError, match=r"t10k-images-idx3-ubyte\.gz"):
        data.load_fashion_mnist(data_dir=tmp_path)


def test_auto_does_not_hide_a_corrupt_staged_file(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not a zip")
    with pytest.raises(data.CorruptDataError):
        data.load_mnist(data_dir=tmp_path, source="auto")


def test_empty_folder_left_by_offline_keras_is_ignored(no_data_anywhere):
    (no_data_anywhere / "home/.keras/datasets/fashion-mnist").mkdir(parents=True)
    with pytest.raises(data.DataNotFoundError):
        data.load_fashion_mnist()


# ------------------------------------------------------------------ offline

def test_missing_dataset_offline_is_one_clear_sentence(no_data_anywhere):
    explicit = no_data_anywhere / "given"
    with pytest.raises(data.DataNotFoundError) as info:
        data.load_cifar10(data_dir=explicit)
    message = str(info.value)
    assert "\n" not in message
    assert str(explicit / "cifar-10-batches-py") in message  # every place it looked
    assert "$CNNBOOK_DATA (unset)" in message
    assert str(no_data_anywhere / "home/.keras/datasets") in message
    assert "python -m cnnbook data prepare" in message


def test_offline_network_fails_fast_without_hanging(no_data_anywhere, monkeypatch):
    """With downloads allowed but no route anywhere, the error comes at once."""
    monkeypatch.delenv("CNNBOOK_OFFLINE")

    def no_network(*args, **kwargs):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", no_network)
    start = time.monotonic()
    with pytest.raises(data.DataNotFoundError, match="unreachable"):
        data.load_mnist()
    assert time.monotonic() - start < 10


def test_blackholed_host_is_bounded_by_the_probe_timeout(no_data_anywhere, monkeypatch):
    """A route that swallows packets (no answer at all) still fails within the probe."""
    monkeypatch.delenv("CNNBOOK_OFFLINE")
    monkeypatch.setattr(download, "CONNECT_TIMEOUT_S", 0.5)
    # 192.0.2.0/24 is TEST-NET-1: reserved, never routed to a real host.
    monkeypatch.setenv("HTTPS_PROXY", "http://192.0.2.1:9")
    start = time.monotonic()
    with pytest.raises(data.DataNotFoundError, match=r"192\.0\.2\.1:9 unreachable"):
        data.load_mnist()
    assert time.monotonic() - start < 10


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap not installed")
def test_really_offline_in_a_network_namespace(tmp_path):
    """The real thing: a process with no network at all, and no data anywhere."""
    code = ("import time; from cnnbook import data; t = time.monotonic()\n"
            "try: data.load_mnist()\n"
            "except data.DataNotFoundError as e: print('ERR', round(time.monotonic() - t, 1), e)")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        ["bwrap", "--dev-bind", "/", "/", "--unshare-net", sys.executable, "-c", code],
        env=env, capture_output=True, text=True, timeout=60)
    if "Operation not permitted" in result.stderr or "setting up uid map" in result.stderr:
        pytest.skip(f"bwrap cannot unshare the network here: {result.stderr.strip()}")
    assert result.stdout.startswith("ERR"), result.stderr
    assert float(result.stdout.split()[1]) < 10


def test_downloads_disabled_by_env(monkeypatch):
    monkeypatch.setenv("CNNBOOK_OFFLINE", "1")
    assert download.unavailable_reason(data.get_spec("mnist")) == \
        "downloads disabled by CNNBOOK_OFFLINE"
    monkeypatch.setenv("CNNBOOK_OFFLINE", "0")
    assert not download.downloads_disabled()


def test_download_path_goes_through_keras(no_data_anywhere, monkeypatch):
    """When a host answers, the loader hands over to keras.datasets (mocked here)."""
    monkeypatch.delenv("CNNBOOK_OFFLINE")
    monkeypatch.setattr(download, "unavailable_reason", lambda spec: None)
    fake = ((np.zeros((12, 28, 28), np.uint8), np.zeros(12, np.uint8)),
            (np.zeros((2, 28, 28), np.uint8), np.zeros(2, np.uint8)))
    calls = []
    monkeypatch.setattr(download, "download_with_keras", lambda spec: calls.append(spec) or fake)
    (x_train, _), _ = data.load_mnist(limit=6)
    assert calls and len(x_train) == 6 and data.last_source("mnist").kind == "download"


# ----------------------------------------------------------------- real data

@pytest.mark.realdata
def test_full_mnist(full_mnist_dir):
    splits = data.load_mnist(data_dir=full_mnist_dir)
    assert_keras_layout("mnist", splits, 60000, 10000)
    assert splits[0][1][:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


@pytest.mark.realdata
def test_full_cifar10(full_cifar_dir):
    splits = data.load_cifar10(data_dir=full_cifar_dir)
    assert_keras_layout("cifar10", splits, 50000, 10000)
    assert np.bincount(splits[0][1].ravel()).tolist() == [5000] * 10
    assert np.bincount(splits[1][1].ravel()).tolist() == [1000] * 10


@pytest.mark.realdata
def test_full_fashion_mnist(full_fashion_dir):
    splits = data.load_fashion_mnist(data_dir=full_fashion_dir)
    assert_keras_layout("fashion_mnist", splits, 60000, 10000)


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_sample_equals_the_start_of_the_full_set(name, full_mnist_dir, full_cifar_dir):
    n_train, _ = data.get_spec(name).sample_sizes
    sample = LOADERS[name](source="sample")
    full = LOADERS[name](data_dir=full_mnist_dir, limit=n_train)
    for (xs, ys), (xf, yf) in zip(sample, full, strict=True):
        np.testing.assert_array_equal(xs, xf)
        np.testing.assert_array_equal(ys, yf)


@pytest.mark.realdata
@pytest.mark.keras
def test_matches_keras_own_reader(full_cifar_dir):
    """Keras's CIFAR batch reader sees the same arrays in the staged folder."""
    from keras.src.datasets.cifar import load_batch

    x_chw, y = load_batch(str(full_cifar_dir / "cifar-10-batches-py" / "test_batch"))
    _, (x_test, y_test) = data.load_cifar10(data_dir=full_cifar_dir)
    np.testing.assert_array_equal(x_test, x_chw.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_test.ravel(), np.asarray(y, np.uint8))
