"""The chapters an assignment says to read first are the book's chapters, by their real titles."""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder.common import project
from tests.conftest import ROOT

ASSIGNMENTS = project.assignment_names(project.SOLUTIONS)
READ_FIRST = {"en": r"Read first:(.+?)(?:of|in) the book\.",
              "el": r"Διαβάστε\s+πρώτα(.+?)του\s+βιβλίου\."}


def chapter_titles(language: str) -> set[str]:
    titles = set()
    for page in (ROOT / "book" / language).glob("*.md"):
        heading = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), flags=re.M)
        if heading:
            titles.add(heading.group(1).strip())
    return titles


@pytest.mark.parametrize("language", ["en", "el"])
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_read_first_cites_real_chapter_titles(name, language):
    notebook = nbformat.read(project.SOLUTIONS / name / f"{name}.ipynb", as_version=4)
    markdown = " ".join(" ".join(cell.source.split()) for cell in notebook.cells
                        if f"lang:{language}" in cell.metadata.get("tags", []))
    sentences = re.findall(READ_FIRST[language], markdown, flags=re.S)
    assert len(sentences) == 1, sentences
    cited = re.findall(r"\*([^*]+)\*", sentences[0])
    assert cited, sentences[0]
    assert sorted(set(cited) - chapter_titles(language)) == [], (
        f"not a chapter title of book/{language}: see the first '# ' line of each page")
