"""Claims of the page on efficient convolutions: a 3x3 depthwise-separable layer
has about nine times fewer weights and MACs, and a dilated 3x3 filter computes
what a 5x5 filter with zeros between its taps computes."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook import ops
from cnnbook.arithmetic import conv_params, layer_table, separable_conv_params


def test_separable_layer_has_about_nine_times_fewer_weights():
    ratio = conv_params(3, 256, 256) / separable_conv_params(3, 256, 256)
    assert 8 < ratio < 9.5
    assert abs(1 / ratio - (1 / 256 + 1 / 9)) < 1e-3  # the page's formula, biases aside


@pytest.mark.keras
def test_macs_shrink_by_about_the_weights_factor():
    import keras

    inputs = keras.Input((8, 8, 256))  # the ratio does not depend on the map's size
    model = keras.Model(inputs, [
        keras.layers.Conv2D(256, 3, padding="same", name="standard")(inputs),
        keras.layers.SeparableConv2D(256, 3, padding="same", name="separable")(inputs)])
    rows = {row.name: row for row in layer_table(model).rows}
    macs_ratio = rows["standard"].macs / rows["separable"].macs
    weights_ratio = rows["standard"].params / rows["separable"].params
    assert abs(macs_ratio / weights_ratio - 1) < 0.01


@pytest.mark.keras
def test_dilated_filter_is_a_larger_filter_with_zeros():
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(9, 9, 1)).astype("float32")
    kernel = rng.normal(size=(3, 3, 1, 1)).astype("float32")
    spread = np.zeros((5, 5, 1, 1), dtype="float32")
    spread[::2, ::2] = kernel
    layer = keras.layers.Conv2D(1, 3, dilation_rate=2, use_bias=False)
    layer.build((None, 9, 9, 1))
    layer.set_weights([kernel])
    from_keras = keras.ops.convert_to_numpy(layer(x[None]))[0]
    assert from_keras.shape == (5, 5, 1) and layer.count_params() == 9
    np.testing.assert_allclose(from_keras, ops.conv2d(x, spread), atol=1e-5)
