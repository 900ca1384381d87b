"""What book/en/architectures.md says about the degradation experiment, checked.

The page glues every number from cnnbook/assets/degradation.json; its prose
states which network trains better. Retraining with scripts/train_degradation.py
can change the picture; then these tests fail instead of the page silently
contradicting its own figure. Update the prose (English and Greek) and these
tests together.
"""

from __future__ import annotations

import pytest

from cnnbook.assets import load_metrics


@pytest.fixture(scope="module")
def degradation() -> dict:
    return load_metrics("degradation")


@pytest.fixture(scope="module")
def run(degradation):
    """run(depth, shortcuts): that network's record."""
    runs = {(r["depth"], r["shortcuts"]): r for r in degradation["runs"]}
    return lambda depth, shortcuts: runs[depth, shortcuts]


def test_the_setup_the_page_describes(degradation):
    """"at two depths, with and without shortcuts, trained briefly on a subset of CIFAR-10",
    "with half its filters in every layer" (He et al.'s first stage has 16)."""
    assert degradation["data"]["kind"] == "full"
    settings = degradation["settings"]
    assert settings["depths"] == [8, 32] and settings["width"] == 8
    assert not settings["augmentation"]
    assert sorted((r["depth"], r["shortcuts"]) for r in degradation["runs"]) == [
        (8, False), (8, True), (32, False), (32, True)]
    assert all(len(r["history"]["accuracy"]) == settings["epochs"] for r in degradation["runs"])


def test_the_deeper_plain_network_fits_its_training_data_worse(run):
    """"Without shortcuts, the 32-layer network ends with a lower training accuracy than the
    8-layer one", in inference mode and in every epoch's running mean after the first."""
    assert run(32, False)["final_train_accuracy"] < run(8, False)["final_train_accuracy"] - 0.05
    deep, shallow = run(32, False)["history"]["accuracy"], run(8, False)["history"]["accuracy"]
    assert all(d < s for d, s in zip(deep[1:], shallow[1:], strict=True))
    assert run(32, False)["params"] > 5 * run(8, False)["params"]


def test_with_shortcuts_the_deep_network_trains_best(run):
    """"With shortcuts, the same deep network trains best of all four" (the running training
    accuracy of the last epoch), and better than the deep plain one in every epoch."""
    last = {(d, sc): run(d, sc)["history"]["accuracy"][-1] for d in (8, 32) for sc in (False, True)}
    assert max(last, key=last.get) == (32, True)
    deep_res = run(32, True)["history"]["accuracy"]
    deep_plain = run(32, False)["history"]["accuracy"]
    assert all(r > p for r, p in zip(deep_res, deep_plain, strict=True))


def test_the_test_side_does_not_follow_in_this_short_run(run):
    """"the deep residual network has a test accuracy … below the shallow residual network's,
    and measured in inference mode on its own training images it reaches only …, far below its
    running training accuracy." """
    assert run(32, True)["final_test_accuracy"] < run(8, True)["final_test_accuracy"]
    assert (run(32, True)["history"]["accuracy"][-1]
            - run(32, True)["final_train_accuracy"]) > 0.1
