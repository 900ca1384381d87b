#!/usr/bin/env python3
"""An nbgrader course graded by `autograder` against `nbgrader autograde` (issue 16).

    python benchmarks/nbgrader_course_throughput.py --n 30
    python benchmarks/nbgrader_course_throughput.py --n 10 --autograder-only

The course is nbgrader's documentation course `ps1` (notebooks problem1 and
problem2, the data file jupyter.png), from the pinned nbgrader package. N
students submit it, alternating copies of bitdiddle's and hacker's
submissions. Both sides start from the same copy with the assignment already
in nbgrader's gradebook (`nbgrader generate_assignment`, untimed); ours starts
from nothing (collect creates the workspace and the gradebook, timed).

Timed, paired in one run:
- ours: `autograder collect ps1 SUBMITTED --source SOURCE` then `autograder
  grade ps1` (its defaults: a worker per core, the preflight of the source
  notebooks unless --no-preflight);
- theirs: `nbgrader autograde ps1`, its defaults.

Checks that every grade cell's auto score agrees (formgrader's database on
both sides), and from the result.json timelines reports the median seconds
of each phase per submission. Every run is kept, with the CPU and the load
average before and after and the grader's commit (the median speedup is over the
latest commit's runs): benchmarks/results/nbgrader_course_throughput.json.
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
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import cpu_record, save

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ps1"
COPIES = ("bitdiddle", "hacker")


def user_guide() -> Path:
    import nbgrader

    return Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"


def make_course(folder: Path, n: int) -> Path:
    """source/ps1 and submitted/sNNN/ps1 for N students, alternating the two submissions."""
    guide = user_guide()
    shutil.copytree(guide / "source", folder / "source")
    for i in range(n):
        shutil.copytree(guide / "submitted" / COPIES[i % 2] / ASSIGNMENT,
                        folder / "submitted" / f"s{i:03d}" / ASSIGNMENT)
    return folder


def nbgrader_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                  f"{os.environ.get('PATH', '')}"}


def run_autograder(work: Path, n: int, workers: int | None, preflight: bool) -> tuple[float, Path]:
    course = make_course(work / "ours", n)
    workspace = work / "ours-ws"
    autograder = [sys.executable, "-m", "autograder"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    start = time.perf_counter()
    subprocess.run([*autograder, "collect", ASSIGNMENT, str(course / "submitted"), "--source",
                    str(course / "source"), "--course", str(workspace)], check=True, **quiet)
    subprocess.run([*autograder, "grade", ASSIGNMENT, "--course", str(workspace),
                    *(["--workers", str(workers)] if workers else []),
                    *([] if preflight else ["--no-preflight"])], check=True, **quiet)
    return time.perf_counter() - start, workspace


def run_nbgrader(work: Path, n: int) -> tuple[float, Path]:
    course = make_course(work / "theirs", n)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT,
                    "--log-level=ERROR"], cwd=course, env=nbgrader_env(), check=True,
                   capture_output=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT,
                    "--log-level=ERROR"], cwd=course, env=nbgrader_env(), check=True,
                   capture_output=True)
    return time.perf_counter() - start, course


def cell_scores(folder: Path) -> dict[str, float]:
    """'student/notebook/grade id' → auto score, as formgrader's database has it."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as book:
        return {f"{nb.student.id}/{nb.name}/{grade.name}": grade.auto_score
                for submission in book.find_assignment(ASSIGNMENT).submissions
                for nb in submission.notebooks for grade in nb.grades}


def phase_medians(workspace: Path) -> dict:
    from autograder.scoring.result import Timeline

    found = [Timeline.from_json(json.loads(path.read_text()).get("timeline"))
             for path in sorted((workspace / "autograded").glob(f"*/{ASSIGNMENT}/result.json"))]
    found = [t for t in found if t]
    phases = sorted({p for t in found for p in t.phases})
    return {p: round(statistics.median(t.phases.get(p, 0.0) for t in found), 3) for p in phases}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--workers", type=int, default=None,
                        help="autograder grade --workers (default: its own, one per core)")
    parser.add_argument("--no-preflight", dest="preflight", action="store_false")
    parser.add_argument("--autograder-only", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nbgrader-course-"))
    load_before = [round(v, 2) for v in os.getloadavg()]
    ours, workspace = run_autograder(work, args.n, args.workers, args.preflight)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True).stdout.strip()
    result = {"commit": commit, "n": args.n, "workers": args.workers or "default",
              "preflight": args.preflight,
              "load_average_before": load_before,
              "autograder_seconds": round(ours, 1), "phase_medians": phase_medians(workspace)}
    if not args.autograder_only:
        theirs, course = run_nbgrader(work, args.n)
        ours_scores, their_scores = cell_scores(workspace), cell_scores(course)
        result.update({"nbgrader_seconds": round(theirs, 1),
                       "speedup": round(theirs / ours, 2),
                       "scores_agree_on_every_grade_cell": ours_scores == their_scores,
                       "total_score": sum(v or 0 for v in ours_scores.values())})
    result["cpu"] = cpu_record()  # its load average: after both sides
    print(json.dumps(result, indent=1))
    key = f"ps1-n{args.n}" + ("-autograder-only" if args.autograder_only else "") + (
        "" if args.preflight else "-no-preflight")
    path = ROOT / "benchmarks" / "results" / "nbgrader_course_throughput.json"
    existing = json.loads(path.read_text())["results"] if path.exists() else {}
    runs = [*existing.get(key, {}).get("runs", []), result]
    speedups = [r["speedup"] for r in runs if "speedup" in r and r.get("commit") == commit]
    existing[key] = {"runs": runs, **({"median_speedup": statistics.median(speedups),
                                       "median_of_commit": commit} if speedups else {}),
                     "command": "python benchmarks/nbgrader_course_throughput.py "
                                f"--n {args.n}" + (" --autograder-only"
                                                   if args.autograder_only else "")
                                + ("" if args.preflight else " --no-preflight")}
    save("nbgrader_course_throughput", "see each result's command", existing)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
