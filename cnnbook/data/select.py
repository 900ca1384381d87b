"""Pick example images by what they are and what they show, not by index.

An index such as `x_train[1209]` names a different image in every copy of a
dataset (the original CIFAR-10, a shuffled re-encoding, the bundled sample),
so a page that says "a red truck" must find one by its label and its colours.
"""

from __future__ import annotations

import numpy as np

RGB_CHANNELS = {"red": 0, "green": 1, "blue": 2}


def colour_dominance(images: np.ndarray, channel: int) -> np.ndarray:
    """How much `channel` exceeds the brighter of the other two, averaged per image.

    `images` is (n, height, width, 3); the result has one number per image, in
    the images' own units (0 to 255 for uint8), positive when that colour
    dominates the picture.
    """
    pixels = np.asarray(images, dtype="float32")
    others = np.delete(pixels, channel, axis=-1).max(axis=-1)
    return (pixels[..., channel] - others).mean(axis=(1, 2))


def pick_by_colour(images: np.ndarray, labels: np.ndarray, label: int, colour: str) -> int:
    """Index of the image of class `label` in which `colour` dominates most.

    `colour` is "red", "green" or "blue".

    Raises ValueError when no image has that label.
    """
    candidates = np.flatnonzero(np.ravel(labels) == label)
    if candidates.size == 0:
        raise ValueError(f"no image has label {label}")
    scores = colour_dominance(images[candidates], RGB_CHANNELS[colour])
    return int(candidates[np.argmax(scores)])
