"""cnnbook.seed_everything makes Keras runs repeatable without any tf.* in course code."""

from __future__ import annotations

import random

import numpy as np
import pytest

import cnnbook


@pytest.mark.keras
def test_same_seed_same_weights_and_draws():
    import keras

    def draw():
        cnnbook.seed_everything(123)
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return (random.random(), np.random.rand(), keras.ops.convert_to_numpy(layer.kernel))

    first, second = draw(), draw()
    assert first[0] == second[0] and first[1] == second[1]
    np.testing.assert_array_equal(first[2], second[2])


@pytest.mark.keras
def test_op_determinism_is_on_for_tensorflow():
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip("op determinism is a TensorFlow setting")
    from tensorflow.python.framework import config as tf_config  # no public getter

    cnnbook.seed_everything(0)
    assert tf_config.is_op_determinism_enabled()


@pytest.mark.parametrize("bad", [-1, 1.5, "7", None, True])
def test_bad_seed_is_rejected(bad):
    with pytest.raises(ValueError, match="seed"):
        cnnbook.seed_everything(bad)


def test_importing_cnnbook_does_not_import_keras():
    import subprocess
    import sys

    code = "import sys, cnnbook, cnnbook.data, cnnbook.arithmetic, cnnbook.ops; " \
           "print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
