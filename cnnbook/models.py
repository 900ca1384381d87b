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

    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs  # as the model is called
    return keras.Model(inputs, [model.get_layer(name).output for name in layer_names])


# Layers trained by each transfer method; the rest keep the pretrained weights, frozen.
TRANSFER_TRAINABLE = {
    "feature_extraction": ("fc1", "predictions"),
    "fine_tuning": ("conv3", "fc1", "predictions"),
    "scratch": ("conv1", "conv2", "conv3", "fc1", "predictions"),
}
TRANSFER_LEARNING_RATES = {"feature_extraction": 1e-3, "fine_tuning": 3e-4, "scratch": 1e-3}


def transfer_model(method: str, base: Any, n_classes: int = 5) -> tuple[Any, float]:
    """A `small_cnn` for a new task, and the learning rate to train it with.

    feature_extraction: the pretrained convolutional base is frozen; only the
        classifier head (fc1, from the base, and a new output layer) trains.
    fine_tuning: conv3 trains too, at a lower learning rate, in one stage: together
        with the new, randomly initialised head from the first epoch.
    scratch: the same network from random weights; `base` is not used.
    """
    if method not in TRANSFER_TRAINABLE:
        raise ValueError(f"method must be one of {', '.join(TRANSFER_TRAINABLE)}, not {method!r}")
    model = small_cnn(n_classes=n_classes, name=method)
    if method != "scratch":
        for layer in model.layers:  # copy every pretrained layer but the classifier
            if layer.name != "predictions" and layer.weights:
                layer.set_weights(base.get_layer(layer.name).get_weights())
        for layer in model.layers:
            layer.trainable = layer.name in TRANSFER_TRAINABLE[method] or not layer.weights
    return model, TRANSFER_LEARNING_RATES[method]


# Layers that do not change what a network is made of, for `layer_pattern`.
_TRANSPARENT = ("InputLayer", "Rescaling", "Normalization", "Resizing", "CenterCrop",
                "BatchNormalization", "LayerNormalization", "Dropout", "SpatialDropout2D",
                "GaussianNoise", "Identity")
_TOKENS = {"Conv2D": "CONV", "MaxPooling2D": "POOL", "AveragePooling2D": "POOL",
           "GlobalAveragePooling2D": "GAP", "GlobalMaxPooling2D": "GAP",
           "Flatten": "FLATTEN", "Dense": "FC", "ReLU": "RELU", "Softmax": "SOFTMAX"}


def layer_pattern(model: Any) -> str:
    """A model as the course writes architectures, e.g. "CONV-RELU-POOL-FLATTEN-FC-SOFTMAX".

    An activation inside a layer becomes a token of its own, as does an
    Activation layer; input, rescaling, augmentation, normalisation and
    dropout layers are left out, and nested models are expanded.
    """
    return "-".join(_tokens(model))


def _tokens(model: Any) -> list[str]:
    tokens: list[str] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if hasattr(layer, "layers"):  # a nested model
            tokens += _tokens(layer)
        elif kind in _TRANSPARENT or kind.startswith("Random"):
            continue
        elif kind == "Activation":
            tokens += _activation_token(layer.activation)
        else:
            tokens.append(_TOKENS.get(kind, kind.upper()))
            if kind in ("Conv2D", "Dense"):
                tokens += _activation_token(layer.activation)
    return tokens


def _activation_token(activation: Any) -> list[str]:
    name = getattr(activation, "__name__", str(activation))
    return [] if name == "linear" else [name.upper()]


def load_trained(path: str | Any) -> Any:
    """A model a notebook saved, loaded as the grader loads it.

    `safe_mode=True` refuses Lambda layers and other deserialised code, so only
    built-in layers load; `compile=False` keeps Keras's warnings about unbuilt
    metrics out of the test cells.
    """
    import keras

    return keras.saving.load_model(path, compile=False, safe_mode=True)


def accuracy(model: Any, images: Any, labels: Any, batch_size: int = 500) -> float:
    """Share of `images` whose most probable class is the label (labels (n,) or (n, 1))."""
    import numpy as np

    # predict_on_batch, chunk by chunk: model.predict builds a data pipeline around the
    # arrays first, which takes longer than the forward passes of a small network
    predictions = np.concatenate([model.predict_on_batch(images[start:start + batch_size])
                                  for start in range(0, len(images), batch_size)])
    return float(np.mean(np.argmax(predictions, axis=-1) == np.asarray(labels).reshape(-1)))
