"""Model checks, on small models built here: A3's architecture and accuracy checks.

The grader loads a saved model with `safe_mode=True` and measures it on the
real test split; these tests build the models a student might save and run
the checks on them directly, in this (clean) process.
"""

from __future__ import annotations

import pytest

from autograder.common import project
from autograder.common.spec import load_spec
from autograder.scoring.checks import check_accuracy, check_architecture, load_model

pytestmark = pytest.mark.keras

A3 = load_spec(project.SOLUTIONS / "a3-mnist-cnn")
ARCHITECTURE = next(c for c in A3.checks if c.cell == "test_architecture")
ACCURACY = next(c for c in A3.checks if c.cell == "test_accuracy")


def course_cnn(conv_blocks: int = 2):
    """(CONV-RELU-POOL-){n}FLATTEN-FC-RELU-FC-SOFTMAX, as A3 asks for when n = 2."""
    import keras

    layers = [keras.Input((28, 28, 1))]
    for filters in (8, 16)[:conv_blocks]:
        layers += [keras.layers.Conv2D(filters, 3, activation="relu"),
                   keras.layers.MaxPooling2D()]
    layers += [keras.layers.Flatten(), keras.layers.Dense(32, activation="relu"),
               keras.layers.Dense(10, activation="softmax")]
    return keras.Sequential(layers)


@pytest.fixture(scope="module")
def trained_a3_model():
    """The course CNN after one short epoch on the MNIST sample: well above A3's ci target."""
    import keras

    from cnnbook.data import load_mnist

    keras.utils.set_random_seed(0)
    (x_train, y_train), _ = load_mnist(source="sample")
    model = course_cnn()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x_train[..., None] / 255.0, y_train, epochs=2, batch_size=64, verbose=0)
    return model


def saved_and_loaded(model, tmp_path):
    path = tmp_path / "model.keras"
    model.save(path)
    return load_model(path)


def test_an_a3_model_passes_both_checks(trained_a3_model, tmp_path):
    model = saved_and_loaded(trained_a3_model, tmp_path)
    assert check_architecture(ARCHITECTURE, model).passed
    part = check_accuracy(ACCURACY, model, 0.8, None)
    assert part.passed and part.score == ACCURACY.points
    assert part.reason.code == "accuracy" and part.reason.params["accuracy"] >= 0.8


def test_a_wrong_layer_pattern_fails_with_the_pattern(tmp_path):
    part = check_architecture(ARCHITECTURE, saved_and_loaded(course_cnn(1), tmp_path))
    assert not part.passed and part.score == 0
    assert part.reason.code == "layer_pattern"
    assert part.reason.text() == ("layer pattern CONV-RELU-POOL-FLATTEN-FC-RELU-FC-SOFTMAX "
                                  f"does not match {ARCHITECTURE['pattern']}")


def test_a_model_below_the_target_fails_with_both_numbers(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    part = check_accuracy(ACCURACY, saved_and_loaded(course_cnn(), tmp_path), 0.93, None)
    assert not part.passed and part.reason.code == "accuracy_below"
    assert part.reason.params["target"] == 0.93
    assert part.reason.params["accuracy"] < 0.93


def test_a_lambda_layer_is_refused_by_safe_mode(tmp_path):
    import keras

    inputs = keras.Input((28, 28, 1))
    outputs = keras.layers.Dense(10, activation="softmax")(
        keras.layers.Flatten()(keras.layers.Lambda(lambda x: x * 2.0)(inputs)))
    path = tmp_path / "model.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(Exception, match=r"(?i)lambda|safe_mode|unsafe"):
        load_model(path)
