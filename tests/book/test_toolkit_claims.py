"""What book/*/training-toolkit.md says, checked: against the page's own code (its cells
run here, about ten seconds) and against the two artefacts it reads,
cnnbook/assets/toolkit.json (scripts/train_toolkit.py) and overfit.json
(scripts/train_overfit.py). A retrained artefact that changes the picture fails
here instead of contradicting the prose; then update the prose of both editions
and these tests together.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from cnnbook.assets import load_metrics
from tests.conftest import ROOT

CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.S | re.M)
EN, EL = ROOT / "book" / "en", ROOT / "book" / "el"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def toolkit() -> dict:
    return load_metrics("toolkit")


@pytest.fixture(scope="module")
def overfit() -> dict:
    return load_metrics("overfit")


def val_accuracy(toolkit, group, name) -> float:
    return toolkit["comparisons"][group][name]["history"]["val_accuracy"][-1]


def train_loss(toolkit, group, name) -> float | None:
    return toolkit["comparisons"][group][name]["history"]["loss"][-1]


# ------------------------------------------------------------ the page's own code


@pytest.fixture(scope="module")
def page() -> dict:
    pytest.importorskip("keras")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict = {}
    text = (EN / "training-toolkit.md").read_text(encoding="utf-8")
    for number, cell in enumerate(CODE_CELL.findall(text)):
        source = "\n".join(line for line in cell.splitlines() if not line.startswith(":tags:"))
        exec(compile(source, f"training-toolkit.md cell {number}", "exec"), namespace)
    plt.close("all")
    return namespace


@pytest.mark.keras
def test_he_keeps_the_scale_glorot_halves_the_variance_small_weights_vanish(page):
    """"With He initialisation the activations keep their scale …; with Glorot's they halve
    in variance at every layer …; with small weights … they are gone within a few layers." """
    stds = page["stds"]
    assert 0.5 < stds["he_normal"][-1] / stds["he_normal"][0] < 2
    assert (stds["glorot_uniform"][-1] / stds["glorot_uniform"][0]) ** (1 / 19) == \
        pytest.approx(2 ** -0.5, rel=0.05)
    small = stds["normal_0.01"]
    assert small[4] < 1e-3 * small[0] and small[-1] < 1e-15


@pytest.mark.keras
def test_batch_norm_demo_standardises_in_training_but_not_after_one_batch(page):
    """"In training the output has mean 0 and standard deviation 1 …. After one batch the
    moving mean has moved only 1% of the way … After a few hundred training batches the
    moving averages have caught up." """
    import keras

    assert np.abs(page["in_training"].mean(axis=0)).max() < 0.01
    assert np.abs(page["in_training"].std(axis=0) - 1).max() < 0.01
    moving_mean = keras.ops.convert_to_numpy(page["bn"].moving_mean)
    np.testing.assert_allclose(moving_mean, 5, atol=0.15)  # caught up after 400 batches
    np.testing.assert_allclose(page["at_inference"].mean(axis=0), 0, atol=0.2)
    np.testing.assert_allclose(page["at_inference"].std(axis=0), 1, atol=0.1)


@pytest.mark.keras
def test_one_batch_moves_the_moving_mean_one_percent():
    import keras

    bn = keras.layers.BatchNormalization()
    batch = np.random.default_rng(0).normal(5, 3, size=(256, 4)).astype("float32")
    bn(batch, training=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(bn.moving_mean),
                               0.01 * batch.mean(axis=0), rtol=1e-3)
    at_inference = keras.ops.convert_to_numpy(bn(batch, training=False))
    assert at_inference.mean() > 4  # far from standardised


@pytest.mark.keras
def test_l2_in_adam_decays_by_gradient_size_adamw_does_not(page):
    """"With the L2 penalty the weight with small gradients is driven to zero, while the one
    with large gradients barely moves. With AdamW the two weights end equal … the decay
    shrinks both by the factor (1 − ηλ)^100" """
    adam, data = page["adam"], page["data"]
    l2 = adam(lambda w, t: data(w, t) + 0.1 * w)
    adamw = adam(data, decoupled_decay=0.1)
    assert abs(l2[0] - 1) < 0.05 and abs(l2[1]) < 0.05
    assert adamw[0] == adamw[1] < 0.85
    # without decay the data alone leave both weights where they were, give or take a step
    assert np.abs(adam(data) - 1).max() < 0.1


@pytest.mark.keras
def test_label_smoothing_penalises_a_sure_right_answer(page):
    """"almost certain of the right answer has nearly zero loss with one-hot targets, but a
    clearly positive one with smoothed targets" """
    import keras

    sure, one_hot = page["sure"], page["one_hot"]
    losses = [float(keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=s)(
        one_hot, sure)) for s in (0.0, 0.1)]
    assert losses[0] < 1e-4 and losses[1] > 0.5
    np.testing.assert_allclose(page["smoothed"][0], [0.01] * 3 + [0.91] + [0.01] * 6)


# ------------------------------------------------------ the toolkit comparisons


def test_comparisons_ran_on_the_full_fashion_mnist(toolkit):
    """"Each run trains on the first 10,000 images of Fashion-MNIST … the last 5,000" """
    assert toolkit["data"] == {**toolkit["data"], "dataset": "fashion_mnist", "kind": "full",
                               "train": 10_000, "validation": 5000}
    assert toolkit["base"]["optimizer"] == "sgd" and toolkit["base"]["learning_rate"] == 0.01
    assert toolkit["base"]["inputs"] == "standardised" and toolkit["base"]["init"] == "he_normal"


def test_raw_pixels_do_not_train_and_standardising_beats_scaling(toolkit):
    """Summary: "raw pixel values make gradient descent diverge or crawl"."""
    assert val_accuracy(toolkit, "inputs", "inputs_raw") < 0.15
    assert (val_accuracy(toolkit, "inputs", "inputs_standardised")
            > val_accuracy(toolkit, "inputs", "inputs_scaled") + 0.03)


def test_small_initial_weights_stop_learning_and_he_beats_glorot(toolkit):
    """"too small initial weights stop a deep network from learning" """
    assert val_accuracy(toolkit, "init", "init_normal_0.01") < 0.15
    assert (val_accuracy(toolkit, "init", "init_he_normal")
            > val_accuracy(toolkit, "init", "init_glorot_uniform") + 0.03)


# --------------------------------------------------------------- overfitting


def test_overfit_run_is_the_full_cifar_tenth(overfit):
    assert overfit["data"]["kind"] == "full"
    assert overfit["data"]["train"] == 5000 and overfit["data"]["validation"] == 5000
    assert overfit["runs"]["no_augmentation"]["augment"] is False
    assert overfit["runs"]["augmentation"]["augment"] is True


def test_validation_loss_turns_up_while_training_accuracy_climbs(overfit):
    """"The validation loss is lowest after epoch B … and then rises … while the training
    accuracy keeps climbing" """
    history = overfit["runs"]["no_augmentation"]["history"]
    best = int(np.argmin(history["val_loss"]))
    assert best < len(history["val_loss"]) - 5
    assert history["val_loss"][-1] > min(history["val_loss"]) + 0.2
    assert history["accuracy"][-1] > history["accuracy"][best] + 0.1


def test_early_stopping_fired_and_followed_the_full_run(overfit):
    """"The callback fired … kept the weights of epoch B. … the stopped run followed the full
    run exactly, epoch by epoch" """
    stopped, full = overfit["runs"]["early_stopping"], overfit["runs"]["no_augmentation"]
    assert stopped["stopped_epoch"] < overfit["epochs"]
    assert stopped["best_epoch"] == stopped["stopped_epoch"] - stopped["patience"]
    n = stopped["stopped_epoch"]
    assert stopped["history"]["val_loss"] == full["history"]["val_loss"][:n]
    assert stopped["best_epoch"] == int(np.argmin(full["history"]["val_loss"])) + 1


def test_kept_model_has_the_lower_test_loss_but_the_lower_accuracy(overfit):
    """"On the test set the kept model has the lower loss … but also the lower accuracy …
    the network trained with augmentation beats both" """
    stopped, full = overfit["runs"]["early_stopping"], overfit["runs"]["no_augmentation"]
    augmented = overfit["runs"]["augmentation"]
    assert stopped["test"]["loss"] < full["test"]["loss"]
    assert stopped["test"]["accuracy"] < full["test"]["accuracy"]
    assert augmented["test"]["accuracy"] > max(stopped["test"]["accuracy"],
                                               full["test"]["accuracy"])


def test_validation_accuracy_creeps_up_far_below_training(overfit):
    """"The validation accuracy … creeps up, from X% to Y%, far below the training accuracy" """
    history = overfit["runs"]["no_augmentation"]["history"]
    best = int(np.argmin(history["val_loss"]))
    assert 0 < history["val_accuracy"][-1] - history["val_accuracy"][best] < 0.1
    assert history["accuracy"][-1] - history["val_accuracy"][-1] > 0.2


def test_augmentation_keeps_the_curves_together(overfit):
    """"With augmentation the training and the validation curves stay together … a gap of
    X percentage points against Y … the validation loss is lowest near the end of the run" """
    plain = overfit["runs"]["no_augmentation"]["history"]
    augmented = overfit["runs"]["augmentation"]["history"]
    gap = lambda h: h["accuracy"][-1] - h["val_accuracy"][-1]  # noqa: E731
    assert gap(augmented) < 0.1 < 0.2 < gap(plain)
    assert int(np.argmin(augmented["val_loss"])) >= len(augmented["val_loss"]) - 5
    assert augmented["val_loss"][-1] < min(plain["val_loss"])


def test_confusion_matrix_is_the_kept_models_test_accuracy(overfit):
    stopped = overfit["runs"]["early_stopping"]
    confusion = np.array(stopped["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 10_000
    assert (confusion.sum(axis=1) == 1000).all()
    assert confusion.trace() / 10_000 == pytest.approx(stopped["test"]["accuracy"], abs=2e-3)


# ------------------------------------------------------------------ the pages


def test_a4_recipe_uses_what_the_assignment_box_says():
    """"A4's reference recipe uses … batch normalisation, augmentation, AdamW, a cosine
    schedule and label smoothing" """
    notebook = json.loads((ROOT / "solutions" / "a4-cifar10-cnn" / "a4-cifar10-cnn.ipynb")
                          .read_text(encoding="utf-8"))
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"]
                     if cell["cell_type"] == "code")
    for name in ("BatchNormalization", "RandomFlip", "AdamW", "CosineDecay", "label_smoothing"):
        assert name in code, name


def test_the_cited_avx2_figure_is_the_projects_measurement():
    """"one epoch of assignment A4 on 10,000 images took 277 s in mixed_bfloat16 against 42 s
    in float32" is the figure cnnbook.precision documents."""
    source = (ROOT / "cnnbook" / "precision.py").read_text(encoding="utf-8")
    assert "277 s" in source and "42 s" in source
    assert "277 s in `mixed_bfloat16` against 42 s in `float32`" in flat(
        (EN / "training-toolkit.md").read_text(encoding="utf-8"))
    assert "277 s σε `mixed_bfloat16` έναντι 42 s σε `float32`" in flat(
        (EL / "training-toolkit.md").read_text(encoding="utf-8"))


def test_raw_pixels_throw_the_weights_away(toolkit):
    """"the first updates throw the weights far away, and … its training loss sits at ln 10" """
    raw = toolkit["comparisons"]["inputs"]["inputs_raw"]
    assert raw["kernel_norm"] is None or raw["kernel_norm"] > 1e6  # None: overflowed float32
    assert train_loss(toolkit, "inputs", "inputs_raw") == pytest.approx(np.log(10), abs=0.02)


def test_batch_norm_trains_at_the_rate_that_stops_the_plain_network(toolkit):
    """"Without batch normalisation the largest rate, 0.2, is too large … With batch
    normalisation the same rate works, and gives the lowest training loss of all six runs …
    at every rate, the normalised network has the lower training loss." """
    rates = (0.01, 0.05, 0.2)
    assert train_loss(toolkit, "batch_norm", "plain_lr0.2") == pytest.approx(np.log(10),
                                                                             abs=0.02)
    losses = {name: train_loss(toolkit, "batch_norm", name)
              for name in toolkit["comparisons"]["batch_norm"]}
    assert min(losses, key=losses.get) == "bn_lr0.2"
    for lr in rates:
        assert losses[f"bn_lr{lr}"] < losses[f"plain_lr{lr}"]


def test_batch_norm_validation_accuracy_jumps_at_a_large_constant_rate(toolkit):
    """"Measured after the last update … it jumps from epoch to epoch (X% at 0.05)" """
    history = toolkit["comparisons"]["batch_norm"]["bn_lr0.05"]["history"]["val_accuracy"]
    assert max(abs(b - a) for a, b in itertools.pairwise(history)) > 0.03
    assert history[-1] < max(history) - 0.03


def test_cosine_decay_settles_and_warm_up_changes_little_here(toolkit):
    """"Both cosine schedules end far higher … Warm-up makes no difference worth reading …
    the two cosine runs differ by about as much as two seeds would." """
    constant = val_accuracy(toolkit, "schedule", "schedule_constant")
    cosine = val_accuracy(toolkit, "schedule", "schedule_cosine")
    warmup = val_accuracy(toolkit, "schedule", "schedule_warmup_cosine")
    assert min(cosine, warmup) > constant + 0.15
    assert abs(cosine - warmup) < 0.03


def test_mixed_precision_helps_with_bf16_instructions_and_hurts_without(toolkit):
    """"With the bfloat16 instructions, mixed precision makes each update N times faster. In
    software it makes it M times slower, close to the ratio of the project's AVX2
    measurement, 277/42" """
    timing = toolkit["precision"]
    assert {"avx512_bf16", "amx_bf16"} & set(timing["isa"])  # measured on a native-bf16 CPU
    ms = {(row["kernels"], row["policy"]): row["ms_per_step"] for row in timing["rows"]}
    assert ms["onednn", "float32"] / ms["onednn", "mixed_bfloat16"] > 1.2
    slowdown = ms["eigen", "mixed_bfloat16"] / ms["eigen", "float32"]
    assert 3 < slowdown < 20  # "the same order as" 277/42 = 6.6


def test_weight_decay_shrinks_the_weights_not_yet_the_accuracy(toolkit):
    """"weight decay changes the accuracy by no more than a second seed would … It shows in
    the weights" """
    runs = toolkit["comparisons"]["weight_decay"]
    accuracies = [run["history"]["val_accuracy"][-1] for run in runs.values()]
    assert max(accuracies) - min(accuracies) < 0.03
    assert runs["decay_l2"]["kernel_norm"] < runs["decay_none"]["kernel_norm"]
    assert runs["decay_adamw"]["kernel_norm"] < runs["decay_none"]["kernel_norm"]


def test_label_smoothing_lowers_confidence_not_accuracy(toolkit):
    """"leaves the accuracy where it was … lowers the mean confidence … with either target its
    mean confidence is below its accuracy" """
    runs = toolkit["comparisons"]["label_smoothing"]
    one_hot, smoothed = runs["smoothing_0.0"], runs["smoothing_0.1"]
    accuracy = lambda run: run["history"]["val_accuracy"][-1]  # noqa: E731
    assert abs(accuracy(smoothed) - accuracy(one_hot)) < 0.02
    assert smoothed["val_confidence"] < one_hot["val_confidence"] - 0.03
    for run in (one_hot, smoothed):
        assert run["val_confidence"] < accuracy(run)


def test_pages_name_the_share_of_cifar_the_overfit_run_used(overfit):
    """"on only a tenth of CIFAR-10's training images" """
    assert overfit["data"]["train"] * 10 == 50_000
    assert "a tenth of CIFAR-10" in flat((EN / "training-toolkit.md").read_text(encoding="utf-8"))
    assert "ένα δέκατο των εικόνων εκπαίδευσης του CIFAR-10" in flat(
        (EL / "training-toolkit.md").read_text(encoding="utf-8"))
