"""`python -m cnnbook data prepare`: stage, verify, and never leave a half-written dataset."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from cnnbook import cli, data
from cnnbook.data import prepare as prepare_module
from tests.cnnbook.data.fakes import write_cifar, write_cifar_archive, write_fashion, write_mnist
from tests.conftest import ROOT


@pytest.fixture
def archives(tmp_path):
    """A folder of original archives: mnist.npz, cifar-10-python.tar.gz, loose .gz files."""
    folder = tmp_path / "downloads"
    write_mnist(folder)
    batches = write_cifar(tmp_path / "build" / "cifar-10-batches-py")
    write_cifar_archive(folder / "cifar-10-python.tar.gz", batches)
    write_fashion(folder)
    return folder


def run_cli(*args, env=None):
    """The real command, as a user types it."""
    return subprocess.run([sys.executable, "-m", "cnnbook", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "CNNBOOK_OFFLINE": "1", **(env or {})})


def test_prepare_from_archives_writes_canonical_layout(archives, tmp_path, no_data_anywhere):
    dest = tmp_path / "staged"
    result = run_cli("data", "prepare", "--dest", str(dest), "--from", str(archives), "--quiet")
    assert result.returncode == 0, result.stderr
    assert (dest / "mnist.npz").is_file()
    assert sorted(p.name for p in (dest / "cifar-10-batches-py").iterdir()) == sorted(
        ["batches.meta", "test_batch"] + [f"data_batch_{i}" for i in range(1, 6)])
    assert len(list((dest / "fashion-mnist").glob("*-ubyte.gz"))) == 4
    assert "verified: 100 train / 20 test" in result.stdout
    assert [p.name for p in dest.iterdir() if p.name.startswith(".")] == []  # no leftovers
    (x_train, y_train), _ = data.load_cifar10(data_dir=dest)
    assert x_train.shape == (100, 32, 32, 3) and y_train.shape == (100, 1)


def test_prepare_from_canonical_folder_and_rerun_is_idempotent(tmp_path):
    source = write_mnist(tmp_path / "canon")
    write_cifar(source / "cifar-10-batches-py")
    dest = tmp_path / "staged"
    lines = []
    prepare_module.prepare(dest, source, progress=False, log=lines.append)
    assert [line.split(":")[0] for line in lines] == ["mnist", "cifar10"]  # fashion absent
    lines.clear()
    prepare_module.prepare(dest, source, progress=False, log=lines.append)
    assert all("already staged" in line for line in lines)


def test_prepare_accepts_keras_cache_layout(tmp_path):
    cache = tmp_path / ".keras" / "datasets"
    write_cifar(cache / "cifar-10-batches-py-target" / "cifar-10-batches-py")
    results = prepare_module.prepare(tmp_path / "dest", cache, progress=False, log=lambda _: None)
    assert [r.dataset for r in results] == ["cifar10"]


def test_force_replaces_a_staged_dataset(tmp_path):
    dest = write_mnist(tmp_path / "dest", value=1)
    source = write_mnist(tmp_path / "src", value=2)
    prepare_module.prepare(dest, source, progress=False, log=lambda _: None)
    assert data.load_mnist(data_dir=dest)[0][0][0, 0, 0] == 1  # kept without --force
    result = prepare_module.prepare(dest, source, force=True, progress=False,
                                    log=lambda _: None)
    assert result[0].action == "replaced"
    assert data.load_mnist(data_dir=dest)[0][0][0, 0, 0] == 2


def test_corrupt_source_never_replaces_a_complete_dataset(tmp_path):
    dest = write_mnist(tmp_path / "dest", value=1)
    before = (dest / "mnist.npz").read_bytes()
    source = tmp_path / "src"
    source.mkdir()
    (source / "mnist.npz").write_bytes(before[:300])  # truncated
    result = run_cli("data", "prepare", "--dest", str(dest), "--from", str(source),
                     "--force", "--quiet")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "corrupt" in result.stderr
    assert (dest / "mnist.npz").read_bytes() == before
    assert sorted(p.name for p in dest.iterdir()) == ["mnist.npz"]


def test_interrupted_copy_leaves_nothing_half_written(tmp_path, archives, monkeypatch):
    dest = tmp_path / "dest"
    real_copy = prepare_module._copy_stream
    calls = []

    def copy_then_fail(src, dst, bar):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_copy(src, dst, bar)

    monkeypatch.setattr(prepare_module, "_copy_stream", copy_then_fail)
    with pytest.raises(KeyboardInterrupt):
        prepare_module.prepare(dest, archives, datasets=["cifar10"], progress=False,
                               log=lambda _: None)
    assert list(dest.iterdir()) == []


def test_archive_members_outside_the_dataset_are_not_extracted(tmp_path):
    batches = write_cifar(tmp_path / "b" / "cifar-10-batches-py")
    archive = write_cifar_archive(tmp_path / "cifar-10-python.tar.gz", batches,
                                  extra={"../escaped.txt": b"x", "/tmp/abs.txt": b"y"})
    dest = tmp_path / "dest"
    prepare_module.prepare(dest, archive, progress=False, log=lambda _: None)
    assert not (tmp_path / "escaped.txt").exists()
    assert sorted(p.name for p in dest.iterdir()) == ["cifar-10-batches-py"]


def test_truncated_archive_is_reported_by_name(tmp_path):
    batches = write_cifar(tmp_path / "b" / "cifar-10-batches-py")
    archive = write_cifar_archive(tmp_path / "cifar-10-python.tar.gz", batches)
    archive.write_bytes(archive.read_bytes()[:2000])
    result = run_cli("data", "prepare", "--dest", str(tmp_path / "d"), "--from", str(archive))
    assert result.returncode == 1
    assert "cifar-10-python.tar.gz is corrupt" in result.stderr
    assert not (tmp_path / "d" / "cifar-10-batches-py").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "/nonexistent/place"], "does not exist"),
    (["--from", "."], "no dataset found"),
])
def test_bad_input_is_one_line_and_nonzero(tmp_path, args, message):
    result = run_cli("data", "prepare", "--dest", str(tmp_path / "d"), *args)
    assert result.returncode == 1
    assert result.stderr.startswith("cnnbook: error:") and result.stderr.count("\n") == 1
    assert message in result.stderr


def test_dest_that_is_a_file_is_refused(tmp_path, archives):
    target = tmp_path / "file"
    target.write_text("precious")
    result = run_cli("data", "prepare", "--dest", str(target), "--from", str(archives))
    assert result.returncode == 1 and "not a folder" in result.stderr
    assert target.read_text() == "precious"


def test_missing_dataset_in_source_when_asked_for(tmp_path):
    source = write_mnist(tmp_path / "src")
    result = run_cli("data", "prepare", "--dest", str(tmp_path / "d"), "--from", str(source),
                     "--dataset", "cifar10")
    assert result.returncode == 1 and "CIFAR-10 not found" in result.stderr


def test_download_offline_fails_fast_with_advice(tmp_path):
    result = run_cli("data", "prepare", "--dest", str(tmp_path / "d"), "--dataset", "mnist")
    assert result.returncode == 1
    assert "cannot download MNIST" in result.stderr and "--from" in result.stderr
    assert list((tmp_path / "d").iterdir()) == []


def test_unknown_dataset_is_a_usage_error(tmp_path):
    result = run_cli("data", "prepare", "--dest", str(tmp_path), "--dataset", "imagenet")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_info_lists_where_each_dataset_is(tmp_path, capsys, no_data_anywhere):
    write_mnist(tmp_path / "d")
    assert cli.main(["data", "info", "--data-dir", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert f"mnist: {tmp_path / 'd' / 'mnist.npz'}" in out
    assert "cifar10: not staged" in out


@pytest.mark.realdata
def test_prepare_real_cifar_from_its_original_archive(tmp_path, full_cifar_dir):
    archive = write_cifar_archive(tmp_path / "cifar-10-python.tar.gz",
                                  full_cifar_dir / "cifar-10-batches-py", compresslevel=1)
    dest = tmp_path / "staged"
    result = run_cli("data", "prepare", "--dest", str(dest), "--from", str(archive))
    assert result.returncode == 0, result.stderr
    assert "verified: 50,000 train / 10,000 test" in result.stdout
    staged = data.load_cifar10(data_dir=dest)
    original = data.load_cifar10(data_dir=full_cifar_dir)
    for (xs, ys), (xo, yo) in zip(staged, original, strict=True):
        np.testing.assert_array_equal(xs, xo)
        np.testing.assert_array_equal(ys, yo)
