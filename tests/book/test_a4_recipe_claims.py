"""What book/*/training.md says of A4's recipe, checked against cnnbook/assets/a4_recipe.json
(`benchmarks/a4_recipes.py summary`) and against the solution notebook it describes.
A new measurement that changes the picture fails here instead of contradicting the prose.
"""

from __future__ import annotations

import importlib.util
import json
import re
import statistics

import pytest

from cnnbook.assets import load_metrics
from tests.conftest import ROOT

SOLUTION = ROOT / "solutions" / "a4-cifar10-cnn" / "a4-cifar10-cnn.ipynb"


@pytest.fixture(scope="module")
def a4() -> dict:
    return load_metrics("a4_recipe")


@pytest.fixture(scope="module")
def recipes():
    spec = importlib.util.spec_from_file_location("bench_recipes",
                                                  ROOT / "benchmarks" / "a4_recipes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solution_code() -> str:
    notebook = json.loads(SOLUTION.read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) for cell in notebook["cells"]
                     if cell["cell_type"] == "code")


def test_the_target_is_met_on_the_reference_class(a4):
    """"it reached … on the test set (median …%), and the notebook trained in a median of … s"
    with three seeds: at least 80% within ten minutes."""
    runs = a4["notebook"]["runs"]
    assert len(runs) == 3 and a4["notebook"]["cpu"]["class"] == "avx2 (emulated)"
    assert {run["precision"] for run in runs} == {"float32"}
    assert statistics.median(run["test_accuracy"] for run in runs) >= 0.80
    assert a4["notebook"]["median_train_seconds"] <= 600


def test_the_old_pattern_stops_short_in_the_same_time(a4):
    """"manages about three passes … and stops near 73%" """
    old = a4["old_reference"]
    assert old["parameters"] == {"EPOCHS": 3} and old["median_train_seconds"] <= 600
    assert old["median_test_accuracy"] < 0.75


def test_halving_the_multiply_adds_saves_far_less_than_half(a4):
    """"halves the multiply-adds but saves only …% of the CPU time"; "saves another …% with
    the same multiply-adds" """
    cost = a4["cost"]
    assert cost["plain4"]["multiply_adds"] / cost["reference"]["multiply_adds"] < 0.55
    thin = 1 - cost["plain4"]["cpu_seconds_per_10000"] / cost["reference"]["cpu_seconds_per_10000"]
    assert 0.2 < thin < 0.45
    assert cost["plain4-pool-first"]["multiply_adds"] == cost["plain4"]["multiply_adds"]
    pool = 1 - (cost["plain4-pool-first"]["cpu_seconds_per_10000"]
                / cost["plain4"]["cpu_seconds_per_10000"])
    assert pool > 0.2


def test_the_solution_is_the_network_the_page_describes(a4, recipes):
    """One convolution per block (32, 64, 128, then 256 at 4x4), pooling before the
    normalisation and ReLU, the epochs and the weights the page names."""
    chosen = recipes.CANDIDATES[a4["chosen"]]
    assert chosen["blocks"] == [(32, 1), (64, 1), (128, 1), (256, 1)] and chosen["pool_first"]
    code = solution_code()
    assert "for filters in (32, 64, 128):" in code and "Conv2D(256, 3" in code
    pool, normalise = code.index("MaxPooling2D(2)"), code.index("BatchNormalization")
    assert pool < normalise  # CONV -> POOL -> normalisation -> RELU
    assert re.search(rf"^EPOCHS = {a4['epochs']}\b", code, re.M)
    assert a4["params"] == 392_426


def test_the_pattern_accepts_pooling_before_the_relu():
    pattern = re.search(r'ARCHITECTURE = r"([^"]+)"', solution_code()).group(1)
    grading = (SOLUTION.parent / "grading.yml").read_text(encoding="utf-8")
    assert f"pattern: {pattern}" in grading
    for accepted in ("CONV-POOL-RELU-CONV-POOL-RELU-CONV-POOL-RELU-CONV-RELU-GAP-FC-SOFTMAX",
                     "CONV-RELU-POOL-CONV-RELU-CONV-RELU-POOL-GAP-FC-SOFTMAX"):
        assert re.fullmatch(pattern, accepted)
    for refused in ("CONV-POOL-CONV-RELU-GAP-FC-SOFTMAX", "FC-SOFTMAX"):
        assert not re.fullmatch(pattern, refused)
