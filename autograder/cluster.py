"""Dask: grade on an existing scheduler (`tcp://HOST:PORT`) or on SLURM (dask-jobqueue).

SLURM settings (queue, cores, memory, GPUs, walltime) come from dask-jobqueue's
own configuration, `~/.config/dask/jobqueue.yaml`; see the README for a GPU
partition example. Workers need this project installed at the same path
(`pip install -e .` on a shared file system) and the datasets staged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autograder.errors import UserError
from autograder.worker import Job, grade_job


def client_for(cluster: str, workers: int):
    from distributed import Client

    if cluster.startswith(("tcp://", "tls://")):
        try:
            return Client(cluster, timeout="20s")
        except OSError as error:
            raise UserError(f"cannot reach the Dask scheduler at {cluster} ({error})") from None
    if cluster == "slurm":
        from dask_jobqueue import SLURMCluster

        slurm = SLURMCluster()
        slurm.scale(jobs=workers)
        return Client(slurm)
    raise UserError(f"--cluster must be local, tcp://HOST:PORT or slurm, not {cluster!r}")


def dask_results(jobs: list[Job], cluster: str,
                 workers: int) -> Iterator[tuple[Job, dict[str, Any]]]:
    from distributed import as_completed

    client = client_for(cluster, workers)
    try:
        futures = {client.submit(grade_job, job, pure=False,
                                 key=f"grade-{job.assignment}-{job.student}"): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield job, future.result()
            except Exception as error:  # the worker was lost: reported, the batch goes on
                yield job, {"status": "error", "parts": [], "executed": None, "seconds": 0,
                            "reason": f"grader error: Dask worker failed ({error})"}
    finally:
        client.close()
