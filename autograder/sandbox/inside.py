"""What runs inside the sandbox, next to the submission's code. Nothing here decides a score.

    python -m autograder.sandbox.inside notebook IN OUT STATUS --cell-timeout S
    python -m autograder.sandbox.inside functions NOTEBOOK CHECKS OUT --case-timeout S

`notebook` executes cell by cell, saving the notebook and a status file after
each cell, so that whatever kills the sandbox leaves what ran before it. The
status file also carries the runner's clock (CLOCK_MONOTONIC, the same for the
worker outside) and each code cell's wall time, for the submission's timeline.
`functions` runs, in a fresh interpreter, only the cells that define each
checked function and calls it on the hidden inputs; it writes the results as
plain arrays (no pickles) for the checker outside to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import sys
import time
from pathlib import Path

STARTED = time.monotonic()  # the runner's first instant: the worker times the sandbox start by it

MAX_CELL_OUTPUT = 100_000  # characters of text output kept per cell
TRUNCATED = "\n… output truncated by the grader …\n"


def main(argv: list[str] | None = None) -> int:
    from autograder.sandbox.startup import skip_slow_optional_imports

    skip_slow_optional_imports()  # before nbformat: 2 s of every graded notebook
    parser = argparse.ArgumentParser(prog="autograder.sandbox.inside")
    verbs = parser.add_subparsers(dest="verb", required=True)
    notebook = verbs.add_parser("notebook")
    notebook.add_argument("source", type=Path)
    notebook.add_argument("output", type=Path)
    notebook.add_argument("status", type=Path)
    notebook.add_argument("--cell-timeout", type=float, required=True)
    notebook.add_argument("--warm-kernel", action="store_true",
                          help="attach to the kernel that autograder.sandbox.zygote forks")
    notebook.add_argument("--nbgrader-execute", action="store_true",
                          help="execute with nbgrader's Execute preprocessor (an assignment "
                               "without grading.yml): a cell that times out is interrupted "
                               "and the run goes on, an error the code hid is recorded")
    functions = verbs.add_parser("functions")
    functions.add_argument("notebook", type=Path)
    functions.add_argument("checks", type=Path)
    functions.add_argument("output", type=Path)
    functions.add_argument("--case-timeout", type=float, default=20)
    args = parser.parse_args(argv)
    for folder in ("HOME", "MPLCONFIGDIR", "IPYTHONDIR"):  # a fresh home in the private /tmp
        if os.environ.get(folder):
            Path(os.environ[folder]).mkdir(parents=True, exist_ok=True)
    if args.verb == "notebook":
        # The notebook's code runs in its kernel, another process; this one only needs
        # nbformat's schema, whose formats need none of those packages. (The functions
        # verb runs a student's definitions here, which may import them: requests, idna.)
        skip_slow_optional_imports(format_checkers=True)
        code = run_notebook(args.source, args.output, args.status, args.cell_timeout,
                            args.warm_kernel, args.nbgrader_execute)
        # Where no cgroup enforces the limits, the watchdog outside polls the sandbox
        # every 0.2 s: a breach in the last cell is seen only while the sandbox stands.
        time.sleep(float(os.environ.get("AUTOGRADER_EXIT_GRACE") or 0))
        # Everything is on disk: skip the interpreter's teardown, where the kernel's closed
        # ZeroMQ sockets linger a second each (jupyter_client sets linger=1000 "to prevent
        # hangs at exit"), on every notebook graded.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return run_functions(args.notebook, args.checks, args.output, args.case_timeout)


def run_notebook(source: Path, output: Path, status: Path, cell_timeout: float,
                 warm_kernel: bool = False, nbgrader_execute: bool = False) -> int:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    notebook = nbformat.read(source, as_version=4)
    manager = _warm_kernel_manager(source.parent) if warm_kernel else None
    options = {"km": manager, "timeout": cell_timeout, "allow_errors": True,
               "kernel_name": "python3", "record_timing": True,
               "shutdown_kernel": "immediate",  # the sandbox ends it: seconds saved
               "resources": {"metadata": {"path": str(source.parent)}}}
    if nbgrader_execute:  # nbgrader's own client: its timeout and error rules, not a copy
        Execute = _nbgrader_execute_class()
        options["timeout"] = max(1, round(cell_timeout))  # an Integer trait there
        client = Execute(**options)
        NotebookClient.__init__(client, notebook, **options)  # as its preprocess() binds one
    else:
        client = NotebookClient(notebook, **options)
    clock = {"started": STARTED}
    state = {"executed": [], "stopped": "", "cell": None, "clock": clock, "cell_seconds": {}}
    _save(notebook, output, state, status)
    try:
        clock["kernel_requested"] = time.monotonic()
        with client.setup_kernel():
            clock["kernel_ready"] = time.monotonic()
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                began = time.monotonic()
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    state.update(stopped="timeout", cell=index)
                except DeadKernelError:
                    state.update(stopped="kernel died", cell=index)
                state["cell_seconds"][str(index)] = round(time.monotonic() - began, 3)
                _truncate(cell)
                if not state["stopped"]:
                    state["executed"].append(index)
                _save(notebook, output, state, status)
                if state["stopped"]:
                    break
            clock["finished"] = time.monotonic()  # before the kernel is shut down
        clock["closed"] = time.monotonic()
    except DeadKernelError:
        state.update(stopped="kernel died", cell=state["cell"])
    except RuntimeError as error:  # the kernel could not start
        state.update(stopped="kernel failed", error=str(error))
    _save(notebook, output, state, status)
    return 0


def _nbgrader_execute_class():
    """nbgrader's `Execute` preprocessor, its own module, without importing nbgrader itself.

    `nbgrader.preprocessors.execute` needs only nbconvert, traitlets, jupyter_client
    and its sibling `base.py`; but importing it the ordinary way runs nbgrader's and
    nbgrader.preprocessors' `__init__`, which import the gradebook (SQLAlchemy), the
    exchange and the server extensions: 1.6 s of every notebook graded, unloaded.
    Here the two packages are bare module objects with nbgrader's own `__path__`, so
    the import system loads just those two files from the installed nbgrader. In
    the sandbox's runner process only; the grader's own nbgrader is untouched.
    """
    import importlib.util
    import types

    if "nbgrader.preprocessors.execute" in sys.modules:
        return sys.modules["nbgrader.preprocessors.execute"].Execute
    found = importlib.util.find_spec("nbgrader")
    if found is None or not found.submodule_search_locations or "nbgrader" in sys.modules:
        from nbgrader.preprocessors.execute import Execute  # the ordinary way

        return Execute
    package = types.ModuleType("nbgrader")
    package.__path__ = list(found.submodule_search_locations)
    preprocessors = types.ModuleType("nbgrader.preprocessors")
    preprocessors.__path__ = [str(Path(package.__path__[0]) / "preprocessors")]
    package.preprocessors = preprocessors
    sys.modules["nbgrader"], sys.modules["nbgrader.preprocessors"] = package, preprocessors
    from nbgrader.preprocessors.base import NbGraderPreprocessor

    preprocessors.NbGraderPreprocessor = NbGraderPreprocessor  # execute.py's `from . import`
    from nbgrader.preprocessors.execute import Execute

    return Execute


def _warm_kernel_manager(work: Path):
    """A kernel manager that attaches to the kernel forked into this sandbox, never launches one."""
    import asyncio
    import time

    from jupyter_client.manager import AsyncKernelManager

    from autograder.sandbox.zygote import KERNEL_FILE, PID_FILE

    class WarmKernelManager(AsyncKernelManager):
        kernel_pid: int | None = None

        @property
        def has_kernel(self) -> bool:
            return self.kernel_pid is not None

        async def start_kernel(self, **kwargs) -> None:
            self.load_connection_file(str(work / KERNEL_FILE))
            deadline = time.monotonic() + 30
            while self.kernel_pid is None:
                try:
                    self.kernel_pid = int((work / PID_FILE).read_text())
                except (OSError, ValueError):
                    if time.monotonic() > deadline:
                        raise RuntimeError("the warm kernel did not start") from None
                    await asyncio.sleep(0.01)

        async def _async_is_alive(self) -> bool:
            try:
                state = Path(f"/proc/{self.kernel_pid}/stat").read_text().rsplit(")", 1)[1]
            except (OSError, IndexError):
                return False
            return state.split()[0] not in ("Z", "X")

        is_alive = _async_is_alive

        async def interrupt_kernel(self) -> None:
            with contextlib.suppress(OSError):
                os.kill(self.kernel_pid, signal.SIGINT)

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            with contextlib.suppress(OSError):
                os.kill(self.kernel_pid, signal.SIGKILL)

        async def cleanup_resources(self, restart: bool = False) -> None:
            pass

    return WarmKernelManager(kernel_name="python3")


def _truncate(cell) -> None:
    budget = MAX_CELL_OUTPUT
    kept = []
    for output in cell.get("outputs", []):
        text = output.get("text", "")
        if output.get("output_type") == "stream" and len(text) > budget:
            output["text"] = text[:budget] + TRUNCATED
            kept.append(output)
            break
        budget -= len(text) if isinstance(text, str) else 0
        kept.append(output)
    cell["outputs"] = kept


def _save(notebook, output: Path, state: dict, status: Path) -> None:
    import nbformat

    from autograder.common.files import write_atomic

    write_atomic(output, nbformat.writes(notebook))
    write_atomic(status, json.dumps(state))


class _CaseTimeout(BaseException):
    """Raised by the alarm; BaseException so that student code's `except Exception` can't eat it."""


def run_functions(notebook_path: Path, checks_path: Path, output: Path,
                  case_timeout: float) -> int:
    import nbformat
    import numpy as np

    from autograder.common.cases import CaseOutcome, definitions_source, load_cases

    notebook = nbformat.read(notebook_path, as_version=4)
    checks = json.loads(checks_path.read_text())
    arrays: dict[str, np.ndarray] = {}
    outcomes: dict[str, dict] = {}

    def on_alarm(signum, frame):
        raise _CaseTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    for check in checks:
        key = check["cell"]
        namespace: dict = {"__name__": "__submission__"}
        try:
            signal.setitimer(signal.ITIMER_REAL, case_timeout)
            exec(compile(definitions_source(notebook, check["define"]), key, "exec"), namespace)
            signal.setitimer(signal.ITIMER_REAL, 0)
            function = namespace[check["function"]]
        except BaseException as error:
            signal.setitimer(signal.ITIMER_REAL, 0)
            outcomes[key] = CaseOutcome("define_failed", _name(error)).to_json()
            continue
        for index, case in enumerate(load_cases(Path(check["inputs"]))):
            case_key = f"{key}/{index}"
            try:
                signal.setitimer(signal.ITIMER_REAL, case_timeout)
                result = function(**case)
                signal.setitimer(signal.ITIMER_REAL, 0)
                arrays[case_key] = np.asarray(result)
                if arrays[case_key].dtype == object:
                    del arrays[case_key]
                    outcomes[case_key] = CaseOutcome("not_an_array").to_json()
                else:
                    outcomes[case_key] = CaseOutcome("ok").to_json()
            except BaseException as error:
                signal.setitimer(signal.ITIMER_REAL, 0)
                kind = "timeout" if isinstance(error, _CaseTimeout) else "raised"
                outcomes[case_key] = CaseOutcome(kind, _name(error)).to_json()
        _save_results(arrays, outcomes, output)  # after each check: an exit later keeps these
    _save_results(arrays, outcomes, output)
    return 0


def _save_results(arrays: dict, outcomes: dict, output: Path) -> None:
    import numpy as np

    from autograder.common.files import write_atomic

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomic(output, buffer.getvalue())
    write_atomic(output.with_suffix(".json"), json.dumps(outcomes))


def _name(error: BaseException) -> str:
    return "timeout" if isinstance(error, _CaseTimeout) else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
