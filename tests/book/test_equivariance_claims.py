"""The claims of the page on locality, equivariance and invariance, checked on the
page's own code: its code cells run here (NumPy only, about a second)."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest

from cnnbook import ops
from tests.conftest import ROOT

CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.S | re.M)


@pytest.fixture(scope="module")
def page() -> dict:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict = {}
    text = (ROOT / "book" / "en" / "equivariance.md").read_text(encoding="utf-8")
    for number, cell in enumerate(CODE_CELL.findall(text)):
        source = "\n".join(line for line in cell.splitlines() if not line.startswith(":tags:"))
        exec(compile(source, f"equivariance.md cell {number}", "exec"), namespace)
    plt.close("all")
    return namespace


def test_one_pixel_changes_a_3x3_patch_of_the_conv_but_every_dense_output(page):
    assert page["conv_changed"].sum() == 9 and page["dense_changed"].sum() == 100
    rows, cols = np.nonzero(page["conv_changed"])
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (3, 5, 4, 6)
    assert (page["kernel"].size, page["dense"].size) == (9, 14_400)


def test_the_map_of_the_shifted_letter_is_the_shifted_map_exactly(page):
    edge_map, letter = page["edge_map"], page["letter"]
    for dy, dx in [(2, 3), (-1, 4), (0, -2)]:
        shifted = edge_map(ops.shift2d(letter, dy, dx))
        assert np.abs(shifted - ops.shift2d(edge_map(letter), dy, dx)).max() == 0


def test_stride_two_is_equivariant_to_even_shifts_only(page):
    base, by_two, by_one = page["base"], page["by_two"], page["by_one"]
    assert np.abs(by_two - ops.shift2d(base, 0, 1)).max() == 0
    mismatch = min(np.abs(by_one - ops.shift2d(base, 0, k)).max() for k in (0, 1))
    assert mismatch > 0.2 * np.abs(base).max()


def test_pooling_helps_a_little_and_only_global_pooling_is_invariant(page):
    changes = page["changes"]
    one = {name: values[1] for name, values in changes.items()}
    assert one["map"] > one["pool1"] > one["pool2"] > 0.5  # "more than half its size"
    assert not any(changes["global"])
    for s in range(4, 7):  # several pixels: as much change as the map itself
        for name in ("pool1", "pool2"):
            assert changes[name][s] > 0.9 * changes["map"][s]
    for name in ("pool1", "pool2"):  # "not even monotonic"
        assert np.any(np.diff(changes[name]) < 0)
