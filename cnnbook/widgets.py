"""ipywidgets interactives for the book and the assignments.

Widget labels are symbols (N, F, S, P, K) or carry both languages, since the
same code cell runs in the English and the Greek edition.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np

from . import arithmetic, ops

KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], float),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float),
    "box blur": np.full((3, 3), 1 / 9),
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], float) / 16,
    "edge (Laplacian)": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], float),
    "vertical edge (Sobel x)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float),
    "horizontal edge (Sobel y)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], float),
}
# Preset names in both languages: the same widget serves both editions.
KERNEL_LABELS = {
    "identity": "identity · ταυτοτικός",
    "sharpen": "sharpen · όξυνση",
    "box blur": "box blur · θόλωση (μέσος όρος)",
    "gaussian blur": "Gaussian blur · γκαουσιανή θόλωση",
    "edge (Laplacian)": "edges (Laplacian) · ακμές (Laplace)",
    "vertical edge (Sobel x)": "vertical edges (Sobel x) · κατακόρυφες ακμές",
    "horizontal edge (Sobel y)": "horizontal edges (Sobel y) · οριζόντιες ακμές",
}


def size_report(n: int, f: int, stride: int, pad: int, k: int, depth: int,
                pool: bool = False) -> str:
    """HTML for one setting: the formula with numbers, the output volume, the weights.

    Language-neutral: symbols and numbers only; ✗ marks a filter that does not fit.
    """
    try:
        if pool:
            size = arithmetic.pool_output_size(n, f, stride)
            formula = f"(W₁ − F)/S + 1 = ({n} − {f})/{stride} + 1 = {size}"
            volume, weights = f"{size} × {size} × {depth}", 0
        else:
            size = arithmetic.conv_output_size(n, f, stride, pad)
            formula = f"(W₁ − F + 2P)/S + 1 = ({n} − {f} + 2·{pad})/{stride} + 1 = {size}"
            volume, weights = f"{size} × {size} × {k}", arithmetic.conv_params(f, depth, k)
    except ValueError:
        numerator = n - f if pool else n - f + 2 * pad
        value = numerator / stride + 1
        return (f"<b style='color:#b00'>✗</b> {n} × {n} × {depth} → "
                f"<code>{numerator}/{stride} + 1 = {value:.2f}</code> ∉ ℕ")
    return (f"<b style='color:#080'>✓</b> {n} × {n} × {depth} → <b>{volume}</b><br>"
            f"<code>{formula}</code><br>#W = {weights:,}")


def output_size_explorer(n: int = 32, f: int = 5, stride: int = 1, pad: int = 2, k: int = 10,
                         depth: int = 3):
    """Sliders for N, F, S, P, K, D (input depth) and a conv/pool toggle; live output size."""
    import ipywidgets as w

    def slider(symbol: str, value: int, low: int, high: int) -> w.IntSlider:
        return w.IntSlider(value=value, min=low, max=high, description=symbol,
                           continuous_update=True, layout=w.Layout(width="320px"))

    controls = {
        "n": slider("N", n, 1, 256), "f": slider("F", f, 1, 11),
        "stride": slider("S", stride, 1, 6), "pad": slider("P", pad, 0, 6),
        "k": slider("K", k, 1, 512), "depth": slider("D", depth, 1, 512),
    }
    kind = w.ToggleButtons(options=[("CONV", False), ("POOL", True)], value=False)
    report = w.HTML()

    def update(*_: object) -> None:
        values = {name: control.value for name, control in controls.items()}
        report.value = size_report(**values, pool=kind.value)
        controls["pad"].disabled = controls["k"].disabled = kind.value

    for control in [*controls.values(), kind]:
        control.observe(update, names="value")
    update()
    return w.HBox([w.VBox([kind, *controls.values()]), report])


DISPLAY_PIXELS = 192  # small images are enlarged to about this size, pixels kept sharp


def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    scale = max(1, DISPLAY_PIXELS // max(image.shape[:2]))
    buffer = io.BytesIO()
    Image.fromarray(image).resize((image.shape[1] * scale, image.shape[0] * scale),
                                  Image.NEAREST).save(buffer, format="PNG")
    return buffer.getvalue()


def to_display_range(result: np.ndarray) -> np.ndarray:
    """Map a filter response to uint8 for display: clip to [0, 255]."""
    return np.clip(np.rint(result), 0, 255).astype(np.uint8)


def apply_kernel(gray: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlate a grayscale uint8 image with a 3×3 kernel ('same' size)."""
    out = ops.conv2d(gray.astype(float)[..., None], kernel[..., None, None], pad="same")
    return to_display_range(out[..., 0])


