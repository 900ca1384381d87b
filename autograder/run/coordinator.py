"""The batch engine's coordinator: prepare each submission, hand it to a worker, store the result.

The coordinator (the grade verb's process) restores locked and test cells from
the source with nbgrader's OverwriteCells, injects the budget with papermill,
hands each prepared notebook to a worker (a local process pool or a Dask
cluster), and is the only writer of the gradebook. A batch that is killed
resumes where it stopped; `force` regrades. Workers run notebooks on warm
kernels where they can (autograder.sandbox.zygote).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from autograder.common.assignment import load_assignment
from autograder.common.bilingual import language_of
from autograder.common.course import is_notebook_assignment
from autograder.common.errors import UserError
from autograder.common.files import file_sha256, write_atomic
from autograder.common.spec import Spec
from autograder.intake.recover import recover_cell_metadata
from autograder.records import gradebook
from autograder.records.nbgrader import release_files
from autograder.records.workspace import Workspace, open_workspace, select_students
from autograder.run import preflight
from autograder.run.worker import (
    CoreBudget,
    Job,
    grade_job,
    start_local_worker,
    usable_cpus,
)
from autograder.sandbox import isolation, zygote
from autograder.scoring import heldout
from autograder.scoring.reasons import Reason, reason
from autograder.scoring.result import GRADED, RESULT_FILE, Result


@dataclass(frozen=True)
class BatchOptions:
    """What the grade verb asks for (the command line's options, checked)."""

    assignment: str
    course: Path
    workers: int
    cluster: str = "local"           # local, tcp://HOST:PORT or slurm
    profile: str | None = None       # default: gpu with gpus, else cpu
    timeout: float | None = None     # seconds per notebook
    memory: float | None = None      # GB per notebook
    gpus: str | None = None          # e.g. "0,1"
    student: list[str] | None = None
    force: bool = False
    data: str | None = None
    allow_sample: bool = False       # grade on the bundled sample when the full data is absent
    preflight: bool = True           # grade the reference solution first, refuse unless full


def grade_batch(args: BatchOptions) -> int:
    """Grade the submissions `args` selects; 0 when every one was graded, 1 on grader errors."""
    workspace = open_workspace(args.course)
    if is_notebook_assignment(workspace.source, args.assignment):
        # no grading.yml: an nbgrader course's assignment, graded with nbgrader's semantics
        from autograder.run.notebooks import grade_notebook_batch

        return grade_notebook_batch(args)
    spec, _ = load_assignment(workspace.source, args.assignment)
    profile = spec.profile(args.profile or ("gpu" if args.gpus else "cpu"))
    gpus = [g.strip() for g in args.gpus.split(",") if g.strip()] if args.gpus else []
    students = _students(workspace, spec.assignment, args.student)
    todo = [s for s in students if args.force or not _up_to_date(workspace, spec, s, profile.name)]
    leftovers = isolation.remove_leftovers()  # of workers killed in an earlier batch
    if leftovers:
        print(f"autograder grade: removed {len(leftovers)} work folder(s) and cgroup(s) left "
              "by killed workers", file=sys.stderr)
    warning = isolation.isolation_warning()
    if warning:
        print(f"autograder grade: warning: {warning}", file=sys.stderr)
    print(f"{spec.assignment}: {len(students)} submissions, {len(todo)} to grade "
          f"(profile {profile.name}, {args.cluster})")
    if not todo:
        return 0
    data_dir = args.data or os.environ.get("CNNBOOK_DATA") or None
    if not args.allow_sample:
        heldout.refuse_sample(spec.data, data_dir)  # before anything is recorded
    gradebook.ensure_assignment(workspace, spec.assignment)
    grading_data, kinds = heldout.stage(spec.data, data_dir, workspace.root / ".grading-data")
    limits = dict(profile.limits)
    if args.timeout:
        limits["notebook_timeout"] = args.timeout
    if args.memory:
        limits["memory_gb"] = args.memory
    released = _released_checksums(workspace, spec.assignment)
    key = preflight.fingerprint(spec, profile.name, limits, profile.parameters, data_dir,
                                kinds, gpus)
    rerun = args.preflight and not preflight.cached_pass(workspace, spec.assignment, key)
    slots = batch_slots(args, len(todo) + rerun)
    # the share of --workers, not of this batch's slots: every submission of a class gets the
    # same count whatever batch it falls in (benchmarks/thread_counts.py: two threads change
    # the numbers, and make an A3 notebook slower). A Dask worker decides its own.
    threads = max(1, usable_cpus() // args.workers)
    if args.cluster == "local":
        print(f"{slots} notebook(s) at once, {threads} thread(s) each")
    box_limits = isolation.Limits.from_spec(limits)  # once per batch: every job shares it
    preload = None if gpus else zygote.imports_of(spec.notebook)  # GPU runners: cold kernels
    # the cluster is reached first: a bad address is one line. One pool (or Dask client)
    # serves the preflight and the batch, so the reference runs on the same warm kernels
    with _engine(args, slots, threads, preload) as run_jobs:
        reference = None
        if rerun:
            reference = _preflight(workspace, spec, profile, limits, box_limits, data_dir,
                                   grading_data, released, threads, gpus, key)
        elif args.preflight:
            print("preflight: the reference solution passed before under the same conditions")
        checked = "skipped" if not args.preflight else "cached" if reference is None else "passed"
        jobs = (_prepare(workspace, spec, student, profile, limits, box_limits, data_dir,
                         grading_data, released, threads,
                         gpus[i % len(gpus)] if gpus else None)
                for i, student in enumerate(todo))  # prepared while the first ones run
        jobs = (_keep_threads(workspace, job, profile.name) for job in jobs)
        results = _execute(jobs, len(todo), args, run_jobs, spec.total_points, kinds, checked,
                           reference)
    return _summarise(workspace, spec, results, kinds, checked)


@dataclass
class Reference:
    """The preflight's job, graded beside the first submissions, and how to judge it."""

    job: Job
    judge: Callable[[Result], None]  # raises UserError unless the reference earned full marks


def batch_slots(args: BatchOptions, jobs: int) -> int:
    """How many notebooks run at once: the workers asked for, but no more than there are
    jobs (a single regrade starts one worker, and one zygote, not two).

    On a Dask cluster the workers are started as asked and each divides its own machine."""
    if args.cluster != "local":
        return args.workers
    return max(1, min(args.workers, jobs))


def _keep_threads(workspace: Workspace, job: Job, profile: str) -> Job:
    """The thread count that graded this very submission before, whatever the batch's share
    (or, on a Dask cluster, the worker's): a regrade computes exactly what the grade did.

    A seeded training gives bit-identical weights at one thread count and slightly
    different ones at another, so an accuracy near the threshold could cross it. The
    local pool's CoreBudget makes a job that keeps more threads wait for the cores.
    """
    recorded = _recorded(workspace, job.spec, job.student, profile).get("threads")
    if not job.unfit and isinstance(recorded, int) and 1 <= recorded <= usable_cpus():
        job.threads, job.threads_kept = recorded, True
    return job


def _preflight(workspace: Workspace, spec: Spec, profile, limits: dict,
               box_limits: isolation.Limits, data_dir: str | None, grading_data: Path,
               released: dict[str, str], threads: int, gpus: list[str],
               key: str) -> Reference:
    """The reference solution's job through this batch's path (it did not pass before under
    the same conditions)."""
    job = _prepare(workspace, spec, preflight.REFERENCE, profile, limits, box_limits, data_dir,
                   grading_data, released, threads, gpus[0] if gpus else None,
                   path=spec.notebook)
    print("preflight: grading the reference solution first, beside the first submissions; "
          "nothing is recorded until it has passed …")

    def judge(result: Result) -> None:
        preflight.judge(workspace, spec, result, key)
        print(f"preflight: the reference solution scored {result.score:g}/"
              f"{spec.total_points:g}")

    return Reference(job, judge)


def _students(workspace: Workspace, assignment: str, requested: list[str] | None) -> list[str]:
    return select_students(
        workspace.students(assignment), requested,
        unknown=f"no submission of {assignment} from {{student}}",
        none=f"no submissions of {assignment} in {workspace.root / 'submitted'} "
             "(run `autograder collect` first)")


def _up_to_date(workspace: Workspace, spec: Spec, student: str, profile: str) -> bool:
    return bool(_recorded(workspace, spec, student, profile))


def _recorded(workspace: Workspace, spec: Spec, student: str, profile: str) -> dict:
    """The stored result.json of this very submission graded with `profile`, else {}."""
    result = workspace.autograded(student, spec.assignment) / RESULT_FILE
    try:
        recorded = json.loads(result.read_text())
    except (OSError, ValueError):
        return {}
    submitted = workspace.submitted(student, spec.assignment) / f"{spec.assignment}.ipynb"
    if (isinstance(recorded, dict) and recorded.get("status") == "graded"
            and recorded.get("profile") == profile
            and recorded.get("submission_sha256") == file_sha256(submitted)):
        return recorded
    return {}


def _released_checksums(workspace: Workspace, assignment: str) -> dict[str, str]:
    """Checksums of the locked cells as students received them (either language), cached."""
    from nbgrader.utils import compute_checksum

    cache = workspace.root / "source" / assignment / ".released-checksums.json"
    digest = gradebook.source_digest(workspace.source / assignment, assignment)
    try:
        cached = json.loads(cache.read_text())
        if cached["digest"] == digest:
            return cached["checksums"]
    except (OSError, ValueError, KeyError):
        pass
    released = workspace.root / "release" / assignment / f"{assignment}.ipynb"
    if released.is_file():  # what ensure_assignment's nbgrader run just wrote
        notebook = nbformat.read(released, as_version=4)
    else:
        files = release_files(workspace.source, assignment)["en"]
        notebook = nbformat.reads(files[f"{assignment}.ipynb"].decode("utf-8"), as_version=4)
    checksums = {cell.metadata.nbgrader["grade_id"]: compute_checksum(cell)
                 for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("locked")}
    cache.write_text(json.dumps({"digest": digest, "checksums": checksums}))
    return checksums


def _prepare(workspace: Workspace, spec: Spec, student: str, profile, limits: dict,
             box_limits: isolation.Limits, data_dir: str | None, grading_data: Path,
             released: dict[str, str], threads: int, gpu: str | None,
             path: Path | None = None) -> Job:
    """The submission (or the notebook at `path`) with locked cells restored and the budget
    injected."""
    began = time.monotonic()
    job = _prepared(workspace, spec, student, profile, limits, box_limits, data_dir,
                    grading_data, released, threads, gpu, path)
    job.prepare_seconds = round(time.monotonic() - began, 3)
    return job


def _prepared(workspace: Workspace, spec: Spec, student: str, profile, limits: dict,
              box_limits: isolation.Limits, data_dir: str | None, grading_data: Path,
              released: dict[str, str], threads: int, gpu: str | None,
              path: Path | None) -> Job:
    from nbgrader.preprocessors import OverwriteCells
    from nbgrader.utils import compute_checksum
    from papermill.parameterize import parameterize_notebook

    path = path or workspace.submitted(student, spec.assignment) / f"{spec.assignment}.ipynb"
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception:  # collect rejects these; a file edited since is still not gradable
        notebook = nbformat.v4.new_notebook()
    source = nbformat.read(spec.notebook, as_version=4)
    notes: list[Reason] = []
    try:  # an editor that drops cell metadata (some save it away): restore it from the source
        had = sum("nbgrader" in cell.metadata for cell in notebook.cells)
        notebook, _ = recover_cell_metadata(notebook, source)
        restored = sum("nbgrader" in cell.metadata for cell in notebook.cells) - had
        if restored > 0:
            notes.append(reason("metadata_restored", count=restored))
    except UserError as error:
        return _unfit(spec, student, profile, limits, box_limits, str(error))
    present = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in notebook.cells}
    for grade_id, checksum in released.items():
        cell = present.get(grade_id)
        if cell is None:
            notes.append(reason("missing_cell", cell=grade_id))
        elif compute_checksum(cell) != checksum:
            notes.append(reason("edited_cell", cell=grade_id))
    language = language_of(notebook)
    restorer = OverwriteCells(add_missing_cells=True)
    resources = {"nbgrader": {"notebook": spec.assignment, "assignment": spec.assignment,
                              "student": student, "db_url": workspace.db_url}}
    try:
        notebook, _ = restorer.preprocess(notebook, resources)
    except Exception as error:  # nbgrader's own KeyError on cells it cannot place
        return _unfit(spec, student, profile, limits, box_limits,
                      f"the read-only cells cannot be restored ({type(error).__name__}: {error})")
    _restore_parameters_cell(notebook, source, notes)
    notebook.metadata["kernelspec"] = source.metadata["kernelspec"]
    notebook.metadata.setdefault("cnnbook", {})["language"] = language
    box_data = isolation.INSIDE_DATA if isolation.bubblewrap_works() else str(grading_data)
    parameters = {**_defaults(source), **profile.parameters, "DATA_DIR": box_data}
    if "LANG" in parameters:  # the edition the student worked in prints in its language
        parameters["LANG"] = language
    notebook.metadata["papermill"] = {}  # papermill's own reader would add it
    notebook = parameterize_notebook(notebook, parameters, kernel_name="python3",
                                     language="python")
    hide = [workspace.root, workspace.source, *([Path(data_dir)] if data_dir else []),
            Path.home() / ".keras", Path(spec.folder).parent]
    return Job(spec.assignment, student, spec, nbformat.writes(notebook), parameters,
               profile.name, limits, box_limits, data_dir, str(grading_data),
               [str(p) for p in hide], threads, gpu, notes)


def _unfit(spec: Spec, student: str, profile, limits: dict, box_limits: isolation.Limits,
           why: str) -> Job:
    """A job the worker answers at once, without running: this notebook cannot be graded."""
    return Job(spec.assignment, student, spec, "", {}, profile.name, limits, box_limits, None,
               None, [], unfit=why)


def _restore_parameters_cell(notebook, source, notes: list[Reason]) -> None:
    """papermill injects the budget after the cell tagged `parameters`: make sure there is one."""
    from autograder.common.assignment import parameters_cell

    for cell in notebook.cells:
        cell.metadata.setdefault("tags", [])
    if parameters_cell(notebook) is None:
        original = parameters_cell(source)
        position = min(source.cells.index(original), len(notebook.cells))
        notebook.cells.insert(position, nbformat.from_dict(dict(original)))
        notes.append(reason("missing_parameters"))


def _defaults(source: nbformat.NotebookNode) -> dict[str, Any]:
    from autograder.common.assignment import parameter_names, parameters_cell
    from autograder.scoring.checks import notebook_default

    return {name: notebook_default(source, name)
            for name in parameter_names(parameters_cell(source))}


def _execute(jobs: Iterator[Job], count: int, args: BatchOptions, run_jobs: RunJobs,
             total_points: float, kinds: dict[str, str], checked: str,
             reference: Reference | None = None) -> list[Result]:
    """Grade and store every job. With a reference, it runs first, on the core the first
    submission leaves free, and what finishes before it is held, not stored, until it passes:
    a refused batch records nothing."""
    from tqdm import tqdm

    results: list[Result] = []
    held: list[tuple[Job, Result]] | None = [] if reference is not None else None
    stream = run_jobs(itertools.chain([reference.job], jobs) if reference else jobs)
    with tqdm(total=count, unit="notebook", desc="grading", file=sys.stderr,
              dynamic_ncols=True) as bar:
        for job, result in stream:
            if reference is not None and job is reference.job:
                reference.judge(result)  # a refusal leaves here, with nothing stored
                waiting, held = held or [], None
            else:
                waiting = [(job, result)]
            if held is not None:
                held.extend(waiting)
                continue
            for finished, outcome in waiting:
                outcome.data, outcome.preflight = dict(kinds), checked
                results.append(_store(args, finished, outcome, total_points))
                bar.update(1)
    return results


# jobs → (job, result) pairs as they finish; callable more than once on one pool or client
RunJobs = Callable[[Iterator[Job]], Iterator[tuple[Job, Result]]]


@contextlib.contextmanager
def _engine(args: BatchOptions, slots: int, threads: int, preload: list[str] | None,
            checker: bool = True) -> Iterator[RunJobs]:
    """A local process pool of `slots` workers or a Dask cluster, for as long as the batch
    needs it.

    `checker`: local workers import Keras for the model checks (False: they never check
    a model, see start_local_worker)."""
    if args.cluster == "local":
        log = open_workspace(args.course).reports / "grade-workers.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        context = pool_context()
        cores = CoreBudget(usable_cpus(), context)
        with ProcessPoolExecutor(max_workers=slots, initializer=start_local_worker,
                                 initargs=(threads, str(log), preload, checker, cores),
                                 mp_context=context) as pool:
            try:
                yield lambda jobs: _from_pool(pool, jobs, slots)
            except BaseException:  # a refusal or ^C: what has not started never will
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        return
    from autograder.run.cluster import connect, dask_results

    with connect(args.cluster, args.workers) as client:
        yield lambda jobs: dask_results(client, list(jobs))


def pool_context() -> multiprocessing.context.BaseContext:
    """How the local pool starts its workers: by fork (fast, and what the tests rely on),
    unless this process has started a threaded numerical runtime.

    An instructor who grades from a Jupyter notebook where they ran Keras has
    TensorFlow's thread pools running in this process; a worker forked from it
    waits forever in its first TensorFlow call. A fork server starts from a fresh
    interpreter instead."""
    if not _threaded_runtime_started():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["autograder.run.worker"])
    return context


