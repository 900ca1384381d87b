#!/usr/bin/env python3
"""Batch grading speed: `autograder grade` against plain `nbgrader autograde`, on A3.

    CNNBOOK_DATA=DIR python benchmarks/grade_throughput.py --n 12
    CNNBOOK_DATA=DIR python benchmarks/grade_throughput.py --n 100 --autograder-only
    CNNBOOK_DATA=DIR python benchmarks/grade_throughput.py --n 12 --preflight

`autograder grade` runs with --no-preflight unless --preflight is given: the
paired ratio to nbgrader is the grading itself; --preflight measures what the
reference solution's check adds to a fresh batch.

N honest A3 submissions (the reference answers in the student edition, half
of them Greek) are graded both ways with the same budget (the `cpu` profile,
written into each notebook's parameters for nbgrader) and the same
training-only data. nbgrader runs with its cell timeout disabled. Reports the
wall time of each, their ratio, and whether the two agree on every test
cell's score. Both timings start with the assignment recorded in the
gradebook (nbgrader's generate_assignment) and the data staged.

From the timelines in each result.json it reports the grader's overhead per
notebook (everything but the notebook's own cells: median and 90th
percentile), the cells' own seconds, and, against them, the same notebook's
cells run alone by papermill on one thread (no sandbox, no grader), the
median of `--alone` runs.
Results: benchmarks/results/grade_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import cpu_record, save

from autograder.report import percentile
from autograder.scoring.result import Timeline

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a3-mnist-cnn"


def honest_submission(language: str) -> nbformat.NotebookNode:
    source = nbformat.read(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    answers = {c.metadata.nbgrader.grade_id: re.sub(r"\n?\s*### (BEGIN|END) SOLUTION", "",
                                                    c.source)
               for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    notebook = nbformat.read(ROOT / "exercises" / language / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                             as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


def run_autograder(work: Path, n: int, workers: int, profile: str,
                   preflight: bool = False) -> tuple[float, dict]:
    batch = work / "batch"
    for i in range(n):
        folder = batch / f"s{i:03d}"
        folder.mkdir(parents=True)
        nbformat.write(honest_submission("el" if i % 2 else "en"),
                       folder / f"{ASSIGNMENT}.ipynb")
    course = work / "autograder-course"
    autograder = [sys.executable, "-m", "autograder"]
    subprocess.run([*autograder, "collect", ASSIGNMENT, str(batch), "--course", str(course)],
                   check=True, stdout=subprocess.DEVNULL)
    prepare_untimed(course)
    start = time.perf_counter()
    subprocess.run([*autograder, "grade", ASSIGNMENT, "--course", str(course), "--workers",
                    str(workers), "--profile", profile,
                    *([] if preflight else ["--no-preflight"])],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    return seconds, _cell_scores(course)


def timelines(course: Path) -> dict:
    """The grader's overhead and the cells' own seconds per notebook, from the result.json files."""
    found = [Timeline.from_json(json.loads(path.read_text()).get("timeline"))
             for path in sorted((course / "autograded").glob(f"*/{ASSIGNMENT}/result.json"))]
    found = [t for t in found if t]
    if not found:
        return {}
    overhead = [t.overhead for t in found]
    cells = [t.phases.get("cells", 0.0) for t in found]
    phases = sorted({p for t in found for p in t.phases})
    return {"overhead_median": round(statistics.median(overhead), 2),
            "overhead_p90": round(percentile(overhead, 0.9), 2),
            "cells_median": round(statistics.median(cells), 2),
            "cells_p90": round(percentile(cells, 0.9), 2),
            "phase_medians": {p: round(statistics.median(t.phases.get(p, 0.0) for t in found), 3)
                              for p in phases}}


def cells_alone(profile: str, grading_data: Path, runs: int) -> float:
    """The honest notebook's code cells, run by papermill alone on one thread (median seconds).

    The same budget and data as graded; no sandbox, no warm kernel, nothing of the
    grader: what the notebook's own work costs.
    """
    import papermill

    from autograder.common.spec import load_spec

    budget = {**load_spec(ROOT / "solutions" / ASSIGNMENT).profile(profile).parameters,
              "DATA_DIR": str(grading_data)}
    one_thread = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                  "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
                  "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg", "CNNBOOK_OFFLINE": "1"}
    saved = {k: os.environ.get(k) for k in one_thread}
    os.environ.update(one_thread)  # the kernel papermill starts inherits them
    seconds = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "in.ipynb"
            nbformat.write(honest_submission("en"), source)
            for _ in range(runs):
                ran = papermill.execute_notebook(str(source), str(Path(folder) / "out.ipynb"),
                                                 parameters=budget, cwd=folder,
                                                 progress_bar=False, log_output=False)
                seconds.append(sum(c.metadata.get("papermill", {}).get("duration") or 0.0
                                   for c in ran.cells if c.cell_type == "code"))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return round(statistics.median(seconds), 2)


def prepare_untimed(course: Path) -> None:
    """What precedes grading on both sides: the assignment in the gradebook, the data staged.

    nbgrader needs `generate_assignment` before `autograde`; `autograder grade`
    does the same on its first run (and stages the training-only data once).
    Neither timing includes it.
    """
    from autograder.common.spec import load_spec
    from autograder.records.gradebook import ensure_assignment
    from autograder.records.workspace import open_workspace
    from autograder.scoring import heldout

    workspace = open_workspace(course)
    ensure_assignment(workspace, ASSIGNMENT)
    heldout.stage(load_spec(ROOT / "solutions" / ASSIGNMENT).data, os.environ["CNNBOOK_DATA"],
                  workspace.root / ".grading-data")


def run_nbgrader(work: Path, n: int, profile: str, grading_data: Path) -> tuple[float, dict]:
    """nbgrader's own autograde over the same notebooks, budget written in, timeout disabled."""
    from papermill.parameterize import parameterize_notebook

    from autograder.common.spec import load_spec
    from autograder.records.gradebook import ensure_assignment
    from autograder.records.workspace import open_workspace

    course = work / "nbgrader-course"
    workspace = open_workspace(course, create=True)
    ensure_assignment(workspace, ASSIGNMENT)  # generate_assignment: untimed, as on our side
    budget = {**load_spec(ROOT / "solutions" / ASSIGNMENT).profile(profile).parameters,
              "DATA_DIR": str(grading_data)}
    for i in range(n):
        notebook = honest_submission("el" if i % 2 else "en")
        for cell in notebook.cells:
            cell.metadata.setdefault("tags", [])
        notebook.metadata["papermill"] = {}
        notebook = parameterize_notebook(notebook, budget, kernel_name="python3",
                                         language="python")
        folder = course / "submitted" / f"s{i:03d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    start = time.perf_counter()
    subprocess.run(["nbgrader", "autograde", ASSIGNMENT, "--Execute.timeout=-1",
                    "--ExecutePreprocessor.timeout=-1"], cwd=course, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    return seconds, _cell_scores(course)


def _cell_scores(course: Path) -> dict[str, dict[str, float]]:
    from autograder.records.gradebook import gradebook
    from autograder.records.workspace import open_workspace

    with gradebook(open_workspace(course)) as book:
        submission_scores = {}
        for submission in book.find_assignment(ASSIGNMENT).submissions:
            notebook = submission.notebooks[0]
            submission_scores[submission.student.id] = {g.name: g.score for g in notebook.grades}
        return submission_scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=12)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--autograder-only", action="store_true")
    parser.add_argument("--preflight", action="store_true",
                        help="let `autograder grade` grade the reference solution first")
    parser.add_argument("--alone", type=int, default=1, metavar="RUNS",
                        help="papermill runs of one notebook alone on one thread (0: none)")
    args = parser.parse_args()
    if not os.environ.get("CNNBOOK_DATA"):
        print("grade_throughput.py: error: set CNNBOOK_DATA to the full datasets", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="throughput-"))
    ours, our_scores = run_autograder(work, args.n, args.workers, args.profile, args.preflight)
    result = {"n": args.n, "workers": args.workers, "profile": args.profile,
              "autograder_seconds": round(ours, 1),
              "autograder_seconds_per_notebook": round(ours / args.n, 2),
              "autograder_scores": sorted({sum(s.values()) for s in our_scores.values()}),
              "setup_untimed": True, "preflight": args.preflight, "cpu": cpu_record(),
              **timelines(work / "autograder-course")}
    grading_data = next((work / "autograder-course" / ".grading-data").iterdir())
    if args.alone:
        result["cells_alone_one_thread"] = cells_alone(args.profile, grading_data, args.alone)
    if not args.autograder_only:
        theirs, their_scores = run_nbgrader(work, args.n, args.profile, grading_data)
        result.update({
            "nbgrader_seconds": round(theirs, 1), "speedup": round(theirs / ours, 2),
            "nbgrader_scores": sorted({sum(s.values()) for s in their_scores.values()}),
            "scores_agree_on_every_test_cell": our_scores == their_scores})
    print(json.dumps(result, indent=1))
    key = (f"n{args.n}" + ("-autograder-only" if args.autograder_only else "")
           + ("-preflight" if args.preflight else ""))
    path = ROOT / "benchmarks" / "results" / "grade_throughput.json"
    existing = json.loads(path.read_text())["results"] if path.exists() else {}
    earlier = existing.get(key, {})
    runs = earlier.get("runs", [earlier] if earlier else [])  # every run is kept: nbgrader varies
    runs = [{k: v for k, v in run.items() if k != "command"} for run in runs] + [result]
    existing[key] = {"runs": runs, "command": "CNNBOOK_DATA=DIR python benchmarks/"
                     f"grade_throughput.py --n {args.n}"
                     + (" --autograder-only" if args.autograder_only else "")
                     + (" --preflight" if args.preflight else "")}
    save("grade_throughput", "see each result's command", existing)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
