"""cnnbook.widgets: language-neutral interactives that compute the right things."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook import ops, widgets

ipywidgets = pytest.importorskip("ipywidgets")


def test_size_report_shows_formula_volume_and_weights():
    html = widgets.size_report(32, 5, 1, 2, 10, 3)
    assert "32 × 32 × 10" in html and "#W = 760" in html
    assert "(32 − 5 + 2·2)/1 + 1 = 32" in html


def test_size_report_marks_what_does_not_fit():
    html = widgets.size_report(7, 3, 3, 0, 1, 1)
    assert "✗" in html and "2.33" in html
    assert "✓" in widgets.size_report(7, 3, 2, 0, 1, 1)


def test_size_report_for_pooling_has_no_weights():
    assert "27 × 27 × 96" in widgets.size_report(55, 3, 2, 0, 1, 96, pool=True)
    assert "#W = 0" in widgets.size_report(224, 2, 2, 0, 1, 64, pool=True)


def test_explorer_reacts_to_its_sliders():
    explorer = widgets.output_size_explorer()
    controls, report = explorer.children
    kind, n, f, stride, *_ = controls.children
    assert "32 × 32 × 10" in report.value
    n.value, f.value, stride.value = 7, 3, 3
    assert "✗" in report.value
    stride.value = 2
    kind.value = True
    assert "(7 − 3)/2 + 1 = 3" in report.value


def test_labels_carry_no_english_only_words():
    for name, label in widgets.KERNEL_LABELS.items():
        assert " · " in label, f"{name}: a preset label needs both languages"
    assert set(widgets.KERNEL_LABELS) == set(widgets.KERNELS)


def test_apply_kernel_is_same_size_cross_correlation():
    gray = np.random.default_rng(0).integers(0, 256, (12, 10)).astype(np.uint8)
    identity = widgets.apply_kernel(gray, widgets.KERNELS["identity"])
    np.testing.assert_array_equal(identity, gray)
    edges = widgets.apply_kernel(gray, widgets.KERNELS["vertical edge (Sobel x)"])
    inner = ops.corr2d(gray.astype(float), widgets.KERNELS["vertical edge (Sobel x)"])
    np.testing.assert_array_equal(edges[1:-1, 1:-1], np.clip(np.rint(inner), 0, 255))


def test_playground_updates_when_the_preset_or_a_cell_changes():
    gray = np.random.default_rng(1).integers(0, 256, (16, 16)).astype(np.uint8)
    calls = []

    def recording_apply(image, kernel):
        calls.append(kernel.copy())
        return widgets.apply_kernel(image, kernel)

    playground = widgets.filter_playground(gray, preset="sharpen", apply=recording_apply)
    choice = playground.children[0].children[0]
    grid = playground.children[1].children[0]
    np.testing.assert_allclose(calls[-1], widgets.KERNELS["sharpen"])
    choice.value = "box blur"
    np.testing.assert_allclose(calls[-1], widgets.KERNELS["box blur"], atol=1e-4)
    grid.children[4].value = 2.0
    assert calls[-1][1, 1] == 2.0


def test_feature_map_viewer_follows_its_controls():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 8, 8, 3)).astype(np.uint8)
    activations = {"conv1": rng.random((3, 8, 8, 4)), "conv2": rng.random((3, 4, 4, 6))}
    viewer = widgets.feature_map_viewer(activations, images, ["a", "b", "c"])
    (image_choice, layer_choice), channel, shape = (viewer.children[0].children,
                                                   viewer.children[1], viewer.children[2])
    assert "conv1: 8 × 8 × 4" in shape.value and channel.max == 3
    layer_choice.value = "conv2"
    assert "conv2: 4 × 4 × 6" in shape.value and channel.max == 5
    before = viewer.children[3].children[1].value
    channel.value = 5
    image_choice.value = 2
    assert viewer.children[3].children[1].value != before


def test_flat_activation_map_is_shown_black_not_an_error():
    png = widgets._normalised_png(np.zeros((4, 4)))
    assert png.startswith(b"\x89PNG")
