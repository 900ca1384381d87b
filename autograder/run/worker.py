"""Grade one prepared submission: run it in a sandbox, then check what it left, outside it.

`grade_job` is what a local process pool or a Dask worker runs. The job holds
the restored, parameterised notebook itself; the worker never opens the
gradebook and never runs submitted code in its own process, so the checks it
makes afterwards are clean.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import os
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from autograder.common.course import NotebookSet
from autograder.common.spec import Spec
from autograder.sandbox import isolation, zygote
from autograder.scoring.checks import (
    check_accuracy,
    check_architecture,
    check_function,
    failed,
    load_model,
    read_function_results,
)
from autograder.scoring.reasons import Reason, reason
from autograder.scoring.result import GRADED, CellTime, Part, Result, Timeline

EXECUTED = "executed.ipynb"
# A grader-side failure (the runner or kernel did not start, the checker crashed) is tried
# once more in a fresh sandbox before the submission is reported "not graded".
INFRASTRUCTURE_TRIES = 2


@dataclass
class Job:
    assignment: str
    student: str
    spec: Spec                  # grading.yml, loaded once by the coordinator (its folder is
                                # the instructor's solutions/<a>/, at the same path here)
    notebook: str               # restored and parameterised, as JSON text
    parameters: dict[str, Any]  # what was injected (for MODEL_PATH and thresholds)
    profile: str
    limits: dict[str, float]    # the profile's, as grading.yml gives them
    box_limits: isolation.Limits  # the same, as the sandbox enforces them: built once
    data_dir: str | None        # the instructor's full data: the real test split
    grading_data: str | None    # the training-only copy the sandbox sees
    hide: list[str]             # folders the sandbox must not see
    threads: int = 1
    gpu: str | None = None
    notes: list[Reason] = field(default_factory=list)  # what the coordinator restored
    unfit: str = ""  # why this notebook cannot be graded at all (nothing runs), or ""
    prepare_seconds: float = 0.0  # the coordinator's work on it, for the timeline
    notebooks: NotebookSet | None = None  # an nbgrader assignment's notebooks (no grading.yml)
    threads_kept: bool = False  # an earlier grading's count, not the batch's share


def worker_environment(threads: int, gpu: str | None) -> dict[str, str]:
    """Thread and device settings, so that N workers share the cores and GPUs they are given."""
    count = str(max(1, threads))
    env = {
        "OMP_NUM_THREADS": count, "MKL_NUM_THREADS": count, "OPENBLAS_NUM_THREADS": count,
        "TF_NUM_INTRAOP_THREADS": count, "TF_NUM_INTEROP_THREADS": "1",
        "XLA_FLAGS": f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'}",
        "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg", "CNNBOOK_OFFLINE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "CUDA_VISIBLE_DEVICES": gpu if gpu is not None else "",
        "TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
    }
    return env


def set_worker_threads(threads: int, gpu: str | None = None) -> None:
    """The checker's own Keras uses the same share of the machine as the notebooks."""
    os.environ.update(worker_environment(threads, gpu))


class CoreBudget:
    """The cores a local pool's workers share: a job starts once it holds as many cores as
    it runs threads, so that no two notebooks oversubscribe the machine.

    Every job of a batch asks for the batch's share, so they never wait on each other;
    only a regrade that keeps the thread count of an earlier grading (see
    autograder.run.coordinator) can ask for more, and then it waits for the cores.
    """

    WAIT_SECONDS = 3600.0  # a worker that died holding cores breaks the pool well before

    def __init__(self, cores: int, context: Any):
        self.cores = max(1, cores)
        self._free = context.Value("i", self.cores, lock=False)  # guarded by _changed
        self._changed = context.Condition()

    @contextlib.contextmanager
    def held(self, threads: int) -> Iterator[None]:
        wanted = max(1, min(threads, self.cores))
        with self._changed:
            taken = self._changed.wait_for(lambda: self._free.value >= wanted,
                                           timeout=self.WAIT_SECONDS)
            if taken:
                self._free.value -= wanted
        try:
            yield
        finally:
            if taken:
                with self._changed:
                    self._free.value += wanted
                    self._changed.notify_all()


