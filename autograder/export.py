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
import csv
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from autograder.common.errors import UserError
from autograder.records.results import (
    AssignmentScores,
    GradedSubmission,
    atomic_outputs,
    format_points,
    load_result,
    output_path,
    read_gradebook,
)
from autograder.records.workspace import (
    ROSTER_NAME,
    Workspace,
    add_course_arguments,
    open_workspace,
    read_roster,
)
from autograder.scoring.reasons import render
from autograder.scoring.result import ERROR, Result

FORMATS = ("csv", "moodle")
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
              if (result := load_result(workspace, student, name)) and result.status == ERROR]
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


# --- nbgrader's CSV --------------------------------------------------------------------------

def export_nbgrader_csv(workspace: Workspace, assignments: Sequence[str], output: Path) -> None:
    """`nbgrader export --assignment …`: nbgrader's own plugin writes the file (a temp one)."""
    from nbgrader.plugins.export import CsvExportPlugin

    from autograder.records.gradebook import gradebook

    with atomic_outputs([output]) as (temp,):
        plugin = CsvExportPlugin(to=str(temp), assignment=list(assignments))
        with gradebook(workspace) as book, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plugin.export(book)


# --- Moodle's CSV ----------------------------------------------------------------------------

def moodle_rows(workspace: Workspace, book: dict[str, AssignmentScores],
                feedback: bool) -> tuple[list[list[str]], str, str]:
    """The CSV rows (header first), the identifier column's name, and a note (or "")."""
    students = sorted({student for scores in book.values() for student in scores.submissions})
    roster = read_roster(workspace)
    emails = {student: (roster[student].email if student in roster else "") for student in students}
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


def feedback_text(scores: AssignmentScores, submission: GradedSubmission,
                  result: Result | None) -> str:
    """One line for Moodle's feedback: the score, the tests short of full points, the reason,
    in the language the student worked in."""
    language = result.language if result is not None and result.language in FEEDBACK_WORDS \
        else "en"
    words = FEEDBACK_WORDS[language]
    parts = [f"{words['score']} {format_points(submission.score)}/"
             f"{format_points(scores.max_score)}."]
    missed = [f"{cell} {format_points(submission.cells.get(cell, 0.0))}/{format_points(points)}"
              for cell, points in scores.cells.items()
              if submission.cells.get(cell, 0.0) < points - 1e-9]
    parts.append(f"{words['missed']}: {', '.join(missed)}." if missed else words["all"])
    reason = render(result.reasons, language).strip() if result is not None else ""
    if reason:
        parts.append(f"{words['note']}: {reason}.")
    return " ".join(parts)
