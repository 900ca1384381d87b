"""`autograder release`: exercises/ in sync, nothing of the grader's leaks, twin editions."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from autograder.cli import main
from autograder.common import project
from autograder.common.assignment import grade_cells
from autograder.common.bilingual import cell_languages
from autograder.common.spec import GRADER_ONLY
from autograder.records.nbgrader import read_tree, release_files

ASSIGNMENTS = project.assignment_names(project.SOLUTIONS)


@pytest.fixture(scope="module")
def fresh_releases():
    return {name: release_files(project.SOLUTIONS, name) for name in ASSIGNMENTS}


def test_there_are_assignments():
    assert "a2-cross-correlation" in ASSIGNMENTS


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_exercises_are_in_sync_with_solutions(name, fresh_releases):
    for language, files in fresh_releases[name].items():
        assert read_tree(project.EXERCISES / language / name) == files, (
            f"exercises/{language}/{name} is stale: run `autograder release {name}`")


def test_exercises_hold_only_released_assignments():
    for language in ("en", "el"):
        assert sorted(p.name for p in (project.EXERCISES / language).iterdir()) == ASSIGNMENTS


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_solution_hidden_test_or_grader_file_leaks(name, fresh_releases):
    source = nbformat.read(project.SOLUTIONS / name / f"{name}.ipynb", as_version=4)
    secrets = _secret_lines(source)
    assert secrets, "the source should have solutions and hidden tests"
    for language, files in fresh_releases[name].items():
        for relative in files:
            assert relative.split("/")[0] not in GRADER_ONLY, relative
        text = files[f"{name}.ipynb"].decode("utf-8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "HIDDEN TESTS"):
            assert marker not in text, (language, marker)
        released = nbformat.reads(text, as_version=4)
        code = "\n".join(cell.source for cell in released.cells if cell.cell_type == "code")
        leaked = [line for line in secrets if line in code.splitlines()]
        assert leaked == [], (language, leaked[:3])


def _secret_lines(notebook) -> list[str]:
    """Distinctive lines found only between nbgrader's solution or hidden-test markers."""
    inside_lines, outside_lines, inside = [], set(), False
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            if re.search(r"### BEGIN (SOLUTION|HIDDEN TESTS)", line):
                inside = True
            elif re.search(r"### END (SOLUTION|HIDDEN TESTS)", line):
                inside = False
            elif inside:
                inside_lines.append(line)
            else:
                outside_lines.add(line)
    return [line for line in inside_lines if len(line.strip()) > 12
            and not line.strip().startswith("#") and line not in outside_lines]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_both_editions_share_code_grade_ids_and_checksums(name, fresh_releases):
    editions = {language: nbformat.reads(files[f"{name}.ipynb"].decode(), as_version=4)
                for language, files in fresh_releases[name].items()}
    english, greek = editions["en"], editions["el"]
    assert english.metadata.cnnbook.language == "en"
    assert greek.metadata.cnnbook.language == "el"

    def code(nb):
        return [(cell.source, json.dumps(cell.metadata.get("nbgrader"), sort_keys=True))
                for cell in nb.cells if cell.cell_type == "code"]

    # The code is the same but for one line of the parameters cell: LANG = "el".
    assert len(code(english)) == len(code(greek))
    for (en_source, en_nbgrader), (el_source, el_nbgrader), cell in zip(
            code(english), code(greek), [c for c in english.cells if c.cell_type == "code"],
            strict=True):
        assert en_nbgrader == el_nbgrader
        if en_source != el_source:
            assert "parameters" in cell.metadata.get("tags", [])
            changed = [(en, el) for en, el in zip(en_source.splitlines(), el_source.splitlines(),
                                                  strict=True) if en != el]
            assert len(changed) == 1 and changed[0][0].startswith('LANG = "en"'), changed
            assert changed[0][1] == changed[0][0].replace('LANG = "en"', 'LANG = "el"', 1)
    assert {k: c.metadata.nbgrader.checksum for k, c in grade_cells(english).items()} == {
        k: c.metadata.nbgrader.checksum for k, c in grade_cells(greek).items()}
    for language, notebook in editions.items():
        markdown = [cell for cell in notebook.cells if cell.cell_type == "markdown"]
        assert markdown and all(cell_languages(cell) == {language} for cell in markdown)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_edition_sets_its_language_in_the_parameters_cell(name, fresh_releases):
    for language, files in fresh_releases[name].items():
        notebook = nbformat.reads(files[f"{name}.ipynb"].decode(), as_version=4)
        parameters = [cell.source for cell in notebook.cells
                      if "parameters" in cell.metadata.get("tags", [])]
        assert len(parameters) == 1
        assert re.findall(r'^LANG = "(\w+)"', parameters[0], flags=re.M) == [language]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_greek_edition_reads_greek(name, fresh_releases):
    text = fresh_releases[name]["el"][f"{name}.ipynb"].decode("utf-8")
    markdown = "".join(cell.source for cell in nbformat.reads(text, as_version=4).cells
                       if cell.cell_type == "markdown")
    letters = [ch for ch in markdown if ch.isalpha()]
    greek = sum("\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff" for ch in letters)
    assert greek / len(letters) > 0.6


def test_release_writes_both_editions_and_check_then_passes(tmp_path, capsys):
    exercises = tmp_path / "exercises"
    assert main(["release", "a2-cross-correlation", "--exercises", str(exercises)]) == 0
    assert sorted(p.relative_to(exercises).as_posix() for p in exercises.rglob("*.ipynb")) == [
        "el/a2-cross-correlation/a2-cross-correlation.ipynb",
        "en/a2-cross-correlation/a2-cross-correlation.ipynb"]
    assert main(["release", "a2-cross-correlation", "--check", "--exercises", str(exercises)]) == 0
    notebook = exercises / "el/a2-cross-correlation/a2-cross-correlation.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert main(["release", "--check", "a2-cross-correlation", "--exercises", str(exercises)]) == 1
    assert "el/a2-cross-correlation" in capsys.readouterr().out


def test_release_leaves_no_staging_folders(tmp_path):
    exercises = tmp_path / "exercises"
    for _ in range(2):
        assert main(["release", "a2-cross-correlation", "--exercises", str(exercises)]) == 0
    assert sorted(p.name for p in (exercises / "en").iterdir()) == ["a2-cross-correlation"]


@pytest.mark.parametrize("argv, message", [
    (["release", "no-such-assignment"], "unknown assignment 'no-such-assignment'"),
    (["release", "--solutions", "/nonexistent"], "no solutions folder at /nonexistent"),
])
def test_release_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_release_rejects_a_broken_grading_yml_without_writing(tmp_path, capsys):
    import shutil

    solutions = tmp_path / "solutions"
    shutil.copytree(project.SOLUTIONS / "a2-cross-correlation",
                    solutions / "a2-cross-correlation")
    spec = solutions / "a2-cross-correlation" / "grading.yml"
    spec.write_text(spec.read_text().replace("points: 3", "points: 4"))
    exercises = tmp_path / "exercises"
    argv = ["release", "--solutions", str(solutions), "--exercises", str(exercises)]
    assert main(argv) == 2
    assert "'test_conv2d' is worth 3 points in the notebook but 4 in grading.yml" in (
        capsys.readouterr().err)
    assert not exercises.exists()
