"""Regenerate exercises/{en,el}/<a>/ from solutions/<a>/ (nbgrader generate_assignment).

nbgrader strips solutions and hidden tests, locks cells and records checksums;
this verb then writes one edition per language, each keeping the markdown
cells tagged for its language, with `LANG` in the parameters cell set to it.
grading.yml and hidden/ never reach a release.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from autograder.common import project
from autograder.common.bilingual import LANGUAGES
from autograder.records.nbgrader import read_tree, release_files


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help="assignment folder names (default: all)")
    parser.add_argument("--solutions", type=Path, default=project.SOLUTIONS,
                        help="instructor sources (default: this project's solutions/)")
    parser.add_argument("--exercises", type=Path, default=project.EXERCISES,
                        help="where the student editions go (default: this project's exercises/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if exercises/ differs from a fresh release")


def run(args: argparse.Namespace) -> int:
    names = project.resolve_assignments(args.solutions, args.assignments)
    stale = []
    for name in names:
        files = release_files(args.solutions, name)
        if args.check:
            stale += [f"{language}/{name}" for language in LANGUAGES
                      if read_tree(args.exercises / language / name) != files[language]]
        else:
            for language in LANGUAGES:
                replace_tree(args.exercises / language / name, files[language])
            print(f"released {name}: "
                  + ", ".join(f"exercises/{language}/{name}/" for language in LANGUAGES))
    if stale:
        print("out of date (run `autograder release`): " + ", ".join(stale))
        return 1
    return 0


def replace_tree(folder: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a sibling folder, then swap it in: never a half-written release."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        staging.chmod(0o755)
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
            staging.rename(folder)
            shutil.rmtree(old)
        else:
            staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
