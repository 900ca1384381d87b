"""`autograder check`: the student's self-check, in the grader's sandbox, on a copy."""

from __future__ import annotations

import hashlib

import nbformat

from autograder.cli import main
from tests.autograder.test_grade import CORRECT, GOLDEN, craft


def _write(tmp_path, notebook, name="toy.ipynb"):
    path = tmp_path / name
    nbformat.write(notebook, path)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_correct_notebook_passes_and_is_left_untouched(tmp_path, capsys):
    path, digest = _write(tmp_path, craft(CORRECT))
    assert main(["check", str(path), "--solutions", str(GOLDEN / "solutions")]) == 0
    out = capsys.readouterr().out
    assert "passed          test_double (2 points)" in out and "all visible tests pass" in out
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_the_greek_edition_is_answered_in_greek(tmp_path, capsys):
    path, _ = _write(tmp_path, craft(CORRECT, language="el"))
    assert main(["check", str(path), "--solutions", str(GOLDEN / "solutions")]) == 0
    out = capsys.readouterr().out
    assert "επιτυχία        test_double (2 μονάδες)" in out
    assert "όλοι οι ορατοί έλεγχοι περνούν" in out and "κρυφούς ελέγχους" in out
    assert "passed" not in out and "points" not in out


def test_unanswered_parts_fail_and_a_stopped_notebook_is_reported(tmp_path, capsys):
    path, _ = _write(tmp_path, craft(after={"double": "while True:\n    pass"}))
    assert main(["check", str(path), "--solutions", str(GOLDEN / "solutions")]) == 1
    out = capsys.readouterr().out
    assert "never ran" in out
    assert "the notebook stopped early: a cell took longer than its time limit" in out


def test_bad_input_is_one_line(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing.ipynb")]) == 2
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert main(["check", str(tmp_path / "broken.ipynb")]) == 2
    path, _ = _write(tmp_path, nbformat.v4.new_notebook(), "other.ipynb")
    assert main(["check", str(path)]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and "not one of the course's assignments" in errors[2], errors
