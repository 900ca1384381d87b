#!/usr/bin/env python3
"""Draw the site's favicon: a 3×3 sharpen kernel, as a small heat map."""

from pathlib import Path

import numpy as np
from PIL import Image

KERNEL = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float)
OUT = Path(__file__).resolve().parents[1] / "book" / "_static" / "favicon.png"


def main() -> None:
    cell, gap = 20, 2
    size = 3 * cell + 4 * gap
    icon = np.full((size, size, 3), 255, np.uint8)
    shades = (KERNEL - KERNEL.min()) / (KERNEL.max() - KERNEL.min())
    for (i, j), shade in np.ndenumerate(shades):
        top, left = gap + i * (cell + gap), gap + j * (cell + gap)
        colour = (np.array([33, 102, 172]) * shade + np.array([209, 229, 240]) * (1 - shade))
        icon[top:top + cell, left:left + cell] = colour.astype(np.uint8)
    Image.fromarray(icon).save(OUT)
    print(OUT)


if __name__ == "__main__":
    main()
