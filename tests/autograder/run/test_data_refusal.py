"""Grading never uses the bundled sample unless asked: without the full data, grade refuses.

The reference solution of A3 scores 3/7 on the sample (accuracy 0.82 against a
target of 0.93), so a batch graded there would record wrong grades.
"""

from __future__ import annotations

import pytest

from autograder.cli import main
from autograder.common import project
from autograder.scoring import heldout

A3 = "a3-mnist-cnn"


def collected(tmp_path, capsys):
    submissions = tmp_path / "in" / "s001"
    submissions.mkdir(parents=True)
    notebook = project.EXERCISES / "en" / A3 / f"{A3}.ipynb"
    (submissions / notebook.name).write_bytes(notebook.read_bytes())
    course = tmp_path / "course"
    assert main(["collect", A3, str(tmp_path / "in"), "--course", str(course)]) == 0
    capsys.readouterr()
    return course


def test_grade_refuses_without_the_full_data_and_records_nothing(
        tmp_path, capsys, no_data_anywhere):
    course = collected(tmp_path, capsys)
    before = sorted(p.relative_to(course) for p in course.rglob("*"))
    assert main(["grade", A3, "--course", str(course)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "no full MNIST" in err[0] and "looked in" in err[0]
    assert "python -m cnnbook data prepare --dest DIR" in err[0]
    assert "--allow-sample" in err[0]
    assert sorted(p.relative_to(course) for p in course.rglob("*")) == before
    assert not (course / "gradebook.db").exists()


def test_missing_full_data_names_each_dataset(no_data_anywhere):
    missing = heldout.missing_full_data(("mnist", "cifar10"), None)
    assert [line.split(" (")[0] for line in missing] == ["no full MNIST", "no full CIFAR-10"]


def test_staged_full_data_is_enough(tmp_path, no_data_anywhere):
    from cnnbook.data import formats, specs

    spec = specs.get_spec("mnist")
    folder = tmp_path / "data"
    folder.mkdir()
    import numpy as np

    formats.write_npz(folder / spec.canonical,
                      x_train=np.zeros((60000, 28, 28), np.uint8),
                      y_train=np.zeros(60000, np.uint8),
                      x_test=np.zeros((10000, 28, 28), np.uint8),
                      y_test=np.zeros(10000, np.uint8))
    assert heldout.missing_full_data(("mnist",), str(folder)) == []


@pytest.mark.parametrize("flag", [["--allow-sample"]])
def test_allow_sample_is_a_grade_option(flag):
    from autograder.cli import build_parser

    args = build_parser().parse_args(["grade", A3, *flag])
    assert args.allow_sample is True
