"""`autograder collect`: every SOURCE layout, originals kept write-once, the latest counts."""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.common import project
from autograder.intake.eclass import parse_eclass_name
from autograder.intake.notebooks import check_notebook
from autograder.intake.received import parse_timestamp
from autograder.intake.roster import Roster
from autograder.records.workspace import ROSTER_NAME, open_workspace

A = "a2-cross-correlation"
A1 = "a1-images-as-arrays"
NB = f"{A}.ipynb"
EN = (project.EXERCISES / "en" / A / NB).read_bytes()
EL = (project.EXERCISES / "el" / A / NB).read_bytes()
OTHER = (project.EXERCISES / "en" / A1 / f"{A1}.ipynb").read_bytes()


def notebook(base: bytes = EN, tag: str | None = None, **changes) -> bytes:
    """A student's copy of `base`: `tag` adds a markdown cell; `changes` edit the JSON."""
    data = json.loads(base)
    if tag is not None:
        data["cells"].append({"cell_type": "markdown", "metadata": {}, "source": tag})
    if changes.pop("drop_assignment", False):
        del data["metadata"]["cnnbook"]
    data.update(changes)
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 3, 1, 12, 0, 0)), data)
    return path


def snapshot(path: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file's bytes and every file's and folder's mtime: what must not change."""
    paths = [path, *sorted(path.rglob("*"))] if path.is_dir() else [path]
    return {p.as_posix(): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
            for p in paths}


@pytest.fixture
def collect(tmp_path, capsys):
    """Run `autograder collect A SOURCE …` on the workspace tmp_path/course: (status, stdout)."""
    course = tmp_path / "course"

    def run(source: Path, *extra: str, assignment: str = A, expect: int = 0) -> tuple[int, str]:
        status = main(["collect", assignment, str(source), "--course", str(course), *extra])
        out, err = capsys.readouterr()
        assert status == expect, err
        run.err = err
        return status, out

    run.course = course
    return run


def manifest(course: Path) -> list[dict]:
    lines = (course / "originals" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def submitted(course: Path, student: str) -> bytes:
    return (course / "submitted" / student / A / NB).read_bytes()


def timestamp(course: Path, student: str) -> str:
    return (course / "submitted" / student / A / "timestamp.txt").read_text()


def originals(course: Path, student: str) -> list[Path]:
    folder = course / "originals" / student / A
    return sorted(folder.iterdir()) if folder.is_dir() else []


def students(course: Path) -> list[str]:
    return open_workspace(course).students(A)


def latest_report(course: Path) -> list[dict]:
    path = sorted((course / "reports").glob(f"collect-{A}-*.csv"))[-1]
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# ---------------------------------------------------------------- the four layouts

def test_folder_per_student_in_either_language(tmp_path, collect):
    batch = tmp_path / "batch"
    write(batch / "alice" / NB, EN)
    write(batch / "bob" / "η εργασία μου.ipynb", EL)  # the Greek edition, renamed by the student
    write(batch / "carol" / "deep" / "down" / NB, notebook(tag="carol"))
    (batch / "dave").mkdir()
    (batch / "dave" / NB).symlink_to(write(tmp_path / "elsewhere.ipynb", EN))  # not followed
    write(batch / "alice" / ".ipynb_checkpoints" / f"{A}-checkpoint.ipynb", EN)  # ignored
    before = snapshot(batch)

    _, out = collect(batch)

    assert "3 accepted, 0 replaced, 0 duplicate, 0 rejected" in out
    assert f"skipped dave/{NB}: not a regular file" in out
    course = collect.course
    assert students(course) == ["alice", "bob", "carol"]
    assert not (course / "originals" / "dave").exists()
    assert submitted(course, "alice") == EN
    assert submitted(course, "bob") == EL
    records = {r["student"]: r for r in manifest(course)}
    assert records["bob"]["language"] == "el"
    assert records["bob"]["original_name"] == "η εργασία μου.ipynb"
    assert records["bob"]["origin"]["entry"] == "bob/η εργασία μου.ipynb"
    assert records["bob"]["status"] == "accepted" and records["bob"]["installed"] is True
    for student, data in [("alice", EN), ("bob", EL)]:
        [original] = originals(course, student)
        assert original.read_bytes() == data
        assert stat.S_IMODE(original.stat().st_mode) == 0o444
        assert original.name.endswith(records[student]["original_name"])
        assert original.name.split("_")[1] == records[student]["sha256"][:12]
    stamp = timestamp(course, "alice")
    assert datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f UTC")  # nbgrader's format, UTC
    assert snapshot(batch) == before


def test_moodle_zip(tmp_path, collect):
    source = make_zip(tmp_path / "moodle.zip", {
        f"Ana Gómez_123456_assignsubmission_file_/{NB}": EN,
        "Ana Gómez_123456_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
        "Γιώργος Παπαδόπουλος_654321_assignsubmission_file_/φάκελος/λύση.ipynb": EL,
        f"Old Style_111_assignsubmission_file_{NB}": notebook(tag="flat layout"),
    })
    before = snapshot(source)

    _, out = collect(source)

    course = collect.course
    assert "3 accepted" in out and "Moodle" in out
    assert students(course) == ["participant-111", "participant-123456", "participant-654321"]
    assert submitted(course, "participant-654321") == EL
    records = manifest(course)
    assert len(records) == 3  # the online text is no submission
    flat = next(r for r in records if r["student"] == "participant-111")
    assert flat["original_name"] == NB
    roster = (course / ROSTER_NAME).read_text(encoding="utf-8").splitlines()
    assert roster[0] == "student_id,name,email,lms_id"
    assert "participant-654321,Γιώργος Παπαδόπουλος,,654321" in roster
    assert snapshot(source) == before


def test_moodle_zip_through_a_roster(tmp_path, collect):
    source = make_zip(tmp_path / "moodle.zip", {
        f"Ana Gómez_123456_assignsubmission_file_/{NB}": EN,
        f"Γιώργος Παπαδόπουλος_654321_assignsubmission_file_/{NB}": EL,
        f"Not Listed_999_assignsubmission_file_/{NB}": notebook(tag="stranger"),
    })
    roster = write(tmp_path / "roster.csv", (
        "\ufeffStudent_ID;Name;Email;LMS_ID;Section\n"  # a spreadsheet's CSV: BOM, semicolons
        "s1001;Ana Gomez;ana@example.org;123456;A\n"
        "s1002;ΠΑΠΑΔΟΠΟΥΛΟΣ Γιώργος;gp@example.org;;B\n"  # no LMS id: matched by name
    ).encode("utf-8"))

    _, out = collect(source, "--roster", str(roster))

    course = collect.course
    assert students(course) == ["participant-999", "s1001", "s1002"]
    assert submitted(course, "s1002") == EL
    assert "not on the roster: Not Listed (Moodle participant 999)" in out
    saved = list(csv.DictReader(io.StringIO((course / ROSTER_NAME).read_text("utf-8"))))
    assert list(saved[0]) == ["student_id", "name", "email", "lms_id"]
    assert saved[0] == {"student_id": "s1001", "name": "Ana Gomez",
                        "email": "ana@example.org", "lms_id": "123456"}
    assert saved[-1]["student_id"] == "participant-999" and saved[-1]["lms_id"] == "999"
    # a later collect without --roster maps through the saved roster
    later = make_zip(tmp_path / "later.zip", {
        f"Ana Gómez_123456_assignsubmission_file_/{NB}": notebook(tag="v2")})
    _, out = collect(later)
    assert "1 replaced" in out and submitted(course, "s1001") == notebook(tag="v2")


ECLASS_INDEX = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>
<table class="table-default">
<tr><th>Επώνυμο Όνομα</th><th>Αριθμός Μητρώου</th><th>Εργασία</th><th>Ημερομηνία</th>
<th>Βαθμός</th></tr>
<tr class="sep"><td>Γιώργος Παπαδόπουλος</td><td>1234567</td>
<td align="center"><a href='Giorgos Papadopoulos 1234567 (gpapad).ipynb'>Giorgos Papadopoulos
1234567 (gpapad).ipynb</a></td><td align="center">2025-03-01 12:00:00</td><td></td></tr>
<tr class="sep"><td>Μαρία Ιωάννου</td><td>7654321</td>
<td align="center"><a href='1.ipynb'>1.ipynb</a></td>
<td align="center">2025-03-02 09:30:00<div style='color:red;'>late</div></td><td></td></tr>
<tr class="sep"><td>Μαρία Ιωάννου</td><td>7654321</td>
<td align="center"><a href='2.txt'>2.txt</a></td><td align="center">2025-03-02 09:30:00</td>
<td></td></tr>
</table></body></html>
"""


def eclass_zip(path: Path) -> Path:
    return make_zip(path, {
        "work_7/index.html": ECLASS_INDEX.encode("utf-8"),
        "work_7/Giorgos Papadopoulos 1234567 (gpapad).ipynb": EL,
        "work_7/Maria Ioannou 7654321 (mioannou)/1.ipynb": EN,
        "work_7/Maria Ioannou 7654321 (mioannou)/2.txt": b"my notes",
        # eClass 2 naming, greek_to_latin("Νίκος Νικολάου") then the AM
        "work_7/Nikos Nikolaoy999.ipynb": notebook(tag="eClass 2 naming"),
    })


def test_eclass_zip(tmp_path, collect):
    source = eclass_zip(tmp_path / "eclass.zip")
    before = snapshot(source)

    _, out = collect(source)

    course = collect.course
    assert "Open eClass" in out
    assert "3 accepted, 0 replaced, 0 duplicate, 1 rejected" in out
    assert "rejected mioannou: Maria Ioannou 7654321 (mioannou)/2.txt: not a notebook" in out
    assert students(course) == ["999", "gpapad", "mioannou"]
    assert submitted(course, "gpapad") == EL
    # index.html's date, the server's time in Athens (UTC+2 in March), in UTC
    assert timestamp(course, "gpapad") == "2025-03-01 10:00:00.000000 UTC"
    assert timestamp(course, "mioannou") == "2025-03-02 07:30:00.000000 UTC"
    record = next(r for r in manifest(course) if r["student"] == "gpapad")
    assert record["submitted"] == "2025-03-01T10:00:00.000000+00:00"
    assert snapshot(source) == before


def test_eclass_zip_through_a_roster(tmp_path, collect):
    source = eclass_zip(tmp_path / "eclass.zip")
    roster = write(tmp_path / "roster.csv", (
        "student_id,name,email,lms_id\n"
        "cs1,Papadopoulos Giorgos,,gpapad\n"  # by username
        "cs2,Ιωάννου Μαρία,,\n"  # by the Greek name of index.html
        "cs3,Νίκος Νικολάου,,\n"  # by the name eClass transliterated into the file name
        "cs4,Maria Nikolaou,,\n"  # a namesake who did not submit: no match by surname alone
    ).encode())

    collect(source, "--roster", str(roster))

    assert students(collect.course) == ["cs1", "cs2", "cs3"]


def test_exchange_inbound(tmp_path, collect):
    inbound = tmp_path / "exchange" / "cnn-course" / "inbound"
    first = inbound / f"alice+{A}+2025-01-01 10:00:00.000000 UTC+Xy3_a"
    write(first / NB, notebook(tag="first try"))
    write(first / "timestamp.txt", b"2025-01-01 10:00:00.000000 UTC")
    write(inbound / f"alice+{A}+2025-01-02 10:00:00.000000 UTC+Zq9-b" / NB,
          notebook(tag="second try"))
    write(inbound / f"bob+{A}+2025-01-01 09:00:00.000000 UTC" / NB, EL)  # no random part
    write(inbound / f"bob+{A1}+2025-01-05 09:00:00.000000 UTC+r" / f"{A1}.ipynb", OTHER)
    before = snapshot(inbound.parent)

    _, out = collect(inbound.parent)  # the course folder above inbound/

    course = collect.course
    assert "3 accepted, 1 replaced, 0 duplicate, 0 rejected" in out
    assert students(course) == ["alice", "bob"]
    assert submitted(course, "alice") == notebook(tag="second try")
    assert timestamp(course, "alice") == "2025-01-02 10:00:00.000000 UTC"
    assert len(originals(course, "alice")) == 2  # the earlier one is kept
    assert len(manifest(course)) == 3  # A1's submission is for another collect
    assert snapshot(inbound.parent) == before


def test_zipped_folders_and_zipped_inbound(tmp_path, collect):
    folders = make_zip(tmp_path / "batch.zip", {
        f"batch/alice/{NB}": EN, f"batch/bob/{NB}": EL})
    inbound = make_zip(tmp_path / "inbound.zip", {
        f"inbound/carol+{A}+2025-01-02 10:00:00.000000 UTC+k/{NB}": notebook(tag="carol")})

    collect(folders)
    collect(inbound)

    assert students(collect.course) == ["alice", "bob", "carol"]
    assert timestamp(collect.course, "carol") == "2025-01-02 10:00:00.000000 UTC"


# ---------------------------------------------------------------- the latest counts, once

def test_same_batch_twice_the_latest_counts(tmp_path, collect):
    batch = tmp_path / "batch"
    write(batch / "alice" / "try2" / NB, notebook(tag="v2"))
    write(batch / "alice" / "try2" / "timestamp.txt", b"2025-02-01 11:00:00.000000 UTC")
    write(batch / "alice" / "try1" / NB, notebook(tag="v1"))
    write(batch / "alice" / "try1" / "timestamp.txt", b"2025-02-01 10:00:00.000000 UTC")

    _, out = collect(batch)

    assert "2 accepted, 1 replaced" in out
    assert submitted(collect.course, "alice") == notebook(tag="v2")
    assert [p.read_bytes() for p in originals(collect.course, "alice")] in (
        [notebook(tag="v1"), notebook(tag="v2")], [notebook(tag="v2"), notebook(tag="v1")])


def test_later_collect_replaces_and_identical_recollect_copies_nothing(tmp_path, collect):
    one, two = tmp_path / "one", tmp_path / "two"
    write(one / "alice" / NB, notebook(tag="v1"))
    write(two / "alice" / NB, notebook(tag="v2"))
    write(two / "bob" / NB, EL)
    course = collect.course

    collect(one)
    _, out = collect(two)
    assert "2 accepted, 1 replaced, 0 duplicate" in out
    assert submitted(course, "alice") == notebook(tag="v2")
    stored = {s: originals(course, s) for s in ("alice", "bob")}
    assert len(stored["alice"]) == 2

    _, out = collect(two)  # the same batch again
    assert "0 accepted, 0 replaced, 2 duplicate, 0 rejected" in out
    assert {s: originals(course, s) for s in ("alice", "bob")} == stored
    assert [r["status"] for r in manifest(course)][-2:] == ["duplicate", "duplicate"]

    _, out = collect(one)  # the older batch again: no new copy, and v2 still counts
    assert "1 duplicate" in out
    assert submitted(course, "alice") == notebook(tag="v2")
    assert originals(course, "alice") == stored["alice"]


# ---------------------------------------------------------------- what is not gradable

def test_each_rejection_has_its_reason(tmp_path, collect):
    batch = tmp_path / "batch"
    no_metadata = notebook(drop_assignment=True)
    big = notebook(tag="x" * 60_000)
    files = {
        "pdf/report.pdf": b"%PDF-1.4",
        "old/a.ipynb": notebook(nbformat=3),
        "broken/a.ipynb": EN[:500],
        "other/a.ipynb": OTHER,
        "other_ids/a.ipynb": notebook(OTHER, drop_assignment=True),
        "zero/a.ipynb": b"",
        "no_cells/a.ipynb": notebook(cells=[]),
        "big/a.ipynb": big,
        "stray.ipynb": EN,
        "fine/a.ipynb": no_metadata,  # no cnnbook metadata, but A's grade IDs: gradable
    }
    for name, data in files.items():
        write(batch / name, data)

    _, out = collect(batch, "--max-mb", "0.05")

    reasons = {
        "pdf": "not a notebook (.pdf)",
        "old": "not an nbformat 4 notebook (nbformat 3)",
        "broken": "corrupt JSON",
        "other": f"wrong assignment (the notebook is {A1}",
        "other_ids": "wrong assignment (grade IDs",
        "zero": "empty file (0 bytes)",
        "no_cells": "empty notebook (no cells)",
        "big": "over the size limit",
        "_unattributed": "not in a student's folder",
    }
    rejected = [line for line in out.splitlines() if line.startswith("  rejected ")]
    assert len(rejected) == len(reasons)
    for student, reason in reasons.items():
        assert any(line.startswith(f"  rejected {student}: ") and reason in line
                   for line in rejected), (student, reason, rejected)
    assert "1 accepted, 0 replaced, 0 duplicate, 9 rejected" in out
    assert students(collect.course) == ["fine"]
    assert submitted(collect.course, "fine") == no_metadata
    report = {row["student"]: row for row in latest_report(collect.course)}
    for student, reason in reasons.items():
        assert report[student]["status"] == "rejected" and reason in report[student]["reason"]
    for name, data in files.items():  # rejected files are kept too
        student = name.split("/")[0] if "/" in name else "_unattributed"
        [original] = originals(collect.course, student)
        assert original.read_bytes() == data


def test_a_batch_with_nothing_gradable_exits_1_and_keeps_its_files(tmp_path, capsys):
    """All of another assignment (the wrong download): one line, exit 1, nothing submitted;
    the files are still kept, as every collected file is."""
    batch = tmp_path / "batch"
    write(batch / "eleni" / "a.ipynb", OTHER)
    write(batch / "nikos" / "report.pdf", b"%PDF-1.4")
    course = tmp_path / "course"
    assert main(["collect", A, str(batch), "--course", str(course)]) == 1
    out, err = capsys.readouterr()
    assert "0 accepted, 0 replaced, 0 duplicate, 2 rejected" in out
    [line] = err.strip().splitlines()
    assert line.startswith("autograder collect: error: all 2 file(s) of ") and "originals/" in line
    assert "none can be graded" in line
    assert students(course) == []
    assert [p.read_bytes() for p in originals(course, "eleni")] == [OTHER]
    assert not (course / "roster.csv").exists()  # no one is learned from a refused batch


def test_check_notebook_reads_grade_ids_when_metadata_is_missing():
    source_ids = {"corr2d", "test_corr2d"}
    plain = json.loads(notebook(drop_assignment=True))
    plain["cells"] = [{"cell_type": "code", "source": "", "metadata": {
        "nbgrader": {"grade_id": "test_corr2d", "grade": True}}}]
    assert check_notebook(json.dumps(plain).encode(), A, source_ids) == ("", "")
    plain["cells"][0]["metadata"] = {}
    assert "none of its grade IDs" in check_notebook(json.dumps(plain).encode(), A, source_ids)[0]


def test_unsafe_folder_names_become_safe_ids(tmp_path, collect):
    batch = tmp_path / "batch"
    write(batch / "Γιώργος Π. (ομάδα 2)" / NB, EL)
    write(batch / "ok.id-7" / NB, EN)

    collect(batch)

    assert students(collect.course) == ["giorgos-p-omada-2", "ok.id-7"]


# ---------------------------------------------------------------- bad input: one line, exit 2

def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    batch = tmp / "batch"
    write(batch / "alice" / NB, EN)
    truncated = make_zip(tmp / "full.zip", {f"alice/{NB}": EN}).read_bytes()
    escape = tmp / "escape.zip"
    with zipfile.ZipFile(escape, "w") as archive:
        archive.writestr(f"alice/../../{NB}", EN)
    return {
        "missing source": ([A, str(tmp / "nowhere")], "no such folder or zip file"),
        "not a folder or zip": ([A, str(write(tmp / "notes.txt", b"hi"))],
                                "not a folder or a zip file"),
        "corrupt zip": ([A, str(write(tmp / "bad.zip", b"PK\x03\x04 not really"))],
                        "corrupt zip"),
        "truncated zip": ([A, str(write(tmp / "cut.zip", truncated[:-30]))], "corrupt zip"),
        "escaping entry": ([A, str(escape)], "tries to escape"),
        "unknown assignment": (["a9-nothing", str(batch)], "unknown assignment 'a9-nothing'"),
        "missing roster": ([A, str(batch), "--roster", str(tmp / "none.csv")],
                           "no such file"),
        "unreadable roster": ([A, str(batch), "--roster",
                               str(write(tmp / "bin.csv", b"\xff\xfe\x00\x81"))], "unreadable"),
        "roster without student_id": ([A, str(batch), "--roster",
                                       str(write(tmp / "r.csv", b"name,email\nAna,a@b\n"))],
                                      "no student_id column"),
        "unsafe student_id": ([A, str(batch), "--roster",
                               str(write(tmp / "u.csv", b"student_id\n../up\n"))],
                              "not a safe folder name"),
    }


BAD_INPUTS = ["missing source", "not a folder or zip", "corrupt zip", "truncated zip",
              "escaping entry", "unknown assignment", "missing roster", "unreadable roster",
              "roster without student_id", "unsafe student_id"]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, case):
    argv, message = _bad_inputs(tmp_path)[case]
    course = tmp_path / "course"

    status = main(["collect", *argv, "--course", str(course)])

    _, err = capsys.readouterr()
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("autograder collect: error: ")
    assert message in err
    assert not course.exists()  # nothing created for bad input


def test_workspace_inside_source_is_refused(tmp_path, capsys):
    batch = tmp_path / "batch"
    write(batch / "alice" / NB, EN)

    status = main(["collect", A, str(batch), "--course", str(batch / "course")])

    assert status == 2 and "inside SOURCE" in capsys.readouterr().err
    assert sorted(p.name for p in batch.iterdir()) == ["alice"]


# ---------------------------------------------------------------- nbgrader reads the workspace

def test_nbgrader_finds_the_submission(tmp_path, collect):
    from nbgrader.coursedir import CourseDirectory

    from autograder.records.workspace import nbgrader_config

    inbound = tmp_path / "inbound"
    write(inbound / f"alice+{A}+2025-01-02 10:00:00.000000 UTC+k" / NB, EN)
    collect(inbound)

    workspace = open_workspace(collect.course)
    coursedir = CourseDirectory(config=nbgrader_config(workspace))
    folder = Path(coursedir.format_path(coursedir.submitted_directory, "alice", A))
    assert (folder / NB).read_bytes() == EN
    assert coursedir.get_existing_timestamp(str(folder)) == datetime(2025, 1, 2, 10, 0)
    assert workspace.students(A) == ["alice"]


# ---------------------------------------------------------------- the parts

def test_eclass_names():
    assert parse_eclass_name("Giorgos Papadopoulos 1234567 (gpapad)") == (
        "Giorgos Papadopoulos", "1234567", "gpapad")
    assert parse_eclass_name("Giorgos Papadopoulos it21234 (g_p)") == (
        "Giorgos Papadopoulos", "it21234", "g_p")
    assert parse_eclass_name("Nikos Nikolaou999") == ("Nikos Nikolaou", "999", "")
    assert parse_eclass_name("Nikos Nikolaou") == ("Nikos Nikolaou", "", "")


def test_timestamps_as_nbgrader_writes_them():
    utc = timezone.utc
    assert parse_timestamp("2025-01-02 10:00:00.500000 UTC") == datetime(
        2025, 1, 2, 10, 0, 0, 500000, tzinfo=utc)
    assert parse_timestamp("2025-01-02 12:00:00 +0200") == datetime(2025, 1, 2, 10, tzinfo=utc)
    assert parse_timestamp("not a time") is None


def test_roster_rejects_two_students_with_one_lms_id(tmp_path):
    from autograder.common.errors import UserError

    path = write(tmp_path / "r.csv", b"student_id,lms_id\na,1\nb,1\n")
    with pytest.raises(UserError, match="lms_id '1'"):
        Roster.read(path)


def test_a_refused_moodle_download_adds_no_one_to_the_roster(tmp_path, capsys):
    """Another assignment's Moodle zip: exit 1, and the roster does not learn its names."""
    source = make_zip(tmp_path / "moodle.zip", {
        f"Νίκος Γεωργίου_401_assignsubmission_file_/{NB}": OTHER,
        f"Ελένη Κ_402_assignsubmission_file_/{NB}": OTHER})
    course = tmp_path / "course"
    assert main(["collect", A, str(source), "--course", str(course)]) == 1
    out, err = capsys.readouterr()
    assert "added to" not in out and "the roster is unchanged" in err
    assert not (course / "roster.csv").exists()
    assert len(manifest(course)) == 2  # the files themselves are kept
