"""Distinct LMS participants are never merged: namesakes stay two students, or are refused.

Two «Γιώργος Παπαδόπουλος» are common in a Greek class. Moodle's participant id
and eClass's AM and username tell them apart; a name does not.
"""

from __future__ import annotations

import pytest

from autograder.intake.received import Identity
from autograder.intake.roster import Roster, Student
from tests.autograder.test_collect import (
    EL,
    EN,
    NB,
    latest_report,
    make_zip,
    notebook,
    originals,
    snapshot,
    students,
    submitted,
    write,
)
from tests.autograder.test_collect import collect as collect

NAME = "Γιώργος Παπαδόπουλος"


def moodle_namesakes(path):
    return make_zip(path, {
        f"{NAME}_201_assignsubmission_file_/{NB}": EN,
        f"{NAME}_202_assignsubmission_file_/{NB}": EL,
    })


def eclass_namesakes(path):
    return make_zip(path, {
        "work_7/Giorgos Papadopoulos 1111111 (gpapad1).ipynb": EN,
        "work_7/Giorgos Papadopoulos 2222222 (gpapad2).ipynb": EL,
    })


def test_moodle_namesakes_without_a_roster_are_two_students(tmp_path, collect):
    source = moodle_namesakes(tmp_path / "moodle.zip")
    before = snapshot(source)
    collect(source)
    course = collect.course
    assert students(course) == ["participant-201", "participant-202"]
    assert submitted(course, "participant-201") == EN
    assert submitted(course, "participant-202") == EL
    assert snapshot(source) == before


def test_collecting_the_same_zip_twice_changes_nothing(tmp_path, collect):
    source = moodle_namesakes(tmp_path / "moodle.zip")
    collect(source)
    course = collect.course
    roster_before = (course / "roster.csv").read_bytes()
    _, out = collect(source)
    assert students(course) == ["participant-201", "participant-202"]
    assert (course / "roster.csv").read_bytes() == roster_before
    assert "0 accepted" in out and "2 duplicate" in out


def test_eclass_namesakes_without_a_roster_are_two_students(tmp_path, collect):
    collect(eclass_namesakes(tmp_path / "eclass.zip"))
    assert students(collect.course) == ["gpapad1", "gpapad2"]


def test_namesakes_with_their_lms_ids_on_the_roster_go_to_their_rows(tmp_path, collect):
    roster = write(tmp_path / "roster.csv", (
        f"student_id,name,email,lms_id\ns1,{NAME},,202\ns2,{NAME},,201\n").encode())
    collect(moodle_namesakes(tmp_path / "moodle.zip"), "--roster", str(roster))
    course = collect.course
    assert students(course) == ["s1", "s2"]
    assert submitted(course, "s1") == EL and submitted(course, "s2") == EN


def test_one_unidentified_roster_row_and_two_namesakes_refuses_both(tmp_path, collect):
    roster = write(tmp_path / "roster.csv",
                   f"student_id,name,email,lms_id\ns1,{NAME},,\n".encode())
    collect(moodle_namesakes(tmp_path / "moodle.zip"), "--roster", str(roster), expect=1)
    course = collect.course
    assert "none can be graded" in collect.err  # nothing to grade: exit 1, one line
    assert students(course) == []
    report = latest_report(course)
    assert [row["status"] for row in report] == ["rejected", "rejected"]
    assert all("fits roster rows s1" in row["reason"] for row in report)
    assert len(originals(course, "_unattributed")) == 2  # kept, as every original is


def test_a_row_with_another_lms_id_is_never_matched_by_name(tmp_path, collect):
    roster = write(tmp_path / "roster.csv",
                   f"student_id,name,email,lms_id\ns1,{NAME},,201\n".encode())
    source = make_zip(tmp_path / "moodle.zip",
                      {f"{NAME}_202_assignsubmission_file_/{NB}": notebook(tag="the other")})
    collect(source, "--roster", str(roster))
    assert students(collect.course) == ["participant-202"]


def test_a_learned_namesake_does_not_capture_the_next(tmp_path, collect):
    """The first namesake becomes a roster row; the second's id finds none, and his name
    must not then fall on the first one's row (the bug this guards against)."""
    first = make_zip(tmp_path / "first.zip",
                     {f"{NAME}_201_assignsubmission_file_/{NB}": EN})
    second = make_zip(tmp_path / "second.zip",
                      {f"{NAME}_202_assignsubmission_file_/{NB}": EL})
    collect(first)
    collect(second)
    course = collect.course
    assert students(course) == ["participant-201", "participant-202"]
    assert submitted(course, "participant-201") == EN


# ---------------------------------------------------------------- the rule, on the roster

def roster(*rows: tuple[str, str, str]) -> Roster:
    return Roster(Student(student_id, name, "", lms_id) for student_id, name, lms_id in rows)


def moodle(participant: str, name: str = NAME) -> Identity:
    return Identity(f"{name} (Moodle participant {participant})", ids=(participant,),
                    names=(name,), fallback=f"participant-{participant}",
                    lms_id=participant, name=name)


def folder(name: str) -> Identity:
    return Identity(f"{name}/", ids=(name,), names=(name,), fallback=name)


@pytest.mark.parametrize(("rows", "identity", "batch", "student", "candidates"), [
    # an id decides
    ([("s1", NAME, "201"), ("s2", NAME, "202")], moodle("202"), {"201", "202"}, "s2", ()),
    # a name alone: one row, no id on it, no namesake in the batch
    ([("s1", NAME, "")], moodle("201"), {"201"}, "s1", ()),
    ([("s1", NAME, "")], folder(NAME), set(), "s1", ()),
    # a row with another LMS id is someone else
    ([("s1", NAME, "201")], moodle("202"), {"202"}, None, ()),
    # a folder named like a row that has an LMS id: no id decides, so refused
    ([("s1", NAME, "201")], folder(NAME), set(), None, ("s1",)),
    # two rows with the name and no id decides
    ([("s1", NAME, ""), ("s2", NAME, "")], moodle("201"), {"201"}, None, ("s1", "s2")),
    # one free row, but two namesakes in the batch
    ([("s1", NAME, "")], moodle("201"), {"201", "202"}, None, ("s1",)),
])
def test_match(rows, identity, batch, student, candidates):
    match = roster(*rows).match(identity, frozenset(batch))
    assert (match.student, match.candidates) == (student, candidates)
