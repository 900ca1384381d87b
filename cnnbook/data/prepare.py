"""Stage the full datasets in their canonical layout, for machines with no internet.

`prepare(dest, source)` copies or converts from a folder (`source`) that holds
either the canonical layout or the original archives, or downloads through
Keras when `source` is None. Each dataset is written to a temporary path,
verified, then renamed into place, so a complete dataset is never replaced by
a partial one and an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tqdm import tqdm

from . import download
from .errors import CorruptDataError, DataError, DataNotFoundError
from .loaders import read_staged
from .locate import is_staged
from .specs import CIFAR_FILES, DATASETS, FASHION_FILES, DatasetSpec, get_spec

CIFAR_ARCHIVES = ("cifar-10-python.tar.gz", "cifar-10-batches-py-target_archive")
KERAS_ORIGINS = {
    "mnist": [("mnist.npz", "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
               "mnist.npz",
               "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")],
    "cifar10": [("cifar-10-python.tar.gz",
                 "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                 "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce")],
    "fashion_mnist": [(name, "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
                       + name, None) for name in FASHION_FILES],
}
CHUNK = 1 << 20


@dataclass(frozen=True)
class StageResult:
    """What `prepare` did for one dataset."""

    dataset: str
    path: Path
    action: str  # "staged", "replaced" or "already staged"
    n_train: int
    n_test: int
    origin: str

    def summary(self) -> str:
        return (f"{self.dataset}: {self.action} {self.path} from {self.origin} "
                f"(verified: {self.n_train:,} train / {self.n_test:,} test images)")


# ------------------------------------------------------------- finding input

@dataclass(frozen=True)
class _Input:
    """Where one dataset comes from: named files in a folder, or one archive."""

    description: str
    files: dict[str, Path] | None = None  # canonical name -> source file
    tar: Path | None = None               # cifar-10-python.tar.gz


def _files_in(folder: Path, names: Iterable[str]) -> dict[str, Path] | None:
    """All `names` in `folder`; None when none is there; an error when only some are."""
    present = {name: folder / name for name in names if (folder / name).is_file()}
    if not present:
        return None
    missing = sorted(set(names) - set(present))
    if missing:
        raise CorruptDataError(folder, f"missing {', '.join(missing)}")
    return present


def find_input(spec: DatasetSpec, source: Path) -> _Input | None:
    """Locate `spec` in `source` (a folder, or a single archive file)."""
    if source.is_file():
        return _input_from_file(spec, source)
    if spec.name == "mnist":
        path = source / "mnist.npz"
        return _Input(str(path), files={"mnist.npz": path}) if path.is_file() else None
    if spec.name == "cifar10":
        for folder in (source / "cifar-10-batches-py",
                       source / "cifar-10-batches-py-target" / "cifar-10-batches-py", source):
            files = _files_in(folder, CIFAR_FILES) if folder.is_dir() else None
            if files:
                return _Input(str(folder), files=files)
        for name in CIFAR_ARCHIVES:
            if (source / name).is_file():
                return _Input(str(source / name), tar=source / name)
        return None
    for folder in (source / "fashion-mnist", source):
        files = _files_in(folder, FASHION_FILES) if folder.is_dir() else None
        if files:
            return _Input(str(folder), files=files)
    return None


def _input_from_file(spec: DatasetSpec, path: Path) -> _Input | None:
    if spec.name == "mnist" and path.suffix == ".npz" and "cifar" not in path.name:
        return _Input(str(path), files={"mnist.npz": path})
    if spec.name == "cifar10" and path.name in CIFAR_ARCHIVES:
        return _Input(str(path), tar=path)
    return None


# ------------------------------------------------------------------ writing

def _copy_stream(src: BinaryIO, dst: Path, bar: tqdm) -> str:
    """Copy a stream to `dst` and return the sha256 of the bytes copied."""
    digest = hashlib.sha256()
    with open(dst, "wb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            bar.update(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_input(spec: DatasetSpec, given: _Input, target: Path, bar: tqdm) -> None:
    """Write `given` into `target` (a file for MNIST, else a folder), checking hashes."""
    if spec.name == "mnist":
        members = {target: given.files["mnist.npz"]}  # type: ignore[index]
    else:
        target.mkdir()
        members = ({target / name: path for name, path in given.files.items()}
                   if given.files else {})
    for dst, src in members.items():
        with open(src, "rb") as fh:
            written = _copy_stream(fh, dst, bar)
        if written != _sha256(dst):
            raise CorruptDataError(dst, "bytes on disk differ from the bytes written")
    if given.tar is not None:
        _extract_cifar(given.tar, target, bar)


def _extract_cifar(archive: Path, target: Path, bar: tqdm) -> None:
    """Extract only the seven known members, never paths the archive chooses."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for name in CIFAR_FILES:
                member = tar.getmember(f"cifar-10-batches-py/{name}")
                stream = tar.extractfile(member)
                if stream is None:
                    raise KeyError(name)
                written = _copy_stream(stream, target / name, bar)
                if written != _sha256(target / name):
                    raise CorruptDataError(target / name, "bytes on disk differ")
    except CorruptDataError:
        raise
    except (tarfile.TarError, KeyError, OSError, EOFError) as exc:
        raise CorruptDataError(archive, f"{type(exc).__name__}: {exc}") from exc


