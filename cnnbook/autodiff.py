"""Keras's gradient of a scalar function, on any Keras backend, as NumPy arrays.

Keras 3 has no backend-agnostic "gradient of this function" call: each backend
differentiates its own way (TensorFlow's `GradientTape`, `jax.grad`). Course
code calls `gradients` instead, so it stays free of `tf.*` and runs unchanged
on TensorFlow and on JAX. Like `cnnbook.seeding`, this module is the one place
that dispatches on the backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

SUPPORTED_BACKENDS = ("tensorflow", "jax")


def gradients(fn: Callable[..., Any], *args: np.ndarray,
              dtype: str = "float32") -> tuple[np.ndarray, ...]:
    """The gradient of the scalar `fn(*args)` with respect to each argument.

    `fn` takes Keras tensors and computes with `keras.ops` (or Keras layers);
    each argument is converted to a tensor of `dtype` first. Returns one NumPy
    array per argument, of that argument's shape (zeros where `fn` does not
    depend on it).

    >>> import keras
    >>> gradients(lambda x: keras.ops.sum(x * x), np.array([1.0, 2.0]))
    (array([2., 4.], dtype=float32),)
    """
    import keras

    if not args:
        raise ValueError("gradients needs at least one argument to differentiate with respect to")
    backend = keras.backend.backend()
    tensors = [keras.ops.convert_to_tensor(np.asarray(arg), dtype=dtype) for arg in args]
    if backend == "tensorflow":
        grads = _tensorflow_gradients(fn, tensors)
    elif backend == "jax":
        grads = _jax_gradients(fn, tensors)
    else:
        raise NotImplementedError(f"gradients supports the {' and '.join(SUPPORTED_BACKENDS)} "
                                  f"backends, not {backend!r}")
    pairs = zip(args, grads, strict=True)
    return tuple(np.zeros(np.shape(arg), dtype=dtype) if grad is None
                 else keras.ops.convert_to_numpy(grad) for arg, grad in pairs)


def _check_scalar(value: Any) -> None:
    if tuple(value.shape) != ():
        raise ValueError(f"fn must return a scalar, got shape {tuple(value.shape)}")


def _tensorflow_gradients(fn: Callable[..., Any], tensors: list) -> list:
    import tensorflow as tf  # the backend's own autodiff: no backend-agnostic call exists

    with tf.GradientTape() as tape:
        for tensor in tensors:
            tape.watch(tensor)
        value = fn(*tensors)
    _check_scalar(value)
    return tape.gradient(value, tensors)


def _jax_gradients(fn: Callable[..., Any], tensors: list) -> list:
    import jax

    def checked(*inputs: Any) -> Any:
        value = fn(*inputs)
        _check_scalar(value)
        return value

    return list(jax.grad(checked, argnums=tuple(range(len(tensors))))(*tensors))
