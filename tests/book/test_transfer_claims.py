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
        assert len({r["epochs"] for r in rows}) == 1
        assert len({len(r["test_accuracy"]) for r in rows}) == 1
    assert all(len(r["test_accuracy"]) > 1 for r in transfer["results"] if r["size"] == "little")


def test_source_task_was_learned(transfer):
    """The page calls cifar5_base a pretrained network: it is far above chance (20%)."""
    assert transfer["source"]["test_accuracy"] > 0.6


# ------------------------------------------------- the page's code is the script's




# ------------------------------------------------------------ the prose's claims


def _spread(acc, target, size):
    values = [acc(target, size, m) for m in METHODS]
    return max(values) - min(values)


def test_similar_little_feature_extraction_wins_in_every_seed(acc, runs):
    """"Feature extraction is the best method … its worst run beats the best run from scratch."""
    best = max(METHODS, key=lambda m: acc("similar", "little", m))
    assert best == "feature_extraction"
    assert min(runs("similar", "little", "feature_extraction")) > max(
        runs("similar", "little", "scratch"))


def test_little_data_fine_tuning_below_feature_extraction_on_both_targets(acc):
    """"With little data, fine-tuning is below feature extraction on both targets."""
    for target in TARGETS:
        assert acc(target, "little", "fine_tuning") < acc(target, "little", "feature_extraction")


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


def test_similar_lots_methods_draw_together(acc):
    """"With lots of similar data the methods draw together … differences this small."""
    assert _spread(acc, "similar", "lots") < _spread(acc, "similar", "little")
    assert _spread(acc, "similar", "lots") < 0.02


def test_different_lots_scratch_wins_by_more_than_the_similar_spread(acc):
    """"On the different target, training from scratch is best … more than the whole spread
    on the similar target." """
    scratch = acc("different", "lots", "scratch")
    transfer_best = max(acc("different", "lots", m) for m in ("feature_extraction", "fine_tuning"))
    assert scratch - transfer_best > _spread(acc, "similar", "lots")
