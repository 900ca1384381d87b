"""Small Keras models shared by the book's scripts, pages and the assignments.

Backend-agnostic Keras 3: layers and `keras.ops` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def small_cnn(input_shape: Sequence[int] = (32, 32, 3), n_classes: int = 10,
              augment: bool = True, name: str = "small_cnn") -> Any:
    """The book's small CIFAR-10 network: three CONV-RELU-POOL blocks, then FC.

    conv1 uses 5×5 filters so that its learned filters are big enough to look at.
    Augmentation layers (flip, shift) act only in training.
    """
    import keras
    from keras import layers

    inputs = keras.Input(tuple(input_shape), name="image")
    x = layers.Rescaling(1 / 255, name="scale")(inputs)
    if augment:
        x = layers.RandomFlip("horizontal", name="flip")(x)
        x = layers.RandomTranslation(0.1, 0.1, fill_mode="reflect", name="shift")(x)
    x = layers.Conv2D(32, 5, padding="same", activation="relu", name="conv1")(x)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.MaxPooling2D(2, name="pool3")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(64, activation="relu", name="fc1")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


CONV_LAYERS = ("conv1", "conv2", "conv3")


def feature_extractor(model: Any, layer_names: Sequence[str] = CONV_LAYERS) -> Any:
    """A model that maps an image to the activation maps of `layer_names`."""
    import keras

    return keras.Model(model.inputs, [model.get_layer(name).output for name in layer_names])
