"""Grading an nbgrader assignment without grading.yml: nbgrader's semantics, this grader's engine.

An assignment of any nbgrader course (one or more notebooks and data files)
is graded as `nbgrader autograde` grades it, by nbgrader's own code:

- the coordinator sanitises each submitted notebook with nbgrader's autograde
  preprocessors (ClearOutput, DeduplicateIds, OverwriteKernelspec,
  OverwriteCells, CheckCellMetadata): read-only and test cells come back from
  the gradebook's source cells, hidden tests included;
- a worker runs the notebooks one after the other in one sandbox, the data
  files beside them read-only (`run_notebooks`), on warm kernels where it can;
- the coordinator scores each executed notebook with nbgrader's rules
  (IgnorePattern, LimitOutput, then `determine_grade`) and records it with
  nbgrader's SaveAutoGrades and AssignLatePenalties, so formgrader and
  `nbgrader export` read it as their own. Hand-graded cells and task cells
  are left to formgrader.

The course's settings come with it: its due date (from the course's own
gradebook), its late-penalty plugin (imported from the course root), its
autotests.yml; the kernel sees NBGRADER_EXECUTION=autograde.

Differences from nbgrader, each on purpose: a test cell the run never reached
scores 0 (nbgrader: full points); a submission without a readable time of its
own is on time (nbgrader stops at an unreadable one); a source for another
kernel than Python is refused. `tests/autograder/run/test_nbgrader_scenarios.py`
holds the table of nbgrader's autograde tests.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat

from autograder.common.course import (
    NotebookAssignment,
    NotebookSet,
    course_due_date,
    course_root,
    generation_config,
    load_course_config,
    load_notebook_assignment,
    non_python_kernel,
    notebook_spec,
    read_course_settings,
)
from autograder.common.errors import UserError
from autograder.common.files import file_sha256, write_atomic
from autograder.common.spec import Spec
from autograder.records import gradebook
from autograder.records.workspace import Workspace, open_workspace
from autograder.run import preflight
from autograder.sandbox import isolation, zygote
from autograder.scoring import nbgrader_mode
from autograder.scoring.reasons import Reason, reason
from autograder.scoring.result import GRADED, RESULT_FILE, Part, Result, Timeline

SANITISED = "submission.ipynb"  # the runner's input in the work folder (see worker)


# ---------------------------------------------------------------- the coordinator's side

def grade_notebook_batch(args: Any) -> int:
    """`autograder grade` for an assignment without grading.yml; 0 when all were graded."""
    from autograder.run.coordinator import _engine, _students, batch_slots
    from autograder.run.worker import usable_cpus

    workspace = open_workspace(args.course)
    assignment = load_notebook_assignment(workspace.source, args.assignment)
    _refuse_other_kernels(assignment)
    settings = read_course_settings(workspace.source)
    config = load_course_config(workspace.source)
    spec = notebook_spec(assignment, settings)
    profile = spec.profile(args.profile or ("gpu" if args.gpus else "cpu"))
    gpus = [g.strip() for g in args.gpus.split(",") if g.strip()] if args.gpus else []
    students = _students(workspace, assignment.name, args.student)
    todo = [s for s in students if args.force
            or not _up_to_date(workspace, assignment, s, profile.name)]
    if isolation.remove_leftovers():
        print("autograder grade: removed work folders left by killed workers", file=sys.stderr)
    warning = isolation.isolation_warning()
    if warning:
        print(f"autograder grade: warning: {warning}", file=sys.stderr)
    where = f", settings from {settings.config_file}" if settings.config_file else ""
    print(f"{assignment.name}: {len(students)} submissions, {len(todo)} to grade "
          f"({len(assignment.notebooks)} notebooks, nbgrader's semantics{where}; "
          f"{args.cluster})")
    if not todo:
        return 0
    root = course_root(workspace.source)
    gradebook.ensure_assignment(workspace, assignment.name, generation_config(config), root)
    gradebook.set_due_date(workspace, assignment.name,
                           course_due_date(workspace.source, assignment.name))
    _load_late_plugin(config, root)
    limits = dict(profile.limits)
    if args.timeout:
        limits["notebook_timeout"] = args.timeout
    if args.memory:
        limits["memory_gb"] = args.memory
    box_limits = isolation.Limits.from_spec(limits)
    slots = batch_slots(args, len(todo))
    threads = max(1, usable_cpus() // args.workers)  # as in coordinator.grade_batch
    first = str(assignment.notebook_path(assignment.notebooks[0]))
    preload = None if gpus else zygote.imports_of(Path(first))
    maximum = _autograded_points(assignment)
    batch = Batch(workspace, assignment, spec, profile.name, limits, box_limits, threads,
                  gpus, config, maximum)
    with (gradebook.one_engine_per_database(),
          _engine(args, slots, threads, preload, checker=False) as run_jobs):
        checked = "skipped"
        if args.preflight:
            checked = _preflight(batch, run_jobs)
        jobs = (batch.prepare(student, gpus[i % len(gpus)] if gpus else None)
                for i, student in enumerate(todo))
        results = [batch.store(job, result, checked) for job, result in run_jobs(jobs)]
    return _summarise(workspace, assignment, results, maximum)


class Batch:
    """What every job of one batch shares, and the two ends of a job: prepare and store."""

    def __init__(self, workspace: Workspace, assignment: NotebookAssignment, spec: Spec,
                 profile: str, limits: dict, box_limits: isolation.Limits, threads: int,
                 gpus: list[str], config: Any, maximum: float):
        self.workspace, self.assignment, self.spec = workspace, assignment, spec
        self.profile, self.limits, self.box_limits = profile, limits, box_limits
        self.threads, self.gpus, self.config, self.maximum = threads, gpus, config, maximum

    def job(self, student: str, notebooks: dict[str, str], gpu: str | None,
            notes: list[Reason], unfit: str = ""):
        from autograder.run.worker import Job

        files = {relative: str(self.assignment.folder / relative)
                 for relative in self.assignment.files}
        first = str(self.assignment.notebook_path(self.assignment.notebooks[0]))
        hide = [self.workspace.root, self.workspace.source, self.assignment.folder.parent,
                Path.home() / ".keras"]
        return Job(self.assignment.name, student, self.spec, "", {}, self.profile, self.limits,
                   self.box_limits, None, None, [str(p) for p in hide], self.threads, gpu,
                   notes, unfit=unfit,
                   notebooks=NotebookSet(notebooks, files, first) if not unfit else None)

    def prepare(self, student: str, gpu: str | None):
        """The submitted notebooks, sanitised by nbgrader's autograde preprocessors."""
        folder = self.workspace.submitted(student, self.assignment.name)
        notebooks, notes = {}, []
        for name in self.assignment.notebooks:
            path = folder / f"{name}.ipynb"
            if not path.is_file():
                notes.append(reason("missing_notebook", notebook=name))
                continue
            try:
                notebooks[name] = nbformat.writes(self.sanitise(student, name, path))
            except Exception as error:  # nbgrader's own errors on notebooks it cannot fix
                return self.job(student, {}, gpu, notes,
                                unfit=f"{name}: {type(error).__name__}: {error}")
        return self.job(student, notebooks, gpu, notes)

    def sanitise(self, student: str, name: str, path: Path):
        from nbgrader.preprocessors import (
            CheckCellMetadata,
            ClearOutput,
            DeduplicateIds,
            OverwriteCells,
            OverwriteKernelspec,
        )

        notebook = nbformat.read(path, as_version=4)
        resources = {"nbgrader": {"notebook": name, "assignment": self.assignment.name,
                                  "student": student, "db_url": self.workspace.db_url}}
        for kind in (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
                     CheckCellMetadata):
            preprocessor = kind(config=self.config)
            preprocessor.log.setLevel("ERROR")
            notebook, resources = preprocessor.preprocess(notebook, resources)
        return notebook

    def store(self, job, result: Result, checked: str) -> Result:
        """Score the executed notebooks by nbgrader's rules; write them, result.json, the
        gradebook."""
        folder = self.workspace.autograded(job.student, job.assignment)
        shutil.rmtree(folder, ignore_errors=True)  # as nbgrader's --force: no stale data files
        folder.mkdir(parents=True)
        submitted = self.workspace.submitted(job.student, job.assignment)
        executed, manual = {}, 0
        for name, text in result.executed_notebooks.items():
            notebook = nbgrader_mode.prepare(nbformat.reads(text, as_version=4), self.config)
            parts, by_hand = nbgrader_mode.score_notebook(
                name, notebook, prefix=len(self.assignment.notebooks) > 1)
            result.parts += parts
            manual += by_hand
            executed[name] = notebook
        if manual:
            result.reasons.append(reason("manual_cells", count=manual))
        result.reasons = [*result.reasons, *job.notes]
        result.notebooks = list(self.assignment.notebooks)
        result.profile, result.max_score, result.preflight = job.profile, self.maximum, checked
        result.graded_at = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds")
        result.submission_sha256 = submission_digest(submitted, self.assignment)
        for relative in self.assignment.files:  # as nbgrader copies them: feedback shows them
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.assignment.folder / relative, target)
        if (submitted / "timestamp.txt").is_file():
            shutil.copyfile(submitted / "timestamp.txt", folder / "timestamp.txt")
        for name, notebook in executed.items():
            write_atomic(folder / f"{name}.ipynb", nbformat.writes(notebook))
        if result.status == GRADED:
            missing = [name for name in self.assignment.notebooks if name not in executed]
            gradebook.record_notebooks(self.workspace, job.assignment, job.student, executed,
                                       missing, submitted_at(self.workspace, job.student,
                                                             self.assignment), self.config)
        write_atomic(folder / RESULT_FILE,
                     json.dumps(result.to_json(), indent=1, ensure_ascii=False) + "\n")
        return result


