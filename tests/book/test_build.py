"""The README's book command builds the site offline, with warnings as errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_book_builds_with_warnings_as_errors(tmp_path):
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book) if jupyter_book.exists() else shutil.which("jupyter-book"),
               "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    landing = (tmp_path / "_build" / "html" / "book" / "index.html").read_text(encoding="utf-8")
    assert "(32, 32, 10) 760" in landing  # the code cell ran, through cnnbook
    assert "Krizhevsky" in landing  # the bibliography resolved
