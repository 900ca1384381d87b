"""nbgrader's gradebook, written by the coordinator alone (workers never open it).

The assignment and its grade cells come from nbgrader's own generate_assignment
run on the instructor source; scores go into each grade cell's `auto_score`,
so `nbgrader formgrader` (manual grading) and `nbgrader export` keep working.
"""

from __future__ import annotations

import datetime
import logging
import shutil
from collections.abc import Iterable
from pathlib import Path

from autograder.errors import UserError
from autograder.workspace import COURSE_ID, Workspace, alembic_on_path, nbgrader_config


def ensure_assignment(workspace: Workspace, assignment: str) -> None:
    """Record `assignment` (its notebook, grade cells and checksums) in the gradebook."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    source = workspace.source / assignment
    if not (source / f"{assignment}.ipynb").is_file():
        raise UserError(f"no assignment {assignment!r} in {workspace.source}")
    target = workspace.root / "source" / assignment
    marker = target / RECORDED
    if marker.is_file() and marker.read_text() == source_digest(source, assignment):
        return  # recorded from this very source already: nbgrader takes seconds to redo it
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    alembic_on_path()
    config = nbgrader_config(workspace)
    config.CourseDirectory.assignment_id = assignment
    config.GenerateAssignment.force = True
    coursedir = CourseDirectory(config=config)
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.log.setLevel(logging.WARNING)
    try:
        converter.start()
    except Exception as error:  # nbgrader logs the details and raises its own type
        raise UserError(f"nbgrader could not record {assignment}: {error}") from None
    marker.write_text(source_digest(source, assignment))


RECORDED = ".recorded"  # in the workspace's source/<a>/: the digest nbgrader last recorded


def source_digest(folder: Path, assignment: str) -> str:
    import hashlib

    digest = hashlib.sha256()
    for name in (f"{assignment}.ipynb", "grading.yml"):
        path = folder / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def gradebook(workspace: Workspace):
    from nbgrader.api import Gradebook

    alembic_on_path()
    return Gradebook(workspace.db_url, COURSE_ID)


def record_scores(workspace: Workspace, assignment: str, student: str,
                  scores: dict[str, float], submitted_at: datetime.datetime | None) -> None:
    """Store one submission's score per grade cell (grade ID → points earned)."""
    import warnings

    with gradebook(workspace) as book, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes from nbgrader's own code
        book.update_or_create_student(student, **_roster_details(workspace, student))
        book.update_or_create_submission(assignment, student, timestamp=submitted_at)
        for grade_id, score in scores.items():
            grade = book.find_grade(grade_id, assignment, assignment, student)
            grade.auto_score = float(score)
        book.db.commit()


def _roster_details(workspace: Workspace, student: str) -> dict[str, str]:
    """Name and email from the workspace's roster.csv, for nbgrader's export columns."""
    import csv

    from autograder.workspace import ROSTER_NAME

    try:
        with open(workspace.root / ROSTER_NAME, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("student_id") == student:
                    first, _, last = (row.get("name") or "").strip().rpartition(" ")
                    details = {"first_name": first or None, "last_name": last or None,
                               "email": row.get("email") or None}
                    return {key: value for key, value in details.items() if value}
    except OSError:
        pass
    return {}


def grade_cell_points(workspace: Workspace, assignment: str) -> dict[str, float]:
    with gradebook(workspace) as book:
        notebook = book.find_notebook(assignment, assignment)
        return {cell.name: float(cell.max_score) for cell in notebook.grade_cells}


def recorded_students(workspace: Workspace, assignment: str) -> Iterable[str]:
    with gradebook(workspace) as book:
        return [s.student.id for s in book.find_assignment(assignment).submissions]


def submission_folder(workspace: Workspace, student: str, assignment: str) -> Path:
    return workspace.submitted(student, assignment)
