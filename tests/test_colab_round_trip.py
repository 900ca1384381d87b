"""A notebook opened and saved in Colab, then collected and graded through the grader's CLI.

The fixtures (tests/autograder/fixtures/colab/, written by its make_fixtures.py)
are A2's Greek edition with correct answers, as Colab saves it: with its
`colab` metadata and every other key kept, and two worse cases in which the
cells' `nbgrader` metadata is gone (no public source says Colab drops it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "autograder" / "fixtures" / "colab"
ASSIGNMENT = "a2-cross-correlation"


def _autograder(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "CNNBOOK_OFFLINE": "1", "COLUMNS": "200"}
    env.pop("CNNBOOK_DATA", None)
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def _collect(fixture: str, tmp_path: Path) -> subprocess.CompletedProcess:
    submission = tmp_path / "in" / "student" / f"{ASSIGNMENT}.ipynb"
    submission.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / fixture, submission)
    (tmp_path / "course").mkdir()
    return _autograder("collect", ASSIGNMENT, str(tmp_path / "in"), "--course",
                       str(tmp_path / "course"), cwd=tmp_path)


def _grade(tmp_path: Path) -> subprocess.CompletedProcess:
    # Offline, with no staged data: the grader refuses the bundled sample unless told.
    return _autograder("grade", ASSIGNMENT, "--course", str(tmp_path / "course"), "--profile",
                       "ci", "--workers", "1", "--allow-sample", cwd=tmp_path)


def test_the_fixtures_carry_colabs_metadata_and_lose_what_they_say():
    import json

    notebooks = {path.name: json.loads(path.read_text(encoding="utf-8"))
                 for path in FIXTURES.glob("*.ipynb")}
    assert sorted(notebooks) == ["a2-colab-cells-stripped.ipynb", "a2-colab-kept.ipynb",
                                 "a2-colab-stripped.ipynb"]
    for name, notebook in notebooks.items():
        assert "provenance" in notebook["metadata"]["colab"], name
        has_grade_ids = any("nbgrader" in cell["metadata"] for cell in notebook["cells"])
        assert has_grade_ids == (name == "a2-colab-kept.ipynb"), name
        assert ("cnnbook" in notebook["metadata"]) == (name != "a2-colab-stripped.ipynb"), name


def test_a_notebook_colab_saved_with_its_metadata_collects_and_grades_in_full(tmp_path):
    collected = _collect("a2-colab-kept.ipynb", tmp_path)
    assert collected.returncode == 0 and "1 accepted" in collected.stdout, collected.stdout
    graded = _grade(tmp_path)
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    assert "16/16" in graded.stdout, graded.stdout


def test_without_any_metadata_collect_says_why_it_cannot_grade(tmp_path):
    collected = _collect("a2-colab-stripped.ipynb", tmp_path)
    assert "rejected" in collected.stdout
    assert "none of its grade IDs" in collected.stdout, collected.stdout


def test_without_cell_metadata_grade_recovers_the_cells_and_grades_in_full(tmp_path):
    collected = _collect("a2-colab-cells-stripped.ipynb", tmp_path)
    assert "1 accepted" in collected.stdout, collected.stdout
    graded = _grade(tmp_path)
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    assert "Traceback" not in graded.stderr, graded.stderr[-2000:]
    assert "16/16" in graded.stdout, graded.stdout
    assert "nbgrader metadata of" in graded.stdout
