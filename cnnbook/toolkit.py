"""The training toolkit's small experiments: one network, switched piece by piece.

`scripts/train_toolkit.py` runs the comparisons with these functions and the
training-toolkit page shows them. Backend-agnostic Keras 3: layers and
`keras.ops` only.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def standardise(x_train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Subtract the training set's mean and divide by its standard deviation, per channel.

    The statistics come from `x_train` only and are applied to every array in
    `others` too (validation, test), so no information leaks from them.
    """
    axes = tuple(range(x_train.ndim - 1))  # all but the channel axis
    mean = x_train.mean(axis=axes, dtype="float64")
    std = x_train.std(axis=axes, dtype="float64")
    return tuple(((x - mean) / std).astype("float32") for x in (x_train, *others))


def plain_cnn(depth: int = 6, filters: int = 32, batch_norm: bool = False,
              initializer: Any = "he_normal", kernel_regularizer: Any = None,
              input_shape: tuple[int, ...] = (28, 28, 1), n_classes: int = 10,
              name: str = "plain_cnn") -> Any:
    """`depth` 3×3 CONV layers (pooling after a third and two thirds of them), GAP, FC.

    With `batch_norm=True` each convolution is CONV → BN → RELU, the order of
    Ioffe and Szegedy; the convolution then needs no bias, since BN's shift
    replaces it. The output layer gives logits (no softmax), for losses built
    with `from_logits=True`. `kernel_regularizer` (e.g. `keras.regularizers.L2(5e-4)`)
    adds a penalty on every kernel to the loss.
    """
    import keras
    from keras import layers

    inputs = keras.Input(input_shape)
    x = inputs
    for index in range(depth):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm,
                          kernel_initializer=initializer,
                          kernel_regularizer=kernel_regularizer, name=f"conv{index + 1}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"bn{index + 1}")(x)
        x = layers.ReLU(name=f"relu{index + 1}")(x)
        if index + 1 in (depth // 3, 2 * depth // 3):
            x = layers.MaxPooling2D(2, name=f"pool{index + 1}")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(n_classes, kernel_regularizer=kernel_regularizer, name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


def warmup_cosine(peak: float, total_steps: int, warmup_steps: int) -> Any:
    """A learning rate that rises linearly from 0 to `peak`, then falls along a cosine to 0."""
    import keras

    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0, decay_steps=total_steps - warmup_steps,
        warmup_target=peak, warmup_steps=warmup_steps)


def relu_activation_stds(initializer: Any, depth: int = 20, width: int = 256,
                         n: int = 1000, seed: int = 0) -> list[float]:
    """Standard deviation of the activations after each of `depth` Dense + ReLU layers.

    A forward pass of `n` standard-normal inputs through layers of `width`
    units whose weights `initializer` draws (biases zero): the quantity He
    initialisation keeps constant.
    """
    import keras

    x = np.random.default_rng(seed).standard_normal((n, width)).astype("float32")
    stds = []
    for layer in range(depth):
        init = keras.initializers.get(initializer)
        if hasattr(init, "seed"):  # a fresh, repeatable draw per layer
            init = init.__class__.from_config({**init.get_config(), "seed": seed + layer})
        weights = keras.ops.convert_to_numpy(init((width, width)))
        x = np.maximum(x @ weights, 0)
        stds.append(float(x.std()))
    return stds


def confidence(logits: np.ndarray) -> np.ndarray:
    """Each example's largest softmax probability: how sure the network is of its answer."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    return probabilities.max(axis=-1)
