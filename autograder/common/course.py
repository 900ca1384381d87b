"""Assignments of any nbgrader course: a folder of notebooks and data files, without grading.yml.

This course's assignments have one notebook and a `grading.yml` (the stricter
mode: every point is earned outside the kernel). An nbgrader course's
assignment is what nbgrader calls one: a folder in the source directory with
one or more notebooks and any data files beside them. Such an assignment is
graded with nbgrader's semantics (`autograder.run.notebooks`), under the
settings of the course's own `nbgrader_config.py` where there is one.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from autograder.common.bilingual import LANGUAGES
from autograder.common.errors import UserError
from autograder.common.spec import LIMIT_DEFAULTS, PROFILES, SPEC_NAME, Profile, Spec

CONFIG_NAME = "nbgrader_config.py"
# nbgrader's own defaults (nbgrader 0.9: Execute.timeout, ClearSolutions, ClearHiddenTests)
NBGRADER_CELL_TIMEOUT = 30
# Never copied into the sandbox as data files: nbgrader's bookkeeping and editors' leftovers.
NOT_DATA = {".ipynb_checkpoints", "__pycache__", "timestamp.txt", "feedback"}


@dataclass(frozen=True)
class NotebookAssignment:
    """An nbgrader assignment: its notebooks (names without .ipynb) and its data files."""

    name: str
    folder: Path
    notebooks: tuple[str, ...]
    files: tuple[str, ...]  # relative posix paths of everything else in the folder

    def notebook_path(self, notebook: str) -> Path:
        return self.folder / f"{notebook}.ipynb"


@dataclass(frozen=True)
class CourseSettings:
    """What an nbgrader course's `nbgrader_config.py` says about autograding."""

    course_id: str | None = None
    cell_timeout: int | None = NBGRADER_CELL_TIMEOUT  # None: no limit per cell
    solution_markers: tuple[str, str] = ("BEGIN SOLUTION", "END SOLUTION")
    hidden_test_markers: tuple[str, str] = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    config_file: Path | None = None


@dataclass(frozen=True)
class NotebookSet:
    """What a worker runs for one submission of an nbgrader assignment, one notebook at a time.

    Notebooks run in order in one work folder, as nbgrader runs them in one
    autograded folder; the data files are copied in first and stay read-only.
    """

    notebooks: dict[str, str]   # notebook name → the sanitised notebook (JSON text)
    files: dict[str, str]       # relative path in the work folder → the source file's path
    preload_from: str           # the notebook whose imports the warm kernels preload


def has_spec(source: Path, name: str) -> bool:
    return (source / name / SPEC_NAME).is_file()


def is_notebook_assignment(source: Path, name: str) -> bool:
    """A folder of notebooks without grading.yml: graded with nbgrader's semantics."""
    folder = source / name
    return (folder.is_dir() and not has_spec(source, name)
            and any(path.is_file() for path in folder.glob("*.ipynb")))


def load_notebook_assignment(source: Path, name: str) -> NotebookAssignment:
    folder = source / name
    if not is_notebook_assignment(source, name):
        raise UserError(f"no nbgrader assignment {name!r} in {source}")
    notebooks = tuple(sorted(path.stem for path in folder.glob("*.ipynb") if path.is_file()))
    files = tuple(sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*")
        if path.is_file() and path.suffix != ".ipynb"
        and not (set(path.relative_to(folder).parts) & NOT_DATA)
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)))
    return NotebookAssignment(name, folder, notebooks, files)


def course_config_file(source: Path) -> Path | None:
    """The nbgrader_config.py of the course whose source directory is `source`, if any."""
    for folder in (source.parent, source):
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
    return None


def load_course_config(source: Path):
    """The traitlets Config of the course's nbgrader_config.py (empty without one)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    path = course_config_file(source)
    if path is None:
        return Config()
    try:
        return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    except Exception as error:  # the instructor's Python: any error is theirs to fix
        raise UserError(f"{path}: nbgrader cannot load it ({type(error).__name__}: "
                        f"{error})") from None


# The course settings that shape what generate_assignment records (checksums of answers as
# released, hidden tests): applied when the workspace records the assignment. Paths
# (IncludeHeaderFooter) and the course directory stay the workspace's own.
GENERATION_SECTIONS = ("LockCells", "ClearSolutions", "ClearHiddenTests", "ClearMarkScheme",
                       "ComputeChecksums", "CheckCellMetadata", "InstantiateTests")


def generation_config(config):
    """The part of a course's Config that generate_assignment must share with the course."""
    from traitlets.config import Config

    return Config({section: config[section] for section in GENERATION_SECTIONS
                   if section in config})