def _preflight(batch: Batch, run_jobs) -> str:
    """The source notebooks, run through this batch's path, must pass every test cell."""
    key = preflight.fingerprint(batch.spec, batch.profile, batch.limits, {}, None, {},
                                batch.gpus)
    if preflight.cached_pass(batch.workspace, batch.assignment.name, key):
        print("preflight: the source notebooks passed before under the same conditions")
        return "cached"
    from nbgrader.preprocessors import ClearOutput

    notebooks = {}
    for name in batch.assignment.notebooks:
        source = nbformat.read(batch.assignment.notebook_path(name), as_version=4)
        notebooks[name] = nbformat.writes(ClearOutput().preprocess(source, {})[0])
    job = batch.job(preflight.REFERENCE, notebooks, batch.gpus[0] if batch.gpus else None, [])
    print("preflight: running the source notebooks first …")
    _, result = next(iter(run_jobs(iter([job]))))
    parts: list[Part] = []
    for name, text in result.executed_notebooks.items():
        notebook = nbgrader_mode.prepare(nbformat.reads(text, as_version=4), batch.config)
        parts += [part for part in nbgrader_mode.score_notebook(name, notebook)[0]
                  if part.points > 0]
    score = sum(part.score for part in parts)
    if result.status != GRADED or score < batch.maximum - preflight.FULL:
        short = [f"{part.cell}: {part.reason.text() if part.reason else 'no points'}"
                 for part in parts if part.score < part.points][:2]
        raise UserError(f"preflight: the source notebooks of {batch.assignment.name} scored "
                        f"{score:g}/{batch.maximum:g} on their test cells through this batch's "
                        f"own sandbox and limits ({result.reason_text or '; '.join(short)}); "
                        "nothing was graded or recorded (--no-preflight skips this check)")
    write_atomic(preflight.cache_file(batch.workspace, batch.assignment.name),
                 json.dumps({"fingerprint": key, "score": score}, indent=1) + "\n")
    print(f"preflight: the source notebooks scored {score:g}/{batch.maximum:g}")
    return "passed"


