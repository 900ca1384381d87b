#!/usr/bin/env python3
"""Build one or more book pages alone, with warnings as errors, to check them fast.

    python scripts/check_page.py book/en/cross-correlation.md [more pages…]

Builds a throwaway book in a temporary folder (its own execution cache, so it
never touches _build/ or another build running at the same time) with the
edition's real config, and prints where the HTML is. Exit status 0 means the
pages execute and build with no warning.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    args = parser.parse_args()
    pages = [page.resolve() for page in args.pages]
    # Citations resolve only in a build that prints the bibliography.
    references = (pages[0].parent / "references.md") if pages else None
    if references and references.is_file() and references not in pages:
        pages.append(references)
    langs = {page.parent.name for page in pages}
    if len(langs) != 1 or any(page.parent.parent != ROOT / "book" for page in pages):
        parser.error("pages must all be in the same book/<lang>/ folder")
    lang = langs.pop()
    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="check-page-"))
    work.mkdir(parents=True, exist_ok=True)
    edition = work / "book" / lang
    edition.mkdir(parents=True, exist_ok=True)
    for page in pages:
        shutil.copy2(page, edition / page.name)
    shutil.copy2(ROOT / "book" / "references.bib", work / "book" / "references.bib")
    for shared in ("_static", "_extra", "_ext", "_templates", "_locale"):  # site furniture
        shutil.copytree(ROOT / "book" / shared, work / "book" / shared, dirs_exist_ok=True)
    # pages may show library source with {literalinclude} ../../cnnbook/…
    shutil.copytree(ROOT / "cnnbook", work / "cnnbook", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    # {assignment} links ship the student notebooks
    shutil.copytree(ROOT / "exercises", work / "exercises", dirs_exist_ok=True)
    config = ROOT / ("_config.yml" if lang == "en" else f"_config.{lang}.yml")
    shutil.copy2(config, work / config.name)
    stems = [page.stem for page in pages]
    toc = ["format: jb-book", f"root: {stems[0]}"]
    if stems[1:]:
        toc += ["chapters:"] + [f"  - file: {stem}" for stem in stems[1:]]
    (work / "_toc.yml").write_text("\n".join(toc) + "\n")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", f"book/{lang}", "--config", str(work / config.name),
               "--toc", str(work / "_toc.yml"), "--path-output", str(work / "out"),
               "-W", "-n", "--keep-going"]
    result = subprocess.run(command, cwd=work)
    html = work / "out" / "_build" / "html"
    print(f"\nHTML: {html}/{stems[0]}.html" if result.returncode == 0
          else f"\nFAILED (exit {result.returncode}); logs in {work / 'out' / '_build'}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
