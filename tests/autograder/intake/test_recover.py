"""A notebook whose editor dropped the cells' nbgrader metadata gets it back from the source.

The fixtures are A2's Greek edition, answered, as Colab saves it
(tests/autograder/fixtures/colab/make_fixtures.py): `a2-colab-kept.ipynb` holds
the released metadata, `a2-colab-cells-stripped.ipynb` the same cells without it.
"""

from __future__ import annotations

import copy

import nbformat
import pytest

from autograder.common.errors import UserError
from autograder.intake.recover import recover_cell_metadata
from tests.conftest import ROOT

NAME = "a2-cross-correlation"
FIXTURES = ROOT / "tests" / "autograder" / "fixtures" / "colab"


def _read(path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="module")
def source() -> nbformat.NotebookNode:
    return _read(ROOT / "solutions" / NAME / f"{NAME}.ipynb")


@pytest.fixture()
def stripped() -> nbformat.NotebookNode:
    return _read(FIXTURES / "a2-colab-cells-stripped.ipynb")


@pytest.fixture(scope="module")
def kept() -> nbformat.NotebookNode:
    return _read(FIXTURES / "a2-colab-kept.ipynb")


def _source_metadata(source) -> dict[str, dict]:
    return {cell.metadata.nbgrader["grade_id"]: cell.metadata.nbgrader
            for cell in source.cells if "nbgrader" in cell.metadata}


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _index_of(notebook, grade_id: str) -> int:
    return next(i for i, cell in enumerate(notebook.cells) if _grade_id(cell) == grade_id)


def test_the_fixtures_are_the_current_a2(source, kept):
    points = sum(meta.get("points", 0) for meta in _source_metadata(source).values())
    assert points == 16
    assert {_grade_id(cell) for cell in kept.cells} - {None} == set(_source_metadata(source))


def test_every_grade_id_comes_back_on_the_cell_it_was_on(source, stripped, kept):
    before = copy.deepcopy(stripped)
    recovered, notes = recover_cell_metadata(stripped, source)

    assert stripped == before, "the submission passed in is left as it was"
    expected = _source_metadata(source)
    assert len(expected) == 23
    assert notes == ["nbgrader metadata of 23 cells restored from the source "
                     "(the notebook editor dropped it); tags restored: parameters"]
    assert len(recovered.cells) == len(kept.cells)
    for cell, released in zip(recovered.cells, kept.cells, strict=True):
        assert cell.source == released.source  # nothing moved, nothing rewritten
        assert _grade_id(cell) == _grade_id(released)
        if _grade_id(cell):
            assert cell.metadata.nbgrader == expected[_grade_id(cell)]
        if cell.cell_type == "code":
            assert cell.metadata.get("tags", []) == released.metadata.get("tags", [])
    assert "parameters" in recovered.cells[3].metadata.tags
    assert recovered.cells[3].source.startswith("SEED = 0")
    assert recovered.cells[_index_of(recovered, "conv2d")].source.startswith("def conv2d(")


def test_an_intact_notebook_is_returned_unchanged(source, kept):
    before = copy.deepcopy(kept)
    recovered, notes = recover_cell_metadata(kept, source)
    assert recovered is kept and recovered == before and notes == []


@pytest.mark.parametrize("language", ["en", "el"])
def test_the_released_editions_are_returned_unchanged(source, language):
    edition = _read(ROOT / "exercises" / language / NAME / f"{NAME}.ipynb")
    assert recover_cell_metadata(edition, source) == (edition, [])


def test_a_deleted_answer_cell_is_named_when_metadata_is_gone(source, stripped, kept):
    del stripped.cells[_index_of(kept, "conv2d")]
    with pytest.raises(UserError, match=r"cell 'conv2d'.*cells were added or removed") as error:
        recover_cell_metadata(stripped, source)
    assert "\n" not in str(error.value)


def test_an_added_cell_between_two_read_only_cells_does_not_matter(source, stripped, kept):
    between_the_pooling_tests = _index_of(kept, "test_avg_pool2d")
    stripped.cells.insert(between_the_pooling_tests, nbformat.v4.new_code_cell("x.shape"))
    recovered, notes = recover_cell_metadata(stripped, source)
    assert _grade_id(recovered.cells[between_the_pooling_tests]) is None
    assert _grade_id(recovered.cells[between_the_pooling_tests + 1]) == "test_avg_pool2d"
    assert notes and "23 cells" in notes[0]


def test_an_added_cell_beside_an_answer_is_told_apart_by_the_answers_def_line(
        source, stripped, kept):
    """The parameters cell and corr2d's answer share a gap with the student's scratch cell."""
    answer = _index_of(kept, "corr2d")
    stripped.cells.insert(answer + 1, nbformat.v4.new_code_cell("corr2d(X, K)"))
    recovered, notes = recover_cell_metadata(stripped, source)
    assert _grade_id(recovered.cells[answer]) == "corr2d"
    assert _grade_id(recovered.cells[answer + 1]) is None
    assert _grade_id(recovered.cells[answer + 2]) == "test_corr2d"
    assert "parameters" in recovered.cells[3].metadata.tags
    assert notes[0].endswith("tags restored: parameters")


