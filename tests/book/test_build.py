"""The README's book command builds the site offline, with warnings as errors."""

from __future__ import annotations

import json
import re

import pytest

from tests.book.conftest import toc_pages
from tests.conftest import ROOT


def test_every_toc_page_exists_in_the_english_edition():
    for slug in toc_pages():
        assert (ROOT / "book" / "en" / f"{slug}.md").is_file(), slug


def test_site_has_every_page_and_a_root(built_site):
    assert (built_site / "index.html").is_file()
    for lang in ("en", "el"):
        if (ROOT / "book" / lang / "index.md").is_file():
            for slug in toc_pages():
                assert (built_site / lang / f"{slug}.html").is_file(), (lang, slug)


def test_greek_edition_reuses_every_english_execution(built_site):
    """Twins share code, so the Greek build executes nothing: jupyter-cache has it all."""
    if not (ROOT / "book" / "el" / "index.md").is_file():
        pytest.skip("no Greek edition yet")
    report = json.loads((built_site / "build-report.json").read_text())
    assert report["executed"]["en"]  # a cold build runs the English pages
    assert report["executed"]["el"] == []


def test_each_edition_declares_its_language(built_site):
    for lang in ("en", "el"):
        page = built_site / lang / "index.html"
        if page.is_file():
            assert f'<html lang="{lang}"' in page.read_text(encoding="utf-8")


def test_code_ran_through_cnnbook(built_site):
    landing = (built_site / "en" / "index.html").read_text(encoding="utf-8")
    assert "(32, 32, 10) 760" in landing


def test_mathjax_and_widget_scripts_are_local(built_site):
    """Nothing the pages load comes from a CDN, so the site works offline."""
    for page in (built_site / "en").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<script[^>]+src="(https?://[^"]+)"', text)
        assert not remote, f"{page.name} loads {remote}"
    assert (built_site / "en" / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (built_site / "en" / "_static" / "vendor" / "embed-amd.js").is_file()


def test_bibliography_lists_the_cited_papers(built_site):
    references = (built_site / "en" / "references.html").read_text(encoding="utf-8")
    for author in ("Krizhevsky", "LeCun", "Simonyan", "He"):
        assert author in references


def test_every_glued_variant_has_its_twin(built_site):
    """Whatever a page glues for one language it glues for the other (the Greek twin needs it)."""
    executed = built_site.parent / "en" / "_build" / "jupyter_execute"
    glued = {}
    for path in executed.glob("*.glue.json"):
        glued.update({key: path.name for key in json.loads(path.read_text(encoding="utf-8"))})
    assert glued, "no glue records found"
    orphans = sorted(key for key in glued if re.search(r"_(en|el)$", key)
                     and f"{key[:-3]}_{'el' if key.endswith('_en') else 'en'}" not in glued)
    assert not orphans, orphans


ENGLISH_CHROME = ("Skip to main content", "Search this book", "Launch on", "Back to top",
                  "Fullscreen mode", "Solution to", "Εκτόξευση")


def test_greek_interface_reads_greek(built_site):
    """The theme's own strings are English or machine-made in Greek; ours replace them."""
    if not (built_site / "el" / "index.html").is_file():
        pytest.skip("no Greek edition yet")
    for page in (built_site / "el").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        left = [s for s in ENGLISH_CHROME if s in text]
        assert not left, f"{page.name}: {left}"


def test_every_link_on_the_root_page_resolves(built_site):
    """The chooser's links: each edition, and each assignment's student notebook."""
    page = (built_site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#:]+)"', page)
    assert any(link.endswith("/assignments/a1-images-as-arrays/a1-images-as-arrays.ipynb")
               for link in links), links
    missing = [link for link in links if not (built_site / link).is_file()]
    assert not missing, missing


@pytest.mark.parametrize(("lang", "labels"), [
    ("en", ["Open in Colab", "Launch on Binder", "Download"]),
    ("el", ["Άνοιγμα στο Colab", "Εκκίνηση στο Binder", "Λήψη"]),
])
def test_assignment_boxes_offer_colab_binder_and_download(built_site, lang, labels):
    import html

    from cnnbook.links import links_from_config

    links = links_from_config(ROOT / "_config.yml")
    page = (built_site / lang / "training.html").read_text(encoding="utf-8")
    for slug in ("a3-mnist-cnn", "a4-cifar10-cnn"):
        assert f'href="{html.escape(links.colab(lang, slug))}"' in page, slug
        assert f'href="{html.escape(links.binder(lang, slug))}"' in page, slug
        assert f'href="assignments/{slug}/{slug}.ipynb"' in page, slug
        assert (built_site / lang / "assignments" / slug / f"{slug}.ipynb").is_file()
    for label in labels:
        assert f">{label}<" in page, label
    assert "requirements-student.txt" in page