def _refuse_other_kernels(assignment: NotebookAssignment) -> None:
    """Notebooks run on a Python kernel here: a source written for another is refused."""
    for name in assignment.notebooks:
        language = non_python_kernel(nbformat.read(assignment.notebook_path(name),
                                                   as_version=4))
        if language:
            raise UserError(f"{assignment.name}/{name}.ipynb is written for a {language} "
                            "kernel; this grader runs nbgrader assignments on Python kernels "
                            "only (grade it with `nbgrader autograde`)")


def _load_late_plugin(config: Any, root: Path) -> None:
    """Import the course's late-penalty plugin now, from the course root as nbgrader does
    (it puts its working folder on sys.path): a typo stops the batch before any grading."""
    from nbgrader.preprocessors import AssignLatePenalties

    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        AssignLatePenalties(config=config).init_plugin()
    except Exception as error:  # the instructor's module: any error is theirs to fix
        raise UserError(f"the course's late-submission plugin cannot be loaded from {root} "
                        f"({type(error).__name__}: {error})") from None


def _autograded_points(assignment: NotebookAssignment) -> float:
    return sum(nbgrader_mode.autograded_points(nbformat.read(assignment.notebook_path(name),
                                                             as_version=4))
               for name in assignment.notebooks)


def submission_digest(folder: Path, assignment: NotebookAssignment) -> str:
    """One digest of every submitted notebook of the assignment (absent ones count) and of
    its timestamp: a new submission time is regraded, so its late penalty follows
    (nbgrader's issue 723 needs `--force` for that)."""
    digest = hashlib.sha256()
    for name in assignment.notebooks:
        path = folder / f"{name}.ipynb"
        digest.update(f"{name}:{file_sha256(path) if path.is_file() else '-'};".encode())
    stamp = folder / "timestamp.txt"
    digest.update(f"timestamp:{file_sha256(stamp) if stamp.is_file() else '-'};".encode())
    return digest.hexdigest()


