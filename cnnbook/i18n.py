"""Language variants for the bilingual book.

Twin pages in `book/en/` and `book/el/` share byte-identical code cells, so
code cannot pick a language. A cell that must show words renders every
variant and glues each under `<name>_<lang>`; each page's Markdown then shows
its own with `{glue:figure}` or `{glue:text}`:

    glue_variants("grid", lambda lang: plots.class_grid(x, y, CLASS_NAMES["cifar10"][lang]))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .data.specs import CIFAR10_CLASSES, FASHION_MNIST_CLASSES, MNIST_CLASSES

LANGS = ("en", "el")

CLASS_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "mnist": {"en": MNIST_CLASSES, "el": MNIST_CLASSES},
    "cifar10": {
        "en": CIFAR10_CLASSES,
        "el": ("αεροπλάνο", "αυτοκίνητο", "πουλί", "γάτα", "ελάφι",
               "σκύλος", "βάτραχος", "άλογο", "πλοίο", "φορτηγό"),
    },
    "fashion_mnist": {
        "en": FASHION_MNIST_CLASSES,
        "el": ("μπλουζάκι", "παντελόνι", "πουλόβερ", "φόρεμα", "παλτό",
               "πέδιλο", "πουκάμισο", "αθλητικό παπούτσι", "τσάντα", "μποτάκι"),
    },
}


def pick(variants: dict[str, Any], lang: str) -> Any:
    """The `lang` entry of a {lang: value} mapping, with a clear error for a missing one."""
    if lang not in variants:
        raise KeyError(f"no {lang!r} variant; have {', '.join(variants)}")
    return variants[lang]


def glue_variants(name: str, make: Callable[[str], Any]) -> None:
    """Glue `make(lang)` as `<name>_<lang>` for every language, displaying nothing.

    Returns None, so a cell that ends with this call shows no output; figures
    are closed after gluing so the cell shows no stray copy either.
    """
    from myst_nb import glue

    for lang in LANGS:
        value = make(lang)
        glue(f"{name}_{lang}", value, display=False)
        _close_if_figure(value)


def _close_if_figure(value: Any) -> None:
    try:
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - matplotlib is a course dependency
        return
    if isinstance(value, Figure):
        plt.close(value)


_SOURCE_TEXT = {
    "en": {"full": "the full {title} ({n_train:,} training and {n_test:,} test images)",
           "download": "the full {title} ({n_train:,} training and {n_test:,} test images)",
           "subset": "the first {n_train:,} training and {n_test:,} test images of the full "
                     "{title}",
           "sample": "the bundled sample of {title} ({n_train:,} training and {n_test:,} test "
                     "images), since the full set was not available at build time"},
    "el": {"full": "ολόκληρο το {title} ({n_train:,} εικόνες εκπαίδευσης και {n_test:,} "
                   "ελέγχου)",
           "download": "ολόκληρο το {title} ({n_train:,} εικόνες εκπαίδευσης και {n_test:,} "
                       "ελέγχου)",
           "subset": "τις πρώτες {n_train:,} εικόνες εκπαίδευσης και {n_test:,} ελέγχου του "
                     "πλήρους {title}",
           "sample": "το δείγμα του {title} που συνοδεύει τη βιβλιοθήκη ({n_train:,} εικόνες "
                     "εκπαίδευσης και {n_test:,} ελέγχου), επειδή το πλήρες σύνολο δεν ήταν "
                     "διαθέσιμο κατά τη δημιουργία του βιβλίου"},
}


def describe_source(source: Any, lang: str):
    """A Markdown phrase saying which data a page used (a `cnnbook.data.DataSource`).

    Glue it with `glue_variants` and show it with the `{glue:md}` role.
    """
    from IPython.display import Markdown

    from .data.specs import get_spec

    kind = "subset" if source.limited and source.kind != "sample" else source.kind
    template = pick(_SOURCE_TEXT, lang)[kind]
    # Greek uses a dot for thousands: 50.000, not 50,000.
    text = template.format(title=get_spec(source.dataset).title, n_train=source.n_train,
                           n_test=source.n_test)
    if lang == "el":
        text = _greek_thousands(text)
    return Markdown(text)


def _greek_thousands(text: str) -> str:
    import re

    return re.sub(r"(?<=\d),(?=\d{3})", ".", text)


def number(value: float, lang: str, digits: int = 0) -> str:
    """A number formatted for `lang`: 15,237,608 / 15.237.608; 0.5 / 0,5."""
    text = f"{value:,.{digits}f}"
    if lang == "el":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def markdown_math(tex: str) -> str:
    """Inline maths for a glued Markdown value, as the site's MathJax typesets it.

    `{glue:md}` parses its value as CommonMark, which knows no `$…$`, and the
    book's MathJax only looks inside elements of class `math` and only for
    `\\(…\\)`. So wrap the TeX as a Sphinx math node renders, escaping every
    ASCII punctuation character so CommonMark keeps the TeX as written.
    """
    import string

    escaped = "".join("\\" + char if char in string.punctuation else char
                      for char in rf"\({tex}\)")
    return f'<span class="math notranslate nohighlight">{escaped}</span>'


def glue_number(name: str, value: float, digits: int = 0) -> None:
    """Glue `number(value, lang, digits)` as `<name>_<lang>` for every language."""
    glue_variants(name, lambda lang: number(value, lang, digits))


LAYER_TABLE_HEADERS = {
    "en": ("layer", "output", "activations", "weights", "total"),
    "el": ("επίπεδο", "έξοδος", "ενεργοποιήσεις", "βάρη", "σύνολο"),
}


# MACs in millions keep a five-column table within the page's width; the Greek
# pages introduce the acronym with its Greek term (πολλαπλασιασμοί-προσθέσεις).
MACS_HEADER = {"en": "MACs (millions)", "el": "MACs (εκατ.)"}


def glue_layer_table(name: str, table: Any, macs: bool = False) -> None:
    """Glue a `cnnbook.arithmetic.LayerTable` as Markdown with each language's headers.

    `macs=True` adds a column of multiply-accumulates, in millions. Show it with the
    `{glue:md}` role: ``{glue:md}`name_en` ``.
    """
    from IPython.display import Markdown

    glue_variants(name, lambda lang: Markdown(table.to_markdown(
        LAYER_TABLE_HEADERS[lang], fmt=lambda value: number(value, lang),
        macs_header=MACS_HEADER[lang] if macs else None,
        macs_fmt=lambda value: number(value / 1e6, lang, 1))))
