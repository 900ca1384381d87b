"""An assignment's source notebook read against its grading.yml."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from autograder.common.bilingual import LANGUAGES, cell_languages
from autograder.common.errors import UserError
from autograder.common.spec import Spec, load_spec


def read_notebook(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except Exception as error:  # nbformat raises several kinds for bad JSON or schema
        raise UserError(f"{path}: not a readable notebook ({type(error).__name__})") from None


def grade_cells(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """nbgrader's graded cells (tests and graded answers), by grade ID."""
    return {cell.metadata.nbgrader["grade_id"]: cell for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("grade")}


def parameters_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    tagged = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    return tagged[0] if len(tagged) == 1 else None


def parameter_names(cell: nbformat.NotebookNode) -> list[str]:
    """The names a parameters cell assigns, in order."""
    names = []
    for node in ast.parse(cell.source).body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        names += [target.id for target in targets if isinstance(target, ast.Name)]
    return names


def validate(spec: Spec, notebook: nbformat.NotebookNode) -> None:
    """Raise UserError where grading.yml and the notebook disagree."""
    where = spec.notebook
    cell = parameters_cell(notebook)
    if cell is None:
        raise UserError(f"{where}: needs exactly one code cell tagged 'parameters'")
    names = parameter_names(cell)
    for required in ("SEED", "DATA_DIR"):
        if required not in names:
            raise UserError(f"{where}: the parameters cell does not set {required}")
    for profile in spec.profiles.values():
        for name in profile.parameters:
            if name not in names:
                raise UserError(f"{where}: profile {profile.name} sets {name}, "
                                "which the parameters cell does not define")
    graded = grade_cells(notebook)
    for check in spec.checks:
        if check.cell not in graded:
            raise UserError(f"{where}: grading.yml scores cell {check.cell!r}, "
                            "which is not a graded cell of the notebook")
        points = float(graded[check.cell].metadata.nbgrader.get("points", 0))
        if points != check.points:
            raise UserError(f"{where}: cell {check.cell!r} is worth {points:g} points in the "
                            f"notebook but {check.points:g} in grading.yml")
    unscored = sorted(set(graded) - {check.cell for check in spec.checks})
    if unscored:
        raise UserError(f"{where}: graded cell {unscored[0]!r} has no check in grading.yml")
    for language in LANGUAGES:
        if not any(language in cell_languages(c) for c in notebook.cells):
            raise UserError(f"{where}: no markdown cell is tagged lang:{language}")


def load_assignment(solutions: Path, name: str) -> tuple[Spec, nbformat.NotebookNode]:
    spec = load_spec(solutions / name)
    notebook = read_notebook(spec.notebook)
    validate(spec, notebook)
    return spec, notebook
