"""The assignments run outside this repository, as a new student runs them.

A fresh virtual environment gets the students' stack (`requirements-student.txt`,
as on Colab: TensorFlow, Keras, NumPy, Matplotlib) and no `cnnbook`. For every
student notebook in each language, the first cell installs the wheel built
here (through `CNNBOOK_WHEEL_URL`, since these machines have no internet),
then the setup, parameters and data cells run, offline, on the bundled
samples, and print in the edition's language. Then `pip install <a clone>`
stands in for `pip install git+<repo>`.

Cost: building the wheel (about 20 s), the environment (about 1.5 min from
pip's cache, more on a cold one) and ten short runs (about 10 s each).
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.common import project
from cnnbook import __version__
from cnnbook.links import INSTALL_CELL_ID, WHEEL_URL_VARIABLE, wheel_name
from tests.conftest import ROOT

ASSIGNMENTS = project.assignment_names(project.SOLUTIONS)
RUN_CELLS = (INSTALL_CELL_ID, "setup", "load_data")  # and the parameters cell
PRINTS_ON_LOADING = {"a1-images-as-arrays", "a3-mnist-cnn", "a4-cifar10-cnn",
                     "a5-transfer-learning"}  # A2 loads its image later


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
          str(folder), str(ROOT)], timeout=600)
    return folder / wheel_name(__version__)


@pytest.fixture(scope="module")
def student_python(tmp_path_factory) -> Path:
    """A fresh environment with the students' pinned stack and no cnnbook."""
    venv = tmp_path_factory.mktemp("student") / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          "-r", str(ROOT / "requirements-student.txt")], timeout=1800)
    return python


def _offline_env(home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("CNNBOOK_DATA", "PYTHONPATH", "VIRTUAL_ENV")}
    (home / ".keras").mkdir(parents=True, exist_ok=True)
    return {**env, "HOME": str(home), "KERAS_HOME": str(home / ".keras"),
            "CNNBOOK_OFFLINE": "1", "PIP_NO_INDEX": "1", "MPLBACKEND": "Agg",
            "TF_CPP_MIN_LOG_LEVEL": "3", **extra}


def _uninstall_cnnbook(python: Path) -> None:
    _run([str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "cnnbook"])
    probe = subprocess.run([str(python), "-I", "-c", "import cnnbook"], capture_output=True)
    assert probe.returncode != 0, "cnnbook is still importable"


def _first_cells(notebook: nbformat.NotebookNode) -> str:
    """The install, setup, parameters and data cells, in order, as one script."""
    chosen = []
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and (grade_id in RUN_CELLS
                                         or "parameters" in cell.metadata.get("tags", [])):
            chosen.append(cell.source)
    return "\n\n".join(chosen)


def test_the_wheel_carries_the_library_alone(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = email.message_from_string(
            archive.read(f"cnnbook-{__version__}.dist-info/METADATA").decode())
        entry_points = archive.read(f"cnnbook-{__version__}.dist-info/entry_points.txt").decode()
    assert not [name for name in names if name.startswith("autograder")]
    assert "autograder" not in entry_points and "cnnbook = cnnbook.cli:main" in entry_points
    for asset in ("cnnbook/data/samples/mnist-sample.npz",
                  "cnnbook/data/samples/cifar10-sample-jpeg.npz",
                  "cnnbook/assets/cifar5_base.keras", "cnnbook/assets/small_cnn.keras"):
        assert asset in names
    required = [r.split(";")[0].split(">")[0].strip()
                for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    assert sorted(required) == ["numpy", "pillow", "tqdm"]  # never TensorFlow or Keras


@pytest.mark.parametrize("language", ["en", "el"])
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_a_student_notebook_installs_cnnbook_and_loads_its_data(name, language, wheel,
                                                                student_python, tmp_path):
    _uninstall_cnnbook(student_python)
    notebook = nbformat.read(project.EXERCISES / language / name / f"{name}.ipynb",
                             as_version=4)
    script = tmp_path / "first_cells.py"
    script.write_text(_first_cells(notebook) + "\n\nimport cnnbook\n"
                      "print('cnnbook from', cnnbook.__file__)\n", encoding="utf-8")
    result = _run([str(student_python), str(script)], cwd=tmp_path, timeout=600,
                  env=_offline_env(tmp_path / "home", **{WHEEL_URL_VARIABLE: str(wheel)}))
    assert "site-packages" in result.stdout.splitlines()[-1], result.stdout
    assert "Traceback" not in result.stderr
    printed = "\n".join(result.stdout.splitlines()[:-1])
    greek = re.findall(r"[\u0370-\u03ff\u1f00-\u1fff]", printed)
    assert bool(greek) == (language == "el" and name in PRINTS_ON_LOADING), printed
    if name == "a1-images-as-arrays":  # «3.000 εικόνες», "3,000 training images"
        assert re.search({"el": r"\d\.\d{3} εικόνες εκπαίδευσης",
                          "en": r"\d,\d{3} training images"}[language], printed), printed


def test_pip_install_of_a_clone_gives_the_library_without_the_grader(student_python,
                                                                     tmp_path):
    """Stands in for `pip install git+<repository>` (this machine has no internet)."""
    _uninstall_cnnbook(student_python)
    clone = tmp_path / "clone"
    _run(["git", "clone", "--quiet", "--depth", "1", f"file://{ROOT}", str(clone)])
    env = _offline_env(tmp_path / "home")
    env.pop("PIP_NO_INDEX")  # the build backend's setuptools comes from the index (or cache)
    _run([str(student_python), "-m", "pip", "install", "--quiet", str(clone)], timeout=600,
         env=env)
    check = ("import importlib.util, cnnbook\n"
             "from cnnbook.data import load_mnist\n"
             "(x, y), _ = load_mnist(source='sample')\n"
             "print(len(x), importlib.util.find_spec('autograder'))\n")
    result = _run([str(student_python), "-c", check], cwd=tmp_path, env=_offline_env(
        tmp_path / "home"))
    count, grader = result.stdout.split()
    assert int(count) > 0 and grader == "None"
    assert not (student_python.parent / "autograder").exists()
    assert (student_python.parent / "cnnbook").exists()
