#!/usr/bin/env python3
"""One submission graded alone with one thread and with two: time and accuracy.

    CNNBOOK_DATA=DIR python benchmarks/thread_counts.py a3-mnist-cnn a4-cifar10-cnn --rounds 3

The reference solution is submitted as one student's notebook and graded with
`autograder grade --workers 1 --force --no-preflight` (the `cpu` profile, the
full data), alternately with one thread and with two. The count is set as a
regrade keeps it, through the thread count recorded in result.json. Reports,
per count, the training cell's seconds, the notebook's, and the accuracy the
checker measured: whether two threads are worth giving to the last notebook
of a batch, and whether the count changes the numbers (it does; each count
repeats its own exactly).
Results: benchmarks/results/thread_counts.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import save

ROOT = Path(__file__).resolve().parents[1]

COUNTS = (1, 2)


def grade_once(course: Path, assignment: str, threads: int) -> dict:
    result_file = course / "autograded" / "reference" / assignment / "result.json"
    recorded = json.loads(result_file.read_text())
    result_file.write_text(json.dumps({**recorded, "threads": threads}))  # kept on --force
    _grade(course, assignment, "--force")
    result = json.loads(result_file.read_text())
    assert result["threads"] == threads, result["threads"]
    training = max(result["timeline"]["cells"], key=lambda cell: cell["seconds"])
    accuracy = next(p for p in result["parts"] if p["cell"] == "test_accuracy")
    return {"threads": threads, "training_cell": training["cell"],
            "training_seconds": round(training["seconds"], 2),
            "notebook_seconds": result["notebook_seconds"],
            "accuracy": accuracy["reason_params"]["accuracy"],
            "load": float(Path("/proc/loadavg").read_text().split()[0])}


def _grade(course: Path, assignment: str, *extra: str) -> None:
    subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, "--course",
                    str(course), "--workers", "1", "--no-preflight", *extra], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


def measure(assignment: str, rounds: int, work: Path) -> dict:
    import nbformat

    from autograder.records.workspace import open_workspace

    course = work / assignment
    folder = open_workspace(course, create=True).submitted("reference", assignment)
    folder.mkdir(parents=True)
    solution = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    nbformat.write(nbformat.read(solution, as_version=4), folder / f"{assignment}.ipynb")
    _grade(course, assignment)  # warms the caches; its count is the machine's
    runs = [grade_once(course, assignment, threads)
            for _ in range(rounds) for threads in COUNTS]
    summary = {}
    for threads in COUNTS:
        mine = [run for run in runs if run["threads"] == threads]
        summary[f"threads_{threads}"] = {
            "training_seconds_median": statistics.median(r["training_seconds"] for r in mine),
            "notebook_seconds_median": statistics.median(r["notebook_seconds"] for r in mine),
            "accuracies": sorted({r["accuracy"] for r in mine})}
    one, two = summary["threads_1"], summary["threads_2"]
    summary["training_speedup_two_threads"] = round(
        one["training_seconds_median"] / two["training_seconds_median"], 2)
    return {"runs": runs, "summary": summary}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("CNNBOOK_DATA"):
        print("thread_counts.py: error: set CNNBOOK_DATA to the full datasets", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="thread-counts-"))
    try:
        results = {a: measure(a, args.rounds, work) for a in args.assignments}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({a: r["summary"] for a, r in results.items()}, indent=1))
    save("thread_counts", "CNNBOOK_DATA=DIR python benchmarks/thread_counts.py "
         f"{' '.join(args.assignments)} --rounds {args.rounds}", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
