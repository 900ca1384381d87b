"""Every public address of the course follows from `repository.url` (cnnbook.links)."""

from __future__ import annotations

import importlib.util

import pytest

from cnnbook import __version__
from cnnbook.links import (
    PLACEHOLDER_URL,
    course_links,
    is_placeholder,
    links_from_config,
    wheel_name,
)
from tests.conftest import ROOT


def test_a_fork_gets_its_own_site_wheel_colab_binder_pip_and_clone():
    links = course_links("https://github.com/uoa-di/cnn-2027", version="1.2.0", branch="spring")
    assert links.repository == "https://github.com/uoa-di/cnn-2027"
    assert links.site == "https://uoa-di.github.io/cnn-2027/"
    assert links.wheel_url == "https://uoa-di.github.io/cnn-2027/cnnbook-1.2.0-py3-none-any.whl"
    assert links.pip_install_wheel == f"pip install {links.wheel_url}"
    assert links.pip_install_git == "pip install git+https://github.com/uoa-di/cnn-2027.git"
    assert links.clone == "git clone https://github.com/uoa-di/cnn-2027.git"
    assert links.colab("el", "a3-mnist-cnn") == (
        "https://colab.research.google.com/github/uoa-di/cnn-2027/blob/spring/"
        "exercises/el/a3-mnist-cnn/a3-mnist-cnn.ipynb")
    assert links.binder("en", "a1-images-as-arrays") == (
        "https://mybinder.org/v2/gh/uoa-di/cnn-2027/spring?urlpath="
        "lab%2Ftree%2Fexercises%2Fen%2Fa1-images-as-arrays%2Fa1-images-as-arrays.ipynb")


@pytest.mark.parametrize("url", ["https://github.com/Me/course.git", "https://github.com/Me/course/"])
def test_trailing_git_or_slash_names_the_same_repository(url):
    assert course_links(url, "0.1.0").repository == "https://github.com/Me/course"
    assert course_links(url, "0.1.0").site == "https://me.github.io/course/"


def test_a_user_site_repository_is_served_at_the_root():
    assert course_links("https://github.com/me/me.github.io", "0.1.0").site == (
        "https://me.github.io/")


@pytest.mark.parametrize("url", ["https://gitlab.com/me/course", "github.com/me/course",
                                 "https://github.com/me"])
def test_anything_but_a_github_repository_is_refused(url):
    with pytest.raises(ValueError, match=r"repository\.url"):
        course_links(url, "0.1.0")


def test_both_configs_derive_the_same_links_from_the_setting():
    english, greek = (links_from_config(ROOT / name) for name in ("_config.yml", "_config.el.yml"))
    assert english == greek
    assert english.version == __version__
    assert english.wheel_url.endswith("/" + wheel_name(__version__))


def test_the_placeholder_is_recognised():
    assert is_placeholder(PLACEHOLDER_URL) and is_placeholder(PLACEHOLDER_URL + ".git")
    assert not is_placeholder("https://github.com/uoa-di/cnn-2027")


def _build_book_module():
    spec = importlib.util.spec_from_file_location("build_book", ROOT / "scripts" / "build_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_warns_while_the_placeholder_is_set(capsys, monkeypatch, tmp_path):
    build_book = _build_book_module()
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert PLACEHOLDER_URL in config  # this repository is the template
    build_book.warn_if_placeholder_repository()
    assert "repository.url" in capsys.readouterr().err

    fork = tmp_path / "_config.yml"
    fork.write_text(config.replace(PLACEHOLDER_URL, "https://github.com/uoa-di/cnn-2027"),
                    encoding="utf-8")
    monkeypatch.setattr(build_book, "config_for", lambda lang: fork)
    build_book.warn_if_placeholder_repository()
    assert capsys.readouterr().err == ""


def test_pyproject_takes_its_version_from_the_library():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" in project["dynamic"] and "version" not in project
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "dynamic"]["version"] == {"attr": "cnnbook.__version__"}


def test_the_build_publishes_the_wheel_at_the_sites_root(tmp_path):
    build_book = _build_book_module()
    site = tmp_path / "site"
    site.mkdir()
    wheel = tmp_path / wheel_name(__version__)
    wheel.write_bytes(b"PK")
    build_book.publish_wheel(wheel, site)
    assert (site / wheel.name).read_bytes() == b"PK"
    assert links_from_config(ROOT / "_config.yml").wheel_url.endswith("/" + wheel.name)

    stale = tmp_path / "cnnbook-0.0.1-py3-none-any.whl"
    stale.write_bytes(b"PK")
    with pytest.raises(SystemExit, match="--wheel must be"):
        build_book.publish_wheel(stale, site)


def test_the_pages_workflow_builds_and_publishes_the_wheel():
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text()
    assert "pip wheel --no-deps" in workflow
    assert "scripts/build_book.py --strict --wheel" in workflow
