"""The grader's layers: each module imports only what stands below it.

The order is written in `autograder/__init__.py`'s docstring; this test reads
every module's imports (top-level and inside functions) and fails on any that
points up, or sideways from one verb to another.
"""

from __future__ import annotations

import ast
from pathlib import Path

import autograder

PACKAGE = Path(autograder.__file__).parent
# Highest first: a module may import from its own layer or any layer after it.
LAYERS = ("verbs", "run", "records", "scoring", "sandbox", "intake", "common")


def layer_of(module: str) -> str:
    """`autograder.run.worker` → "run"; top-level modules are verbs."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return parts[1]
    return "verbs"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("autograder")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograder"):
            found |= {f"{node.module}.{alias.name}" if node.module == "autograder"
                      else node.module for alias in node.names}
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_lives_in_a_known_layer():
    for path in modules():
        parts = path.relative_to(PACKAGE).parts
        assert len(parts) == 1 or parts[0] in LAYERS, f"{path}: not in a layer package"


def test_imports_point_down_the_layers():
    violations = []
    for path in modules():
        importer = module_name(path)
        mine = LAYERS.index(layer_of(importer))
        for imported in imported_modules(path):
            if imported in {"autograder", "autograder.__version__"}:
                continue
            theirs = LAYERS.index(layer_of(imported))
            upward = theirs < mine
            verb_to_verb = mine == theirs == 0 and importer not in {
                "autograder.cli", "autograder.__main__"}
            if upward or verb_to_verb:
                violations.append(f"{importer} imports {imported}")
    assert not violations, "\n".join(violations)


def test_the_order_is_written_in_the_package_docstring():
    doc = autograder.__doc__ or ""
    assert "verbs → run → records → scoring → sandbox → intake → common" in doc
