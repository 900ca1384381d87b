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


# The two-stage recipe: stage 1 trains the new head on the frozen base; stage 2 unfreezes
# what the method adapts and continues at a tenth of the learning rate. Every method
# follows the same schedule, so that they differ only in the layers they train.
TRANSFER_HEAD = ("fc1", "predictions")
TRANSFER_TRAINABLE = {  # method: (layers trained in stage 1, layers trained in stage 2)
    "feature_extraction": (TRANSFER_HEAD, TRANSFER_HEAD),
    "fine_tuning": (TRANSFER_HEAD, ("conv3", *TRANSFER_HEAD)),
    "scratch": (("conv1", "conv2", "conv3", *TRANSFER_HEAD),) * 2,
}
TRANSFER_LEARNING_RATES = (1e-3, 1e-4)  # stage 1, stage 2


def transfer_model(method: str, base: Any, n_classes: int = 5) -> tuple[Any, float]:
    """A `small_cnn` for a new task, set up for stage 1, and stage 1's learning rate.

    feature_extraction: the pretrained convolutional base stays frozen in both
        stages; only the classifier head (fc1, from the base, and a new output
        layer) trains.
    fine_tuning: stage 1 as feature extraction; in stage 2 (`set_transfer_stage`)
        conv3 trains too, so the new head's first, random gradients never reach it.
    scratch: the same network from random weights, all of it trained; `base` is not used.
    """
    if method not in TRANSFER_TRAINABLE:
        raise ValueError(f"method must be one of {', '.join(TRANSFER_TRAINABLE)}, not {method!r}")
    model = small_cnn(n_classes=n_classes, name=method)
    if method != "scratch":
        for layer in model.layers:  # copy every pretrained layer but the classifier
            if layer.name != "predictions" and layer.weights:
                layer.set_weights(base.get_layer(layer.name).get_weights())
    return model, set_transfer_stage(model, method, 1)


def set_transfer_stage(model: Any, method: str, stage: int) -> float:
    """Freeze and unfreeze `model`'s layers for `stage` (1 or 2) of `method`; its learning rate.

    Compile the model again after calling it: Keras reads `trainable` when it compiles.
    """
    if method not in TRANSFER_TRAINABLE:
        raise ValueError(f"method must be one of {', '.join(TRANSFER_TRAINABLE)}, not {method!r}")
    if stage not in (1, 2):
        raise ValueError(f"stage must be 1 or 2, not {stage!r}")
    trained = TRANSFER_TRAINABLE[method][stage - 1]
    for layer in model.layers:
        layer.trainable = layer.name in trained or not layer.weights
    return TRANSFER_LEARNING_RATES[stage - 1]


def cifar_resnet(depth: int, shortcuts: bool = True, width: int = 16, n_classes: int = 10,
                 input_shape: Sequence[int] = (32, 32, 3), name: str | None = None) -> Any:
    """He et al.'s CIFAR-10 network of `depth` = 6n + 2 weight layers, residual or plain.

    A 3×3 convolution, three stages of n blocks of two 3×3 convolutions with
    `width`, 2·`width` and 4·`width` filters (each later stage halves the maps
    with a stride-2 first convolution), global average pooling and a softmax.
    Every convolution is followed by batch normalisation. With `shortcuts`,
    each block adds its input to its output before the last ReLU: the identity,
    or a 1×1 convolution with stride 2 (a projection) where the shape changes.
    Without, the same layers form a plain stack.
    """
    import keras
    from keras import layers

    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"depth must be 6n + 2 with n >= 1 (8, 14, 20, …), not {depth!r}")
    blocks = (depth - 2) // 6
    kind = "resnet" if shortcuts else "plain"

    def conv_bn(x: Any, filters: int, stride: int, label: str) -> Any:
        x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                          kernel_initializer="he_normal", name=f"{label}_conv")(x)
        return layers.BatchNormalization(name=f"{label}_bn")(x)

    inputs = keras.Input(tuple(input_shape), name="image")
    x = layers.Rescaling(1 / 255, name="scale")(inputs)
    x = layers.ReLU(name="stem_relu")(conv_bn(x, width, 1, "stem"))
    for stage in range(3):
        filters = width * 2**stage
        for block in range(blocks):
            label = f"s{stage + 1}b{block + 1}"
            stride = 2 if stage > 0 and block == 0 else 1
            y = layers.ReLU(name=f"{label}_relu1")(conv_bn(x, filters, stride, f"{label}_1"))
            y = conv_bn(y, filters, 1, f"{label}_2")
            if shortcuts:
                if stride != 1 or x.shape[-1] != filters:  # projection shortcut
                    x = layers.Conv2D(filters, 1, strides=stride, use_bias=False,
                                      name=f"{label}_proj")(x)
                    x = layers.BatchNormalization(name=f"{label}_proj_bn")(x)
                y = layers.Add(name=f"{label}_add")([y, x])
            x = layers.ReLU(name=f"{label}_out")(y)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name or f"{kind}{depth}")


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
