"""Export the scores: nbgrader's own CSV, or a grades CSV for Moodle's CSV import.

`--format csv` is exactly `nbgrader export` (nbgrader's CsvExportPlugin on the
workspace's gradebook). `--format moodle` writes one row per student, for
Moodle's gradebook "Import → CSV file":

    Email address,a2-cross-correlation[,a2-cross-correlation feedback]
    s001@example.org,9,Score 9/12. ...

Moodle's CSV grade import (docs.moodle.org/311/en/Grade_import, "CSV grade
import"; the mapping form and loader in moodle/moodle
grade/import/grade_import_form.php and grade/import/csv/classes/load_data.php):
  * one header row, then one row per student; comma separated, UTF-8;
  * the user is identified by one column the teacher picks as "Map from", mapped
    to a user field ("Map to"): `Email address` → useremail, or `ID number` →
    useridnumber. A row whose user is not found aborts the whole import, so the
    identifier column is the roster's email only when every exported student has
    one, and otherwise the student id (which Moodle must hold as the ID number);
  * every other column is mapped by hand to an existing grade item, a "new grade
    item" (named after the header: here the assignment), "comments for <item>"
    (feedback), or ignored; grades are plain numbers (a "." decimal point) on the
    item's own scale, and an empty cell or "-" means "no grade";
  * feedback and grades of one item are imported together (the docs' note 3:
    importing feedback overwrites the item's grades), so feedback columns are
    opt-in (`--feedback`) and always come with their grade column.

Scores come from the gradebook (manual grades from formgrader included; the late
penalty taken off as nbgrader's own `score` column does); feedback adds the
reason recorded in each submission's result.json.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.errors import UserError
from autograder.workspace import (
    CONFIG_NAME,
    ROSTER_NAME,
    STATE_NAME,
    Workspace,
    add_course_arguments,
    open_workspace,
)

FORMATS = ("csv", "moodle")
GRADEBOOK_NAME = "gradebook.db"
RESULT_NAME = "result.json"
PROTECTED_FOLDERS = ("submitted", "originals")  # evidence: never written by export or report
PROTECTED_FILES = (GRADEBOOK_NAME, CONFIG_NAME, STATE_NAME, ROSTER_NAME)
# Moodle's user fields for "Map to": the column header says which one to pick.
MOODLE_EMAIL = "Email address"   # → useremail
MOODLE_IDNUMBER = "ID number"    # → useridnumber


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="csv", metavar="{csv,moodle}",
                        help="csv: nbgrader's export columns (default); "
                             "moodle: a grades CSV for Moodle's CSV grade import")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="the CSV file to write (replaced whole, never half-written)")
    parser.add_argument("--assignment", dest="assignments", action="extend", nargs="+",
                        default=[], metavar="A", help="only these assignments (default: all)")
    parser.add_argument("--feedback", action="store_true",
                        help="moodle: add a feedback column per assignment")
    add_course_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise UserError(f"unknown format {args.format!r} (known: {', '.join(FORMATS)})")
    workspace = open_workspace(args.course)
    output = output_path(workspace, args.output)
    names = list(dict.fromkeys(args.assignments))
    book = read_gradebook(workspace, names)  # checks the gradebook and the assignments
    notes = []
    if args.format == "csv":
        export_nbgrader_csv(workspace, names, output)
        done = f"{output}: nbgrader CSV, {_count(len(book), 'assignment')}"
    else:
        rows, identifier, note = moodle_rows(workspace, book, args.feedback)
        notes += [note] if note else []
        with atomic_outputs([output]) as (temp,), temp.open("w", encoding="utf-8",
                                                           newline="") as handle:
            csv.writer(handle).writerows(rows)
        done = (f"{output}: {_count(len(rows) - 1, 'student')}, "
                f"{_count(len(book), 'assignment')}, identified by {identifier!r}")
    failed = [f"{student} ({name})" for name, scores in book.items()
              for student in sorted(scores.submissions)
              if (load_result(workspace, student, name) or {}).get("status") == "error"]
    if failed:
        notes.append(f"{_count(len(failed), 'submission')} hit a grading error (status "
                     f"\"error\" in result.json), so their scores may not be final: "
                     f"{', '.join(failed[:3])}{', …' if len(failed) > 3 else ''}")
    for note in notes:
        print(f"autograder export: note: {note}", file=sys.stderr)
    print(done)
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# --- outputs ---------------------------------------------------------------------------------

def output_path(workspace: Workspace, path: Path, folder: bool = False) -> Path:
    """`path` made absolute; refused inside the evidence folders or over the workspace's files."""
    path = path.expanduser()
    resolved = path.parent.resolve() / path.name if path.name else path.resolve()
    for name in PROTECTED_FOLDERS:
        guarded = workspace.root / name
        if resolved == guarded or guarded in resolved.parents:
            raise UserError(f"refusing to write {path}: {guarded} holds the submissions "
                            "as received")
    if not folder and resolved in [workspace.root / name for name in PROTECTED_FILES]:
        raise UserError(f"refusing to write over the workspace's own {resolved.name}")
    if not folder and resolved.is_dir():
        raise UserError(f"{path} is a folder, not a file")
    if folder and resolved.exists() and not resolved.is_dir():
        raise UserError(f"{path} is a file, not a folder")
    return resolved


