"""What a graded batch leaves behind, read back as plain data; and safe outputs beside it.

Shared by the verbs that read a workspace (export, report, feedback): the
gradebook's scores per assignment and student, each submission's result.json,
and writing output files all-or-nothing, never into the evidence folders.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograder.common.errors import UserError
from autograder.common.files import commit
from autograder.records.workspace import CONFIG_NAME, ROSTER_NAME, STATE_NAME, Workspace
from autograder.scoring.result import RESULT_FILE, Result

GRADEBOOK_NAME = "gradebook.db"
PROTECTED_FOLDERS = ("submitted", "originals")  # evidence: never written by export or report
PROTECTED_FILES = (GRADEBOOK_NAME, CONFIG_NAME, STATE_NAME, ROSTER_NAME)


# --- outputs ---------------------------------------------------------------------------------

def output_path(workspace: Workspace, path: Path, folder: bool = False) -> Path:
    """`path` made absolute; refused inside the evidence folders or over the workspace's files."""
    path = path.expanduser()
    resolved = path.parent.resolve() / path.name if path.name else path.resolve()
    for name in PROTECTED_FOLDERS:
        guarded = workspace.root / name
        if resolved == guarded or guarded in resolved.parents:
            raise UserError(f"refusing to write {path}: {guarded} holds the submissions "
                            "as received")
    if not folder and resolved in [workspace.root / name for name in PROTECTED_FILES]:
        raise UserError(f"refusing to write over the workspace's own {resolved.name}")
    if not folder and resolved.is_dir():
        raise UserError(f"{path} is a folder, not a file")
    if folder and resolved.exists() and not resolved.is_dir():
        raise UserError(f"{path} is a file, not a folder")
    return resolved


@contextlib.contextmanager
def atomic_outputs(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """One temporary file beside each target; renamed over the targets only if the block
    succeeds, and removed otherwise, so no target is ever half-written."""
    temps: list[Path] = []
    try:
        try:
            for target in targets:
                handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                                dir=target.parent)
                os.close(handle)
                temps.append(Path(name))
        except OSError as error:
            raise UserError(f"cannot write {target}: {error.strerror or error}") from None
        try:
            yield temps
            mode = 0o666 & ~_umask()
            for temp, target in zip(temps, targets, strict=True):
                commit(temp, target, mode)
        except OSError as error:
            where = targets[0] if len(targets) == 1 else targets[0].parent
            raise UserError(f"cannot write {where}: {error.strerror or error}") from None
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- the gradebook ---------------------------------------------------------------------------

@dataclass
class GradedSubmission:
    """One student's scores on one assignment, as the gradebook holds them."""

    student: str
    raw_score: float
    score: float                 # nbgrader's `score`: raw minus the late penalty, at least 0
    cells: dict[str, float]      # grade id → points earned
    notebooks: dict[str, float] = field(default_factory=dict)  # notebook → points earned
    # grade ids with no score yet, automatic or manual: answers formgrader has still to grade
    # (nbgrader-mode assignments leave hand-graded cells so); they count 0 in `score`
    pending: list[str] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        """Whether some answer still awaits hand grading, so `score` is not final."""
        return bool(self.pending)


@dataclass
class AssignmentScores:
    name: str
    max_score: float             # the sum of the notebooks' maxima, as nbgrader's export gives
    cells: dict[str, float]      # grade id → points, in the gradebook's (the notebook's) order
    submissions: dict[str, GradedSubmission] = field(default_factory=dict)
    notebooks: dict[str, float] = field(default_factory=dict)  # notebook → its maximum

    @property
    def several(self) -> bool:
        """An nbgrader assignment of several notebooks (cells are named notebook/grade_id)."""
        return len(self.notebooks) > 1

    def pending_points(self, submission: GradedSubmission) -> float:
        """The points of `submission`'s answers that still await hand grading."""
        return sum(self.cells.get(cell, 0.0) for cell in submission.pending)


def gradebook_file(workspace: Workspace) -> Path:
    return workspace.root / GRADEBOOK_NAME


