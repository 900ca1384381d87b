"""Matplotlib figures shared by the book and the assignments.

Every function returns a `Figure` and takes any words it draws (titles, class
names) as arguments, so the bilingual book can render one variant per language.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def _imshow(ax, image: np.ndarray, cmap: str | None = None, **kwargs) -> None:
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    ax.imshow(image, cmap=cmap or ("gray" if image.ndim == 2 else None), **kwargs)
    ax.set_xticks([])
    ax.set_yticks([])


def class_grid(images: np.ndarray, labels: np.ndarray, class_names: Sequence[str],
               per_class: int = 10, seed: int = 0, scale: float = 0.8) -> Figure:
    """A row of `per_class` random images for each class, the class name on the left."""
    labels = np.asarray(labels).ravel()
    rng = np.random.default_rng(seed)
    n_classes = len(class_names)
    fig, axes = plt.subplots(n_classes, per_class, squeeze=False,
                             figsize=(per_class * scale, n_classes * scale))
    for row, name in enumerate(class_names):
        members = np.flatnonzero(labels == row)
        chosen = rng.choice(members, size=min(per_class, len(members)), replace=False)
        for col in range(per_class):
            ax = axes[row, col]
            if col < len(chosen):
                _imshow(ax, images[chosen[col]])
            else:
                ax.axis("off")
        axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig


def image_row(images: Sequence[np.ndarray], titles: Sequence[str] | None = None,
              cmap: str | None = None, size: float = 2.6) -> Figure:
    """Images side by side, each with an optional title."""
    fig, axes = plt.subplots(1, len(images), squeeze=False, figsize=(size * len(images), size))
    for i, image in enumerate(images):
        _imshow(axes[0, i], image, cmap=cmap)
        if titles is not None:
            axes[0, i].set_title(titles[i], fontsize=10)
    fig.tight_layout()
    return fig


def matrix(values: np.ndarray, fmt: str = "{:g}", ax=None, cmap: str = "Greys",
           highlight: tuple[slice, slice] | None = None, fontsize: int = 11) -> Figure:
    """A small matrix drawn as a grid of numbers (for worked examples)."""
    values = np.asarray(values)
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.55 * values.shape[1] + 0.4,
                                        0.55 * values.shape[0] + 0.4))
    else:
        fig = ax.figure
    ax.imshow(values, cmap=cmap, alpha=0.35)
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=fontsize)
    if highlight is not None:
        rows, cols = highlight
        ax.add_patch(plt.Rectangle((cols.start - 0.5, rows.start - 0.5), cols.stop - cols.start,
                                   rows.stop - rows.start, fill=False, lw=2.5, color="tab:red"))
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


def learning_curves(history: dict[str, Sequence[float]], labels: dict[str, str],
                    xlabel: str, ylabel: str) -> Figure:
    """Curves of a Keras `History.history` dict; `labels` maps keys to legend text."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for key, label in labels.items():
        values = history[key]
        ax.plot(range(1, len(values) + 1), values, marker="o", ms=3, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def feature_maps(maps: np.ndarray, ncols: int = 8, size: float = 1.1,
                 cmap: str = "viridis") -> Figure:
    """Every channel of one activation volume (H, W, C) as a grid of small images."""
    maps = np.asarray(maps)
    channels = maps.shape[-1]
    nrows = -(-channels // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(ncols * size, nrows * size))
    for k, ax in enumerate(axes.flat):
        if k < channels:
            _imshow(ax, maps[..., k], cmap=cmap)
        else:
            ax.axis("off")
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig


def image_grid(images: Sequence[np.ndarray], ncols: int, size: float = 0.9) -> Figure:
    """Images (gray or RGB) in a grid with no frames or words, row by row.

    `np.array(fig.axes).reshape(-1, ncols)` gives the axes by row and column,
    for drawing on top of a picture.
    """
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(ncols * size, nrows * size))
    for ax in axes.flat:
        ax.axis("off")
    for ax, image in zip(axes.flat, images, strict=False):  # the last row may be short
        image = np.asarray(image)
        ax.imshow(image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image,
                  cmap="gray" if image.ndim == 2 or image.shape[-1] == 1 else None,
                  interpolation="nearest")
    fig.subplots_adjust(wspace=0.06, hspace=0.06)
    return fig


def window_starts(size: int, window: int, stride: int,
                  pad: int = 0) -> tuple[list[int], int | None]:
    """Where a window starts along one axis of a padded input, and the first start that fails.

    Starts are counted on the padded input (0 is the first ring of zeros).
    The second value is the start of the first window that would stick out
    past the end, or None when the windows fit exactly.
    """
    padded = size + 2 * pad
    if window > padded:
        raise ValueError(f"a {window}-wide window does not fit a {padded}-wide padded input")
    starts = list(range(0, padded - window + 1, stride))
    failing = starts[-1] + stride if starts[-1] + window < padded else None
    return starts, failing


def sliding_windows(size: int, window: int, stride: int, pad: int = 0,
                    cell: float = 0.2) -> Figure:
    """A window sliding along the top row of a `size` × `size` input, one panel per position.

    Zero-padding rings are shaded and hold 0s; the window is a blue frame. When
    the stride does not fit, a last panel shows the window that would stick
    out of the input, as a dashed red frame. No words: the figure serves both
    editions.
    """
    starts, failing = window_starts(size, window, stride, pad)
    positions = starts + ([failing] if failing is not None else [])
    padded = size + 2 * pad
    overhang = (failing + window - padded) if failing is not None else 0
    width = (padded + overhang) * cell + 0.3
    fig, axes = plt.subplots(1, len(positions), squeeze=False,
                             figsize=(width * len(positions), padded * cell + 0.3))
    for ax, start in zip(axes[0], positions, strict=True):
        _draw_input_grid(ax, size, pad)
        fits = start != failing
        ax.add_patch(plt.Rectangle((start, 0), window, window, fill=False,
                                   lw=2.2, color="tab:blue" if fits else "tab:red",
                                   linestyle="-" if fits else "--", gid="window"))
        ax.set_xlim(-0.1, padded + overhang + 0.1)
        ax.set_ylim(padded + 0.1, -0.1)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.97, bottom=0.03, wspace=0.15)
    return fig


