"""The sandbox finds the grader's Python and code wherever the instructor's setup puts them.

The sandbox mounts a private /tmp. A venv reached through a symlink under /tmp,
a venv or checkout under /tmp, and an editable install from another checkout
than the one `grade` runs from must all still run, with the coordinator's own
code inside.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import autograder
from autograder.records.workspace import open_workspace
from autograder.sandbox import isolation
from tests.autograder.test_grade import CORRECT, GOLDEN, _write_submissions, craft
from tests.conftest import ROOT

VENV = Path(sys.executable).parent.parent


def test_pythonpath_inside_is_the_coordinators_code():
    roots = isolation.python_env()["PYTHONPATH"].split(os.pathsep)
    assert str(Path(autograder.__file__).parent.parent) == roots[0]


def test_a_symlinked_venv_under_tmp_is_bound_where_python_says_it_is(tmp_path):
    link = tmp_path / "venv-link"
    link.symlink_to(VENV, target_is_directory=True)
    shown = subprocess.run(
        [str(link / "bin" / "python"), "-c",
         "from autograder.sandbox import isolation; import json; "
         "print(json.dumps([[str(a), str(b)] for a, b in isolation.python_binds()]))"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    assert [str(VENV.resolve()), str(link)] in json.loads(shown.stdout)


@pytest.mark.skipif(not isolation.bubblewrap_works(), reason="needs bubblewrap")
def test_grading_through_a_symlinked_venv_under_tmp(tmp_path):
    link = tmp_path / "venv-link"
    link.symlink_to(VENV, target_is_directory=True)
    workspace = open_workspace(tmp_path / "course", create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {"s001": craft(CORRECT)}, "toy")
    env = {**os.environ, "PATH": f"{link / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([str(link / "bin" / "python"), "-m", "autograder", "grade", "toy",
                           "--course", str(workspace.root), "--workers", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads((workspace.autograded("s001", "toy") / "result.json").read_text())
    assert result["status"] == "graded" and result["score"] == 3, result
