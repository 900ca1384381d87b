"""The compute page's im2col claims, on the page's own code (its NumPy cells run
here): im2col equals the convolution and is much faster than the direct loop."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from tests.conftest import ROOT

CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.S | re.M)

# The page's NumPy cells, then the checks; run in a fresh process with one BLAS
# thread, because a multi-threaded matrix product on a machine whose cores are
# all busy can wait for its threads far longer than it computes.
_CHECK = """
import json
import numpy as np
from cnnbook import ops
np.testing.assert_allclose(conv2d_im2col(x, w), ops.conv2d(x, w), atol=1e-4)
np.testing.assert_allclose(conv2d_direct(x, w), ops.conv2d(x, w), atol=1e-4)
print(json.dumps({"direct_ms": direct_ms, "im2col_ms": im2col_ms,
                  "columns_shape": list(columns_shape)}))
"""


def test_im2col_equals_the_convolution_and_beats_the_direct_loop():
    text = (ROOT / "book" / "en" / "compute.md").read_text(encoding="utf-8")
    cells = [cell for cell in CODE_CELL.findall(text)
             if "import keras" not in cell and not cell.startswith(":tags: [remove-input]")]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", "\n".join([*cells, _CHECK])], env=env,
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    # "much faster": over 100x on an idle machine; allow for a loaded one
    assert measured["direct_ms"] > 5 * measured["im2col_ms"], measured
    assert measured["columns_shape"] == [46 * 46, 3 * 3 * 16]
