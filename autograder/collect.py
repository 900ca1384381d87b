"""Take in a batch of submissions (a folder, a Moodle or eClass zip, nbgrader's exchange).

`autograder collect ASSIGNMENT SOURCE [--roster CSV] [--max-mb 20] [--course DIR]`

SOURCE is never written to. Its layout is detected (see autograder.intake): a
folder with a subfolder per student, Moodle's or Open eClass's "download all
submissions" zip, or nbgrader's exchange (`<course>/inbound/`).

Every file of the batch is kept, byte for byte and write-once (mode 0444), as
`originals/<student>/<a>/<received>_<sha12>_<name>`, with one JSON line in
`originals/manifest.jsonl`. A file whose bytes are already there for that
student is not copied again (status `duplicate`). What cannot be graded is
`rejected`, with a reason: not a notebook, corrupt JSON, not nbformat 4, empty,
over --max-mb, or another assignment (its `cnnbook.assignment` metadata, or
without it, grade IDs that are not the assignment's).

The latest gradable notebook of each student (by the submission time the LMS or
the exchange gives, else the time it was received) is written, atomically, to
`submitted/<student>/<a>/<a>.ipynb` with nbgrader's `timestamp.txt`; earlier
ones stay in originals/. `reports/collect-<a>-<stamp>.csv` lists every file of
the batch with its status and reason.

Student ids. With a roster (--roster, saved as `DIR/roster.csv` and used by
later collects), a submission's LMS id, username, email or full name maps to
`student_id`. Without a match: the folder name (folders, exchange), Moodle's
`participant-<id>`, eClass's username (else the AM, else the name), made safe
(a slug: ASCII letters, digits and '-') where it is not a plain folder name.
Students learned from an LMS this way are added to `DIR/roster.csv` with their
name and LMS id.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from autograder.common import project
from autograder.common.course import is_notebook_assignment, load_notebook_assignment
from autograder.common.errors import UserError
from autograder.intake.layouts import read_layout
from autograder.intake.notebooks import grade_ids
from autograder.intake.roster import Roster
from autograder.intake.tree import Tree, open_tree
from autograder.records.submissions import MIB, Batch, locked
from autograder.records.workspace import (
    STATE_NAME,
    Workspace,
    add_course_arguments,
    open_workspace,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment's folder name")
    parser.add_argument("submissions", metavar="SOURCE", type=Path,
                        help="a folder per student, a Moodle or eClass zip, or nbgrader's "
                             "exchange inbound/ folder")
    parser.add_argument("--roster", type=Path, metavar="CSV",
                        help="student_id and any of lms_id, name, email (saved in the workspace)")
    parser.add_argument("--max-mb", type=float, default=20.0, metavar="MB",
                        help="reject notebooks larger than this (MiB, default 20)")
    add_course_arguments(parser, source=True)


def run(args: argparse.Namespace) -> int:
    assignment = args.assignment
    if not re.fullmatch(r"[\w][\w.-]*", assignment) or ".." in assignment:
        raise UserError(f"unknown assignment {assignment!r}")
    if not args.max_mb > 0:
        raise UserError(f"--max-mb must be positive, not {args.max_mb:g}")
    given_roster = Roster.read(args.roster) if args.roster is not None else None
    with open_tree(args.submissions) as tree:
        layout = read_layout(tree, assignment)
        workspace = _workspace(args, tree, assignment)
        source_ids = _grade_ids(workspace, assignment)
        with locked(workspace):
            batch = Batch(workspace, assignment, tree, layout, source_ids,
                          int(args.max_mb * MIB), given_roster,
                          notebook_ids=_notebook_ids(workspace, assignment))
            batch.collect()
    batch.print_summary()
    if batch.nothing_gradable:
        print(f"autograder collect: error: all {len(batch.items)} file(s) of {args.submissions} "
              f"were rejected (the reasons are above): none can be graded as {assignment}; "
              f"they are kept in originals/, and listed in {batch.report}; the roster is "
              "unchanged", file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------- checks before anything is written

def _workspace(args: argparse.Namespace, tree: Tree, assignment: str) -> Workspace:
    """The workspace, created on first use, once SOURCE and ASSIGNMENT are known to be good."""
    root = args.course.expanduser().resolve()
    if tree.container == "folder" and (root == tree.path or tree.path in root.parents):
        raise UserError(f"the workspace {root} is inside SOURCE {tree.path}: keep them apart")
    if not (root / STATE_NAME).is_file():
        _check_assignment((args.source or project.SOLUTIONS).expanduser().resolve(), assignment)
    workspace = open_workspace(args.course, create=True, source=args.source)
    _check_assignment(workspace.source, assignment)
    return workspace


def _check_assignment(solutions: Path, assignment: str) -> None:
    if not ((solutions / assignment / f"{assignment}.ipynb").is_file()
            or is_notebook_assignment(solutions, assignment)):
        known = sorted({*project.assignment_names(solutions),
                        *(folder.name for folder in solutions.iterdir()
                          if is_notebook_assignment(solutions, folder.name))}
                       ) if solutions.is_dir() else []
        raise UserError(f"unknown assignment {assignment!r}; {solutions} has: "
                        f"{', '.join(known) or 'none'}")


def _grade_ids(workspace: Workspace, assignment: str) -> set[str]:
    path = workspace.source / assignment / f"{assignment}.ipynb"
    if not path.is_file():  # an nbgrader assignment: any of its notebooks' IDs
        return set().union(*_notebook_ids(workspace, assignment).values())
    return _read_grade_ids(path)


def _read_grade_ids(path: Path) -> set[str]:
    try:
        notebook = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: not a readable notebook ({error})") from None
    return grade_ids(notebook)


def _notebook_ids(workspace: Workspace, assignment: str) -> dict[str, set[str]]:
    """An nbgrader assignment's notebooks and their grade IDs; {} for this course's own."""
    if not is_notebook_assignment(workspace.source, assignment):
        return {}
    found = load_notebook_assignment(workspace.source, assignment)
    return {name: _read_grade_ids(found.notebook_path(name)) for name in found.notebooks}


