"""`grading.yml`: an assignment's budgets, limits and graded checks (schema: solutions/README.md).

Loading validates the whole file, so a typo fails at release time with the
file and the field named, not halfway through a batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autograder.common.errors import UserError

SPEC_NAME = "grading.yml"
# Grader-only files in solutions/<a>/: nbgrader must never copy them into a release.
GRADER_ONLY = (SPEC_NAME, "hidden")
PROFILES = ("ci", "cpu", "gpu")
LIMIT_DEFAULTS = {"cell_timeout": 120, "notebook_timeout": 600, "memory_gb": 4.0,
                  "cpu_seconds": 1800, "output_mb": 20, "disk_mb": 1024, "processes": 256}
CHECK_KINDS = ("function", "architecture", "accuracy")
DATASETS = ("mnist", "cifar10", "fashion_mnist")


@dataclass(frozen=True)
class Profile:
    name: str
    parameters: dict[str, Any]
    limits: dict[str, float]


@dataclass(frozen=True)
class Check:
    cell: str          # grade ID of the nbgrader test cell whose points this check decides
    kind: str
    points: float
    options: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.options[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class Spec:
    assignment: str
    folder: Path
    title: dict[str, str]
    data: tuple[str, ...]
    profiles: dict[str, Profile]
    checks: tuple[Check, ...]

    @property
    def notebook(self) -> Path:
        return self.folder / f"{self.assignment}.ipynb"

    @property
    def total_points(self) -> float:
        return sum(check.points for check in self.checks)

    def profile(self, name: str) -> Profile:
        if name not in self.profiles:
            raise UserError(f"{self.assignment}: no budget profile {name!r} "
                            f"(it has {', '.join(self.profiles)})")
        return self.profiles[name]

    def hidden_path(self, relative: str) -> Path:
        return self.folder / relative


class _Reader:
    """Reads one mapping, naming the file and the field in every error."""

    def __init__(self, path: Path, where: str, mapping: Any):
        if not isinstance(mapping, dict):
            raise UserError(f"{path}: {where or 'the file'} must be a mapping")
        self.path, self.where, self.mapping = path, where, mapping

    def fail(self, key: str, message: str) -> UserError:
        place = f"{self.where}.{key}" if self.where else key
        return UserError(f"{self.path}: {place} {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.mapping:
            if default is ...:
                raise self.fail(key, "is missing")
            return default
        value = self.mapping[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            names = " or ".join(k.__name__ for k in _as_tuple(kind))
            raise self.fail(key, f"must be {names}, not {type(value).__name__}")
        return value

    def unknown(self, allowed: set[str]) -> None:
        extra = sorted(set(self.mapping) - allowed)
        if extra:
            raise self.fail(extra[0], f"is not a known field (known: {', '.join(sorted(allowed))})")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def load_spec(folder: Path) -> Spec:
    """Read and validate `folder/grading.yml`."""
    path = folder / SPEC_NAME
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except yaml.YAMLError as error:
        raise UserError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from None
    top = _Reader(path, "", raw)
    top.unknown({"assignment", "title", "data", "limits", "profiles", "checks"})
    assignment = top.get("assignment", str)
    if assignment != folder.name:
        raise top.fail("assignment", f"is {assignment!r} but the folder is {folder.name!r}")
    title = top.get("title", dict)
    if set(title) != {"en", "el"}:
        raise top.fail("title", "needs exactly the languages en and el")
    data = tuple(top.get("data", list, []))
    for name in data:
        if name not in DATASETS:
            raise top.fail("data", f"names unknown dataset {name!r} (known: {', '.join(DATASETS)})")
    limits = _limits(path, "limits", top.get("limits", dict, {}), dict(LIMIT_DEFAULTS))
    profiles = _profiles(path, top.get("profiles", dict), limits)
    checks = tuple(_check(path, f"checks[{i}]", raw_check, folder)
                   for i, raw_check in enumerate(top.get("checks", list)))
    cells = [check.cell for check in checks]
    duplicates = sorted({cell for cell in cells if cells.count(cell) > 1})
    if duplicates:
        raise top.fail("checks", f"score the cell {duplicates[0]!r} twice")
    return Spec(assignment, folder, title, data, profiles, checks)


def _limits(path: Path, where: str, raw: dict, base: dict[str, float]) -> dict[str, float]:
    reader = _Reader(path, where, raw)
    reader.unknown(set(LIMIT_DEFAULTS))
    limits = dict(base)
    for key in raw:
        value = reader.get(key, (int, float))
        if value <= 0:
            raise reader.fail(key, "must be positive")
        limits[key] = value
    return limits


def _profiles(path: Path, raw: dict, limits: dict[str, float]) -> dict[str, Profile]:
    missing = [name for name in PROFILES if name not in raw]
    if missing:
        raise UserError(f"{path}: profiles.{missing[0]} is missing (need {', '.join(PROFILES)})")
    profiles = {}
    for name, body in raw.items():
        reader = _Reader(path, f"profiles.{name}", body)
        reader.unknown({"parameters", "limits"})
        parameters = reader.get("parameters", dict, {})
        for key in parameters:
            if not re.fullmatch(r"[A-Z][A-Z0-9_]*", str(key)):
                raise reader.fail("parameters", f"has {key!r}: parameter names are UPPER_CASE")
        own_limits = _limits(path, f"profiles.{name}.limits", reader.get("limits", dict, {}),
                             limits)
        profiles[name] = Profile(name, dict(parameters), own_limits)
    return profiles


CHECK_FIELDS = {
    "function": {"function", "signature", "define", "inputs", "reference", "rtol", "atol",
                 "forbid"},
    "architecture": {"model", "input_shape", "output_shape", "pattern", "params",
                     "require_frozen"},
    "accuracy": {"model", "dataset", "classes", "input_scale", "add_channel_axis",
                 "threshold_parameter"},
}
REQUIRED_FIELDS = {
    "function": {"function", "signature", "define", "inputs", "reference"},
    "architecture": {"model", "output_shape"},
    "accuracy": {"model", "dataset", "threshold_parameter"},
}


def _check(path: Path, where: str, raw: Any, folder: Path) -> Check:
    reader = _Reader(path, where, raw)
    kind = reader.get("kind", str)
    if kind not in CHECK_KINDS:
        raise reader.fail("kind", f"is {kind!r}; known kinds: {', '.join(CHECK_KINDS)}")
    reader.unknown({"cell", "kind", "points"} | CHECK_FIELDS[kind])
    for key in sorted(REQUIRED_FIELDS[kind]):
        reader.get(key, object)
    points = reader.get("points", (int, float))
    if points <= 0:
        raise reader.fail("points", "must be positive")
    options = {key: value for key, value in raw.items() if key not in {"cell", "kind", "points"}}
    if kind == "function" and not (folder / options["inputs"]).is_file():
        raise reader.fail("inputs", f"names {options['inputs']!r}, which does not exist")
    if kind == "architecture" and "pattern" in options:
        try:
            re.compile(options["pattern"])
        except re.error as error:
            raise reader.fail("pattern", f"is not a regular expression ({error})") from None
    if kind == "accuracy" and options["dataset"] not in DATASETS:
        raise reader.fail("dataset", f"is {options['dataset']!r}; known: {', '.join(DATASETS)}")
    return Check(reader.get("cell", str), kind, float(points), options)
