"""cnnbook.i18n: every language variant exists and reads right."""

from __future__ import annotations

import pytest

from cnnbook import i18n
from cnnbook.data import DataSource


def test_every_dataset_has_class_names_in_every_language():
    for dataset, variants in i18n.CLASS_NAMES.items():
        assert set(variants) == set(i18n.LANGS), dataset
        assert len({len(names) for names in variants.values()}) == 1


def test_greek_class_names_are_greek():
    assert i18n.CLASS_NAMES["cifar10"]["el"][3] == "γάτα"
    assert all(any("α" <= ch <= "ω" or ch in "άέήίόύώ" for ch in name)
               for name in i18n.CLASS_NAMES["cifar10"]["el"])


@pytest.mark.parametrize(("value", "lang", "digits", "text"), [
    (15_237_608, "en", 0, "15,237,608"), (15_237_608, "el", 0, "15.237.608"),
    (60.95, "en", 1, "61.0"), (0.5, "el", 1, "0,5"), (1234.5, "el", 1, "1.234,5"),
])
def test_numbers_follow_each_language(value, lang, digits, text):
    assert i18n.number(value, lang, digits) == text


def test_describe_source_says_sample_or_full_in_each_language():
    sample = DataSource("cifar10", "sample", "x", 2500, 500)
    full = DataSource("cifar10", "full", "x", 50000, 10000)
    assert "sample" in i18n.describe_source(sample, "en").data
    assert "δείγμα" in i18n.describe_source(sample, "el").data
    assert "50,000" in i18n.describe_source(full, "en").data
    assert "50.000" in i18n.describe_source(full, "el").data
    subset = DataSource("mnist", "full", "x", 3000, 500, limited=True)
    assert i18n.describe_source(subset, "en").data.startswith("the first 3,000 training")
    assert "τις πρώτες 3.000" in i18n.describe_source(subset, "el").data


def test_missing_language_is_a_clear_error():
    with pytest.raises(KeyError, match="no 'fr' variant"):
        i18n.pick({"en": 1, "el": 2}, "fr")


def test_glue_variants_glues_one_key_per_language(monkeypatch):
    import myst_nb

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: glued.update({name: value}))
    i18n.glue_variants("answer", lambda lang: f"{lang}!")
    assert glued == {"answer_en": "en!", "answer_el": "el!"}


def test_glue_number_and_layer_table_glue_each_language(monkeypatch):
    import myst_nb

    from cnnbook.arithmetic import LayerRow, LayerTable

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: glued.update({name: value}))
    i18n.glue_number("total", 1234.5, 1)
    assert glued["total_en"] == "1,234.5" and glued["total_el"] == "1.234,5"
    table = LayerTable((LayerRow("input", "InputLayer", (224, 224, 3), 150528, 0),))
    i18n.glue_layer_table("t", table)
    assert glued["t_en"].data.startswith("| layer |") and "150,528" in glued["t_en"].data
    assert glued["t_el"].data.startswith("| επίπεδο |") and "150.528" in glued["t_el"].data


def test_layer_table_glues_a_macs_column_in_each_language(monkeypatch):
    import myst_nb

    from cnnbook.arithmetic import LayerRow, LayerTable

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: glued.update({name: value}))
    table = LayerTable((LayerRow("conv", "Conv2D", (224, 224, 64), 3211264, 36928,
                                 macs=1_849_688_064),))
    i18n.glue_layer_table("m", table, macs=True)
    assert glued["m_en"].data.splitlines()[0].endswith("| MACs (millions) |")
    assert glued["m_el"].data.splitlines()[0].endswith("| MACs (εκατ.) |")
    assert glued["m_en"].data.splitlines()[-1].endswith("| 36,928 | 1,849.7 |")
    assert glued["m_el"].data.splitlines()[-1].endswith("| 36.928 | 1.849,7 |")


@pytest.mark.parametrize("tex", [r"(7 - 3 + 2 \cdot 0)/3 + 1 = 2{,}33", r"W_1 * F_2 < 3 \times 4",
                                 r"a \, b \\ c"])
def test_markdown_math_reaches_mathjax_as_written(tex):
    """CommonMark (what {glue:md} parses with) keeps the TeX and its \\(…\\) delimiters."""
    import html

    from markdown_it import MarkdownIt

    from cnnbook.i18n import markdown_math

    rendered = MarkdownIt("commonmark").renderInline(f"fits: {markdown_math(tex)}.")
    opening = '<span class="math notranslate nohighlight">'
    assert rendered.startswith(f"fits: {opening}") and rendered.endswith("</span>.")
    assert html.unescape(rendered[len(f"fits: {opening}"):-len("</span>.")]) == rf"\({tex}\)"
    assert "$" not in markdown_math(tex)


def test_every_notebook_text_has_every_language():
    for key, variants in i18n.NOTEBOOK_TEXT.items():
        assert set(variants) == set(i18n.LANGS), key


@pytest.mark.parametrize(("key", "lang", "values", "text"), [
    ("a1.loaded", "el", {"mnist": 60000, "cifar": 50000},
     "MNIST: 60.000 εικόνες εκπαίδευσης· CIFAR-10: 50.000 εικόνες εκπαίδευσης"),
    ("a1.loaded", "en", {"mnist": 60000, "cifar": 50000},
     "MNIST: 60,000 training images; CIFAR-10: 50,000 training images"),
    ("test_accuracy", "el", {"accuracy": 0.98765, "target": 0.99},
     "ακρίβεια ελέγχου 0,9877 (στόχος 0,99)"),
    ("a5.saved", "el", {"path": "model.keras", "pattern": "CONV", "n": 1234},
     "αποθηκεύτηκε το model.keras: CONV, 1.234 βάρη"),  # only numbers change separators
])
def test_say_writes_numbers_the_languages_way(key, lang, values, text):
    assert i18n.say(key, lang, **values) == text


def test_say_refuses_an_unknown_key_or_language():
    with pytest.raises(KeyError, match="no notebook text"):
        i18n.say("no.such.key", "en")
    with pytest.raises(KeyError, match="'de'"):
        i18n.say("epoch", "de")


def test_every_key_the_assignments_say_exists():
    """Literal keys, and the f-string families (a5.{method}, source.{kind}…), in every notebook."""
    import re

    import nbformat

    from tests.conftest import ROOT

    families = {"a2.{name}": ["original", "sharpen", "blur", "edges"],
                "source.{last_source": ["full", "download", "sample"],
                "a5.set.{": ["small", "large", "test"],
                "a5.column.{column}": ["set", "method", "weights", "accuracy", "time"],
                "a5.{method}": ["feature_extraction", "fine_tuning", "scratch"]}
    used = set()
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
        used |= set(re.findall(r'say\("([^"{]+)"', code))
        for template in re.findall(r'say\(f"([^"]+)"', code):
            prefix = template.split("{")[0]
            stems = next(v for k, v in families.items() if template.startswith(k.split("}")[0]))
            used |= {prefix + stem for stem in stems}
    assert used, "the assignments should print through say()"
    assert sorted(used - set(i18n.NOTEBOOK_TEXT)) == []
