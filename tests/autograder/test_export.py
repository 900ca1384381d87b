"""`autograder export`: nbgrader's CSV unchanged, Moodle's grades CSV, one-line errors."""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.records.gradebook import ensure_assignment, record_scores
from autograder.records.workspace import ROSTER_NAME, open_workspace

A2 = "a2-cross-correlation"
A1 = "a1-images-as-arrays"  # recorded in the gradebook, with no submissions
CELLS = {"test_corr2d": 2, "test_output_size": 2, "test_conv_params": 1, "test_conv2d": 3,
         "test_max_pool2d": 1, "test_avg_pool2d": 1, "test_keras_conv2d": 1,
         "test_apply_kernel": 1, "test_conv2d_backward_input": 2,
         "test_conv2d_backward_weights": 2}
SUBMITTED_AT = datetime.datetime(2026, 11, 29, 17, 0)
# student → (points per cell, result.json or None); scores 16, 13, 0, 3, 1 out of 16
SUBMISSIONS = {
    "s001": (dict(CELLS), {"status": "graded", "reason": "", "seconds": 10.0, "language": "en",
                           "timeline": {"phases": {
                               "prepare": 0.2, "sandbox_start": 0.75, "kernel_start": 0.25,
                               "cells": 8.0, "sandbox_stop": 0.25, "record": 0.15},
                               "cells": [{"number": 1, "seconds": 0.5, "cell": "setup"},
                                         {"number": 2, "seconds": 7.5, "cell": "corr2d"}]}}),
    "s002": ({**CELLS, "test_conv2d": 0},
             {"status": "graded", "reason": "timeout in cell 7", "seconds": 60.5,
              "language": "el", "timeline": {"phases": {
                  "prepare": 0.25, "sandbox_start": 1.0, "kernel_start": 0.5, "cells": 58.0,
                  "sandbox_stop": 0.5, "record": 0.25},
                  "cells": [{"number": 1, "seconds": 1.0, "cell": "setup"},
                            {"number": 2, "seconds": 57.0, "cell": "corr2d"}]}}),
    "s003": ({}, {"status": "error", "reason": "out of memory", "seconds": 3.25,
                  "language": "en"}),
    "s004": ({"test_corr2d": 1, "test_output_size": 2},
             {"status": "graded", "reason": "timeout in cell 7", "seconds": 59.0,
              "language": "en"}),
    "s005": ({"test_apply_kernel": 1}, None),
}
NBGRADER_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name",
                    "first_name", "email", "raw_score", "late_submission_penalty", "score",
                    "max_score"]


def _part_reason(score: float, points: float, stopped: str) -> str:
    if score == points:
        return ""
    if score == 0 and stopped:
        return "the test cell never ran (the notebook stopped before it)"
    return "hidden case 2 of 4: wrong values"


def make_course(root: Path):
    """A workspace with A1 and A2 recorded, five A2 submissions scored, and their result.json."""
    workspace = open_workspace(root, create=True)
    ensure_assignment(workspace, A2)
    ensure_assignment(workspace, A1)
    for student, (earned, result) in SUBMISSIONS.items():
        scores = {cell: float(earned.get(cell, 0)) for cell in CELLS}
        record_scores(workspace, A2, student, scores, SUBMITTED_AT)
        if result is not None:
            folder = workspace.autograded(student, A2)
            folder.mkdir(parents=True)
            parts = [{"cell": cell, "points": float(points), "score": scores[cell],
                      "passed": scores[cell] == points, "reason": _part_reason(
                          scores[cell], points, result["reason"])}
                     for cell, points in CELLS.items()]
            (folder / "result.json").write_text(json.dumps({
                "student": student, "assignment": A2, "profile": "cpu",
                "score": sum(scores.values()), "max_score": 16.0, "parts": parts,
                "graded_at": "2026-11-29T17:00:00+00:00", "submission_sha256": "0" * 64,
                **result}), encoding="utf-8")
    return workspace


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("export") / "course")


@pytest.fixture
def roster(course):
    path = course.root / ROSTER_NAME

    def write(rows):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student_id", "name", "email", "lms_id"])
            writer.writerows(rows)

    yield write
    path.unlink(missing_ok=True)


def export(course, output, *extra):
    return main(["export", "-o", str(output), "--course", str(course.root), *extra])


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("autograder export: error: "), err
    return err


# --- nbgrader's CSV --------------------------------------------------------------------------

