"""The two editions are twins: same pages, byte-identical code, same structure."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.book.conftest import toc_pages
from tests.conftest import ROOT

EN, EL = ROOT / "book" / "en", ROOT / "book" / "el"
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n.*?^```$", re.S | re.M)
FENCE = re.compile(r"^(`{3,})\{([a-z:-]+)\}", re.M)
GLUE_KEY = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`|```\{glue:\w+\}\s+(\S+)")

pytestmark = pytest.mark.skipif(not (EL / "index.md").is_file(), reason="no Greek edition yet")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def prose(text: str) -> str:
    """The Markdown a reader reads: no code cells, fences, math, roles or front matter."""
    text = re.sub(r"^---\n.*?\n---\n", "", text, count=1, flags=re.S)
    text = CODE_CELL.sub("", text)
    text = re.sub(r"^(`{3,}).*?^\1$", "", text, flags=re.S | re.M)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", "", text, flags=re.S)
    return re.sub(r"\{[a-z:]+\}`[^`]*`|`[^`]*`|\[[^\]]*\]\([^)]*\)", "", text)


@pytest.fixture(params=toc_pages(), ids=str)
def twins(request) -> tuple[str, str]:
    en, el = EN / f"{request.param}.md", EL / f"{request.param}.md"
    assert el.is_file(), f"{request.param}.md has no Greek twin"
    return read(en), read(el)


def test_code_cells_are_byte_identical(twins):
    en, el = twins
    assert CODE_CELL.findall(en) == CODE_CELL.findall(el)


def test_same_structure(twins):
    en, el = twins
    for name, pattern in {
        "headings": r"^(#{1,6}) ",
        "directives": FENCE.pattern,
        "display math": r"\$\$",
        "tables": r"^\|[-:| ]+\|$",
    }.items():
        count = lambda text, p=pattern: Counter(  # noqa: E731
            m if isinstance(m, str) else m[-1] for m in re.findall(p, text, flags=re.M))
        assert count(en) == count(el), f"different {name}"


def test_labels_and_citations_are_the_same(twins):
    en, el = twins
    for pattern in (r":(?:name|label): *(\S+)", r"\{cite\}`([^`]+)`", r"\{solution\} *(\S+)"):
        assert re.findall(pattern, en) == re.findall(pattern, el)


def test_each_edition_shows_its_own_glued_variants(twins):
    en, el = twins
    keys = lambda text: ["".join(k) for k in GLUE_KEY.findall(text)]  # noqa: E731
    en_keys, el_keys = keys(en), keys(el)
    assert not [k for k in en_keys if k.endswith("_el")]
    assert not [k for k in el_keys if k.endswith("_en")]
    assert [re.sub(r"_en$", "", k) for k in en_keys] == [re.sub(r"_el$", "", k) for k in el_keys]


def test_greek_prose_is_greek(twins):
    _, el = twins
    letters = [c for c in prose(el) if c.isalpha()]
    greek = sum("\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff" for c in letters)
    assert letters and greek / len(letters) > 0.6, f"only {greek / len(letters):.0%} Greek"


def test_greek_uses_final_sigma_and_accents(twins):
    _, el = twins
    words = re.findall(r"[\u0370-\u03ff\u1f00-\u1fff]+", prose(el))
    assert not [w for w in words if len(w) > 1 and w.endswith("σ")], "final sigma must be ς"
    accented = sum(any(c in "άέήίόύώΆΈΉΊΌΎΏΐΰ" for c in w) for w in words if len(w) > 3)
    assert accented / max(1, sum(len(w) > 3 for w in words)) > 0.6, "Greek words need accents"
