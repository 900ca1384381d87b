"""Browser tests of the built site: Playwright driving Debian's Chromium, offline."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.book.conftest import toc_pages
from tests.conftest import ROOT

EDITIONS = [lang for lang in ("en", "el") if (ROOT / "book" / lang / "index.md").is_file()]

# Debian's chromium here and in .ci/run; the Pages workflow names the runner's
# own Chrome with CHROMIUM.
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# This machine refuses Chromium's background connections; these flags stop them.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                                reason="no Chromium: install Debian's chromium, or set CHROMIUM")


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


# --- Every page of both editions, at a desktop and a phone size (issue #17) --------------

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
# The Pages workflow sets this to a folder and uploads it, so each published
# build can be looked at.
SCREENSHOTS = os.environ.get("SITE_SCREENSHOTS")

# Interface strings in English that must never reach a Greek page: myst-nb's,
# sphinx-togglebutton's, sphinx-copybutton's, the themes' and Sphinx's own.
ENGLISH_INTERFACE = {
    # myst-nb (config values nb_code_prompt_show/hide, and its <summary>)
    *(f"{verb} code cell {kind}" for verb in ("Show", "Hide")
      for kind in ("source", "outputs", "output", "content")),
    "Toggle hidden content",
    # sphinx-togglebutton and sphinx-copybutton
    "Click to show", "Click to hide", "Copy", "Copy to clipboard", "Copied!", "Failed to copy",
    # sphinx-book-theme and pydata-sphinx-theme
    "Search", "Search this book…", "Search this book...", "Contents", "Skip to main content",
    "Back to top", "Color mode", "Light", "Dark", "System Settings", "next", "previous",
    "next page", "previous page", "Download this page", "Download source file",
    "Download notebook file", "Print to PDF", "Fullscreen mode", "Launch",
    "Launch interactive content", "Source repository", "repository", "Show source",
    "Edit this page", "Open an issue", "By", "By the", "Last updated on", "Toggle navigation",
    "Toggle primary sidebar", "Toggle secondary sidebar", "Site navigation",
    "Section Navigation", "On this page", "Breadcrumb", "Home", "Main", "Page",
    # Sphinx
    "Link to this heading", "Link to this image", "Link to this table", "Link to this code",
    "Link to this equation", "Index", "Search Results",
}

# What a reader meets on a page: visible text outside code and typeset maths,
# the interface's labels and tooltips (not those of an element in another
# language, such as the switch to the English edition), and the language
# switch's box against the header's and its neighbours'.
INSPECT = """() => {
  const SKIP_TEXT = "script, style, pre, code, mjx-container, .MathJax, .linenos";
  const pageLang = document.documentElement.lang;
  const foreign = el => { const l = el.closest("[lang]"); return l && l.lang !== pageLang; };
  const visible = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const article = document.querySelector("article") || document.body;
  const prose = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest(SKIP_TEXT)) prose.push(walker.currentNode.textContent);
  }
  const labels = [];
  const all = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (all.nextNode()) {
    const parent = all.currentNode.parentElement;
    // code is not interface: `next(...)` in a cell is Python, not the theme's "next"
    if (parent && !parent.closest("script, style, pre, code") && !foreign(parent))
      labels.push(all.currentNode.textContent.replace(/\\s+/g, " ").trim());
  }
  for (const attribute of ["aria-label", "title", "placeholder", "alt", "data-tooltip",
                           "data-toggle-hint"])
    for (const el of document.querySelectorAll(`[${attribute}]`))
      if (!foreign(el)) labels.push(el.getAttribute(attribute).trim());
  const box = el => { const r = el.getBoundingClientRect();
                      return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const header = document.querySelector(".bd-header-article");
  const switcher = header && header.querySelector("a.language-switch");
  let neighbours = [];
  if (switcher) {
    neighbours = [...header.querySelectorAll("a, button, .btn, .dropdown")]
      .filter(el => !el.contains(switcher) && !switcher.contains(el) && visible(el))
      .map(el => ({name: el.getAttribute("title") || el.getAttribute("aria-label") || el.className,
                   box: box(el)}));
  }
  return {prose: prose.join(""), labels: labels.filter(Boolean),
          header: header && box(header), viewport: [window.innerWidth, window.innerHeight],
          switcher: switcher && visible(switcher) ? box(switcher) : null, neighbours};
}"""


@pytest.fixture(scope="module")
def rendered(browser, site_url):
    """inspect(lang, slug, viewport): each page loaded once per size, with MathJax done."""
    seen: dict[tuple[str, str, str], dict] = {}

    def inspect(lang: str, slug: str, viewport: str) -> dict:
        key = (lang, slug, viewport)
        if key not in seen:
            width, height = VIEWPORTS[viewport]
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(f"{site_url}/{lang}/{slug}.html", wait_until="networkidle")
            page.wait_for_load_state("load")  # the course's own load handlers have run
            page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            seen[key] = page.evaluate(INSPECT)
            if SCREENSHOTS:
                Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(SCREENSHOTS) / f"{lang}-{slug}-{width}.png"))
            context.close()
        return seen[key]

    return inspect


RAW_TEX = re.compile(r"\$[^$\s][^$]*\$|\{,\}|\\[(\[]")



@pytest.mark.parametrize("seen", ["the filter does not fit: $(7 − 3 + 2·0)/3 + 1 = 2.33$.",
                                  "δεν χωράει: (7 − 3 + 2·0)/3 + 1 = 2{,}33$.",
                                  r"δεν χωράει: \((7 − 3)/3 + 1\)"])
def test_raw_tex_check_catches_what_the_review_saw(seen):
    assert RAW_TEX.search(seen)


EVERY_PAGE = [pytest.param(lang, slug, viewport, id=f"{lang}-{slug}-{viewport}")
              for lang in EDITIONS for slug in toc_pages() for viewport in VIEWPORTS]


@pytest.mark.parametrize(("lang", "slug", "viewport"), EVERY_PAGE)
def test_no_raw_tex_in_rendered_text(rendered, lang, slug, viewport):
    """Maths is typeset: no $…$, \\(…\\) or {,} left in the text a reader sees."""
    prose = rendered(lang, slug, viewport)["prose"]
    found = [prose[max(0, m.start() - 30):m.end() + 30] for m in RAW_TEX.finditer(prose)]
    assert not found, found


def _overlap(a: dict, b: dict) -> float:
    width = min(a["right"], b["right"]) - max(a["left"], b["left"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return max(width, 0) * max(height, 0)


@pytest.mark.skipif(len(EDITIONS) < 2, reason="one edition only")
@pytest.mark.parametrize(("lang", "slug", "viewport"), EVERY_PAGE)
def test_language_switch_sits_inside_the_header_and_overlaps_nothing(rendered, lang, slug,
                                                                     viewport):
    seen = rendered(lang, slug, viewport)
    switch, header = seen["switcher"], seen["header"]
    assert switch, "no visible language switch in the article header"
    inside = (switch["left"] >= header["left"] and switch["right"] <= header["right"]
              and switch["top"] >= max(header["top"], 0) and switch["bottom"] <= header["bottom"])
    assert inside, f"switch {switch} outside the header {header}"
    assert switch["right"] <= seen["viewport"][0], "switch cut off at the right edge"
    touching = [n["name"] for n in seen["neighbours"] if _overlap(switch, n["box"]) > 1]
    assert not touching, f"the switch overlaps {touching}"


@pytest.mark.skipif("el" not in EDITIONS, reason="no Greek edition yet")
@pytest.mark.parametrize(("slug", "viewport"),
                         [pytest.param(slug, viewport, id=f"{slug}-{viewport}")
                          for slug in toc_pages() for viewport in VIEWPORTS])
def test_no_english_interface_string_on_a_greek_page(rendered, slug, viewport):
    labels = rendered("el", slug, viewport)["labels"]
    english = sorted({label for label in labels if label in ENGLISH_INTERFACE}
                     | {label for label in labels if re.match(r"(Exercise|Solution to)\b", label)})
    assert not english, english
