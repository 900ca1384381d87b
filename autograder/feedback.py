"""Write one HTML feedback page per student, in the language they worked in.

nbgrader's GenerateFeedback does the conversion (its template shows each
graded cell's points from the gradebook). Before it, hidden tests are cleared
from the source, tracebacks of test cells are cut to their last line (they
would quote hidden test code), and a summary in the student's language opens
the page: each part's points and the reason for any loss.

`--zip moodle [-o FILE.zip]` also packs the pages for Moodle's "Upload multiple feedback
files in a zip": each page in the folder Moodle names for that participant, from the
roster's name and lms_id (Moodle's participant id); see autograder/records/moodle.py.
An nbgrader assignment of several notebooks has a page per notebook: all of a student's
pages go into that one folder (Moodle's importer keeps every file after the folder as one
feedback file of the participant). The page's summary then also gives the assignment's total
from the gradebook (each notebook's share, and the answers still awaiting hand grading). A
zip is for students, so it is refused while a packed student's answers still await hand
grading in formgrader, unless `--allow-ungraded`.
"""

from __future__ import annotations

import argparse
import html
import html.parser
import json
import re
import sys
import urllib.parse
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

from autograder.common.errors import UserError
from autograder.common.files import write_atomic
from autograder.records import moodle
from autograder.records.nbgrader import run_converter
from autograder.records.results import (
    PROVISIONAL_WORDS,
    AssignmentScores,
    atomic_outputs,
    format_points,
    notebook_shares,
    output_path,
    read_gradebook,
    waiting_text,
)
from autograder.records.workspace import (
    ROSTER_NAME,
    Workspace,
    add_course_arguments,
    alembic_on_path,
    nbgrader_config,
    open_workspace,
    read_roster,
    select_students,
)
from autograder.scoring.reasons import LABELS, render
from autograder.scoring.result import RESULT_FILE, Result

# nbgrader's feedback template is English; these are its fixed words, for the Greek pages.
TEMPLATE_WORDS_EL = [("Score:", "Βαθμός:"), ("Test cell", "Κελί ελέγχου"), ("Comments:", "Σχόλια:"),
                     ("Comment", "Σχόλιο"), ("(Top)", "(Αρχή)"),
                     ("Student's answer", "Απάντηση"), ("Grade cell:", "Κελί βαθμολόγησης:"),
                     ("Late submission penalty", "Ποινή εκπρόθεσμης υποβολής")]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment")
    add_course_arguments(parser)
    parser.add_argument("--student", nargs="+", default=None, metavar="ID",
                        help="only these students (default: everyone graded)")
    parser.add_argument("--zip", choices=["moodle"], default=None,
                        help="moodle: also pack the pages for Moodle's \"Upload multiple "
                             "feedback files in a zip\" (students matched by lms_id)")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="FILE.zip",
                        help="with --zip: the zip to write "
                             "(default: feedback/<assignment>-moodle.zip in the workspace)")
    parser.add_argument("--allow-ungraded", action="store_true",
                        help="with --zip: pack the pages even while answers await hand "
                             "grading in formgrader (they say their scores are provisional)")


