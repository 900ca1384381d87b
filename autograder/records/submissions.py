"""Storing a collected batch: write-once originals, the manifest, the latest submission.

Every file of the batch is kept, byte for byte and write-once (mode 0444), as
`originals/<student>/<a>/<received>_<sha12>_<name>`, with one JSON line in
`originals/manifest.jsonl`. The latest gradable notebook of each student is
written, atomically, to `submitted/<student>/<a>/<a>.ipynb` with nbgrader's
`timestamp.txt`; `reports/collect-<a>-<stamp>.csv` lists every file of the
batch with its status and reason. What the files are and who sent them comes
from `autograder.intake`.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from autograder.common.errors import UserError
from autograder.common.files import file_sha256, iter_chunks, write_atomic
from autograder.intake.notebooks import check_notebook
from autograder.intake.received import UNATTRIBUTED, Layout, ReceivedFile, parse_timestamp
from autograder.intake.roster import Roster, Student, name_keys, safe_student_id
from autograder.intake.tree import Tree
from autograder.records.workspace import (
    ROSTER_NAME,
    Workspace,
)

MIB = 1024 * 1024
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's, written in UTC
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"  # the <received> of originals' names and the report's <stamp>
STAMP_RE = re.compile(r"(\d{8}T\d{6}Z)_[0-9a-f]{12}_")
REPORT_COLUMNS = ("student", "original_name", "entry", "status", "reason", "installed",
                  "sha256", "size", "submitted", "stored")


@contextlib.contextmanager
def locked(workspace: Workspace) -> Iterator[None]:
    """One collect at a time per workspace."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with (workspace.root / ".collect.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"another collect is running in {workspace.root}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def safe_file_name(name: str) -> str:
    """A file's name, fit to be one component of a path under originals/."""
    name = PurePosixPath(name.replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]", "_", name).lstrip(". ") or "file"
    if len(name.encode("utf-8")) > 150:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:16] if dot else ""
        stem = (stem if dot else name).encode("utf-8")[:120].decode("utf-8", errors="ignore")
        name = f"{stem}.{extension}" if extension else stem
    return name


# ---------------------------------------------------------------- one batch

@dataclass
class Item:
    """One file of the batch, as it goes through collect."""

    seq: int
    submission: ReceivedFile
    student: str
    staged: Path | None = None
    sha256: str = ""
    size: int = 0
    status: str = ""  # accepted, rejected or duplicate
    reason: str = ""
    language: str = ""
    when: datetime | None = None  # what decides the latest: submitted, else received
    duplicate_of: Path | None = None  # the stored original with the same bytes
    same_as: Item | None = None  # an earlier file of this batch with the same bytes
    stored: Path | None = None  # its file under originals/
    installed: bool = False  # written to submitted/ by this collect: it counts now
    target: str = ""  # which of the assignment's notebooks this file is (its name, no .ipynb)

    @property
    def gradable(self) -> bool:
        return self.status in ("accepted", "duplicate") and not self.reason


