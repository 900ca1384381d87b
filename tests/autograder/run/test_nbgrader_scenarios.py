"""Every autograde scenario of nbgrader's own test suite, graded here (issue 16).

nbgrader 0.9.6's `nbgrader/tests/apps/test_nbgrader_autograde.py`, test by
test, with its notebooks from `nbgrader/tests/apps/files/`. Each ported test
runs the grader as a user would (`autograder collect … --source …`, then
`autograder grade`), reads the scores back from the workspace's `gradebook.db`
with nbgrader's own `Gradebook` API (what formgrader reads) and runs
`nbgrader export` in the workspace. "same" means the score or outcome
nbgrader's test asserts; "better" and "differs" are documented in the README.
Tests named `test_notebooks::…` live in `test_notebooks.py`, whose helpers
this file imports; the others are below.

ours: L test_late_submissions_follow_the_course_s_due_date_and_plugin,
H test_hidden_tests_autotests_and_what_the_kernel_sees,
D test_data_files_regrades_and_failures (below); N1
test_notebooks.py::test_nbgrader_s_autograde_scenarios_score_as_its_tests_assert,
N2 test_notebooks.py::test_course_settings_relative_files_and_timeouts.

nbgrader's test (test_…)           ours  outcome
 help                              -     n/a: nbgrader's CLI help (`autograder grade --help` is
                                         argparse's)
 missing_student                   L     same: students are created as their work is recorded
                                         (`Autograde.create_student=False` is a CLI switch: n/a)
 missing_assignment                L     same: `grade ps2` fails (exit 2, nothing recorded)
 grade                             N1    same: unchanged 1/7, changed 2/7 + hand grading, "No
                                         response." comments
 grade_autotest                    H     same: 0 and 1 of 1 (the course-root autotests.yml)
 grade_hashed_autotest             H     same: 0 and 1 of 1
 grade_complex_autotest            H     same: 0 and 3 of 4
 showtraceback_exploit             N1    same: both cheats 1/7 (nbgrader's Execute records the
                                         hidden error)
 student_id_exclude                -     n/a: a CLI switch; `grade --student` picks students
 grade_timestamp                   L     same: seconds late from timestamp.txt and the due date
 grade_empty_timestamp             L     empty: same (on time); unreadable: differs, on time and the
                                         batch goes on (nbgrader: the batch fails)
 late_submission_penalty_none      L     same: no penalty, late or not
 late_submission_penalty_zero      L     same: penalty = score; issue 723 better: a corrected
                                         timestamp is regraded without `--force`
 late_submission_penalty_plugin    L     same: `AssignLatePenalties.plugin_class` from a module in
                                         the course root, a point an hour, capped at the score; a
                                         plugin that cannot load stops the batch before grading
 force, force_f                    D     same files (source data copied, `blah.pyc` never, stale
                                         ones gone on `--force`); `-f` is not offered, `--force` is
 filter_notebook                   -     n/a: no `--notebook`; a submission's notebooks run together
                                         in one sandbox
 grade_overwrite_files(_subdirs)   D     differs: the source's data files win, as in nbgrader, but
                                         `Autograde.exclude_overwriting` is not honoured: no file of
                                         the student's but the notebooks reaches the sandbox
                                         (collect refuses them)
 side_effects                      H     better: the file the notebook writes stays in the sandbox
                                         (nbgrader leaves it in autograded/)
 skip_extra_notebooks              H     same: "p1 copy.ipynb" is not graded
 permissions, custom_permissions   -     n/a: nbgrader's file modes for shared servers; the
                                         workspace is the grader's
 force_single_notebook, update_newer_single_notebook
                                         n/a: `--notebook`
 update_newer                      D     same: a newer submission is regraded without `--force`
 hidden_tests_single_notebook      H     same: 1.5 of 3; the hidden tests are back in the autograded
                                         notebook
 hidden_tests_autotest             H     same: 0, 0 and 1
 handle_failure(_single_notebook)  D     better: the notebook nbgrader fails on is refused at
                                         collect, with why; the rest is graded (nbgrader: the
                                         student's whole submission fails)
 missing_source_kernelspec         H     better: both graded on Python (nbgrader fails the "blarg"
                                         one: a student could dodge grading)
 incorrect_source_kernelspec       H     same: nothing graded, and the reason given (a non-Python
                                         source)
 incorrect_submitted_kernelspec    H     same: graded with the source's kernel
 no_execute                        -     n/a: `--no-execute`; every notebook here is executed
 many_students                     -     n/a: skipped by nbgrader too (PostgreSQL); 30 students are
                                         benchmarked
 infinite_loop                     L     same: interrupted at `Execute.timeout = 1`, graded; better:
                                         the reason names the cell
 infinite_loop_with_output         -     not ported: skipped by nbgrader too; bounded here by the
                                         cell timeout, LimitOutput and the sandbox's memory limit
 missing_files                     H     same: an empty folder is no submission
 grade_missing_notebook            H     same: the missing notebook scores 0, nothing to grade by
                                         hand
 grade_with_validating_envvar      H     same: 0 (`NBGRADER_EXECUTION=autograde` in the kernel)
 autograde_timeout                 N2    same: 0 at the course's `Execute.timeout = 2`

The kernelspec and handle_failure scenarios use a notebook with one passing
test cell where nbgrader's have no cells: collect refuses a notebook without
cells (nothing to grade) and tells assignments apart by their grade IDs.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nbformat

from autograder.cli import main
from tests.autograder.run.test_notebooks import (
    FILES,
    nbgrader_command,
    notebook_scores,
)

DUE = "2015-02-02 14:58:23.948203 America/Los_Angeles"  # nbgrader's tests' due date
ON_TIME, ONE_HOUR_LATE, FOUR_HOURS_LATE = (
    DUE, "2015-02-02 15:58:23.948203 America/Los_Angeles",
    "2015-02-02 18:58:23.948203 America/Los_Angeles")
LATE_PLUGIN = '''\
from nbgrader.plugins import BasePlugin

class Blarg(BasePlugin):
    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return int(total_seconds_late / 3600)  # a point an hour, as nbgrader's test_late_...
'''

def empty_notebook(path: Path, kernel: str | None = None) -> None:
    """nbgrader's BaseTestApp._empty_notebook: no cells, the kernelspec named `kernel`."""
    notebook = nbformat.v4.new_notebook()
    if kernel is not None:
        notebook.metadata.kernelspec = {"display_name": "kernel", "language": kernel,
                                        "name": kernel}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)

