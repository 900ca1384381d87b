"""An instructor's whole day, as the README gives it: a Moodle zip in, grades, feedback,
a Moodle grades CSV and a report out, and the students' files untouched throughout."""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile

import nbformat

from autograder.cli import main
from tests.autograder.test_grade import CORRECT, GOLDEN, craft


def _zip(path, entries: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 20, 9, 30, 0)), data)


def test_moodle_zip_to_grades_feedback_and_report(tmp_path, capsys):
    correct = nbformat.writes(craft(CORRECT, language="el")).encode("utf-8")
    partly = nbformat.writes(craft({**CORRECT, "total": "def total(x):\n    return 0"})).encode()
    download = tmp_path / "moodle.zip"
    _zip(download, {
        "Ελένη Παπαδοπούλου_101_assignsubmission_file_/toy.ipynb": correct,
        "John Smith_102_assignsubmission_file_/toy.ipynb": partly,
        "Nikos Georgiou_103_assignsubmission_file_/notes.txt": b"not a notebook",
    })
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email,lms_id\n"
                      "s101,Ελένη Παπαδοπούλου,eleni@example.org,101\n"
                      "s102,John Smith,john@example.org,102\n"
                      "s103,Nikos Georgiou,nikos@example.org,103\n", encoding="utf-8")
    before = hashlib.sha256(download.read_bytes()).hexdigest()
    course = tmp_path / "course"
    common = ["--course", str(course)]
    assert main(["collect", "toy", str(download), "--roster", str(roster),
                 "--source", str(GOLDEN / "solutions"), *common]) == 0
    assert "not a notebook" in capsys.readouterr().out
    assert main(["grade", "toy", *common]) == 0
    assert main(["feedback", "toy", *common]) == 0
    assert main(["export", "--format", "moodle", "-o", str(tmp_path / "grades.csv"), *common]) == 0
    assert main(["report", "toy", "-o", str(tmp_path / "report"), *common]) == 0

    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["Email address"]: row for row in csv.DictReader(handle)}
    assert float(rows["eleni@example.org"]["toy"]) == 3.0
    assert float(rows["john@example.org"]["toy"]) == 2.0
    greek = (course / "feedback" / "s101" / "toy" / "toy.html").read_text(encoding="utf-8")
    assert "Ανατροφοδότηση: 3 / 3" in greek
    assert {p.name for p in (tmp_path / "report").iterdir()} >= {"scores.png", "pass_rate.png",
                                                                 "summary.txt"}
    assert hashlib.sha256(download.read_bytes()).hexdigest() == before
    manifest = [json.loads(line) for line in
                (course / "originals" / "manifest.jsonl").read_text().splitlines()]
    for entry in manifest:
        stored = course / entry["stored"] if "stored" in entry else None
        if stored and stored.is_file():
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == entry["sha256"]
