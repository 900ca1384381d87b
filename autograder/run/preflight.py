"""Before a batch, the grader grades the assignment's own reference solution.

The reference goes through exactly the batch's path: the same sandbox, data,
profile, limits, backend and kernel kind. Unless it reaches full marks, nothing
is graded and nothing is recorded: a batch graded on the wrong data, or by a
grader whose sandbox cannot start, would give every student wrong grades.

The verdict is cached in the workspace under a fingerprint of everything that
could change it, so a batch pays for the preflight once and a resumed or
repeated batch pays nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from autograder.common.errors import UserError
from autograder.common.files import file_sha256, write_atomic
from autograder.common.spec import Spec
from autograder.records.workspace import Workspace
from autograder.sandbox import isolation, zygote
from autograder.scoring.result import GRADED, Result

REFERENCE = "_reference"  # the preflight's student id: never a real student's (not a slug)
FULL = 1e-9


def cache_file(workspace: Workspace, assignment: str) -> Path:
    return workspace.root / ".preflight" / f"{assignment}.json"


def fingerprint(spec: Spec, profile: str, limits: dict[str, float], parameters: dict[str, Any],
                data_dir: str | None, kinds: dict[str, str], gpus: list[str]) -> str:
    """A digest of everything that could change the reference's verdict."""
    facts = {
        "assignment": _folder_digest(spec.folder),
        "profile": profile, "limits": limits, "parameters": parameters,
        "data_dir": data_dir, "data_kinds": kinds, "data": _data_identity(spec.data, data_dir),
        "python": sys.version, "backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
        "packages": {name: _version(name) for name in
                     ("keras", "tensorflow", "tensorflow-cpu", "jax", "torch", "numpy",
                      "nbgrader", "nbclient", "ipykernel")},
        "grader": _folder_digest(Path(__file__).resolve().parents[1], "*.py"),
        "bubblewrap": isolation.bubblewrap_works(), "cgroups": isolation.cgroups_writable(),
        "warm_kernels": zygote.enabled() and not gpus, "gpus": gpus,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


def cached_pass(workspace: Workspace, assignment: str, key: str) -> bool:
    try:
        return json.loads(cache_file(workspace, assignment).read_text())["fingerprint"] == key
    except (OSError, ValueError, KeyError):
        return False


def judge(workspace: Workspace, spec: Spec, result: Result, key: str) -> None:
    """Cache a full-marks reference; otherwise refuse the batch with the reference's reason."""
    if result.status == GRADED and result.score >= spec.total_points - FULL:
        write_atomic(cache_file(workspace, spec.assignment),
                     json.dumps({"fingerprint": key, "score": result.score,
                                 "graded_at": result.graded_at}, indent=1) + "\n")
        return
    raise UserError(f"preflight: the reference solution of {spec.assignment} scored "
                    f"{result.score:g}/{spec.total_points:g} through this batch's own sandbox, "
                    f"data and limits ({_cause(result)}); nothing was graded or recorded "
                    "(--no-preflight skips this check)")


def _cause(result: Result) -> str:
    if result.reasons:
        return result.reason_text
    short = [part for part in result.parts if part.score < part.points - FULL]
    return "; ".join(f"{part.cell}: {part.reason.text() if part.reason else 'no points'}"
                     for part in short[:2]) or "no reason recorded"


def _folder_digest(folder: Path, pattern: str = "*") -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(file_sha256(path).encode())
    return digest.hexdigest()


def _data_identity(datasets: tuple[str, ...], data_dir: str | None) -> dict[str, Any]:
    """Where each dataset is read from, with its files' sizes and times (not their bytes)."""
    from cnnbook.data import locate
    from cnnbook.data.specs import get_spec

    found = {}
    for name in datasets:
        path, _ = locate.find_local(get_spec(name), data_dir)
        if path is None:
            found[name] = None
            continue
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        found[name] = [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    return found


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
