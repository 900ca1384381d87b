"""Run a notebook's visible tests as the grader runs them: a self-check before submitting.

    autograder check exercises/el/a3-mnist-cnn/a3-mnist-cnn.ipynb

The notebook is copied, never changed: it runs in the same sandbox, with the
same limits and budget (the `cpu` profile by default) as at grading time,
and each test cell is reported as passed, failed or never run. Exit 0 when
every visible test passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import nbformat

from autograder.common import project
from autograder.common.assignment import grade_cells, read_notebook
from autograder.common.errors import UserError
from autograder.common.spec import LIMIT_DEFAULTS, load_spec
from autograder.run.worker import worker_environment
from autograder.sandbox import isolation


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--profile", choices=("ci", "cpu", "gpu", "student"), default="cpu",
                        help="the grader's budget (default: cpu); 'student' keeps your values")
    parser.add_argument("--data", type=Path, default=None,
                        help="a folder of staged datasets to use (default: the bundled sample)")
    parser.add_argument("--solutions", type=Path, default=project.SOLUTIONS,
                        help="where the assignments' grading.yml live (default: this project's)")


def run(args: argparse.Namespace) -> int:
    notebook = read_notebook(args.notebook)
    assignment = notebook.metadata.get("cnnbook", {}).get("assignment")
    if not assignment:
        raise UserError(f"{args.notebook}: not one of the course's assignments "
                        "(no cnnbook.assignment in its metadata)")
    if args.data is not None and not args.data.is_dir():
        raise UserError(f"--data {args.data}: no such folder")
    parameters, limits = _budget(args, assignment)
    warning = isolation.isolation_warning()
    if warning:
        print(f"autograder check: warning: {warning}", file=sys.stderr)
    disk = isolation.Limits.from_spec(limits).disk_bytes
    with isolation.work_folder("autograder-check-", disk) as work:
        executed, status = _execute(notebook, parameters, limits, args.data, work)
    return _report(executed, status)


def _budget(args: argparse.Namespace, assignment: str) -> tuple[dict, dict]:
    folder = args.solutions / assignment
    if args.profile == "student" or not (folder / "grading.yml").is_file():
        return {}, dict(LIMIT_DEFAULTS)
    profile = load_spec(folder).profile(args.profile)
    return dict(profile.parameters), dict(profile.limits)


def _execute(notebook, parameters: dict, limits: dict, data: Path | None, work: Path):
    from papermill.parameterize import parameterize_notebook

    for cell in notebook.cells:
        cell.metadata.setdefault("tags", [])
    notebook.metadata["papermill"] = {}
    box = isolation.Sandbox(work, data, [], isolation.Limits.from_spec(limits))
    if data is not None:
        parameters = {**parameters, "DATA_DIR": box.data}
    if any("parameters" in c.metadata.tags for c in notebook.cells):
        notebook = parameterize_notebook(notebook, parameters, kernel_name="python3",
                                         language="python")
    nbformat.write(notebook, work / "notebook.ipynb")
    home = "/tmp/home" if box.isolated else str(work / ".home")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "KERAS_HOME": f"{home}/.keras", "LANG": "C.UTF-8", **worker_environment(0, None),
           **isolation.python_env()}
    print(f"running {notebook.metadata.get('cnnbook', {}).get('assignment')} "
          f"({box.isolation_name()}) …", file=sys.stderr)
    run = box.run([isolation.python(), "-m", "autograder.sandbox.inside", "notebook",
                   f"{box.work}/notebook.ipynb", f"{box.work}/executed.ipynb",
                   f"{box.work}/status.json", "--cell-timeout", str(limits["cell_timeout"])],
                  env, work / "runner.log")
    status = json.loads((work / "status.json").read_text()) if (
        work / "status.json").is_file() else {}
    if run.killed:
        status["stopped"] = f"limit:{run.killed}"
    executed = nbformat.read(work / "executed.ipynb", as_version=4) if (
        work / "executed.ipynb").is_file() else notebook
    return executed, status


# What the self-check prints, in the language of the edition the student works in
# (the glossary's terms: μονάδες, κελί ελέγχου, κρυφοί έλεγχοι).
WORDS = {
    "en": {"passed": "passed", "failed": "failed", "never ran": "never ran",
           "point": "point", "points": "points",
           "stopped": "the notebook stopped early: {why}",
           "all pass": "all visible tests pass",
           "some fail": "{n} visible test(s) do not pass",
           "hidden": "(the grader also runs hidden tests and checks your functions or model "
                     "on data you have not seen)",
           "timeout": "a cell took longer than its time limit",
           "kernel died": "the kernel died", "kernel failed": "the kernel could not start",
           "limit:timeout": "the notebook time limit", "limit:memory": "the memory limit",
           "limit:processes": "the process limit",
           "limit:disk": "the limit on the files it writes"},
    "el": {"passed": "επιτυχία", "failed": "αποτυχία", "never ran": "δεν εκτελέστηκε",
           "point": "μονάδα", "points": "μονάδες",
           "stopped": "το σημειωματάριο σταμάτησε νωρίς: {why}",
           "all pass": "όλοι οι ορατοί έλεγχοι περνούν",
           "some fail": "{n} ορατοί έλεγχοι δεν περνούν",
           "hidden": "(ο βαθμολογητής εκτελεί επίσης κρυφούς ελέγχους και ελέγχει τις "
                     "συναρτήσεις ή το μοντέλο σας σε δεδομένα που δεν έχετε δει)",
           "timeout": "ένα κελί ξεπέρασε το χρονικό του όριο",
           "kernel died": "ο πυρήνας του Jupyter (kernel) τερματίστηκε",
           "kernel failed": "ο πυρήνας του Jupyter (kernel) δεν ξεκίνησε",
           "limit:timeout": "το όριο χρόνου του σημειωματαρίου",
           "limit:memory": "το όριο μνήμης", "limit:processes": "το όριο διεργασιών",
           "limit:disk": "το όριο για τα αρχεία που γράφει"},
}


def _report(executed, status: dict) -> int:
    language = executed.metadata.get("cnnbook", {}).get("language", "en")
    words = WORDS.get(language, WORDS["en"])
    failures = 0
    for grade_id, cell in grade_cells(executed).items():
        points = cell.metadata.nbgrader.get("points", 0)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if cell.get("execution_count") is None:
            verdict, detail = "never ran", ""
        elif errors:
            verdict, detail = "failed", f": {errors[0].get('ename')}: {errors[0].get('evalue')}"
        else:
            verdict, detail = "passed", ""
        failures += verdict != "passed"
        unit = words["point"] if points == 1 else words["points"]
        print(f"  {words[verdict]:<15} {grade_id} ({points:g} {unit}){detail[:150]}")
    if status.get("stopped"):
        why = str(status["stopped"])
        print(words["stopped"].format(why=words.get(why, why)))
    print(words["all pass"] if not failures else words["some fail"].format(n=failures))
    print(words["hidden"])
    return 0 if not failures else 1
