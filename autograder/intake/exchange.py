"""nbgrader's exchange: ``<course>/inbound/<student>+<assignment>+<timestamp>[+<random>]/``."""

from __future__ import annotations

from datetime import datetime

from autograder.intake.received import Identity, Layout, ReceivedFile, parse_timestamp
from autograder.intake.tree import Entry


def detect(entries: list[Entry]) -> bool:
    return any(len(e.parts) > 1 and len(e.parts[0].split("+")) >= 3 for e in entries)


def read(entries: list[Entry], assignment: str) -> Layout:
    submissions, skipped = [], []
    others: set[str] = set()
    for entry in entries:
        parts = entry.parts[0].split("+")
        if len(entry.parts) < 2 or len(parts) not in (3, 4):
            submissions.append(ReceivedFile(entry, None, None))
            continue
        student, their_assignment, stamp = parts[0], parts[1], parts[2]
        if their_assignment != assignment:
            others.add(their_assignment)
            continue
        if entry.name == "timestamp.txt" and len(entry.parts) == 2:
            continue
        submitted = parse_timestamp(stamp)
        if submitted is None:
            submitted = _timestamp_file(entries, entry.parts[0])
        identity = Identity(f"{student} (exchange)", ids=(student,), fallback=student)
        submissions.append(ReceivedFile(entry, identity, submitted))
    if others:
        skipped.append(f"{len(others)} other assignment(s) in the exchange: "
                       + ", ".join(sorted(others)))
    return Layout("exchange", submissions, skipped)


def _timestamp_file(entries: list[Entry], folder: str) -> datetime | None:
    for entry in entries:
        if entry.path == f"{folder}/timestamp.txt":
            with entry.open() as stream:
                return parse_timestamp(stream.read(200).decode("utf-8", errors="replace"))
    return None
