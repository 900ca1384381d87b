"""What the runner leaves unimported, and that nbformat still validates without it."""

from __future__ import annotations

import ast
import subprocess
import sys

from autograder.sandbox.startup import FORMAT_CHECKER_PACKAGES

PROBE = """
import sys
from autograder.sandbox.startup import skip_slow_optional_imports
skip_slow_optional_imports(format_checkers={flag})
import nbformat
from nbformat.v4 import new_code_cell, new_notebook
nbformat.validate(new_notebook(cells=[new_code_cell("x = 1")]))
try:
    nbformat.validate({{"nbformat": 4}})
except nbformat.ValidationError:
    print("invalid refused")
print(sorted(name for name in {packages!r} if sys.modules.get(name) is not None))
"""


def probe(flag: bool) -> list[str]:
    code = PROBE.format(flag=flag, packages=FORMAT_CHECKER_PACKAGES)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    assert output[0] == "invalid refused"
    return ast.literal_eval(output[1])


def test_the_runner_validates_notebooks_without_the_format_checker_packages():
    assert probe(True) == []


def test_other_processes_keep_them():
    # the zygote and the command line: a student's kernel may import arrow
    assert probe(False)