def run(args: argparse.Namespace) -> int:
    if args.output is not None and args.zip is None:
        raise UserError("-o/--output names the zip: it goes with --zip moodle")
    if args.allow_ungraded and args.zip is None:
        raise UserError("--allow-ungraded lets a zip carry provisional scores: it goes with "
                        "--zip moodle")
    workspace = open_workspace(args.course)
    students = _graded_students(workspace, args.assignment, args.student)
    scores = _scores(workspace, args.assignment)
    waiting = [student for student in students if scores is not None
               and student in scores.submissions and scores.submissions[student].provisional]
    target = None
    if args.zip:
        default = workspace.root / "feedback" / f"{args.assignment}-moodle.zip"
        target = output_path(workspace, args.output or default)
        roster = read_roster(workspace)
        participants = {student: roster[student] for student in students
                        if student in roster and roster[student].lms_id.strip()}
        if not participants:
            raise UserError(f"no graded student of {args.assignment} has an lms_id (Moodle's "
                            f"participant id) in {workspace.root / ROSTER_NAME}: Moodle "
                            "matches feedback files by it, never by name")
        packed = [student for student in waiting if student in participants]
        if packed and not args.allow_ungraded:
            raise UserError(f"{len(packed)} of the students to pack still have answers "
                            f"awaiting hand grading in formgrader ({', '.join(packed[:3])}"
                            f"{', …' if len(packed) > 3 else ''}): grade them first "
                            "(`nbgrader formgrader`), or pass --allow-ungraded to send pages "
                            "whose scores are provisional")
    pages = {}
    for student in students:
        pages[student] = write_feedback(workspace, args.assignment, student)
        for page in sorted(pages[student].parent.glob("*.html")):  # one per notebook
            print(f"feedback/{student}/{args.assignment}/{page.name}")
    if waiting:
        print(f"autograder feedback: note: {len(waiting)} of {len(students)} students still "
              f"have answers awaiting hand grading in formgrader ({', '.join(waiting[:3])}"
              f"{', …' if len(waiting) > 3 else ''}): their pages show provisional scores; "
              "run feedback again once they are graded", file=sys.stderr)
    if target is not None:
        notebooks = list(scores.notebooks) if scores is not None and scores.several else []
        entries = [(participants[student].name, participants[student].lms_id.strip(), page)
                   for student in students if student in participants
                   for page in student_pages(pages[student], notebooks)]
        files = [(name, participant, path, path.relative_to(page.parent.resolve()).as_posix())
                 for name, participant, path, page in _with_assets(entries)]
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_outputs([target]) as (temp,):
            moodle.write_feedback_zip(temp, files)
        count = len(entries)
        skipped = [student for student in students if student not in participants]
        if skipped:
            print(f"autograder feedback: note: {len(skipped)} of {len(students)} students left "
                  f"out of the zip, with no lms_id in {ROSTER_NAME}: {', '.join(skipped[:3])}"
                  f"{', …' if len(skipped) > 3 else ''}", file=sys.stderr)
        packed = len({participant for _, participant, _ in entries})
        each = f" for {packed} student{'' if packed == 1 else 's'}" if count != packed else ""
        print(f"{target}: {count} feedback pages{each} for Moodle")
    return 0


def _with_assets(entries: list[tuple[str, str, Path]]) -> list[tuple[str, str, Path, Path]]:
    """(name, participant, file, page): each page, then the files beside it that it links to
    (an image in a markdown cell, which nbgrader copies next to the page), once each."""
    files, seen = [], set()
    for name, participant, page in entries:
        for path in [page.resolve(), *page_assets(page)]:
            if (participant, path) not in seen:
                seen.add((participant, path))
                files.append((name, participant, path, page))
    return files


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "src" or (name == "href" and tag == "link")):
                self.targets.append(value)


def page_assets(page: Path) -> list[Path]:
    """The local files a feedback page links to, in its folder or below it (no web
    addresses, no data: URIs, nothing outside the student's folder)."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    folder = page.parent.resolve()
    found = []
    for target in parser.targets:
        parts = urllib.parse.urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            continue
        path = (page.parent / urllib.parse.unquote(parts.path)).resolve()
        if path.is_relative_to(folder) and path.is_file() and path not in found:
            found.append(path)
    return found


def _scores(workspace: Workspace, assignment: str) -> AssignmentScores | None:
    """The assignment's scores in the gradebook; None where it has none (feedback stands on
    result.json alone, as before)."""
    try:
        return read_gradebook(workspace, [assignment])[assignment]
    except UserError:
        return None


def student_pages(page: Path, notebooks: list[str]) -> list[Path]:
    """One student's feedback pages: `page` alone for an assignment of one notebook, else the
    page of each notebook the student submitted, in the assignment's order."""
    if not notebooks:
        return [page]
    return [page.parent / f"{notebook}.html" for notebook in notebooks
            if (page.parent / f"{notebook}.html").is_file()]


def _graded_students(workspace: Workspace, assignment: str,
                     requested: list[str] | None) -> list[str]:
    folder = workspace.root / "autograded"
    graded = sorted(p.parent.parent.name for p in folder.glob(f"*/{assignment}/{RESULT_FILE}"))
    none = (f"no graded submissions of {assignment} in {workspace.root} "
            "(run `autograder grade` first)")
    if not graded:
        raise UserError(none)
    return select_students(graded, requested, none=none,
                           unknown=f"{{student}} has no graded submission of {assignment}")


