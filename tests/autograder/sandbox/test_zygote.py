"""Warm kernels: forked from a zygote, yet as confined as a cold kernel in its sandbox.

A submission prints what its kernel can see and do (capabilities, processes,
files, mounts); the test reads the executed notebook, for a warm and a cold
kernel alike. The same batch graded cold must score the same.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main
from autograder.records.workspace import open_workspace
from autograder.sandbox import isolation, zygote
from tests.autograder.test_grade import CASES, CORRECT, EXPECTED, GOLDEN, _write_submissions, craft

PROBE = """
import json, os, pathlib, subprocess, sys
def write(path):
    try:
        pathlib.Path(path).write_text('x')
        return 'written'
    except OSError as error:
        return type(error).__name__
status = dict(line.split(':\\t', 1) for line in open('/proc/self/status').read().splitlines()
              if ':\\t' in line)
try:
    subprocess.run(['umount', '-l', '/tmp'], check=True, capture_output=True)
    unmounted = 'unmounted'
except (subprocess.CalledProcessError, OSError) as error:
    unmounted = type(error).__name__
print('PROBE', json.dumps({
    'capabilities': status['CapEff'].strip(),
    'no_new_privs': status['NoNewPrivs'].strip(), 'pid': os.getpid(),
    'pids': sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),
    'cwd': os.getcwd(), 'tmp': sorted(os.listdir('/tmp')), 'umount': unmounted,
    'path': sys.path,
    'etc': write('/etc/autograder-probe'), 'host_tmp': write('/tmp/../var/tmp/probe'),
}))
"""

needs_warm = pytest.mark.skipif(
    not (zygote.enabled() and isolation.cgroups_writable()),
    reason="warm kernels need root, bubblewrap and writable cgroups (CI has them)")


def _probe(root: Path, student: str = "probe") -> dict:
    executed = nbformat.read(root / "autograded" / student / "toy" / "toy.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    return json.loads(text.split("PROBE ", 1)[1].splitlines()[0])


def _grade(tmp_path, cases, *, warm: bool, monkeypatch) -> tuple[dict, Path]:
    monkeypatch.setenv("AUTOGRADER_WARM_KERNELS", "1" if warm else "0")
    workspace = open_workspace(tmp_path / ("warm" if warm else "cold") / "course", create=True,
                               source=GOLDEN / "solutions")
    _write_submissions(workspace, cases, "toy")
    assert main(["grade", "toy", "--course", str(workspace.root), "--workers", "2"]) == 0
    results = {s: json.loads((workspace.autograded(s, "toy") / "result.json").read_text())
               for s in cases}
    return results, workspace.root


@pytest.mark.parametrize("warm", [
    pytest.param(True, marks=needs_warm, id="warm"),
    pytest.param(False, marks=pytest.mark.skipif(not isolation.bubblewrap_works(),
                                                 reason="no bubblewrap"), id="cold")])
def test_a_kernel_is_confined_to_its_sandbox(tmp_path, monkeypatch, warm):
    cases = {"probe": craft(CORRECT, after={"test_double": PROBE})}
    results, root = _grade(tmp_path, cases, warm=warm, monkeypatch=monkeypatch)
    assert results["probe"]["kernel"] == ("warm" if warm else "cold")
    probe = _probe(root)
    assert probe["capabilities"] == "0000000000000000"  # even when the grader runs as root
    assert probe["no_new_privs"] == "1"
    assert max(probe["pids"]) < 50, probe["pids"]  # the sandbox's own PID namespace only
    assert probe["cwd"] == isolation.INSIDE_WORK and "work" in probe["tmp"]
    assert not any(name.startswith("grade-") for name in probe["tmp"])  # no other job's folder
    assert probe["etc"] != "written" and probe["host_tmp"] != "written"
    assert probe["umount"] != "unmounted"
    assert results["probe"]["score"] == EXPECTED["correct"]["score"]


@needs_warm
def test_warm_and_cold_kernels_grade_alike(tmp_path, monkeypatch):
    names = ("correct", "partly-right", "os-exit", "memory-hog", "infinite-loop")
    cases = {name: CASES[name] for name in names}
    cases["probe"] = craft(CORRECT, after={"test_double": PROBE})
    warm, warm_root = _grade(tmp_path, cases, warm=True, monkeypatch=monkeypatch)
    cold, cold_root = _grade(tmp_path, cases, warm=False, monkeypatch=monkeypatch)
    assert _probe(warm_root)["path"] == _probe(cold_root)["path"]  # imports resolve alike
    assert {r["kernel"] for r in warm.values()} == {"warm"}
    assert {r["kernel"] for r in cold.values()} == {"cold"}
    for name in names:
        assert warm[name]["score"] == cold[name]["score"] == EXPECTED[name]["score"], name
        assert EXPECTED[name]["reason"] in warm[name]["reason"], warm[name]["reason"]


@needs_warm
def test_a_zygote_that_cannot_fork_falls_back_to_cold(tmp_path, monkeypatch):
    # the pool's workers are forked from this process: they inherit the broken zygote
    monkeypatch.setattr(zygote.Zygote, "fork_into", lambda self, *args: False)
    results, _ = _grade(tmp_path, {"correct": CASES["correct"]}, warm=True,
                        monkeypatch=monkeypatch)
    assert results["correct"]["kernel"] == "cold"
    assert results["correct"]["score"] == EXPECTED["correct"]["score"]


def test_imports_of_a_notebook_are_preloaded():
    modules = zygote.imports_of(GOLDEN / "solutions" / "toy" / "toy.ipynb")
    assert modules[0] == "ipykernel.kernelapp" and "numpy" in modules


THREADS_PROBE = """
import json, os
from threadpoolctl import threadpool_info
blas = [pool['num_threads'] for pool in threadpool_info() if pool['user_api'] == 'blas']
print('PROBE', json.dumps({'omp': os.environ.get('OMP_NUM_THREADS'),
                           'tf': os.environ.get('TF_NUM_INTRAOP_THREADS'), 'blas': blas}))
