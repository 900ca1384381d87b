"""Dask clusters: per-machine thread settings, SLURM errors, and a real SLURM where one runs.

The SLURM batch test needs a running SLURM (`scripts/slurm_single_node.sh start`
makes a one-node one in a container); elsewhere it is skipped.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import time

import pytest

from autograder.cli import main
from autograder.records.workspace import open_workspace
from autograder.run import cluster, worker
from tests.autograder.test_grade import CASES, EXPECTED, GOLDEN, _write_submissions


def _course(tmp_path, students=("correct", "partly-right")):
    workspace = open_workspace(tmp_path / "course", create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {s: CASES[s] for s in students}, "toy")
    return workspace


def _scores(workspace, students):
    return {s: json.loads((workspace.autograded(s, "toy") / "result.json").read_text())["score"]
            for s in students}


def _job(threads=7, gpu=None) -> worker.Job:
    return worker.Job(assignment="toy", student="s", spec=None, notebook="{}", parameters={},
                      profile="ci", limits={}, box_limits=None, data_dir=None,
                      grading_data=None, hide=[], threads=threads, gpu=gpu)


def test_a_dask_worker_shares_its_own_machines_cores(monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")  # as SLURM sets it for a GPU job
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local, \
            distributed.Client(local) as client:
        placed = client.submit(worker._on_this_machine, _job(), pure=False).result()
        pinned = client.submit(worker._on_this_machine, _job(gpu="0"), pure=False).result()
        regrade = dataclasses.replace(_job(threads=3), threads_kept=True)  # graded with 3
        kept = client.submit(worker._on_this_machine, regrade, pure=False).result()
    assert placed.threads == max(1, worker.usable_cpus() // 2)  # not the coordinator's 7
    assert placed.gpu == "3" and pinned.gpu == "0"
    assert kept.threads == 3  # a regrade computes what the grade did


def test_a_local_pool_keeps_the_coordinators_settings():
    assert worker._on_this_machine(_job()) == _job()


def test_slurm_without_sbatch_is_one_line(tmp_path, capsys, monkeypatch):
    pytest.importorskip("dask_jobqueue")
    monkeypatch.setattr(cluster.shutil, "which", lambda name: None)
    workspace = _course(tmp_path, ("correct",))
    assert main(["grade", "toy", "--course", str(workspace.root), "--cluster", "slurm"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs SLURM's sbatch" in err[0], err


def test_slurm_without_a_jobqueue_config_is_one_line(tmp_path, capsys, monkeypatch):
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask_jobqueue")
    monkeypatch.setattr(cluster.shutil, "which", lambda name: f"/usr/bin/{name}")
    workspace = _course(tmp_path, ("correct",))
    with dask.config.set({"jobqueue.slurm.cores": None, "jobqueue.slurm.memory": None}):
        code = main(["grade", "toy", "--course", str(workspace.root), "--cluster", "slurm"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "not configured for SLURM" in err[0], err


def _slurm_is_up() -> bool:
    if shutil.which("sinfo") is None or shutil.which("sbatch") is None:
        return False
    try:
        states = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True,
                                timeout=10).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return False
    return any(state in ("idle", "mix") for state in states)


@pytest.mark.skipif(not _slurm_is_up(), reason="no SLURM here (scripts/slurm_single_node.sh)")
def test_slurm_grades_like_the_pool(tmp_path):
    """dask-jobqueue submits the workers with sbatch; the scores are the golden ones."""
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask_jobqueue")
    students = ("correct", "partly-right", "greek")
    workspace = _course(tmp_path, students)
    settings = {"jobqueue.slurm.cores": 1, "jobqueue.slurm.memory": "4GB",
                "jobqueue.slurm.processes": 1, "jobqueue.slurm.walltime": "00:10:00",
                "jobqueue.slurm.log-directory": str(tmp_path / "slurm-logs")}
    with dask.config.set(settings):
        code = main(["grade", "toy", "--course", str(workspace.root), "--cluster", "slurm",
                     "--workers", "2"])
    assert code == 0
    assert _scores(workspace, students) == {s: EXPECTED[s]["score"] for s in students}
    for _ in range(30):  # cancelled jobs linger a moment as "completing"
        queue = subprocess.run(["squeue", "-h"], capture_output=True, text=True).stdout
        if not queue.strip():
            break
        time.sleep(1)
    assert not queue.strip(), f"SLURM jobs left behind:\n{queue}"
