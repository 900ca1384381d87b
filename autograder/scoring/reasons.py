"""Why points were lost: reasons as data, rendered per language from one table.

A reason is a code with parameters, e.g. `Reason("timeout", {"cell": 4})`. The
checks and the worker build reasons; result.json stores each one's code and
parameters beside its English text; feedback, reports and exports render them
in the student's language from `TEXTS`, the one table of wordings. A test
checks that every code has an English and a Greek text with the same fields.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("en", "el")

# code → {language: template}. Fields are str.format fields; a field's format spec
# (e.g. `:.4f`) applies to numbers. `problem` fields hold a nested reason.
TEXTS: dict[str, dict[str, str]] = {
    # function checks, one hidden case
    "wrong_values": {"en": "wrong values", "el": "λανθασμένες τιμές"},
    "raised": {"en": "raised {error}", "el": "εγείρει {error}"},
    "should_raise": {"en": "should raise {error}", "el": "έπρεπε να εγείρει {error}"},
    "wrong_shape": {"en": "returned shape {shape}, expected {expected}",
                    "el": "επέστρεψε σχήμα {shape}, αναμενόταν {expected}"},
    "wrong_dtype": {"en": "returned dtype {dtype}", "el": "επέστρεψε τύπο {dtype}"},
    "not_an_array": {"en": "returned something that is not an array or a number",
                     "el": "επέστρεψε κάτι που δεν είναι πίνακας ή αριθμός"},
    "case_timeout": {"en": "took too long", "el": "υπερέβη το χρονικό όριο"},
    "no_result": {"en": "no result (the code stopped or exited before this case)",
                  "el": "κανένα αποτέλεσμα (ο κώδικας σταμάτησε πριν από αυτή την περίπτωση)"},
    # function checks, the part
    "hidden_case": {"en": "hidden case {index} of {total} ({arguments}): {problem}",
                    "el": "κρυφή περίπτωση {index} από {total} ({arguments}): {problem}"},
    "forbidden": {"en": "uses {name}, which this part forbids",
                  "el": "χρησιμοποιεί το {name}, που απαγορεύεται σε αυτό το μέρος"},
    "define_raised": {"en": "defining {function} raised {error}",
                      "el": "ο ορισμός της {function} εγείρει {error}"},
    "never_ran": {"en": "the test cell never ran (the notebook stopped before it)",
                  "el": "το κελί ελέγχου δεν εκτελέστηκε (το σημειωματάριο σταμάτησε πριν "
                        "από αυτό)"},
    # nbgrader's in-kernel tests (assignments without grading.yml)
    "test_error": {"en": "the test cell raised {error}", "el": "το κελί ελέγχου εγείρει {error}"},
    "test_stderr": {"en": "the test cell wrote to stderr (nbgrader counts that as a failure)",
                    "el": "το κελί ελέγχου έγραψε στο stderr (το nbgrader το μετρά ως "
                          "αποτυχία)"},
    "partial_credit": {"en": "partial credit, {score:g} of {points:g}",
                       "el": "μερική βαθμολογία, {score:g} από {points:g}"},
    "no_response": {"en": "no answer (the cell is as it was handed out)",
                    "el": "καμία απάντηση (το κελί είναι όπως δόθηκε)"},
    "manual_cells": {"en": "{count} cells are left to be graded by hand in formgrader",
                     "el": "{count} κελιά μένουν για βαθμολόγηση με το χέρι στο formgrader"},
    "missing_notebook": {"en": "notebook {notebook} was not submitted",
                         "el": "το σημειωματάριο {notebook} δεν υποβλήθηκε"},
    # model checks
    "no_model": {"en": "no saved model (the notebook did not save MODEL_PATH)",
                 "el": "δεν υπάρχει αποθηκευμένο μοντέλο (το σημειωματάριο δεν αποθήκευσε "
                       "το MODEL_PATH)"},
    "unsafe_model": {"en": "the saved model cannot be loaded safely: {message}",
                     "el": "το αποθηκευμένο μοντέλο δεν φορτώνεται με ασφάλεια: {message}"},
    "cannot_classify": {"en": "the model could not classify the test images ({error})",
                        "el": "το μοντέλο δεν μπόρεσε να ταξινομήσει τις εικόνες ελέγχου "
                              "({error})"},
    "input_shape": {"en": "input shape {shape}, expected {expected}",
                    "el": "σχήμα εισόδου {shape}, αναμενόταν {expected}"},
    "output_shape": {"en": "output shape {shape}, expected {expected}",
                     "el": "σχήμα εξόδου {shape}, αναμενόταν {expected}"},
    "weights": {"en": "{count:,} weights, expected {low:,} to {high:,}",
                "el": "{count:,} βάρη, αναμένονταν από {low:,} έως {high:,}"},
    "layer_pattern": {"en": "layer pattern {pattern} does not match {expected}",
                      "el": "το μοτίβο επιπέδων {pattern} δεν ταιριάζει με το {expected}"},
    "not_frozen": {"en": "layer {name} should be frozen (trainable=False)",
                   "el": "το επίπεδο {name} έπρεπε να είναι παγωμένο (trainable=False)"},
    "no_layer": {"en": "no layer named {name}", "el": "δεν υπάρχει επίπεδο με όνομα {name}"},
    "accuracy_below": {"en": "accuracy {accuracy:.4f}, below the target {target:.4f}",
                       "el": "ακρίβεια {accuracy:.4f}, κάτω από τον στόχο {target:.4f}"},
    "accuracy": {"en": "accuracy {accuracy:.4f}", "el": "ακρίβεια {accuracy:.4f}"},
    # how the notebook run stopped
    "timeout": {"en": "timeout in cell {cell}", "el": "υπέρβαση του χρόνου στο κελί {cell}"},
    "memory_in_cell": {"en": "out of memory in cell {cell}",
                       "el": "εξάντληση της μνήμης στο κελί {cell}"},
    "memory": {"en": "out of memory", "el": "εξάντληση της μνήμης"},
    "kernel_died": {"en": "kernel died in cell {cell}",
                    "el": "ο πυρήνας του Jupyter (kernel) τερματίστηκε στο κελί {cell}"},
    "runner_killed": {"en": "the notebook stopped the grader's runner in cell {cell}",
                      "el": "το σημειωματάριο τερμάτισε τον εκτελεστή του βαθμολογητή στο "
                            "κελί {cell}"},
    "processes": {"en": "too many processes", "el": "υπερβολικά πολλές διεργασίες"},
    "disk": {"en": "disk limit ({mb} MB) exceeded",
             "el": "υπέρβαση του ορίου χώρου στον δίσκο ({mb} MB)"},
    "notebook_time": {"en": "notebook time limit ({seconds:.0f} s)",
                      "el": "όριο χρόνου του σημειωματαρίου ({seconds:.0f} s)"},
    # what the coordinator restored before the run
    "edited_cell": {"en": "edited read-only cell {cell} (restored from the source)",
                    "el": "τροποποιημένο κελί μόνο για ανάγνωση {cell} (επαναφέρθηκε από "
                          "την πηγή)"},
    "missing_cell": {"en": "missing read-only cell {cell} (restored)",
                     "el": "διαγραμμένο κελί μόνο για ανάγνωση {cell} (επαναφέρθηκε)"},
    "missing_parameters": {"en": "missing parameters cell (restored)",
                           "el": "διαγραμμένο κελί parameters (επαναφέρθηκε)"},
    "metadata_restored": {"en": "nbgrader metadata of {count} cells restored from the source "
                                "(the notebook editor dropped it)",
                          "el": "τα μεταδεδομένα nbgrader {count} κελιών επαναφέρθηκαν από την "
                                "πηγή (ο επεξεργαστής του σημειωματαρίου τα είχε αφαιρέσει)"},
    "unfit": {"en": "not graded: {message}", "el": "δεν βαθμολογήθηκε: {message}"},
    # the grader's own failures
    "grader_error": {"en": "grader error: {message}", "el": "σφάλμα του βαθμολογητή: {message}"},
    # text from a result.json written before reasons were data, that no template matches
    "text": {"en": "{text}", "el": "{text}"},
}

LABELS = {
    "en": {"title": "Feedback", "part": "Part", "points": "Points", "why": "Why points were lost",
           "total": "Total", "note": "Note", "passed": "passed", "full": "full points",
           "sample": "Graded on a small sample of the data: a trial run, not a final grade."},
    "el": {"title": "Ανατροφοδότηση", "part": "Μέρος", "points": "Μονάδες",
           "why": "Γιατί χάθηκαν μονάδες", "total": "Σύνολο", "note": "Σημείωση",
           "passed": "επιτυχία", "full": "πλήρεις μονάδες",
           "sample": "Βαθμολογήθηκε σε μικρό δείγμα των δεδομένων: δοκιμαστική εκτέλεση, "
                     "όχι τελικός βαθμός."},
}


@dataclass(frozen=True)
class Reason:
    """One reason: a code of `TEXTS` and its parameters (numbers, text, or a nested Reason)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in TEXTS:
            raise KeyError(f"unknown reason code {self.code!r}")

    def text(self, language: str = "en") -> str:
        template = TEXTS[self.code].get(language) or TEXTS[self.code]["en"]
        params = {name: value.text(language) if isinstance(value, Reason) else value
                  for name, value in self.params.items()}
        return _FORMATTER.format(template, **params)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code,
                "params": {name: value.to_json() if isinstance(value, Reason) else value
                           for name, value in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reason:
        params = {name: cls.from_json(value) if isinstance(value, dict) and "code" in value
                  else value for name, value in data.get("params", {}).items()}
        return cls(data["code"], params)


def reason(code: str, **params: Any) -> Reason:
    """`reason("timeout", cell=4)`: the way checks and workers write a reason."""
    return Reason(code, params)


def render(reasons: list[Reason], language: str = "en") -> str:
    """Several reasons as one line, joined by "; " (as result.json's `reason` holds them)."""
    return "; ".join(r.text(language) for r in reasons)


class _Formatter(string.Formatter):
    """str.format, except that a format spec is ignored for text (a parsed-back parameter)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, str):
            return value
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


# ------------------------------------------------------------ English text read back

def parse(text: str) -> Reason:
    """The reason whose English text is `text` (parameters as text); `text` as is if none fits.

    For result.json files written before reasons were stored as data, and for
    checking that what the grader wrote reads back: the patterns come from the
    same table, so a rewording cannot leave a translation behind.
    """
    for code, pattern in _PATTERNS.items():
        match = pattern.fullmatch(text)
        if match:
            params: dict[str, Any] = dict(match.groupdict())
            if "problem" in params:
                nested = parse(params["problem"])
                if nested.code == "text":
                    continue
                params["problem"] = nested
            return Reason(code, params)
    return Reason("text", {"text": text})


def translate(text: str, language: str) -> str:
    """English reason text (one or several, joined by "; ") in `language`; unknown text as is."""
    if language == "en" or not text:
        return text
    return "; ".join(parse(part).text(language) for part in text.split("; "))


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<{name}>.+)" if name == "problem" else f"(?P<{name}>.+?)")
    return re.compile("".join(parts), re.S)


# Longer templates first, so that "accuracy X, below the target Y" wins over "accuracy X".
_PATTERNS = {code: _pattern(texts["en"])
             for code, texts in sorted(TEXTS.items(), key=lambda item: -len(item[1]["en"]))
             if code != "text"}
