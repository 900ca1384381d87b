"""Helpers the grader needs in many places are defined once (issue: "one of each").

Each used to exist in several variants that drifted apart (an atomic write
without fsync, a roster reader that ignored the delimiter, an ignore list that
missed a folder). These tests keep one definition of each, and keep the
low-level calls they wrap out of every other module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import autograder

PACKAGE = Path(autograder.__file__).parent

# helper → the one module (relative to autograder/) allowed to define it
HOMES = {
    "write_atomic": "common/files.py",       # atomic write, with fsync
    "commit": "common/files.py",
    "file_sha256": "common/files.py",        # sha256 of a file
    "read_roster": "records/workspace.py",   # the workspace's roster …
    "Roster": "intake/roster.py",            # … read by the one roster reader
    "course_config": "records/nbgrader.py",  # nbgrader converter setup
    "run_converter": "records/nbgrader.py",
    "IGNORE": "records/nbgrader.py",         # nbgrader ignore list
    "select_students": "records/workspace.py",  # student filter
    "RESULT_FILE": "scoring/result.py",      # result.json's name
}

# a low-level call → the modules allowed to make it
CONFINED = {
    "os.replace(": {"common/files.py",
                    "scoring/heldout.py"},  # heldout swaps a whole staged folder
    "CourseDirectory(": {"records/nbgrader.py"},
    '"*.pyc"': {"records/nbgrader.py"},
    "csv.reader(": {"intake/roster.py",  # the roster
                    "records/moodle.py"},  # Moodle's grading worksheet, another format
    "csv.DictReader(": set(),
    '"result.json"': {"scoring/result.py"},
}

REMOVED = ("grade_cell_points", "recorded_students", "submission_folder")


def sources() -> dict[str, str]:
    return {path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(PACKAGE.rglob("*.py"))}


def definitions(name: str) -> list[str]:
    found = []
    for module, text in sources().items():
        for node in ast.walk(ast.parse(text)):
            defines = (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name) \
                or (isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == name for t in node.targets))
            if defines:
                found.append(module)
    return found


@pytest.mark.parametrize("name", sorted(HOMES))
def test_each_helper_is_defined_once(name):
    assert definitions(name) == [HOMES[name]]


@pytest.mark.parametrize("call", sorted(CONFINED))
def test_low_level_calls_stay_in_their_module(call):
    users = {module for module, text in sources().items() if call in text}
    assert users <= CONFINED[call], f"{call} used in {sorted(users - CONFINED[call])}"


@pytest.mark.parametrize("name", REMOVED)
def test_unused_gradebook_helpers_are_gone(name):
    assert definitions(name) == []