def _up_to_date(workspace: Workspace, assignment: NotebookAssignment, student: str,
                profile: str) -> bool:
    try:
        recorded = json.loads((workspace.autograded(student, assignment.name)
                               / RESULT_FILE).read_text())
    except (OSError, ValueError):
        return False
    submitted = workspace.submitted(student, assignment.name)
    return (recorded.get("status") == GRADED and recorded.get("profile") == profile
            and recorded.get("submission_sha256") == submission_digest(submitted, assignment))


def submitted_at(workspace: Workspace, student: str,
                 assignment: NotebookAssignment) -> datetime.datetime | None:
    """When the submission was handed in, for the late penalty; None when nobody knows.

    collect writes a timestamp.txt for every submission, the time of collection
    where the submission came with none of its own (a plain folder, an nbgrader
    timestamp.txt that is empty or unreadable). nbgrader counts a submission
    without a timestamp as on time: so does this, where the manifest says the
    notebooks came without a time and the file still holds that of collection.
    """
    from nbgrader.utils import parse_utc

    folder = workspace.submitted(student, assignment.name)
    try:
        stamp = parse_utc((folder / "timestamp.txt").read_text().strip())
    except (OSError, ValueError, OverflowError):
        return None
    return None if _collected_without_time(workspace, student, assignment, stamp) else stamp


def _collected_without_time(workspace: Workspace, student: str,
                            assignment: NotebookAssignment, stamp: datetime.datetime) -> bool:
    folder = workspace.submitted(student, assignment.name)
    digests = {file_sha256(path) for name in assignment.notebooks
               if (path := folder / f"{name}.ipynb").is_file()}
    entries = []
    try:
        with workspace.manifest.open(encoding="utf-8") as manifest:
            for line in manifest:
                entry = json.loads(line) if line.strip() else {}
                if (entry.get("student") == student and entry.get("assignment") == assignment.name
                        and entry.get("sha256") in digests and entry.get("installed")):
                    entries.append(entry)
    except (OSError, ValueError):
        return False
    if not entries or any(entry.get("submitted") for entry in entries):
        return False
    received = {datetime.datetime.fromisoformat(entry["received"]).astimezone(
        datetime.timezone.utc).replace(tzinfo=None) for entry in entries if entry.get("received")}
    return any(abs((when - stamp).total_seconds()) < 1 for when in received)


