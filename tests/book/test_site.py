"""Browser tests of the built site: Playwright driving Debian's Chromium, offline."""

from __future__ import annotations

import shutil

import pytest

from tests.book.conftest import toc_pages
from tests.conftest import ROOT

EDITIONS = [lang for lang in ("en", "el") if (ROOT / "book" / lang / "index.md").is_file()]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# This machine refuses Chromium's background connections; these flags stop them.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None,
                                reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.problems = []  # console errors, page errors and failed requests
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    yield page
    context.close()


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("slug", toc_pages())
def test_page_loads_cleanly_with_images(page, site_url, slug, lang):
    page.goto(f"{site_url}/{lang}/{slug}.html", wait_until="networkidle")
    images = page.eval_on_selector_all(
        "article img", "imgs => imgs.map(i => [i.currentSrc, i.complete && i.naturalWidth])")
    assert all(width for _, width in images), f"broken images: {images}"
    assert not page.problems, page.problems


@pytest.mark.parametrize("slug", [s for s in toc_pages() if s in {
    "cross-correlation", "convolution-layer", "pooling-and-fc", "images-as-arrays"}])
def test_math_is_typeset(page, site_url, slug):
    page.goto(f"{site_url}/en/{slug}.html", wait_until="networkidle")
    page.wait_for_selector("mjx-container", timeout=15000)
    assert page.locator("mjx-container").count() > 0


def test_search_finds_stride(page, site_url):
    page.goto(f"{site_url}/en/search.html?q=stride", wait_until="networkidle")
    page.wait_for_selector("ul.search li", timeout=15000)
    assert page.locator("ul.search li").count() > 0


def test_next_and_previous_navigation(page, site_url):
    slugs = toc_pages()
    page.goto(f"{site_url}/en/{slugs[0]}.html", wait_until="networkidle")
    for slug in slugs[1:3]:
        page.locator("a.right-next").first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"/{slug}.html")
    page.locator("a.left-prev").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/{slugs[1]}.html")
    assert not page.problems, page.problems


def test_widgets_render_from_their_saved_state(page, site_url):
    if "convolution-layer" not in toc_pages():
        pytest.skip("no page with the output-size explorer yet")
    page.goto(f"{site_url}/en/convolution-layer.html", wait_until="networkidle")
    page.wait_for_selector(".widget-slider, .jupyter-widgets", timeout=15000)
    assert page.locator("input[type=range], .widget-hslider").count() > 0 or \
        page.locator(".jupyter-widgets").count() > 0
    assert not page.problems, page.problems


@pytest.mark.skipif(len(EDITIONS) < 2, reason="one edition only")
@pytest.mark.parametrize("slug", toc_pages())
def test_language_switch_leads_to_the_twin_and_back(page, site_url, slug):
    page.goto(f"{site_url}/en/{slug}.html", wait_until="networkidle")
    page.locator("a.language-switch").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/el/{slug}.html")
    assert page.locator("html").get_attribute("lang") == "el"
    page.locator("a.language-switch").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/en/{slug}.html")
    assert not page.problems, page.problems


def test_root_page_offers_every_edition(page, site_url):
    page.goto(f"{site_url}/index.html", wait_until="networkidle")
    for lang in EDITIONS:
        page.locator(f'a[hreflang="{lang}"]').first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"/{lang}/index.html")
        page.go_back()
    assert not page.problems, page.problems


@pytest.mark.skipif("el" not in EDITIONS, reason="no Greek edition yet")
@pytest.mark.parametrize("query", ["συνελιξη", "ΣΥΝΈΛΙΞΗ", "ετεροσυσχετιση"])
def test_greek_search_ignores_accents_and_case(page, site_url, query):
    page.goto(f"{site_url}/el/search.html?q={query}", wait_until="networkidle")
    page.wait_for_selector("ul.search li", timeout=15000)
    assert page.locator("ul.search li").count() > 0


def test_english_search_finds_stride_in_both_editions(page, site_url):
    for lang in EDITIONS:
        page.goto(f"{site_url}/{lang}/search.html?q=stride", wait_until="networkidle")
        page.wait_for_selector("ul.search li", timeout=15000)
        assert page.locator("ul.search li").count() > 0
