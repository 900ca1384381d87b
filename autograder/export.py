"""Export the scores: nbgrader's CSV, Moodle's grades CSV or grading worksheet, eClass's file.

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

`--format moodle-worksheet --worksheet FILE --assignment A` fills the Grade and Feedback
comments of the CSV from the assignment's "Download grading worksheet", for its "Upload
grading worksheet" (format and sources: autograder/records/moodle.py). Rows are matched by
the worksheet's Identifier ("Participant 123") against the roster's lms_id, never by name.
Where the worksheet's "Maximum grade" differs from the assignment's points, grades are scaled
to it (Moodle skips a grade above the maximum) and a note says so.

`--format eclass --assignment A` writes the grades file Open eClass's work module imports
(format and sources: autograder/records/eclass.py), keyed by the roster's lms_id, which must
be the student's eClass username.

Scores come from the gradebook (manual grades from formgrader included; the late
penalty taken off as nbgrader's own `score` column does); feedback adds the
reason recorded in each submission's result.json.

An nbgrader assignment of several notebooks exports one grade per student: the sum of the
notebooks' scores out of the sum of their maxima (nbgrader's own `score` and `max_score`), a
notebook not submitted counting 0; the feedback line gives each notebook's points. Such an
assignment leaves hand-graded answers to formgrader, and until they are graded the sum is not
final: every format refuses to export while an exported submission has an answer with no
score yet (neither automatic nor manual), naming them, unless `--allow-ungraded`, which
exports the provisional sums (those answers count 0), says so in a note and in each feedback
line, and leaves nbgrader's CSV columns as nbgrader writes them.
"""

from __future__ import annotations

