"""cnnbook.ops.shift2d moves an image within its frame, filling with zeros."""

from __future__ import annotations

import numpy as np

from cnnbook import ops


def test_shift_moves_down_right_and_up_left_without_wrapping():
    x = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(ops.shift2d(x, 1, 2), [[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 4, 5]])
    np.testing.assert_array_equal(ops.shift2d(x, -1, -1), [[5, 6, 7, 0], [9, 10, 11, 0],
                                                           [0, 0, 0, 0]])
    np.testing.assert_array_equal(ops.shift2d(x, 0, 0), x)


def test_shift_keeps_channels_and_can_empty_the_frame():
    x = np.ones((4, 5, 3))
    assert ops.shift2d(x, 2, -1).shape == (4, 5, 3)
    assert ops.shift2d(x, 2, -1).sum() == 2 * 4 * 3
    assert not ops.shift2d(x, 4, 0).any() and not ops.shift2d(x, 0, -5).any()
