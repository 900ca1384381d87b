"""Small Sphinx fixes for the course site, so pages load with a clean console.

- sphinx-thebe registers its inline config script twice, and the second copy
  fails ("Identifier 'THEBE_JS_URL' has already been declared"): drop
  duplicate scripts from every page.
- course-fixes.js: an empty stored theme mode on a first visit, the
  ipywidgets HTML manager calling MathJax 2's API under MathJax 3, and the
  interface strings that extensions hard-code in English (sphinx-copybutton's
  tooltips, the toggles' and the sidebars' labels for screen readers).
- course.css: the language switch sits in the article header's row of
  buttons (the theme would stack it above them).
- Interface strings: the themes' Greek is partly machine-made ("Εκτόξευση" for
  Launch) and partly missing. book/_locale/<lang>/LC_MESSAGES/ holds our own
  catalogs: sphinx.po through Sphinx's `locale_dirs`, and the extensions'
  catalogs (booktheme, exercise) installed here ahead of theirs.
- Citations: author-year references joined with the page's own "and"
  ("Kingma και Ba, 2015" in Greek), as the reference style `course`.
- Greek search: Sphinx has no Greek search language. GreekSearch folds case,
  accents and final sigma, in the index (Python) and in the query (JavaScript)
  alike, so "συνελιξη" and "ΣΥΝΈΛΙΞΗ" both find "συνέλιξη".
- Assignments: the role {assignment}`a2-cross-correlation` links to the
  student notebook of the page's language, copied from exercises/<lang>/ into
  the edition's `assignments/` folder; a missing notebook fails the build.
  The box (admonition) holding it gets "Open in Colab", "Launch on Binder" and
  "Download" links, derived from `repository.url` (cnnbook.links), and one
  sentence on what a local Jupyter needs.
"""

from __future__ import annotations

import gettext
import io
import unicodedata
from pathlib import Path
from typing import Any

from sphinx.search import SearchLanguage

LOCALE = Path(__file__).resolve().parents[1] / "_locale"
EXERCISES = Path(__file__).resolve().parents[2] / "exercises"
ASSIGNMENTS_FOLDER = "assignments"  # in each edition's HTML output
OVERRIDDEN_CATALOGS = ("booktheme", "exercise")


def _script_key(script: Any) -> tuple:
    """What a script tag loads or runs; the priority it was registered with is ignored."""
    attributes = getattr(script, "attributes", {}) or {}
    return (getattr(script, "filename", str(script)) or "",  # None and "" both mean inline
            tuple(sorted((k, str(v)) for k, v in attributes.items() if k != "priority")))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def fold_greek(word: str) -> str:
    """Lower case, no accents or diaeresis, σ for ς: the form both index and query use."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).replace("ς", "σ")


class GreekSearch(SearchLanguage):
    """Greek search with accent and case folding (there is no Greek stemmer)."""

    lang = "el"
    language_name = "Greek"
    js_stemmer_code = """
var Stemmer = function() {
  // The same folding as fold_greek() in book/_ext/coursebook.py.
  this.stemWord = function(w) {
    return w.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .normalize("NFC").replace(/ς/g, "σ");
  }
}
"""

    def stem(self, word: str) -> str:
        return fold_greek(word)

    def word_filter(self, word: str) -> bool:
        return len(word) > 1


def _compiled(po_file: Path) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po_file, "rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def install_interface_catalogs(app) -> None:
    """Put our catalogs first; the extension's own stay as fallbacks."""
    from sphinx import locale

    language = app.config.language or "en"
    for catalog in OVERRIDDEN_CATALOGS:
        po_file = LOCALE / language / "LC_MESSAGES" / f"{catalog}.po"
        if not po_file.is_file():
            continue
        ours = _compiled(po_file)
        theirs = locale.translators.get(("general", catalog))
        if theirs is not None:
            ours.add_fallback(theirs)
        locale.translators[("general", catalog)] = ours


CITATION_AND = {"el": (" και ", ", και "), "en": (" and ", ", and ")}


def register_reference_style(language: str) -> None:
    """sphinxcontrib-bibtex's author_year, with the edition's word for "and"."""
    from dataclasses import dataclass, field

    from sphinxcontrib.bibtex.plugin import register_plugin
    from sphinxcontrib.bibtex.style.referencing import PersonStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

    two, last = CITATION_AND.get(language, CITATION_AND["en"])

    @dataclass
    class CourseReferenceStyle(AuthorYearReferenceStyle):
        person: PersonStyle = field(default_factory=lambda: PersonStyle(sep2=two, last_sep=last))

    register_plugin("sphinxcontrib.bibtex.style.referencing", "course", CourseReferenceStyle,
                    force=True)


