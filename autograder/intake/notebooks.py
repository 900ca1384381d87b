"""What makes a received file a gradable notebook of an assignment: read, never run."""

from __future__ import annotations

import json


def grade_ids(notebook: dict) -> set[str]:
    """The nbgrader grade IDs of a notebook read as plain JSON."""
    found = set()
    for cell in notebook.get("cells") or []:
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        if isinstance(nbgrader, dict) and isinstance(nbgrader.get("grade_id"), str):
            found.add(nbgrader["grade_id"])
    return found


def check_notebook(data: bytes, assignment: str, source_ids: set[str]) -> tuple[str, str]:
    """(why `data` cannot be graded as `assignment`, or ""; the notebook's language)."""
    try:
        notebook = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return "corrupt JSON (not UTF-8 text)", ""
    except json.JSONDecodeError as error:
        return f"corrupt JSON (line {error.lineno}: {error.msg})", ""
    if not isinstance(notebook, dict) or "nbformat" not in notebook:
        return "not a notebook (JSON without nbformat)", ""
    if notebook["nbformat"] != 4:
        return f"not an nbformat 4 notebook (nbformat {notebook['nbformat']})", ""
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        return "not a valid notebook (no list of cells)", ""
    if not cells:
        return "empty notebook (no cells)", ""
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or "cell_type" not in cell or "source" not in cell:
            return f"not a valid notebook (cell {number} is malformed)", ""
    metadata = notebook.get("metadata") if isinstance(notebook.get("metadata"), dict) else {}
    cnnbook = metadata.get("cnnbook") if isinstance(metadata.get("cnnbook"), dict) else {}
    language = cnnbook.get("language") if isinstance(cnnbook.get("language"), str) else ""
    declared = cnnbook.get("assignment")
    if declared is not None:
        if declared != assignment:
            return f"wrong assignment (the notebook is {declared}, not {assignment})", language
        return "", language
    ids = grade_ids(notebook)
    if not source_ids:  # a source without grade cells (nbgrader's side-effects.ipynb)
        if ids:
            return f"wrong assignment ({assignment} has no grade IDs, this notebook has)", language
        return "", language
    if not ids & source_ids:
        return f"wrong assignment (none of its grade IDs is {assignment}'s)", language
    foreign = sorted(ids - source_ids)
    if foreign:
        return (f"wrong assignment (grade IDs {', '.join(foreign[:3])} are not "
                f"{assignment}'s)"), language
    return "", language


