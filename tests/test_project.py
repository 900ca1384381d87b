"""Project-level promises: the README's commands, the pins, CI, and clean notebooks."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> dict[str, str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    labels = re.findall(r"^\((a|b)\) ", section, flags=re.M)
    blocks = re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)
    assert labels == ["a", "b"] and len(blocks) == 2, "README needs exactly commands (a) and (b)"
    assert all("\n" not in block for block in blocks), "each command is one copy-paste line"
    return dict(zip(labels, blocks, strict=True))


def test_readme_commands_build_the_book_and_run_the_tests():
    commands = quick_start_commands()
    assert "python3.11 -m venv" in commands["a"]
    assert commands["a"].endswith("python scripts/build_book.py")
    assert commands["b"].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert quick_start_commands()["b"] in ci.splitlines()


def test_readme_explains_offline_staging():
    assert "python -m cnnbook data prepare --dest" in README
    assert "CNNBOOK_DATA" in README


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for raw in (ROOT / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        requirement = line.split(";", 1)[0].strip()
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", requirement), \
            f"{name}: {raw!r} is not pinned to an exact version"
        package, version = requirement.split("==")
        pins[re.sub(r"[-_.]+", "-", package.split("[")[0]).lower()] = version
    return pins


def test_requirements_pin_the_whole_course_stack():
    pins = _pins("requirements.txt")
    for package in ("jupyter-book", "nbgrader", "papermill", "keras", "tensorflow-cpu",
                    "tensorflow", "matplotlib", "ipywidgets", "jupyter-cache",
                    "sphinxcontrib-bibtex", "dask", "distributed", "dask-jobqueue", "tqdm",
                    "rich", "playwright", "ruff", "pytest", "numpy", "pillow"):
        assert package in pins, f"{package} missing from requirements.txt"
    assert pins["jupyter-book"].startswith("1.")
    assert pins["keras"].startswith("3.")
    assert pins["tensorflow"] == pins["tensorflow-cpu"]


PLATFORMS = {  # (sys_platform, platform_machine) -> the TensorFlow wheel expected
    ("linux", "x86_64"): "tensorflow-cpu", ("linux", "aarch64"): "tensorflow",
    ("darwin", "arm64"): "tensorflow", ("win32", "AMD64"): "tensorflow",
    ("darwin", "x86_64"): None,  # no TensorFlow 2.21 wheel: JAX there (README)
}


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-student.txt"])
def test_tensorflow_markers_pick_one_wheel_per_platform(name):
    from packaging.requirements import Requirement

    requirements = [Requirement(line) for line in (ROOT / name).read_text().splitlines()
                    if line.startswith("tensorflow")]
    for (system, machine), expected in PLATFORMS.items():
        env = {"sys_platform": system, "platform_machine": machine}
        chosen = [r.name for r in requirements if r.marker.evaluate(env)]
        assert chosen == ([expected] if expected else []), (system, machine, chosen)


def test_student_set_is_a_subset_with_the_same_versions():
    full, student = _pins("requirements.txt"), _pins("requirements-student.txt")
    assert {"keras", "numpy", "matplotlib", "ipywidgets", "notebook"} <= set(student)
    assert "nbgrader" not in student and "jupyter-book" not in student
    disagree = {p: (v, full.get(p)) for p, v in student.items() if full.get(p) != v}
    assert not disagree, f"student pins differ from requirements.txt: {disagree}"


def test_gpu_variant_builds_on_the_full_stack():
    text = (ROOT / "requirements-gpu.txt").read_text()
    assert "-r requirements.txt" in text and "KERAS_BACKEND=jax" in text
    assert re.search(r"^jax\[cuda12\]==", text, flags=re.M)


def test_jax_cpu_pin_agrees_with_the_gpu_variant():
    pins = _pins("requirements.txt")
    gpu = re.search(r"^jax\[cuda12\]==(\S+)", (ROOT / "requirements-gpu.txt").read_text(),
                    flags=re.M)
    assert pins["jax"] == pins["jaxlib"] == gpu.group(1)


def test_pytest_markers_and_fast_default():
    pyproject = (ROOT / "pyproject.toml").read_text()
    for marker in ("slow:", "realdata:"):
        assert marker in pyproject
    assert "-m 'not slow'" in pyproject


def test_gitignore_covers_builds_and_caches():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in ("_build/", "__pycache__/", ".pytest_cache/", ".venv/", ".ipynb_checkpoints/"):
        assert entry in ignored


def test_book_config_builds_only_the_toc_and_caches_under_build():
    for config_file in ROOT.glob("_config*.yml"):
        config = yaml.safe_load(config_file.read_text())
        assert config["only_build_toc_files"] is True
        assert config["execute"]["execute_notebooks"] == "cache"
        assert config["execute"]["cache"] == "_build/.jupyter_cache"  # one, shared


def _tracked(pattern: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return out.stdout.split()


def test_committed_notebooks_are_clean():
    dirty = []
    for name in _tracked("*.ipynb"):
        notebook = json.loads((ROOT / name).read_text(encoding="utf-8"))
        if any(cell.get("outputs") or cell.get("execution_count")
               for cell in notebook["cells"] if cell["cell_type"] == "code"):
            dirty.append(name)
    assert not dirty, f"notebooks committed with outputs: {dirty}"


def test_no_large_files_committed():
    large = [name for name in _tracked("*") if (ROOT / name).is_file()
             and (ROOT / name).stat().st_size > 5 * 1024 * 1024]
    assert not large


def test_library_does_not_reach_up_into_other_layers():
    """cnnbook is the bottom layer: it never imports the book, grader or tests."""
    offenders = []
    for path in (ROOT / "cnnbook").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(from|import)\s+(autograder|book|tests|solutions)\b", text, re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_library_imports_from_any_folder(tmp_path):
    """Notebooks run in their own folder: the installed package must resolve there too."""
    import sys

    code = ("import cnnbook, cnnbook.data; "
            "print(cnnbook.__file__ is not None, hasattr(cnnbook, 'seed_everything'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_the_two_edition_configs_differ_only_in_language():
    """_config.el.yml is _config.yml in Greek: everything else must stay in step."""
    def neutral(name: str) -> dict:
        config = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        for key in ("title", "author"):
            config.pop(key)
        config["repository"].pop("path_to_book")
        config["sphinx"]["config"].pop("language")
        config["sphinx"]["config"].pop("html_context")
        config["sphinx"]["config"]["html_theme_options"].pop("search_bar_text")
        for key in INTERFACE_CONFIG_STRINGS:
            config["sphinx"]["config"].pop(key)
        return config

    assert neutral("_config.yml") == neutral("_config.el.yml")
    greek = yaml.safe_load((ROOT / "_config.el.yml").read_text(encoding="utf-8"))
    assert greek["sphinx"]["config"]["language"] == "el"
    assert greek["repository"]["path_to_book"] == "book/el"


INTERFACE_CONFIG_STRINGS = ("nb_code_prompt_show", "nb_code_prompt_hide", "togglebutton_hint",
                            "togglebutton_hint_hide")


def test_greek_edition_sets_the_interface_strings_that_are_config_values():
    """myst-nb's and sphinx-togglebutton's prompts are config values: Greek, in Greek."""
    greek = yaml.safe_load((ROOT / "_config.el.yml").read_text(encoding="utf-8"))
    for key in INTERFACE_CONFIG_STRINGS:
        value = greek["sphinx"]["config"][key]
        assert re.search("[α-ωΑ-Ω]", value) and not re.search("[A-Za-z]", value), (key, value)


def test_pages_workflow_checks_the_built_site_and_keeps_screenshots():
    """Each published build is driven in a browser, and its screenshots can be looked at."""
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())[
        "jobs"]["build"]["steps"]
    names = [step.get("run", "") + step.get("uses", "") for step in steps]
    build = next(i for i, text in enumerate(names) if "scripts/build_book.py --strict" in text)
    check = next(i for i, text in enumerate(names) if "tests/book/test_site.py" in text)
    upload = next(i for i, step in enumerate(steps)
                  if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert build < check < upload
    env = steps[check]["env"]
    assert env["BOOK_SITE"] == "_build/site" and env["CHROMIUM"]
    assert steps[upload]["with"]["path"] == env["SITE_SCREENSHOTS"]
    assert steps[upload]["if"] == "always()"  # a failing check still leaves its pictures
