"""The grader's reasons in the student's language.

The checks write their reasons in English (result.json, the instructor's
table); feedback shows them in the language the student worked in. Each
pattern below matches one kind of reason the checks and the worker produce.
"""

from __future__ import annotations

import re

_PROBLEMS_EL = [
    (r"wrong values", "λάθος τιμές"),
    (r"raised (\w+)", r"εγείρει \1"),
    (r"should raise (\w+)", r"έπρεπε να εγείρει \1"),
    (r"returned shape (.+), expected (.+)", r"επέστρεψε σχήμα \1, αναμενόταν \2"),
    (r"returned dtype (\S+)", r"επέστρεψε τύπο \1"),
    (r"returned something that is not an array or a number",
     "επέστρεψε κάτι που δεν είναι πίνακας ή αριθμός"),
    (r"took too long", "άργησε υπερβολικά"),
    (r"no result \(the code stopped or exited before this case\)",
     "κανένα αποτέλεσμα (ο κώδικας σταμάτησε πριν από αυτή την περίπτωση)"),
]

_REASONS_EL = [
    (r"the test cell never ran \(the notebook stopped before it\)",
     "το κελί ελέγχου δεν εκτελέστηκε (το σημειωματάριο σταμάτησε πριν από αυτό)"),
    (r"hidden case (\d+) of (\d+) \((.*)\): (.+)", None),  # handled in translate()
    (r"uses (\S+), which this part forbids",
     r"χρησιμοποιεί το \1, που απαγορεύεται σε αυτό το μέρος"),
    (r"defining (\w+) raised (\w+)", r"ο ορισμός της \1 εγείρει \2"),
    (r"no saved model \(the notebook did not save MODEL_PATH\)",
     "δεν υπάρχει αποθηκευμένο μοντέλο (το σημειωματάριο δεν αποθήκευσε το MODEL_PATH)"),
    (r"the saved model cannot be loaded safely: (.*)",
     r"το αποθηκευμένο μοντέλο δεν φορτώνεται με ασφάλεια: \1"),
    (r"the model could not classify the test images \((\w+)\)",
     r"το μοντέλο δεν μπόρεσε να ταξινομήσει τις εικόνες ελέγχου (\1)"),
    (r"input shape (.+), expected (.+)", r"σχήμα εισόδου \1, αναμενόταν \2"),
    (r"output shape (.+), expected (.+)", r"σχήμα εξόδου \1, αναμενόταν \2"),
    (r"([\d,]+) weights, expected ([\d,]+) to ([\d,]+)",
     r"\1 βάρη, αναμένονταν από \2 έως \3"),
    (r"layer pattern (\S+) does not match (\S+)",
     r"το μοτίβο επιπέδων \1 δεν ταιριάζει με το \2"),
    (r"layer (\S+) should be frozen \(trainable=False\)",
     r"το επίπεδο \1 έπρεπε να είναι παγωμένο (trainable=False)"),
    (r"no layer named (\S+)", r"δεν υπάρχει επίπεδο με όνομα \1"),
    (r"accuracy ([\d.]+), below the target ([\d.]+)", r"ακρίβεια \1, κάτω από τον στόχο \2"),
    (r"accuracy ([\d.]+)", r"ακρίβεια \1"),
    (r"timeout in cell (\d+)", r"υπέρβαση του χρόνου στο κελί \1"),
    (r"out of memory in cell (\d+)", r"εξάντληση της μνήμης στο κελί \1"),
    (r"out of memory", "εξάντληση της μνήμης"),
    (r"kernel died in cell (\d+)", r"ο πυρήνας (kernel) τερματίστηκε στο κελί \1"),
    (r"too many processes", "υπερβολικά πολλές διεργασίες"),
    (r"disk limit \((\d+) MB\) exceeded", r"υπέρβαση του ορίου χώρου στον δίσκο (\1 MB)"),
    (r"notebook time limit \((\d+) s\)", r"όριο χρόνου του σημειωματαρίου (\1 s)"),
    (r"edited read-only cell (\S+) \(restored from the source\)",
     r"τροποποιημένο κελί μόνο για ανάγνωση \1 (επαναφέρθηκε από την πηγή)"),
    (r"missing read-only cell (\S+) \(restored\)",
     r"διαγραμμένο κελί μόνο για ανάγνωση \1 (επαναφέρθηκε)"),
    (r"missing parameters cell \(restored\)", "διαγραμμένο κελί parameters (επαναφέρθηκε)"),
    (r"grader error: (.*)", r"σφάλμα του βαθμολογητή: \1"),
]

LABELS = {
    "en": {"title": "Feedback", "part": "Part", "points": "Points", "why": "Why points were lost",
           "total": "Total", "note": "Note", "passed": "passed", "full": "full points"},
    "el": {"title": "Ανατροφοδότηση", "part": "Μέρος", "points": "Μονάδες",
           "why": "Γιατί χάθηκαν μονάδες", "total": "Σύνολο", "note": "Σημείωση",
           "passed": "επιτυχία", "full": "πλήρεις μονάδες"},
}


def translate(reason: str, language: str) -> str:
    """`reason` (one or several, joined by "; ") in `language`; English is returned as is."""
    if language != "el" or not reason:
        return reason
    return "; ".join(_one(part) for part in reason.split("; "))


def _one(reason: str) -> str:
    hidden = re.fullmatch(r"hidden case (\d+) of (\d+) \((.*)\): (.+)", reason)
    if hidden:
        index, total, arguments, problem = hidden.groups()
        return f"κρυφή περίπτωση {index} από {total} ({arguments}): {_sub(_PROBLEMS_EL, problem)}"
    return _sub(_REASONS_EL, reason)


def _sub(table: list[tuple[str, str | None]], text: str) -> str:
    for pattern, replacement in table:
        if replacement is not None and re.fullmatch(pattern, text):
            return re.sub(f"^{pattern}$", replacement, text)
    return text
