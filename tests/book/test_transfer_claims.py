"""What book/en/transfer-learning.md says about the transfer experiment, checked.

The page glues every number from cnnbook/assets/transfer.json, but its prose
also states comparisons (which method wins where) and describes the setup.
Retraining with scripts/train_transfer.py can change the picture; then these
tests fail, instead of the page silently contradicting its own table. Update
the prose (English and Greek) and these tests together.
"""

from __future__ import annotations

import pytest

from cnnbook.assets import load_metrics
from tests.conftest import ROOT

PAGE = ROOT / "book" / "en" / "transfer-learning.md"
TARGETS, SIZES = ("similar", "different"), ("little", "lots")
METHODS = ("feature_extraction", "fine_tuning", "scratch")


@pytest.fixture(scope="module")
def transfer() -> dict:
    return load_metrics("transfer")


@pytest.fixture(scope="module")
def acc(transfer):
    """acc(target, size, method): the mean test accuracy of that run."""
    means = {(r["target"], r["size"], r["method"]): r["mean"] for r in transfer["results"]}
    return lambda target, size, method: means[target, size, method]


@pytest.fixture(scope="module")
def runs(transfer):
    """runs(target, size, method): the test accuracy of every seed."""
    found = {(r["target"], r["size"], r["method"]): r["test_accuracy"]
             for r in transfer["results"]}
    return lambda target, size, method: found[target, size, method]


# ----------------------------------------------------------------- the setup


def test_results_come_from_the_full_run(transfer):
    """The page describes the real experiment, not the script's smoke test on samples."""
    assert transfer["data"]["kind"] == "full"
    assert transfer["source"]["classes"] == [0, 1, 2, 3, 4]
    assert transfer["source"]["train_images"] == 25_000 - 2_500  # 2,500 held out
    assert transfer["targets"] == {
        "similar": {"dataset": "cifar10", "classes": [5, 6, 7, 8, 9]},
        "different": {"dataset": "fashion_mnist", "classes": [0, 1, 2, 3, 4]}}
    assert transfer["sizes"] == {"little": 20, "lots": 2000}
    assert tuple(transfer["methods"]) == METHODS


def test_every_case_once_with_five_classes(transfer):
    cases = [(r["target"], r["size"], r["method"]) for r in transfer["results"]]
    assert sorted(cases) == sorted((t, s, m) for t in TARGETS for s in SIZES for m in METHODS)
    for row in transfer["results"]:
        assert row["train_images"] == 5 * transfer["sizes"][row["size"]]
        assert row["mean"] == pytest.approx(
            sum(row["test_accuracy"]) / len(row["test_accuracy"]), abs=1e-4)


def test_little_data_runs_are_repeated_and_share_their_settings(transfer):
    """The page glues one epoch count and one seed count per size."""
    for size in SIZES:
        rows = [r for r in transfer["results"] if r["size"] == size]
        assert len({tuple(r["epochs"]) for r in rows}) == 1
        assert len({len(r["test_accuracy"]) for r in rows}) == 1
    assert all(len(r["test_accuracy"]) > 1 for r in transfer["results"] if r["size"] == "little")
    # "with lots of data … one run per case"
    assert all(len(r["test_accuracy"]) == 1 for r in transfer["results"] if r["size"] == "lots")


def test_every_run_has_two_stages_the_second_ten_times_slower(transfer):
    """"Stage 1 … at a learning rate of 10⁻³ … Stage 2 continues at a tenth of that rate, 10⁻⁴." """
    from cnnbook.models import TRANSFER_LEARNING_RATES

    assert transfer["learning_rates"] == [1e-3, 1e-4] == list(TRANSFER_LEARNING_RATES)
    assert all(len(r["epochs"]) == 2 and min(r["epochs"]) > 0 for r in transfer["results"])


def test_fine_tuning_continues_from_feature_extractions_stage_one(transfer):
    """"The two methods share stage 1 … so they differ only in whether conv3 learns in stage 2." """
    rows = {(r["target"], r["size"], r["method"]): r for r in transfer["results"]}
    for target in TARGETS:
        for size in SIZES:
            assert (rows[target, size, "fine_tuning"]["after_stage1"]
                    == rows[target, size, "feature_extraction"]["after_stage1"])


def test_source_task_was_learned(transfer):
    """The page calls cifar5_base a pretrained network: it is far above chance (20%)."""
    assert transfer["source"]["test_accuracy"] > 0.6