def _draw_input_grid(ax, size: int, pad: int) -> None:
    """The cells of a `size` × `size` input inside `pad` shaded rings of zeros."""
    padded = size + 2 * pad
    for r in range(padded):
        for c in range(padded):
            is_pad = min(r, c) < pad or max(r, c) >= pad + size
            ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor="0.82" if is_pad else "white",
                                       edgecolor="0.45", lw=0.6))
            if is_pad:
                ax.text(c + 0.5, r + 0.5, "0", ha="center", va="center", fontsize=6,
                        color="0.35")


def correlation_steps(x: np.ndarray, kernel: np.ndarray) -> Figure:
    """A 2-D cross-correlation window by window: one row per output entry.

    Each row shows the input with the current window framed, the kernel, and
    the output filled in up to the current entry, which is framed too.
    """
    x, kernel = np.asarray(x), np.asarray(kernel)
    h, w = kernel.shape
    out_h, out_w = x.shape[0] - h + 1, x.shape[1] - w + 1
    y = np.array([[np.sum(x[i:i + h, j:j + w] * kernel) for j in range(out_w)]
                  for i in range(out_h)])
    steps = out_h * out_w
    fig, axes = plt.subplots(steps, 3, squeeze=False, figsize=(5.2, 1.6 * steps),
                             gridspec_kw={"width_ratios": [x.shape[1], w, out_w],
                                          "wspace": 0.7, "hspace": 0.35})
    for step in range(steps):
        i, j = divmod(step, out_w)
        matrix(x, ax=axes[step, 0], highlight=(slice(i, i + h), slice(j, j + w)))
        matrix(kernel, ax=axes[step, 1], highlight=(slice(0, h), slice(0, w)))
        shown = np.where(np.arange(y.size).reshape(y.shape) <= step, y, np.nan)
        matrix(np.nan_to_num(shown, nan=0), ax=axes[step, 2], fmt="{:g}",
               highlight=(slice(i, i + 1), slice(j, j + 1)))
        for text in axes[step, 2].texts[step + 1:]:  # entries not computed yet stay empty
            text.set_text("")
    return fig


