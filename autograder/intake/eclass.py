"""Open eClass's "download all submissions" (module work)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import PurePosixPath

from autograder.intake.received import Identity, Layout, ReceivedFile, zone_of
from autograder.intake.tree import Entry

ECLASS_LAYOUT = """\
Open eClass (github.com/gunet/openeclass), modules/work/index.php:
`download_assignments($id)` zips the assignment's secret folder with PclZip,
re-rooted as `work_<id>/`, after `create_zip_index("$secret/index.html", $id)`
wrote an index.html with one table row per file (name, AM, link to the file,
submission date, grade). `submit_work()` stores each upload in that folder as
`<local_name>.<ext>`, or for a multi-file submission as `<local_name>/<n>.<ext>`
(n zero-padded), where local_name is greek_to_latin("Given Surname AM")
followed by " (username)", passed through replace_dangerous_char (which turns
?*<>/\\"|:'. into _). Eclass 2.x to 3.x wrote "Given SurnameAM" (no space
before the AM, no username).
"""
# The submission dates of index.html are the server's local time; eClass serves Greek universities.
ECLASS_TIMEZONE = "Europe/Athens"

ECLASS_ROOT_RE = re.compile(r"work_\d+")


def detect(entries: list[Entry]) -> bool:
    return bool(entries and all(len(e.parts) > 1 and ECLASS_ROOT_RE.fullmatch(e.parts[0])
                                for e in entries)) or any(e.path == "index.html" for e in entries)


def read(entries: list[Entry], assignment: str) -> Layout:
    if entries and all(len(e.parts) > 1 and ECLASS_ROOT_RE.fullmatch(e.parts[0])
                       for e in entries):
        entries = [Entry(PurePosixPath(*e.parts[1:]).as_posix(), e.size, e.mtime, e.opener)
                   for e in entries]
    index = next((e for e in entries if e.path == "index.html"), None)
    rows = _eclass_index(index) if index is not None else []
    by_file: dict[str, list[dict]] = {}
    by_am: dict[str, list[dict]] = {}
    for row in rows:
        by_file.setdefault(row["file"], []).append(row)
        if row["am"]:
            by_am.setdefault(row["am"], []).append(row)
    submissions, skipped = [], []
    if index is not None:
        skipped.append("index.html: eClass's list of the submissions (read for dates and AMs)")
    for entry in entries:
        if entry is index:
            continue
        if len(entry.parts) == 1:  # one file: <local_name>.<ext>
            stem = entry.name.rsplit(".", 1)[0] if "." in entry.name else entry.name
            local_name = stem
        else:  # several files: <local_name>/<n>.<ext>
            local_name = entry.parts[0]
        name, am, username = parse_eclass_name(local_name)
        found = by_file.get(entry.name, []) if len(entry.parts) == 1 else []
        if len(found) != 1:
            found = by_am.get(am, []) if am else []
        submitted = max((row["date"] for row in found if row["date"]), default=None)
        row_names = tuple(dict.fromkeys(row["name"] for row in found if row["name"]))
        label = " ".join(filter(None, [name, am and f"AM {am}",
                                       username and f"({username})"])) + " (eClass)"
        identity = Identity(label, ids=tuple(filter(None, (username, am))),
                            names=(*row_names, name) if name else row_names,
                            fallback=username or am or name or local_name,
                            lms_id=username or am, name=row_names[0] if row_names else name)
        submissions.append(ReceivedFile(entry, identity, submitted))
    return Layout("eclass", submissions, skipped)


def parse_eclass_name(local_name: str) -> tuple[str, str, str]:
    """eClass's file or folder name → (name, AM, username), as far as they are there."""
    text = local_name.strip()
    username = ""
    match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", text)
    if match:
        text, username = match[1], match[2].strip()
    am = ""
    tokens = text.split()
    # eClass 3.x+ writes "Name AM (username)"; before, "NameAM": an AM may hold letters too
    # ("it21234") only when it stands apart as a word of its own.
    if len(tokens) > 1 and (tokens[-1].isdigit()
                            or (username and any(ch.isdigit() for ch in tokens[-1]))):
        am, text = tokens[-1], " ".join(tokens[:-1])
    else:
        match = re.fullmatch(r"(.*?\D)(\d+)", text)
        if match:
            text, am = match[1], match[2]
    return text.strip(), am, username


class _IndexParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, str]]] = []  # per row: (text, href) per cell
        self._cell: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td" and self.rows:
            self._cell, self._href = [], ""
        elif tag == "a" and self._cell is not None:
            self._href = dict(attrs).get("href") or ""

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self.rows:
            self.rows[-1].append((" ".join("".join(self._cell).split()), self._href))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _eclass_index(entry: Entry) -> list[dict]:
    """The rows of eClass's index.html: name, AM, file, submission date (UTC)."""
    with entry.open() as stream:
        text = stream.read(5 << 20).decode("utf-8", errors="replace")
    parser = _IndexParser()
    try:
        parser.feed(text)
    except Exception:  # a malformed index only costs the dates
        return []
    rows = []
    for cells in parser.rows:
        if len(cells) < 4:
            continue
        (name, _), (am, _), (file_text, href), (date_text, _) = cells[:4]
        match = re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", date_text)
        rows.append({"name": name, "am": am, "file": href or file_text,
                     "date": _local_to_utc(match[0], ECLASS_TIMEZONE) if match else None})
    return rows


def _local_to_utc(text: str, zone: str) -> datetime:
    local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    return local.replace(tzinfo=zone_of(zone)).astimezone(timezone.utc)
