"""Which layout a SOURCE has, and its submissions: one reader module per layout.

A SOURCE is a folder or a zip file, laid out in one of four ways:

- ``folders``: one subfolder per student (its name is the student id, or an
  LMS id that the roster maps), the notebook anywhere inside it. A copy of an
  nbgrader ``submitted/`` folder works too: a ``timestamp.txt`` next to a
  notebook gives its submission time.
- ``moodle``: Moodle's "Download all submissions" (assignment module), entries
  ``Full Name_123456_assignsubmission_file_/name.ipynb`` (or, without "download
  submissions in folders", ``Full Name_123456_assignsubmission_file_name.ipynb``);
  123456 is Moodle's participant id. Other plugins' entries (online text,
  comments) are not submissions and are skipped.
- ``eclass``: Open eClass's "download all submissions" (module work), see ECLASS_LAYOUT.
- ``exchange``: nbgrader's exchange, ``<course>/inbound/<student>+<assignment>+
  <timestamp>[+<random>]/<notebook>.ipynb``; SOURCE is the ``inbound`` folder or
  the course folder above it.

A zip holding an exchange or a folders layout (under one wrapper folder or not)
works too.

"""

from __future__ import annotations

from pathlib import PurePosixPath

from autograder.intake import eclass, exchange, folders, moodle
from autograder.intake.eclass import ECLASS_ROOT_RE
from autograder.intake.received import Layout
from autograder.intake.tree import Entry, Tree

# Tried in order; the first whose `detect` says yes reads the whole SOURCE.
READERS = (moodle, eclass, exchange, folders)


def read_layout(tree: Tree, assignment: str) -> Layout:
    """Detect how `tree` is laid out and list its submissions of `assignment`."""
    entries = _unwrap(tree.entries) if tree.container == "zip" else tree.entries
    reader = next(reader for reader in READERS if reader.detect(entries))
    return reader.read(entries, assignment)


def _unwrap(entries: list[Entry]) -> list[Entry]:
    """Drop one wrapper folder that holds only folders (a zipped batch folder or inbound/)."""
    while entries and all(len(e.parts) > 2 for e in entries):
        tops = {e.parts[0] for e in entries}
        if len(tops) != 1 or ECLASS_ROOT_RE.fullmatch(next(iter(tops))):
            break
        below = {e.parts[1] for e in entries}
        if next(iter(tops)) != "inbound" and len(below) < 2 and below != {"inbound"}:
            break
        entries = [Entry(PurePosixPath(*e.parts[1:]).as_posix(), e.size, e.mtime, e.opener)
                   for e in entries]
    return entries
