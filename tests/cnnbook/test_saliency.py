"""cnnbook.saliency: occlusion and gradient maps, checked on models whose answer is known,
and cnnbook.models.cifar_resnet, the network of the degradation experiment."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook.saliency import GREY, cover_top, occluded_images, occlusion_positions


def test_occlusion_positions_tile_the_side_and_end_flush():
    assert occlusion_positions(32, 8, 2) == list(range(0, 25, 2))
    assert occlusion_positions(32, 8, 5) == [0, 5, 10, 15, 20, 24]
    assert occlusion_positions(8, 8, 3) == [0]
    with pytest.raises(ValueError, match="patch"):
        occlusion_positions(8, 9, 1)


def test_occluded_images_grey_one_square_each():
    image = np.zeros((6, 6, 3), np.uint8)
    batch, corners = occluded_images(image, patch=2, stride=2)
    assert batch.shape == (9, 6, 6, 3) and corners[4] == (2, 2)
    assert np.all(batch[4, 2:4, 2:4] == GREY)
    assert np.count_nonzero(batch[4]) == 2 * 2 * 3


def test_cover_top_covers_the_highest_ranked_share():
    image = np.zeros((4, 4, 1))
    importance = np.arange(16.0).reshape(4, 4)
    covered = cover_top(image, importance, share=0.25, fill=1.0)
    assert covered.sum() == 4 and np.all(covered[3] == 1.0)


def _linear_softmax(kernel: np.ndarray):
    """A model whose class scores are image · kernel[:, c]: its gradients are known."""
    import keras

    height, width, channels, classes = kernel.shape
    inputs = keras.Input((height, width, channels))
    dense = keras.layers.Dense(classes, activation="softmax", name="predictions")
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    dense.set_weights([kernel.reshape(-1, classes), np.zeros(classes, np.float32)])
    return model


@pytest.mark.keras
def test_gradient_saliency_is_the_weight_of_each_pixel_in_the_score():
    from cnnbook.saliency import gradient_saliency

    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(5, 5, 3, 4)).astype(np.float32)
    model = _linear_softmax(kernel)
    images = rng.uniform(0, 255, size=(3, 5, 5, 3)).astype(np.float32)
    labels = np.array([2, 0, 3])
    maps = gradient_saliency(model, images, labels)
    assert maps.shape == (3, 5, 5)
    for k, label in enumerate(labels):  # the score is linear: its gradient is the kernel
        np.testing.assert_allclose(maps[k], np.abs(kernel[..., label]).max(axis=-1), rtol=1e-5)
        np.testing.assert_allclose(gradient_saliency(model, images[k:k + 1], [label])[0],
                                   maps[k], rtol=1e-5)  # the batch changes nothing


@pytest.mark.keras
def test_occlusion_maps_light_up_only_where_the_class_looks():
    from cnnbook.saliency import occlusion_maps

    kernel = np.zeros((8, 8, 1, 2), np.float32)
    kernel[:2, :2, 0, 0] = 0.002  # class 0 is bright top-left corners; class 1 ignores pixels
    model = _linear_softmax(kernel)
    image = np.full((1, 8, 8, 1), 255.0, np.float32)
    maps = occlusion_maps(model, image, [0], patch=2, stride=2)
    assert maps.shape == (1, 8, 8)
    assert np.all(maps[0, :2, :2] > 0.1)  # hiding the corner lowers p(class 0)
    assert np.allclose(maps[0, 2:, :], 0) and np.allclose(maps[0, :, 2:], 0)


@pytest.mark.keras
def test_cifar_resnet_differs_from_the_plain_net_only_in_its_shortcuts():
    from cnnbook.models import cifar_resnet

    plain, residual = cifar_resnet(20, shortcuts=False), cifar_resnet(20, shortcuts=True)
    kinds = [type(layer).__name__ for layer in residual.layers]
    assert kinds.count("Add") == 9 and not any(
        type(layer).__name__ == "Add" for layer in plain.layers)
    weight_layers = [layer for layer in plain.layers
                     if type(layer).__name__ in ("Conv2D", "Dense")]
    assert len(weight_layers) == 20  # depth counts convolutions and the classifier
    projections = [layer for layer in residual.layers if layer.name.endswith("_proj")]
    assert [tuple(layer.kernel.shape) for layer in projections] == [(1, 1, 16, 32),
                                                                    (1, 1, 32, 64)]
    extra = sum(layer.count_params() for layer in residual.layers if "_proj" in layer.name)
    assert residual.count_params() - plain.count_params() == extra
    assert residual.output_shape == (None, 10) and plain.name == "plain20"
    with pytest.raises(ValueError, match="6n \\+ 2"):
        cifar_resnet(10)
