"""The claims of the backpropagation page, on the page's own inputs: the NumPy
backward pass passes a centred-difference check far below 1e-7, and Keras's
32-bit gradient agrees with it to about seven digits."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook import ops
from tests.cnnbook.test_backprop import numerical_gradient


def page_inputs():
    rng = np.random.default_rng(1)  # as on the page
    x = rng.normal(size=(8, 8, 3))
    w = rng.normal(size=(3, 3, 3, 4))
    b = rng.normal(size=4)
    upstream = rng.normal(size=ops.conv2d(x, w, b).shape)
    return x, w, b, upstream


def relative_error(a: np.ndarray, n: np.ndarray) -> float:
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a), np.linalg.norm(n)))


def test_numerical_check_is_far_below_cs231n_threshold():
    x, w, b, upstream = page_inputs()

    def loss() -> float:
        return float(np.sum(ops.conv2d(x, w, b) * upstream))

    for analytic, array in zip(ops.conv2d_backward(x, w, upstream), (x, w, b), strict=True):
        assert relative_error(analytic, numerical_gradient(loss, array)) < 1e-8


@pytest.mark.keras
def test_keras_gradient_agrees_to_about_seven_digits():
    import keras

    from cnnbook.autodiff import gradients

    x, w, b, upstream = page_inputs()

    def keras_loss(x, w, b):
        return keras.ops.sum((keras.ops.conv(x[None], w) + b)[0] * upstream)

    theirs = gradients(keras_loss, x, w, b)
    for ours, their in zip(ops.conv2d_backward(x, w, upstream), theirs, strict=True):
        assert relative_error(ours, their) < 1e-6


def test_max_pool_example_sends_each_value_to_its_argmax_only():
    a = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)[:, :, None]
    grad = ops.max_pool2d_backward(a, np.array([[0.1, 0.2], [0.3, 0.4]])[:, :, None], 2, 2)
    assert grad[1, 1, 0] == 0.1 and np.count_nonzero(grad) == 4  # twelve of sixteen get none