@dataclass
class Batch:
    workspace: Workspace
    assignment: str
    tree: Tree
    layout: Layout
    source_ids: set[str]
    limit: int
    given_roster: Roster | None
    received: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    replaced: int = 0
    installed: list[str] = field(default_factory=list)
    report: Path | None = None
    learned: list[Student] = field(default_factory=list)
    on_roster: int = 0  # students on the roster before this collect
    # an nbgrader assignment of several notebooks: notebook name → its grade IDs
    # (empty: this course's one notebook, named after the assignment)
    notebook_ids: dict[str, set[str]] = field(default_factory=dict)

    @property
    def stamp(self) -> str:
        return self.received.strftime(STAMP_FORMAT)

    def collect(self) -> None:
        originals = self.workspace.root / "originals"
        originals.mkdir(parents=True, exist_ok=True)
        for stale in originals.glob(".incoming-*"):  # left by a collect that was killed
            shutil.rmtree(stale, ignore_errors=True)
        staging = originals / f".incoming-{self.stamp}-{os.getpid()}"
        staging.mkdir()
        try:
            roster = self._roster()
            self.on_roster = len(roster.students)
            namesakes = _lms_ids_by_name(self.layout.submissions)
            for seq, submission in enumerate(self.layout.submissions):
                student, refusal = self._student(roster, submission, namesakes)
                item = Item(seq, submission, student)
                self._stage(item, staging)
                if refusal:  # who sent it is unclear: that comes before what it is
                    item.status, item.reason = "rejected", refusal
                self.items.append(item)
            self._find_duplicates()
            self._decide()
            self._store()
            self._install()
            self._write_report()
            if self.nothing_gradable:  # an error for the user: learn no one from it
                self.learned.clear()
            elif self.given_roster is not None or self.learned:
                roster.write(self.workspace.root / ROSTER_NAME)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # -- students

    def _roster(self) -> Roster:
        if self.given_roster is not None:
            return self.given_roster
        saved = self.workspace.root / ROSTER_NAME
        return Roster.read(saved) if saved.is_file() else Roster()

    def _student(self, roster: Roster, submission: ReceivedFile,
                 namesakes: dict[str, set[str]]) -> tuple[str, str]:
        """(the student id to file this under, why the file is refused or "")."""
        identity = submission.identity
        if identity is None:
            return UNATTRIBUTED, ""
        batch_ids = frozenset().union(*(namesakes.get(key, set()) for name in identity.names
                                        for key in name_keys(name)))
        match = roster.match(identity, batch_ids)
        if match.student is not None:
            return match.student, ""
        if match.candidates:
            return UNATTRIBUTED, (f"{identity.label}: the name fits roster rows "
                                  f"{', '.join(match.candidates)} and no id decides "
                                  "(add lms_id to the roster)")
        student = safe_student_id(identity.fallback)
        if self.on_roster and student not in roster:
            self._note(f"not on the roster: {identity.label}, filed as {student}")
        if (identity.lms_id or identity.name) and student not in roster:
            learned = Student(student, identity.name, "", identity.lms_id)
            roster.add(learned)
            self.learned.append(learned)
        return student, ""

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- reading and checking each file

    def _stage(self, item: Item, staging: Path) -> None:
        """Copy the file into the workspace (hashing it) and decide whether it is gradable."""
        item.staged = staging / str(item.seq)
        digest, size = hashlib.sha256(), 0
        try:
            with item.submission.entry.open() as source, item.staged.open("wb") as target:
                for chunk in iter_chunks(source):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
        except OSError as error:
            item.staged.unlink(missing_ok=True)
            item.staged, item.status = None, "rejected"
            item.reason = f"unreadable ({error.strerror or error})"
            return
        item.sha256, item.size = digest.hexdigest(), size
        item.reason, item.language = self._check(item)
        if not item.reason:
            item.target, item.reason = self._target(item)
        item.status = "rejected" if item.reason else "accepted"

    def _target(self, item: Item) -> tuple[str, str]:
        """(which notebook of the assignment `item` is, why none is or "")."""
        if not self.notebook_ids:
            return self.assignment, ""
        stem = PurePosixPath(item.submission.original_name).stem
        if stem in self.notebook_ids:
            return stem, ""
        from autograder.intake.notebooks import grade_ids

        ids = grade_ids(json.loads(item.staged.read_bytes().decode("utf-8")))
        owners = [name for name, known in self.notebook_ids.items() if ids and ids <= known]
        if len(owners) == 1:
            return owners[0], ""
        return "", (f"not one of {self.assignment}'s notebooks "
                    f"({', '.join(sorted(self.notebook_ids))})")

    def _check(self, item: Item) -> tuple[str, str]:
        if item.student == UNATTRIBUTED:
            return {"moodle": "not in a Moodle submission folder",
                    "exchange": "not in an exchange submission folder",
                    }.get(self.layout.kind, "not in a student's folder"), ""
        name = item.submission.original_name
        if not name.lower().endswith(".ipynb"):
            suffix = PurePosixPath(name).suffix
            if self.notebook_ids:  # an nbgrader assignment: its data files come from the source
                return (f"not a notebook ({suffix or 'no extension'}); grading uses the "
                        "assignment's own data files"), ""
            return f"not a notebook ({suffix or 'no extension'})", ""
        if item.size == 0:
            return "empty file (0 bytes)", ""
        if item.size > self.limit:
            return (f"over the size limit ({item.size / MIB:.1f} MB > "
                    f"{self.limit / MIB:g} MB)"), ""
        return check_notebook(item.staged.read_bytes(), self.assignment, self.source_ids)

    # -- duplicates and the latest

    def _find_duplicates(self) -> None:
        first: dict[tuple[str, str], Item] = {}
        for item in self.items:
            if not item.sha256:
                continue
            key = (item.student, item.sha256)
            if key in first:
                item.same_as, item.status = first[key], "duplicate"
                item.when = first[key].when
                continue
            first[key] = item
            item.duplicate_of = self._stored_copy(item.student, item.sha256)
            if item.duplicate_of is not None:
                item.status = "duplicate"
            item.when = self._when(item)

    def _stored_copy(self, student: str, sha256: str) -> Path | None:
        folder = self.workspace.originals(student, self.assignment)
        for path in sorted(folder.glob(f"*_{sha256[:12]}_*")) if folder.is_dir() else []:
            if path.is_file() and file_sha256(path) == sha256:
                return path
        return None

    def _when(self, item: Item) -> datetime:
        if item.submission.submitted is not None:
            return item.submission.submitted
        if item.duplicate_of is not None:  # as received the first time
            match = STAMP_RE.match(item.duplicate_of.name)
            if match:
                return datetime.strptime(match[1], STAMP_FORMAT).replace(tzinfo=timezone.utc)
        return self.received

    def _decide(self) -> None:
        """For each student, the notebook that counts: the latest of theirs, batch or submitted/."""
        students = dict.fromkeys((item.student, item.target) for item in self.items
                                 if item.gradable)
        for student, target in students:
            name = f"{target}.ipynb"
            mine = [item for item in self.items if item.student == student and item.gradable
                    and item.same_as is None and item.target == target]
            best = max(mine, key=lambda item: (item.when, item.submission.original_name == name,
                                               _entry_time(item), item.seq))
            current = self.workspace.submitted(student, self.assignment) / name
            current_sha = file_sha256(current) if current.is_file() else None
            current_when = read_timestamp(current.parent / "timestamp.txt")
            if current_sha == best.sha256:
                winner = None  # what counts already
            elif current_sha is not None and current_when is not None and best.when <= current_when:
                winner = None  # submitted/ holds a later one
            else:
                winner = best
                self.replaced += current_sha is not None
            for item in mine:
                if item is winner:
                    item.installed = True
                elif item.status == "accepted" and item.sha256 != current_sha:
                    item.reason = "kept in originals only: a later submission counts"
                    self.replaced += 1

    # -- writing

    def _store(self) -> None:
        """Move each new file into originals/ (write-once, read-only) and log it in the manifest."""
        lines = []
        for item in self.items:
            if item.staged is not None and item.duplicate_of is None and item.same_as is None:
                folder = self.workspace.originals(item.student, self.assignment)
                folder.mkdir(parents=True, exist_ok=True)
                target = folder / (f"{self.stamp}_{item.sha256[:12]}_"
                                   f"{safe_file_name(item.submission.original_name)}")
                item.staged.chmod(0o444)
                link_once(item.staged, target)
                item.stored = target
            elif item.same_as is not None:
                item.stored = item.same_as.stored or item.same_as.duplicate_of
            else:
                item.stored = item.duplicate_of
            lines.append(json.dumps(self._record(item), ensure_ascii=False))
        if lines:
            with self.workspace.manifest.open("a", encoding="utf-8") as manifest:
                manifest.write("\n".join(lines) + "\n")
                manifest.flush()
                os.fsync(manifest.fileno())

    def _record(self, item: Item) -> dict:
        submission = item.submission
        identity = submission.identity
        return {
            "student": item.student,
            "assignment": self.assignment,
            "original_name": submission.original_name,
            "origin": {"source": str(self.tree.path), "entry": submission.entry.path,
                       "layout": self.layout.kind},
            "lms": identity.label if identity else None,
            "sha256": item.sha256 or None,
            "size": item.size,
            "received": self.received.isoformat(timespec="microseconds"),
            "submitted": _iso(submission.submitted),
            "status": item.status,
            "reason": item.reason,
            "installed": item.installed,
            "language": item.language or None,
            "stored": self._relative(item.stored),
        }

    def _relative(self, path: Path | None) -> str | None:
        return path.relative_to(self.workspace.root).as_posix() if path is not None else None

    def _install(self) -> None:
        """The notebook that counts and nbgrader's timestamp.txt, each written atomically."""
        for item in self.items:
            if not item.installed:
                continue
            folder = self.workspace.submitted(item.student, self.assignment)
            write_atomic(folder / f"{item.target or self.assignment}.ipynb",
                         item.stored.read_bytes())
            write_atomic(folder / "timestamp.txt",
                         item.when.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT).encode())
            if item.student not in self.installed:
                self.installed.append(item.student)

    def _write_report(self) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        for item in self.items:
            writer.writerow([item.student, item.submission.original_name,
                             item.submission.entry.path, item.status, item.reason,
                             "yes" if item.installed else "", item.sha256, item.size,
                             _iso(item.submission.submitted) or "",
                             self._relative(item.stored) or ""])
        for line in self.tree.skipped + self.layout.skipped:
            writer.writerow(["", "", line.split(": ", 1)[0], "skipped",
                             line.split(": ", 1)[-1], "", "", "", "", ""])
        reports = self.workspace.reports
        reports.mkdir(parents=True, exist_ok=True)
        base = f"collect-{self.assignment}-{self.stamp}"
        for number in range(1, 1000):
            path = reports / (f"{base}.csv" if number == 1 else f"{base}-{number}.csv")
            if not path.exists():
                break
        write_atomic(path, buffer.getvalue().encode("utf-8"))
        self.report = path

    # -- telling the user

    @property
    def nothing_gradable(self) -> bool:
        """Every file of the batch was rejected: a wrong download or a wrong assignment."""
        return bool(self.items) and all(item.status == "rejected" for item in self.items)

    def print_summary(self) -> None:
        count = {status: sum(item.status == status for item in self.items)
                 for status in ("accepted", "duplicate", "rejected")}
        print(f"collect {self.assignment}: {self.tree.path} ({self.layout.description}), "
              f"{len(self.items)} file(s)")
        for item in self.items:
            if item.status == "rejected":
                print(f"  rejected {item.student}: {item.submission.entry.path}: {item.reason}")
        skipped = self.tree.skipped + self.layout.skipped
        for note in self.notes + [f"skipped {line}" for line in skipped[:5]]:
            print(f"  note: {note}")
        if len(skipped) > 5:
            print(f"  note: {len(skipped) - 5} more skipped entries (see the report)")
        if self.learned:
            print(f"  note: {len(self.learned)} student(s) from the LMS added to "
                  f"{self.workspace.root / ROSTER_NAME}")
        students = self.workspace.students(self.assignment)
        print(f"{count['accepted']} accepted, {self.replaced} replaced, "
              f"{count['duplicate']} duplicate, {count['rejected']} rejected; "
              f"{len(self.installed)} notebook(s) updated, {len(students)} student(s) in "
              f"submitted/ for {self.assignment}")
        print(f"report: {self.report}")


def _entry_time(item: Item) -> float:
    when = item.submission.entry.mtime
    if when is None:
        return 0.0
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds") if when else None


def read_timestamp(path: Path) -> datetime | None:
    try:
        return parse_timestamp(path.read_text(encoding="utf-8", errors="replace").strip())
    except OSError:
        return None


def link_once(source: Path, target: Path) -> None:
    """Put `source` at `target` without ever replacing an existing file there."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise UserError(f"{target} exists already; originals are never overwritten") from None
    except OSError:  # no hard links here: an exclusive copy
        with source.open("rb") as reader, target.open("xb") as writer:
            shutil.copyfileobj(reader, writer)
        target.chmod(0o444)
    source.unlink()


def _lms_ids_by_name(submissions: list[ReceivedFile]) -> dict[str, set[str]]:
    """name key → the LMS ids of this batch's submitters with that name (namesakes)."""
    found: dict[str, set[str]] = {}
    for submission in submissions:
        identity = submission.identity
        if identity is None or not identity.lms_id:
            continue
        for name in identity.names:
            for key in name_keys(name):
                found.setdefault(key, set()).add(identity.lms_id)
    return found