def filter_playground(gray: np.ndarray, preset: str = "sharpen",
                      apply: Callable[[np.ndarray, np.ndarray], np.ndarray] = apply_kernel):
    """Pick or edit a 3×3 kernel and see the image before and after."""
    import ipywidgets as w

    choice = w.Dropdown(options=[(KERNEL_LABELS[name], name) for name in KERNELS],
                        value=preset, layout=w.Layout(width="340px"))
    cells = [w.FloatText(layout=w.Layout(width="64px")) for _ in range(9)]
    grid = w.GridBox(cells, layout=w.Layout(grid_template_columns="repeat(3, 68px)"))
    before = w.Image(value=_png(gray), format="png")
    after = w.Image(format="png")
    syncing = {"preset": False}

    def show_preset(*_: object) -> None:
        syncing["preset"] = True
        for cell, value in zip(cells, KERNELS[choice.value].ravel(), strict=True):
            cell.value = round(float(value), 4)
        syncing["preset"] = False
        redraw()

    def redraw(*_: object) -> None:
        if syncing["preset"]:
            return
        kernel = np.array([cell.value for cell in cells], float).reshape(3, 3)
        after.value = _png(apply(gray, kernel))

    choice.observe(show_preset, names="value")
    for cell in cells:
        cell.observe(redraw, names="value")
    show_preset()
    return w.VBox([w.HBox([choice]), w.HBox([grid, before, after])])


def _normalised_png(feature_map: np.ndarray) -> bytes:
    """An activation map scaled to 0-255 for display (a flat map shows black)."""
    low, high = float(feature_map.min()), float(feature_map.max())
    scaled = (feature_map - low) / (high - low) if high > low else np.zeros_like(feature_map)
    return _png((scaled * 255).astype(np.uint8))


def feature_map_viewer(activations: dict[str, np.ndarray], images: np.ndarray,
                       image_labels: list[str] | None = None):
    """Pick an image, a layer and a channel; see the image and that activation map.

    `activations[layer]` holds the maps of every image, shape (N, H, W, C):
    computing them once up front keeps the widget responsive and its saved
    state complete. `image_labels` name the images (e.g. "0 · airplane · αεροπλάνο").
    """
    import ipywidgets as w

    layers = list(activations)
    image_choice = w.Dropdown(options=[(label, i) for i, label in enumerate(
        image_labels or [str(i) for i in range(len(images))])], layout=w.Layout(width="300px"))
    layer_choice = w.ToggleButtons(options=layers, value=layers[0])
    channel = w.IntSlider(value=0, min=0, max=activations[layers[0]].shape[-1] - 1,
                          description="#", layout=w.Layout(width="320px"))
    picture = w.Image(format="png")
    feature = w.Image(format="png")
    shape = w.HTML()

    def redraw(*_: object) -> None:
        maps = activations[layer_choice.value]
        channel.max = maps.shape[-1] - 1
        picture.value = _png(images[image_choice.value])
        feature.value = _normalised_png(maps[image_choice.value, ..., channel.value])
        shape.value = f"<code>{layer_choice.value}: {' × '.join(map(str, maps.shape[1:]))}</code>"

    for control in (image_choice, layer_choice, channel):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([image_choice, layer_choice]), channel, shape,
                   w.HBox([picture, feature])])
