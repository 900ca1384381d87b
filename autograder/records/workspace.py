"""The grading workspace (`--course DIR`): an nbgrader course root, kept outside the repo.

    DIR/
      nbgrader_config.py        nbgrader's config: `nbgrader formgrader` and `export` work here
      autograder.json           where the instructor sources live (`--source`)
      gradebook.db              nbgrader's gradebook; only the coordinator writes it
      source/<a>/               copied from the sources for nbgrader's generate_assignment
      release/<a>/              what nbgrader generated (not handed out: exercises/ is)
      originals/<student>/<a>/  every file as received, write-once, named <received>_<sha12>_<name>
      originals/manifest.jsonl  a JSON line per file: student, assignment, sha256, received, origin
      submitted/<student>/<a>/  the notebook that counts (the latest), and nbgrader's timestamp.txt
      autograded/<student>/<a>/ the executed notebook, and result.json (scores, reasons, times)
      feedback/<student>/<a>/   one HTML per student
      reports/                  collect and grade reports
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.common import project
from autograder.common.course import is_notebook_assignment, read_course_settings
from autograder.common.errors import UserError
from autograder.intake.roster import Roster, Student
from autograder.records.nbgrader import IGNORE, course_config

COURSE_ID = "cnn-course"
CONFIG_NAME = "nbgrader_config.py"
STATE_NAME = "autograder.json"
NBGRADER_CONFIG = '''\
# Written by `autograder`; nbgrader's own commands (formgrader, export) read it.
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course!r}
c.CourseDirectory.db_url = {db_url!r}
c.CourseDirectory.ignore = {ignore!r}
'''


@dataclass(frozen=True)
class Workspace:
    root: Path
    source: Path  # the instructor sources: solutions/<a>/ with grading.yml
    course_id: str = COURSE_ID  # an nbgrader course's own, when --source lies in one

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def manifest(self) -> Path:
        return self.root / "originals" / "manifest.jsonl"

    def submitted(self, student: str, assignment: str) -> Path:
        return self.root / "submitted" / student / assignment

    def originals(self, student: str, assignment: str) -> Path:
        return self.root / "originals" / student / assignment

    def autograded(self, student: str, assignment: str) -> Path:
        return self.root / "autograded" / student / assignment

    def feedback(self, student: str, assignment: str) -> Path:
        return self.root / "feedback" / student / assignment

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def students(self, assignment: str) -> list[str]:
        """Students with a submission of `assignment`, sorted."""
        folder = self.root / "submitted"
        if not folder.is_dir():
            return []
        several = is_notebook_assignment(self.source, assignment)  # an nbgrader assignment's
        return sorted(p.name for p in folder.iterdir()             # notebooks: any of them
                      if (p / assignment / f"{assignment}.ipynb").is_file()
                      or (several and any((p / assignment).glob("*.ipynb"))))


def open_workspace(root: Path, create: bool = False, source: Path | None = None) -> Workspace:
    """The workspace at `root`; with `create`, make it (and its nbgrader config) if missing."""
    root = root.expanduser().resolve()
    state = root / STATE_NAME
    if state.is_file():
        saved = json.loads(state.read_text(encoding="utf-8"))
        recorded = Path(saved["source"])
        if source is not None and source.resolve() != recorded:
            raise UserError(f"{root} grades from {recorded}, not {source.resolve()}")
        return Workspace(root, recorded, saved.get("course_id") or COURSE_ID)
    if not create:
        raise UserError(f"{root} is not a grading workspace (run `autograder collect` first, "
                        "or pass --course DIR)")
    source = (source or project.SOLUTIONS).resolve()
    if not source.is_dir():
        raise UserError(f"no instructor sources at {source}")
    if root == project.ROOT or project.ROOT in root.parents:
        raise UserError(f"keep the workspace outside the repository, not at {root}")
    root.mkdir(parents=True, exist_ok=True)
    course_id = read_course_settings(source).course_id or COURSE_ID  # an nbgrader course's
    workspace = Workspace(root, source, course_id)
    (root / CONFIG_NAME).write_text(NBGRADER_CONFIG.format(
        root=str(root), course=course_id, db_url=workspace.db_url, ignore=IGNORE),
        encoding="utf-8")
    saved = {"source": str(source), **({"course_id": course_id} if course_id != COURSE_ID
                                       else {})}
    state.write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
    return workspace


def nbgrader_config(workspace: Workspace):
    """A traitlets Config equal to the workspace's nbgrader_config.py."""
    return course_config(workspace.root, workspace.course_id, workspace.db_url)


def alembic_on_path() -> None:
    """nbgrader runs `alembic` from PATH when it creates a gradebook: use this Python's."""
    scripts = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None or scripts not in os.environ.get("PATH", ""):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def add_course_arguments(parser, source: bool = False) -> None:
    """`--course DIR` (every verb) and, for verbs that may create it, `--source DIR`."""
    parser.add_argument("--course", type=Path, default=Path("."),
                        help="the grading workspace, outside the repo (default: current folder)")
    if source:
        parser.add_argument("--source", type=Path, default=None,
                            help="instructor sources for a new workspace "
                                 "(default: this project's solutions/)")


ROSTER_NAME = "roster.csv"  # canonical columns: student_id,name,email,lms_id


def read_roster(workspace: Workspace) -> dict[str, Student]:
    """student id → the workspace roster's row; {} before any roster was saved."""
    path = workspace.root / ROSTER_NAME
    if not path.is_file():
        return {}
    return {student.student_id: student for student in Roster.read(path).students}


def select_students(available: list[str], requested: list[str] | None, *,
                    unknown: str, none: str) -> list[str]:
    """`requested` (in `available`'s order), or all of `available`.

    `unknown` is the error for a requested student not in `available`, formatted
    with `student`; `none` is the error when `available` is empty.
    """
    if requested:
        missing = [student for student in requested if student not in available]
        if missing:
            raise UserError(unknown.format(student=repr(missing[0])))
        return [student for student in available if student in requested]
    if not available:
        raise UserError(none)
    return available