def assignment_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """A link to the student notebook of assignment `text`, in the page's language.

    The box around it (the admonition) gets its one-click starts afterwards,
    in `add_assignment_starts`.
    """
    from docutils import nodes

    env = inliner.document.settings.env
    slug = text.strip()
    notebook = EXERCISES / (env.config.language or "en") / slug / f"{slug}.ipynb"
    if not notebook.is_file():
        message = inliner.reporter.error(f"no student notebook at {notebook}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    link = nodes.reference(rawtext, "", refuri=_download_uri(env.docname, slug),
                           classes=["assignment-notebook"], assignment=slug)
    link += nodes.literal(text=notebook.name)
    return [link], []


def _download_uri(docname: str, slug: str) -> str:
    return "../" * docname.count("/") + f"{ASSIGNMENTS_FOLDER}/{slug}/{slug}.ipynb"


# The one-click starts of an assignment box, and what a local Jupyter needs.
ASSIGNMENT_STARTS = {
    "en": {"colab": "Open in Colab", "binder": "Launch on Binder", "download": "Download",
           "local": "In your own Jupyter you need Python 3.10 or later with the packages of "
                    "`requirements-student.txt` (TensorFlow, Keras, Matplotlib); the notebook's "
                    "first cell installs the course library, `cnnbook`, from this site."},
    "el": {"colab": "Άνοιγμα στο Colab", "binder": "Εκκίνηση στο Binder", "download": "Λήψη",
           "local": "Στο δικό σας Jupyter χρειάζεστε Python 3.10 ή νεότερη με τα πακέτα του "
                    "`requirements-student.txt` (TensorFlow, Keras, Matplotlib)· το πρώτο κελί "
                    "του σημειωματαρίου εγκαθιστά τη βιβλιοθήκη του μαθήματος, την `cnnbook`, "
                    "από αυτόν τον ιστότοπο."},
}


def course_links_of(config: Any):
    """cnnbook.links.course_links from the edition's `repository` and `launch_buttons`."""
    from cnnbook import __version__
    from cnnbook.links import course_links

    theme = config.html_theme_options or {}
    binderhub = (theme.get("launch_buttons") or {}).get("binderhub_url") or "https://mybinder.org"
    return course_links(theme["repository_url"], __version__,
                        theme.get("repository_branch", "main"), binderhub)


def add_assignment_starts(app, doctree, docname: str) -> None:
    """Under each box that links assignments: Colab, Binder, Download, and what Jupyter needs."""
    from docutils import nodes

    language = app.config.language or "en"
    words = ASSIGNMENT_STARTS.get(language, ASSIGNMENT_STARTS["en"])
    links = course_links_of(app.config)
    for box in doctree.findall(nodes.admonition):
        slugs = list(dict.fromkeys(ref["assignment"] for ref in box.findall(nodes.reference)
                                   if ref.get("assignment")))
        if not slugs:
            continue
        starts = nodes.bullet_list(classes=["assignment-starts"])
        for slug in slugs:
            item = nodes.paragraph()
            if len(slugs) > 1:
                item += nodes.literal(text=f"{slug}.ipynb")
                item += nodes.Text(": ")
            targets = {"colab": links.colab(language, slug),
                       "binder": links.binder(language, slug),
                       "download": _download_uri(docname, slug)}
            for k, (kind, uri) in enumerate(targets.items()):
                if k:
                    item += nodes.Text(" · ")
                item += nodes.reference("", words[kind], refuri=uri,
                                        classes=[f"assignment-{kind}"])
            starts += nodes.list_item("", item)
        box += starts
        box += _with_literals(words["local"], classes=["assignment-local"])


def _with_literals(text: str, classes: list[str]):
    """A paragraph of `text` whose `backquoted` parts are set as code."""
    from docutils import nodes

    paragraph = nodes.paragraph(classes=classes)
    for k, part in enumerate(text.split("`")):
        if part:
            paragraph += nodes.literal(text=part) if k % 2 else nodes.Text(part)
    return paragraph


def derive_repository_links(app, doctree, docname: str) -> None:
    """Code blocks that name the template's repository name the configured one instead."""
    from docutils import nodes

    from cnnbook.links import PLACEHOLDER_URL

    repository = course_links_of(app.config).repository
    if repository == PLACEHOLDER_URL:
        return
    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        if PLACEHOLDER_URL in text:
            block.children = [nodes.Text(text.replace(PLACEHOLDER_URL, repository))]


def copy_assignments(app, exception: Exception | None) -> None:
    """Ship the edition's student notebooks with its HTML, for the {assignment} links."""
    import shutil

    source = EXERCISES / (app.config.language or "en")
    if exception is None and app.builder.format == "html" and source.is_dir():
        target = Path(app.outdir) / ASSIGNMENTS_FOLDER
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


def setup(app) -> dict[str, Any]:
    app.add_js_file("course-fixes.js", priority=100)  # before the theme's deferred scripts
    app.add_css_file("course.css")  # the language switch in the header's row of buttons
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("builder-inited", install_interface_catalogs)
    app.add_search_language(GreekSearch)
    register_reference_style(app.config.language or "en")
    app.add_role("assignment", assignment_role)
    app.connect("doctree-resolved", add_assignment_starts)
    app.connect("doctree-resolved", derive_repository_links)
    app.connect("build-finished", copy_assignments)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
