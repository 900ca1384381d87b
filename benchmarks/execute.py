"""Run a notebook with papermill: the budget goes into the `parameters` cell.

`allow_errors` keeps going after a failing cell, as nbgrader does, so that a
crash in one part does not cost the points of the parts after it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import nbformat


def execute_notebook(source: Path, output: Path, parameters: dict[str, Any], cwd: Path,
                     cell_timeout: float | None = None,
                     allow_errors: bool = True) -> nbformat.NotebookNode:
    """Execute `source` with `parameters` injected; write and return the executed notebook."""
    import papermill

    logging.getLogger("papermill").setLevel(logging.WARNING)
    try:
        papermill.execute_notebook(
            str(source), str(output), parameters=parameters, cwd=str(cwd),
            kernel_name="python3", progress_bar=False, log_output=False,
            execution_timeout=cell_timeout, allow_errors=allow_errors)
    except papermill.PapermillExecutionError:
        if not allow_errors:
            raise
    return nbformat.read(output, as_version=4)


def cell_errors(notebook: nbformat.NotebookNode) -> list[str]:
    """`ename: evalue` of each error output, in order (papermill's own marker cells skipped)."""
    return [f"{output.ename}: {output.evalue}" for cell in notebook.cells
            if cell.cell_type == "code" for output in cell.get("outputs", [])
            if output.output_type == "error"]


def stderr_text(cell: nbformat.NotebookNode) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", [])
                   if output.output_type == "stream" and output.name == "stderr")
