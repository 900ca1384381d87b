"""Open eClass's grades import, checked against the rules of its own reader.

`eclass_import` below is gunet/openeclass modules/work/import.php's row loop, line for line:
each row's non-empty trimmed cells must be 2 or 3 (user, grade, comment), the grade numeric
in [0, max_grade], the user a username alone or in parentheses; any error line, unknown
user, or user without a submission refuses the whole file.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from autograder.cli import main
from autograder.records import eclass
from autograder.records.workspace import ROSTER_NAME
from tests.autograder.test_export import A2, make_course

# eClass usernames, and two namesakes told apart by them
ROSTER = [("s001", "Γιώργος Παπαδόπουλος", "", "gpapad1"),
          ("s002", "Γιώργος Παπαδόπουλος", "", "gpapad2"),
          ("s003", "Μαρία Νικολάου", "", "mnikol"),
          ("s004", "Kostas Without Id", "", ""),
          ("s005", "Anna Smith", "", "asmith")]


def eclass_import(text: str, users_with_submission: set[str],
                  max_grade: float) -> dict[str, tuple[float, str | None]]:
    """username → (grade, comment), or ValueError naming what refuses the file."""
    grades, errors, invalid = {}, [], []
    for row in csv.reader(io.StringIO(text, newline="")):  # PhpSpreadsheet's Csv reader
        data = [cell.strip() for cell in row if cell.strip() != ""]
        if len(data) not in (2, 3) or not _is_numeric(data[1]) \
                or not 0 <= float(data[1]) <= max_grade:
            errors.append(data)
            continue
        found = re.search(r"\(([^)]+)\)", data[0])
        username = found.group(1) if found else data[0]
        if username not in users_with_submission:
            invalid.append(username)
            continue
        grades[username] = (float(data[1]), data[2] if len(data) == 3 else None)
    if errors or invalid:
        raise ValueError(f"refused: error lines {errors}, users {invalid}")
    return grades


def _is_numeric(text: str) -> bool:
    return re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text) is not None


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    workspace = make_course(tmp_path_factory.mktemp("eclass") / "course")
    with (workspace.root / ROSTER_NAME).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name", "email", "lms_id"])
        writer.writerows(ROSTER)
    return workspace


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("autograder export: error: "), err
    return err


def test_rows_have_no_header_and_drop_an_empty_comment():
    text = eclass.grades_csv([("gpapad1", "16", "Score 16/16."), ("asmith", "1", " ")])
    assert text == "gpapad1,16,Score 16/16.\r\nasmith,1\r\n"
    assert eclass_import(text, {"gpapad1", "asmith"}, 16) == {
        "gpapad1": (16.0, "Score 16/16."), "asmith": (1.0, None)}


def test_eclass_file_imports_as_eclass_reads_it(course, tmp_path, capsys):
    output = tmp_path / "a2-eclass.csv"
    assert main(["export", "--format", "eclass", "--assignment", A2, "-o", str(output),
                 "--course", str(course.root)]) == 0
    captured = capsys.readouterr()
    text = output.read_bytes().decode("utf-8")  # UTF-8, no byte-order mark
    assert not text.startswith("\ufeff")
    imported = eclass_import(text, {"gpapad1", "gpapad2", "mnikol", "asmith"}, 16)
    assert {user: grade for user, (grade, _) in imported.items()} == {
        "gpapad1": 16.0, "gpapad2": 13.0, "mnikol": 0.0, "asmith": 1.0}
    assert imported["gpapad2"][1].startswith("Βαθμός 13/16.")  # s002 worked in Greek
    skipped = [line for line in captured.err.splitlines() if "left out" in line]
    assert len(skipped) == 1 and "s004" in skipped[0]
    assert "4 students" in captured.out and "out of 16" in captured.out


@pytest.mark.parametrize("argv, message", [
    (["--assignment", A2, "--worksheet", "x.csv"], "--worksheet FILE goes with"),
    ([], "exactly one --assignment"),
    (["--assignment", A2, "--assignment", "a1-images-as-arrays"], "exactly one --assignment"),
    (["--assignment", "a9-nope"], "unknown assignment"),
])
def test_eclass_usage_errors(course, tmp_path, capsys, argv, message):
    output = tmp_path / "e.csv"
    assert main(["export", "--format", "eclass", "-o", str(output),
                 "--course", str(course.root), *argv]) == 2
    assert message in one_line_error(capsys)
    assert not output.exists()


def test_eclass_refuses_a_roster_without_lms_ids_and_the_evidence_folders(tmp_path, capsys):
    workspace = make_course(tmp_path / "course")
    (workspace.root / ROSTER_NAME).write_text("student_id,name\ns001,A\n", encoding="utf-8")
    output = tmp_path / "e.csv"
    assert main(["export", "--format", "eclass", "--assignment", A2, "-o", str(output),
                 "--course", str(workspace.root)]) == 2
    assert "never by name" in one_line_error(capsys)
    inside = workspace.root / "originals" / "e.csv"
    assert main(["export", "--format", "eclass", "--assignment", A2, "-o", str(inside),
                 "--course", str(workspace.root)]) == 2
    assert "refusing to write" in one_line_error(capsys)
    assert not output.exists() and not inside.exists()
