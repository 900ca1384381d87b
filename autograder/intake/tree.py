"""A SOURCE folder or zip, listed without reading or changing anything else."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from autograder.common.errors import UserError

IGNORED_NAMES = {"Thumbs.db", "desktop.ini", "__MACOSX"}


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


def open_tree(path: Path) -> Tree:
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