"""


@needs_warm
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two usable CPUs")
def test_one_worker_on_two_cores_forks_warm_kernels_with_two_threads(tmp_path, monkeypatch):
    """The zygote imports NumPy with one thread (a thread started at import makes forks
    unsafe); a job given two gets two in its warm kernel, in OpenBLAS as in the environment
    that TensorFlow reads when it first computes."""
    from autograder.run.worker import usable_cpus

    monkeypatch.setenv("AUTOGRADER_WARM_KERNELS", "1")
    workspace = open_workspace(tmp_path / "course", create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {"probe": craft(CORRECT, after={"test_double": THREADS_PROBE})},
                       "toy")
    assert main(["grade", "toy", "--course", str(workspace.root), "--workers", "1"]) == 0
    result = json.loads((workspace.autograded("probe", "toy") / "result.json").read_text())
    assert result["kernel"] == "warm"
    probe = _probe(workspace.root)
    threads = str(usable_cpus())
    assert probe["omp"] == probe["tf"] == threads
    assert probe["blas"] and set(probe["blas"]) == {int(threads)}, probe


@needs_warm
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two usable CPUs")
def test_a_changed_thread_count_takes_effect_in_a_warm_kernel(tmp_path, monkeypatch):
    """One worker's zygote forks kernels with different thread counts: a regrade keeps the
    count that graded each submission (its numbers depend on it), whatever the batch's share."""
    from autograder.run.worker import usable_cpus

    monkeypatch.setenv("AUTOGRADER_WARM_KERNELS", "1")
    workspace = open_workspace(tmp_path / "course", create=True, source=GOLDEN / "solutions")
    probe = craft(CORRECT, after={"test_double": THREADS_PROBE})
    _write_submissions(workspace, {"kept": probe, "share": probe}, "toy")
    course = ["--course", str(workspace.root)]
    assert main(["grade", "toy", *course, "--workers", "1"]) == 0  # one worker: every core
    cores = usable_cpus()

    def recorded(student: str) -> dict:
        return json.loads((workspace.autograded(student, "toy") / "result.json").read_text())

    assert recorded("kept")["threads"] == recorded("share")["threads"] == cores
    kept = workspace.autograded("kept", "toy") / "result.json"
    kept.write_text(json.dumps({**recorded("kept"), "threads": 1}))  # as if graded beside another

    assert main(["grade", "toy", *course, "--workers", "1", "--force"]) == 0
    for student, threads in (("kept", 1), ("share", cores)):
        result, seen = recorded(student), _probe(workspace.root, student)
        assert result["kernel"] == "warm" and result["threads"] == threads
        assert seen["omp"] == seen["tf"] == str(threads)
        assert set(seen["blas"]) == {threads}, seen

    assert main(["grade", "toy", *course, "--workers", "2", "--force"]) == 0  # share: 1 each
    assert recorded("kept")["threads"] == 1 and recorded("share")["threads"] == cores
