"""nbgrader's rules for test cells, and the one place the grader departs from them."""

from __future__ import annotations

import nbformat
from nbgrader.utils import determine_grade

from autograder.scoring.nbgrader_mode import (
    autograded_points,
    mark_never_ran,
    prepare,
    score_notebook,
)


def grade_cell(grade_id: str, points: float, outputs: list) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("assert True", outputs=outputs)
    cell.metadata.nbgrader = {"grade": True, "grade_id": grade_id, "locked": True,
                              "points": points, "solution": False, "schema_version": 3}
    return cell


def answer_cell(grade_id: str, points: float) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell("An answer")
    cell.metadata.nbgrader = {"grade": True, "grade_id": grade_id, "locked": False,
                              "points": points, "solution": True, "schema_version": 3}
    return cell


def notebook(*cells) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=list(cells))


def test_points_follow_nbgrader_s_rules():
    error = nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])
    stderr = nbformat.v4.new_output("stream", name="stderr", text="a warning\n")
    partial = nbformat.v4.new_output("execute_result", data={"text/plain": "0.5"},
                                     execution_count=1)
    executed = notebook(grade_cell("ok", 1, []), grade_cell("raises", 2, [error]),
                        grade_cell("warns", 1, [stderr]), grade_cell("half", 2, [partial]),
                        answer_cell("essay", 3))
    parts, manual = score_notebook("p1", executed)
    assert [(p.cell, p.score, p.points) for p in parts] == [
        ("p1/ok", 1, 1), ("p1/raises", 0, 2), ("p1/warns", 0, 1), ("p1/half", 0.5, 2)]
    assert [p.reason.code if p.reason else None for p in parts] == [
        None, "test_error", "test_stderr", "partial_credit"]
    assert manual == 1  # the written answer waits for formgrader
    assert autograded_points(executed) == 6


def test_a_test_cell_that_never_ran_scores_zero_where_nbgrader_gives_full_points():
    executed = notebook(grade_cell("ran", 1, []), grade_cell("never", 2, []))
    assert determine_grade(executed.cells[1]) == (2, 2)  # nbgrader: no outputs, full points
    assert mark_never_ran(executed, executed={0}) == 1
    parts, _ = score_notebook("p1", executed)
    assert [(p.cell, p.score) for p in parts] == [("p1/ran", 1), ("p1/never", 0)]
    assert parts[1].reason.code == "never_ran"
    assert determine_grade(executed.cells[1]) == (0, 2)  # what SaveAutoGrades then records


def test_ignored_stderr_is_dropped_before_scoring_as_nbgrader_does():
    from traitlets.config import Config

    noise = nbformat.v4.new_output("stream", name="stderr", text="Matplotlib is building\n")
    executed = notebook(grade_cell("plot", 1, [noise]))
    config = Config({"IgnorePattern": {"pattern": "Matplotlib is building"}})
    parts, _ = score_notebook("p1", prepare(executed, config))
    assert parts[0].score == 1