@contextlib.contextmanager
def atomic_outputs(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """One temporary file beside each target; renamed over the targets only if the block
    succeeds, and removed otherwise, so no target is ever half-written."""
    temps: list[Path] = []
    try:
        try:
            for target in targets:
                handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                                dir=target.parent)
                os.close(handle)
                temps.append(Path(name))
        except OSError as error:
            raise UserError(f"cannot write {target}: {error.strerror or error}") from None
        try:
            yield temps
            mode = 0o666 & ~_umask()
            for temp, target in zip(temps, targets, strict=True):
                os.chmod(temp, mode)
                os.replace(temp, target)
        except OSError as error:
            where = targets[0] if len(targets) == 1 else targets[0].parent
            raise UserError(f"cannot write {where}: {error.strerror or error}") from None
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- the gradebook ---------------------------------------------------------------------------

@dataclass
class Submission:
    student: str
    raw_score: float
    score: float                 # nbgrader's `score`: raw minus the late penalty, at least 0
    cells: dict[str, float]      # grade id → points earned


@dataclass
class AssignmentScores:
    name: str
    max_score: float
    cells: dict[str, float]      # grade id → points, in the gradebook's (the notebook's) order
    submissions: dict[str, Submission] = field(default_factory=dict)


def gradebook_file(workspace: Workspace) -> Path:
    return workspace.root / GRADEBOOK_NAME


def read_gradebook(workspace: Workspace,
                   assignments: Sequence[str] = ()) -> dict[str, AssignmentScores]:
    """The scores of `assignments` (default: all) as plain data, read from nbgrader's gradebook."""
    from autograder.gradebook import gradebook

    if not gradebook_file(workspace).is_file():  # opening it would create an empty one
        raise UserError(f"no gradebook in {workspace.root} (run `autograder grade` first)")
    with gradebook(workspace) as book, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's notes from nbgrader's own queries
        known = {assignment.name: assignment for assignment in book.assignments}
        unknown = [name for name in assignments if name not in known]
        if unknown:
            listed = ", ".join(sorted(known)) or "none yet"
            raise UserError(f"unknown assignment {unknown[0]!r} "
                            f"(the gradebook has: {listed})")
        result = {}
        for name in assignments or sorted(known):
            assignment = known[name]
            cells = {cell.name: float(cell.max_score or 0.0)
                     for notebook in assignment.notebooks for cell in notebook.grade_cells}
            scores = AssignmentScores(name, float(assignment.max_score or 0.0), cells)
            for submitted in assignment.submissions:
                raw = float(submitted.score or 0.0)
                penalty = float(submitted.late_submission_penalty or 0.0)
                earned = {grade.name: float(grade.score or 0.0)
                          for notebook in submitted.notebooks for grade in notebook.grades}
                student = submitted.student.id
                scores.submissions[student] = Submission(student, raw, max(0.0, raw - penalty),
                                                         earned)
            result[name] = scores
    return result


