"""grading.yml: every shipped file loads; each kind of mistake names the file and field."""

from __future__ import annotations

import shutil

import pytest
import yaml

from autograder.common import project
from autograder.common.assignment import load_assignment
from autograder.common.errors import UserError
from autograder.common.spec import PROFILES, load_spec


@pytest.mark.parametrize("name", project.assignment_names(project.SOLUTIONS))
def test_every_assignment_loads_and_matches_its_notebook(name):
    spec, _ = load_assignment(project.SOLUTIONS, name)
    assert set(PROFILES) <= set(spec.profiles)
    assert spec.total_points > 0


@pytest.fixture
def a2_copy(tmp_path):
    folder = tmp_path / "a2-cross-correlation"
    shutil.copytree(project.SOLUTIONS / "a2-cross-correlation", folder)
    return folder


def _edit(folder, change):
    path = folder / "grading.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("checks"), "checks is missing"),
    (lambda d: d.update(assignment="a9"), "assignment is 'a9' but the folder is"),
    (lambda d: d["profiles"].pop("gpu"), "profiles.gpu is missing"),
    (lambda d: d["limits"].update(memory_gb=-1), "limits.memory_gb must be positive"),
    (lambda d: d["limits"].update(memroy_gb=1), "limits.memroy_gb is not a known field"),
    (lambda d: d["checks"][0].update(kind="magic"), "checks[0].kind is 'magic'"),
    (lambda d: d["checks"][0].update(inputs="hidden/nope.npz"), "which does not exist"),
    (lambda d: d["checks"][1].update(cell="test_corr2d"), "score the cell 'test_corr2d' twice"),
    (lambda d: d["profiles"]["cpu"].update(parameters={"epochs": 1}), "UPPER_CASE"),
    (lambda d: d.update(data=["imagenet"]), "unknown dataset 'imagenet'"),
])
def test_mistakes_are_named(a2_copy, change, message):
    _edit(a2_copy, change)
    with pytest.raises(UserError, match=None) as error:
        load_spec(a2_copy)
    assert message in str(error.value) and "grading.yml" in str(error.value)


def test_profile_parameter_must_exist_in_the_notebook(a2_copy):
    _edit(a2_copy, lambda d: d["profiles"]["cpu"].update(parameters={"EPOCHS": 1}))
    with pytest.raises(UserError, match="profile cpu sets EPOCHS"):
        load_assignment(a2_copy.parent, a2_copy.name)


def test_not_yaml_is_one_line(a2_copy):
    (a2_copy / "grading.yml").write_text("checks: [\n")
    with pytest.raises(UserError, match="not valid YAML"):
        load_spec(a2_copy)
