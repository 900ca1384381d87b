"""Reasons are data: every code reads in English and Greek, and text read back is the same."""

from __future__ import annotations

import string

import pytest

from autograder.scoring.reasons import LANGUAGES, TEXTS, Reason, parse, reason, render, translate

# Example parameters for each field name the table uses.
SAMPLE = {"error": "ValueError", "shape": "(3, 3)", "expected": "(2, 2)", "dtype": "object",
          "index": 2, "total": 5, "arguments": "image=array(5, 5)", "name": "scipy",
          "function": "corr2d", "message": "boom", "count": 12345, "low": 1000,
          "high": 20000, "pattern": "CONV-RELU", "accuracy": 0.8241, "target": 0.93,
          "cell": 4, "mb": 32, "seconds": 120, "text": "a note", "notebook": "problem2",
          "score": 1.5, "points": 2}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def example(code: str) -> Reason:
    params = {name: SAMPLE[name] for name in fields(TEXTS[code]["en"]) if name != "problem"}
    if "problem" in fields(TEXTS[code]["en"]):
        params["problem"] = reason("wrong_values")
    return Reason(code, params)


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_every_code_reads_in_every_language_with_the_same_fields(code):
    assert set(TEXTS[code]) == set(LANGUAGES)
    assert all(TEXTS[code][language].strip() for language in LANGUAGES)
    assert fields(TEXTS[code]["el"]) == fields(TEXTS[code]["en"])


@pytest.mark.parametrize("code", sorted(set(TEXTS) - {"text"}))
def test_greek_text_is_greek(code):
    greek = example(code).text("el")
    assert any("α" <= ch <= "ω" for ch in greek.lower()), greek
    assert greek != example(code).text("en")


@pytest.mark.parametrize("code", sorted(set(TEXTS) - {"text"}))
def test_english_text_reads_back_to_its_code(code):
    written = example(code)
    parsed = parse(written.text())
    assert parsed.code == code
    assert parsed.text() == written.text()
    assert parsed.text("el") == written.text("el")


def test_json_round_trip_keeps_nested_reasons():
    nested = reason("hidden_case", index=1, total=3, arguments="x=1",
                    problem=reason("raised", error="KeyError"))
    assert Reason.from_json(nested.to_json()) == nested
    assert nested.text("el") == "κρυφή περίπτωση 1 από 3 (x=1): εγείρει KeyError"


def test_numbers_keep_their_format():
    assert reason("accuracy_below", accuracy=0.82412, target=0.93).text() == \
        "accuracy 0.8241, below the target 0.9300"
    assert reason("weights", count=12345, low=1000, high=20000).text() == \
        "12,345 weights, expected 1,000 to 20,000"


def test_unknown_codes_are_refused():
    with pytest.raises(KeyError):
        reason("no such code")


def test_text_no_template_matches_stays_as_written():
    assert parse("hidden case 2 of 4: wrong values") == Reason(
        "text", {"text": "hidden case 2 of 4: wrong values"})
    assert translate("something new; timeout in cell 3", "el") == \
        "something new; υπέρβαση του χρόνου στο κελί 3"


def test_render_joins_several():
    assert render([reason("memory"), reason("missing_parameters")], "el") == \
        "εξάντληση της μνήμης; διαγραμμένο κελί parameters (επαναφέρθηκε)"
