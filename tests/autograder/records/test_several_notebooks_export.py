"""export, feedback and report on an nbgrader assignment of several notebooks (issue 16).

The course is nbgrader's documentation course, ps1 (notebooks problem1 and problem2, in
the pinned nbgrader package), collected from a Moodle "download all submissions" zip as an
instructor would, and graded end to end: bitdiddle and hacker hand in both notebooks, and
"nosecond" (hacker's problem1 only) forgets problem2. nbgrader-mode grading leaves the
hand-graded answers to formgrader, so the scores are provisional until they are graded;
the tests then grade them as formgrader does (a manual score on each waiting cell) and
export again.
"""

from __future__ import annotations

import csv
import io
import shutil
import warnings
import zipfile
from pathlib import Path

import nbgrader
import pytest

from autograder.cli import main
from autograder.records import moodle
from autograder.records.results import PROVISIONAL_WORDS, read_gradebook, waiting_text
from autograder.records.workspace import open_workspace
from tests.autograder.records.test_eclass import eclass_import
from tests.autograder.records.test_moodle import (
    HEADER,
    moodle_row,
    participant_of,
    read_back,
    worksheet_bytes,
)

USER_GUIDE = Path(nbgrader.__file__).resolve().parent / "docs" / "source" / "user_guide"
# student id → (name, Moodle participant id / eClass username)
ROSTER = {"bitdiddle": ("Ben Bitdiddle", "301"), "hacker": ("Alyssa Hacker", "302"),
          "nosecond": ("Nora Second", "303")}
# what `nbgrader autograde` records (its docs' grades.csv), and nosecond has hacker's problem1
AUTOGRADED = {"bitdiddle": {"problem1": 1.5, "problem2": 0.0},
              "hacker": {"problem1": 3.0, "problem2": 0.0},
              "nosecond": {"problem1": 3.0, "problem2": 0.0}}
MAX_SCORE = 13.0  # problem1 10 (a task cell of 4 among them), problem2 3
# the manual score formgrader gives each waiting answer, in the tests that grade them
MANUAL_SCORE = 0.5


def moodle_zip(path: Path) -> Path:
    """Moodle's "download all submissions": Name_<participant>_assignsubmission_file_/file."""
    submitted = USER_GUIDE / "submitted"
    files = {("bitdiddle", "problem1"): submitted / "bitdiddle" / "ps1" / "problem1.ipynb",
             ("bitdiddle", "problem2"): submitted / "bitdiddle" / "ps1" / "problem2.ipynb",
             ("hacker", "problem1"): submitted / "hacker" / "ps1" / "problem1.ipynb",
             ("hacker", "problem2"): submitted / "hacker" / "ps1" / "problem2.ipynb",
             ("nosecond", "problem1"): submitted / "hacker" / "ps1" / "problem1.ipynb"}
    with zipfile.ZipFile(path, "w") as archive:
        for (student, notebook), source in files.items():
            name, participant = ROSTER[student]
            archive.write(source, f"{name}_{participant}_assignsubmission_file_/{notebook}.ipynb")
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """A workspace with ps1 collected from a Moodle zip and graded, manual answers waiting."""
    root = tmp_path_factory.mktemp("ps1")
    shutil.copytree(USER_GUIDE / "source", root / "source")
    roster = root / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name", "email", "lms_id"])
        writer.writerows((student, name, f"{student}@example.org", participant)
                         for student, (name, participant) in ROSTER.items())
    workspace = root / "ws"
    assert main(["collect", "ps1", str(moodle_zip(root / "moodle.zip")), "--roster", str(roster),
                 "--source", str(root / "source"), "--course", str(workspace)]) == 0
    assert main(["grade", "ps1", "--course", str(workspace), "--workers", "1"]) == 0
    return workspace


