"""cnnbook.ops agrees with the lecture's example and with Keras layers to 1e-5."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook import ops


def test_corr2d_lecture_example():
    X = np.arange(9).reshape(3, 3)
    K = np.arange(4).reshape(2, 2)
    np.testing.assert_array_equal(ops.corr2d(X, K), [[19, 25], [37, 43]])
    # 0·0 + 1·1 + 3·2 + 4·3 = 19, and so on for each window
    assert ops.corr2d(X, K)[0, 0] == 0 * 0 + 1 * 1 + 3 * 2 + 4 * 3


def test_corr2d_rejects_bad_shapes():
    with pytest.raises(ValueError, match="2-D"):
        ops.corr2d(np.zeros((3, 3, 1)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="larger"):
        ops.corr2d(np.zeros((2, 2)), np.zeros((3, 3)))


def test_conv2d_single_channel_equals_corr2d():
    rng = np.random.default_rng(0)
    X, K = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    out = ops.conv2d(X[..., None], K[..., None, None])
    np.testing.assert_allclose(out[..., 0], ops.corr2d(X, K))


def test_conv2d_shapes_and_errors():
    x = np.zeros((7, 7, 3))
    w = np.zeros((3, 3, 3, 4))
    assert ops.conv2d(x, w, stride=2).shape == (3, 3, 4)
    assert ops.conv2d(x, w, stride=1, pad=1).shape == (7, 7, 4)
    assert ops.conv2d(x[None].repeat(2, 0), w, pad="same", stride=2).shape == (2, 4, 4, 4)
    with pytest.raises(ValueError, match="input channels"):
        ops.conv2d(x, np.zeros((3, 3, 2, 4)))
    with pytest.raises(ValueError, match="padding"):
        ops.conv2d(x, w, pad="full")
    with pytest.raises(ValueError, match="image"):
        ops.conv2d(np.zeros((7, 7)), w)


def test_pooling_by_hand():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)[..., None]
    np.testing.assert_array_equal(ops.max_pool2d(x, 2)[..., 0], [[6, 8], [3, 4]])
    np.testing.assert_array_equal(ops.avg_pool2d(x, 2)[..., 0], [[3.25, 5.25], [2, 2]])


# ---------------------------------------------------------- against Keras

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras


@pytest.mark.parametrize(("stride", "padding", "size"), [
    (1, "valid", 9), (2, "valid", 9), (3, "valid", 10), (1, "same", 9), (2, "same", 9),
    (2, "same", 10),
])
def test_conv2d_matches_keras(stride, padding, size):
    rng = np.random.default_rng(stride * 100 + size)
    x = rng.normal(size=(2, size, size + 1, 3)).astype("float32")
    w = rng.normal(size=(3, 3, 3, 5)).astype("float32")
    b = rng.normal(size=(5,)).astype("float32")
    layer = keras.layers.Conv2D(5, 3, strides=stride, padding=padding)
    layer.build(x.shape)
    layer.set_weights([w, b])
    expected = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(ops.conv2d(x, w, b, stride=stride, pad=padding), expected,
                               atol=1e-5, rtol=1e-5)


def test_integer_padding_matches_keras_zero_padding_then_conv():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 8, 8, 2)).astype("float32")
    w = rng.normal(size=(5, 5, 2, 3)).astype("float32")
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.ZeroPadding2D(2),
                              keras.layers.Conv2D(3, 5, strides=2, use_bias=False)])
    model.layers[-1].set_weights([w])
    np.testing.assert_allclose(ops.conv2d(x, w, stride=2, pad=2),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(("kind", "pool", "stride", "padding"), [
    ("max", 2, None, "valid"), ("max", 3, 2, "valid"), ("max", 3, 2, "same"),
    ("avg", 2, None, "valid"), ("avg", 3, 2, "valid"), ("avg", 3, 2, "same"),
])
def test_pooling_matches_keras(kind, pool, stride, padding):
    x = np.random.default_rng(2).normal(size=(2, 9, 8, 3)).astype("float32")
    layer_class = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    expected = keras.ops.convert_to_numpy(layer_class(pool, strides=stride, padding=padding)(x))
    ours = (ops.max_pool2d if kind == "max" else ops.avg_pool2d)(x, pool, stride, padding)
    np.testing.assert_allclose(ours, expected, atol=1e-5, rtol=1e-5)
