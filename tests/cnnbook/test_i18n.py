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