import argparse
import csv
import html
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from autograder.common.errors import UserError
from autograder.records import eclass, moodle
from autograder.records.results import (
    AssignmentScores,
    GradedSubmission,
    atomic_outputs,
    format_points,
    load_result,
    notebook_shares,
    output_path,
    read_gradebook,
    waiting_text,
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

FORMATS = ("csv", "moodle", "moodle-worksheet", "eclass")
ONE_ASSIGNMENT = ("moodle-worksheet", "eclass")  # an LMS file is one assignment's
# Moodle's user fields for "Map to": the column header says which one to pick.
MOODLE_EMAIL = "Email address"   # → useremail
MOODLE_IDNUMBER = "ID number"    # → useridnumber


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="csv", metavar="{" + ",".join(FORMATS) + "}",
                        help="csv: nbgrader's export columns (default); "
                             "moodle: a grades CSV for Moodle's CSV grade import; "
                             "moodle-worksheet: Moodle's grading worksheet filled in "
                             "(with --worksheet and one --assignment); "
                             "eclass: Open eClass's grades import file (one --assignment)")
    parser.add_argument("--worksheet", type=Path, default=None, metavar="FILE",
                        help="moodle-worksheet: the CSV from Moodle's \"Download grading "
                             "worksheet\" (read only; never changed)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="the CSV file to write (replaced whole, never half-written)")
    parser.add_argument("--assignment", dest="assignments", action="extend", nargs="+",
                        default=[], metavar="A", help="only these assignments (default: all)")
    parser.add_argument("--feedback", action="store_true",
                        help="moodle: add a feedback column per assignment")
    parser.add_argument("--allow-ungraded", action="store_true",
                        help="export even while answers await hand grading in formgrader: "
                             "they count 0, and notes and feedback say the scores are "
                             "provisional (default: refuse)")
    add_course_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise UserError(f"unknown format {args.format!r} (known: {', '.join(FORMATS)})")
    names = list(dict.fromkeys(args.assignments))
    if args.format in ONE_ASSIGNMENT and len(names) != 1:
        raise UserError(f"--format {args.format} needs exactly one --assignment "
                        "(an LMS grades file belongs to one assignment)")
    if (args.worksheet is None) == (args.format == "moodle-worksheet"):
        raise UserError("--worksheet FILE goes with --format moodle-worksheet, and only with it")
    workspace = open_workspace(args.course)
    output = output_path(workspace, args.output)
    book = read_gradebook(workspace, names)  # checks the gradebook and the assignments
    notes = []
    waiting = awaiting_hand_grading(book)
    if waiting and not args.allow_ungraded:
        raise UserError(f"{_count(len(waiting), 'submission')} still {_have(waiting)} answers "
                        f"awaiting hand grading in formgrader ({_examples(waiting)}): grade "
                        "them first (`nbgrader formgrader`), or pass --allow-ungraded to "
                        "export provisional scores that count them as 0")
    if waiting:
        notes.append(f"provisional scores: {_count(len(waiting), 'submission')} still "
                     f"{_have(waiting)} answers awaiting hand grading, counted as 0 "
                     f"({_examples(waiting)}); export again once formgrader has graded them")
    if args.format == "moodle-worksheet":
        done = export_moodle_worksheet(workspace, book[names[0]], args.worksheet, output, notes)
    elif args.format == "eclass":
        done = export_eclass(workspace, book[names[0]], output, notes)
    elif args.format == "csv":
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


def _have(items: Sequence[object]) -> str:
    return "has" if len(items) == 1 else "have"


def awaiting_hand_grading(book: dict[str, AssignmentScores]
                          ) -> list[tuple[str, GradedSubmission]]:
    """(assignment, submission) for each submission with answers formgrader has to grade."""
    return [(name, scores.submissions[student]) for name, scores in book.items()
            for student in sorted(scores.submissions) if scores.submissions[student].provisional]


def _examples(waiting: list[tuple[str, GradedSubmission]]) -> str:
    """"bitdiddle (ps1: 3 cells), hacker (ps1: 4 cells)", the first three."""
    shown = [f"{submission.student} ({name}: {_count(len(submission.pending), 'cell')})"
             for name, submission in waiting[:3]]
    return ", ".join(shown) + (", …" if len(waiting) > 3 else "")


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


# --- Moodle's grading worksheet, eClass's grades file ------------------------------------------

def _lms_students(workspace: Workspace) -> dict[str, list[str]]:
    """lms_id → the roster's student ids with it (more than one is the roster's error)."""
    roster = read_roster(workspace)
    if not any(student.lms_id.strip() for student in roster.values()):
        raise UserError(f"no LMS ids in {workspace.root / ROSTER_NAME}: students are matched "
                        "by their LMS id, never by name (collect with --roster, whose lms_id "
                        "column holds Moodle's participant id or the eClass username)")
    by_id: dict[str, list[str]] = {}
    for student in roster.values():
        if student.lms_id.strip():
            by_id.setdefault(student.lms_id.strip(), []).append(student.student_id)
    return by_id


def export_moodle_worksheet(workspace: Workspace, scores: AssignmentScores, worksheet: Path,
                            output: Path, notes: list[str]) -> str:
    """Fill the worksheet's Grade and Feedback comments; returns the summary line."""
    if output == worksheet.expanduser().resolve():
        raise UserError(f"refusing to write over the downloaded worksheet {worksheet}: "
                        "name another output (-o)")
    sheet = moodle.read_worksheet(worksheet)
    by_id = _lms_students(workspace)
    marks: dict[str, tuple[str, str]] = {}
    unknown, shared, scaled = [], [], set()
    for row in sheet.rows:
        participant = sheet.participant(row)
        students = by_id.get(participant or "", [])
        if len(students) != 1:
            (shared if students else unknown).append(row[sheet.columns[moodle.IDENTIFIER]])
            continue
        submission = scores.submissions.get(students[0])
        if submission is None:
            continue  # no graded submission: the row stays as Moodle wrote it
        points = submission.score
        maximum = _number(row[sheet.columns[moodle.MAX_GRADE]]) \
            if moodle.MAX_GRADE in sheet.columns else None
        if maximum and scores.max_score and abs(maximum - scores.max_score) > 1e-9:
            points = points * maximum / scores.max_score
            scaled.add(format_points(maximum))
        result = load_result(workspace, students[0], scores.name)
        marks[participant] = (format_points(points),
                              html.escape(feedback_text(scores, submission, result)))
    filled = moodle.fill_worksheet(sheet, marks)
    with atomic_outputs([output]) as (temp,):
        temp.write_text(moodle.worksheet_text(sheet), encoding="utf-8", newline="")
    if unknown:
        notes.append(f"{_count(len(unknown), 'worksheet row')} left unchanged: the roster has "
                     f"no lms_id for {', '.join(unknown[:3])}{', …' if len(unknown) > 3 else ''}")
    if shared:
        notes.append(f"{_count(len(shared), 'worksheet row')} left unchanged: several roster "
                     f"rows share the lms_id of {', '.join(shared[:3])}")
    if scaled:
        notes.append(f"grades scaled from {format_points(scores.max_score)} points to the "
                     f"worksheet's Maximum grade {', '.join(sorted(scaled))}")
    if moodle.FEEDBACK_COMMENTS not in sheet.columns:
        notes.append(f"the worksheet has no {moodle.FEEDBACK_COMMENTS!r} column (feedback "
                     "comments are off in this assignment): grades only")
    with_id = {students[0] for students in by_id.values() if len(students) == 1}
    missing = sorted(set(scores.submissions) - {by_id[p][0] for p in filled})
    for reason, group in (("no lms_id in the roster", [s for s in missing if s not in with_id]),
                          ("no worksheet row with their lms_id",
                           [s for s in missing if s in with_id])):
        if group:
            notes.append(f"{_count(len(group), 'graded student')} not filled in ({reason}): "
                         f"{', '.join(group[:3])}{', …' if len(group) > 3 else ''}")
    return (f"{output}: Moodle grading worksheet for {scores.name}, "
            f"{len(filled)} of {_count(len(sheet.rows), 'row')} filled in")


def _number(text: str) -> float | None:
    """Moodle's formatted float ("16.00", or "16,00" where the decimal point is a comma)."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def export_eclass(workspace: Workspace, scores: AssignmentScores, output: Path,
                  notes: list[str]) -> str:
    """eClass's grades import file for one assignment; returns the summary line."""
    roster = read_roster(workspace)
    _lms_students(workspace)  # refuses a roster without LMS ids
    rows, skipped = [], []
    for student, submission in sorted(scores.submissions.items()):
        username = roster[student].lms_id.strip() if student in roster else ""
        if not username:
            skipped.append(student)
            continue
        result = load_result(workspace, student, scores.name)
        rows.append((username, format_points(submission.score),
                     feedback_text(scores, submission, result)))
    if not rows:
        raise UserError(f"no graded student of {scores.name} has an lms_id in {ROSTER_NAME}: "
                        "nothing to import")
    with atomic_outputs([output]) as (temp,):
        temp.write_text(eclass.grades_csv(rows), encoding="utf-8", newline="")
    if skipped:
        notes.append(f"{_count(len(skipped), 'graded student')} left out, with no lms_id "
                     f"(eClass username) in {ROSTER_NAME}: {', '.join(skipped[:3])}"
                     f"{', …' if len(skipped) > 3 else ''}")
    if not output.name.lower().endswith(".csv"):
        notes.append(f"eClass reads the file by its name: call it *.csv (not {output.name})")
    return (f"{output}: Open eClass grades for {scores.name}, {_count(len(rows), 'student')} "
            f"(points out of {format_points(scores.max_score)}: the eClass assignment's "
            "maximum grade must be at least that)")


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
# result.json's count of hand-graded cells is as grading left it; the gradebook says what
# still waits now (formgrader may have graded them since), so that reason is not repeated
STALE_REASONS = ("manual_cells",)


def feedback_text(scores: AssignmentScores, submission: GradedSubmission,
                  result: Result | None) -> str:
    """One line for Moodle's feedback: the score, the tests short of full points, the reason,
    in the language the student worked in."""
    language = result.language if result is not None and result.language in FEEDBACK_WORDS \
        else "en"
    words = FEEDBACK_WORDS[language]
    total = f"{words['score']} {format_points(submission.score)}/{format_points(scores.max_score)}"
    shares = notebook_shares(scores, submission)  # the sum of the notebooks' points
    parts = [f"{total} ({shares})." if shares else f"{total}."]
    waiting = waiting_text(scores, submission, language)
    if waiting:
        parts.append(waiting)
    missed = [f"{cell} {format_points(submission.cells.get(cell, 0.0))}/{format_points(points)}"
              for cell, points in scores.cells.items()
              if submission.cells.get(cell, 0.0) < points - 1e-9
              and cell not in submission.pending]
    parts.append(f"{words['missed']}: {', '.join(missed)}." if missed else words["all"])
    reasons = [] if result is None else [r for r in result.reasons if r.code not in STALE_REASONS]
    reason = render(reasons, language).strip()
    if reason:
        parts.append(f"{words['note']}: {reason}.")
    return " ".join(parts)
