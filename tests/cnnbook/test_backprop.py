"""Backpropagation through convolution and pooling: cnnbook.ops against numerical
gradients, and cnnbook.autodiff (Keras's own gradient) on TensorFlow and on JAX."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from cnnbook import ops


def numerical_gradient(loss, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar loss() in every element of array (changed in place)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        plus = loss()
        array[index] = saved - eps
        minus = loss()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize(("shape", "f", "k", "stride", "pad"), [
    ((5, 5, 1), 3, 1, 1, 0), ((6, 7, 3), 3, 2, 1, 1), ((7, 6, 2), 3, 4, 2, 0),
    ((8, 8, 2), 2, 3, 3, 1), ((2, 5, 5, 2), 3, 2, 1, "same"), ((9, 9, 1), 4, 2, 2, "same"),
])
def test_conv2d_backward_matches_numerical_gradient(shape, f, k, stride, pad):
    rng = np.random.default_rng(14)
    x = rng.normal(size=shape)
    w = rng.normal(size=(f, f, shape[-1], k))
    b = rng.normal(size=k)
    upstream = rng.normal(size=ops.conv2d(x, w, b, stride, pad).shape)

    def loss() -> float:
        return float((ops.conv2d(x, w, b, stride, pad) * upstream).sum())

    grad_x, grad_w, grad_b = ops.conv2d_backward(x, w, upstream, stride, pad)
    assert grad_x.shape == x.shape and grad_w.shape == w.shape and grad_b.shape == b.shape
    np.testing.assert_allclose(grad_x, numerical_gradient(loss, x), atol=1e-6)
    np.testing.assert_allclose(grad_w, numerical_gradient(loss, w), atol=1e-6)
    np.testing.assert_allclose(grad_b, numerical_gradient(loss, b), atol=1e-6)


def test_input_gradient_is_full_convolution_with_flipped_kernel():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(6, 5, 3)), rng.normal(size=(3, 2, 3, 4))
    upstream = rng.normal(size=(4, 4, 4))
    flipped = w[::-1, ::-1].transpose(0, 1, 3, 2)  # (F_h, F_w, K, C): output maps become inputs
    full = ops.conv2d(np.pad(upstream, ((2, 2), (1, 1), (0, 0))), flipped)
    np.testing.assert_allclose(ops.conv2d_backward(x, w, upstream)[0], full, atol=1e-12)


def test_conv2d_backward_rejects_wrong_upstream_shape():
    with pytest.raises(ValueError, match="grad_out"):
        ops.conv2d_backward(np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 2)), np.zeros((3, 3, 1)))


@pytest.mark.parametrize(("shape", "f", "stride"), [
    ((4, 4, 1), 2, None), ((7, 6, 3), 3, 2), ((2, 5, 5, 2), 2, 1), ((6, 9, 2), 3, 3),
])
def test_max_pool2d_backward_matches_numerical_gradient(shape, f, stride):
    rng = np.random.default_rng(2)
    x = rng.normal(size=shape)  # distinct values: every window has one argmax
    upstream = rng.normal(size=ops.max_pool2d(x, f, stride).shape)

    def loss() -> float:
        return float((ops.max_pool2d(x, f, stride) * upstream).sum())

    grad = ops.max_pool2d_backward(x, upstream, f, stride)
    np.testing.assert_allclose(grad, numerical_gradient(loss, x), atol=1e-6)


def test_max_pool_gradient_goes_to_the_argmax_only():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)[..., None]
    grad = ops.max_pool2d_backward(x, np.ones((2, 2, 1)), 2)[..., 0]
    expected = np.zeros((4, 4))
    expected[1, 1] = expected[1, 3] = expected[2, 0] = expected[3, 3] = 1
    np.testing.assert_array_equal(grad, expected)


# ------------------------------------------- Keras's gradient, per backend

_AGAINST_KERAS = textwrap.dedent("""
    import numpy as np, keras
    from cnnbook import ops
    from cnnbook.autodiff import gradients

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 7, 6, 3)).astype("float32")
    w = rng.normal(size=(3, 3, 3, 4)).astype("float32")
    b = rng.normal(size=4).astype("float32")
    for stride, padding, pad in [(1, "valid", 0), (2, "valid", 0), (1, "same", "same")]:
        upstream = rng.normal(size=ops.conv2d(x, w, b, stride, pad).shape).astype("float32")
        def loss(x, w, b):
            out = keras.ops.conv(x, w, strides=stride, padding=padding) + b
            return keras.ops.sum(out * upstream)
        got = gradients(loss, x, w, b)
        want = ops.conv2d_backward(x.astype(float), w.astype(float), upstream.astype(float),
                                   stride, pad)
        for g, e in zip(got, want):
            assert g.shape == e.shape and g.dtype == np.float32, (g.shape, e.shape, g.dtype)
            np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4)
    upstream = rng.normal(size=(2, 3, 3, 3)).astype("float32")
    got, = gradients(lambda x: keras.ops.sum(keras.ops.max_pool(x, 2, 2) * upstream), x)
    np.testing.assert_allclose(got, ops.max_pool2d_backward(x, upstream, 2), atol=1e-6)
    # a function of one argument only: zeros for the other
    zero_grad = gradients(lambda x, w: keras.ops.sum(x), x, w)[1]
    assert zero_grad.shape == w.shape and not zero_grad.any()
    try:
        gradients(lambda x: x * 2, x)
    except ValueError as error:
        assert "scalar" in str(error)
    else:
        raise AssertionError("a non-scalar fn must be refused")
    print("ok", keras.backend.backend())
""")


def _run_on(backend: str) -> str:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3",
           "JAX_PLATFORMS": "cpu"}
    result = subprocess.run([sys.executable, "-c", _AGAINST_KERAS], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.split()


@pytest.mark.keras
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_keras_gradient_agrees_with_numpy_backward(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    assert _run_on(backend) == ["ok", backend]
