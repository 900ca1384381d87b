"""Report on one assignment: score histogram, pass rate per test, text summary.

Writes into DIR (`-o`):
  scores.png     histogram of the submissions' scores, out of the assignment's maximum
  pass_rate.png  per graded cell (by grade id): share of submissions earning its full points
  summary.txt    (also printed) counts, score statistics, pass rates, why points were lost
                 per test, failure reasons, where the time went (each phase of the
                 grader and the notebook's cells: median and 90th percentile per
                 submission), and the slowest submissions

Scores come from nbgrader's gradebook (manual grades from formgrader included);
failure reasons, statuses and times from each submission's result.json, where
the grade verb left one. Every file is written to a temporary name first and
renamed into place only once all three are complete.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder.common.errors import UserError
from autograder.common.spec import load_spec
from autograder.records.results import (
    AssignmentScores,
    atomic_outputs,
    format_points,
    load_result,
    output_path,
    read_gradebook,
)
from autograder.records.workspace import Workspace, add_course_arguments, open_workspace
from autograder.scoring.reasons import render
from autograder.scoring.result import ERROR, PHASES, Result, Timeline

OUTPUTS = ("scores.png", "pass_rate.png", "summary.txt")
SLOWEST = 5
LOST_REASONS = 3
FULL = 1e-9  # tolerance for "earned the cell's full points"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment to report on")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                        help="folder for scores.png, pass_rate.png and summary.txt "
                             "(made if missing)")
    add_course_arguments(parser)


def run(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.course)
    folder = output_path(workspace, args.output, folder=True)
    data = collect(workspace, args.assignment)
    summary = summary_text(data)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"cannot make {args.output}: {error.strerror or error}") from None
    with atomic_outputs([folder / name for name in OUTPUTS]) as (scores, pass_rate, text):
        plot_scores(data, scores)
        plot_pass_rate(data, pass_rate)
        text.write_text(summary, encoding="utf-8")
    print(summary, end="")
    print(f"\nwritten to {folder}: {', '.join(OUTPUTS)}")
    return 0


@dataclass
class Graded:
    """One submission: its score from the gradebook, and what its result.json says."""
    student: str
    score: float
    cells: dict[str, float]
    status: str | None      # "graded", "error", or None without a result.json
    reason: str
    seconds: float | None
    lost: dict[str, str] = field(default_factory=dict)  # grade id → why its points were lost
    on_sample: bool = False  # graded on the bundled data sample (--allow-sample)
    unchecked: bool = False  # graded with --no-preflight: the reference was not graded first
    timeline: Timeline = field(default_factory=Timeline)  # empty: none recorded
    notebooks: dict[str, float] = field(default_factory=dict)  # notebook → points earned
    pending: list[str] = field(default_factory=list)  # cells awaiting hand grading


@dataclass
class ReportData:
    assignment: str
    title: str
    max_score: float
    cells: dict[str, float]  # grade id → points, in notebook order
    submissions: list[Graded]
    notebooks: dict[str, float] = field(default_factory=dict)  # notebook → its maximum

    def waiting(self, cell: str) -> int:
        """How many submissions still await hand grading on `cell`."""
        return sum(1 for submission in self.submissions if cell in submission.pending)

    @property
    def scores(self) -> list[float]:
        return [submission.score for submission in self.submissions]

    def passed(self, cell: str) -> int:
        points = self.cells[cell]
        return sum(1 for submission in self.submissions
                   if submission.cells.get(cell, 0.0) >= points - FULL)


def collect(workspace: Workspace, assignment: str) -> ReportData:
    book = read_gradebook(workspace)
    if assignment not in book:
        if any((workspace.source / assignment).glob("*.ipynb")):  # recorded, not graded
            raise UserError(f"no graded submissions of {assignment} yet "
                            "(run `autograder grade` first)")
        listed = ", ".join(sorted(book)) or "none yet"
        raise UserError(f"unknown assignment {assignment!r} (the gradebook has: {listed})")
    scores: AssignmentScores = book[assignment]
    if not scores.submissions:
        raise UserError(f"no graded submissions of {assignment} yet (run `autograder grade` first)")
    graded = []
    for student in sorted(scores.submissions):
        submission = scores.submissions[student]
        result = load_result(workspace, student, assignment)
        status = result.status if result is not None else None
        reason = _reason(result)
        if status == ERROR and not reason:
            reason = "grading error (no reason recorded)"
        seconds = result.seconds if result is not None else None
        graded.append(Graded(student, submission.score, submission.cells, status, reason,
                             seconds, _lost_points(result),
                             result is not None and result.on_sample,
                             result is not None and result.preflight == "skipped",
                             result.timeline if result is not None else Timeline(),
                             submission.notebooks, submission.pending))
    return ReportData(assignment, _title(workspace, assignment), scores.max_score,
                      scores.cells, graded, scores.notebooks if scores.several else {})


def _reason(result: Result | None) -> str:
    """result.json's reasons, less its count of cells left to formgrader: that is not a
    failure, and the gradebook says what still waits now (the WARNING line)."""
    if result is None:
        return ""
    return render([r for r in result.reasons if r.code != "manual_cells"]).strip()


def _lost_points(result: Result | None) -> dict[str, str]:
    """cell → why it fell short of full points (the instructor's report is in English)."""
    if result is None:
        return {}
    return {part.cell: part.reason.text() for part in result.parts
            if part.score < part.points - FULL and part.reason is not None}


def _title(workspace: Workspace, assignment: str) -> str:
    try:
        return load_spec(workspace.source / assignment).title["en"]
    except UserError:  # the report stands on the gradebook alone
        return ""


# --- the summary -----------------------------------------------------------------------------

def summary_text(data: ReportData) -> str:
    total = len(data.submissions)
    scores = data.scores
    lines = [f"{data.assignment}: {data.title}" if data.title else data.assignment]
    statuses = Counter(submission.status or "no result.json" for submission in data.submissions)
    described = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    lines.append(f"submissions: {total} ({described})")
    on_sample = sum(submission.on_sample for submission in data.submissions)
    unchecked = sum(submission.unchecked for submission in data.submissions)
    if unchecked:
        lines.append(f"WARNING: {unchecked} graded with --no-preflight: the reference solution "
                     "was not graded first")
    if on_sample:
        lines.append(f"WARNING: {on_sample} graded on the bundled data sample (--allow-sample): "
                     "trial grades, not final ones")
    waiting = [submission for submission in data.submissions if submission.pending]
    if waiting:
        lines.append(f"WARNING: {len(waiting)} {'has' if len(waiting) == 1 else 'have'} "
                     f"answers awaiting hand grading in formgrader "
                     f"({sum(len(s.pending) for s in waiting)} cells): their scores count them "
                     "as 0, so they are provisional; report again once they are graded")
    lines.append(f"score out of {format_points(data.max_score)}: "
                 f"mean {statistics.fmean(scores):.2f}, "
                 f"median {format_points(statistics.median(scores))}, "
                 f"min {format_points(min(scores))}, max {format_points(max(scores))}")
    if data.notebooks:  # the score is the sum of the notebooks' scores
        means = {notebook: statistics.fmean(s.notebooks.get(notebook, 0.0)
                                            for s in data.submissions)
                 for notebook in data.notebooks}
        lines.append("per notebook (mean out of its maximum): " + ", ".join(
            f"{notebook} {means[notebook]:.2f}/{format_points(maximum)}"
            for notebook, maximum in data.notebooks.items()))
    lines += ["", "pass rate per test (submissions with the cell's full points):"]
    width = max((len(cell) for cell in data.cells), default=0)
    for cell, points in data.cells.items():
        passed = data.passed(cell)
        waiting_here = data.waiting(cell)
        lines.append(f"  {cell:<{width}}  {passed:>{len(str(total))}}/{total}  "
                     f"{100 * passed / total:3.0f}%  ({format_points(points)} "
                     f"{'point' if points == 1 else 'points'}"
                     f"{f', {waiting_here} awaiting hand grading' if waiting_here else ''})")
    if not data.cells:
        lines.append("  (no graded cells)")
    lines += ["", f"why points were lost (the {LOST_REASONS} commonest reasons per test):"]
    for cell in data.cells:
        reasons = Counter(s.lost[cell] for s in data.submissions if cell in s.lost)
        for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])
                                    )[:LOST_REASONS]:
            lines.append(f"  {cell:<{width}}  {count:>{len(str(total))}}  {reason}")
    if not any(s.lost for s in data.submissions):
        lines.append("  none recorded")
    lines += ["", "failure reasons:"]
    reasons = Counter(submission.reason for submission in data.submissions if submission.reason)
    for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"  {count:>{len(str(total))}}  {reason}")
    if not reasons:
        lines.append("  none")
    lines += ["", *time_spent(data)]
    timed = sorted((s for s in data.submissions if s.seconds is not None),
                   key=lambda s: (-s.seconds, s.student))[:SLOWEST]
    lines += ["", "slowest submissions:"]
    student_width = max((len(s.student) for s in timed), default=0)
    for submission in timed:
        reason = f"  {submission.reason}" if submission.reason else ""
        lines.append(f"  {submission.student:<{student_width}}  "
                     f"{submission.seconds:7.1f} s{reason}")
    if not timed:
        lines.append("  (no times recorded)")
    return "\n".join(lines) + "\n"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.9: the 90th) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def time_spent(data: ReportData) -> list[str]:
    """Seconds per phase, per submission (median and 90th percentile), from the timelines."""
    timelines = [s.timeline for s in data.submissions if s.timeline]
    lines = [f"where the time went (seconds per submission, median and 90th percentile, "
             f"{len(timelines)} timelines):"]
    if not timelines:
        return [*lines, "  (no timelines recorded)"]
    rows = [(phase, [t.phases.get(phase, 0.0) for t in timelines]) for phase in PHASES
            if phase != "cells" and any(phase in t.phases for t in timelines)]
    rows += [("grader overhead", [t.overhead for t in timelines]),
             ("notebook cells", [t.phases.get("cells", 0.0) for t in timelines])]
    width = max(len(name) for name, _ in rows)
    for name, values in rows:
        lines.append(f"  {name:<{width}}  {statistics.median(values):7.2f}  "
                     f"{percentile(values, 0.9):7.2f}")
    by_cell: dict[str, list[float]] = {}
    for timeline in timelines:
        for cell in timeline.cells:
            by_cell.setdefault(cell.cell or f"cell {cell.number}", []).append(cell.seconds)
    slowest = sorted(by_cell.items(), key=lambda item: -statistics.median(item[1]))[:3]
    lines.append("  slowest cells (median): " + ", ".join(
        f"{name} {statistics.median(values):.2f}" for name, values in slowest))
    return lines