def _input_size(given: _Input) -> int:
    if given.files:
        return sum(p.stat().st_size for p in given.files.values())
    return 0  # a tar's uncompressed size is unknown until read


def _swap_into_place(new: Path, final: Path) -> bool:
    """Rename `new` to `final`; an existing `final` is replaced only after this succeeds."""
    if not final.exists():
        new.rename(final)
        return False
    backup = final.with_name(f".{final.name}.old-{os.getpid()}")
    final.rename(backup)
    try:
        new.rename(final)
    except OSError:
        backup.rename(final)
        raise
    _remove(backup)
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


# ----------------------------------------------------------------- the verb

def prepare(dest: str | os.PathLike, source: str | os.PathLike | None = None,
            datasets: Sequence[str] | None = None, force: bool = False,
            progress: bool = True, log: Callable[[str], None] = print) -> list[StageResult]:
    """Stage `datasets` (default: all, or all found in `source`) under `dest`."""
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise DataError(f"--dest {dest} exists and is not a folder")
    src = Path(source) if source is not None else None
    if src is not None and not src.exists():
        raise DataNotFoundError(f"--from {src} does not exist")
    dest.mkdir(parents=True, exist_ok=True)
    specs = [get_spec(name) for name in datasets] if datasets else list(DATASETS.values())
    explicit = bool(datasets)

    results = []
    with tempfile.TemporaryDirectory(prefix=".cnnbook-download-", dir=dest) as scratch:
        for spec in specs:
            if src is None:
                given = _download_input(spec, Path(scratch), progress)
            else:
                given = find_input(spec, src)
                if given is None:
                    if explicit:
                        raise DataNotFoundError(f"{spec.title} not found in {src} "
                                                f"({_expected_names(spec)})")
                    continue
            results.append(_stage_one(spec, given, dest, force, progress))
            log(results[-1].summary())
    if not results:
        raise DataNotFoundError(
            f"no dataset found in {src}; expected one of: "
            + "; ".join(_expected_names(s) for s in specs))
    return results


def _expected_names(spec: DatasetSpec) -> str:
    return {"mnist": "mnist.npz",
            "cifar10": "cifar-10-python.tar.gz or cifar-10-batches-py/",
            "fashion_mnist": "the four Fashion-MNIST *-ubyte.gz files"}[spec.name]


def _stage_one(spec: DatasetSpec, given: _Input, dest: Path, force: bool,
               progress: bool) -> StageResult:
    final = dest / spec.canonical
    if not force and _verifies(spec, final):
        (x_train, _), (x_test, _) = read_staged(spec, final)
        return StageResult(spec.name, final, "already staged", len(x_train), len(x_test),
                           "an earlier run")
    partial = dest / f".{spec.canonical}.partial-{os.getpid()}"
    _remove(partial)
    try:
        with tqdm(total=_input_size(given) or None, unit="B", unit_scale=True,
                  desc=spec.name, disable=not progress, leave=False) as bar:
            _write_input(spec, given, partial, bar)
        (x_train, _), (x_test, _) = read_staged(spec, partial)  # verify before installing
        replaced = _swap_into_place(partial, final)
    finally:
        _remove(partial)
    return StageResult(spec.name, final, "replaced" if replaced else "staged",
                       len(x_train), len(x_test), given.description)


def _verifies(spec: DatasetSpec, path: Path) -> bool:
    try:
        return is_staged(spec, path) and bool(read_staged(spec, path))
    except DataError:
        return False


def _download_input(spec: DatasetSpec, scratch: Path, progress: bool) -> _Input:
    reason = download.unavailable_reason(spec)
    if reason is not None:
        raise DataNotFoundError(f"cannot download {spec.title} ({reason}); on a machine with "
                                f"no internet pass --from FOLDER holding {_expected_names(spec)}")
    from keras.utils import get_file

    files = {}
    with download.socket_timeout(download.READ_TIMEOUT_S):
        for name, origin, file_hash in KERAS_ORIGINS[spec.name]:
            files[name] = Path(get_file(name, origin=origin, file_hash=file_hash,
                                        cache_dir=str(scratch), cache_subdir=spec.name))
    if spec.name == "cifar10":
        return _Input(KERAS_ORIGINS["cifar10"][0][1], tar=files["cifar-10-python.tar.gz"])
    return _Input(KERAS_ORIGINS[spec.name][0][1].rsplit("/", 1)[0], files=files)
