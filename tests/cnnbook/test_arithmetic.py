"""cnnbook.arithmetic reproduces the lecture's numbers and rejects what does not fit."""

from __future__ import annotations

import pytest

from cnnbook import arithmetic as ar


def test_the_7x7_3x3_walkthrough():
    assert ar.conv_output_size(7, 3, stride=1) == 5
    assert ar.conv_output_size(7, 3, stride=2) == 3
    with pytest.raises(ValueError) as info:
        ar.conv_output_size(7, 3, stride=3)
    message = str(info.value)
    assert "does not fit" in message
    assert "(W1 − F + 2P)/S + 1 = (7 − 3 + 2·0)/3 + 1 = 2.33" in message
    assert isinstance(info.value, ar.DoesNotFitError)  # a ValueError with the pieces:
    assert info.value.substituted == "(7 − 3 + 2·0)/3 + 1"
    assert round(info.value.value, 2) == 2.33


def test_padding_keeps_the_size():
    assert ar.same_padding(3) == 1 and ar.same_padding(5) == 2 and ar.same_padding(7) == 3
    assert ar.conv_output_size(7, 3, stride=1, pad=1) == 7
    with pytest.raises(ValueError, match=r"\(F − 1\)/2 = \(4 − 1\)/2 = 1.5"):
        ar.same_padding(4)


def test_the_32x32x3_example_with_ten_5x5_filters():
    assert ar.conv_output_shape((32, 32, 3), f=5, k=10, stride=1, pad=2) == (32, 32, 10)
    assert ar.conv_params(5, 3, 10) == 760
    assert ar.conv_params(5, 3, 10, bias=False) == 750


def test_six_5x5_filters_give_28x28x6_and_the_shrinkage():
    assert ar.conv_output_shape((32, 32, 3), f=5, k=6) == (28, 28, 6)
    assert ar.conv_output_size(28, 5) == 24


def test_pooling_sizes():
    assert ar.pool_output_size(224, 2, 2) == 112
    assert ar.pool_output_size(55, 3, 2) == 27  # AlexNet's overlapping pooling
    with pytest.raises(ValueError, match=r"\(W1 − F\)/S \+ 1 = \(28 − 3\)/2 \+ 1 = 13.50"):
        ar.pool_output_size(28, 3, 2)


@pytest.mark.parametrize(("args", "kwargs"), [
    ((0, 3), {}), ((7, 0), {}), ((7, 3), {"stride": 0}), ((7, 3), {"pad": -1}),
    ((7.0, 3), {}), ((True, 3), {}),
])
def test_invalid_hyper_parameters_raise_value_error(args, kwargs):
    with pytest.raises(ValueError, match="must be"):
        ar.conv_output_size(*args, **kwargs)


def test_filter_larger_than_input():
    with pytest.raises(ValueError, match="larger than"):
        ar.conv_output_size(3, 5)


@pytest.mark.keras
def test_vgg16_table_reproduces_the_lecture():
    import keras

    table = ar.layer_table(keras.applications.VGG16(weights=None))
    assert table.total_params == 138_357_544
    by_name = {row.name: row for row in table.rows}
    assert by_name["input"].output_shape == (224, 224, 3)
    assert by_name["input"].activations == 150_528
    assert by_name["block1_conv1"].activations == 224 * 224 * 64
    assert by_name["block1_conv1"].params == 1_792
    assert by_name["fc1"].params == 7 * 7 * 512 * 4096 + 4096
    assert by_name["flatten"].is_view and by_name["flatten"].stored_activations == 0
    # The lecture's rows add up to about 15.2M values, about 61 MB per image in
    # float32, not its stated "24M × 4 bytes ≈ 93 MB".
    assert table.total_activations == 15_237_608
    assert round(table.forward_bytes() / 1e6) == 61
    assert "138,357,544" in str(table) and "15,237,608" in table.to_markdown()


@pytest.mark.keras
def test_layer_table_on_a_small_sequential_model():
    import keras

    model = keras.Sequential([keras.Input((32, 32, 3)),
                              keras.layers.Conv2D(10, 5, padding="same"),
                              keras.layers.MaxPooling2D(2),
                              keras.layers.Flatten(),
                              keras.layers.Dense(10)])
    table = ar.layer_table(model)
    assert [r.kind for r in table.rows] == ["InputLayer", "Conv2D", "MaxPooling2D", "Flatten",
                                            "Dense"]
    assert table.rows[1].output_shape == (32, 32, 10) and table.rows[1].params == 760
    assert table.total_params == model.count_params()
    assert table.to_records()[2]["output_shape"] == (16, 16, 10)
    greek = table.to_markdown(("επίπεδο", "έξοδος", "ενεργοποιήσεις", "βάρη", "σύνολο"))
    assert greek.startswith("| επίπεδο |") and "| σύνολο |" in greek


