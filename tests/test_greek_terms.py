"""The Greek glossary (book/el/glossary.md) is the authority: one Greek term per concept.

Each glossary term below comes with the variants it replaced. None of them may
appear anywhere a Greek reader reads: the book's prose and the Greek strings its
code cells show, the Greek cells of the assignments (the instructor sources and
the student editions), and the Greek strings of the grader and the library.
Greek elisions use one apostrophe, the typographic ’.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

GLOSSARY = ROOT / "book" / "el" / "glossary.md"
GREEK = "\u0370-\u03ff\u1f00-\u1fff"

# glossary term -> the variants it replaces (regular expressions, case-insensitive)
BANNED: dict[str, list[str]] = {
    "από το μηδέν": [r"εκπα[ιί]δ\w*[^.;·:]{0,30}\bαπό\s+την\s+αρχή"],
    "κατάβαση κλίσης": [r"κ[άα]θ[οό]δ\w*\s+κλίσ"],
    "φέτα βάθους": [r"\bτομ(ή|ής|ές|ών)\s+βάθους"],
    "φθορά βαρών": [r"αποσύνθεσ\w*\s+(των\s+)?βαρ"],
    "με ετικέτες": [r"επισημειωμέν"],
    "απόρριψη μονάδων (dropout)": [r"\bαπόρριψη\s+\(dropout\)", r"(?<![(\w])dropout(?![)\w])"],
    "διαδραστικό στοιχείο ελέγχου": [r"\bγραφικ\w*\s+στοιχεί"],
    "ολισθητής": [r"\bρυθμιστικ(ό|ά|ού|ών)\b"],
    "η softmax (θηλυκό: η συνάρτηση softmax)": [r"\b(το|του|ένα|ενός)\s+softmax"],
    "καθολική συγκέντρωση μέσου όρου": [r"\bκαθολικ\w*\s+υποδειγματοληψ"],
    "πρόβλημα": [r"\bεργασ\w*-(στόχ|πηγ)"],
    "κελί μόνο για ανάγνωση": [r"\bκελ(ί|ιά)\s+που\s+δεν\s+(τα\s+)?επεξεργάζ"],
    "μονοδιάστατος πίνακας": [r"\bεπίπεδ(ο|ος|ου)\s+πίνακ"],
    "βήμα": [r"\bβήμα(τα)?\s+(της\s+)?(κατάβασης|βελτιστοποίησης|εκπαίδευσης)",
             r"\bπλήθος\s+των\s+βημάτων", r"\bεπαναλαμβάνει\s+το\s+βήμα",
             r"\bπρώτο\s+βήμα"],
    "οπισθοδιάδοση": [r"\b(ανάστροφη|οπισθόδρομη)\s+διάδοση", r"\bδιάδοση\s+προς\s+τα\s+πίσω"],
    "ομαλοποίηση": [r"\b(κανονικοποίηση|τακτοποίηση)\s+\(regulari"],
    "σημειωματάριο": [r"\bτετράδι(ο|ου|α|ων)\b"],
    "απώλεια (συνάρτηση απώλειας)": [r"\bσυνάρτησ\w*\s+κόστους"],
}
APOSTROPHE = re.compile(rf"(?<=[{GREEK}])['ʼ‘´′](?=[\s,.;·»)]|$)", re.M)

CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.S | re.M)
CODE_FENCE = re.compile(r"^(`{3,})(?!\{)[^\n]*\n.*?^\1$", re.S | re.M)  # ```python, ```lua…
GREEK_LITERAL = re.compile(rf"\"([^\"\n]*[{GREEK}][^\"\n]*)\"|'([^'\n]*[{GREEK}][^'\n]*)'")


def greek_literals(code: str) -> list[str]:
    """The Greek string literals of some code, without their quotes."""
    return [double or single for double, single in GREEK_LITERAL.findall(code)]


def markdown_prose(text: str) -> str:
    """What a reader reads of a page or a cell: directive bodies kept, code and maths dropped."""
    text = re.sub(r"^---\n.*?\n---\n", "", text, count=1, flags=re.S)
    text = CODE_CELL.sub("", text)
    text = CODE_FENCE.sub("", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", "", text, flags=re.S)
    return re.sub(r"\{[a-z:]+\}`[^`]*`|`[^`]*`|\]\([^)]*\)", "", text)


def python_greek_strings(source: str) -> str:
    """The string constants of a Python module that hold Greek, one a line."""
    return "\n".join(node.value for node in ast.walk(ast.parse(source))
                     if isinstance(node, ast.Constant) and isinstance(node.value, str)
                     and re.search(f"[{GREEK}]", node.value))


def book_page(path: Path) -> tuple[str, str]:
    """(prose, the Greek strings its code cells show)."""
    text = path.read_text(encoding="utf-8")
    return markdown_prose(text), "\n".join(greek_literals("\n".join(CODE_CELL.findall(text))))


def notebook(path: Path, greek_tag: str | None) -> tuple[str, str]:
    """(markdown cells, only those tagged `greek_tag` if given; Greek code strings)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    prose, strings = [], []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if greek_tag is None or greek_tag in cell["metadata"].get("tags", []):
                prose.append(markdown_prose(source))
        elif cell["cell_type"] == "code":
            strings.extend(greek_literals(source))
    return "\n".join(prose), "\n".join(strings)


