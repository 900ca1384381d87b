"""nbgrader's gradebook, written by the coordinator alone (workers never open it).

The assignment and its grade cells come from nbgrader's own generate_assignment
run on the instructor source; scores go into each grade cell's `auto_score`,
so `nbgrader formgrader` (manual grading) and `nbgrader export` keep working.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from autograder.common.errors import UserError
from autograder.records.nbgrader import run_converter
from autograder.records.workspace import (
    COURSE_ID,
    Workspace,
    alembic_on_path,
    nbgrader_config,
    read_roster,
)


def ensure_assignment(workspace: Workspace, assignment: str) -> None:
    """Record `assignment` (its notebook, grade cells and checksums) in the gradebook."""
    from nbgrader.converters import GenerateAssignment

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
    run_converter(GenerateAssignment, config, f"nbgrader could not record {assignment}")
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
    row = read_roster(workspace).get(student)
    if row is None:
        return {}
    first, _, last = row.name.strip().rpartition(" ")
    details = {"first_name": first or None, "last_name": last or None,
               "email": row.email or None}
    return {key: value for key, value in details.items() if value}