_LOCAL: dict[str, CoreBudget | None] = {"cores": None}  # this pool process's, if local


def start_local_worker(threads: int, log: str, preload: list[str] | None = None,
                       checker: bool = True, cores: CoreBudget | None = None) -> None:
    """Pool initializer: thread settings, TensorFlow's C++ chatter into a log file, and the
    zygote of warm kernels started at once, so that its imports overlap the first jobs.

    `checker`: the batch checks models outside the sandbox, so Keras is imported
    now; an nbgrader assignment (its tests run in the kernel) never needs it, and
    on two cores the import would compete with the first notebooks.
    `cores`: the pool's shared budget of cores (None: jobs never wait for cores)."""
    set_worker_threads(threads)
    _LOCAL["cores"] = cores
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(descriptor, 2)
    os.close(descriptor)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
    if preload is not None:
        zygote.for_this_worker(preload)
    if not checker:
        return
    # The checker needs Keras after the first notebook: import it while that notebook starts.
    threading.Thread(target=_import_quietly, args=("keras",), daemon=True).start()


def _import_quietly(module: str) -> None:
    with contextlib.suppress(Exception):  # the check that needs it reports the failure
        importlib.import_module(module)


def grade_job(job: Job) -> Result:
    """Run, check and score one submission; never raises for what the submission does."""
    if job.unfit:
        return Result.error(job.student, job.assignment, job.unfit, code="unfit")
    job = _on_this_machine(job)
    set_worker_threads(job.threads, job.gpu)  # a Dask worker has no initializer
    budget = _LOCAL["cores"]
    with budget.held(job.threads) if budget is not None else contextlib.nullcontext():
        start = time.monotonic()  # a wait for cores is not this submission's time
        result = _grade_with_retry(job)
        result.seconds = round(time.monotonic() - start, 2)
    result.threads = job.threads
    if result.timeline:  # what the phases do not cover: the folder, reading back, a retry
        result.timeline.add("worker_other", result.seconds - result.timeline.total)
    return result


def _grade_with_retry(job: Job) -> Result:
    for attempt in range(INFRASTRUCTURE_TRIES):  # a kernel that failed to start: once more
        try:
            with isolation.work_folder(f"grade-{job.student}-",
                                     job.box_limits.disk_bytes) as work:
                result = _grade(job, work)
        except Exception as error:  # an infrastructure failure: reported, the batch goes on
            result = Result.error(job.student, job.assignment, str(error),
                                  traceback.format_exc(limit=5))
        if result.status == GRADED or attempt + 1 == INFRASTRUCTURE_TRIES:
            break
    return result


