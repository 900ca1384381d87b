"""The course's public addresses, all derived from one setting.

`repository.url` in `_config.yml` and `_config.el.yml` names the GitHub
repository that hosts the course. The site (GitHub Pages), the library's
wheel published there, the Colab and Binder links of every assignment and the
`pip`/`git clone` commands all follow from it, here and nowhere else:

    links = course_links("https://github.com/me/cnn", version="0.1.0")
    links.wheel_url                  # https://me.github.io/cnn/cnnbook-0.1.0-py3-none-any.whl
    links.colab("el", "a3-mnist-cnn")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

PLACEHOLDER_URL = "https://github.com/cnn-course/cnn-course"
WHEEL_URL_VARIABLE = "CNNBOOK_WHEEL_URL"  # overrides the wheel an assignment's first cell installs

_GITHUB = re.compile(r"https://github\.com/(?P<owner>[A-Za-z0-9-]+)/(?P<name>[A-Za-z0-9._-]+?)"
                     r"(?:\.git)?/?")


def wheel_name(version: str) -> str:
    """The file name of the library's wheel (pure Python, any platform)."""
    return f"cnnbook-{version}-py3-none-any.whl"


def exercise_path(language: str, assignment: str) -> str:
    """Where an edition's student notebook lives in the repository."""
    return f"exercises/{language}/{assignment}/{assignment}.ipynb"


@dataclass(frozen=True)
class CourseLinks:
    owner: str
    name: str
    version: str
    branch: str = "main"
    binderhub: str = "https://mybinder.org"

    @property
    def repository(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"

    @property
    def site(self) -> str:
        """GitHub Pages: `<owner>.github.io` is a user or organisation site, else a project site."""
        host = f"https://{self.owner.lower()}.github.io"
        return f"{host}/" if self.name.lower() == f"{self.owner.lower()}.github.io" else (
            f"{host}/{self.name}/")

    @property
    def wheel_url(self) -> str:
        return self.site + wheel_name(self.version)

    @property
    def pip_install_wheel(self) -> str:
        return f"pip install {self.wheel_url}"

    @property
    def pip_install_git(self) -> str:
        return f"pip install git+{self.repository}.git"

    @property
    def clone(self) -> str:
        return f"git clone {self.repository}.git"

    def colab(self, language: str, assignment: str) -> str:
        """Colab opens a notebook straight from GitHub: the edition's student notebook."""
        return (f"https://colab.research.google.com/github/{self.owner}/{self.name}/blob/"
                f"{self.branch}/{exercise_path(language, assignment)}")

    def binder(self, language: str, assignment: str) -> str:
        """Binder builds `binder/` (which installs cnnbook) and opens the notebook in JupyterLab."""
        target = quote(f"lab/tree/{exercise_path(language, assignment)}", safe="")
        return (f"{self.binderhub.rstrip('/')}/v2/gh/{self.owner}/{self.name}/{self.branch}"
                f"?urlpath={target}")


def course_links(repository_url: str, version: str, branch: str = "main",
                 binderhub: str = "https://mybinder.org") -> CourseLinks:
    """Every public address of the course, from `repository.url` (a GitHub repository)."""
    match = _GITHUB.fullmatch(repository_url.strip())
    if match is None:
        raise ValueError(f"repository.url must be https://github.com/<owner>/<name>, "
                         f"not {repository_url!r}")
    return CourseLinks(match["owner"], match["name"], version, branch, binderhub or
                       "https://mybinder.org")


def links_from_config(config_file: str | Path) -> CourseLinks:
    """`course_links` from a Jupyter Book config (`_config.yml`): course tooling only (PyYAML)."""
    import yaml

    from . import __version__

    config = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
    repository = config.get("repository", {})
    binderhub = (config.get("launch_buttons") or {}).get("binderhub_url") or "https://mybinder.org"
    return course_links(repository["url"], __version__, repository.get("branch", "main"),
                        binderhub)


INSTALL_CELL_ID = "install_cnnbook"  # the nbgrader grade ID of every assignment's first cell


def install_cell_source(wheel_url: str) -> str:
    """The first code cell of every assignment: installs cnnbook where it is missing.

    It does nothing where `cnnbook` imports (the course environment, Binder, the
    grader's offline sandbox); elsewhere (Colab, a bare Jupyter) it pip-installs
    the wheel from the site, or from `$CNNBOOK_WHEEL_URL` when that is set.
    """
    return f"""\
# Installs the course library, cnnbook, where it is missing (Colab, your own Jupyter).
import importlib.util
import os
import subprocess
import sys

CNNBOOK_WHEEL = "{wheel_url}"
if importlib.util.find_spec("cnnbook") is None:
    wheel = os.environ.get("{WHEEL_URL_VARIABLE}", CNNBOOK_WHEEL)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", wheel], check=True)
    importlib.invalidate_caches()"""


def is_placeholder(repository_url: str) -> bool:
    """True while `repository.url` still names the template's placeholder repository."""
    return repository_url.strip().rstrip("/").removesuffix(".git") == PLACEHOLDER_URL
