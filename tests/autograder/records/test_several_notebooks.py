"""Collecting an nbgrader assignment of several notebooks: each file finds its notebook."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import nbgrader

from autograder.cli import main

USER_GUIDE = Path(nbgrader.__file__).resolve().parent / "docs" / "source" / "user_guide"


def report_rows(workspace: Path) -> list[dict[str, str]]:
    (report,) = sorted((workspace / "reports").glob("collect-ps1-*.csv"))
    with report.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_files_go_to_their_notebook_by_name_or_by_grade_ids(tmp_path, capsys):
    shutil.copytree(USER_GUIDE / "source", tmp_path / "source")
    inbox = tmp_path / "inbox"
    submitted = USER_GUIDE / "submitted" / "hacker" / "ps1"
    (inbox / "hacker").mkdir(parents=True)
    # renamed by the student's browser: its grade IDs say it is problem1
    shutil.copyfile(submitted / "problem1.ipynb", inbox / "hacker" / "problem1 (1).ipynb")
    shutil.copyfile(submitted / "problem2.ipynb", inbox / "hacker" / "problem2.ipynb")
    shutil.copyfile(submitted / "jupyter.png", inbox / "hacker" / "jupyter.png")
    # cells of both notebooks pasted into one: it is neither
    mixed = nbformat.read(submitted / "problem1.ipynb", as_version=4)
    mixed.cells += nbformat.read(submitted / "problem2.ipynb", as_version=4).cells
    (inbox / "mixer").mkdir()
    nbformat.write(mixed, inbox / "mixer" / "answers.ipynb")

    workspace = tmp_path / "ws"
    assert main(["collect", "ps1", str(inbox), "--source", str(tmp_path / "source"),
                 "--course", str(workspace)]) == 0
    hacker = workspace / "submitted" / "hacker" / "ps1"
    assert (hacker / "problem1.ipynb").read_bytes() == (submitted / "problem1.ipynb").read_bytes()
    assert (hacker / "problem2.ipynb").read_bytes() == (submitted / "problem2.ipynb").read_bytes()
    assert not (workspace / "submitted" / "mixer").exists()
    reasons = {row["original_name"]: (row["status"], row["reason"])
               for row in report_rows(workspace)}
    assert reasons["answers.ipynb"] == (
        "rejected", "not one of ps1's notebooks (problem1, problem2)")
    assert reasons["jupyter.png"][1].endswith("grading uses the assignment's own data files")
    assert reasons["problem1 (1).ipynb"] == ("accepted", "")


def test_an_unknown_assignment_lists_the_nbgrader_assignments(tmp_path, capsys):
    shutil.copytree(USER_GUIDE / "source", tmp_path / "source")
    (tmp_path / "inbox" / "someone").mkdir(parents=True)
    assert main(["collect", "ps9", str(tmp_path / "inbox"), "--source",
                 str(tmp_path / "source"), "--course", str(tmp_path / "ws")]) == 2
    assert "has: ps1, ps1_autotest" in capsys.readouterr().err