def _on_this_machine(job: Job) -> Job:
    """On a Dask worker, threads and GPUs come from the machine it runs on, not the coordinator's.

    The host's usable CPUs are shared among every task slot of the workers on
    that host; without --gpus, a GPU the batch system gave the worker (SLURM
    sets CUDA_VISIBLE_DEVICES) is kept.
    """
    if "distributed" not in sys.modules:  # a local pool process: nothing to import
        return job
    from distributed import get_client, get_worker

    try:
        worker = get_worker()
    except ValueError:  # not inside a Dask task
        return job
    workers = get_client().scheduler_info()["workers"]
    host = workers.get(worker.address, {}).get("host")
    slots = sum(w.get("nthreads", 1) for w in workers.values() if w.get("host") == host)
    threads = max(1, usable_cpus() // max(1, slots or worker.state.nthreads))
    if job.threads_kept:  # a regrade computes what the grade did
        threads = job.threads
    gpu = job.gpu if job.gpu is not None else os.environ.get("CUDA_VISIBLE_DEVICES")
    return dataclasses.replace(job, threads=threads, gpu=gpu)


def usable_cpus() -> int:
    """CPUs this process may run on (a batch system's allocation, not the whole node)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _grade(job: Job, work: Path) -> Result:
    if job.notebooks is not None:  # nbgrader's semantics, in-kernel tests (issue 16)
        from autograder.run.notebooks import run_notebooks

        return run_notebooks(job, work)
    spec = job.spec
    (work / "submission.ipynb").write_text(job.notebook, encoding="utf-8")
    box = isolation.Sandbox(work, Path(job.grading_data) if job.grading_data else None,
                          [Path(p) for p in job.hide], job.box_limits)
    env = _sandbox_env(job, box)
    run, kernel, launched = _run_notebook(job, spec, box, env, work)
    ended = time.monotonic()
    status = _read_json(work / "status.json")
    if not run.killed and _outgrew(box, work):
        run.killed = "disk"  # what the notebook did after its folder filled up may be lost
    infrastructure = _infrastructure_failure(run, status, work / "runner.log")
    if infrastructure:  # before the first cell: the grader failed, not the submission
        return Result.error(job.student, job.assignment, infrastructure)
    executed = _read_notebook(work / EXECUTED) or nbformat.reads(job.notebook, as_version=4)
    stopped = _stop_reason(run, status, executed)
    ran = _cells_that_ran(executed, status)

    timeline = notebook_timeline(status, executed, launched, ended)

    function_checks = [c for c in spec.checks if c.kind == "function"]
    arrays, outcomes = {}, {}
    if function_checks:
        began = time.monotonic()
        arrays, outcomes = _run_functions(job, spec, function_checks, box, env)
        timeline.add("functions", time.monotonic() - began)
    parts = []
    submission = nbformat.reads(job.notebook, as_version=4)
    model_parts = _check_models(job, spec, work, ran, timeline)
    for check in spec.checks:
        if check.cell not in ran:
            parts.append(failed(check, reason("never_ran")))
        elif check.kind == "function":
            parts.append(check_function(spec, check, submission, arrays, outcomes))
        else:
            parts.append(model_parts[check.cell])
    return Result(job.student, job.assignment, GRADED, parts,
                  [stopped] if stopped is not None else [], isolation=run.isolation,
                  kernel=kernel, peak_memory_mb=round(run.peak_memory / 2**20),
                  notebook_seconds=round(run.seconds, 2), executed=nbformat.writes(executed),
                  timeline=timeline)


def notebook_timeline(status: dict, notebook, launched: float, ended: float) -> Timeline:
    """The notebook run's phases, from the runner's clock in its status file.

    The runner's clock is CLOCK_MONOTONIC, shared with this process: `launched`
    is when the sandbox was asked to start, `ended` when it was gone. A runner
    that never wrote a clock (killed before it started) leaves one phase, the
    sandbox's whole run.
    """
    clock = status.get("clock") or {}
    timeline = Timeline()
    requested, ready = clock.get("kernel_requested"), clock.get("kernel_ready")
    if requested is None or ready is None:
        timeline.add("sandbox_start", ended - launched)
        return timeline
    seconds = {int(i): float(s) for i, s in (status.get("cell_seconds") or {}).items()}
    finished = clock.get("finished") or ended  # a kernel that died: up to the sandbox's end
    started = clock.get("started", requested)
    timeline.add("sandbox_start", started - launched)
    timeline.add("runner_start", requested - started)
    timeline.add("kernel_start", ready - requested)
    timeline.add("cells", sum(seconds.values()))
    timeline.add("cell_saves", finished - ready - sum(seconds.values()))
    timeline.add("sandbox_stop", ended - finished)
    timeline.cells = [_cell_time(notebook, index, spent)
                      for index, spent in sorted(seconds.items()) if index < len(notebook.cells)]
    return timeline


def _cell_time(notebook, index: int, seconds: float) -> CellTime:
    """The student's cell number and the cell's grade id; papermill's cell is number 0."""
    metadata = notebook.cells[index].metadata
    if "injected-parameters" in metadata.get("tags", []):
        return CellTime(0, seconds, "injected-parameters")
    return CellTime(_cell_number(notebook, index) or 0, seconds,
                    metadata.get("nbgrader", {}).get("grade_id", ""))


def _run_notebook(job: Job, spec, box: isolation.Sandbox, env: dict[str, str],
                  work: Path) -> tuple[isolation.Outcome, str, float]:
    """Execute the notebook in the sandbox: on a warm kernel where one can be had, else cold.

    Also returns when the run that counts was launched (time.monotonic)."""
    argv = [isolation.python(), "-m", "autograder.sandbox.inside", "notebook",
            f"{box.work}/submission.ipynb", f"{box.work}/{EXECUTED}", f"{box.work}/status.json",
            "--cell-timeout", str(job.limits["cell_timeout"]),
            *(["--nbgrader-execute"] if job.notebooks is not None else [])]
    log = work / "runner.log"
    warm = None if job.gpu or not box.isolated else zygote.for_this_worker(
        zygote.imports_of(spec.notebook))
    if warm is not None:
        zygote.connection_file(work)

        def fork_kernel(process, cgroups) -> bool:
            inside = isolation.sandboxed_command(process)
            if inside is None:
                return False
            groups = cgroups.folders.values() if cgroups is not None else []  # else: watchdog
            request = {"cgroups": [str(f) for f in groups],
                       "rlimits": isolation.rlimits(box.limits), "env": env, "cwd": box.work,
                       "connection_file": f"{box.work}/{zygote.KERNEL_FILE}",
                       "pid_file": f"{box.work}/{zygote.PID_FILE}"}
            return warm.fork_into(inside, request, log)

        launched = time.monotonic()
        run = box.run([*argv, "--warm-kernel"], env, log, on_start=fork_kernel)
        if run.killed != "start":
            return run, "warm", launched
        zygote.give_up()  # this worker grades cold from now on, and says why in its log
        why = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        print(f"autograder: warm kernels off in this worker ({why[0] if why else 'no reason'})",
              file=sys.stderr)
        for leftover in (EXECUTED, "status.json", zygote.KERNEL_FILE, zygote.PID_FILE):
            (work / leftover).unlink(missing_ok=True)
    launched = time.monotonic()
    return box.run(argv, env, log), "cold", launched


def _sandbox_env(job: Job, box: isolation.Sandbox) -> dict[str, str]:
    home = "/tmp/home" if box.isolated else str(box.work_host / ".home")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "KERAS_HOME": f"{home}/.keras", "MPLCONFIGDIR": f"{home}/.matplotlib",
           "IPYTHONDIR": f"{home}/.ipython", "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter",
           "LANG": "C.UTF-8", **worker_environment(job.threads, job.gpu),
           **isolation.python_env()}
    if os.environ.get("KERAS_BACKEND"):
        env["KERAS_BACKEND"] = os.environ["KERAS_BACKEND"]
    return env


