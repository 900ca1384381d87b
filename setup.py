"""The part of pyproject.toml that depends on the kind of build (build_backend/course_backend.py).

A wheel carries `cnnbook` only; an editable install of a clone also maps the
grader, `autograder`, and its command.
"""

import os

from setuptools import find_packages, setup

with_grader = os.environ.get("CNN_COURSE_BUILD_WITH_GRADER") == "1"
packages = ["cnnbook", "cnnbook.*"] + (["autograder", "autograder.*"] if with_grader else [])
scripts = ["cnnbook = cnnbook.cli:main"]
if with_grader:
    scripts.append("autograder = autograder.cli:main")

setup(packages=find_packages(include=packages),
      entry_points={"console_scripts": scripts})
