"""The roster: student ids, and the names, emails and LMS ids that map submissions to them."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from autograder.common.errors import UserError
from autograder.common.files import write_atomic
from autograder.intake.received import Identity

SAFE_ID_RE = re.compile(r"\w[\w.@-]*")
ROSTER_COLUMNS = ("student_id", "name", "email", "lms_id")


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str = ""
    email: str = ""
    lms_id: str = ""


@dataclass(frozen=True)
class Match:
    """What the roster says of a submitter: a student id, or rows it cannot choose among."""

    student: str | None = None
    candidates: tuple[str, ...] = ()  # several rows fit the name: refuse the file


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

    def match(self, identity: Identity, batch_ids: frozenset[str] = frozenset()) -> Match:
        """The roster row `identity` is, by its ids, else by its name where that is safe.

        An id (LMS id, username, email, student id) that one row holds decides.
        A name decides only when exactly one row has it, that row has no LMS id
        (a row with another LMS id is someone else), and no other submitter of
        this batch (`batch_ids`: the LMS ids of everyone in it with this name)
        has the same name. When the name fits rows but not safely, the match
        is ambiguous: the caller refuses the file and names the candidates.
        """
        for value in identity.ids:
            found = self._ids.get(id_key(value), set())
            if len(found) == 1:
                return Match(next(iter(found)))
        keys = {key for name in identity.names for key in name_keys(name)}
        by_name = sorted(set().union(*(self._names.get(key, set()) for key in keys)))
        if not by_name:
            return Match()
        rows = {s.student_id: s for s in self.students}
        free = [student for student in by_name if not rows[student].lms_id]
        if identity.lms_id and not free:
            return Match()  # every namesake on the roster is another LMS participant
        namesakes_here = batch_ids - {identity.lms_id}
        if len(by_name) == 1 and len(free) == 1 and not namesakes_here:
            return Match(free[0])
        return Match(candidates=tuple(by_name))

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