def read_gradebook(workspace: Workspace,
                   assignments: Sequence[str] = ()) -> dict[str, AssignmentScores]:
    """The scores of `assignments` (default: all) as plain data, read from nbgrader's gradebook."""
    from autograder.records.gradebook import gradebook

    if not gradebook_file(workspace).is_file():  # opening it would create an empty one
        raise UserError(f"no gradebook in {workspace.root} (run `autograder grade` first)")
    with gradebook(workspace) as book, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's notes from nbgrader's own queries
        known = {assignment.name: assignment for assignment in book.assignments}
        unknown = [name for name in assignments if name not in known]
        if unknown:
            listed = ", ".join(sorted(known)) or "none yet"
            raise UserError(f"unknown assignment {unknown[0]!r} "
                            f"(the gradebook has: {listed})")
        result = {}
        for name in assignments or sorted(known):
            assignment = known[name]
            several = len(assignment.notebooks) > 1  # cells named notebook/grade_id
            # grade cells, then task cells (nbgrader's max_score counts both)
            cells = {_cell_name(notebook.name, cell.name, several): float(cell.max_score or 0.0)
                     for notebook in assignment.notebooks
                     for cell in [*notebook.grade_cells, *notebook.task_cells]}
            scores = AssignmentScores(name, float(assignment.max_score or 0.0), cells,
                                      notebooks={notebook.name: float(notebook.max_score or 0.0)
                                                 for notebook in assignment.notebooks})
            for submitted in assignment.submissions:
                graded = _graded(submitted, several)
                graded.pending = [cell for cell in cells if cell in graded.pending]
                scores.submissions[graded.student] = graded
            result[name] = scores
    return result


def _graded(submitted, several: bool) -> GradedSubmission:
    """One nbgrader SubmittedAssignment as plain data."""
    raw = float(submitted.score or 0.0)
    penalty = float(submitted.late_submission_penalty or 0.0)
    earned, pending, notebooks = {}, [], {}
    for notebook in submitted.notebooks:
        notebooks[notebook.name] = float(notebook.score or 0.0)
        for grade in notebook.grades:
            cell = _cell_name(notebook.name, grade.name, several)
            earned[cell] = float(grade.score or 0.0)
            if grade.auto_score is None and grade.manual_score is None:
                pending.append(cell)
    return GradedSubmission(submitted.student.id, raw, max(0.0, raw - penalty), earned,
                            notebooks, pending)


def _cell_name(notebook: str, grade_id: str, several: bool) -> str:
    """A grade cell's name in reports: its grade ID, qualified by its notebook where the
    assignment has several (two notebooks may both have a cell `part-a`)."""
    return f"{notebook}/{grade_id}" if several else grade_id


def load_result(workspace: Workspace, student: str, assignment: str) -> Result | None:
    """The grade verb's result.json for one submission; None when missing or unreadable."""
    path = workspace.autograded(student, assignment) / RESULT_FILE
    try:
        return Result.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
            AttributeError) as error:
        print(f"autograder: warning: ignoring {path}: {error}", file=sys.stderr)
        return None


# What exports and feedback pages say of a sum that is not final, in the student's language.
PROVISIONAL_WORDS = {
    "en": {"provisional": "Provisional",
           "waiting": "{points} points await grading by hand ({cells})",
           "total": "Assignment total"},
    "el": {"provisional": "Προσωρινός βαθμός",
           "waiting": "{points} μονάδες αναμένουν βαθμολόγηση με το χέρι ({cells})",
           "total": "Σύνολο της εργασίας"},
}


def notebook_shares(scores: AssignmentScores, submission: GradedSubmission) -> str:
    """"problem1 1.5/10, problem2 0/3": each notebook's points where there are several."""
    if not scores.several:
        return ""
    return ", ".join(f"{notebook} {format_points(submission.notebooks.get(notebook, 0.0))}/"
                     f"{format_points(maximum)}" for notebook, maximum in scores.notebooks.items())


def waiting_text(scores: AssignmentScores, submission: GradedSubmission,
                 language: str = "en") -> str:
    """"Provisional: 8 points await grading by hand (cells)." or "" when the score is final."""
    if not submission.pending:
        return ""
    words = PROVISIONAL_WORDS.get(language, PROVISIONAL_WORDS["en"])
    waiting = words["waiting"].format(points=format_points(scores.pending_points(submission)),
                                      cells=", ".join(submission.pending))
    return f"{words['provisional']}: {waiting}."


def format_points(value: float) -> str:
    """9.0 → "9", 9.5 → "9.5", 1/3 → "0.3333": plain numbers, as Moodle reads them."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
