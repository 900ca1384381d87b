"""The book's local Sphinx extension: Greek search folding and script de-duplication."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
coursebook = pytest.importorskip("coursebook")


@pytest.mark.parametrize(("word", "folded"), [
    ("συνέλιξη", "συνελιξη"), ("ΣΥΝΈΛΙΞΗ", "συνελιξη"), ("συνέλιξης", "συνελιξησ"),
    ("Ϊ", "ι"), ("stride", "stride"),
])
def test_fold_greek(word, folded):
    assert coursebook.fold_greek(word) == folded
    assert coursebook.GreekSearch.stem(None, word) == folded


def test_duplicate_scripts_are_dropped():
    from sphinx.builders.html._assets import _JavaScript

    scripts = [_JavaScript(None, body="const A = 1"), _JavaScript("x.js"),
               _JavaScript("", body="const A = 1", priority=800), _JavaScript("x.js")]
    context = {"script_files": scripts}
    coursebook.drop_duplicate_scripts(None, "index", "page.html", context, None)
    assert len(context["script_files"]) == 2


def test_every_catalog_compiles():
    """Each catalog compiles, and its first translated message comes back translated."""
    import re

    catalogs = sorted((ROOT / "book" / "_locale").rglob("*.po"))
    assert catalogs
    for po in catalogs:
        text = po.read_text(encoding="utf-8")
        msgid, msgstr = next((m[1], m[2]) for m in re.finditer(
            r'^msgid "(.+)"\nmsgstr "(.+)"$', text, re.M))
        assert coursebook._compiled(po).gettext(msgid) == msgstr, po.name


@pytest.mark.parametrize(("language", "joiner"), [("el", " και "), ("en", " and ")])
def test_citations_join_authors_in_the_page_language(language, joiner):
    from sphinxcontrib.bibtex.plugin import find_plugin

    coursebook.register_reference_style(language)
    style = find_plugin("sphinxcontrib.bibtex.style.referencing", "course")()
    assert style.person.sep2 == joiner
