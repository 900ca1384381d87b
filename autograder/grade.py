"""`autograder grade`: execute and score submissions, sandboxed and in parallel.

A thin verb: it checks the command line and hands the batch to the coordinator
(`autograder.run.coordinator`), which prepares each submission, runs it on a
worker (local pool, Dask or SLURM) and records the scores in the gradebook.
"""

from __future__ import annotations

import argparse

from autograder.common.errors import UserError
from autograder.records.workspace import add_course_arguments
from autograder.run.coordinator import BatchOptions, grade_batch
from autograder.run.worker import usable_cpus


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment")
    add_course_arguments(parser)
    parser.add_argument("--workers", type=int, default=usable_cpus(),
                        help="notebooks graded at once (default: the number of cores)")
    parser.add_argument("--cluster", default="local",
                        help="local (default), tcp://HOST:PORT (a Dask scheduler) or slurm")
    parser.add_argument("--profile", choices=("ci", "cpu", "gpu"), default=None,
                        help="budget profile of grading.yml (default: gpu with --gpus, else cpu)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per notebook (default: the profile's notebook_timeout)")
    parser.add_argument("--memory", type=float, default=None,
                        help="GB of resident memory per notebook (default: the profile's)")
    parser.add_argument("--gpus", default=None,
                        help="GPU ids to share among the workers, e.g. 0,1")
    parser.add_argument("--student", nargs="+", default=None, metavar="ID",
                        help="grade only these students")
    parser.add_argument("--force", action="store_true", help="regrade what is already graded")
    parser.add_argument("--data", default=None,
                        help="the full datasets (default: $CNNBOOK_DATA, else what cnnbook finds)")
    parser.add_argument("--no-preflight", action="store_true",
                        help="skip grading the reference solution first (the summary and "
                             "the report say so)")
    parser.add_argument("--allow-sample", action="store_true",
                        help="grade on the bundled data sample when the full data is absent "
                             "(refused otherwise: the grades would be wrong)")


def run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise UserError("--workers must be at least 1")
    if args.cluster not in ("local", "slurm") and not args.cluster.startswith(("tcp://", "tls://")):
        raise UserError(f"--cluster must be local, tcp://HOST:PORT or slurm, not {args.cluster!r}")
    return grade_batch(BatchOptions(
        assignment=args.assignment, course=args.course, workers=args.workers,
        cluster=args.cluster, profile=args.profile, timeout=args.timeout, memory=args.memory,
        gpus=args.gpus, student=args.student, force=args.force, data=args.data,
        allow_sample=args.allow_sample, preflight=not args.no_preflight))
