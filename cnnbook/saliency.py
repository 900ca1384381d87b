"""Which pixels a trained classifier's decision depends on: occlusion and gradient maps.

Occlusion (Zeiler and Fergus, 2014) covers the image with a grey square at
every position and measures how much the probability of a class drops: forward
passes only, so it runs on any Keras backend. Gradient saliency (Simonyan,
Vedaldi and Zisserman, 2014) takes the gradient of the class score with respect
to the pixels, through `cnnbook.autodiff.gradients`, the course's one
backend-dispatching gradient call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

GREY = 127.5  # the occluder's value on raw pixels 0…255


def occlusion_positions(size: int, patch: int, stride: int) -> list[int]:
    """Top (or left) edges of the patches that tile one side of `size` pixels, the last flush."""
    if not 1 <= patch <= size or stride < 1:
        raise ValueError(f"need 1 <= patch <= {size} and stride >= 1, not {patch}, {stride}")
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return starts


def occluded_images(image: np.ndarray, patch: int = 8, stride: int = 2,
                    fill: float = GREY) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Copies of `image` (H, W, C), each with one patch×patch square set to `fill`.

    Returns the batch and the (top, left) corner of each square.
    """
    height, width = image.shape[:2]
    corners = [(top, left) for top in occlusion_positions(height, patch, stride)
               for left in occlusion_positions(width, patch, stride)]
    batch = np.repeat(np.asarray(image, np.float32)[None], len(corners), axis=0)
    for k, (top, left) in enumerate(corners):
        batch[k, top:top + patch, left:left + patch] = fill
    return batch, corners


def occlusion_maps(model: Any, images: np.ndarray, labels: Any, patch: int = 8,
                   stride: int = 2, fill: float = GREY) -> np.ndarray:
    """How much covering each pixel lowers the probability of each image's label: (N, H, W).

    Each square's drop in probability (uncovered minus covered) is spread over
    the pixels it covers, and every pixel gets the mean over the squares that
    cover it. Positive: the pixel's neighbourhood supports the label. All the
    occluded copies of all the images go through the model as one batch.
    """
    images = np.asarray(images, np.float32)
    labels = np.asarray(labels).reshape(-1)
    copies = [occluded_images(image, patch, stride, fill) for image in images]
    corners = copies[0][1]
    batch = np.concatenate([images] + [occluded for occluded, _ in copies])
    probabilities = model.predict(batch, verbose=0, batch_size=512)
    n = len(images)
    uncovered = probabilities[np.arange(n), labels]
    covered = probabilities[n:].reshape(n, len(corners), -1)[np.arange(n), :, labels]
    drops = uncovered[:, None] - covered
    total = np.zeros(images.shape[:3])
    count = np.zeros(images.shape[1:3])
    for k, (top, left) in enumerate(corners):
        total[:, top:top + patch, left:left + patch] += drops[:, k, None, None]
        count[top:top + patch, left:left + patch] += 1
    return total / count


def class_score(model: Any) -> Callable[[Any], Any]:
    """The function image batch → class scores before the softmax (the logits).

    Simonyan et al. differentiate the score, not the probability, which also
    depends on every other class. The model must end in a Dense softmax layer.
    """
    import keras

    last = model.layers[-1]
    if not isinstance(last, keras.layers.Dense):
        raise ValueError(f"the model must end in a Dense layer, not {type(last).__name__}")
    body = keras.Model(model.inputs, last.input)

    def score(images: Any) -> Any:
        return keras.ops.matmul(body(images, training=False), last.kernel) + last.bias

    return score


def gradient_saliency(model: Any, images: np.ndarray, labels: Any) -> np.ndarray:
    """|∂ score of each image's label / ∂ pixel|, the largest over the colour channels: (N, H, W).

    One backward pass for the batch: the images do not interact in inference
    mode, so the gradient of the sum of their scores holds each image's own.
    """
    import keras

    from .autodiff import gradients

    labels = np.asarray(labels).reshape(-1)
    score = class_score(model)
    chosen = np.eye(int(model.output_shape[-1]), dtype=np.float32)[labels]

    def total_score(x: Any) -> Any:
        return keras.ops.sum(score(x) * chosen)

    grad, = gradients(total_score, np.asarray(images, np.float32))
    return np.abs(grad).max(axis=-1)


def cover_top(image: np.ndarray, importance: np.ndarray, share: float,
              fill: float = GREY) -> np.ndarray:
    """`image` with its `share` of pixels that `importance` ranks highest set to `fill`."""
    n = round(share * importance.size)
    covered = np.asarray(image, np.float32).copy()
    rows, cols = np.unravel_index(np.argsort(importance, axis=None)[::-1][:n], importance.shape)
    covered[rows, cols] = fill
    return covered
