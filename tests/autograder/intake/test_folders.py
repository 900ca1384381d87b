"""The folder-per-student layout reads an nbgrader submitted/ tree one assignment at a time."""

from __future__ import annotations

import io

from autograder.intake import folders
from autograder.intake.tree import Entry

STAMP = b"2015-02-02 14:58:23.948203 America/Los_Angeles"


def entry(path: str, data: bytes = b"{}") -> Entry:
    return Entry(path, len(data), None, lambda: io.BytesIO(data))


def test_beside_a_student_s_assignment_folder_the_others_are_skipped():
    layout = folders.read([
        entry("ada/ps1/p1.ipynb"), entry("ada/ps2/p1.ipynb"),  # beside her ps1/: skipped
        entry("ada/ps2/timestamp.txt", STAMP),
        entry("bob/try1/ps1.ipynb"), entry("bob/try1/timestamp.txt", STAMP),  # no ps1/: read
        entry("cy/Downloads/ps1.ipynb"),  # a plain folder: the notebook may sit anywhere
        entry("dee/ps1.ipynb")], "ps1")
    read = sorted(received.entry.path for received in layout.submissions)
    assert read == ["ada/ps1/p1.ipynb", "bob/try1/ps1.ipynb", "cy/Downloads/ps1.ipynb",
                    "dee/ps1.ipynb"]
    assert [line.split(":")[0] for line in layout.skipped] == ["ada/ps2/p1.ipynb"]