# ------------------------------------------------- the page's code is the script's




# ------------------------------------------------------------ the prose's claims


def test_similar_little_transfer_beats_scratch_in_every_seed(acc, runs):
    """"Both transfer methods are far ahead of training from scratch … its worst run beats the
    best run from scratch." """
    best = max(METHODS, key=lambda m: acc("similar", "little", m))
    assert best in ("feature_extraction", "fine_tuning")
    assert min(runs("similar", "little", "feature_extraction")) > max(
        runs("similar", "little", "scratch"))
    assert acc("similar", "little", "fine_tuning") - acc("similar", "little", "scratch") > 0.05


def test_little_data_unfreezing_conv3_is_within_seed_noise(acc, runs):
    """"unfreezing conv3 changed the result by less than a point and a half per seed … far less
    than runs differ between seeds … Fine-tuning neither helps nor hurts here." """
    fe_range = max(max(runs(t, "little", "feature_extraction"))
                   - min(runs(t, "little", "feature_extraction")) for t in TARGETS)
    for target in TARGETS:
        paired = [ft - fe for ft, fe in zip(runs(target, "little", "fine_tuning"),
                                            runs(target, "little", "feature_extraction"),
                                            strict=True)]
        assert max(abs(d) for d in paired) < 0.015
        assert max(abs(d) for d in paired) < fe_range / 2
        assert abs(acc(target, "little", "fine_tuning")
                   - acc(target, "little", "feature_extraction")) < 0.01


def test_the_one_stage_run_fell_behind_and_the_two_stage_run_does_not(transfer, acc):
    """"There, fine-tuning … fell behind feature extraction … With the head trained first,
    conv3 learns from the same images without harm." """
    one_stage = transfer["one_stage"]
    assert one_stage["learning_rates"]["fine_tuning"] == 3e-4
    earlier = {(r["target"], r["size"], r["method"]): r["mean"] for r in one_stage["results"]}
    for target in TARGETS:
        deficit = earlier[target, "little", "feature_extraction"] - earlier[
            target, "little", "fine_tuning"]
        assert deficit > 0.02
        assert acc(target, "little", "fine_tuning") > earlier[target, "little", "fine_tuning"]


def test_different_little_transfer_gain_within_seed_noise(acc, runs):
    """"… only N points apart, less than the runs of either method differ between seeds."""
    gain = acc("different", "little", "feature_extraction") - acc("different", "little", "scratch")
    ranges = [max(runs("different", "little", m)) - min(runs("different", "little", m))
              for m in ("feature_extraction", "scratch")]
    assert abs(gain) < min(ranges)
    # "the advantage almost disappears": far smaller than on the similar target
    similar_gain = (acc("similar", "little", "feature_extraction")
                    - acc("similar", "little", "scratch"))
    assert abs(gain) < similar_gain / 4


def test_fashion_is_the_easier_target_from_scratch(acc):
    """"From scratch, Fashion-MNIST … reach X% where CIFAR-10's animals and vehicles reach Y%."""
    assert acc("different", "little", "scratch") > acc("similar", "little", "scratch")


def test_with_lots_of_data_scratch_wins_on_both_targets(acc):
    """"With lots of data, training from scratch is best on both targets … N points ahead of
    the better transfer method." """
    for target in TARGETS:
        best_transfer = max(acc(target, "lots", m) for m in ("feature_extraction", "fine_tuning"))
        assert acc(target, "lots", "scratch") - best_transfer > 0.015


def test_stage_two_helped_scratch_most_on_similar_lots(transfer):
    """"Stage 2 matters here: the network trained from scratch went from X% … to Y%, while
    feature extraction only went from …" """
    rows = {(r["target"], r["size"], r["method"]): r for r in transfer["results"]}

    def stage_two_gain(method):
        row = rows["similar", "lots", method]
        return row["test_accuracy"][0] - row["after_stage1"][0]

    assert stage_two_gain("scratch") > 2 * stage_two_gain("feature_extraction") > 0


def test_with_lots_of_data_fine_tuning_is_ahead_by_under_a_point(acc):
    """"Fine-tuning is ahead of feature extraction on both targets … differences under a point
    could be chance." """
    for target in TARGETS:
        ahead = acc(target, "lots", "fine_tuning") - acc(target, "lots", "feature_extraction")
        assert 0 < ahead < 0.01