def load_result(workspace: Workspace, student: str, assignment: str) -> dict[str, Any] | None:
    """The grade verb's result.json for one submission; None when missing or unreadable."""
    path = workspace.autograded(student, assignment) / RESULT_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        print(f"autograder: warning: ignoring {path}: {error}", file=sys.stderr)
        return None
    return data if isinstance(data, dict) else None


def format_points(value: float) -> str:
    """9.0 → "9", 9.5 → "9.5", 1/3 → "0.3333": plain numbers, as Moodle reads them."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# --- nbgrader's CSV --------------------------------------------------------------------------

def export_nbgrader_csv(workspace: Workspace, assignments: Sequence[str], output: Path) -> None:
    """`nbgrader export --assignment …`: nbgrader's own plugin writes the file (a temp one)."""
    from nbgrader.plugins.export import CsvExportPlugin

    from autograder.gradebook import gradebook

    with atomic_outputs([output]) as (temp,):
        plugin = CsvExportPlugin(to=str(temp), assignment=list(assignments))
        with gradebook(workspace) as book, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plugin.export(book)


# --- Moodle's CSV ----------------------------------------------------------------------------

def read_roster(workspace: Workspace) -> dict[str, dict[str, str]]:
    """student id → the roster's row (student_id,name,email,lms_id); {} without a roster."""
    path = workspace.root / ROSTER_NAME
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "student_id" not in reader.fieldnames:
                raise UserError(f"{path}: no student_id column")
            return {row["student_id"].strip(): {key: (value or "").strip()
                                                for key, value in row.items() if key}
                    for row in reader if (row.get("student_id") or "").strip()}
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UserError(f"cannot read {path}: {error}") from None


def moodle_rows(workspace: Workspace, book: dict[str, AssignmentScores],
                feedback: bool) -> tuple[list[list[str]], str, str]:
    """The CSV rows (header first), the identifier column's name, and a note (or "")."""
    students = sorted({student for scores in book.values() for student in scores.submissions})
    roster = read_roster(workspace)
    emails = {student: roster.get(student, {}).get("email", "") for student in students}
    missing = [student for student in students if not emails[student]]
    note = ""
    if roster and not missing:
        identifier, ids = MOODLE_EMAIL, emails
    else:
        identifier, ids = MOODLE_IDNUMBER, {student: student for student in students}
        if roster and missing:
            note = (f"{len(missing)} of {len(students)} students have no email in "
                    f"{ROSTER_NAME} (first: {missing[0]}): identifying by {MOODLE_IDNUMBER!r}")
    header = [identifier]
    for name in book:
        header += [name, f"{name} feedback"] if feedback else [name]
    rows = [header]
    for student in students:
        row = [ids[student]]
        for name, scores in book.items():
            submission = scores.submissions.get(student)
            row.append("" if submission is None else format_points(submission.score))
            if feedback:
                row.append("" if submission is None else
                           feedback_text(scores, submission,
                                         load_result(workspace, student, name)))
        rows.append(row)
    return rows, identifier, note


FEEDBACK_WORDS = {
    "en": {"score": "Score", "missed": "Not full marks", "all": "All tests passed.",
           "note": "Note"},
    "el": {"score": "Βαθμός", "missed": "Όχι πλήρης βαθμός", "all": "Όλοι οι έλεγχοι πέρασαν.",
           "note": "Σημείωση"},
}


def feedback_text(scores: AssignmentScores, submission: Submission,
                  result: dict[str, Any] | None) -> str:
    """One line for Moodle's feedback: the score, the tests short of full points, the reason."""
    language = (result or {}).get("language")
    words = FEEDBACK_WORDS.get(language if isinstance(language, str) else "en",
                               FEEDBACK_WORDS["en"])
    parts = [f"{words['score']} {format_points(submission.score)}/"
             f"{format_points(scores.max_score)}."]
    missed = [f"{cell} {format_points(submission.cells.get(cell, 0.0))}/{format_points(points)}"
              for cell, points in scores.cells.items()
              if submission.cells.get(cell, 0.0) < points - 1e-9]
    parts.append(f"{words['missed']}: {', '.join(missed)}." if missed else words["all"])
    reason = str((result or {}).get("reason") or "").strip()
    if reason:
        parts.append(f"{words['note']}: {reason}.")
    return " ".join(parts)
