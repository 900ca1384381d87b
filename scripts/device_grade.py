#!/usr/bin/env python3
"""Grade a few A3 and A4 submissions end to end, on the machine this runs on (a GPU runner).

    KERAS_BACKEND=jax python scripts/device_grade.py --gpus 0 [--profile ci]

Crafts submissions from the reference solutions and the student editions
(A3: correct, unanswered, a model that breaks the architecture; A4: correct),
collects them into a fresh workspace, grades them with `--gpus`, and prints
the table and each result. Uses the staged data in CNNBOOK_DATA, else the
bundled sample, so it needs no network. Exit status 1 if a score is not the
expected one. scripts/device_grade.sh wraps it for a bare machine.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.cli import main as autograder  # noqa: E402


def answered(assignment: str, language: str = "en", replace: dict | None = None):
    """The student edition with the reference answers filled in (and some replaced)."""
    source = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {c.metadata.nbgrader.grade_id: re.sub(r"\n?\s*### (BEGIN|END) SOLUTION", "", c.source)
               for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    answers.update(replace or {})
    notebook = nbformat.read(ROOT / "exercises" / language / assignment / f"{assignment}.ipynb",
                             as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


WIDE_MLP = """def build_model():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(),
                             layers.Dense(64, activation="relu"),
                             layers.Dense(10, activation="softmax")])"""

CASES = {
    "a3-mnist-cnn": {"correct": (answered("a3-mnist-cnn"), "full"),
                     "greek-correct": (answered("a3-mnist-cnn", "el"), "full"),
                     "unanswered": (nbformat.read(ROOT / "exercises/en/a3-mnist-cnn/"
                                                  "a3-mnist-cnn.ipynb", as_version=4), "zero"),
                     "not-a-cnn": (answered("a3-mnist-cnn", replace={"build_model": WIDE_MLP}),
                                   "partial")},
    "a4-cifar10-cnn": {"correct": (answered("a4-cifar10-cnn"), "full")},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gpus", default="0")
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="device-grade-"))
    wrong = []
    for assignment, cases in CASES.items():
        batch = work / "batch" / assignment
        for student, (notebook, _) in cases.items():
            (batch / student).mkdir(parents=True)
            nbformat.write(notebook, batch / student / f"{assignment}.ipynb")
        course = str(work / "course")
        if autograder(["collect", assignment, str(batch), "--course", course]) != 0:
            return 1
        if autograder(["grade", assignment, "--course", course, "--gpus", args.gpus,
                       "--profile", args.profile, "--workers", str(args.workers)]) != 0:
            return 1
        for student, (_, expected) in cases.items():
            result = json.loads((work / "course" / "autograded" / student / assignment /
                                 "result.json").read_text())
            got = ("full" if result["score"] == result["max_score"] else
                   "zero" if result["score"] == 0 else "partial")
            print(f"{assignment} {student}: {result['score']:g}/{result['max_score']:g} "
                  f"in {result['seconds']:.0f} s ({result['reason'] or 'no reason'})")
            if got != expected:
                wrong.append(f"{assignment}/{student}: {got}, expected {expected}")
    print("\n".join(wrong) or "all scores as expected")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
