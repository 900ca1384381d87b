"""nbgrader, configured in one place: the course settings, the ignore list, a converter run.

Three verbs drive nbgrader converters (generate_assignment for a release and for
the gradebook, GenerateFeedback for feedback); they all build their traitlets
Config and run the converter here, so the settings cannot drift apart.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from autograder.common.assignment import load_assignment
from autograder.common.bilingual import LANGUAGES, edition, with_language_parameter
from autograder.common.errors import UserError
from autograder.common.spec import GRADER_ONLY

# What nbgrader must never copy into a release, the gradebook's source or feedback.
IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", *GRADER_ONLY]


def course_config(root: Path, course_id: str | None = None, db_url: str | None = None,
                  assignment: str | None = None):
    """A traitlets Config for a course rooted at `root` (what nbgrader_config.py would say)."""
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(root)
    if course_id is not None:
        config.CourseDirectory.course_id = course_id
    if db_url is not None:
        config.CourseDirectory.db_url = db_url
    if assignment is not None:
        config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.ignore = IGNORE
    return config


def run_converter(converter_class: type, config: Any, failure: str, **options: Any) -> Any:
    """Run an nbgrader converter quietly; its failure becomes one line: "`failure`: cause"."""
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    converter = converter_class(coursedir=coursedir, config=config, **options)
    converter.log.setLevel(logging.WARNING)
    try:
        converter.start()
    except Exception as error:  # nbgrader logs the details and raises its own type
        raise UserError(f"{failure}: {error}") from None
    return converter


def generate_assignment(source: Path, root: Path, name: str) -> Path:
    """Run nbgrader's generate_assignment on a copy of `source`; return the release folder."""
    from nbgrader.converters import GenerateAssignment

    shutil.copytree(source, root / "source" / name)
    config = course_config(root, assignment=name)
    config.GenerateAssignment.no_database = True  # as `--no-db`: the release needs no gradebook
    config.SaveCells.enabled = False
    config.Application.log_level = logging.WARNING
    run_converter(GenerateAssignment, config, f"nbgrader could not generate {name}")
    return root / "release" / name


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


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`: relative posix path → bytes (empty when there is no folder)."""
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}