def course_root(source: Path) -> Path:
    """The nbgrader course's root: where its nbgrader_config.py lies (else source's parent).

    nbgrader runs from there: its `autotests.yml`, late-penalty plugin modules and
    default `gradebook.db` are found relative to it.
    """
    path = course_config_file(source)
    return path.parent if path is not None else source.parent


def course_gradebook(source: Path) -> Path | None:
    """The course's own SQLite gradebook (`CourseDirectory.db_url`, else gradebook.db in its
    root), if there is one: where `nbgrader db assignment add --duedate` put the due dates."""
    url = str(load_course_config(source).get("CourseDirectory", {}).get("db_url") or "")
    if url and not url.startswith("sqlite:///"):
        return None  # another database server: its due dates are set in the workspace
    path = Path(url[len("sqlite:///"):]) if url else course_root(source) / "gradebook.db"
    return path if path.is_file() else None


def course_due_date(source: Path, assignment: str) -> str | None:
    """`assignment`'s due date in the course's own gradebook (naive UTC text), or None.

    Read-only: the course's gradebook is the instructor's, never written here.
    """
    import sqlite3

    path = course_gradebook(source)
    if path is None:
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT duedate FROM assignment WHERE name = ?",
                             (assignment,)).fetchone()
    except sqlite3.Error:
        return None  # not an nbgrader gradebook, or an older schema: no due date from it
    return str(row[0]) if row and row[0] else None


def non_python_kernel(notebook) -> str | None:
    """The language a source notebook declares when it is not Python (else None).

    The in-kernel mode runs every notebook on a Python kernel; nbgrader would run
    the source's kernel (an R or Julia course), so such an assignment is refused.
    """
    spec = notebook.metadata.get("kernelspec") or {}
    language = spec.get("language") or notebook.metadata.get("language_info", {}).get("name")
    if not language and spec.get("name"):
        language = spec["name"]
    if language and not str(language).lower().startswith("python"):
        return str(language)
    return None


def read_course_settings(source: Path) -> CourseSettings:
    """The autograding settings of the nbgrader course around `source` (defaults without one).

    The file is loaded as nbgrader loads it (traitlets' Python config loader),
    so whatever Python it computes its values with is honoured.
    """
    path = course_config_file(source)
    if path is None:
        return CourseSettings()
    config = load_course_config(source)
    timeout = NBGRADER_CELL_TIMEOUT
    for section in ("ExecutePreprocessor", "Execute"):  # Execute, nbgrader's subclass, wins
        if "timeout" in config.get(section, {}):
            timeout = config[section]["timeout"]
    if timeout is not None and (not isinstance(timeout, int) or timeout <= 0):
        timeout = None  # nbclient: None or -1 means no limit per cell
    solutions = config.get("ClearSolutions", {})
    hidden = config.get("ClearHiddenTests", {})
    course = config.get("CourseDirectory", {}).get("course_id") or None
    return CourseSettings(
        course_id=str(course) if course else None, cell_timeout=timeout,
        solution_markers=(str(solutions.get("begin_solution_delimeter", "BEGIN SOLUTION")),
                          str(solutions.get("end_solution_delimeter", "END SOLUTION"))),
        hidden_test_markers=(str(hidden.get("begin_test_delimeter", "BEGIN HIDDEN TESTS")),
                             str(hidden.get("end_test_delimeter", "END HIDDEN TESTS"))),
        config_file=path)


def notebook_spec(assignment: NotebookAssignment, settings: CourseSettings) -> Spec:
    """A Spec without checks, carrying the limits the batch engine enforces for `assignment`.

    The cell timeout is the course's (nbgrader's 30 s by default); a cell without
    one is bounded by the notebook's wall clock, as in the stricter mode.
    """
    limits = dict(LIMIT_DEFAULTS)
    limits["cell_timeout"] = (settings.cell_timeout if settings.cell_timeout is not None
                              else limits["notebook_timeout"])
    profiles = {name: Profile(name, {}, dict(limits)) for name in PROFILES}
    return Spec(assignment.name, assignment.folder,
                {language: assignment.name for language in LANGUAGES}, (), profiles, ())
