"""Where submissions come from, read without changing anything there.

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

import contextlib
import csv
import hashlib
import io
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from autograder.errors import UserError

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

MOODLE_RE = re.compile(
    r"(?P<name>.*?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[A-Za-z0-9]+)_(?P<rest>.*)", re.DOTALL)
ECLASS_ROOT_RE = re.compile(r"work_\d+")
IGNORED_NAMES = {"Thumbs.db", "desktop.ini", "__MACOSX"}
UNATTRIBUTED = "_unattributed"  # originals/ folder of files that belong to no student
# A student id: one folder name, without nbgrader's separator '+'.
SAFE_ID_RE = re.compile(r"\w[\w.@-]*")
ROSTER_COLUMNS = ("student_id", "name", "email", "lms_id")


# ---------------------------------------------------------------- reading a SOURCE

@dataclass(frozen=True)
class Entry:
    """One file of the SOURCE: a path relative to its root (posix), and a way to read it."""

    path: str
    size: int
    mtime: datetime | None  # the folder's file time (UTC), or the zip entry's (naive local time)
    opener: Callable[[], BinaryIO] = field(repr=False, compare=False)

    @property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.path).parts

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    def open(self) -> BinaryIO:
        return self.opener()


@dataclass
class Tree:
    """The files of a SOURCE folder or zip."""

    path: Path
    container: str  # "folder" or "zip"
    entries: list[Entry]
    skipped: list[str] = field(default_factory=list)  # links and unreadable entries, with why
    _zip: zipfile.ZipFile | None = None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Tree:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def ignored(parts: Iterable[str]) -> bool:
    """Hidden files and folders, editor checkpoints and OS litter are no one's submission."""
    return any(part.startswith(".") or part in IGNORED_NAMES for part in parts)


def open_source(path: Path) -> Tree:
    """The SOURCE folder or zip, checked: UserError when missing, not readable or unsafe."""
    path = path.expanduser()
    if not path.exists():
        raise UserError(f"{path}: no such folder or zip file")
    if path.is_dir():
        inbound = path / "inbound"
        if path.name != "inbound" and inbound.is_dir() and any(
                len(child.name.split("+")) >= 3 for child in inbound.iterdir()):
            path = inbound  # the exchange's course folder: read its inbound/
        return _folder_tree(path.resolve())
    if path.is_file() and (zipfile.is_zipfile(path) or path.suffix.lower() == ".zip"):
        return _zip_tree(path.resolve())
    raise UserError(f"{path}: not a folder or a zip file")


def _folder_tree(root: Path) -> Tree:
    tree = Tree(root, "folder", [])
    for folder, subfolders, files in os.walk(root, followlinks=False):
        here = Path(folder)
        subfolders.sort()
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(root).as_posix()
            if ignored(PurePosixPath(relative).parts):
                continue
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                tree.skipped.append(f"{relative}: not a regular file (a link?)")
                continue
            mtime = datetime.fromtimestamp(info.st_mtime, timezone.utc)
            tree.entries.append(Entry(relative, info.st_size, mtime,
                                      lambda path=path: path.open("rb")))
        for name in [name for name in subfolders if (here / name).is_symlink()]:
            subfolders.remove(name)
            tree.skipped.append(f"{(here / name).relative_to(root).as_posix()}/: "
                                "a link, not followed")
    return tree


def _zip_tree(path: Path) -> Tree:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise UserError(f"{path}: corrupt zip ({error})") from None
    tree = Tree(path, "zip", [], _zip=archive)
    try:
        for info in archive.infolist():
            name = info.filename
            if not info.flag_bits & 0x800:  # no UTF-8 flag (PclZip, old zip tools): maybe UTF-8
                with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
                    name = name.encode("cp437").decode("utf-8")
            name = name.replace("\\", "/")
            parts = PurePosixPath(name).parts
            if (name.startswith("/") or ".." in parts or re.match(r"[A-Za-z]:", name)
                    or "\x00" in name):
                raise UserError(f"{path}: zip entry {info.filename!r} tries to escape its folder")
            if info.is_dir() or ignored(parts):
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                tree.skipped.append(f"{name}: a link, not a file")
                continue
            if info.flag_bits & 0x1:
                tree.skipped.append(f"{name}: encrypted, cannot be read")
                continue
            _check_entry(archive, info, path)
            when = datetime(*info.date_time) if info.date_time[0] >= 1980 else None
            tree.entries.append(Entry(name, info.file_size, when,
                                      lambda info=info: archive.open(info)))
    except BaseException:
        archive.close()
        raise
    return tree


def _check_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Read the entry through once (CRC and compression checked), as zipfile's testzip does."""
    try:
        with archive.open(info) as stream:
            while stream.read(1 << 20):
                pass
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise UserError(f"{path}: corrupt zip ({info.filename}: {error})") from None
    except Exception as error:  # zlib.error and friends
        raise UserError(f"{path}: corrupt zip ({info.filename}: {error})") from None


