"""One subfolder per student; the layout every other reader falls back to.

A folder's name is the student id, or an LMS id that the roster maps; the
notebook may sit anywhere inside it. A copy of an nbgrader ``submitted/``
folder works too: a ``timestamp.txt`` next to a notebook gives its time, and
beside a student's ``<assignment>/`` folder, their other folders are skipped.
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
    # assignment: beside a student's folder named for this assignment, their other
    # folders are other assignments', and skipped, as nbgrader skips them. Elsewhere a
    # notebook may sit in any folder (try1/, try2/, Downloads/).
    has_own = {e.parts[0] for e in entries if len(e.parts) >= 3 and e.parts[1] == assignment}

    def other_assignment(entry: Entry) -> bool:
        return (len(entry.parts) >= 3 and entry.parts[0] in has_own
                and entry.parts[1] != assignment and entry.name != "timestamp.txt")

    for entry in entries:
        if other_assignment(entry):
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