def volume_diagram(volumes: Sequence[tuple[str, Sequence[int]]], height: float = 2.6) -> Figure:
    """A network as a row of volumes: one box per (name, shape), left to right.

    A box's height grows with the volume's width and height, its width with
    its depth (both on a square-root scale, so LeNet's 1×1×120 and 32×32×1
    both stay visible). The name goes above the box and the shape below it;
    a vector (a shape of one number) is drawn as a thin bar.
    """
    sizes = [tuple(int(n) for n in shape) for _, shape in volumes]
    spatial = [s[0] if len(s) == 3 else 1 for s in sizes]
    depth = [s[-1] for s in sizes]
    max_spatial, max_depth = max(spatial), max(depth)
    fig, ax = plt.subplots(figsize=(1.15 * len(volumes) + 0.4, height))
    x = 0.0
    for (name, _), shape, side, d in zip(volumes, sizes, spatial, depth, strict=True):
        box_h = 0.15 + 0.85 * np.sqrt(side / max_spatial)
        box_w = 0.08 + 0.5 * np.sqrt(d / max_depth)
        if len(shape) == 1:  # a vector: drawn as a bar as tall as its length allows
            box_h, box_w = 0.15 + 0.85 * np.sqrt(d / max_depth), 0.08
        ax.add_patch(plt.Rectangle((x, -box_h / 2), box_w, box_h, facecolor="tab:blue",
                                   alpha=0.25 + 0.5 * (len(shape) == 1), edgecolor="tab:blue",
                                   gid="volume"))
        centre = x + box_w / 2
        ax.text(centre, 0.56, name, ha="center", va="bottom", fontsize=8)
        ax.text(centre, -0.56, "×".join(map(str, shape)), ha="center", va="top", fontsize=7)
        x += 1.0
    for k in range(len(volumes) - 1):
        ax.annotate("", xy=(k + 0.97, 0), xytext=(k + 0.62, 0),
                    arrowprops={"arrowstyle": "->", "color": "0.4"})
    ax.set_xlim(-0.3, len(volumes) - 0.2)
    ax.set_ylim(-0.8, 0.8)
    ax.axis("off")
    fig.tight_layout()
    return fig


def branch_diagram(branches: Sequence[Sequence[str]], input_label: str,
                   output_label: str) -> Figure:
    """A module whose branches run side by side: input at the bottom, output on top.

    `branches` lists, for each branch, the labels of its boxes from bottom to
    top (an Inception module has four). Every word is an argument, so the
    book can draw one variant per language.
    """
    n_branches = len(branches)
    levels = max(len(branch) for branch in branches)
    fig, ax = plt.subplots(figsize=(1.7 * n_branches, 0.9 * (levels + 2)))
    centre = (n_branches - 1) / 2

    def box(x: float, y: float, label: str, colour: str) -> None:
        ax.text(x, y, label, ha="center", va="center", fontsize=10, gid="box",
                bbox={"boxstyle": "round,pad=0.35", "facecolor": colour, "edgecolor": "0.3"})

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        ax.annotate("", xy=(x1, y1 - 0.22), xytext=(x0, y0 + 0.22),
                    arrowprops={"arrowstyle": "->", "color": "0.4"})

    box(centre, 0, input_label, "0.92")
    box(centre, levels + 1, output_label, "0.92")
    for b, branch in enumerate(branches):
        previous = (centre, 0.0)
        for level, label in enumerate(branch, start=1):
            box(b, level, label, "#cfe2f3")
            arrow(*previous, b, level)
            previous = (b, float(level))
        arrow(*previous, centre, levels + 1)
    ax.set_xlim(-0.7, n_branches - 0.3)
    ax.set_ylim(-0.6, levels + 1.6)
    ax.axis("off")
    fig.tight_layout()
    return fig