@pytest.fixture
def course(graded, tmp_path) -> Path:
    """A copy of the graded workspace, for a test to change."""
    copy = tmp_path / "ws"
    shutil.copytree(graded, copy)
    for config in ("nbgrader_config.py", "autograder.json"):  # they name the workspace's path
        path = copy / config
        path.write_text(path.read_text(encoding="utf-8").replace(str(graded), str(copy)),
                        encoding="utf-8")
    return copy


def grade_by_hand(workspace: Path, score: float = MANUAL_SCORE) -> None:
    """What formgrader does for each answer left to it: a manual score, no longer waiting."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as book, \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for submission in book.find_assignment("ps1").submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.auto_score is None and grade.manual_score is None:
                        grade.manual_score = score
                        grade.needs_manual_grade = False
        book.db.commit()


def waiting_cells(workspace: Path) -> dict[str, list[str]]:
    scores = read_gradebook(open_workspace(workspace), ["ps1"])["ps1"]
    return {student: submission.pending for student, submission in scores.submissions.items()}


def export(workspace: Path, output: Path, *extra: str) -> int:
    return main(["export", "-o", str(output), "--course", str(workspace), *extra])


def one_line_error(capsys, verb: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"autograder {verb}: error: "), err
    return err


def worksheet(folder: Path, maximum: str = "13.00") -> Path:
    path = folder / "Grades-ps1.csv"
    path.write_bytes(worksheet_bytes([moodle_row(int(participant), name, "", maximum=maximum)
                                      for name, participant in ROSTER.values()], HEADER))
    return path


def grades_by_participant(rows: list[list[str]]) -> dict[str, tuple[str, str]]:
    return {row[0].removeprefix("Participant "): (row[HEADER.index("Grade")],
                                                  row[HEADER.index("Feedback comments")])
            for row in rows[1:]}


# --- the scores ------------------------------------------------------------------------------

def test_the_grade_is_the_sum_of_the_notebooks_a_missing_one_counting_0(graded):
    scores = read_gradebook(open_workspace(graded), ["ps1"])["ps1"]
    assert scores.max_score == MAX_SCORE and scores.notebooks == {"problem1": 10.0,
                                                                  "problem2": 3.0}
    assert sum(scores.cells.values()) == MAX_SCORE  # task cells included, as nbgrader counts
    for student, notebooks in AUTOGRADED.items():
        submission = scores.submissions[student]
        assert submission.notebooks == notebooks
        assert submission.score == sum(notebooks.values())
    # problem2 not handed in: its cells scored 0, none of them waits for formgrader
    assert not any(cell.startswith("problem2/") for cell in scores.submissions["nosecond"].pending)
    assert any(cell.startswith("problem2/") for cell in scores.submissions["hacker"].pending)


# --- export: refused while answers await hand grading ------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "moodle", "moodle-worksheet", "eclass"])
def test_every_format_refuses_provisional_scores(graded, tmp_path, capsys, fmt):
    output = tmp_path / "out.csv"
    extra = {"moodle-worksheet": ["--worksheet", str(worksheet(tmp_path)), "--assignment", "ps1"],
             "eclass": ["--assignment", "ps1"]}.get(fmt, [])
    assert export(graded, output, "--format", fmt, *extra) == 2
    err = one_line_error(capsys, "export")
    assert "3 submissions still have answers awaiting hand grading in formgrader" in err
    assert "bitdiddle (ps1: 4 cells)" in err and "--allow-ungraded" in err
    assert not output.exists() and list(tmp_path.glob(".out.csv.*")) == []


def test_allow_ungraded_exports_the_provisional_sum_and_says_so(graded, tmp_path, capsys):
    output = tmp_path / "moodle.csv"
    assert export(graded, output, "--format", "moodle", "--feedback", "--allow-ungraded") == 0
    err = capsys.readouterr().err
    assert "note: provisional scores: 3 submissions still have answers awaiting hand grading" \
        in err
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(output.read_text("utf-8")))}
    assert rows["Email address"] == ["ps1", "ps1 feedback"]
    grade, feedback = rows["bitdiddle@example.org"]
    assert grade == "1.5"
    assert feedback.startswith("Score 1.5/13 (problem1 1.5/10, problem2 0/3). Provisional: "
                               "8 points await grading by hand (problem1/sum_of_squares_equation")
    # the failed tests are named; the waiting answers are not counted as lost
    assert "Not full marks: problem1/correct_squares 0/1, problem1/correct_sum_of_squares 0/0.5"\
        in feedback and "problem2/part-a 0/1" not in feedback
    assert "left to be graded by hand" not in feedback  # the gradebook says what waits now
    nosecond = rows["nosecond@example.org"]
    assert nosecond[0] == "3" and "notebook problem2 was not submitted" in nosecond[1]
    assert "problem2/part-b 0/2" in nosecond[1]  # not submitted: lost, not waiting

    nbgrader_csv = tmp_path / "grades.csv"
    assert export(graded, nbgrader_csv, "--allow-ungraded") == 0
    with nbgrader_csv.open(encoding="utf-8") as handle:
        exported = {row["student_id"]: (row["score"], row["max_score"])
                    for row in csv.DictReader(handle)}
    assert exported == {"bitdiddle": ("1.5", "13.0"), "hacker": ("3.0", "13.0"),
                        "nosecond": ("3.0", "13.0")}  # nbgrader's columns, untouched


def test_worksheet_and_eclass_carry_the_provisional_sum(graded, tmp_path, capsys):
    output = tmp_path / "upload.csv"
    assert export(graded, output, "--format", "moodle-worksheet", "--worksheet",
                  str(worksheet(tmp_path)), "--assignment", "ps1", "--allow-ungraded") == 0
    filled = grades_by_participant(read_back(output))
    assert {participant: grade for participant, (grade, _) in filled.items()} == {
        "301": "1.5", "302": "3", "303": "3"}
    assert "Provisional: 10 points await grading by hand" in filled["302"][1]
    eclass_file = tmp_path / "ps1-eclass.csv"
    assert export(graded, eclass_file, "--format", "eclass", "--assignment", "ps1",
                  "--allow-ungraded") == 0
    imported = eclass_import(eclass_file.read_text("utf-8"), {"301", "302", "303"}, MAX_SCORE)
    assert {user: grade for user, (grade, _) in imported.items()} == {
        "301": 1.5, "302": 3.0, "303": 3.0}
    assert imported["301"][1].startswith("Score 1.5/13 (problem1 1.5/10, problem2 0/3).")


# --- export: once formgrader has graded every answer ----------------------------------------

def test_after_formgrader_the_sum_is_final_and_exports_without_the_flag(course, tmp_path,
                                                                       capsys):
    grade_by_hand(course)
    assert waiting_cells(course) == {"bitdiddle": [], "hacker": [], "nosecond": []}
    nbgrader_csv, moodle_csv = tmp_path / "grades.csv", tmp_path / "moodle.csv"
    assert export(course, nbgrader_csv) == 0
    assert export(course, moodle_csv, "--format", "moodle", "--feedback") == 0
    assert "provisional" not in capsys.readouterr().err
    with nbgrader_csv.open(encoding="utf-8") as handle:
        nbgrader_scores = {row["email"]: float(row["score"]) for row in csv.DictReader(handle)}
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(moodle_csv.read_text("utf-8")))}
    for student in ROSTER:  # Moodle's grade is nbgrader's own score for the assignment
        assert float(rows[f"{student}@example.org"][0]) == nbgrader_scores[
            f"{student}@example.org"]
    # bitdiddle: 1.5 autograded + 4 waiting answers graded 0.5 each
    assert rows["bitdiddle@example.org"][0] == "3.5"
    assert "Provisional" not in rows["bitdiddle@example.org"][1]
    # a worksheet out of 100 gets the sum scaled to it
    output = tmp_path / "upload.csv"
    assert export(course, output, "--format", "moodle-worksheet", "--worksheet",
                  str(worksheet(tmp_path, maximum="100.00")), "--assignment", "ps1") == 0
    assert grades_by_participant(read_back(output))["301"][0] == "26.9231"  # 3.5 / 13 × 100
    assert "grades scaled from 13 points" in capsys.readouterr().err


# --- feedback ---------------------------------------------------------------------------------

def test_the_moodle_zip_carries_every_notebook_page_once_graded(course, tmp_path, capsys):
    target = tmp_path / "feedback.zip"
    assert main(["feedback", "ps1", "--zip", "moodle", "-o", str(target),
                 "--course", str(course)]) == 2
    assert "3 of the students to pack still have answers awaiting hand grading" in \
        one_line_error(capsys, "feedback")
    assert not target.exists() and not (course / "feedback").exists()  # nothing written

    grade_by_hand(course)
    assert main(["feedback", "ps1", "--zip", "moodle", "-o", str(target),
                 "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert f"{target}: 5 feedback pages for 3 students for Moodle" in out
    with zipfile.ZipFile(target) as archive:
        names = sorted(archive.namelist())
        pages = {name: archive.read(name).decode("utf-8") for name in names
                 if name.endswith(".html")}
    # problem1's page shows jupyter.png, which nbgrader copies beside it: the image goes too,
    # once per student, or Moodle would show it broken
    assert names == ["Alyssa Hacker_302_assignfeedback_file/jupyter.png",
                     "Alyssa Hacker_302_assignfeedback_file/problem1.html",
                     "Alyssa Hacker_302_assignfeedback_file/problem2.html",
                     "Ben Bitdiddle_301_assignfeedback_file/jupyter.png",
                     "Ben Bitdiddle_301_assignfeedback_file/problem1.html",
                     "Ben Bitdiddle_301_assignfeedback_file/problem2.html",
                     "Nora Second_303_assignfeedback_file/jupyter.png",
                     "Nora Second_303_assignfeedback_file/problem1.html"]  # no problem2 handed in
    assert '<img alt="" src="jupyter.png"' in pages[names[4]]
    png = USER_GUIDE / "source" / "ps1" / "jupyter.png"
    with zipfile.ZipFile(target) as archive:
        assert archive.read(names[0]) == png.read_bytes()
    # Moodle's importer: each file goes to its participant, named by what follows the folder
    assert [participant_of(name, {"301", "302", "303"}) for name in names] == [
        ("302", "assignfeedback_file")] * 3 + [("301", "assignfeedback_file")] * 3 + [
        ("303", "assignfeedback_file")] * 2
    ben = pages["Ben Bitdiddle_301_assignfeedback_file/problem2.html"]
    assert "Assignment total: 3.5 / 13</strong> (problem1 2.5/10, problem2 1/3)." in ben
    assert "Provisional" not in ben and "left to be graded by hand" not in ben
    assert moodle.feedback_folder("Ben Bitdiddle", "301") in names[3]


def test_provisional_pages_say_so_and_a_zip_needs_the_flag(course, tmp_path, capsys):
    target = tmp_path / "feedback.zip"
    assert main(["feedback", "ps1", "--student", "hacker", "--zip", "moodle", "-o", str(target),
                 "--allow-ungraded", "--course", str(course)]) == 0
    captured = capsys.readouterr()
    assert "note: 1 of 1 students still have answers awaiting hand grading" in captured.err
    assert f"{target}: 2 feedback pages for 1 student for Moodle" in captured.out
    page = (course / "feedback" / "hacker" / "ps1" / "problem1.html").read_text("utf-8")
    assert "Assignment total: 3 / 13</strong> (problem1 3/10, problem2 0/3). Provisional: " \
           "10 points await grading by hand" in page

    assert main(["feedback", "ps1", "--allow-ungraded", "--course", str(course)]) == 2
    assert "--allow-ungraded lets a zip carry provisional scores" in one_line_error(
        capsys, "feedback")


def test_the_page_s_total_line_in_greek(graded):
    from autograder.feedback import total_line

    scores = read_gradebook(open_workspace(graded), ["ps1"])["ps1"]
    text = waiting_text(scores, scores.submissions["bitdiddle"], "el")
    assert text.startswith(f"{PROVISIONAL_WORDS['el']['provisional']}: 8 μονάδες αναμένουν "
                           "βαθμολόγηση με το χέρι (problem1/sum_of_squares_equation")
    line = total_line(scores, "bitdiddle", 3.0, "el")
    assert line == (f"**Σύνολο της εργασίας: 1.5 / 13** (problem1 1.5/10, problem2 0/3). {text}")
    assert total_line(scores, "nobody", 3.0, "el") == ""


# --- report -----------------------------------------------------------------------------------

def test_report_gives_each_notebook_and_what_awaits_hand_grading(graded, tmp_path, capsys):
    assert main(["report", "ps1", "-o", str(tmp_path / "report"), "--course", str(graded)]) == 0
    summary = (tmp_path / "report" / "summary.txt").read_text(encoding="utf-8")
    assert "submissions: 3 (3 graded)" in summary
    assert "WARNING: 3 have answers awaiting hand grading in formgrader" in summary
    assert "score out of 13: mean 2.50, median 3, min 1.5, max 3" in summary
    assert "per notebook (mean out of its maximum): problem1 2.50/10, problem2 0.00/3" in summary
    assert "(1 point, 3 awaiting hand grading)" in summary  # problem1/sum_of_squares_equation
    part_b = next(line for line in summary.splitlines() if "problem2/part-b" in line)
    assert part_b.endswith("(2 points, 2 awaiting hand grading)")  # nosecond's is lost, not due
    failures = summary.split("failure reasons:\n", 1)[1].split("\n\n", 1)[0]
    assert failures == "  1  notebook problem2 was not submitted"  # waiting is no failure


def test_report_on_a_recorded_assignment_not_graded_yet(graded, tmp_path, capsys):
    """ps1_autotest is in the course's source (notebooks, no grading.yml) but not graded."""
    assert main(["report", "ps1_autotest", "-o", str(tmp_path / "report"),
                 "--course", str(graded)]) == 2
    assert "no graded submissions of ps1_autotest yet" in one_line_error(capsys, "report")


