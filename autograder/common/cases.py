"""Hidden-input files and the cells that define a function.

Shared by the scorer (outside the sandbox) and the runner inside it. A
hidden-input file is an .npz whose keys are `<case>/<argument>`; scalars are
0-d arrays. The grader calls the student's function on each case inside the
sandbox and compares the results with the reference outside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from autograder.common.errors import UserError

# What running the student's function on one case gave, as the runner inside the
# sandbox records it and the checker reads it back.
CASE_KINDS = ("ok", "raised", "timeout", "not_an_array", "define_failed")


@dataclass(frozen=True)
class CaseOutcome:
    """One case's outcome: `kind` of CASE_KINDS, and the exception's class name if one."""

    kind: str
    error: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "error": self.error}

    @classmethod
    def from_json(cls, data: Any) -> CaseOutcome:
        """Anything but a well-formed outcome (a forged file) raises ValueError."""
        if not isinstance(data, dict) or data.get("kind") not in CASE_KINDS:
            raise ValueError(f"not a case outcome: {data!r}")
        return cls(data["kind"], str(data.get("error") or ""))


def save_cases(path: Path, cases: Iterable[dict[str, Any]]) -> None:
    arrays = {f"{i}/{name}": np.asarray(value)
              for i, case in enumerate(cases) for name, value in case.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:  # np.savez would append .npz to a name without it
        np.savez(handle, **arrays)


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of a hidden-input file, in order; 0-d arrays become Python scalars."""
    cases: dict[int, dict[str, Any]] = defaultdict(dict)
    with np.load(path, allow_pickle=False) as archive:
        for key in archive.files:
            index, _, name = key.partition("/")
            if not index.isdigit() or not name:
                raise UserError(f"{path}: key {key!r} is not <case>/<argument>")
            value = archive[key]
            cases[int(index)][name] = value.item() if value.ndim == 0 else value
    return [cases[i] for i in sorted(cases)]


def definitions_source(notebook: nbformat.NotebookNode, grade_ids: list[str]) -> str:
    """The source of the cells `grade_ids`, in that order, IPython magics dropped."""
    by_id = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell
             for cell in notebook.cells if cell.cell_type == "code"}
    missing = [grade_id for grade_id in grade_ids if grade_id not in by_id]
    if missing:
        raise UserError(f"the notebook has no cell {missing[0]!r}")
    return "\n\n".join(_without_magics(by_id[grade_id].source) for grade_id in grade_ids)


def _without_magics(source: str) -> str:
    return "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))
