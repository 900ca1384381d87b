"""The build backend of this repository: setuptools, plus one switch.

One `pyproject.toml` gives two installs:

- a **wheel** (`pip install .`, `pip install git+<repository>`, the wheel the
  Pages workflow publishes next to the book) carries the library students
  need, `cnnbook`, and its `cnnbook` command: nothing of the grader, and no
  TensorFlow or Keras pin, so Colab's own stack stays as it is;
- an **editable install** of a clone (`pip install -r requirements.txt -e .`,
  the README's command) also maps the grader, `autograder`, and its
  `autograder` command, for instructors and CI.

`setup.py` reads the switch; every hook of setuptools' own backend is passed
through, the editable ones with the grader and the others without it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from setuptools import build_meta as _setuptools

WITH_GRADER = "CNN_COURSE_BUILD_WITH_GRADER"  # read by setup.py


def _building(with_grader: bool, hook: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(hook)
    def run(*args: Any, **kwargs: Any) -> Any:
        previous = os.environ.get(WITH_GRADER)
        os.environ[WITH_GRADER] = "1" if with_grader else "0"
        try:
            return hook(*args, **kwargs)
        finally:
            if previous is None:
                os.environ.pop(WITH_GRADER, None)
            else:
                os.environ[WITH_GRADER] = previous
    return run


get_requires_for_build_wheel = _building(False, _setuptools.get_requires_for_build_wheel)
get_requires_for_build_sdist = _building(False, _setuptools.get_requires_for_build_sdist)
prepare_metadata_for_build_wheel = _building(False, _setuptools.prepare_metadata_for_build_wheel)
build_wheel = _building(False, _setuptools.build_wheel)
build_sdist = _building(False, _setuptools.build_sdist)
get_requires_for_build_editable = _building(True, _setuptools.get_requires_for_build_editable)
prepare_metadata_for_build_editable = _building(
    True, _setuptools.prepare_metadata_for_build_editable)
build_editable = _building(True, _setuptools.build_editable)
