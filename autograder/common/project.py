"""Where this project keeps its assignments, and how to list them."""

from __future__ import annotations

from pathlib import Path

from autograder.common.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


def assignment_names(solutions: Path) -> list[str]:
    """Every folder of `solutions` that holds a source notebook of its own name."""
    if not solutions.is_dir():
        raise UserError(f"no solutions folder at {solutions}")
    return sorted(folder.name for folder in solutions.iterdir()
                  if (folder / f"{folder.name}.ipynb").is_file())


def resolve_assignments(solutions: Path, requested: list[str]) -> list[str]:
    """`requested`, checked against what exists; all of them when none is requested."""
    known = assignment_names(solutions)
    unknown = [name for name in requested if name not in known]
    if unknown:
        raise UserError(f"unknown assignment {unknown[0]!r}; "
                        f"{solutions} has: {', '.join(known) or 'none'}")
    return requested or known
