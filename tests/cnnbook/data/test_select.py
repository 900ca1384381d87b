"""Picking example images by label and colour (cnnbook.data.select)."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook.data import CIFAR10_CLASSES, colour_dominance, load_cifar10, pick_by_colour


def _solid(rgb: tuple[int, int, int]) -> np.ndarray:
    return np.broadcast_to(np.array(rgb, dtype=np.uint8), (4, 4, 3))


def test_colour_dominance_is_the_margin_over_the_brighter_other_channel():
    images = np.stack([_solid((200, 50, 80)), _solid((10, 90, 30))])
    assert colour_dominance(images, 0) == pytest.approx([120, -80])
    assert colour_dominance(images, 1) == pytest.approx([-150, 60])


def test_pick_by_colour_takes_the_label_first_then_the_colour():
    images = np.stack([_solid((250, 0, 0)), _solid((120, 60, 60)), _solid((200, 30, 30)),
                       _solid((0, 0, 250))])
    labels = np.array([[3], [9], [9], [9]])  # the reddest image has another label
    assert pick_by_colour(images, labels, 9, "red") == 2
    assert pick_by_colour(images, labels, 9, "blue") == 3


def test_pick_by_colour_without_that_label_says_so():
    with pytest.raises(ValueError, match="label 7"):
        pick_by_colour(np.stack([_solid((1, 2, 3))]), np.array([0]), 7, "red")


def test_the_red_truck_of_images_as_arrays_is_a_red_truck():
    """The page says "a red truck": on the data it loads, the pick is labelled truck and red."""
    (x_train, y_train), _ = load_cifar10(source="auto")
    truck = CIFAR10_CLASSES.index("truck")
    index = pick_by_colour(x_train, y_train, truck, "red")
    assert y_train.ravel()[index] == truck
    assert colour_dominance(x_train[index:index + 1], 0)[0] > 30  # red clearly leads
