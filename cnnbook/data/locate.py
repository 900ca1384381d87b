"""Where a dataset may already be staged, in the documented search order.

1. the explicit `data_dir` argument;
2. the `CNNBOOK_DATA` environment variable (an empty value counts as unset);
3. the Keras cache (`$KERAS_HOME/datasets`, else `~/.keras/datasets`), with
   Keras 3's extracted CIFAR layout `cifar-10-batches-py-target/cifar-10-batches-py/`;
4. Debian's `/usr/share/datasets/` (package `dataset-fashion-mnist`), Fashion-MNIST only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import CorruptDataError
from .formats import keras_home
from .specs import CIFAR_FILES, FASHION_FILES, DatasetSpec

ENV_VAR = "CNNBOOK_DATA"
DEBIAN_DATASETS = Path("/usr/share/datasets")


@dataclass(frozen=True)
class Candidate:
    """One place a dataset may be: a label for messages and the path to test."""

    label: str
    path: Path | None  # None when the place is not configured (unset variable)

    def describe(self) -> str:
        return f"{self.label} ({self.path})" if self.path else f"{self.label} (unset)"


def candidates(spec: DatasetSpec, data_dir: str | os.PathLike | None = None) -> list[Candidate]:
    """Every place `spec` is looked for, in order."""
    found: list[Candidate] = []
    if data_dir is not None:
        found.append(Candidate("data_dir", Path(data_dir) / spec.canonical))
    env = os.environ.get(ENV_VAR, "").strip()
    found.append(Candidate(f"${ENV_VAR}", Path(env) / spec.canonical if env else None))
    for keras_datasets in _keras_dataset_dirs():
        if spec.name == "cifar10":
            found.append(Candidate("Keras cache", keras_datasets / "cifar-10-batches-py-target"
                                   / spec.canonical))
        found.append(Candidate("Keras cache", keras_datasets / spec.canonical))
    if spec.name == "fashion_mnist":
        found.append(Candidate("Debian dataset-fashion-mnist", DEBIAN_DATASETS / spec.canonical))
    return found


def _keras_dataset_dirs() -> list[Path]:
    """Keras's datasets folder, plus /tmp/.keras/datasets where Keras falls back to it."""
    home = Path(os.path.expanduser(keras_home()))
    if os.access(home, os.W_OK):
        return [home / "datasets"]
    return [home / "datasets", Path("/tmp/.keras/datasets")]  # get_file's own fallback


def is_staged(spec: DatasetSpec, path: Path) -> bool:
    """True when `path` holds `spec`; raises if it holds only part of it."""
    if spec.name == "mnist":
        return path.is_file()
    expected = CIFAR_FILES if spec.name == "cifar10" else FASHION_FILES
    if not path.is_dir():
        return False
    present = [name for name in expected if (path / name).is_file()]
    if not present:  # an empty folder, e.g. left by an offline Keras download
        return False
    if len(present) < len(expected):
        missing = sorted(set(expected) - set(present))
        raise CorruptDataError(path, f"missing {', '.join(missing)}")
    return True


def find_local(
    spec: DatasetSpec, data_dir: str | os.PathLike | None = None
) -> tuple[Path | None, list[Candidate]]:
    """The first place holding `spec`, and every place looked at on the way."""
    looked: list[Candidate] = []
    for candidate in candidates(spec, data_dir):
        looked.append(candidate)
        if candidate.path is not None and is_staged(spec, candidate.path):
            return candidate.path, looked
    return None, looked