# --- the plots -------------------------------------------------------------------------------

def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # Agg, whatever the user's default backend
    return figure


def plot_scores(data: ReportData, path: Path) -> None:
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    top = max(data.max_score, max(data.scores), 1.0)
    # up to 40 points: one bar per point, centred on it; beyond, 20 bars
    edges = (np.arange(0.0, np.floor(top) + 2.0) - 0.5 if top <= 40
             else np.linspace(0.0, top, 21))
    figure = _figure(6.4, 4.0)
    axes = figure.add_subplot()
    counts, _, _ = axes.hist(data.scores, bins=edges, color="#4c72b0", edgecolor="white")
    mean = statistics.fmean(data.scores)
    axes.axvline(mean, color="#c44e52", linestyle="--", label=f"mean {mean:.2f}")
    axes.set_xlim(edges[0], edges[-1])
    axes.set_ylim(0, max(counts) * 1.25)  # room for the legend above the bars
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(f"score (out of {format_points(data.max_score)})")
    axes.set_ylabel("submissions")
    axes.set_title(f"{data.assignment}: {len(data.submissions)} submissions")
    axes.legend(loc="upper center")
    figure.savefig(path, format="png", dpi=100)


def plot_pass_rate(data: ReportData, path: Path) -> None:
    cells = list(data.cells)
    total = len(data.submissions)
    rates = [100 * data.passed(cell) / total for cell in cells]
    figure = _figure(6.4, 1.2 + 0.4 * max(len(cells), 1))
    axes = figure.add_subplot()
    positions = range(len(cells))
    axes.barh(positions, rates, color="#55a868")
    for position, cell, rate in zip(positions, cells, rates, strict=True):
        axes.text(min(rate + 1, 90), position, f"{data.passed(cell)}/{total}", va="center",
                  fontsize=8)
    axes.set_yticks(list(positions), cells)
    axes.invert_yaxis()  # the notebook's first test at the top
    axes.set_xlim(0, 100)
    axes.set_xlabel("submissions with the cell's full points (%)")
    axes.set_title(f"{data.assignment}: pass rate per test")
    figure.savefig(path, format="png", dpi=100)