def greek_texts() -> dict[str, tuple[str, str]]:
    """Where Greek readers read: name -> (prose, Greek strings in code)."""
    texts = {}
    for page in sorted((ROOT / "book" / "el").glob("*.md")):
        if page.name != "glossary.md":  # it names the variants it rules out
            texts[f"book/el/{page.name}"] = book_page(page)
    for source in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        texts[f"solutions/{source.name} (lang:el)"] = notebook(source, "lang:el")
    for student in sorted((ROOT / "exercises" / "el").glob("*/*.ipynb")):
        texts[f"exercises/el/{student.name}"] = notebook(student, None)
    for package in ("autograder", "cnnbook"):  # feedback and figure labels
        texts[package] = ("", "\n".join(python_greek_strings(module.read_text(encoding="utf-8"))
                                        for module in sorted((ROOT / package).rglob("*.py"))))
    return texts


TEXTS = greek_texts()


def glossary_greek_terms() -> list[str]:
    rows = re.findall(r"^\| (.+?) \| (.+?) \|$", GLOSSARY.read_text(encoding="utf-8"), re.M)
    return [greek for english, greek in rows if english not in ("English", "---")]


def test_every_authoritative_term_is_in_the_glossary():
    terms = glossary_greek_terms()
    missing = [term for term in BANNED if not any(term in row for row in terms)]
    assert not missing, f"not in book/el/glossary.md: {missing}"


def test_the_rule_catches_what_it_bans():
    """The variants the review found, as they were written, are caught."""
    found = {
        "από το μηδέν": "η εκπαίδευση από την αρχή",
        "κατάβαση κλίσης": "με κάθοδο κλίσης",
        "φέτα βάθους": "κάθε τομή βάθους",
        "φθορά βαρών": "με αποσύνθεση βαρών",
        "με ετικέτες": "επισημειωμένες εικόνες",
        "απόρριψη μονάδων (dropout)": "με ReLU και dropout.",
        "η softmax (θηλυκό: η συνάρτηση softmax)": "ένα softmax πέντε εξόδων",
        "καθολική συγκέντρωση μέσου όρου": "την καθολική υποδειγματοληψία μέσου όρου",
        "πρόβλημα": "η εργασία-στόχος",
        "κελί μόνο για ανάγνωση": "τα κελιά που δεν επεξεργάζονται",
        "μονοδιάστατος πίνακας": "επίπεδο πίνακα σχήματος (n,)",
        "βήμα": "το πλήθος των βημάτων",
    }
    for term, text in found.items():
        assert any(re.search(p, text, re.I) for p in BANNED[term]), (term, text)
    assert APOSTROPHE.search("γι' αυτό") and not APOSTROPHE.search("γι’ αυτό")
    assert not re.search(BANNED["απόρριψη μονάδων (dropout)"][1], "απόρριψη μονάδων (dropout)")


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_greek_text_uses_only_the_glossary_terms(name):
    prose, strings = TEXTS[name]
    hits = [f"{match.group(0)!r} -> {term}" for term, patterns in BANNED.items()
            for pattern in patterns for text in (prose, strings)
            for match in re.finditer(pattern, text, re.I)]
    # Only prose: in code, a quote after a Greek word usually closes a string.
    hits += [f"{prose[max(0, m.start() - 12):m.end() + 1]!r} -> ’"
             for m in APOSTROPHE.finditer(prose)]
    assert not hits, f"{name}:\n" + "\n".join(hits)