def put(course: Path, where: str, name: str, target: str = "p1.ipynb",
        timestamp: str | None = None) -> None:
    """nbgrader's `files/<name>` at `course/<where>/<target>` (and a timestamp.txt)."""
    folder = course / where
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FILES / name, folder / target)
    if timestamp is not None:
        (folder / "timestamp.txt").write_text(timestamp, encoding="utf-8")

def set_due_date(course: Path, assignment: str, due: str = DUE) -> None:
    """As `nbgrader db assignment add <a> --duedate …` records it in the course's gradebook."""
    from nbgrader.api import Gradebook

    from autograder.records.workspace import alembic_on_path

    alembic_on_path()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        book.update_or_create_assignment(assignment, duedate=due)

def collect_and_grade(course: Path, assignment: str, workspace: Path, *extra: str) -> int:
    assert main(["collect", assignment, str(course / "submitted"), "--source",
                 str(course / "source"), "--course", str(workspace)]) == 0
    return main(["grade", assignment, "--course", str(workspace), "--no-preflight", *extra])

def submissions(workspace: Path, assignment: str) -> dict[str, tuple]:
    """student → (raw score, late seconds, late penalty of the first notebook), from the
    gradebook formgrader reads."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as book:
        return {submission.student.id: (submission.score, submission.total_seconds_late,
                                        submission.notebooks[0].late_submission_penalty)
                for submission in book.find_assignment(assignment).submissions}

def exported(workspace: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(assignment, student) → the row `nbgrader export` writes to grades.csv."""
    nbgrader_command("export", cwd=workspace)
    with (workspace / "grades.csv").open(encoding="utf-8") as handle:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(handle)}

