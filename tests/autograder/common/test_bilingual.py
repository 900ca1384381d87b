from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.common.bilingual import edition, language_of


def _notebook():
    return new_notebook(cells=[
        new_markdown_cell("Hello", metadata={"tags": ["lang:en"]}),
        new_markdown_cell("Γεια σας", metadata={"tags": ["lang:el"]}),
        new_code_cell("x = 1"),
    ])


def test_edition_keeps_its_language_and_shared_cells():
    greek = edition(_notebook(), "el")
    assert [cell.source for cell in greek.cells] == ["Γεια σας", "x = 1"]
    assert greek.metadata.cnnbook.language == "el"
    assert language_of(greek) == "el"


def test_language_is_detected_without_metadata_or_tags():
    notebook = new_notebook(cells=[new_markdown_cell("Γράψτε τη συνάρτηση corr2d.")])
    assert language_of(notebook) == "el"
    assert language_of(new_notebook(cells=[new_markdown_cell("Write corr2d.")])) == "en"
    assert language_of(nbformat.from_dict(edition(_notebook(), "en"))) == "en"