def test_csv_keeps_nbgraders_columns_and_values(course, tmp_path, capsys):
    output = tmp_path / "grades.csv"
    assert export(course, output, "--assignment", A2) == 0
    rows = read_csv(output)
    assert rows[0] == NBGRADER_COLUMNS
    table = {row[3]: dict(zip(NBGRADER_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert sorted(table) == sorted(SUBMISSIONS)
    assert [table[s]["score"] for s in sorted(table)] == ["16.0", "13.0", "0.0", "3.0", "1.0"]
    assert {row["max_score"] for row in table.values()} == {"16.0"}
    assert {row["assignment"] for row in table.values()} == {A2}
    assert table["s002"]["timestamp"] == "2026-11-29 17:00:00"
    assert list(tmp_path.iterdir()) == [output]  # no temporary file left behind
    assert "1 submission hit a grading error" in capsys.readouterr().err  # s003's status


def test_csv_without_assignment_exports_all_as_nbgrader_does(course, tmp_path):
    output = tmp_path / "all.csv"
    assert export(course, output) == 0
    rows = read_csv(output)
    assert rows[0] == NBGRADER_COLUMNS
    assert sorted({row[0] for row in rows[1:]}) == [A1, A2]
    # nbgrader's own rule: no submission scores 0
    assert {row[9] for row in rows[1:] if row[0] == A1} == {"0.0"}


def test_csv_replaces_the_file_whole(course, tmp_path):
    output = tmp_path / "grades.csv"
    output.write_text("old\n" * 1000, encoding="utf-8")
    assert export(course, output, "--format", "csv", "--assignment", A2) == 0
    assert read_csv(output)[0] == NBGRADER_COLUMNS and "old" not in output.read_text()


def test_a_failed_export_leaves_the_old_file_and_no_temporary(course, tmp_path, monkeypatch,
                                                              capsys):
    from nbgrader.plugins.export import CsvExportPlugin

    def half_write(plugin, gradebook):
        Path(plugin.to).write_text("assignment,duedate\nhalf", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(CsvExportPlugin, "export", half_write)
    output = tmp_path / "grades.csv"
    output.write_text("previous export\n", encoding="utf-8")
    assert export(course, output) == 2
    assert "No space left on device" in one_line_error(capsys)
    assert output.read_text(encoding="utf-8") == "previous export\n"
    assert list(tmp_path.iterdir()) == [output]


# --- Moodle's CSV ----------------------------------------------------------------------------

def test_moodle_identifies_by_roster_email(course, tmp_path, roster):
    roster([(s, f"Student {s}", f"{s}@uni.example", f"lms-{s}") for s in SUBMISSIONS])
    output = tmp_path / "moodle.csv"
    assert export(course, output, "--format", "moodle", "--assignment", A2) == 0
    assert read_csv(output) == [
        ["Email address", A2],
        ["s001@uni.example", "16"],
        ["s002@uni.example", "13"],
        ["s003@uni.example", "0"],
        ["s004@uni.example", "3"],
        ["s005@uni.example", "1"],
    ]


def test_moodle_without_roster_identifies_by_id_number(course, tmp_path):
    output = tmp_path / "moodle.csv"
    assert export(course, output, "--format", "moodle", "--assignment", A2) == 0
    rows = read_csv(output)
    assert rows[0] == ["ID number", A2]
    assert rows[1:] == [["s001", "16"], ["s002", "13"], ["s003", "0"], ["s004", "3"],
                        ["s005", "1"]]


def test_moodle_falls_back_to_id_number_when_an_email_is_missing(course, tmp_path, roster,
                                                                 capsys):
    roster([(s, "", "" if s == "s003" else f"{s}@uni.example", "") for s in SUBMISSIONS])
    output = tmp_path / "moodle.csv"
    assert export(course, output, "--format", "moodle", "--assignment", A2) == 0
    assert read_csv(output)[0] == ["ID number", A2]
    assert "1 of 5 students have no email" in capsys.readouterr().err


def test_moodle_one_column_per_assignment_and_no_grade_left_empty(course, tmp_path):
    output = tmp_path / "moodle.csv"
    assert export(course, output, "--format", "moodle") == 0
    rows = read_csv(output)
    assert rows[0] == ["ID number", A1, A2]
    assert rows[2] == ["s002", "", "13"]  # no A1 submission: Moodle reads "" as no grade


def test_moodle_feedback_column(course, tmp_path):
    output = tmp_path / "moodle.csv"
    assert export(course, output, "--format", "moodle", "--assignment", A2, "--feedback") == 0
    rows = read_csv(output)
    assert rows[0] == ["ID number", A2, f"{A2} feedback"]
    feedback = {row[0]: row[2] for row in rows[1:]}
    assert feedback["s001"] == "Score 16/16. All tests passed."
    # a Greek edition's feedback is Greek through and through, its reason included
    assert feedback["s002"] == ("Βαθμός 13/16. Όχι πλήρης βαθμός: test_conv2d 0/3. "
                                "Σημείωση: υπέρβαση του χρόνου στο κελί 7.")
    assert feedback["s004"].startswith("Score 3/16. Not full marks: test_corr2d 1/2, "
                                       "test_conv_params 0/1,")
    assert feedback["s005"].startswith("Score 1/16.")  # no result.json: no note


# --- bad input: one line, exit 2 -------------------------------------------------------------

def test_no_workspace(tmp_path, capsys):
    assert main(["export", "-o", str(tmp_path / "g.csv"), "--course",
                 str(tmp_path / "nowhere")]) == 2
    assert "is not a grading workspace" in one_line_error(capsys)


def test_no_gradebook(tmp_path, capsys):
    empty = open_workspace(tmp_path / "empty", create=True)
    assert export(empty, tmp_path / "g.csv") == 2
    assert "no gradebook" in one_line_error(capsys)
    assert not (empty.root / "gradebook.db").exists()  # not created by looking


def test_unknown_assignment(course, tmp_path, capsys):
    assert export(course, tmp_path / "g.csv", "--assignment", A2, "a9-nothing") == 2
    assert "unknown assignment 'a9-nothing'" in one_line_error(capsys)
    assert not (tmp_path / "g.csv").exists()


def test_unknown_format(course, tmp_path, capsys):
    assert export(course, tmp_path / "g.csv", "--format", "xlsx") == 2
    assert "unknown format 'xlsx'" in one_line_error(capsys)


@pytest.mark.parametrize("where", ["missing-folder/g.csv", "."])
def test_unwritable_output(course, tmp_path, capsys, where):
    assert export(course, tmp_path / where) == 2
    one_line_error(capsys)


@pytest.mark.parametrize("where", ["submitted/s001/g.csv", "originals/g.csv", "gradebook.db",
                                   ROSTER_NAME])
def test_refuses_to_write_into_the_evidence(course, capsys, where):
    target = course.root / where
    assert export(course, target) == 2
    assert "refusing to write" in one_line_error(capsys)
    assert not target.exists() or target.name == "gradebook.db"
