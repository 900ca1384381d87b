"""Writing files so that a reader never sees half of one, and hashing them.

The grader's records (results, rosters, notebooks written back by the runner)
are read by other processes, sometimes while a batch is running or after it was
killed. Every file the grader writes goes through `write_atomic`: a reader sees
the old file or the new one, never a torn one, and a crash leaves no partial file
under the real name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    """Write `data` to a hidden temporary file beside `path`, fsync it, rename it over `path`."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temporary.write_bytes(data)
        commit(temporary, path, mode)
    finally:
        temporary.unlink(missing_ok=True)


def commit(temporary: Path, path: Path, mode: int = 0o644) -> None:
    """Make a finished `temporary` file durable, then rename it over `path` (same folder)."""
    with temporary.open("rb+") as stream:
        os.fsync(stream.fileno())
    temporary.chmod(mode)
    os.replace(temporary, path)


def iter_chunks(stream: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter_chunks(stream):
            digest.update(chunk)
    return digest.hexdigest()
