"""One submission's result: the typed record every stage reads and writes.

The worker returns a `Result`; the coordinator completes it (language, profile,
timing, the submission's hash) and stores it as result.json through `to_json`;
feedback, export and report read it back with `from_json`. Error results, where
the grader itself failed, are built by `Result.error` alone.

`timeline` says where the submission's seconds went (`Timeline`): the grader's
own phases and each code cell's wall time. Room for what comes next:
`notebooks` (an assignment of several notebooks), carried through unchanged
when empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograder.scoring.reasons import Reason, parse, reason, render

RESULT_FILE = "result.json"
GRADED, ERROR = "graded", "error"

# A submission's phases, in the order they happen; "cells" is the notebook's own work, every
# other phase is the grader's overhead. Together they add up to the submission's seconds.
PHASES = {
    "prepare": "restore the read-only cells and inject the budget (coordinator)",
    "sandbox_start": "start the sandbox and the notebook runner's interpreter",
    "runner_start": "the runner's imports (nbclient, nbformat) and reading the notebook",
    "kernel_start": "start the kernel, or fork a warm one",
    "cells": "the notebook's code cells",
    "cell_saves": "save the notebook after each cell",
    "sandbox_stop": "stop the kernel and the sandbox",
    "functions": "call the student's functions on the hidden inputs (own sandbox)",
    "model_load": "load the saved model in the clean checker",
    "evaluation": "measure the model on the held-out test split",
    "worker_other": "the worker's remaining steps (work folder, reading results, retries)",
    "record": "write the executed notebook, the gradebook and result.json (coordinator)",
}
NOTEBOOK_PHASES = ("cells",)


@dataclass
class CellTime:
    """One code cell's wall time: its 1-based number among code cells, and its grade id."""

    number: int
    seconds: float
    cell: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "seconds": self.seconds,
                **({"cell": self.cell} if self.cell else {})}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CellTime:
        return cls(int(data["number"]), float(data["seconds"]), str(data.get("cell") or ""))


@dataclass
class Timeline:
    """Seconds per phase (keys of PHASES), and the code cells' own times."""

    phases: dict[str, float] = field(default_factory=dict)
    cells: list[CellTime] = field(default_factory=list)

    def add(self, phase: str, seconds: float) -> None:
        self.phases[phase] = round(self.phases.get(phase, 0.0) + max(0.0, seconds), 3)

    @property
    def total(self) -> float:
        return sum(self.phases.values())

    @property
    def overhead(self) -> float:
        """The grader's own seconds: everything but the notebook's cells."""
        return sum(s for phase, s in self.phases.items() if phase not in NOTEBOOK_PHASES)

    def __bool__(self) -> bool:
        return bool(self.phases)

    def to_json(self) -> dict[str, Any]:
        ordered = {p: self.phases[p] for p in PHASES if p in self.phases}
        return {"phases": {**ordered, **self.phases}, "overhead": round(self.overhead, 3),
                "cells": [cell.to_json() for cell in self.cells]}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Timeline:
        data = data or {}
        return cls({str(k): float(v) for k, v in (data.get("phases") or {}).items()},
                   [CellTime.from_json(c) for c in data.get("cells") or []])