def grade_assignment(course: Path, assignment: str, workspace: Path, *extra: str) -> int:
    """`autograder collect` then `autograder grade` of one assignment, as a user runs them."""
    assert main(["collect", assignment, str(course / "submitted"), "--source",
                 str(course / "source"), "--course", str(workspace)]) == 0
    return main(["grade", assignment, "--course", str(workspace), "--no-preflight", *extra])

def result_of(workspace: Path, student: str, assignment: str) -> dict:
    return json.loads((workspace / "autograded" / student / assignment / "result.json")
                      .read_text())

def test_late_submissions_follow_the_course_s_due_date_and_plugin(tmp_path, capsys):
    """test_grade_timestamp, test_late_submission_penalty_{none,zero,plugin} (with issue 723),
    test_infinite_loop, test_missing_student and test_missing_assignment."""
    course = tmp_path / "course"
    config = course / "nbgrader_config.py"
    course.mkdir()
    put(course, "source/late", "submitted-unchanged.ipynb")
    put(course, "submitted/foo/late", "submitted-unchanged.ipynb", timestamp=ON_TIME)
    put(course, "submitted/bar/late", "submitted-changed.ipynb", timestamp=ONE_HOUR_LATE)
    put(course, "submitted/baz/late", "submitted-unchanged.ipynb", timestamp=FOUR_HOURS_LATE)
    put(course, "submitted/empty/late", "submitted-unchanged.ipynb", timestamp="")
    put(course, "submitted/garbage/late", "submitted-changed.ipynb",
        timestamp="But I want to be a timestamp string :(")
    put(course, "source/loop", "infinite-loop.ipynb")
    put(course, "submitted/foo/loop", "infinite-loop.ipynb")
    (course / "late_plugin.py").write_text(LATE_PLUGIN, encoding="utf-8")
    set_due_date(course, "late")  # in the course's own gradebook, where nbgrader keeps it
    workspace = tmp_path / "ws"

    config.write_text("c = get_config()\nc.Execute.timeout = 1\n", encoding="utf-8")
    assert grade_assignment(course, "loop", workspace) == 0  # interrupted after 1 s, graded
    assert notebook_scores(workspace, "loop") == {("foo", "p1"): (0.0, False)}
    assert "timeout in cell 1" in result_of(workspace, "foo", "loop")["reason"]

    assert grade_assignment(course, "late", workspace) == 0  # penalty_method 'none'
    assert submissions(workspace, "late") == {
        "foo": (1.0, 0, None), "bar": (2.0, 3600.0, None), "baz": (1.0, 4 * 3600.0, None),
        "empty": (1.0, 0, None), "garbage": (2.0, 0, None)}

    config.write_text("c = get_config()\nc.LateSubmissionPlugin.penalty_method = 'zero'\n",
                      encoding="utf-8")
    assert main(["grade", "late", "--course", str(workspace), "--no-preflight", "--force"]) == 0
    assert submissions(workspace, "late") == {  # no timestamp of their own: on time
        "foo": (1.0, 0, None), "bar": (2.0, 3600.0, 2.0), "baz": (1.0, 4 * 3600.0, 1.0),
        "empty": (1.0, 0, None), "garbage": (2.0, 0, None)}
    rows = exported(workspace)
    assert rows[("late", "bar")]["raw_score"] == "2.0"
    assert rows[("late", "bar")]["late_submission_penalty"] == "2.0"
    assert rows[("late", "bar")]["score"] == "0.0"
    assert rows[("late", "bar")]["duedate"] == "2015-02-02 22:58:23.948203"

    # issue 723: a corrected timestamp is regraded without --force, and the penalty goes
    (workspace / "submitted" / "bar" / "late" / "timestamp.txt").write_text(ON_TIME)
    capsys.readouterr()
    assert main(["grade", "late", "--course", str(workspace), "--no-preflight"]) == 0
    assert "5 submissions, 1 to grade" in capsys.readouterr().out
    assert submissions(workspace, "late")["bar"] == (2.0, 0, None)

    config.write_text("c = get_config()\n"
                      "c.AssignLatePenalties.plugin_class = 'late_plugin.Blarg'\n",
                      encoding="utf-8")
    (workspace / "submitted" / "bar" / "late" / "timestamp.txt").write_text(ONE_HOUR_LATE)
    assert main(["grade", "late", "--course", str(workspace), "--no-preflight", "--force"]) == 0
    assert submissions(workspace, "late") == {  # a point an hour, at most the score
        "foo": (1.0, 0, None), "bar": (2.0, 3600.0, 1.0), "baz": (1.0, 4 * 3600.0, 1.0),
        "empty": (1.0, 0, None), "garbage": (2.0, 0, None)}

    config.write_text("c = get_config()\n"
                      "c.AssignLatePenalties.plugin_class = 'no_such_plugin.Blarg'\n",
                      encoding="utf-8")
    capsys.readouterr()
    assert main(["grade", "late", "--course", str(workspace), "--no-preflight", "--force"]) == 2
    assert "late-submission plugin cannot be loaded" in capsys.readouterr().err

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as book:  # made as they came
        assert sorted(student.id for student in book.students) == [
            "bar", "baz", "empty", "foo", "garbage"]
    assert main(["grade", "ps2", "--course", str(workspace)]) == 2  # test_missing_assignment