def _threaded_runtime_started() -> bool:
    """TensorFlow or JAX has computed in this process (importing them starts no threads)."""
    if "tensorflow" in sys.modules:
        try:
            from tensorflow.python.eager import context

            eager = context.context_safe()
            if eager is not None and getattr(eager, "_initialized", True):
                return True
        except Exception:  # another TensorFlow's internals: assume it has started
            return True
    backends = getattr(sys.modules.get("jax._src.xla_bridge"), "_backends", None)
    return bool(backends)


def _from_pool(pool: ProcessPoolExecutor, jobs: Iterator[Job], workers: int):
    pending = {}
    for job in jobs:  # keep every worker busy, with one more job ready for each
        pending[pool.submit(grade_job, job)] = job
        while len(pending) >= 2 * workers:
            yield from _finished(pending)
    while pending:
        yield from _finished(pending)


def _finished(pending: dict):
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in done:
        job = pending.pop(future)
        yield job, _result_of(future, job)


def _result_of(future, job: Job) -> Result:
    try:
        return future.result()
    except Exception as error:  # the worker process itself died
        return Result.error(job.student, job.assignment, f"worker died ({error})")


def _store(args: BatchOptions, job: Job, result: Result, total_points: float) -> Result:
    """Write the executed notebook, result.json and the gradebook scores for one submission."""
    workspace = open_workspace(args.course)
    folder = workspace.autograded(job.student, job.assignment)
    folder.mkdir(parents=True, exist_ok=True)
    submitted = workspace.submitted(job.student, job.assignment) / f"{job.assignment}.ipynb"
    result.reasons = [*result.reasons, *job.notes]
    result.language = nbformat.reads(job.notebook, as_version=4).metadata["cnnbook"]["language"]
    result.profile, result.max_score = job.profile, total_points
    result.graded_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    result.submission_sha256 = file_sha256(submitted)
    began = time.monotonic()
    if result.executed:
        write_atomic(folder / f"{job.assignment}.ipynb", result.executed)
    if result.status == GRADED:
        gradebook.record_scores(workspace, job.assignment, job.student,
                                {part.cell: part.score for part in result.parts},
                                _submitted_at(submitted))
    if result.timeline:
        result.timeline.add("prepare", job.prepare_seconds)
        result.timeline.add("record", time.monotonic() - began)
    write_atomic(folder / RESULT_FILE,
                 json.dumps(result.to_json(), indent=1, ensure_ascii=False) + "\n")
    return result


