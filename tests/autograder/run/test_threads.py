"""How many notebooks run at once, with how many threads, and how the pool starts its workers.

- A batch smaller than the pool (a single regrade) starts no idle workers.
- A regrade of the same submission keeps the thread count that graded it, since the
  numbers of a seeded training depend on it; the pool's core budget keeps a job
  with more threads from oversubscribing the cores.
- Grading from a process where TensorFlow has computed (an instructor's notebook)
  does not fork its workers from it: such a worker hung in its first TensorFlow call.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time

import nbformat
import pytest

from autograder.common import project
from autograder.records.workspace import open_workspace
from autograder.run.coordinator import BatchOptions, batch_slots, pool_context
from autograder.run.worker import CoreBudget


def _options(workers: int, cluster: str = "local") -> BatchOptions:
    return BatchOptions(assignment="a", course=project.ROOT, workers=workers, cluster=cluster)


@pytest.mark.parametrize("workers, jobs, slots", [(2, 1, 1), (2, 2, 2), (2, 12, 2), (4, 3, 3),
                                                  (1, 5, 1), (2, 0, 1)])
def test_a_batch_smaller_than_the_pool_runs_fewer_workers(workers, jobs, slots):
    assert batch_slots(_options(workers), jobs) == slots


def test_a_dask_cluster_keeps_the_workers_asked_for():
    assert batch_slots(_options(4, cluster="tcp://127.0.0.1:8786"), 1) == 4


def _hold(budget: CoreBudget, threads: int, seconds: float, log) -> None:
    with budget.held(threads):
        log.put(("start", threads, time.monotonic()))
        time.sleep(seconds)
        log.put(("end", threads, time.monotonic()))


def test_a_job_that_keeps_more_threads_waits_for_the_cores():
    context = multiprocessing.get_context("fork")
    budget, log = CoreBudget(2, context), context.Queue()
    one = context.Process(target=_hold, args=(budget, 1, 1.0, log))
    one.start()
    assert log.get(timeout=10)[0] == "start"
    two = context.Process(target=_hold, args=(budget, 2, 0.1, log))  # needs both cores
    two.start()
    events = [log.get(timeout=10) for _ in range(3)]
    one.join(10)
    two.join(10)
    assert [(kind, threads) for kind, threads, _ in events] == [
        ("end", 1), ("start", 2), ("end", 2)]


def test_a_job_never_waits_for_more_cores_than_the_machine_has():
    budget = CoreBudget(2, multiprocessing.get_context("fork"))
    with budget.held(8):  # a count recorded on a bigger machine is not kept, but if it were
        pass


def test_workers_are_forked_unless_a_threaded_runtime_has_started():
    assert pool_context().get_start_method() == "fork" or "tensorflow" in sys.modules


@pytest.mark.keras
def test_workers_start_from_a_fork_server_once_tensorflow_has_computed():
    script = textwrap.dedent("""
        import keras
        from autograder.run.coordinator import pool_context
        before = pool_context().get_start_method()
        keras.ops.convert_to_numpy(keras.ops.ones(2) + 1)
        print(before, pool_context().get_start_method())
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert out.stdout.split() == ["fork", "forkserver"], out.stderr[-2000:]


@pytest.mark.keras
def test_tensorflow_imported_before_the_thread_count_is_set_follows_it():
    """What a warm kernel relies on: the zygote imported TensorFlow, the kernel sets its
    job's count after the fork, and TensorFlow starts its pool at the first computation."""
    script = textwrap.dedent("""
        import os, sys
        import tensorflow as tf
        os.environ.update(TF_NUM_INTRAOP_THREADS=sys.argv[1], TF_NUM_INTEROP_THREADS="1")
        tf.constant([1.0]) + 1
        print(len(os.listdir("/proc/self/task")))
    """)
    counts = {}
    for threads in (1, 3):
        out = subprocess.run([sys.executable, "-c", script, str(threads)], capture_output=True,
                             text=True, timeout=300,
                             env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        counts[threads] = int(out.stdout.split()[-1])
    assert counts[3] - counts[1] == 2, counts


@pytest.mark.keras
def test_grading_from_a_notebook_where_keras_has_computed_does_not_hang(tmp_path):
    """An instructor grades from the Jupyter notebook where they tried Keras: the worker
    checks a model with TensorFlow, which hung when it was forked from that kernel."""
    from nbclient import NotebookClient

    assignment = "a3-mnist-cnn"
    root = tmp_path / "course"
    folder = open_workspace(root, create=True).submitted("eleni", assignment)
    folder.mkdir(parents=True)
    solution = project.SOLUTIONS / assignment / f"{assignment}.ipynb"
    nbformat.write(nbformat.read(solution, as_version=4), folder / f"{assignment}.ipynb")
    command = ["grade", assignment, "--course", str(root), "--profile", "ci", "--allow-sample",
               "--no-preflight", "--workers", "1"]
    instructor = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import os\nos.environ.pop('CNNBOOK_DATA', None)\n"
                                  "import keras\n"
                                  "keras.ops.convert_to_numpy(keras.ops.ones(2) + 1)"),
        nbformat.v4.new_code_cell(f"from autograder.cli import main\nmain({command!r})"),
    ])
    NotebookClient(instructor, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    returned = instructor.cells[1].outputs[-1]["data"]["text/plain"]
    assert returned == "0", instructor.cells[1].outputs
    result = json.loads((root / "autograded" / "eleni" / assignment / "result.json").read_text())
    assert result["status"] == "graded" and result["score"] == result["max_score"]
