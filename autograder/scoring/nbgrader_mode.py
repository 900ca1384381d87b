"""Points of an executed notebook by nbgrader's rules: the in-kernel mode (no grading.yml).

nbgrader decides a test cell by its outputs (`nbgrader.utils.determine_grade`):
an error or any stderr output gives 0, a number as the cell's result gives
partial credit, anything else full points. Before deciding, nbgrader's own
autograde pipeline drops ignored stderr (`IgnorePattern`) and caps the output
(`LimitOutput`); `prepare` runs the same preprocessors, so the points here equal
what nbgrader's `SaveAutoGrades` records from the same notebook.

Answer cells that are graded by hand (grade and solution) and task cells are
left to formgrader, as nbgrader leaves them: they get no Part here.

One documented difference, where nbgrader is wrong: a test cell that never ran
(the run stopped before it) has no outputs, and nbgrader gives it full points.
`mark_never_ran` gives it an error output first, so it scores 0 here and in
the gradebook alike.
"""

from __future__ import annotations

from typing import Any

from autograder.scoring.reasons import Reason, reason
from autograder.scoring.result import Part

NEVER_RAN = "NotRunByTheGrader"


def prepare(notebook: Any, config: Any = None) -> Any:
    """The executed notebook as nbgrader's autograde pipeline has it before SaveAutoGrades."""
    from nbgrader.preprocessors import IgnorePattern, LimitOutput

    for preprocessor in (IgnorePattern(config=config), LimitOutput(config=config)):
        notebook, _ = preprocessor.preprocess(notebook, {})
    return notebook


def is_test_cell(cell: Any) -> bool:
    """An autograded test: a code grade cell that is not a student's answer."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def mark_never_ran(notebook: Any, executed: set[int]) -> int:
    """Give each test cell the run did not finish an error output; return how many.

    `executed` holds the indices of the cells that ran to their end; a cell
    stopped halfway (a timeout) may have printed something, and counts as not run.
    """
    import nbformat

    marked = 0
    for index, cell in enumerate(notebook.cells):
        if is_test_cell(cell) and index not in executed:
            cell.outputs = [*cell.get("outputs", []), nbformat.v4.new_output(
                "error", ename=NEVER_RAN, evalue="the notebook stopped before or in this cell",
                traceback=[f"{NEVER_RAN}: the notebook stopped before or in this cell"])]
            marked += 1
    return marked


def score_notebook(name: str, notebook: Any, prefix: bool = True) -> tuple[list[Part], int]:
    """(the autograded cells' Parts, named `name/grade_id`; how many cells are left to
    formgrader: manually graded answers and tasks, as the gradebook counts them)."""
    from nbgrader.utils import determine_grade, is_grade, is_task

    parts, manual = [], 0
    for cell in notebook.cells:
        if is_task(cell):  # a task is always graded by hand
            manual += 1
            continue
        if not is_grade(cell):
            continue
        score, points = determine_grade(cell)
        if score is None:
            manual += 1
            continue
        grade_id = cell.metadata.nbgrader["grade_id"]
        cell_name = f"{name}/{grade_id}" if prefix else grade_id
        parts.append(Part(cell_name, float(points), float(score), score >= points,
                          None if score >= points else _why(cell, score, points)))
    return parts, manual


def autograded_points(notebook: Any) -> float:
    """The points nbgrader's autograder can give in `notebook` (test cells only)."""
    return sum(float(cell.metadata.nbgrader.get("points", 0)) for cell in notebook.cells
               if is_test_cell(cell))


def _why(cell: Any, score: float, points: float) -> Reason:
    if cell.metadata.nbgrader.get("solution"):
        return reason("no_response")
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            if output.get("ename") == NEVER_RAN:
                return reason("never_ran")
            return reason("test_error", error=str(output.get("ename") or "an error"))
        if output.output_type == "stream" and output.get("name") == "stderr":
            return reason("test_stderr")
    return reason("partial_credit", score=float(score), points=float(points))