def _submitted_at(submitted: Path) -> datetime.datetime | None:
    from nbgrader.utils import parse_utc

    stamp = submitted.with_name("timestamp.txt")
    try:
        return parse_utc(stamp.read_text().strip())
    except (OSError, ValueError):
        return None


def _summarise(workspace: Workspace, spec: Spec, results: list[Result], kinds: dict,
               checked: str) -> int:
    from rich.console import Console
    from rich.table import Table

    data = ", ".join(f"{name}: {kind} data" for name, kind in kinds.items())
    table = Table(title=f"{spec.assignment} ({data})")
    for column in ("student", "score", "reason", "seconds"):
        table.add_column(column, justify="right" if column in ("score", "seconds") else "left")
    for result in sorted(results, key=lambda r: r.student):
        table.add_row(result.student, f"{result.score:g}/{spec.total_points:g}",
                      result.reason_text or "-", f"{result.seconds:.1f}")
    Console(stderr=False, width=120).print(table)
    if checked == "skipped":
        print("autograder grade: warning: no preflight (--no-preflight): the reference "
              "solution was not graded first", file=sys.stderr)
    if "sample" in kinds.values():
        print("autograder grade: warning: graded on the bundled data sample (--allow-sample): "
              "these are trial grades, not final ones", file=sys.stderr)
    errors = [r for r in results if r.status != GRADED]
    if errors:
        print(f"autograder grade: {len(errors)} submissions hit a grader error "
              f"(see {workspace.root / 'autograded'}/*/{spec.assignment}/{RESULT_FILE})",
              file=sys.stderr)
        return 1
    return 0

