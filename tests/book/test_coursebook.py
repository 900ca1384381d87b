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


def _box_with_assignments(*slugs):
    from docutils import nodes

    box = nodes.admonition()
    paragraph = nodes.paragraph()
    for slug in slugs:
        paragraph += nodes.reference("", "", refuri=f"assignments/{slug}/{slug}.ipynb",
                                     assignment=slug)
    box += paragraph
    document = nodes.document(None, None)
    document += box
    return document, box


class _App:
    def __init__(self, language, url):
        from types import SimpleNamespace

        self.config = SimpleNamespace(language=language, html_theme_options={
            "repository_url": url, "repository_branch": "main",
            "launch_buttons": {"binderhub_url": "https://mybinder.org"}})


@pytest.mark.parametrize(("language", "labels"), [
    ("en", ["Open in Colab", "Launch on Binder", "Download"]),
    ("el", ["Άνοιγμα στο Colab", "Εκκίνηση στο Binder", "Λήψη"]),
])
def test_assignment_boxes_get_colab_binder_and_download_from_the_setting(language, labels):
    from docutils import nodes

    from cnnbook import __version__
    from cnnbook.links import course_links

    url = "https://github.com/uoa-di/cnn-2027"
    document, box = _box_with_assignments("a3-mnist-cnn")
    coursebook.add_assignment_starts(_App(language, url), document, "training")
    links = [ref for ref in box.findall(nodes.reference) if not ref.get("assignment")]
    assert [ref.astext() for ref in links] == labels
    expected = course_links(url, __version__)
    assert links[0]["refuri"] == expected.colab(language, "a3-mnist-cnn")
    assert links[1]["refuri"] == expected.binder(language, "a3-mnist-cnn")
    assert links[2]["refuri"] == "assignments/a3-mnist-cnn/a3-mnist-cnn.ipynb"
    sentence = box.children[-1].astext()
    assert "Jupyter" in sentence and "cnnbook" in sentence and "`" not in sentence
    assert [code.astext() for code in box.children[-1].findall(nodes.literal)] == [
        "requirements-student.txt", "cnnbook"]
    assert ("σημειωματαρίου" in sentence) == (language == "el")


def test_a_box_with_two_assignments_names_each():
    from docutils import nodes

    document, box = _box_with_assignments("a3-mnist-cnn", "a4-cifar10-cnn")
    coursebook.add_assignment_starts(_App("en", "https://github.com/me/c"), document, "training")
    items = list(box.findall(nodes.list_item))
    assert [item.astext().split(":")[0] for item in items] == [
        "a3-mnist-cnn.ipynb", "a4-cifar10-cnn.ipynb"]


def test_the_introduction_names_the_chapters_without_an_assignment():
    """index.md promises assignments only where a chapter has one."""
    import re

    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = [c["file"] for c in toc["chapters"] if c["file"] not in ("glossary", "references")]
    without = [c for c in chapters
               if "{assignment}" not in (ROOT / "book" / "en" / f"{c}.md").read_text()]
    for language in ("en", "el"):
        index = " ".join((ROOT / "book" / language / "index.md").read_text(
            encoding="utf-8").split())
        for chapter in without:
            title = re.search(r"^# (.+)$", (ROOT / "book" / language / f"{chapter}.md").read_text(
                encoding="utf-8"), flags=re.M).group(1)
            assert title in index, (language, chapter, "index.md should say it has no assignment")


def test_a_forks_clone_command_follows_the_setting():
    from docutils import nodes

    from cnnbook.links import PLACEHOLDER_URL

    document = nodes.document(None, None)
    text = f"git clone {PLACEHOLDER_URL} && cd cnn-course"
    document += nodes.literal_block(text, text)
    coursebook.derive_repository_links(_App("en", "https://github.com/me/c"), document, "index")
    assert document.astext() == "git clone https://github.com/me/c && cd cnn-course"
