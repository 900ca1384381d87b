"""What a layout reader returns: each file, who sent it, and when."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from autograder.intake.tree import Entry

UNATTRIBUTED = "_unattributed"  # originals/ folder of files that belong to no student


@dataclass(frozen=True)
class Identity:
    """The submitter as the SOURCE names them."""

    label: str                  # for messages: "Ana Gómez (Moodle participant 123456)"
    ids: tuple[str, ...] = ()   # looked up in the roster's lms_id, student_id and email
    names: tuple[str, ...] = ()  # looked up in the roster's name
    fallback: str = ""          # the student id when the roster has none (made safe)
    lms_id: str = ""            # what a roster row learned from the LMS records
    name: str = ""


@dataclass(frozen=True)
class ReceivedFile:
    """One file the SOURCE holds for one submitter (identity None: in no student's folder)."""

    entry: Entry
    identity: Identity | None
    submitted: datetime | None  # UTC, when the LMS or the exchange says so
    given_name: str = ""  # the file's name as the student uploaded it, where the entry renames it

    @property
    def original_name(self) -> str:
        return self.given_name or self.entry.name


@dataclass
class Layout:
    kind: str  # folders, moodle, eclass, exchange
    submissions: list[ReceivedFile]
    skipped: list[str]  # entries that are no submission, with why (printed as notes)

    @property
    def description(self) -> str:
        return {"folders": "a folder per student", "moodle": "Moodle submissions",
                "eclass": "Open eClass submissions", "exchange": "nbgrader exchange inbound"
                }[self.kind]



TIMESTAMP_RE = re.compile(
    r"\s*(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)\s*([A-Za-z_/+\-:0-9]*)\s*")


def parse_timestamp(text: str) -> datetime | None:
    """nbgrader's timestamp ("%Y-%m-%d %H:%M:%S.%f %Z", any zone) as UTC; None if unreadable."""
    match = TIMESTAMP_RE.fullmatch(text)
    if match is None:
        return None
    day, clock, zone = match.groups()
    try:
        moment = datetime.fromisoformat(f"{day} {clock}")
    except ValueError:
        return None
    if zone in ("", "UTC", "Z", "GMT", "utc"):
        tz = timezone.utc
    elif re.fullmatch(r"[+-]\d{2}:?\d{2}", zone):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    else:
        tz = zone_of(zone)
    return moment.replace(tzinfo=tz).astimezone(timezone.utc)



def zone_of(name: str):
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no tz database: dateutil's, else UTC
        from dateutil.tz import gettz

        return gettz(name) or timezone.utc
