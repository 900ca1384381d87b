"""An nbgrader course's assignments and settings, read as nbgrader reads them."""

from __future__ import annotations

from pathlib import Path

import nbgrader
import pytest

from autograder.common.course import (
    NBGRADER_CELL_TIMEOUT,
    CourseSettings,
    generation_config,
    is_notebook_assignment,
    load_course_config,
    load_notebook_assignment,
    notebook_spec,
    read_course_settings,
)
from autograder.common.errors import UserError

SOURCE = Path(nbgrader.__file__).resolve().parent / "docs" / "source" / "user_guide" / "source"


def course(tmp_path: Path, config: str) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n" + config,
                                                 encoding="utf-8")
    return source


def test_the_documentation_course_s_ps1_is_two_notebooks_and_a_data_file():
    assignment = load_notebook_assignment(SOURCE, "ps1")
    assert assignment.notebooks == ("problem1", "problem2")
    assert assignment.files == ("jupyter.png",)
    assert not is_notebook_assignment(SOURCE, "header.ipynb")  # a file, not an assignment


def test_an_assignment_with_grading_yml_is_not_graded_by_nbgrader_s_rules(tmp_path):
    folder = tmp_path / "a1"
    folder.mkdir()
    (folder / "a1.ipynb").write_text("{}")
    assert is_notebook_assignment(tmp_path, "a1")
    (folder / "grading.yml").write_text("assignment: a1\n")
    assert not is_notebook_assignment(tmp_path, "a1")
    with pytest.raises(UserError, match="no nbgrader assignment 'a1'"):
        load_notebook_assignment(tmp_path, "a1")


def test_without_a_config_nbgrader_s_defaults_apply(tmp_path):
    assert read_course_settings(tmp_path) == CourseSettings()
    assert CourseSettings().cell_timeout == NBGRADER_CELL_TIMEOUT == 30


def test_the_course_config_sets_timeout_markers_and_course_id(tmp_path):
    source = course(tmp_path, "c.ExecutePreprocessor.timeout = 10\nc.Execute.timeout = 5\n"
                              "c.ClearSolutions.begin_solution_delimeter = 'BEGIN MY ANSWER'\n"
                              "c.ClearHiddenTests.end_test_delimeter = 'END SECRET'\n"
                              "c.CourseDirectory.course_id = 'phys101'\n")
    settings = read_course_settings(source)
    assert settings.cell_timeout == 5  # Execute, nbgrader's subclass, wins
    assert settings.solution_markers == ("BEGIN MY ANSWER", "END SOLUTION")
    assert settings.hidden_test_markers == ("BEGIN HIDDEN TESTS", "END SECRET")
    assert settings.course_id == "phys101"
    assert settings.config_file == tmp_path / "nbgrader_config.py"
    generation = generation_config(load_course_config(source))
    assert set(generation) == {"ClearSolutions", "ClearHiddenTests"}  # no CourseDirectory


def test_the_config_is_python_run_by_traitlets_not_parsed(tmp_path):
    source = course(tmp_path, "minutes = 2\nc.ExecutePreprocessor.timeout = minutes * 60\n")
    assert read_course_settings(source).cell_timeout == 120


def test_no_cell_timeout_leaves_the_notebook_s_wall_clock(tmp_path):
    source = course(tmp_path, "c.Execute.timeout = None\n")
    settings = read_course_settings(source)
    assert settings.cell_timeout is None
    spec = notebook_spec(load_notebook_assignment(SOURCE, "ps1"), settings)
    limits = spec.profile("cpu").limits
    assert limits["cell_timeout"] == limits["notebook_timeout"]
    assert spec.checks == ()


def test_a_broken_config_is_one_line_naming_the_file(tmp_path):
    source = course(tmp_path, "c.Execute.timeout = undefined_name\n")
    with pytest.raises(UserError, match=r"nbgrader_config.py: nbgrader cannot load it"):
        read_course_settings(source)
