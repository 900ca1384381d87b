"""cnnbook.plots draws real figures and takes every word as an argument."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnbook import plots
from cnnbook.data import load_cifar10
from cnnbook.i18n import CLASS_NAMES


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("lang", ["en", "el"])
def test_class_grid_has_a_row_per_class_labelled_in_the_language(lang):
    (x, y), _ = load_cifar10(source="sample")
    names = CLASS_NAMES["cifar10"][lang]
    fig = plots.class_grid(x, y, names, per_class=4)
    axes = np.array(fig.axes).reshape(10, 4)
    assert [ax.get_ylabel() for ax in axes[:, 0]] == list(names)
    assert all(ax.images for ax in axes.flat)


def test_class_grid_draws_each_class_from_its_own_images():
    x = np.stack([np.full((4, 4), 10 * k, np.uint8) for k in range(3) for _ in range(5)])
    y = np.repeat(np.arange(3), 5)
    fig = plots.class_grid(x, y, ["a", "b", "c"], per_class=2)
    means = [ax.images[0].get_array().mean() for ax in fig.axes]
    assert means == [0, 0, 10, 10, 20, 20]


def test_image_row_titles_and_matrix_numbers():
    fig = plots.image_row([np.zeros((5, 5)), np.ones((5, 5, 3))], titles=["α", "β"])
    assert [ax.get_title() for ax in fig.axes] == ["α", "β"]
    fig = plots.matrix(np.arange(4).reshape(2, 2), highlight=(slice(0, 1), slice(0, 2)))
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "1", "2", "3"]
    assert len(fig.axes[0].patches) == 1


def test_learning_curves_and_feature_maps():
    fig = plots.learning_curves({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]},
                                {"loss": "train", "val_loss": "val"}, "epoch", "loss")
    assert [line.get_label() for line in fig.axes[0].lines] == ["train", "val"]
    fig = plots.feature_maps(np.random.default_rng(0).random((6, 6, 10)), ncols=4)
    assert sum(bool(ax.images) for ax in fig.axes) == 10


def test_image_grid_fills_rows_and_leaves_no_words():
    images = [np.full((5, 5, 3), k / 10) for k in range(7)]
    fig = plots.image_grid(images, ncols=3)
    axes = np.array(fig.axes).reshape(-1, 3)
    assert axes.shape == (3, 3)
    assert sum(bool(ax.images) for ax in fig.axes) == 7
    assert not any(ax.texts or ax.get_title() for ax in fig.axes)
