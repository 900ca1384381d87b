"""The compute page's im2col claims, on the page's own code (its NumPy cells run
here): im2col equals the convolution and is much faster than the direct loop."""

from __future__ import annotations

import re

import numpy as np

from cnnbook import ops
from tests.conftest import ROOT

CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.S | re.M)


def test_im2col_equals_the_convolution_and_beats_the_direct_loop():
    namespace: dict = {}
    text = (ROOT / "book" / "en" / "compute.md").read_text(encoding="utf-8")
    for number, cell in enumerate(CODE_CELL.findall(text)):
        if "import keras" in cell or cell.startswith(":tags: [remove-input]"):
            continue  # the VGG-16 table (tests/cnnbook/test_arithmetic.py) and glue cells
        exec(compile(cell, f"compute.md cell {number}", "exec"), namespace)
    x, w = namespace["x"], namespace["w"]
    np.testing.assert_allclose(namespace["conv2d_im2col"](x, w), ops.conv2d(x, w), atol=1e-4)
    np.testing.assert_allclose(namespace["conv2d_direct"](x, w), ops.conv2d(x, w), atol=1e-4)
    # "much faster": over 100x on an idle machine; allow for a loaded one
    assert namespace["direct_ms"] > 5 * namespace["im2col_ms"]
    assert namespace["columns_shape"] == (46 * 46, 3 * 3 * 16)
