"""One submission's result: the typed record every stage reads and writes.

The worker returns a `Result`; the coordinator completes it (language, profile,
timing, the submission's hash) and stores it as result.json through `to_json`;
feedback, export and report read it back with `from_json`. Error results, where
the grader itself failed, are built by `Result.error` alone.

Room for what comes next: `notebooks` (an assignment of several notebooks) and
`timeline` (seconds per phase) are carried through unchanged when empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograder.scoring.reasons import Reason, parse, reason, render

RESULT_FILE = "result.json"
GRADED, ERROR = "graded", "error"


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
    graded_at: str = ""
    submission_sha256: str = ""
    data: dict[str, str] = field(default_factory=dict)   # dataset → "full" or "sample"
    preflight: str = ""  # the batch's reference check: "passed", "cached" or "skipped"
    notebooks: list[str] = field(default_factory=list)    # several notebooks: their names
    timeline: dict[str, float] = field(default_factory=dict)  # phase → seconds
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
            "graded_at": self.graded_at, "submission_sha256": self.submission_sha256,
        }
        if self.data:
            data["data"] = self.data
        if self.preflight:
            data["preflight"] = self.preflight
        if self.notebooks:
            data["notebooks"] = self.notebooks
        if self.timeline:
            data["timeline"] = self.timeline
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
            peak_memory_mb=data.get("peak_memory_mb"), graded_at=str(data.get("graded_at") or ""),
            submission_sha256=str(data.get("submission_sha256") or ""),
            data=dict(data.get("data") or {}), preflight=str(data.get("preflight") or ""),
            notebooks=list(data.get("notebooks") or []),
            timeline=dict(data.get("timeline") or {}))


def _reason_from(data: dict[str, Any]) -> Reason | None:
    if data.get("reason_code"):
        return Reason.from_json({"code": data["reason_code"],
                                 "params": data.get("reason_params") or {}})
    return parse(data["reason"]) if data.get("reason") else None
