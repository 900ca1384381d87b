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


# ------------------------------------------------- the lecture's sliding windows


@pytest.mark.parametrize(("stride", "starts", "failing"),
                         [(1, [0, 1, 2, 3, 4], None), (2, [0, 2, 4], None), (3, [0, 3], 6)])
def test_window_starts_on_the_lectures_7x7_input(stride, starts, failing):
    assert plots.window_starts(7, 3, stride) == (starts, failing)


def test_window_starts_agree_with_the_output_size_formula():
    from cnnbook.arithmetic import conv_output_size

    for size, window, stride, pad in [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 1, 1), (32, 5, 1, 2)]:
        starts, failing = plots.window_starts(size, window, stride, pad)
        assert failing is None
        assert len(starts) == conv_output_size(size, window, stride=stride, pad=pad)
    with pytest.raises(ValueError, match="does not fit"):
        plots.window_starts(2, 3, 1)


def _windows(fig):
    return [next(p for p in ax.patches if p.get_gid() == "window") for ax in fig.axes]


def test_sliding_windows_draw_one_panel_per_position_and_the_failing_one_dashed():
    fits = plots.sliding_windows(7, 3, stride=2)
    assert len(fits.axes) == 3
    assert [w.get_x() for w in _windows(fits)] == [0, 2, 4]
    assert all(w.get_linestyle() == "-" for w in _windows(fits))

    fails = plots.sliding_windows(7, 3, stride=3)
    windows = _windows(fails)
    assert [w.get_x() for w in windows] == [0, 3, 6]
    assert [w.get_linestyle() for w in windows] == ["-", "-", "--"]
    assert windows[-1].get_x() + windows[-1].get_width() > 7  # sticks out of the input
    assert not any(text.get_text() for ax in fails.axes for text in ax.texts)  # no words


def test_sliding_windows_with_padding_keep_seven_positions_and_shade_the_zeros():
    fig = plots.sliding_windows(7, 3, stride=1, pad=1)
    assert len(fig.axes) == 7  # pad 1 keeps a 7-wide output
    zeros = [t for t in fig.axes[0].texts if t.get_text() == "0"]
    assert len(zeros) == 9 * 9 - 7 * 7


def test_correlation_steps_fill_the_output_window_by_window():
    x, k = np.arange(9).reshape(3, 3), np.arange(4).reshape(2, 2)
    fig = plots.correlation_steps(x, k)
    axes = np.array(fig.axes).reshape(4, 3)
    shown = [[t.get_text() for t in ax.texts] for ax in axes[:, 2]]
    assert shown[0] == ["19", "", "", ""]
    assert shown[-1] == ["19", "25", "37", "43"]
    frames = [ax.patches[-1] for ax in axes[:, 0]]
    assert [(f.get_x() + 0.5, f.get_y() + 0.5) for f in frames] == [(0, 0), (1, 0), (0, 1), (1, 1)]


# ------------------------------------------------------ architecture diagrams


def test_volume_diagram_draws_a_box_per_volume_with_its_shape():
    volumes = [("", (32, 32, 1)), ("C1", (28, 28, 6)), ("C5", (1, 1, 120)), ("F6", (84,))]
    fig = plots.volume_diagram(volumes)
    (ax,) = fig.axes
    boxes = [p for p in ax.patches if p.get_gid() == "volume"]
    assert len(boxes) == 4
    texts = [t.get_text() for t in ax.texts]
    assert {"C1", "C5", "F6", "32×32×1", "28×28×6", "1×1×120", "84"} <= set(texts)
    # taller for a wider input, wider for a deeper volume
    assert boxes[0].get_height() > boxes[1].get_height() > boxes[2].get_height()
    assert boxes[2].get_width() > boxes[1].get_width()


def test_branch_diagram_shows_every_label_with_one_arrow_per_connection():
    branches = [["a"], ["b1", "b2"], ["c1", "c2"], ["d1", "d2"]]
    fig = plots.branch_diagram(branches, input_label="in", output_label="out")
    (ax,) = fig.axes
    boxes = [t.get_text() for t in ax.texts if t.get_gid() == "box"]
    assert sorted(boxes) == sorted(["in", "out", "a", "b1", "b2", "c1", "c2", "d1", "d2"])
    arrows = [t for t in ax.texts if t.get_gid() != "box"]  # annotations carry the arrows
    assert len(arrows) == sum(len(b) for b in branches) + len(branches)
