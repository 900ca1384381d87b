"""The site's root page (scripts/build_book.py): what each edition offers, in its language."""

from __future__ import annotations

import importlib.util
import re

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def build_book():
    spec = importlib.util.spec_from_file_location("build_book", ROOT / "scripts" / "build_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", ["en", "el"])
def test_each_edition_lists_its_chapters_and_assignments_in_its_language(build_book, lang):
    page = build_book.root_page(["en", "el"])
    section = re.search(rf'<section class="edition" lang="{lang}">(.*?)</section>', page, re.S)
    assert section, f"no block for {lang}"
    block = section.group(1)
    assert f'href="{lang}/index.html" hreflang="{lang}"' in block
    assert f"{build_book.chapter_count()} " in block
    notebooks = sorted((ROOT / "exercises" / lang).glob("*/*.ipynb"))
    assert notebooks and len(build_book.assignments(lang)) == len(notebooks)
    for notebook in notebooks:
        assert f'href="{lang}/assignments/{notebook.parent.name}/{notebook.name}"' in block
    if lang == "el":  # what a Greek reader sees is Greek: no English words outside names
        words = re.findall(r"[A-Za-z]{4,}", re.sub(r"<[^>]+>", " ", block))
        assert set(words) <= {"Jupyter", "Binder", "Keras", "MNIST", "CIFAR"}, words


def test_root_page_is_styled_like_the_book(build_book):
    page = build_book.root_page(["en", "el"])
    assert "prefers-color-scheme: dark" in page  # the book follows the reader's colour mode
    assert "#176de8" in page  # sphinx-book-theme's primary colour
    assert 'name="viewport"' in page
