"""The scripts behind the training-toolkit page run end to end on the bundled samples
(slow: about a minute and a half; `python -m pytest -m slow tests/test_training_scripts.py`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def run(script: str, *args: str) -> None:
    env = {**os.environ, "CNNBOOK_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run([sys.executable, f"scripts/{script}", "--source", "sample", *args],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)


def test_train_overfit_writes_three_runs_and_a_confusion_matrix(tmp_path):
    out = tmp_path / "overfit.json"
    run("train_overfit.py", "--epochs", "2", "--out", str(out))
    result = json.loads(out.read_text())
    assert set(result["runs"]) == {"no_augmentation", "augmentation", "early_stopping"}
    assert result["data"]["kind"] == "sample" and "command" in result
    stopped = result["runs"]["early_stopping"]
    assert stopped["history"] == result["runs"]["no_augmentation"]["history"]  # same seed
    assert sum(map(sum, stopped["confusion"])) == result["data"]["test"]


def test_train_toolkit_writes_the_comparison_it_ran(tmp_path):
    out = tmp_path / "toolkit.json"
    run("train_toolkit.py", "--epochs", "1", "--only", "inputs", "--out", str(out))
    result = json.loads(out.read_text())
    assert set(result["comparisons"]) == {"inputs"}
    assert set(result["comparisons"]["inputs"]) == {"inputs_raw", "inputs_scaled",
                                                    "inputs_standardised"}
    assert result["precision"] is None  # not asked for