class HideTestInternals(Preprocessor):
    """Test cells' errors keep their last line only: a traceback quotes hidden test code."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
        return cell, resources


class SummaryCell(Preprocessor):
    """A first cell with the points of each part and the reasons, in the student's language."""

    enabled = Bool(True)
    result_path = Unicode("").tag(config=True)
    total_line = Unicode("").tag(config=True)  # the gradebook's total, where it says more

    def preprocess(self, nb, resources):
        import nbformat

        result = Result.from_json(json.loads(Path(self.result_path).read_text(encoding="utf-8")))
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(summary_markdown(result,
                                                                          self.total_line)))
        return nb, resources


def summary_markdown(result: Result, total_line: str = "") -> str:
    language = result.language if result.language in LABELS else "en"
    words = LABELS[language]
    lines = [f"## {words['title']}: {result.score:g} / {result.max_score:g}", ""]
    if total_line:
        lines += [total_line, ""]
    if result.on_sample:
        lines += [f"**{words['sample']}**", ""]
    # the gradebook's total line says what still awaits hand grading now: result.json's
    # count of those cells is as grading left it
    reasons = [r for r in result.reasons if not (total_line and r.code == "manual_cells")]
    if reasons:
        lines += [f"**{words['note']}:** {html.escape(render(reasons, language))}", ""]
    lines += [f"| {words['part']} | {words['points']} | {words['why']} |", "| --- | ---: | --- |"]
    for part in result.parts:
        why = "" if part.score >= part.points or part.reason is None \
            else part.reason.text(language)
        lines.append(f"| `{part.cell}` | {part.score:g} / {part.points:g} | "
                     f"{html.escape(why).replace('|', '&#124;')} |")
    return "\n".join(lines)


def total_line(scores: AssignmentScores | None, student: str, result_max: float,
               language: str) -> str:
    """The assignment's total from the gradebook, where it says more than the summary's
    autograded points: several notebooks (each one's share), hand-graded cells (their
    points in the maximum, and those still waiting). "" otherwise."""
    submission = scores.submissions.get(student) if scores is not None else None
    if submission is None or not (scores.several or submission.pending
                                  or abs(scores.max_score - result_max) > 1e-9):
        return ""
    words = PROVISIONAL_WORDS.get(language, PROVISIONAL_WORDS["en"])
    shares = notebook_shares(scores, submission)
    line = (f"**{words['total']}: {format_points(submission.score)} / "
            f"{format_points(scores.max_score)}**" + (f" ({shares})" if shares else ""))
    waiting = waiting_text(scores, submission, language)
    return html.escape(f"{line}. {waiting}".strip(), quote=False)


def write_feedback(workspace: Workspace, assignment: str, student: str) -> Path:
    """Convert one autograded notebook with nbgrader (an assignment of several: each of
    them, a page per notebook); returns the (first) HTML page's path."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import GenerateFeedback
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    result_path = workspace.autograded(student, assignment) / RESULT_FILE
    recorded = json.loads(result_path.read_text(encoding="utf-8"))
    language = recorded.get("language")
    alembic_on_path()
    config = nbgrader_config(workspace)
    config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.student_id = student
    config.GenerateFeedback.force = True
    config.CourseDirectory.ignore = [*config.CourseDirectory.ignore, RESULT_FILE]  # HTML only
    config.GenerateFeedback.preprocessors = [ClearHiddenTests, HideTestInternals, GetGrades,
                                             SummaryCell, CSSHTMLHeaderPreprocessor]
    config.ClearHiddenTests.enforce_metadata = False
    config.SummaryCell.result_path = str(result_path)
    config.SummaryCell.total_line = total_line(
        _scores(workspace, assignment), student, float(recorded.get("max_score") or 0.0),
        language if language in LABELS else "en")
    run_converter(GenerateFeedback, config, f"nbgrader could not write feedback for {student}")
    folder = workspace.feedback(student, assignment)
    page = folder / f"{assignment}.html"
    # an nbgrader assignment of several notebooks: a page per notebook, each with the summary
    pages = [page] if page.is_file() else sorted(folder.glob("*.html"))
    if language == "el":
        for each in pages:
            text = each.read_text(encoding="utf-8")
            for english, greek in TEMPLATE_WORDS_EL:
                text = text.replace(english, greek)
            write_atomic(each, re.sub(r"<html( lang=\"en\")?>", '<html lang="el">', text,
                                      count=1))
    return pages[0] if pages else page
