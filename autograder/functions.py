"""Function checks: hidden-input files, the cells that define a function, forbidden imports.

A hidden-input file is an .npz whose keys are `<case>/<argument>`; scalars are
0-d arrays. The grader calls the student's function on each case inside the
sandbox and compares the results with the reference outside it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from autograder.errors import UserError


def save_cases(path: Path, cases: Iterable[dict[str, Any]]) -> None:
    arrays = {f"{i}/{name}": np.asarray(value)
              for i, case in enumerate(cases) for name, value in case.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:  # np.savez would append .npz to a name without it
        np.savez(handle, **arrays)


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of a hidden-input file, in order; 0-d arrays become Python scalars."""
    cases: dict[int, dict[str, Any]] = defaultdict(dict)
    with np.load(path, allow_pickle=False) as archive:
        for key in archive.files:
            index, _, name = key.partition("/")
            if not index.isdigit() or not name:
                raise UserError(f"{path}: key {key!r} is not <case>/<argument>")
            value = archive[key]
            cases[int(index)][name] = value.item() if value.ndim == 0 else value
    return [cases[i] for i in sorted(cases)]


def definitions_source(notebook: nbformat.NotebookNode, grade_ids: list[str]) -> str:
    """The source of the cells `grade_ids`, in that order, IPython magics dropped."""
    by_id = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell
             for cell in notebook.cells if cell.cell_type == "code"}
    missing = [grade_id for grade_id in grade_ids if grade_id not in by_id]
    if missing:
        raise UserError(f"the notebook has no cell {missing[0]!r}")
    return "\n\n".join(_without_magics(by_id[grade_id].source) for grade_id in grade_ids)


def _without_magics(source: str) -> str:
    return "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def forbidden_uses(source: str, forbidden: Iterable[str]) -> list[str]:
    """Imports or dotted names in `source` that start with a forbidden module, e.g. `scipy`."""
    forbidden = tuple(forbidden)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # the code cannot run: its own failure, reported elsewhere
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Attribute):
            names = [_dotted(node)]
        elif isinstance(node, ast.Call) and _dotted(node.func) in {"__import__",
                                                                    "importlib.import_module"}:
            names = [a.value for a in node.args if isinstance(a, ast.Constant)
                     and isinstance(a.value, str)]
        else:
            continue
        found += [name for name in names if name and _matches(name, forbidden)]
    return sorted(set(found))


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _matches(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == module or name.startswith(module + ".") for module in forbidden)