def test_a_tag_that_cannot_be_placed_is_named_in_the_note(source, stripped, kept):
    """A scratch cell between the parameters cell and an answer: the answer is still found."""
    answer = _index_of(kept, "corr2d")
    stripped.cells.insert(answer, nbformat.v4.new_code_cell("X = np.ones((3, 3))"))
    recovered, notes = recover_cell_metadata(stripped, source)
    assert _grade_id(recovered.cells[answer + 1]) == "corr2d"
    assert "tags" not in recovered.cells[3].metadata
    assert notes[0].endswith("not restored (no cell matches unambiguously): tag parameters")


def test_a_copied_answer_cell_is_ambiguous(source, stripped, kept):
    answer = _index_of(kept, "output_size")
    stripped.cells.insert(answer + 1, copy.deepcopy(stripped.cells[answer]))
    with pytest.raises(UserError, match="cell 'output_size'"):
        recover_cell_metadata(stripped, source)


def test_cell_ids_match_first(source):
    """An nbformat 4.5 edition that lost only its metadata is matched by cell id."""
    edition = _read(ROOT / "exercises" / "en" / NAME / f"{NAME}.ipynb")
    expected = {cell.id: _grade_id(cell) for cell in edition.cells}
    for cell in edition.cells:
        cell.metadata = {}
    edition.cells.insert(5, nbformat.v4.new_code_cell("print('scratch')"))  # ids still decide
    recovered, notes = recover_cell_metadata(edition, source)
    assert notes and "23 cells" in notes[0]
    assert {cell.id: _grade_id(cell) for cell in recovered.cells if cell.id in expected} == expected


def test_cells_the_student_deleted_from_an_intact_notebook_are_left_to_nbgrader(source, kept):
    """Metadata still present means no editor dropped it: nothing is guessed, nothing raised."""
    partial = copy.deepcopy(kept)
    del partial.cells[_index_of(partial, "test_corr2d")]
    assert recover_cell_metadata(partial, source) == (partial, [])


ASSIGNMENTS = sorted(path.name for path in (ROOT / "solutions").iterdir()
                     if (path / f"{path.name}.ipynb").exists())


@pytest.mark.parametrize("language", ["en", "el"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_released_edition_recovers_once_stripped(assignment, language):
    """Each student edition, saved as nbformat 4.0 without ids or cell metadata, recovers."""
    source = _read(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    edition = _read(ROOT / "exercises" / language / assignment / f"{assignment}.ipynb")
    saved = copy.deepcopy(edition)
    saved.nbformat_minor = 0
    for cell in saved.cells:
        cell.pop("id", None)
        cell.metadata = {}
    recovered, notes = recover_cell_metadata(saved, source)
    assert len(notes) == 1
    for cell, released in zip(recovered.cells, edition.cells, strict=True):
        assert _grade_id(cell) == _grade_id(released)
        if cell.cell_type == "code":
            assert cell.metadata.get("tags", []) == released.metadata.get("tags", [])


def _nbgrader(grade_id: str, **flags) -> dict:
    return {"nbgrader": {"grade_id": grade_id, "grade": False, "locked": False,
                         "solution": False, "task": False, "schema_version": 3, **flags}}


def _markdown_source() -> nbformat.NotebookNode:
    """A small assignment with a locked markdown cell and a written (markdown) answer."""
    cells = [nbformat.v4.new_code_cell("import numpy as np", metadata=_nbgrader("setup",
                                                                             locked=True)),
             nbformat.v4.new_markdown_cell("Read this first.", metadata=_nbgrader("rules",
                                                                                 locked=True)),
             nbformat.v4.new_markdown_cell("Prose the student keeps."),
             nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION",
                                       metadata=_nbgrader("answer", solution=True)),
             nbformat.v4.new_code_cell("assert x == 2", metadata=_nbgrader("test", grade=True,
                                                                            locked=True, points=1))]
    return nbformat.v4.new_notebook(cells=cells)


def _as_saved(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    saved = copy.deepcopy(notebook)
    for cell in saved.cells:
        cell.pop("id", None)
        cell.metadata = {}
        cell.source = cell.source.replace("### BEGIN SOLUTION\nx = 2\n### END SOLUTION", "x = 2")
    return saved


def test_a_locked_markdown_cell_is_matched_by_its_text():
    source = _markdown_source()
    recovered, notes = recover_cell_metadata(_as_saved(source), source)
    assert [_grade_id(cell) for cell in recovered.cells] == ["setup", "rules", None, "answer",
                                                            "test"]
    assert notes and "4 cells" in notes[0]


def test_a_written_answer_cannot_be_recovered_and_says_why():
    source = _markdown_source()
    source.cells.insert(3, nbformat.v4.new_markdown_cell(
        "### BEGIN SOLUTION\nMy answer.\n### END SOLUTION", metadata=_nbgrader("essay",
                                                                             solution=True)))
    with pytest.raises(UserError, match=r"cell 'essay'.*written answer"):
        recover_cell_metadata(_as_saved(source), source)