def _run_functions(job: Job, spec, checks, box: isolation.Sandbox,
                   env: dict[str, str]) -> tuple[dict, dict]:
    """Call the student's functions on the hidden inputs, in a fresh sandbox of their own.

    Its folder holds the notebook as submitted (not as the notebook run may have
    rewritten it) and the hidden inputs, and nothing the notebook run left behind.
    """
    with isolation.work_folder(f"functions-{job.student}-", box.limits.disk_bytes) as work:
        (work / "submission.ipynb").write_text(job.notebook, encoding="utf-8")
        functions_box = isolation.Sandbox(work, box.data_host, box.hide, box.limits)
        hidden = work / "hidden-inputs"
        hidden.mkdir()
        described = []
        for check in checks:
            copy = hidden / f"{check.cell}.npz"
            shutil.copyfile(spec.hidden_path(check["inputs"]), copy)
            described.append({"cell": check.cell, "function": check["function"],
                              "define": check["define"],
                              "inputs": f"{functions_box.work}/hidden-inputs/{copy.name}"})
        (work / "checks.json").write_text(json.dumps(described))
        inside = functions_box.work
        functions_box.run([isolation.python(), "-m", "autograder.sandbox.inside", "functions",
                           f"{inside}/submission.ipynb", f"{inside}/checks.json",
                           f"{inside}/functions.npz"], env, work / "functions.log",
                          wall_seconds=min(float(job.limits["notebook_timeout"]), 300.0))
        return read_function_results(work / "functions.npz")


