"""Moodle's "Download all submissions" (assignment module).

Entries are ``Full Name_123456_assignsubmission_file_/name.ipynb`` (or, without
"download submissions in folders", ``Full Name_123456_assignsubmission_file_name.ipynb``);
123456 is Moodle's participant id. Other plugins' entries are skipped.
"""

from __future__ import annotations

import re

from autograder.intake.received import Identity, Layout, ReceivedFile
from autograder.intake.tree import Entry

MOODLE_RE = re.compile(
    r"(?P<name>.*?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[A-Za-z0-9]+)_(?P<rest>.*)", re.DOTALL)


def detect(entries: list[Entry]) -> bool:
    return any(MOODLE_RE.fullmatch(entry.parts[0]) for entry in entries)


def read(entries: list[Entry], assignment: str) -> Layout:
    submissions, skipped = [], []
    for entry in entries:
        match = MOODLE_RE.fullmatch(entry.parts[0])
        if match is None:
            submissions.append(ReceivedFile(entry, None, None))
            continue
        if match["plugin"] != "file":
            skipped.append(f"{entry.path}: Moodle {match['plugin']} entry, not a file submission")
            continue
        name, participant = match["name"].strip(), match["id"]
        identity = Identity(f"{name} (Moodle participant {participant})", ids=(participant,),
                            names=(name,), fallback=f"participant-{participant}",
                            lms_id=participant, name=name)
        flat = len(entry.parts) == 1  # no folders: the file's own name follows the prefix
        submissions.append(ReceivedFile(entry, identity, None,
                                      match["rest"] if flat and match["rest"] else ""))
    return Layout("moodle", submissions, skipped)
