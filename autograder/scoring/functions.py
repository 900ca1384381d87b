"""Function checks: imports and names a solution may not use.

Loading hidden inputs and extracting the defining cells lives in
`autograder.common.cases`, which the runner inside the sandbox uses too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable


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
