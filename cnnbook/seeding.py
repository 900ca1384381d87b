"""One call that seeds a run on any Keras backend; only on TensorFlow does it also make
the kernels deterministic, so only there is a run fully repeatable."""

from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int, deterministic_ops: bool = True) -> None:
    """Seed Python, NumPy and Keras; on TensorFlow also turn on op determinism.

    Course notebooks call this instead of `tf.*`, so they stay backend-agnostic.
    Determinism costs some speed on TensorFlow; pass `deterministic_ops=False`
    to keep the seeds but allow non-deterministic kernels.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses; this one is already hashed
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)
    if deterministic_ops and keras.backend.backend() == "tensorflow":
        import tensorflow as tf  # the one place the course touches tf.*

        tf.config.experimental.enable_op_determinism()
