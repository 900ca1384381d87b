"""nbgrader's gradebook, written by the coordinator alone (workers never open it).

The assignment and its grade cells come from nbgrader's own generate_assignment
run on the instructor source; scores go into each grade cell's `auto_score`,
so `nbgrader formgrader` (manual grading) and `nbgrader export` keep working.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autograder.common.errors import UserError
from autograder.records.nbgrader import run_converter
from autograder.records.workspace import (
    Workspace,
    alembic_on_path,
    nbgrader_config,
    read_roster,
)


def ensure_assignment(workspace: Workspace, assignment: str, course: Any = None,
                      course_root: Path | None = None) -> None:
    """Record `assignment` (its notebook, grade cells and checksums) in the gradebook.

    `course`: an nbgrader course's settings for generate_assignment (its solution
    and hidden-test markers decide the released checksums and the hidden tests).
    `course_root`: that course's root; its course-wide `autotests.yml` is copied to the
    workspace's root, where generate_assignment looks for it (after the assignment's own).
    """
    import json

    from nbgrader.converters import GenerateAssignment

    source = workspace.source / assignment
    if not (source / f"{assignment}.ipynb").is_file() and not any(source.glob("*.ipynb")):
        raise UserError(f"no assignment {assignment!r} in {workspace.source}")
    target = workspace.root / "source" / assignment
    marker = target / RECORDED
    autotests = course_root / AUTOTESTS if course_root is not None else None
    if autotests is not None and autotests.is_file():  # nbgrader reads it from the root
        shutil.copyfile(autotests, workspace.root / AUTOTESTS)
    recorded = source_digest(source, assignment) + (
        json.dumps(course, sort_keys=True, default=str) if course else "") + (
        autotests.read_text(encoding="utf-8") if autotests and autotests.is_file() else "")
    if marker.is_file() and marker.read_text() == recorded:
        return  # recorded from this very source already: nbgrader takes seconds to redo it
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    alembic_on_path()
    config = nbgrader_config(workspace)
    config.CourseDirectory.assignment_id = assignment
    config.GenerateAssignment.force = True
    if course:
        config.merge(course)
    run_converter(GenerateAssignment, config, f"nbgrader could not record {assignment}")
    marker.write_text(recorded)


def set_due_date(workspace: Workspace, assignment: str, due: str | None) -> None:
    """Give `assignment` the course's due date, as `nbgrader db assignment add --duedate`.

    Without one (`due` None) the workspace's own stays: an instructor may set it
    there with nbgrader's command. AssignLatePenalties reads it when it records.
    """
    import warnings

    from nbgrader.utils import parse_utc

    if due is None:
        return
    with gradebook(workspace) as book, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = book.find_assignment(assignment)
        if found.duedate != parse_utc(due):
            found.duedate = parse_utc(due)
            book.db.commit()


AUTOTESTS = "autotests.yml"  # an nbgrader course's autotest templates, course-wide
RECORDED = ".recorded"  # in the workspace's source/<a>/: the digest nbgrader last recorded


def source_digest(folder: Path, assignment: str) -> str:
    import hashlib

    digest = hashlib.sha256()
    if (folder / f"{assignment}.ipynb").is_file():  # this course's: one notebook, grading.yml
        for name in (f"{assignment}.ipynb", "grading.yml"):
            path = folder / name
            digest.update(path.read_bytes() if path.is_file() else b"")
        return digest.hexdigest()
    for path in sorted(folder.rglob("*")):  # an nbgrader assignment: notebooks and data files
        if path.is_file() and not any(part.startswith(".") for part in
                                      path.relative_to(folder).parts):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def one_engine_per_database() -> Iterator[None]:
    """While it lasts, every nbgrader `Gradebook` opened in this process on one database
    shares one SQLAlchemy engine.

    nbgrader's preprocessors open a Gradebook of their own each (OverwriteCells,
    SaveAutoGrades, AssignLatePenalties: about 9 per submission of a two-notebook
    assignment), and each Gradebook creates an engine, whose statement cache starts
    empty: every query is compiled anew, 0.1 s per Gradebook, and the coordinator
    does it alone while the workers wait. Each Gradebook keeps its own session and
    still commits or closes as before; only the engine (its pool and compiled
    statements) is shared, and disposed of at the end. The coordinator's process only.
    """
    import nbgrader.api as api

    original = api.create_engine
    engines: dict[tuple, Any] = {}

    def shared(url, *args, **kwargs):
        key = (str(url), args, tuple(sorted(kwargs.items())))
        if key not in engines:
            engines[key] = original(url, *args, **kwargs)
        return engines[key]

    api.create_engine = shared
    try:
        yield
    finally:
        api.create_engine = original
        for engine in engines.values():
            engine.dispose()


def gradebook(workspace: Workspace):
    from nbgrader.api import Gradebook

    alembic_on_path()
    return Gradebook(workspace.db_url, workspace.course_id)


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
            grade.needs_manual_grade = False  # as nbgrader's SaveAutoGrades: nothing left to do
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


def record_notebooks(workspace: Workspace, assignment: str, student: str,
                     executed: dict[str, Any], missing: list[str],
                     submitted_at: datetime.datetime | None, config: Any = None) -> None:
    """Record an nbgrader assignment's executed notebooks as `nbgrader autograde` does.

    nbgrader's own SaveAutoGrades decides and stores each grade cell's auto
    score (hand-graded cells need manual grading, answers left as released get
    0 and "No response."), and AssignLatePenalties applies the course's late
    submission plugin. A notebook that was not submitted gets 0 on every cell.
    """
    import warnings

    from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades

    with gradebook(workspace) as book, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes from nbgrader's own code
        book.update_or_create_student(student, **_roster_details(workspace, student))
        book.update_or_create_submission(assignment, student, timestamp=submitted_at)
        for notebook in missing:
            for grade in book.find_submission_notebook(notebook, assignment, student).grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        book.db.commit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, notebook in executed.items():
            resources = {"nbgrader": {"notebook": name, "assignment": assignment,
                                      "student": student, "db_url": workspace.db_url}}
            for preprocessor in (SaveAutoGrades(config=config),
                                 AssignLatePenalties(config=config)):
                preprocessor.log.setLevel(logging.ERROR)
                notebook, resources = preprocessor.preprocess(notebook, resources)