# ---------------------------------------------------------------- who submitted what

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
class Submission:
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
    submissions: list[Submission]
    skipped: list[str]  # entries that are no submission, with why (printed as notes)

    @property
    def description(self) -> str:
        return {"folders": "a folder per student", "moodle": "Moodle submissions",
                "eclass": "Open eClass submissions", "exchange": "nbgrader exchange inbound"
                }[self.kind]


def read_layout(tree: Tree, assignment: str) -> Layout:
    """Detect how `tree` is laid out and list its submissions of `assignment`."""
    entries = _unwrap(tree.entries) if tree.container == "zip" else tree.entries
    if any(MOODLE_RE.fullmatch(entry.parts[0]) for entry in entries):
        return _moodle(entries)
    if (entries and all(len(e.parts) > 1 and ECLASS_ROOT_RE.fullmatch(e.parts[0])
                        for e in entries)) or any(e.path == "index.html" for e in entries):
        return _eclass(entries)
    if any(len(e.parts) > 1 and len(e.parts[0].split("+")) >= 3 for e in entries):
        return _exchange(entries, assignment)
    return _folders(entries)


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


def _moodle(entries: list[Entry]) -> Layout:
    submissions, skipped = [], []
    for entry in entries:
        match = MOODLE_RE.fullmatch(entry.parts[0])
        if match is None:
            submissions.append(Submission(entry, None, None))
            continue
        if match["plugin"] != "file":
            skipped.append(f"{entry.path}: Moodle {match['plugin']} entry, not a file submission")
            continue
        name, participant = match["name"].strip(), match["id"]
        identity = Identity(f"{name} (Moodle participant {participant})", ids=(participant,),
                            names=(name,), fallback=f"participant-{participant}",
                            lms_id=participant, name=name)
        flat = len(entry.parts) == 1  # no folders: the file's own name follows the prefix
        submissions.append(Submission(entry, identity, None,
                                      match["rest"] if flat and match["rest"] else ""))
    return Layout("moodle", submissions, skipped)


def _eclass(entries: list[Entry]) -> Layout:
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
        submissions.append(Submission(entry, identity, submitted))
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
    return local.replace(tzinfo=_zone(zone)).astimezone(timezone.utc)


def _zone(name: str):
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no tz database: dateutil's, else UTC
        from dateutil.tz import gettz

        return gettz(name) or timezone.utc


def _exchange(entries: list[Entry], assignment: str) -> Layout:
    submissions, skipped = [], []
    others: set[str] = set()
    for entry in entries:
        parts = entry.parts[0].split("+")
        if len(entry.parts) < 2 or len(parts) not in (3, 4):
            submissions.append(Submission(entry, None, None))
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
        submissions.append(Submission(entry, identity, submitted))
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


def _folders(entries: list[Entry]) -> Layout:
    submissions = []
    stamps = {PurePosixPath(e.path).parent.as_posix(): e for e in entries
              if e.name == "timestamp.txt"}
    for entry in entries:
        if len(entry.parts) < 2:
            submissions.append(Submission(entry, None, None))
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
        submissions.append(Submission(entry, identity, submitted))
    return Layout("folders", submissions, [])


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
        tz = _zone(zone)
    return moment.replace(tzinfo=tz).astimezone(timezone.utc)


# ---------------------------------------------------------------- the roster

@dataclass(frozen=True)
class Student:
    student_id: str
    name: str = ""
    email: str = ""
    lms_id: str = ""


# Open eClass's greek_to_latin() (include/lib/main.lib.php), so that a Greek name on the
# roster reads as eClass writes it into file names.
_ECLASS_GREEK = dict(zip(
    "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩςάέήίύόώΆΈΉΊΎΌΏϊΐϋΰΪΫ",
    ["a", "b", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p",
     "r", "s", "t", "y", "f", "x", "ps", "o", "A", "B", "G", "D", "E", "Z", "H", "Th",
     "I", "K", "L", "M", "N", "X", "O", "P", "R", "S", "T", "Y", "F", "X", "Ps", "O",
     "s", "a", "e", "i", "i", "y", "o", "o", "A", "E", "H", "I", "Y", "O", "O", "i",
     "i", "y", "y", "I", "Y"], strict=True))


def greek_to_latin(text: str) -> str:
    return "".join(_ECLASS_GREEK.get(ch, ch) for ch in text)


# The usual Greeklish (close to ELOT 743), as students and secretaries spell Greek names.
_GREEKLISH = {**_ECLASS_GREEK, **dict(zip("βΒυΥχΧ", ["v", "V", "i", "I", "ch", "Ch"],
                                          strict=True))}


