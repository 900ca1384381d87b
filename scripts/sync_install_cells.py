#!/usr/bin/env python3
"""Write the first, read-only cell of every assignment: it installs cnnbook where it is missing.

    python scripts/sync_install_cells.py [--check]

The cell installs the wheel that the site publishes, whose address follows
`repository.url` in `_config.yml` and the library's version
(`cnnbook.links`). Run this after changing either, then `autograder release`;
`--check` exits 1 when a source notebook's cell is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from cnnbook.links import INSTALL_CELL_ID, install_cell_source, links_from_config

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"


def install_cell(source: str) -> nbformat.NotebookNode:
    """A locked, ungraded nbgrader cell: the grader restores it from the source."""
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": INSTALL_CELL_ID, "locked": True,
                                 "schema_version": 3, "solution": False, "task": False}
    cell["id"] = "install-cnnbook"
    return cell


def with_install_cell(notebook: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """`notebook` whose first code cell is the install cell (replaced, or inserted before it)."""
    cells = [cell for cell in notebook.cells
             if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != INSTALL_CELL_ID]
    first_code = next(i for i, cell in enumerate(cells) if cell.cell_type == "code")
    notebook.cells = [*cells[:first_code], install_cell(source), *cells[first_code:]]
    return notebook


def source_notebooks() -> list[Path]:
    return sorted(SOLUTIONS.glob("*/*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    source = install_cell_source(links_from_config(ROOT / "_config.yml").wheel_url)
    stale = []
    for path in source_notebooks():
        text = path.read_text(encoding="utf-8")
        notebook = nbformat.reads(text, as_version=4)
        updated = nbformat.writes(with_install_cell(notebook, source)) + "\n"
        if updated != text:
            stale.append(path.relative_to(ROOT).as_posix())
            if not args.check:
                path.write_text(updated, encoding="utf-8")
    verb = "out of date" if args.check else "updated"
    for name in stale:
        print(f"{verb}: {name}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
