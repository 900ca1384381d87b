"""Every assignment starts with a read-only, ungraded cell that installs a missing cnnbook."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from autograder.common import project
from cnnbook.links import (
    INSTALL_CELL_ID,
    WHEEL_URL_VARIABLE,
    install_cell_source,
    links_from_config,
)
from tests.conftest import ROOT

ASSIGNMENTS = project.assignment_names(project.SOLUTIONS)


def _first_code_cell(path):
    notebook = nbformat.read(path, as_version=4)
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_first_code_cell_installs_the_sites_wheel_read_only_and_ungraded(name):
    cell = _first_code_cell(project.SOLUTIONS / name / f"{name}.ipynb")
    wheel_url = links_from_config(ROOT / "_config.yml").wheel_url
    assert cell.source == install_cell_source(wheel_url)
    assert f'"{wheel_url}"' in cell.source and WHEEL_URL_VARIABLE in cell.source
    nbgrader = cell.metadata.nbgrader
    assert nbgrader.grade_id == INSTALL_CELL_ID
    assert nbgrader.locked and not nbgrader.grade and not nbgrader.solution


@pytest.mark.parametrize("language", ["en", "el"])
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_editions_start_with_the_same_cell(name, language):
    released = _first_code_cell(project.EXERCISES / language / name / f"{name}.ipynb")
    assert released.source == _first_code_cell(project.SOLUTIONS / name / f"{name}.ipynb").source
    assert released.metadata.nbgrader.locked


def test_the_sync_script_finds_nothing_to_update():
    result = subprocess.run([sys.executable, "scripts/sync_install_cells.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_where_cnnbook_imports_the_cell_does_nothing(tmp_path):
    """As in the grader's sandbox (no network) and the course environment: no pip at all."""
    source = install_cell_source("https://invalid.example/cnnbook-0-py3-none-any.whl")
    env = {**os.environ, WHEEL_URL_VARIABLE: str(tmp_path / "missing.whl"),
           "PIP_NO_INDEX": "1"}
    # A pip run would fail here (no index, a missing wheel) and check=True would raise.
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
