"""Grading data: the training split only, with a "test" split carved out of it.

The sandbox gets this folder read-only as DATA_DIR, so no submission ever sees
the real test images; the checker measures saved models on those, outside.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from autograder.common.errors import UserError

CARVE_SHARE = 6  # one sixth of the training images (at most the real test size) play "test"


STAGE_COMMAND = "python -m cnnbook data prepare --dest DIR"


def missing_full_data(datasets: tuple[str, ...], data_dir: str | None) -> list[str]:
    """One line per dataset of `datasets` that is neither staged nor downloadable here."""
    from cnnbook.data import download, locate
    from cnnbook.data.specs import get_spec

    missing = []
    for name in datasets:
        spec = get_spec(name)
        found, looked = locate.find_local(spec, data_dir)
        if found is None and download.unavailable_reason(spec) is not None:
            places = ", ".join(candidate.describe() for candidate in looked)
            missing.append(f"no full {spec.title} (looked in: {places})")
    return missing


def refuse_sample(datasets: tuple[str, ...], data_dir: str | None) -> None:
    """UserError, before anything is graded or recorded, when the full data is not here."""
    missing = missing_full_data(datasets, data_dir)
    if missing:
        raise UserError(f"{'; '.join(missing)}: grading on the bundled sample would give "
                        f"wrong grades. Stage the data with `{STAGE_COMMAND}` and pass "
                        "--data DIR or set CNNBOOK_DATA; --allow-sample grades on the sample "
                        "anyway (for trying the grader out)")


def stage(datasets: tuple[str, ...], data_dir: str | None, root: Path) -> tuple[Path, dict]:
    """A folder holding every dataset of `datasets` as described, made once and reused."""
    from cnnbook import data

    loaders = {"mnist": data.load_mnist, "cifar10": data.load_cifar10}
    kinds = {}
    for name in datasets:
        if name not in loaders:
            raise UserError(f"grading data for {name} is not supported")
    key = "-".join(datasets) or "none"
    target = root / key
    marker = target / "staged.json"
    if marker.is_file():
        staged = json.loads(marker.read_text())
        on_sample = any(kind == "sample" for kind in staged.get("kinds", {}).values())
        if staged.get("data_dir") == data_dir and not (on_sample and not missing_full_data(
                datasets, data_dir)):
            return target, staged["kinds"]  # else the full data arrived since: stage again
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
    try:
        for name in datasets:
            (x, y), _ = loaders[name](data_dir, source="auto")
            kinds[name] = data.last_source(name).kind
            n_test = min(data.get_spec(name).n_test, len(x) // CARVE_SHARE)
            splits = (x[:-n_test], y[:-n_test]), (x[-n_test:], y[-n_test:])
            (_write_mnist if name == "mnist" else _write_cifar)(staging, splits)
        (staging / "staged.json").write_text(json.dumps({"data_dir": data_dir, "kinds": kinds}))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target, kinds


def _write_mnist(folder: Path, splits) -> None:
    (x_train, y_train), (x_test, y_test) = splits
    with open(folder / "mnist.npz", "wb") as handle:
        np.savez(handle, x_train=x_train, y_train=y_train.reshape(-1),
                 x_test=x_test, y_test=y_test.reshape(-1))


def _write_cifar(folder: Path, splits) -> None:
    from cnnbook.data.formats import write_cifar_batch

    (x_train, y_train), (x_test, y_test) = splits
    target = folder / "cifar-10-batches-py"
    target.mkdir()
    chw = x_train.transpose(0, 3, 1, 2)
    for i, (images, labels) in enumerate(zip(np.array_split(chw, 5),
                                             np.array_split(y_train.reshape(-1), 5),
                                             strict=True), start=1):
        write_cifar_batch(target / f"data_batch_{i}", f"data_batch_{i}", images, labels)
    write_cifar_batch(target / "test_batch", "test_batch", x_test.transpose(0, 3, 1, 2),
                      y_test.reshape(-1))
    (target / "batches.meta").write_bytes(b"")  # not read by cnnbook; present as in the original
