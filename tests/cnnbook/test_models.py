"""cnnbook.models and cnnbook.assets: the shared networks and the shipped artefacts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cnnbook import assets

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras


def test_small_cnn_layers_and_size():
    from cnnbook.models import CONV_LAYERS, small_cnn

    model = small_cnn()
    names = [layer.name for layer in model.layers]
    assert all(name in names for name in CONV_LAYERS)
    assert model.get_layer("conv1").kernel.shape == (5, 5, 3, 32)
    assert model.output_shape == (None, 10)
    assert 100_000 < model.count_params() < 200_000  # a few hundred KB saved


def test_feature_extractor_returns_every_conv_volume():
    from cnnbook.models import feature_extractor, small_cnn

    maps = feature_extractor(small_cnn(augment=False))(np.zeros((2, 32, 32, 3), "float32"))
    assert [tuple(m.shape) for m in maps] == [(2, 32, 32, 32), (2, 16, 16, 64), (2, 8, 8, 64)]


def test_missing_asset_names_the_script_that_makes_it():
    with pytest.raises(FileNotFoundError, match=r"scripts/train_small_cnn\.py"):
        assets.path("small_cnn.missing")


def test_provenance_and_atomic_json(tmp_path):
    record = assets.provenance("python x.py")
    assert record["command"] == "python x.py" and record["machine"]["cpus"] >= 1
    target = tmp_path / "out.json"
    assets.write_json_atomically(target, {"a": "α"})
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": "α"}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize("name", ["small_cnn", "cifar5_base"])
def test_shipped_models_load_safely_and_small(name):
    path = assets.path(f"{name}.keras")
    assert path.stat().st_size < 1_000_000
    model = assets.load_model(name)
    assert model.input_shape == (None, 32, 32, 3)


def test_transfer_methods_train_the_documented_layers():
    from cnnbook.models import (
        TRANSFER_LEARNING_RATES,
        TRANSFER_TRAINABLE,
        set_transfer_stage,
        small_cnn,
        transfer_model,
    )

    def trained(model):
        return {layer.name for layer in model.layers if layer.trainable and layer.weights}

    base = small_cnn(n_classes=5)
    for method, (stage1, stage2) in TRANSFER_TRAINABLE.items():
        model, rate = transfer_model(method, base)
        assert trained(model) == set(stage1) and rate == TRANSFER_LEARNING_RATES[0]
        assert set_transfer_stage(model, method, 2) == TRANSFER_LEARNING_RATES[1]
        assert trained(model) == set(stage2)
    feature_model, _ = transfer_model("feature_extraction", base)
    np.testing.assert_array_equal(feature_model.get_layer("conv2").kernel.numpy(),
                                  base.get_layer("conv2").kernel.numpy())
    with pytest.raises(ValueError, match="method must be one of"):
        transfer_model("distillation", base)
    with pytest.raises(ValueError, match="stage must be 1 or 2"):
        set_transfer_stage(feature_model, "feature_extraction", 3)
    with pytest.raises(ValueError, match="method must be one of"):
        set_transfer_stage(feature_model, "distillation", 2)


def test_fine_tuning_trains_the_head_first():
    """The two-stage recipe: the random head never trains together with conv3 from the start;
    stage 2 is slower than stage 1, and fine-tuning differs from feature extraction only there."""
    from cnnbook.models import TRANSFER_LEARNING_RATES, TRANSFER_TRAINABLE

    assert TRANSFER_TRAINABLE["fine_tuning"][0] == TRANSFER_TRAINABLE["feature_extraction"][0]
    assert "conv3" not in TRANSFER_TRAINABLE["fine_tuning"][0]
    assert "conv3" in TRANSFER_TRAINABLE["fine_tuning"][1]
    assert set(TRANSFER_TRAINABLE["fine_tuning"][1]) - set(
        TRANSFER_TRAINABLE["feature_extraction"][1]) == {"conv3"}
    assert TRANSFER_LEARNING_RATES[1] < TRANSFER_LEARNING_RATES[0]


@pytest.mark.keras
def test_layer_pattern_writes_the_course_notation():
    import keras
    from keras import layers

    from cnnbook.models import layer_pattern, small_cnn

    lenet_like = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Rescaling(1 / 255),
        layers.Conv2D(6, 5, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(16, 5), layers.BatchNormalization(), layers.Activation("relu"),
        layers.AveragePooling2D(2), layers.Flatten(), layers.Dropout(0.5),
        layers.Dense(84, activation="relu"), layers.Dense(10), layers.Softmax()])
    assert layer_pattern(lenet_like) == ("CONV-RELU-POOL-CONV-RELU-POOL-FLATTEN-FC-RELU-FC-SOFTMAX")
    assert layer_pattern(small_cnn()) == (
        "CONV-RELU-POOL-CONV-RELU-POOL-CONV-RELU-POOL-FLATTEN-FC-RELU-FC-SOFTMAX")
    nested = keras.Sequential([keras.Input((8, 8, 3)), keras.Sequential(
        [layers.Conv2D(2, 3, activation="gelu")]), layers.GlobalAveragePooling2D()])
    assert layer_pattern(nested) == "CONV-GELU-GAP"


@pytest.mark.keras
def test_load_trained_and_accuracy_round_trip(tmp_path):
    from keras import layers

    from cnnbook.models import accuracy, load_trained

    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.set_weights([np.eye(4, 3) * 10, np.zeros(3)])
    model.save(tmp_path / "model.keras")
    loaded = load_trained(tmp_path / "model.keras")
    images = np.eye(4)[:3]
    assert accuracy(loaded, images, np.array([[0], [1], [2]])) == 1.0
    assert accuracy(loaded, images, np.array([0, 0, 0])) == pytest.approx(1 / 3)


@pytest.mark.keras
def test_load_trained_refuses_lambda_layers(tmp_path):
    from keras import layers

    from cnnbook.models import load_trained

    model = keras.Sequential([keras.Input((2,)), layers.Lambda(lambda x: x * 2)])
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match=r"(?i)unsafe|lambda"):
        load_trained(tmp_path / "lambda.keras")
