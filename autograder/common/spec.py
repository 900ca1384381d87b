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

from autograder.common.bilingual import LANGUAGES
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


# grading.yml's declared schema (JSON Schema 2020-12). `load_spec` validates a file
# against it, names the file and the field in the first error it finds, then checks
# what a schema cannot say (the folder's name, files that must exist, regexes).
NUMBER = {"type": "number", "exclusiveMinimum": 0}
LIMITS = {"type": "object", "additionalProperties": False,
          "properties": {key: NUMBER for key in LIMIT_DEFAULTS}}
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
CHECK_SCHEMA = {
    "type": "object", "required": ["kind"],
    "properties": {"kind": {"type": "string", "enum": list(CHECK_KINDS)}},
    "allOf": [{
        "if": {"properties": {"kind": {"const": kind}}},
        "then": {"required": ["cell", "points", *sorted(REQUIRED_FIELDS[kind])],
                 "additionalProperties": False,
                 "properties": {"kind": True, "cell": {"type": "string"}, "points": NUMBER,
                                **{field: True for field in sorted(CHECK_FIELDS[kind])},
                                **({"dataset": {"enum": list(DATASETS)}}
                                   if kind == "accuracy" else {})}},
    } for kind in CHECK_KINDS],
}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "additionalProperties": False,
    "required": ["assignment", "title", "profiles", "checks"],
    "properties": {
        "assignment": {"type": "string"},
        "title": {"type": "object", "required": list(LANGUAGES), "additionalProperties": False,
                  "properties": {language: {"type": "string"} for language in LANGUAGES}},
        "data": {"type": "array", "items": {"enum": list(DATASETS)}},
        "limits": LIMITS,
        "profiles": {
            "type": "object", "required": list(PROFILES),
            "additionalProperties": {
                "type": "object", "additionalProperties": False,
                "properties": {
                    "parameters": {"type": "object",
                                   "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]*$"}},
                    "limits": LIMITS}}},
        "checks": {"type": "array", "items": CHECK_SCHEMA},
    },
}
_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "str", "number": "a number"}


def _schema_error(path: Path, raw: Any) -> UserError | None:
    """The first way `raw` breaks SCHEMA, worded as "FILE: FIELD problem"; None if none."""
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(raw),
                    key=lambda e: (-len(e.absolute_path), list(map(str, e.absolute_path))))
    return _worded(path, errors[0]) if errors else None


def _place(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _worded(path: Path, error: Any) -> UserError:
    parts, instance = list(error.absolute_path), error.instance
    place = _place(parts)
    if error.validator == "required":
        missing = next(key for key in error.validator_value if key not in instance)
        return UserError(f"{path}: {_place([*parts, missing])} is missing")
    if error.validator == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        extra = sorted(set(instance) - set(known))[0]
        if parts and parts[-1] == "title":
            return UserError(f"{path}: title needs exactly the languages en and el")
        return UserError(f"{path}: {_place([*parts, extra])} is not a known field "
                         f"(known: {', '.join(known)})")
    if error.validator == "exclusiveMinimum":
        return UserError(f"{path}: {place} must be positive")
    if error.validator in ("propertyNames", "pattern"):  # the one pattern: parameter names
        return UserError(f"{path}: {place} has {instance!r}: parameter names are UPPER_CASE")
    if error.validator == "enum" and parts[-1] == "kind":
        return UserError(f"{path}: {place} is {instance!r}; known kinds: "
                         f"{', '.join(CHECK_KINDS)}")
    if error.validator == "enum" and parts[0] == "data":
        return UserError(f"{path}: data names unknown dataset {instance!r} "
                         f"(known: {', '.join(DATASETS)})")
    if error.validator == "enum":
        return UserError(f"{path}: {place} is {instance!r}; known: {', '.join(DATASETS)}")
    if error.validator == "type":
        wanted = error.validator_value
        names = " or ".join(_TYPE_NAMES.get(w, w) for w in
                            (wanted if isinstance(wanted, list) else [wanted]))
        where = place or "the file"
        return UserError(f"{path}: {where} must be {names}, not {type(instance).__name__}")
    return UserError(f"{path}: {place or 'the file'}: {error.message}")


def load_spec(folder: Path) -> Spec:
    """Read `folder/grading.yml`, validate it against SCHEMA and the folder, return the Spec."""
    path = folder / SPEC_NAME
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except yaml.YAMLError as error:
        raise UserError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from None
    problem = _schema_error(path, raw)
    if problem is not None:
        raise problem
    if raw["assignment"] != folder.name:
        raise UserError(f"{path}: assignment is {raw['assignment']!r} but the folder is "
                        f"{folder.name!r}")
    limits = {**LIMIT_DEFAULTS, **raw.get("limits", {})}
    profiles = {name: Profile(name, dict(body.get("parameters", {})),
                              {**limits, **body.get("limits", {})})
                for name, body in raw["profiles"].items()}
    checks = tuple(_check(path, f"checks[{i}]", raw_check, folder)
                   for i, raw_check in enumerate(raw["checks"]))
    cells = [check.cell for check in checks]
    duplicates = sorted({cell for cell in cells if cells.count(cell) > 1})
    if duplicates:
        raise UserError(f"{path}: checks score the cell {duplicates[0]!r} twice")
    return Spec(raw["assignment"], folder, dict(raw["title"]), tuple(raw.get("data", [])),
                profiles, checks)


def _check(path: Path, where: str, raw: dict[str, Any], folder: Path) -> Check:
    """One check, already valid by SCHEMA: what only the folder can tell."""
    options = {key: value for key, value in raw.items() if key not in {"cell", "kind", "points"}}
    if raw["kind"] == "function" and not (folder / options["inputs"]).is_file():
        raise UserError(f"{path}: {where}.inputs names {options['inputs']!r}, "
                        "which does not exist")
    if raw["kind"] == "architecture" and "pattern" in options:
        try:
            re.compile(options["pattern"])
        except re.error as error:
            raise UserError(f"{path}: {where}.pattern is not a regular expression "
                            f"({error})") from None
    return Check(raw["cell"], raw["kind"], float(raw["points"]), options)
