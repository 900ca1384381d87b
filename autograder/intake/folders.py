"""One subfolder per student; the layout every other reader falls back to.

A folder's name is the student id, or an LMS id that the roster maps; the
notebook may sit anywhere inside it. A copy of an nbgrader ``submitted/``
folder works too: a ``timestamp.txt`` next to a notebook gives its time, and
only the assignment's own ``<student>/<assignment>/`` subfolders are read.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from autograder.intake.received import Identity, Layout, ReceivedFile, parse_timestamp
from autograder.intake.tree import Entry


def detect(entries: list[Entry]) -> bool:
    return True


def read(entries: list[Entry], assignment: str) -> Layout:
    submissions, skipped = [], []
    stamps = {PurePosixPath(e.path).parent.as_posix(): e for e in entries
              if e.name == "timestamp.txt"}
    # An nbgrader course's submitted/ folder (<student>/<assignment>/…) holds every
    # assignment: only this one's subfolders are read, as nbgrader reads them.
    nbgrader_tree = any(len(e.parts) >= 3 and e.parts[1] == assignment for e in entries)
    for entry in entries:
        if nbgrader_tree and len(entry.parts) >= 3 and entry.parts[1] != assignment:
            skipped.append(f"{entry.path}: another assignment's folder ({entry.parts[1]})")
            continue
        if len(entry.parts) < 2:
            submissions.append(ReceivedFile(entry, None, None))
            continue
        folder = PurePosixPath(entry.path).parent.as_posix()
        if entry.name == "timestamp.txt":
            continue
        submitted = None
        if folder in stamps:
            with stamps[folder].open() as stream:
                submitted = parse_timestamp(stream.read(200).decode("utf-8", errors="replace"))
        student = entry.parts[0]
        identity = Identity(f"{student}/", ids=(student,), names=(student,), fallback=student)
        submissions.append(ReceivedFile(entry, identity, submitted))
    return Layout("folders", submissions, skipped)
