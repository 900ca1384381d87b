"""Language variants for the bilingual book.

Twin pages in `book/en/` and `book/el/` share byte-identical code cells, so
code cannot pick a language. A cell that must show words renders every
variant and glues each under `<name>_<lang>`; each page's Markdown then shows
its own with `{glue:figure}` or `{glue:text}`:

    glue_variants("grid", lambda lang: plots.class_grid(x, y, CLASS_NAMES["cifar10"][lang]))
"""

from __future__ import annotations

import numbers
import string
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


# What the assignments' read-only cells print and plot, per language. A cell
# reads its language from the parameters cell (`LANG = "el"` in the Greek
# edition, the only line in which the editions' code differs) and calls
# `say(key, LANG, ...)`.
NOTEBOOK_TEXT: dict[str, dict[str, str]] = {
    # shared
    "yes": {"en": "yes", "el": "ναι"},
    "no": {"en": "no", "el": "όχι"},
    "epoch": {"en": "epoch", "el": "εποχή"},
    "accuracy": {"en": "accuracy", "el": "ακρίβεια"},
    "training": {"en": "training", "el": "εκπαίδευση"},
    "validation": {"en": "validation", "el": "επικύρωση"},
    "source.full": {"en": "the full set", "el": "ολόκληρο το σύνολο"},
    "source.download": {"en": "the full set", "el": "ολόκληρο το σύνολο"},
    "source.sample": {"en": "the bundled sample", "el": "το δείγμα της βιβλιοθήκης"},
    "data_source": {"en": "{dataset}: {source}", "el": "{dataset}: {source}"},
    "splits": {"en": "train {fit}, validation {validation}, test {test}",
               "el": "εκπαίδευση {fit}, επικύρωση {validation}, έλεγχος {test}"},
    "training_took": {"en": "training took {seconds:.1f} s",
                      "el": "η εκπαίδευση διήρκεσε {seconds:.1f} s"},
    "total_weights": {"en": "total: {n:,} weights", "el": "σύνολο: {n:,} βάρη"},
    "test_accuracy": {"en": "test accuracy {accuracy:.4f} (target {target})",
                      "el": "ακρίβεια ελέγχου {accuracy:.4f} (στόχος {target})"},
    # A1
    "a1.loaded": {"en": "MNIST: {mnist:,} training images; CIFAR-10: {cifar:,} training images",
                  "el": "MNIST: {mnist:,} εικόνες εκπαίδευσης· CIFAR-10: {cifar:,} εικόνες "
                        "εκπαίδευσης"},
    "a1.dimensions": {
        "en": "{name}: {n:,} images of {height}×{width} pixels with {channels} channel(s), "
              "dtype {dtype}, values {low}…{high}; labels {labels}, dtype {label_dtype}",
        "el": "{name}: {n:,} εικόνες {height}×{width} εικονοστοιχείων με {channels} "
              "κανάλι(α), τύπος {dtype}, τιμές {low}…{high}· ετικέτες {labels}, "
              "τύπος {label_dtype}"},
    "a1.scaled": {"en": "{name}: dtype {dtype}, values {low:g}…{high:g}, {mib:,.1f} MiB "
                        "(uint8: {uint8_mib:,.1f} MiB)",
                  "el": "{name}: τύπος {dtype}, τιμές {low:g}…{high:g}, {mib:,.1f} MiB "
                        "(uint8: {uint8_mib:,.1f} MiB)"},
    "a1.flattened": {"en": "{name}: {shape} → {flat}; the first row reshaped back is the first "
                           "image: {same}",
                     "el": "{name}: {shape} → {flat}· η πρώτη γραμμή, στο αρχικό της σχήμα, "
                           "είναι η πρώτη εικόνα: {same}"},
    # A2
    "a2.original": {"en": "original", "el": "αρχική"},
    "a2.sharpen": {"en": "sharpen", "el": "όξυνση"},
    "a2.blur": {"en": "blur", "el": "θόλωση"},
    "a2.edges": {"en": "edges", "el": "ακμές"},
    # A5
    "a5.loaded": {"en": "CIFAR-10: {n_train:,} training and {n_test:,} test images",
                  "el": "CIFAR-10: {n_train:,} εικόνες εκπαίδευσης και {n_test:,} ελέγχου"},
    "a5.base": {"en": "{name}: {pattern}, {n:,} weights", "el": "{name}: {pattern}, {n:,} βάρη"},
    "a5.layers": {"en": "layers: {names}", "el": "επίπεδα: {names}"},
    "a5.set.small": {"en": "small", "el": "μικρό"},
    "a5.set.large": {"en": "large", "el": "μεγάλο"},
    "a5.set.test": {"en": "test", "el": "έλεγχος"},
    "a5.set_counts": {"en": "{name:8}: {n:6,} images, per class {counts}",
                      "el": "{name:8}: {n:6,} εικόνες, ανά κλάση {counts}"},
    "a5.feature_extraction": {"en": "feature extraction", "el": "εξαγωγή χαρακτηριστικών"},
    "a5.fine_tuning": {"en": "fine-tuning", "el": "λεπτομερής ρύθμιση"},
    "a5.scratch": {"en": "from scratch", "el": "από το μηδέν"},
    "a5.table_head": {"en": "{set:22} {method:24} {weights:>18} {accuracy:>16} {time:>6}",
                      "el": "{set:22} {method:24} {weights:>18} {accuracy:>16} {time:>6}"},
    "a5.column.set": {"en": "target set", "el": "σύνολο-στόχος"},
    "a5.column.method": {"en": "method", "el": "μέθοδος"},
    "a5.column.weights": {"en": "trained weights", "el": "εκπαιδευόμενα βάρη"},
    "a5.column.accuracy": {"en": "test accuracy", "el": "ακρίβεια ελέγχου"},
    "a5.column.time": {"en": "time", "el": "χρόνος"},
    "a5.set_label": {"en": "{name} ({n:,} images)", "el": "{name} ({n:,} εικόνες)"},
    "a5.row": {"en": "{set:22} {method:24} {weights:18,} {accuracy:16.3f} {seconds:5.0f}s",
               "el": "{set:22} {method:24} {weights:18,} {accuracy:16.3f} {seconds:5.0f}s"},
    "a5.images": {"en": "{name}: {n:,} images", "el": "{name}: {n:,} εικόνες"},
    "a5.chance": {"en": "chance", "el": "τυχαία πρόβλεψη"},
    "a5.test_accuracy_axis": {"en": "test accuracy (%)", "el": "ακρίβεια ελέγχου (%)"},
    "a5.saved": {"en": "saved {path}: {pattern}, {n:,} weights",
                 "el": "αποθηκεύτηκε το {path}: {pattern}, {n:,} βάρη"},
    "a5.imagenet_off": {
        "en": 'BASE is {base}: set BASE = "imagenet" to try an ImageNet base (it needs the '
              "internet); the comparison uses the cifar5 base of part 3.",
        "el": 'Το BASE είναι {base}: ορίστε BASE = "imagenet" για να δοκιμάσετε μια βάση '
              "ImageNet (χρειάζεται σύνδεση στο διαδίκτυο)· η σύγκριση χρησιμοποιεί τη βάση "
              "cifar5 του μέρους 3."},
    "a5.reason.offline": {"en": "downloads are disabled by CNNBOOK_OFFLINE",
                          "el": "οι λήψεις είναι απενεργοποιημένες από το CNNBOOK_OFFLINE"},
    "a5.reason.failed": {"en": "no connection, or the download failed",
                         "el": "δεν υπάρχει σύνδεση ή η λήψη απέτυχε"},
    "a5.imagenet_missing": {
        "en": "Could not get MobileNetV2's ImageNet weights ({reason}), so this run falls back "
              "to the cifar5 base, whose results are in part 3.",
        "el": "Δεν ήταν δυνατό να ληφθούν τα βάρη ImageNet του MobileNetV2 ({reason}), οπότε "
              "αυτή η εκτέλεση μένει στη βάση cifar5, της οποίας τα αποτελέσματα είναι στο "
              "μέρος 3."},
    "a5.imagenet_result": {
        "en": "{name:8}: ImageNet MobileNetV2 features {imagenet:.3f}, cifar5 feature "
              "extraction {cifar5:.3f}",
        "el": "{name:8}: χαρακτηριστικά MobileNetV2 (ImageNet) {imagenet:.3f}, εξαγωγή "
              "χαρακτηριστικών cifar5 {cifar5:.3f}"},
    "a5.test_accuracy": {
        "en": "test accuracy on {n:,} images of the target classes: {accuracy:.3f} "
              "(needed: {target})",
        "el": "ακρίβεια ελέγχου σε {n:,} εικόνες των κλάσεων-στόχων: {accuracy:.3f} "
              "(απαιτείται: {target})"},
}


class _NumberFormatter(string.Formatter):
    """str.format, with each number written the way `lang` writes it (60.000; 0,5)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if (self.lang == "el" and isinstance(value, numbers.Number)
                and not isinstance(value, bool)):
            text = text.translate(_SWAP_SEPARATORS)
        return text


_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})


def say(key: str, lang: str, **values: Any) -> str:
    """The notebook text `key` in `lang`, its numbers formatted for `lang`.

    >>> say("a1.loaded", "el", mnist=60000, cifar=50000)
    'MNIST: 60.000 εικόνες εκπαίδευσης· CIFAR-10: 50.000 εικόνες εκπαίδευσης'
    """
    if key not in NOTEBOOK_TEXT:
        raise KeyError(f"no notebook text {key!r}")
    return _NumberFormatter(lang).format(pick(NOTEBOOK_TEXT[key], lang), **values)
