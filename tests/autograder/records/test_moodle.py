"""Moodle's grading worksheet and feedback zip, with fixtures built from Moodle's own source.

The worksheet below is what mod/assign/gradingtable.php downloads for an assignment with file
submissions, feedback comments and feedback files, on an English site showing the email
identity field: its header names come from mod/assign/lang/en/assign.php and
assignfeedback_comments ('pluginname'), the Identifier is 'hiddenuser' ('Participant ')
followed by the participant's unique id, and the file is Spout's CSV (dataformat/csv): UTF-8
with a byte-order mark, ',' separated, '\\n' line ends. Dates are userdate()'s, with commas.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.records import moodle
from autograder.records.workspace import ROSTER_NAME
from tests.autograder.test_export import A2, make_course

HEADER = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum grade",
          "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
          "Feedback comments"]
SUBMITTED = "Sunday, 29 November 2026, 5:00 PM"


def moodle_row(participant: int, name: str, email: str, status: str = "Submitted for grading",
               maximum: str = "16.00") -> list[str]:
    return [f"Participant {participant}", name, email, status, "", maximum, "Yes", SUBMITTED,
            "-", ""]


def worksheet_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# Two namesakes (201, 202), a participant without a graded submission (206), one the roster
# does not know (204); s004 is graded but has no lms_id, s005 is graded with no result.json.
NAMESAKE = "Γιώργος Παπαδόπουλος"
ROWS = [moodle_row(201, NAMESAKE, "g1@example.org"),
        moodle_row(202, NAMESAKE, "g2@example.org"),
        moodle_row(203, "Μαρία Νικολάου", "m@example.org"),
        moodle_row(204, "Άγνωστος Φοιτητής", "x@example.org"),
        moodle_row(205, "Anna Smith", "a@example.org"),
        moodle_row(206, "No Submission", "n@example.org", status="No submission")]
ROSTER = [("s001", NAMESAKE, "g1@example.org", "201"),
          ("s002", NAMESAKE, "g2@example.org", "202"),
          ("s003", "Μαρία Νικολάου", "m@example.org", "203"),
          ("s004", "Kostas Without Id", "k@example.org", ""),
          ("s005", "Anna Smith", "a@example.org", "205"),
          ("s006", "No Submission", "n@example.org", "206")]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    workspace = make_course(tmp_path_factory.mktemp("moodle") / "course")
    with (workspace.root / ROSTER_NAME).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name", "email", "lms_id"])
        writer.writerows(ROSTER)
    return workspace


@pytest.fixture
def worksheet(tmp_path) -> Path:
    path = tmp_path / "Grades-CNN-A2-42.csv"
    path.write_bytes(worksheet_bytes(ROWS))
    return path


def export(course, worksheet, output, *extra):
    return main(["export", "--format", "moodle-worksheet", "--worksheet", str(worksheet),
                 "--assignment", A2, "-o", str(output), "--course", str(course.root), *extra])


def read_back(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def one_line_error(capsys, verb: str = "export") -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"autograder {verb}: error: "), err
    return err


# --- the worksheet, unit -----------------------------------------------------------------------

def test_unchanged_worksheet_round_trips_byte_for_byte(worksheet):
    sheet = moodle.read_worksheet(worksheet)
    assert sheet.bom and sheet.delimiter == "," and sheet.line_end == "\n"
    assert [sheet.participant(row) for row in sheet.rows] == ["201", "202", "203", "204",
                                                              "205", "206"]
    assert moodle.worksheet_text(sheet).encode("utf-8") == worksheet.read_bytes()


def test_semicolons_and_crlf_from_a_spreadsheet_are_kept(tmp_path):
    text = worksheet_bytes(ROWS).decode("utf-8").replace(",", ";").replace("\n", "\r\n")
    path = tmp_path / "sheet.csv"
    path.write_bytes(text.encode("utf-8"))
    sheet = moodle.read_worksheet(path)
    assert sheet.delimiter == ";" and sheet.line_end == "\r\n"
    moodle.fill_worksheet(sheet, {"201": ("16", "ok")})
    written = moodle.worksheet_text(sheet)
    assert written.startswith("\ufeffIdentifier;") and "\r\n" in written


def test_a_worksheet_downloaded_in_greek(tmp_path):
    """Headers and 'hiddenuser' from the el language pack (see records/moodle.py)."""
    header = ["Αναγνωριστικό", "Πλήρες όνομα", "Κατάσταση", "Βαθμός", "Μέγιστος Βαθμός",
              "Ο βαθμός μπορεί να αλλάξει", "Τελευταία τροποποίηση (βαθμολόγηση)",
              "Σχόλια ανατροφοδότησης"]
    path = tmp_path / "Βαθμοί.csv"
    path.write_bytes(worksheet_bytes([["Συμμετέχων201", NAMESAKE, "Υποβλήθηκε", "", "16,00",
                                       "Ναι", "-", ""]], header))
    sheet = moodle.read_worksheet(path)
    assert sheet.participant(sheet.rows[0]) == "201"
    assert moodle.fill_worksheet(sheet, {"201": ("16", "Βαθμός 16/16.")}) == ["201"]
    assert sheet.rows[0][3] == "16" and sheet.rows[0][7] == "Βαθμός 16/16."
    assert sheet.header == header


# --- the worksheet, through the command line ---------------------------------------------------

def test_worksheet_filled_by_participant_id_never_by_name(course, worksheet, tmp_path, capsys):
    original = worksheet.read_bytes()
    output = tmp_path / "upload.csv"
    assert export(course, worksheet, output) == 0
    captured = capsys.readouterr()
    assert worksheet.read_bytes() == original  # the download is never changed
    data = output.read_bytes()
    assert data.startswith("\ufeff".encode()) and b"\r\n" not in data
    rows = read_back(output)
    assert rows[0] == HEADER
    table = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert list(table) == [row[0] for row in ROWS]  # same rows, same Identifier values
    # the namesakes get their own grades: s001 16/16 (English), s002 13/16 (worked in Greek)
    assert table["Participant 201"]["Grade"] == "16"
    assert table["Participant 201"]["Feedback comments"].startswith("Score 16/16.")
    assert table["Participant 202"]["Grade"] == "13"
    assert table["Participant 202"]["Feedback comments"].startswith("Βαθμός 13/16.")
    assert table["Participant 203"]["Grade"] == "0"
    assert table["Participant 205"]["Grade"] == "1"
    for untouched in (3, 5):  # unknown participant 204, ungraded participant 206
        assert rows[untouched + 1] == ROWS[untouched]
    for row, before in zip(rows[1:], ROWS, strict=True):  # only Grade and Feedback comments
        assert row[:4] == before[:4] and row[5:9] == before[5:9]
    notes = [line for line in captured.err.splitlines() if "Participant 204" in line]
    assert len(notes) == 1 and "left unchanged" in notes[0]
    assert "s004" in captured.err  # graded, but no lms_id: named, not guessed
    assert "4 of 6 rows filled in" in captured.out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([worksheet.name, output.name])


def test_grades_scaled_to_the_worksheets_maximum_grade(course, tmp_path, capsys):
    path = tmp_path / "hundred.csv"
    path.write_bytes(worksheet_bytes([
        moodle_row(201, NAMESAKE, "g1@example.org", maximum="100.00"),
        moodle_row(202, NAMESAKE, "g2@example.org", maximum="100.00")]))
    output = tmp_path / "upload.csv"
    assert export(course, path, output) == 0
    grades = [row[HEADER.index("Grade")] for row in read_back(output)[1:]]
    assert grades == ["100", "81.25"]  # 16/16 and 13/16 of 100: Moodle skips grades above max
    assert "scaled from 16 points to the worksheet's Maximum grade 100" in capsys.readouterr().err


def test_worksheet_without_feedback_comments_fills_grades_only(course, tmp_path, capsys):
    header = HEADER[:-1]
    path = tmp_path / "nocomments.csv"
    path.write_bytes(worksheet_bytes([moodle_row(201, NAMESAKE, "g1@example.org")[:-1]], header))
    output = tmp_path / "upload.csv"
    assert export(course, path, output) == 0
    assert read_back(output) == [header, ["Participant 201", *ROWS[0][1:4], "16",
                                          *ROWS[0][5:9]]]
    assert "no 'Feedback comments' column" in capsys.readouterr().err


@pytest.mark.parametrize("case", ["missing", "folder", "not-utf8", "wrong-columns", "scale",
                                  "empty",
                                  "over-the-download", "in-submitted", "no-assignment",
                                  "no-worksheet"])
def test_worksheet_bad_input_one_line_exit_2_nothing_written(course, worksheet, tmp_path,
                                                             capsys, case):
    output = tmp_path / "out" / "upload.csv"
    output.parent.mkdir()
    extra: list[str] = []
    sheet = worksheet
    if case == "missing":
        sheet = tmp_path / "nope.csv"
    elif case == "folder":
        sheet = tmp_path
    elif case == "not-utf8":
        sheet.write_bytes(worksheet_bytes(ROWS).decode("utf-8").encode("utf-16"))
    elif case == "wrong-columns":  # Moodle's gradebook export, not the assignment's worksheet
        sheet.write_text("First name,Last name,Email address,Assignment: A2 (Real)\n",
                         encoding="utf-8")
    elif case == "scale":  # gradingtable.php: "Scale" replaces "Maximum grade"
        header = [("Scale" if name == "Maximum grade" else name) for name in HEADER]
        sheet.write_bytes(worksheet_bytes([moodle_row(201, NAMESAKE, "g", maximum="")], header))
    elif case == "empty":
        sheet.write_bytes(b"")
    elif case == "over-the-download":
        output = worksheet
    elif case == "in-submitted":
        output = course.root / "submitted" / "upload.csv"
    before = worksheet.read_bytes()
    if case == "no-assignment":
        code = main(["export", "--format", "moodle-worksheet", "--worksheet", str(sheet),
                     "-o", str(output), "--course", str(course.root)])
    elif case == "no-worksheet":
        code = main(["export", "--format", "moodle-worksheet", "--assignment", A2,
                     "-o", str(output), "--course", str(course.root)])
    else:
        code = export(course, sheet, output, *extra)
    assert code == 2
    one_line_error(capsys)
    assert worksheet.read_bytes() == before
    assert list((tmp_path / "out").iterdir()) == []
    assert not (course.root / "submitted" / "upload.csv").exists()


def test_roster_without_lms_ids_is_refused(tmp_path, worksheet, capsys):
    workspace = make_course(tmp_path / "course")
    (workspace.root / ROSTER_NAME).write_text("student_id,name\ns001,Γιώργος Παπαδόπουλος\n",
                                              encoding="utf-8")
    output = tmp_path / "upload.csv"
    assert export(workspace, worksheet, output) == 2
    assert "never by name" in one_line_error(capsys)
    assert not output.exists()


# --- the feedback zip --------------------------------------------------------------------------

def participant_of(path: str, known: set[str]) -> tuple[str, str] | None:
    """importziplib.php's is_valid_filename_for_import, line for line: the participant id and
    plugin of the first path part that names a known participant, or None."""
    parts = path.split("/")
    while parts:
        info = parts.pop(0).split("_", 4)  # PHP's explode('_', $part, 5)
        if len(info) < 4 or not info[1].isdigit() or info[1] not in known:
            continue
        return info[1], f"{info[2]}_{info[3]}"
    return None


def test_feedback_folder_is_the_one_moodle_reads_back():
    folder = moodle.feedback_folder("Anna_Maria O'Neil/Smith & <Co>", "205")
    assert folder == "Anna Maria ONeilSmith  Co_205_assignfeedback_file"  # as PARAM_FILE cleans
    assert moodle.feedback_folder("..", "7") == "Participant_7_assignfeedback_file"
    assert participant_of(f"{folder}/a2.html", {"205"}) == ("205", "assignfeedback_file")
    # an underscore left in the name would move the id out of its place
    assert participant_of("Anna_Maria_205_assignfeedback_file/a2.html", {"205"}) is None


def test_feedback_zip_through_the_command_line(course, tmp_path, capsys, monkeypatch):
    import autograder.feedback as feedback

    def fake_page(workspace, assignment, student):  # nbgrader's conversion is tested elsewhere
        page = workspace.feedback(student, assignment) / f"{assignment}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<html>{student}</html>", encoding="utf-8")
        return page

    monkeypatch.setattr(feedback, "write_feedback", fake_page)
    target = tmp_path / "moodle-feedback.zip"
    assert main(["feedback", A2, "--zip", "moodle", "-o", str(target),
                 "--course", str(course.root)]) == 0
    captured = capsys.readouterr()
    with zipfile.ZipFile(target) as archive:
        names = sorted(archive.namelist())
        contents = {name: archive.read(name).decode() for name in names}
    assert names == [f"{NAMESAKE}_201_assignfeedback_file/{A2}.html",
                     f"{NAMESAKE}_202_assignfeedback_file/{A2}.html",
                     f"Μαρία Νικολάου_203_assignfeedback_file/{A2}.html"]
    known = {"201", "202", "203", "205"}
    assert [participant_of(name, known)[0] for name in names] == ["201", "202", "203"]
    assert contents[names[0]] == "<html>s001</html>" and contents[names[1]] == "<html>s002</html>"
    skipped = [line for line in captured.err.splitlines() if "left out of the zip" in line]
    assert len(skipped) == 1 and "s004" in skipped[0]  # graded (result.json) but no lms_id
    assert f"{target}: 3 feedback pages for Moodle" in captured.out


def test_feedback_zip_bad_input(course, tmp_path, capsys, monkeypatch):
    import autograder.feedback as feedback

    monkeypatch.setattr(feedback, "write_feedback", pytest.fail)  # refused before any page
    inside = course.root / "originals" / "fb.zip"
    assert main(["feedback", A2, "--zip", "moodle", "-o", str(inside),
                 "--course", str(course.root)]) == 2
    assert "refusing to write" in one_line_error(capsys, "feedback")
    assert not inside.exists()
    assert main(["feedback", A2, "-o", str(tmp_path / "x.zip"),
                 "--course", str(course.root)]) == 2
    assert "--zip moodle" in one_line_error(capsys, "feedback")
