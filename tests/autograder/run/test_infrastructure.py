"""Infrastructure failures are never scores: "not graded", nothing recorded, exit 1, a rerun grades.

Infrastructure is what fails before the submission's first cell (the runner or
its sandbox cannot start) or inside the grader's own checker. What the
submission causes (a timeout, memory, killing its kernel or the runner) stays a
score with its reason: the golden cases in test_grade.py cover those.
"""

from __future__ import annotations

import json

import pytest

from autograder.cli import main
from autograder.records.workspace import open_workspace
from autograder.sandbox import isolation
from tests.autograder.test_grade import CORRECT, GOLDEN, _write_submissions, craft

pytestmark = pytest.mark.skipif(not isolation.bubblewrap_works(),
                                reason="needs bubblewrap (CI installs it)")


def result_of(workspace, student: str) -> dict:
    return json.loads((workspace.autograded(student, "toy") / "result.json").read_text())


def recorded(workspace, student: str) -> bool:
    from autograder.records.gradebook import gradebook

    if not (workspace.root / "gradebook.db").is_file():
        return False
    with gradebook(workspace) as book:
        return any(s.student.id == student for s in book.find_assignment("toy").submissions)


def test_a_runner_that_cannot_start_records_nothing_and_a_rerun_grades(
        tmp_path, capsys, monkeypatch):
    workspace = open_workspace(tmp_path / "course", create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {"s001": craft(CORRECT)}, "toy")
    monkeypatch.setattr(isolation, "python", lambda: "/nonexistent/bin/python")
    monkeypatch.setenv("AUTOGRADER_WARM_KERNELS", "0")

    assert main(["grade", "toy", "--course", str(workspace.root), "--workers", "1",
                 "--no-preflight"]) == 1  # the preflight would refuse first: see below
    result = result_of(workspace, "s001")
    assert result["status"] == "error" and result["score"] == 0 and result["parts"] == []
    assert result["reason"].startswith(
        "grader error: infrastructure: the notebook runner did not start")
    assert "/nonexistent/bin/python" in result["reason"]
    assert not recorded(workspace, "s001")
    err = capsys.readouterr().err
    assert "1 submissions hit a grader error" in err and "no preflight" in err

    monkeypatch.undo()
    assert main(["grade", "toy", "--course", str(workspace.root), "--workers", "1"]) == 0
    assert result_of(workspace, "s001")["score"] == 3
    assert recorded(workspace, "s001")


def test_the_preflight_refuses_a_batch_whose_runner_cannot_start(tmp_path, capsys, monkeypatch):
    workspace = open_workspace(tmp_path / "course", create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {"s001": craft(CORRECT)}, "toy")
    monkeypatch.setattr(isolation, "python", lambda: "/nonexistent/bin/python")
    monkeypatch.setenv("AUTOGRADER_WARM_KERNELS", "0")

    assert main(["grade", "toy", "--course", str(workspace.root), "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    refusal = [line for line in err if "preflight" in line and "error" in line]
    assert len(refusal) == 1, err
    assert "the reference solution of toy scored 0/3" in refusal[0]
    assert "the notebook runner did not start" in refusal[0]
    assert not (workspace.autograded("s001", "toy") / "result.json").exists()
    assert not recorded(workspace, "s001")


def test_a_passed_preflight_is_cached_for_the_next_batch(tmp_path, capsys):
    workspace = open_workspace(tmp_path / "course", create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {"s001": craft(CORRECT)}, "toy")
    assert main(["grade", "toy", "--course", str(workspace.root), "--workers", "1"]) == 0
    assert "the reference solution scored 3/3" in capsys.readouterr().out
    assert result_of(workspace, "s001")["preflight"] == "passed"
    assert main(["grade", "toy", "--course", str(workspace.root), "--workers", "1",
                 "--force"]) == 0
    assert "passed before under the same conditions" in capsys.readouterr().out
    assert result_of(workspace, "s001")["preflight"] == "cached"


def test_submissions_graded_beside_a_refused_preflight_are_not_recorded(
        tmp_path, capsys, monkeypatch):
    """The reference runs beside the first submissions (two workers): whatever they finish
    before it fails is dropped, not recorded, and the batch exits 2 with one line."""
    workspace = open_workspace(tmp_path / "course", create=True, source=GOLDEN / "solutions")
    students = [f"s00{i}" for i in range(1, 4)]
    _write_submissions(workspace, {s: craft(CORRECT) for s in students}, "toy")
    monkeypatch.setattr(isolation, "python", lambda: "/nonexistent/bin/python")
    monkeypatch.setenv("AUTOGRADER_WARM_KERNELS", "0")

    assert main(["grade", "toy", "--course", str(workspace.root), "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "preflight: the reference solution of toy scored 0/3" in err
    for student in students:
        assert not (workspace.autograded(student, "toy") / "result.json").exists()
        assert not recorded(workspace, student)
