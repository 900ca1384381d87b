"""Every assignment runs under its `ci` budget: the solution passes every test
(hidden ones included), and the student edition runs to the end, losing the
points of the unanswered parts instead of hanging or crashing the runner."""

from __future__ import annotations

import logging

import pytest

from autograder.common import project
from autograder.common.assignment import grade_cells
from autograder.common.spec import load_spec
from benchmarks.execute import cell_errors, execute_notebook, stderr_text
from tests.conftest import FULL_DATA_DIR

ASSIGNMENTS = project.assignment_names(project.SOLUTIONS)
KERAS = {"a3-mnist-cnn", "a4-cifar10-cnn", "a5-transfer-learning"}


def _params(name: str):
    marks = [pytest.mark.keras] if name in KERAS else []
    return pytest.param(name, marks=marks, id=name)


def _run(name: str, notebook, tmp_path):
    spec = load_spec(project.SOLUTIONS / name)
    parameters = {**spec.profile("ci").parameters, "DATA_DIR": FULL_DATA_DIR}
    return execute_notebook(notebook, tmp_path / "executed.ipynb", parameters, cwd=tmp_path,
                            cell_timeout=spec.profile("ci").limits["cell_timeout"])


def _scores(notebook) -> dict[str, tuple[float, float]]:
    from nbgrader.utils import determine_grade

    log = logging.getLogger("tests")
    return {grade_id: determine_grade(cell, log)
            for grade_id, cell in grade_cells(notebook).items()}


@pytest.mark.parametrize("name", [_params(name) for name in ASSIGNMENTS])
def test_solution_passes_every_test_under_the_ci_budget(name, tmp_path):
    executed = _run(name, project.SOLUTIONS / name / f"{name}.ipynb", tmp_path)
    assert cell_errors(executed) == []
    for grade_id, (score, points) in _scores(executed).items():
        assert score == points, f"{grade_id}: {score}/{points}"
    for cell in grade_cells(executed).values():  # nbgrader zeroes a test cell with stderr
        assert stderr_text(cell) == "", cell.metadata.nbgrader.grade_id


@pytest.mark.parametrize("name", [_params(name) for name in ASSIGNMENTS])
def test_student_edition_runs_to_the_end_and_scores_zero(name, tmp_path):
    released = project.EXERCISES / "en" / name / f"{name}.ipynb"
    executed = _run(name, released, tmp_path)
    code_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code_cells), "a cell never ran"
    assert any("NotImplementedError" in error for error in cell_errors(executed))
    scores = _scores(executed)
    assert sum(score for score, _ in scores.values()) == 0, scores
