"""Errors raised by the data layer.

Each carries one sentence a user can act on: what is wrong, and the
command that fixes it.
"""

from __future__ import annotations

STAGE_HINT = "python -m cnnbook data prepare --dest DIR --from FOLDER_WITH_ARCHIVES"


class DataError(Exception):
    """Base class for every data-layer error."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A dataset is neither staged locally nor downloadable."""


class CorruptDataError(DataError, ValueError):
    """A dataset file exists but cannot be read or holds the wrong arrays."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(
            f"{self.path} is corrupt or incomplete ({problem}); delete it and stage it "
            f"again with: {STAGE_HINT}"
        )