@pytest.mark.keras
def test_layer_table_needs_a_built_model():
    import keras

    with pytest.raises(ValueError, match="built model"):
        ar.layer_table(keras.Sequential([keras.layers.Dense(3)]))


@pytest.mark.keras
def test_vgg16_costs_about_15_5_billion_multiply_accumulates():
    import keras

    table = ar.layer_table(keras.applications.VGG16(weights=None))
    by_name = {row.name: row for row in table.rows}
    assert by_name["block1_conv1"].macs == 224 * 224 * 64 * 3 * 3 * 3
    assert by_name["block5_conv3"].macs == 14 * 14 * 512 * 3 * 3 * 512
    assert by_name["fc1"].macs == 7 * 7 * 512 * 4096
    assert by_name["block1_pool"].macs == 0 and by_name["flatten"].macs == 0
    assert round(table.total_macs / 1e9, 1) == 15.5
    assert round(2 * table.total_macs / 1e9) == 31  # GFLOPs, as commonly quoted
    # The compute page: convolutions do almost all the work, fc1 holds most weights.
    conv_macs = sum(row.macs for row in table.rows if row.kind == "Conv2D")
    assert conv_macs / table.total_macs > 0.99
    assert by_name["fc1"].params / table.total_params > 0.7
    assert by_name["fc1"].macs / table.total_macs < 0.01
    markdown = table.to_markdown(macs_header="MACs")
    assert markdown.splitlines()[1] == "|---|---|--:|--:|--:|"
    assert markdown.splitlines()[-1].endswith(f"| {table.total_macs:,} |")
    assert table.to_markdown().splitlines()[1] == "|---|---|--:|--:|"  # unchanged by default


@pytest.mark.keras
def test_macs_of_grouped_depthwise_and_separable_convolutions():
    import keras

    inputs = keras.Input((16, 16, 8))
    grouped = keras.layers.Conv2D(12, 3, padding="same", groups=4, name="grouped")(inputs)
    depthwise = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, name="depthwise")(grouped)
    separable = keras.layers.SeparableConv2D(6, 3, name="separable")(depthwise)
    dense = keras.layers.Dense(5, name="dense")(keras.layers.GlobalAveragePooling2D()(separable))
    macs = {row.name: row.macs for row in ar.layer_table(keras.Model(inputs, dense)).rows}
    assert macs["grouped"] == 16 * 16 * 12 * 3 * 3 * 8 // 4
    assert macs["depthwise"] == 14 * 14 * 24 * 3 * 3
    assert macs["separable"] == 12 * 12 * (24 * 3 * 3 + 24 * 6)
    assert macs["dense"] == 6 * 5


def test_grouped_separable_and_dilated_counts():
    assert ar.conv_params(3, 256, 256) == 590_080
    assert ar.conv_params(3, 256, 256, groups=256, bias=False) == 3 * 3 * 256  # depthwise
    assert ar.conv_params(3, 8, 12, groups=4) == 3 * 3 * 2 * 12 + 12
    with pytest.raises(ValueError, match="divide"):
        ar.conv_params(3, 8, 12, groups=3)
    assert ar.separable_conv_params(3, 256, 256) == 3 * 3 * 256 + 256 * 256 + 256
    assert ar.dilated_size(3, 1) == 3 and ar.dilated_size(3, 2) == 5 and ar.dilated_size(3, 4) == 9


@pytest.mark.keras
def test_separable_and_dilated_counts_match_keras():
    import keras

    inputs = keras.Input((20, 20, 16))
    separable = keras.layers.SeparableConv2D(32, 3)
    dilated = keras.layers.Conv2D(8, 3, dilation_rate=3)
    assert tuple(separable(inputs).shape[1:3]) == (18, 18)
    assert separable.count_params() == ar.separable_conv_params(3, 16, 32)
    out = dilated(inputs)
    assert dilated.count_params() == ar.conv_params(3, 16, 8)
    assert out.shape[1] == 20 - ar.dilated_size(3, 3) + 1


@pytest.mark.keras
def test_mobilenet_v2_costs_about_300_million_multiply_accumulates():
    import keras

    table = ar.layer_table(keras.applications.MobileNetV2(weights=None))
    assert round(table.total_macs / 1e6, -1) == 300  # Sandler et al. 2018: 300M
    assert 3.4e6 < table.total_params < 3.6e6        # their 3.4M, plus batch-norm statistics