def greeklish(text: str) -> str:
    text = re.sub("ου", "ou", re.sub("Ο[υΥ]", "Ou", _plain_accents(text)))
    return "".join(_GREEKLISH.get(ch, ch) for ch in text)


def _plain_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed
                                                if not unicodedata.combining(ch)))


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def name_keys(name: str) -> set[str]:
    """Ways a full name may be spelt: word order, case, accents and Greek→Latin don't matter."""
    keys = set()
    for variant in (name, greek_to_latin(name), greeklish(name)):
        words = re.findall(r"\w+", _plain(variant))
        if words:
            keys.add(" ".join(sorted(words)))
    return keys


def id_key(value: str) -> str:
    """An identifier as eClass keeps it in file names (replace_dangerous_char), case-folded."""
    return re.sub(r"[?*<>/\\\"|:'.]", "_", value.strip()).casefold()


def safe_student_id(candidate: str) -> str:
    """`candidate` if it is a safe folder name and nbgrader student id, else a slug of it."""
    candidate = candidate.strip()
    if SAFE_ID_RE.fullmatch(candidate) and ".." not in candidate and len(candidate) <= 100:
        return candidate
    slug = re.sub(r"[^A-Za-z0-9]+", "-", _plain(greek_to_latin(candidate))).strip("-")[:80]
    if slug:
        return slug
    return "student-" + hashlib.sha256(candidate.encode("utf-8")).hexdigest()[:10]


def is_safe_student_id(value: str) -> bool:
    return bool(SAFE_ID_RE.fullmatch(value)) and ".." not in value and len(value) <= 100


class Roster:
    """Student ids, with the names, emails and LMS ids that map submissions to them."""

    def __init__(self, students: Iterable[Student] = ()):
        self.students: list[Student] = []
        self._ids: dict[str, set[str]] = {}
        self._names: dict[str, set[str]] = {}
        for student in students:
            self.add(student)

    def __contains__(self, student_id: str) -> bool:
        return any(s.student_id == student_id for s in self.students)

    def add(self, student: Student) -> None:
        self.students.append(student)
        keys = {student.student_id, student.lms_id, student.email,
                student.email.split("@")[0] if "@" in student.email else ""}
        for key in filter(None, keys):
            self._ids.setdefault(id_key(key), set()).add(student.student_id)
        for key in name_keys(student.name):
            self._names.setdefault(key, set()).add(student.student_id)

    def match(self, identity: Identity) -> str | None:
        """The student id the roster gives `identity`; None when none (or more than one) fits."""
        for value in identity.ids:
            found = self._ids.get(id_key(value), set())
            if len(found) == 1:
                return next(iter(found))
        for name in identity.names:
            found = set().union(*(self._names.get(key, set()) for key in name_keys(name)))
            if len(found) == 1:
                return next(iter(found))
        return None

    @classmethod
    def read(cls, path: Path) -> Roster:
        """A roster CSV: `student_id` and any of `lms_id`, `name`, `email` (others ignored)."""
        try:
            text = path.expanduser().read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise UserError(f"roster {path}: no such file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"roster {path}: unreadable ({error})") from None
        first = text.splitlines()[0] if text.strip() else ""
        delimiter = max(",;\t", key=first.count) if first else ","
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as error:
            raise UserError(f"roster {path}: not a readable CSV ({error})") from None
        if not rows:
            raise UserError(f"roster {path}: empty, needs a header with student_id")
        header = [column.strip().lower() for column in rows[0]]
        if "student_id" not in header:
            raise UserError(f"roster {path}: no student_id column (columns: "
                            f"{', '.join(header) or 'none'})")
        roster, lms_ids = cls(), {}
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            values = {column: (row[i].strip() if i < len(row) else "")
                      for i, column in enumerate(header)}
            student = Student(values["student_id"], values.get("name", ""),
                              values.get("email", ""), values.get("lms_id", ""))
            if not is_safe_student_id(student.student_id):
                raise UserError(f"roster {path}, line {number}: student_id "
                                f"{student.student_id!r} is not a safe folder name")
            if student.student_id in roster:
                raise UserError(f"roster {path}, line {number}: student_id "
                                f"{student.student_id!r} appears twice")
            if student.lms_id:
                if student.lms_id in lms_ids:
                    raise UserError(f"roster {path}, line {number}: lms_id {student.lms_id!r} "
                                    f"is also {lms_ids[student.lms_id]!r}'s")
                lms_ids[student.lms_id] = student.student_id
            roster.add(student)
        return roster

    def write(self, path: Path) -> None:
        """The canonical roster (student_id,name,email,lms_id), written atomically."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(ROSTER_COLUMNS)
        for s in self.students:
            writer.writerow([s.student_id, s.name, s.email, s.lms_id])
        write_atomic(path, buffer.getvalue().encode("utf-8"))


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to a hidden temporary file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with temporary.open("wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(mode)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def iter_chunks(stream: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk
