"""cnnbook.toolkit: the pieces the training-toolkit page and its script use."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook.toolkit import confidence, standardise

keras = pytest.importorskip("keras")


def test_standardise_uses_the_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal([10.0, -3.0], [4.0, 0.5], size=(500, 6, 6, 2)).astype("float32")
    test = train[:50] + 1.0  # shifted: its own statistics would hide the shift
    train_std, test_std = standardise(train, test)
    np.testing.assert_allclose(train_std.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(train_std.std(axis=(0, 1, 2)), 1, atol=1e-4)
    assert test_std.dtype == np.float32
    # the test images moved by the training set's numbers: +1/4 and +1/0.5 std.
    shift = test_std.mean(axis=(0, 1, 2)) - train_std[:50].mean(axis=(0, 1, 2))
    np.testing.assert_allclose(shift, [1 / 4, 1 / 0.5], rtol=0.05)


def test_confidence_is_the_largest_softmax_probability():
    logits = np.array([[0.0, 0.0], [0.0, np.log(3.0)], [1000.0, 0.0]])
    np.testing.assert_allclose(confidence(logits), [0.5, 0.75, 1.0])


@pytest.mark.keras
def test_plain_cnn_with_batch_norm_drops_the_conv_bias():
    from cnnbook.toolkit import plain_cnn

    plain, normed = plain_cnn(depth=6, filters=16), plain_cnn(depth=6, filters=16,
                                                              batch_norm=True)
    assert plain.output_shape == normed.output_shape == (None, 10)
    assert plain.get_layer("conv1").use_bias and not normed.get_layer("conv1").use_bias
    pools = [layer.name for layer in plain.layers if "pool" in layer.name]
    assert pools == ["pool2", "pool4"]
    # BN adds gamma, beta (trainable) and two moving statistics per channel, minus the bias
    assert normed.count_params() - plain.count_params() == 6 * 16 * (4 - 1)


@pytest.mark.keras
def test_plain_cnn_regulariser_adds_a_loss_per_kernel():
    from cnnbook.toolkit import plain_cnn

    model = plain_cnn(depth=3, filters=4, kernel_regularizer=keras.regularizers.L2(1e-3))
    model(np.zeros((1, 28, 28, 1), "float32"))
    assert len(model.losses) == 3 + 1


@pytest.mark.keras
def test_warmup_cosine_rises_to_the_peak_then_falls_to_zero():
    from cnnbook.toolkit import warmup_cosine

    schedule = warmup_cosine(0.01, total_steps=400, warmup_steps=40)
    rate = lambda step: float(schedule(step))  # noqa: E731
    assert rate(0) == 0.0
    assert rate(20) == pytest.approx(0.005, rel=1e-4)
    assert rate(40) == pytest.approx(0.01, rel=1e-4)
    assert rate(220) == pytest.approx(0.005, rel=1e-3)  # half-way down the cosine
    assert rate(400) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.keras
def test_he_keeps_the_activation_scale_and_glorot_halves_the_variance():
    from cnnbook.toolkit import relu_activation_stds

    he = relu_activation_stds("he_normal", depth=20, width=256)
    glorot = relu_activation_stds("glorot_uniform", depth=20, width=256)
    small = relu_activation_stds(keras.initializers.RandomNormal(stddev=0.01), depth=20)
    assert 0.4 < he[-1] / he[0] < 2.5
    per_layer = (glorot[-1] / glorot[0]) ** (1 / 19)
    assert per_layer == pytest.approx(2 ** -0.5, rel=0.05)  # variance halves each layer
    assert small[-1] < 1e-12
