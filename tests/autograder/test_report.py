"""`autograder report`: the plots, the summary's numbers (golden), one-line errors."""

from __future__ import annotations

import pytest

from autograder.cli import main
from autograder.records.workspace import open_workspace
from tests.autograder.test_export import A1, A2, make_course

PNG = b"\x89PNG\r\n\x1a\n"
# Scores 16, 13, 0, 3, 1 of 16; reasons (per part and per submission) and times from the four
# result.json files (s005 has none; s001 and s002 have timelines).
GOLDEN_SUMMARY = """\
a2-cross-correlation: Cross-correlation and pooling from scratch (NumPy)
submissions: 5 (1 error, 3 graded, 1 no result.json)
score out of 16: mean 6.60, median 3, min 0, max 16

pass rate per test (submissions with the cell's full points):
  test_corr2d                   2/5   40%  (2 points)
  test_output_size              3/5   60%  (2 points)
  test_conv_params              2/5   40%  (1 point)
  test_conv2d                   1/5   20%  (3 points)
  test_max_pool2d               2/5   40%  (1 point)
  test_avg_pool2d               2/5   40%  (1 point)
  test_keras_conv2d             2/5   40%  (1 point)
  test_apply_kernel             3/5   60%  (1 point)
  test_conv2d_backward_input    2/5   40%  (2 points)
  test_conv2d_backward_weights  2/5   40%  (2 points)

why points were lost (the 3 commonest reasons per test):
  test_corr2d                   1  hidden case 2 of 4: wrong values
  test_corr2d                   1  the test cell never ran (the notebook stopped before it)
  test_output_size              1  the test cell never ran (the notebook stopped before it)
  test_conv_params              2  the test cell never ran (the notebook stopped before it)
  test_conv2d                   3  the test cell never ran (the notebook stopped before it)
  test_max_pool2d               2  the test cell never ran (the notebook stopped before it)
  test_avg_pool2d               2  the test cell never ran (the notebook stopped before it)
  test_keras_conv2d             2  the test cell never ran (the notebook stopped before it)
  test_apply_kernel             2  the test cell never ran (the notebook stopped before it)
  test_conv2d_backward_input    2  the test cell never ran (the notebook stopped before it)
  test_conv2d_backward_weights  2  the test cell never ran (the notebook stopped before it)

failure reasons:
  2  timeout in cell 7
  1  out of memory

where the time went (seconds per submission, median and 90th percentile, 2 timelines):
  prepare             0.23     0.25
  sandbox_start       0.88     1.00
  kernel_start        0.38     0.50
  sandbox_stop        0.38     0.50
  record              0.20     0.25
  grader overhead     2.05     2.50
  notebook cells     33.00    58.00
  slowest cells (median): corr2d 32.25, setup 0.75

slowest submissions:
  s002     60.5 s  timeout in cell 7
  s004     59.0 s  timeout in cell 7
  s001     10.0 s
  s003      3.2 s  out of memory
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("report") / "course")


def report(course, output, assignment=A2):
    return main(["report", assignment, "-o", str(output), "--course", str(course.root)])


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("autograder report: error: "), err
    return err


def test_report_writes_plots_and_the_summary(course, tmp_path, capsys):
    output = tmp_path / "reports" / "a2"  # made, parents and all
    assert report(course, output) == 0
    assert sorted(p.name for p in output.iterdir()) == ["pass_rate.png", "scores.png",
                                                        "summary.txt"]
    for name in ("scores.png", "pass_rate.png"):
        data = (output / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 5000
    assert (output / "summary.txt").read_text(encoding="utf-8") == GOLDEN_SUMMARY
    assert capsys.readouterr().out.startswith(GOLDEN_SUMMARY)  # also printed


def test_manual_grades_in_the_gradebook_count(course, tmp_path):
    """The gradebook, not result.json, has the last word on scores (formgrader edits)."""
    from autograder.records.gradebook import gradebook

    with gradebook(course) as book:
        grade = book.find_grade("test_conv2d", A2, A2, "s002")
        grade.manual_score = 3.0
        book.db.commit()
    try:
        assert report(course, tmp_path) == 0
        text = (tmp_path / "summary.txt").read_text(encoding="utf-8")
        assert "mean 7.20, median 3, min 0, max 16" in text
        assert "test_conv2d                   2/5   40%" in text
    finally:
        with gradebook(course) as book:
            book.find_grade("test_conv2d", A2, A2, "s002").manual_score = None
            book.db.commit()


def test_a_failed_report_leaves_no_file(course, tmp_path, monkeypatch):
    from autograder import report as report_module

    def broken(data, path):
        path.write_bytes(b"half a plot")
        raise RuntimeError("matplotlib broke")

    monkeypatch.setattr(report_module, "plot_pass_rate", broken)
    (tmp_path / "summary.txt").write_text("last week's\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        report(course, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["summary.txt"]
    assert (tmp_path / "summary.txt").read_text(encoding="utf-8") == "last week's\n"


# --- bad input: one line, exit 2 -------------------------------------------------------------

def test_no_workspace(tmp_path, capsys):
    assert main(["report", A2, "-o", str(tmp_path / "out"), "--course",
                 str(tmp_path / "nowhere")]) == 2
    assert "is not a grading workspace" in one_line_error(capsys)


def test_unknown_assignment(course, tmp_path, capsys):
    assert report(course, tmp_path / "out", "a9-nothing") == 2
    assert "unknown assignment 'a9-nothing'" in one_line_error(capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("assignment", [A1, "a3-mnist-cnn"])  # recorded / only in the sources
def test_no_graded_submissions(course, tmp_path, capsys, assignment):
    assert report(course, tmp_path / "out", assignment) == 2
    assert f"no graded submissions of {assignment}" in one_line_error(capsys)


def test_no_gradebook(tmp_path, capsys):
    empty = open_workspace(tmp_path / "empty", create=True)
    assert report(empty, tmp_path / "out") == 2
    assert "no gradebook" in one_line_error(capsys)


def test_output_is_a_file(course, tmp_path, capsys):
    (tmp_path / "out").write_text("", encoding="utf-8")
    assert report(course, tmp_path / "out") == 2
    assert "is a file" in one_line_error(capsys)


def test_refuses_to_write_into_the_evidence(course, capsys):
    assert report(course, course.root / "submitted" / "s001" / "report") == 2
    assert "refusing to write" in one_line_error(capsys)
    assert not (course.root / "submitted").exists()