def one_cell_notebook(path: Path, kernel: str | None = None) -> None:
    """nbgrader's `_empty_notebook`, with one cell, a test worth 1 point that passes: collect
    refuses a notebook without cells, and tells assignments apart by their grade IDs."""
    empty_notebook(path, kernel)
    notebook = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_code_cell("assert True")
    cell.metadata.nbgrader = {"grade_id": path.parent.name,  # the assignment's name
                              "grade": True, "solution": False, "locked": True, "points": 1,
                              "schema_version": 3}
    notebook.cells.append(cell)
    nbformat.write(notebook, path)


def test_hidden_tests_autotests_and_what_the_kernel_sees(tmp_path, capsys):
    """test_hidden_tests_single_notebook, test_grade_{,hashed_,complex_}autotest,
    test_hidden_tests_autotest, test_grade_with_validating_envvar, test_side_effects,
    test_skip_extra_notebooks, test_missing_files, test_grade_missing_notebook and the
    three kernelspec tests."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(  # the stub nbgrader's hidden-test tests use
        "c = get_config()\nc.ClearSolutions.code_stub = dict(python='# YOUR CODE HERE')\n",
        encoding="utf-8")
    shutil.copyfile(FILES / "autotests.yml", course / "autotests.yml")  # course-wide
    put(course, "source/hidden", "test-hidden-tests.ipynb")
    nbgrader_command("generate_assignment", "hidden", "--no-db", cwd=course)
    release = course / "release" / "hidden" / "p1.ipynb"
    assert "BEGIN HIDDEN TESTS" not in release.read_text()
    (course / "submitted" / "foo" / "hidden").mkdir(parents=True)
    shutil.copyfile(release, course / "submitted" / "foo" / "hidden" / "p1.ipynb")
    expected = {"hidden": {"foo": 1.5}}
    for kind, changed in (("simple", 1.0), ("hashed", 1.0), ("multi", 3.0)):
        put(course, f"source/auto{kind}", f"autotest-{kind}.ipynb")
        put(course, f"submitted/foo/auto{kind}", f"autotest-{kind}-unchanged.ipynb")
        put(course, f"submitted/bar/auto{kind}", f"autotest-{kind}-changed.ipynb")
        expected[f"auto{kind}"] = {"foo": 0.0, "bar": changed}
    put(course, "source/autohidden", "autotest-hidden.ipynb")
    put(course, "submitted/foo/autohidden", "autotest-hidden-unchanged.ipynb")
    put(course, "submitted/bar/autohidden", "autotest-hidden-changed-wrong.ipynb")
    put(course, "submitted/baz/autohidden", "autotest-hidden-changed-right.ipynb")
    expected["autohidden"] = {"foo": 0.0, "bar": 0.0, "baz": 1.0}
    put(course, "source/envvar", "validating-environment-variable.ipynb")
    put(course, "submitted/foo/envvar", "validating-environment-variable.ipynb")
    expected["envvar"] = {"foo": 0.0}
    put(course, "source/effects", "side-effects.ipynb")
    put(course, "submitted/foo/effects", "side-effects.ipynb")
    expected["effects"] = {"foo": 0.0}
    put(course, "source/extra", "submitted-unchanged.ipynb")
    put(course, "submitted/foo/extra", "submitted-changed.ipynb")
    put(course, "submitted/foo/extra", "submitted-unchanged.ipynb", target="p1 copy.ipynb")
    (course / "submitted" / "bar" / "extra").mkdir(parents=True)  # test_missing_files
    expected["extra"] = {"foo": 2.0}
    put(course, "source/missing", "submitted-unchanged.ipynb")
    put(course, "source/missing", "submitted-unchanged.ipynb", target="p2.ipynb")
    put(course, "submitted/foo/missing", "submitted-changed.ipynb")
    expected["missing"] = {"foo": 2.0}
    one_cell_notebook(course / "source" / "nospec" / "p1.ipynb")
    one_cell_notebook(course / "submitted" / "foo" / "nospec" / "p1.ipynb", kernel="python")
    one_cell_notebook(course / "submitted" / "bar" / "nospec" / "p1.ipynb", kernel="blarg")
    expected["nospec"] = {"foo": 1.0, "bar": 1.0}
    one_cell_notebook(course / "source" / "pyspec" / "p1.ipynb", kernel="python")
    one_cell_notebook(course / "submitted" / "foo" / "pyspec" / "p1.ipynb", kernel="blah")
    expected["pyspec"] = {"foo": 1.0}
    one_cell_notebook(course / "source" / "blahspec" / "p1.ipynb", kernel="blah")
    one_cell_notebook(course / "submitted" / "foo" / "blahspec" / "p1.ipynb", kernel="python")

    workspace = tmp_path / "ws"
    for assignment, scores in expected.items():
        assert grade_assignment(course, assignment, workspace) == 0, assignment
        recorded = {student: score for (student, notebook), (score, _)
                    in notebook_scores(workspace, assignment).items() if notebook == "p1"}
        assert recorded == scores, assignment
    capsys.readouterr()
    assert grade_assignment(course, "blahspec", workspace) == 2  # nbgrader: fails too
    assert "written for a blah kernel" in capsys.readouterr().err

    autograded = workspace / "autograded"
    assert "BEGIN HIDDEN TESTS" in (autograded / "foo" / "hidden" / "p1.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" in (autograded / "baz" / "autohidden" / "p1.ipynb").read_text()
    # the side effect stays in the sandbox: neither submitted/ nor autograded/ gets it
    assert not (workspace / "submitted" / "foo" / "effects" / "side-effect.txt").exists()
    assert not (autograded / "foo" / "effects" / "side-effect.txt").exists()
    assert not (autograded / "bar" / "extra").exists()  # an empty folder is no submission
    assert sorted(path.name for path in (autograded / "foo" / "extra").glob("*.ipynb")) == [
        "p1.ipynb"]  # "p1 copy.ipynb" is not one of the assignment's notebooks
    assert notebook_scores(workspace, "missing")[("foo", "p2")] == (0.0, False)

    rows = exported(workspace)  # nbgrader's own export reads every one of them
    for assignment, scores in expected.items():
        for student, score in scores.items():
            assert float(rows[(assignment, student)]["raw_score"]) == score, (assignment,
                                                                               student)


def test_data_files_regrades_and_failures(tmp_path, capsys):
    """test_force and test_force_f, test_grade_overwrite_files, test_update_newer,
    test_handle_failure, and the edited locked and grade cells."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.Autograde.exclude_overwriting = {'files': ['helper.py']}\n",
        encoding="utf-8")
    source = course / "source" / "files"
    put(course, "source/files", "submitted-unchanged.ipynb")
    (source / "data").mkdir()
    (source / "foo.txt").write_text("foo")
    (source / "data" / "bar.txt").write_text("bar")
    (source / "helper.py").write_text("print('hello!')\n")
    put(course, "submitted/foo/files", "submitted-unchanged.ipynb", timestamp=ON_TIME)
    for name, text in (("foo.txt", "foo"), ("blah.pyc", "asdf"),
                       ("helper.py", "print('this is different!')\n")):
        (course / "submitted" / "foo" / "files" / name).write_text(text)
    put(course, "submitted/locked/files", "submitted-locked-cell-changed.ipynb")
    put(course, "submitted/graded/files", "submitted-grade-cell-changed.ipynb")
    workspace = tmp_path / "ws"
    assert grade_assignment(course, "files", workspace) == 0
    foo = workspace / "autograded" / "foo" / "files"
    assert sorted(p.relative_to(foo).as_posix() for p in foo.rglob("*") if p.is_file()) == [
        "data/bar.txt", "foo.txt", "helper.py", "p1.ipynb", "result.json", "timestamp.txt"]
    assert (foo / "timestamp.txt").read_text() != ""
    # nbgrader keeps the student's helper.py (exclude_overwriting); here no file of the
    # student's but the notebooks reaches the sandbox: the source's helper.py runs
    assert (foo / "helper.py").read_text() == "print('hello!')\n"
    scores = notebook_scores(workspace, "files")
    assert scores[("foo", "p1")] == (1.0, False)
    # a changed locked or grade cell is restored from the source before the run
    for student in ("locked", "graded"):
        executed = nbformat.read(workspace / "autograded" / student / "files" / "p1.ipynb",
                                 as_version=4)
        restored = {cell.metadata.nbgrader["grade_id"]: cell.source
                    for cell in executed.cells if cell.metadata.get("nbgrader", {}).get(
                        "locked")}
        original = {cell.metadata.nbgrader["grade_id"]: cell.source
                    for cell in nbformat.read(source / "p1.ipynb", as_version=4).cells
                    if cell.metadata.get("nbgrader", {}).get("locked")}
        assert restored == original, student
        assert scores[(student, "p1")] == (1.0, False), student

    (foo / "foo.txt").unlink()
    capsys.readouterr()
    assert main(["grade", "files", "--course", str(workspace), "--no-preflight"]) == 0
    assert "3 submissions, 0 to grade" in capsys.readouterr().out  # graded already
    assert not (foo / "foo.txt").exists()
    assert main(["grade", "files", "--course", str(workspace), "--no-preflight", "--force"]) == 0
    assert (foo / "foo.txt").read_text() == "foo"  # --force writes everything again
    (source / "foo.txt").unlink()
    assert main(["grade", "files", "--course", str(workspace), "--no-preflight",
                 "--force"]) == 0
    assert not (foo / "foo.txt").exists() and (foo / "data" / "bar.txt").is_file()

    # test_update_newer: a newer submission is regraded without --force
    put(workspace, "submitted/foo/files", "submitted-changed.ipynb", timestamp=ONE_HOUR_LATE)
    capsys.readouterr()
    assert main(["grade", "files", "--course", str(workspace), "--no-preflight"]) == 0
    assert "3 submissions, 1 to grade" in capsys.readouterr().out
    assert notebook_scores(workspace, "files")[("foo", "p1")] == (2.0, True)
    assert (foo / "timestamp.txt").read_text() == ONE_HOUR_LATE

    # test_handle_failure: a notebook that is not the assignment's is refused at collect,
    # with its reason; the rest of the submission and the batch are graded
    one_cell_notebook(course / "source" / "two" / "p1.ipynb")
    one_cell_notebook(course / "source" / "two" / "p2.ipynb")
    one_cell_notebook(course / "submitted" / "bar" / "two" / "p1.ipynb")
    put(course, "submitted/bar/two", "test.ipynb", target="p2.ipynb")
    one_cell_notebook(course / "submitted" / "foo" / "two" / "p1.ipynb")
    one_cell_notebook(course / "submitted" / "foo" / "two" / "p2.ipynb")
    capsys.readouterr()
    assert grade_assignment(course, "two", workspace) == 0
    out = capsys.readouterr().out
    assert "rejected bar: bar/two/p2.ipynb: wrong assignment" in out
    assert "notebook p2 was not submitted" in result_of(workspace, "bar", "two")["reason"]
    assert notebook_scores(workspace, "two") == {
        ("bar", "p1"): (1.0, False), ("bar", "p2"): (0.0, False),
        ("foo", "p1"): (1.0, False), ("foo", "p2"): (1.0, False)}
    rows = exported(workspace)
    assert float(rows[("files", "foo")]["raw_score"]) == 2.0
    assert (rows[("two", "bar")]["raw_score"], rows[("two", "foo")]["raw_score"]) == (
        "1.0", "2.0")
