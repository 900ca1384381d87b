"""Golden cases on the real data: a network that misses the point of A3 or A4 fails the
accuracy part under the `cpu` grading profile (issue 12).

Each weak network is submitted as a student would: the exercise notebook (Greek or
English) with the reference's answers in every cell but `build_model`, which
builds a single dense layer for A3 (softmax regression on the pixels) or a
two-layer CNN without augmentation for A4, the networks that
`benchmarks/weak_networks.py` measures on three seeds. Their accuracies under the
budget sit below the profile's threshold there (results/weak_networks.json); here
the whole grader must say so, with the measured accuracy as the reason.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import pytest

from autograder.common import project
from autograder.common.spec import load_spec
from autograder.records.workspace import open_workspace

WEAK_BUILD_MODEL = {
    "a3-mnist-cnn": '''def build_model():
    """Softmax regression on the pixels: one dense layer."""
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(),
                             layers.Dense(10, activation="softmax", dtype="float32")])''',
    "a4-cifar10-cnn": '''def build_model():
    """Two convolutions, no augmentation, no normalisation."""
    return keras.Sequential([
        keras.Input((32, 32, 3)), layers.Rescaling(1 / 255),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(10, activation="softmax", dtype="float32"),
    ])''',
}


def weak_submission(assignment: str, lang: str) -> nbformat.NotebookNode:
    """The exercise notebook answered with the reference, but for a weak build_model."""
    solution = nbformat.read(project.SOLUTIONS / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {cell.metadata.nbgrader.grade_id: re.sub(r"\n?\s*### (BEGIN|END) SOLUTION", "",
                                                       cell.source)
               for cell in solution.cells if cell.metadata.get("nbgrader", {}).get("solution")}
    answers["build_model"] = WEAK_BUILD_MODEL[assignment]
    notebook = nbformat.read(project.EXERCISES / lang / assignment / f"{assignment}.ipynb",
                             as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


@pytest.mark.realdata
@pytest.mark.keras
@pytest.mark.parametrize("assignment, lang", [("a3-mnist-cnn", "el"), ("a4-cifar10-cnn", "en")])
def test_a_weak_network_fails_the_accuracy_part(assignment, lang, full_cifar_dir, tmp_path):
    root = tmp_path / "course"
    workspace = open_workspace(root, create=True)
    folder = workspace.submitted("weak", assignment)
    folder.mkdir(parents=True)
    nbformat.write(weak_submission(assignment, lang), folder / f"{assignment}.ipynb")
    # From the command line, as an instructor runs it. In this process, earlier tests may
    # have started TensorFlow's thread pools, and a worker forked from it would hang in
    # its first TensorFlow call (TensorFlow is not fork-safe once initialised).
    command = [sys.executable, "-m", "autograder", "grade", assignment, "--course", str(root),
               "--profile", "cpu", "--data", str(full_cifar_dir), "--no-preflight",
               "--workers", "2"]
    graded = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert graded.returncode == 0, graded.stderr[-2000:]

    result = json.loads((workspace.autograded("weak", assignment) / "result.json").read_text())
    accuracy = {part["cell"]: part for part in result["parts"]}["test_accuracy"]
    spec = load_spec(project.SOLUTIONS / assignment)
    threshold = spec.profile("cpu").parameters["ACCURACY_TARGET"]
    assert not accuracy["passed"] and accuracy["score"] == 0, accuracy
    assert accuracy["reason_code"] == "accuracy_below"
    assert accuracy["reason_params"]["accuracy"] < threshold
    assert result["reason"] == ""  # the notebook ran to its end: a weak network, not a crash