def _summarise(workspace: Workspace, assignment: NotebookAssignment, results: list[Result],
               maximum: float) -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{assignment.name} (nbgrader's semantics; hand-graded cells: "
                        "formgrader)")
    columns = ("student", *assignment.notebooks, "autograded", "reason", "seconds")
    for column in columns:
        table.add_column(column, justify="left" if column in ("student", "reason") else "right")
    for result in sorted(results, key=lambda r: r.student):
        several = len(assignment.notebooks) > 1  # else the parts are named by grade ID alone
        per_notebook = [sum(p.score for p in result.parts
                            if not several or p.cell.startswith(name + "/"))
                        for name in assignment.notebooks]
        table.add_row(result.student, *(f"{score:g}" for score in per_notebook),
                      f"{result.score:g}/{maximum:g}",
                      result.reason_text or "-", f"{result.seconds:.1f}")
    Console(stderr=False, width=140).print(table)
    errors = [r for r in results if r.status != GRADED]
    if errors:
        print(f"autograder grade: {len(errors)} submissions were not graded (see "
              f"{workspace.root / 'autograded'}/*/{assignment.name}/{RESULT_FILE})",
              file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------- the worker's side

def run_notebooks(job, work: Path) -> Result:
    """Run each notebook of `job.notebooks` in turn in one sandbox; the scores come later."""
    from autograder.run import worker as engine

    notebook_set: NotebookSet = job.notebooks
    for relative, host_path in notebook_set.files.items():
        target = work / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(host_path, target)
        target.chmod(0o444)  # without bubblewrap, only this stands between them and a write
    readonly = sorted({Path(relative).parts[0] for relative in notebook_set.files})
    box = isolation.Sandbox(work, None, [Path(p) for p in job.hide], job.box_limits,
                            readonly=readonly)
    env = {**engine._sandbox_env(job, box),
           "NBGRADER_EXECUTION": "autograde"}  # as nbgrader's autograde sets it
    preload = SimpleNamespace(notebook=Path(notebook_set.preload_from))
    executed, reasons, seconds, peak = {}, [], 0.0, 0
    run, kernel, timeline = None, "", Timeline()
    for name, text in notebook_set.notebooks.items():
        for leftover in (SANITISED, engine.EXECUTED, "status.json", zygote.KERNEL_FILE,
                         zygote.PID_FILE):
            (work / leftover).unlink(missing_ok=True)
        (work / SANITISED).write_text(text, encoding="utf-8")
        run, kernel, launched = engine._run_notebook(job, preload, box, env, work)
        ended = time.monotonic()
        status = engine._read_json(work / "status.json")
        if not run.killed and engine._outgrew(box, work):
            run.killed = "disk"
        infrastructure = engine._infrastructure_failure(run, status, work / "runner.log")
        if infrastructure:
            return Result.error(job.student, job.assignment, f"{name}: {infrastructure}")
        notebook = (engine._read_notebook(work / engine.EXECUTED)
                    or nbformat.reads(text, as_version=4))
        stopped = engine._stop_reason(run, status, notebook)
        if stopped is not None:
            reasons.append(stopped)
        reasons += [found for found in _interrupted_cells(engine, notebook)
                    if found not in reasons]
        _add_timeline(timeline, name, engine.notebook_timeline(status, notebook, launched, ended))
        nbgrader_mode.mark_never_ran(notebook, set(status.get("executed", [])))
        executed[name] = nbformat.writes(notebook)
        seconds += run.seconds
        peak = max(peak, run.peak_memory)
    return Result(job.student, job.assignment, GRADED, [], reasons,
                  isolation=run.isolation if run else "", kernel=kernel,
                  peak_memory_mb=round(peak / 2**20), notebook_seconds=round(seconds, 2),
                  executed_notebooks=executed, timeline=timeline)


def _interrupted_cells(engine: Any, notebook: Any) -> list[Reason]:
    """A reason for each cell nbgrader's Execute interrupted at the cell timeout (it records
    a CellTimeoutError output and goes on, so the run itself does not stop)."""
    return [reason("timeout", cell=engine._cell_number(notebook, index))
            for index, cell in enumerate(notebook.cells)
            if any(output.get("ename") == "CellTimeoutError"
                   for output in cell.get("outputs", []))]


def _add_timeline(timeline: Timeline, name: str, notebook: Timeline) -> None:
    """One notebook's phases added to the submission's; its cells named by notebook."""
    for phase, seconds in notebook.phases.items():
        timeline.add(phase, seconds)
    timeline.cells += [dataclasses.replace(cell, cell=f"{name}/{cell.cell}" if cell.cell else name)
                       for cell in notebook.cells]
