"""Regenerate exercises/{en,el}/<a>/ from solutions/<a>/ (nbgrader generate_assignment).

nbgrader strips solutions and hidden tests, locks cells and records checksums;
this verb then writes one edition per language, each keeping the markdown
cells tagged for its language, with `LANG` in the parameters cell set to it.
grading.yml and hidden/ never reach a release.
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import tempfile
from pathlib import Path

import nbformat

from autograder import project
from autograder.bilingual import LANGUAGES, edition
from autograder.errors import UserError
from autograder.source import load_assignment
from autograder.spec import GRADER_ONLY

NBGRADER_IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", *GRADER_ONLY]


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


def release_files(solutions: Path, name: str) -> dict[str, dict[str, bytes]]:
    """Each language's release of `name`: relative path → bytes."""
    spec, _ = load_assignment(solutions, name)
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as root:
        released = generate_assignment(solutions / name, Path(root), name)
        files = read_tree(released)
    notebook_name = spec.notebook.name
    source_notebook = nbformat.reads(files.pop(notebook_name).decode("utf-8"), as_version=4)
    result = {}
    for language in LANGUAGES:
        text = nbformat.writes(with_language_parameter(edition(source_notebook, language),
                                                       language))
        result[language] = {**files, notebook_name: (text + "\n").encode("utf-8")}
    return result


LANG_LINE = re.compile(r'^LANG = "en"', flags=re.M)


def with_language_parameter(notebook: nbformat.NotebookNode,
                            language: str) -> nbformat.NotebookNode:
    """Set the parameters cell's `LANG = "en"` to the edition's language.

    It is the only line in which the editions' code differs: the read-only
    cells print and plot in LANG (cnnbook.i18n.say). The cell is neither
    graded nor locked, so grade IDs and checksums stay equal.
    """
    for cell in notebook.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            cell.source = LANG_LINE.sub(f'LANG = "{language}"', cell.source, count=1)
    return notebook


def generate_assignment(source: Path, root: Path, name: str) -> Path:
    """Run nbgrader's generate_assignment on a copy of `source`; return the release folder."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    shutil.copytree(source, root / "source" / name)
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.assignment_id = name
    config.CourseDirectory.ignore = NBGRADER_IGNORE
    config.GenerateAssignment.no_database = True  # as `--no-db`: the release needs no gradebook
    config.SaveCells.enabled = False
    config.Application.log_level = logging.WARNING
    coursedir = CourseDirectory(config=config)
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.log.setLevel(logging.WARNING)
    try:
        converter.start()
    except Exception as error:  # nbgrader reports the cause in its log and raises its own type
        raise UserError(f"nbgrader could not generate {name}: {error}") from None
    return root / "release" / name


def read_tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


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
