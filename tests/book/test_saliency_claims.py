"""The claims of the page on what the network looks at, checked on the page's own code.

Its code cells run here (Keras, the shipped small CNN, about 10 s on an idle
CPU) on whatever CIFAR-10 copy `source="auto"` finds: the full set where it is
staged, else the bundled sample, whose test images are real test images too.
"""

from __future__ import annotations

import re
from unittest import mock

import matplotlib
import numpy as np
import pytest

from tests.conftest import ROOT

CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.S | re.M)
PAGE = "what-the-network-learned.md"


@pytest.fixture(scope="module")
def page() -> dict:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict = {}
    text = (ROOT / "book" / "en" / PAGE).read_text(encoding="utf-8")
    with mock.patch("myst_nb.glue"):
        for number, cell in enumerate(CODE_CELL.findall(text)):
            source = "\n".join(line for line in cell.splitlines()
                               if not line.startswith(":tags:"))
            exec(compile(source, f"{PAGE} cell {number}", "exec"), namespace)
    plt.close("all")
    return namespace


@pytest.mark.keras
def test_the_shown_images_are_classified_correctly(page):
    """"four test images that it classifies correctly, the first of each of four classes" """
    shown, y_test, predicted = page["shown"], page["y_test"], page["predicted"]
    assert [int(y_test[i]) for i in shown] == list(page["SHOWN_CLASSES"])
    assert all(predicted[i] == y_test[i] for i in shown)


@pytest.mark.keras
def test_each_map_costs_what_the_page_says(page):
    assert len(page["batch"]) == 13 * 13
    assert page["occlusion"].shape == page["saliency"].shape == (4, 32, 32)


@pytest.mark.keras
def test_both_maps_beat_random_pixels_and_occlusion_beats_the_gradient(page):
    """"Both maps find pixels that matter more than random ones, and occlusion finds them
    better." """
    mean = {name: float(np.mean(values)) for name, values in page["kept"].items()}
    assert mean["occlusion"] < mean["gradient"] < mean["random"] < mean["uncovered"]
    assert np.mean(page["kept"]["occlusion"] < page["kept"]["random"]) > 0.5
    assert np.mean(page["kept"]["gradient"] < page["kept"]["random"]) > 0.5