@dataclass
class Part:
    """One graded cell: its points, what it earned, and why not more."""

    cell: str
    points: float
    score: float
    passed: bool
    reason: Reason | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"cell": self.cell, "points": self.points, "score": self.score,
                "passed": self.passed, "reason": self.reason.text() if self.reason else ""}
        if self.reason is not None:
            data["reason_code"] = self.reason.code
            data["reason_params"] = self.reason.to_json()["params"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Part:
        return cls(str(data["cell"]), float(data["points"]), float(data["score"]),
                   bool(data.get("passed")), _reason_from(data))


@dataclass
class Result:
    """What grading one submission found; `to_json` is result.json's content."""

    student: str
    assignment: str
    status: str = GRADED               # graded, or error: the grader failed, not the student
    parts: list[Part] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)  # the submission's, not a part's
    language: str = ""
    profile: str = ""
    max_score: float = 0.0
    seconds: float = 0.0
    notebook_seconds: float | None = None
    isolation: str = ""
    kernel: str = ""
    peak_memory_mb: int | None = None
    threads: int | None = None  # the notebook's thread count: the numbers depend on it
    graded_at: str = ""
    submission_sha256: str = ""
    data: dict[str, str] = field(default_factory=dict)   # dataset → "full" or "sample"
    preflight: str = ""  # the batch's reference check: "passed", "cached" or "skipped"
    notebooks: list[str] = field(default_factory=list)    # several notebooks: their names
    timeline: Timeline = field(default_factory=Timeline)  # where the seconds went
    executed: str | None = field(default=None, repr=False)  # the executed notebook (JSON text)
    # several notebooks (an nbgrader assignment): name → the executed notebook (JSON text)
    executed_notebooks: dict[str, str] = field(default_factory=dict, repr=False)
    detail: str = field(default="", repr=False)            # a grader error's traceback

    @classmethod
    def error(cls, student: str, assignment: str, message: str, detail: str = "",
              code: str = "grader_error") -> Result:
        """Not graded: the grader failed (`grader_error`), or the notebook cannot be graded at
        all (`unfit`). No score is recorded either way."""
        return cls(student, assignment, status=ERROR,
                   reasons=[reason(code, message=message)], detail=detail)

    @property
    def score(self) -> float:
        return sum(part.score for part in self.parts)

    @property
    def on_sample(self) -> bool:
        """Graded on the bundled data sample (--allow-sample): not a real grade."""
        return "sample" in self.data.values()

    @property
    def reason_text(self) -> str:
        return render(self.reasons)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "student": self.student, "assignment": self.assignment,
            "language": self.language, "profile": self.profile, "status": self.status,
            "reason": self.reason_text, "reasons": [r.to_json() for r in self.reasons],
            "score": self.score, "max_score": self.max_score,
            "parts": [part.to_json() for part in self.parts], "seconds": self.seconds,
            "notebook_seconds": self.notebook_seconds, "isolation": self.isolation,
            "kernel": self.kernel, "peak_memory_mb": self.peak_memory_mb,
            "threads": self.threads, "graded_at": self.graded_at,
            "submission_sha256": self.submission_sha256,
        }
        if self.data:
            data["data"] = self.data
        if self.preflight:
            data["preflight"] = self.preflight
        if self.notebooks:
            data["notebooks"] = self.notebooks
        if self.timeline:
            data["timeline"] = self.timeline.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        if "reasons" in data:
            reasons = [Reason.from_json(r) for r in data["reasons"]]
        else:  # written before reasons were data: read the English text back
            reasons = [parse(text) for text in str(data.get("reason") or "").split("; ") if text]
        return cls(
            str(data.get("student", "")), str(data.get("assignment", "")),
            status=str(data.get("status", GRADED)),
            parts=[Part.from_json(p) for p in data.get("parts") or []], reasons=reasons,
            language=str(data.get("language") or ""), profile=str(data.get("profile") or ""),
            max_score=float(data.get("max_score") or 0.0),
            seconds=float(data.get("seconds") or 0.0),
            notebook_seconds=data.get("notebook_seconds"),
            isolation=str(data.get("isolation") or ""), kernel=str(data.get("kernel") or ""),
            peak_memory_mb=data.get("peak_memory_mb"), threads=data.get("threads"),
            graded_at=str(data.get("graded_at") or ""),
            submission_sha256=str(data.get("submission_sha256") or ""),
            data=dict(data.get("data") or {}), preflight=str(data.get("preflight") or ""),
            notebooks=list(data.get("notebooks") or []),
            timeline=Timeline.from_json(data.get("timeline")))


def _reason_from(data: dict[str, Any]) -> Reason | None:
    if data.get("reason_code"):
        return Reason.from_json({"code": data["reason_code"],
                                 "params": data.get("reason_params") or {}})
    return parse(data["reason"]) if data.get("reason") else None