def _check_models(job: Job, spec, work: Path, ran: set[str],
                  timeline: Timeline) -> dict[str, Part]:
    checks = [c for c in spec.checks if c.kind != "function" and c.cell in ran]
    if not checks:
        return {}
    path = work / str(job.parameters.get(checks[0]["model"], "model.keras"))
    if not path.resolve().is_relative_to(work.resolve()) or not path.is_file():
        return {c.cell: failed(c, reason("no_model")) for c in checks}
    began = time.monotonic()
    try:
        model = load_model(path)
    except Exception as error:  # not a model, a Lambda layer, a custom class…
        message = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        return {c.cell: failed(c, reason("unsafe_model", message=message)) for c in checks}
    finally:
        timeline.add("model_load", time.monotonic() - began)
    began = time.monotonic()
    parts = {}
    for check in checks:
        if check.kind == "architecture":
            parts[check.cell] = check_architecture(check, model)
        else:
            threshold = float(job.parameters[check["threshold_parameter"]])
            parts[check.cell] = check_accuracy(check, model, threshold, job.data_dir)
    timeline.add("evaluation", time.monotonic() - began)
    return parts


def _outgrew(box: isolation.Sandbox, work: Path) -> bool:
    if box.work_bounded:  # a tmpfs of the limit's size: full is the sign
        return isolation.is_full(work)
    return isolation.folder_size(work, box.limits.disk_bytes) > box.limits.disk_bytes


def _infrastructure_failure(run: isolation.Outcome, status: dict, log: Path) -> str:
    """Why the runner never reached the submission's first cell, or crashed itself; "" if not.

    The runner writes status.json before it starts the kernel, so a run without one
    never started (the sandbox could not exec, the runner could not import); a kernel
    that cannot start fails before any cell. A runner killed by a signal was stopped
    by the submission (a score); one that exits with an error crashed (the grader's).
    """
    if run.killed:
        return ""  # a limit stopped it: the submission's doing
    last = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
    detail = f": {last[0][:200]}" if last else ""
    if not status:
        return f"infrastructure: the notebook runner did not start{detail}"
    if status.get("stopped") == "kernel failed":
        return f"infrastructure: the kernel could not start ({status.get('error', '')})"
    if run.returncode not in (0, None) and 0 < run.returncode < 128:
        return f"infrastructure: the notebook runner failed (exit {run.returncode}){detail}"
    return ""


def _stop_reason(run: isolation.Outcome, status: dict, notebook) -> Reason | None:
    """Why the notebook run ended early, if it did."""
    cell = _cell_number(notebook, status.get("cell"))
    stopped = status.get("stopped")
    if run.killed == "memory":
        return reason("memory_in_cell", cell=cell) if cell else reason("memory")
    if run.killed == "processes":
        return reason("processes")
    if run.killed == "disk":
        return reason("disk", mb=run.disk_limit_mb)
    if run.killed == "timeout":
        return reason("notebook_time", seconds=round(run.seconds))
    if stopped == "timeout":
        return reason("timeout", cell=cell)
    if stopped == "kernel died":
        return reason("kernel_died", cell=cell)
    if stopped:
        return reason("grader_error", message=str(stopped))
    if run.returncode is not None and run.returncode >= 128:  # the submission killed it
        return reason("runner_killed", cell=_first_cell_not_run(notebook, status))
    return None


def _first_cell_not_run(notebook, status: dict) -> int | None:
    """The number of the code cell the runner was in when it stopped (None: all ran)."""
    ran = set(status.get("executed", []))
    pending = [i for i, cell in enumerate(notebook.cells)
               if cell.cell_type == "code" and i not in ran
               and "injected-parameters" not in cell.metadata.get("tags", [])]
    return _cell_number(notebook, pending[0]) if pending else None


def _cell_number(notebook, index: int | None) -> int | None:
    """1-based number among code cells, as the student counts them (papermill's cell skipped)."""
    if index is None:
        return None
    return sum(1 for cell in notebook.cells[:index + 1] if cell.cell_type == "code"
               and "injected-parameters" not in cell.metadata.get("tags", []))


def _cells_that_ran(notebook, status: dict) -> set[str]:
    indices = set(status.get("executed", []))
    return {cell.metadata.nbgrader["grade_id"] for i, cell in enumerate(notebook.cells)
            if i in indices and cell.get("execution_count") is not None
            and cell.metadata.get("nbgrader", {}).get("grade")}


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text())
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}


def _read_notebook(path: Path):
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # missing or corrupt: fall back to the prepared notebook
        return None