def test_this_course_s_pages_get_no_total_line(tmp_path):
    """One notebook, every point autograded: the summary's score is the total already."""
    from autograder.feedback import total_line
    from tests.autograder.test_export import A2, make_course

    scores = read_gradebook(make_course(tmp_path / "course"), [A2])[A2]
    assert not any(submission.pending for submission in scores.submissions.values())
    assert total_line(scores, "s001", 16.0, "en") == ""


def test_a_page_packs_only_the_local_files_it_links_to(tmp_path):
    from autograder.feedback import page_assets

    folder = tmp_path / "feedback" / "eleni" / "a1"
    (folder / "images").mkdir(parents=True)
    for name in ("images/plot.png", "style.css", "unlinked.png"):
        (folder / name).write_bytes(b"x")
    (tmp_path / "feedback" / "secret.txt").write_text("not hers")
    page = folder / "a1.html"
    page.write_text('<link rel="stylesheet" href="style.css"><img src="images/plot.png">'
                    '<img src="images/plot.png?v=2"><img src="../secret.txt">'
                    '<img src="/etc/passwd"><img src="https://example.org/x.png">'
                    '<img src="data:image/png;base64,AAAA"><img src="missing.png">'
                    '<a href="unlinked.png">a link, not a page asset</a>', encoding="utf-8")
    assert page_assets(page) == [(folder / "style.css").resolve(),
                                 (folder / "images" / "plot.png").resolve()]
