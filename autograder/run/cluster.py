"""Dask: grade on an existing scheduler (`tcp://HOST:PORT`) or on SLURM (dask-jobqueue).

SLURM settings (queue, cores, memory, GPUs, walltime) come from dask-jobqueue's
own configuration, `~/.config/dask/jobqueue.yaml`; see the README for a GPU
partition example. Workers need this project installed at the same path
(`pip install -e .` on a shared file system) and the datasets staged.
"""

from __future__ import annotations

import contextlib
import math
import shutil
from collections.abc import Iterator
from typing import Any

from autograder.common.errors import UserError
from autograder.run.worker import Job, grade_job
from autograder.scoring.result import Result


@contextlib.contextmanager
def connect(cluster: str, workers: int) -> Iterator[Any]:
    """A Dask client; SLURM jobs started for it are cancelled when it closes."""
    from distributed import Client

    if cluster.startswith(("tcp://", "tls://")):
        try:
            client = Client(cluster, timeout="20s")
        except OSError as error:
            raise UserError(f"cannot reach the Dask scheduler at {cluster} ({error})") from None
        with client:
            yield client
        return
    if cluster == "slurm":
        import dask
        from dask_jobqueue import SLURMCluster

        if shutil.which("sbatch") is None:  # else the jobs fail to submit and the batch waits
            raise UserError("--cluster slurm needs SLURM's sbatch on PATH (run on a login node)")
        try:
            slurm = SLURMCluster()
        except ValueError as error:  # no cores or memory configured
            first = str(error).splitlines()[0]
            raise UserError(f"dask-jobqueue is not configured for SLURM ({first}); set "
                            "jobqueue.slurm in ~/.config/dask/jobqueue.yaml (see the README)"
                            ) from None
        with slurm, Client(slurm) as client:
            # --workers notebooks at once: one per core of the jobs
            cores = int(dask.config.get("jobqueue.slurm.cores"))
            slurm.scale(jobs=math.ceil(workers / max(1, cores)))
            yield client
        return
    raise UserError(f"--cluster must be local, tcp://HOST:PORT or slurm, not {cluster!r}")


def dask_results(client: Any, jobs: list[Job]) -> Iterator[tuple[Job, Result]]:
    """(job, result) pairs as the cluster finishes them."""
    from distributed import as_completed

    futures = {client.submit(grade_job, job, pure=False,
                             key=f"grade-{job.assignment}-{job.student}"): job for job in jobs}
    for future in as_completed(futures):
        job = futures[future]
        try:
            yield job, future.result()
        except Exception as error:  # the worker was lost: reported, the batch goes on
            yield job, Result.error(job.student, job.assignment,
                                    f"Dask worker failed ({error})")
