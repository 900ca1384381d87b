"""One source notebook, two editions: markdown cells carry a `lang:en` or `lang:el` tag.

Code cells are shared, so both editions have the same grade IDs and checksums
and a student gets the same grade in either language.
"""

from __future__ import annotations

import copy
import re
import unicodedata

import nbformat

LANGUAGES = ("en", "el")
TAG_PREFIX = "lang:"


def cell_languages(cell: nbformat.NotebookNode) -> set[str]:
    """The languages a cell is tagged with; empty for a shared cell."""
    tags = cell.get("metadata", {}).get("tags", [])
    return {tag[len(TAG_PREFIX):] for tag in tags if tag.startswith(TAG_PREFIX)}


def edition(notebook: nbformat.NotebookNode, language: str) -> nbformat.NotebookNode:
    """The notebook as a reader of `language` gets it, with the language in its metadata."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    result = copy.deepcopy(notebook)
    result.cells = [cell for cell in result.cells
                    if not cell_languages(cell) or language in cell_languages(cell)]
    result.metadata["cnnbook"] = {**result.metadata.get("cnnbook", {}), "language": language}
    return nbformat.from_dict(result)


def language_of(notebook: nbformat.NotebookNode) -> str:
    """The language a student worked in: from the metadata, else from the markdown's script."""
    declared = notebook.get("metadata", {}).get("cnnbook", {}).get("language")
    if declared in LANGUAGES:
        return declared
    tagged = [language for cell in notebook.cells for language in cell_languages(cell)]
    if tagged and len(set(tagged)) == 1:
        return tagged[0]
    text = "".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    letters = [ch for ch in text if ch.isalpha()]
    greek = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("GREEK"))
    return "el" if letters and greek / len(letters) > 0.3 else "en"


LANG_LINE = re.compile(r'^LANG = "en"', flags=re.M)


def with_language_parameter(notebook: nbformat.NotebookNode,
                            language: str) -> nbformat.NotebookNode:
    """Set the parameters cell's `LANG = "en"` to the edition's language.

    It is the only line in which the editions' code differs: the read-only
    cells print and plot in LANG (cnnbook.i18n.say). The cell is neither
    graded nor locked, so grade IDs and checksums stay equal.
    """
    for cell in notebook.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            cell.source = LANG_LINE.sub(f'LANG = "{language}"', cell.source, count=1)
    return notebook
