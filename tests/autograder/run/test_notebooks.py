"""Any nbgrader course, graded as `nbgrader autograde` grades it (issue 16).

The courses come from the pinned nbgrader package itself: its documentation
course (`ps1`: notebooks problem1 and problem2, the data file jupyter.png,
students bitdiddle and hacker) and the notebooks of its own autograde tests
(`nbgrader/tests/apps/files`). Each test runs the grader as a user would,
`autograder collect … --source …` then `autograder grade`, and reads the scores
back from nbgrader's gradebook, as formgrader and `nbgrader export` read them.
The scores asserted are the ones nbgrader's documentation and test suite
assert; the slow test runs `nbgrader autograde` itself on the same copies and
compares every grade cell.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import nbgrader
import pytest
from nbgrader.api import Gradebook

from autograder.cli import main
from autograder.records.workspace import open_workspace
from autograder.sandbox import isolation

NBGRADER = Path(nbgrader.__file__).resolve().parent
USER_GUIDE = NBGRADER / "docs" / "source" / "user_guide"
FILES = NBGRADER / "tests" / "apps" / "files"
# nbgrader's documentation course, as its own docs record it (user_guide/grades.csv)
PS1_SCORES = {("bitdiddle", "problem1"): 1.5, ("hacker", "problem1"): 3.0,
              ("bitdiddle", "problem2"): 0.0, ("hacker", "problem2"): 0.0}
# nbgrader's test_grade and test_showtraceback_exploit: the notebook's score, and whether
# a hand-graded answer waits in formgrader
SCENARIO_SCORES = {"foo": (1.0, False), "bar": (2.0, True), "spam": (1.0, True),
                   "eggs": (1.0, True)}
SCENARIO_FILES = {"foo": "submitted-unchanged.ipynb", "bar": "submitted-changed.ipynb",
                  "spam": "submitted-cheat-attempt.ipynb",
                  "eggs": "submitted-cheat-attempt-alternative.ipynb",
                  "locked": "submitted-locked-cell-changed.ipynb",
                  "graded": "submitted-grade-cell-changed.ipynb"}


def copy_ps1(folder: Path) -> Path:
    """The documentation course's source/ and submitted/ (what a user would point at)."""
    folder.mkdir(parents=True)
    shutil.copytree(USER_GUIDE / "source", folder / "source")
    shutil.copytree(USER_GUIDE / "submitted", folder / "submitted")
    return folder


def scenario_course(folder: Path) -> Path:
    """nbgrader's autograde scenarios: p1 from submitted-unchanged, one student a case."""
    (folder / "source" / "ps1").mkdir(parents=True)
    shutil.copyfile(FILES / "submitted-unchanged.ipynb", folder / "source" / "ps1" / "p1.ipynb")
    for student, name in SCENARIO_FILES.items():
        (folder / "submitted" / student / "ps1").mkdir(parents=True)
        shutil.copyfile(FILES / name, folder / "submitted" / student / "ps1" / "p1.ipynb")
    return folder


def notebook_scores(workspace: Path, assignment: str) -> dict[tuple[str, str], tuple]:
    """(student, notebook) → (score, needs_manual_grade), as formgrader's database has them."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as book:
        return {(notebook.student.id, notebook.name):
                (notebook.score, notebook.needs_manual_grade)
                for submission in book.find_assignment(assignment).submissions
                for notebook in submission.notebooks}


def cell_grades(workspace: Path, assignment: str) -> dict[tuple[str, str, str], tuple]:
    """(student, notebook, grade id) → (auto_score, needs_manual_grade, auto comment)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as book:
        found = {}
        for submission in book.find_assignment(assignment).submissions:
            for notebook in submission.notebooks:
                comments = {c.name: c.auto_comment for c in notebook.comments}
                for grade in notebook.grades:
                    found[(notebook.student.id, notebook.name, grade.name)] = (
                        grade.auto_score, grade.needs_manual_grade, comments.get(grade.name))
        return found


def nbgrader_command(*args: str, cwd: Path) -> None:
    """nbgrader's own command line, with this venv's `alembic` on PATH (see PITFALLS)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}"}
    subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=ERROR"], cwd=cwd,
                   env=env, check=True, capture_output=True, timeout=600)


def exported_scores(workspace: Path) -> dict[tuple[str, str], float]:
    """(student, assignment) → raw score, as `nbgrader export` writes them to grades.csv."""
    nbgrader_command("export", cwd=workspace)
    with (workspace / "grades.csv").open(encoding="utf-8") as handle:
        return {(row["student_id"], row["assignment"]): float(row["raw_score"])
                for row in csv.DictReader(handle)}


def test_the_documentation_course_grades_as_nbgrader_records_it(tmp_path, capsys):
    course = copy_ps1(tmp_path / "copy")
    workspace = tmp_path / "ws"
    assert main(["collect", "ps1", str(course / "submitted"), "--source", str(course / "source"),
                 "--course", str(workspace)]) == 0
    for student in ("bitdiddle", "hacker"):
        submitted = workspace / "submitted" / student / "ps1"
        assert sorted(p.name for p in submitted.iterdir()) == [
            "problem1.ipynb", "problem2.ipynb", "timestamp.txt"]
    assert main(["grade", "ps1", "--course", str(workspace), "--workers", "2"]) == 0
    assert "preflight: the source notebooks scored 3/3" in capsys.readouterr().out

    scores = notebook_scores(workspace, "ps1")
    assert {key: score for key, (score, _) in scores.items()} == PS1_SCORES
    assert all(needs_manual for _, needs_manual in scores.values())  # written answers wait
    for student in ("bitdiddle", "hacker"):
        autograded = workspace / "autograded" / student / "ps1"
        assert (autograded / "jupyter.png").read_bytes() == (
            course / "source" / "ps1" / "jupyter.png").read_bytes()  # as nbgrader copies it
        result = json.loads((autograded / "result.json").read_text())
        assert result["status"] == "graded" and result["notebooks"] == ["problem1", "problem2"]
        assert result["max_score"] == 3.0
        assert result["score"] == PS1_SCORES[(student, "problem1")]
        assert "left to be graded by hand in formgrader" in result["reason"]
        executed = nbformat.read(autograded / "problem1.ipynb", as_version=4)
        assert any(cell.get("outputs") for cell in executed.cells)
    bitdiddle = json.loads((workspace / "autograded" / "bitdiddle" / "ps1" / "result.json")
                           .read_text())
    with Gradebook(open_workspace(workspace).db_url) as book:  # tasks count too
        waiting = sum(grade.needs_manual_grade for notebook in
                      book.find_submission("ps1", "bitdiddle").notebooks
                      for grade in notebook.grades)
    assert f"{waiting} cells are left to be graded by hand" in bitdiddle["reason"], waiting
    failed = {part["cell"]: part["reason"] for part in bitdiddle["parts"] if not part["passed"]}
    assert failed == {"problem1/correct_squares": "the test cell raised AssertionError",
                      "problem1/correct_sum_of_squares": "the test cell raised AssertionError",
                      "problem1/sum_of_squares_application":
                          "no answer (the cell is as it was handed out)"}

    nbgrader_command("export", cwd=workspace)  # nbgrader's own export reads the gradebook
    with (workspace / "grades.csv").open(encoding="utf-8") as handle:
        exported = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}
    assert exported == {"bitdiddle": 1.5, "hacker": 3.0}

    assert main(["grade", "ps1", "--course", str(workspace)]) == 0
    assert "2 submissions, 0 to grade" in capsys.readouterr().out  # resumes: nothing to redo

    assert main(["report", "ps1", "-o", str(tmp_path / "report"), "--course",
                 str(workspace)]) == 0
    summary = (tmp_path / "report" / "summary.txt").read_text(encoding="utf-8")
    assert "problem1/correct_squares" in summary and "problem2/part-a" in summary
    assert main(["feedback", "ps1", "--student", "bitdiddle", "--course", str(workspace)]) == 0
    pages = workspace / "feedback" / "bitdiddle" / "ps1"
    assert "the test cell raised AssertionError" in (pages / "problem1.html").read_text()
    assert (pages / "problem2.html").is_file()


def test_nbgrader_s_autograde_scenarios_score_as_its_tests_assert(tmp_path, capsys):
    """test_grade and test_showtraceback_exploit of nbgrader's test_nbgrader_autograde.py."""
    course = scenario_course(tmp_path / "course")
    workspace = tmp_path / "ws"
    assert main(["collect", "ps1", str(course / "submitted"), "--source", str(course / "source"),
                 "--course", str(workspace)]) == 0
    # the source is nbgrader's unanswered notebook: its own tests fail, and the preflight
    # says so before grading anyone
    assert main(["grade", "ps1", "--course", str(workspace)]) == 2
    assert "preflight: the source notebooks of ps1 scored 1/2" in capsys.readouterr().err
    assert main(["grade", "ps1", "--course", str(workspace), "--no-preflight"]) == 0
    scores = notebook_scores(workspace, "ps1")
    for student, expected in SCENARIO_SCORES.items():
        assert scores[(student, "p1")] == expected, student
    grades = cell_grades(workspace, "ps1")
    assert grades[("foo", "p1", "quux")] == (0.0, False, "No response.")
    assert grades[("bar", "p1", "quux")][:2] == (None, True)
    # the cheat that hides tracebacks: nbgrader's Execute records the error anyway
    spam = json.loads((workspace / "autograded" / "spam" / "ps1" / "result.json").read_text())
    assert {p["cell"]: p["score"] for p in spam["parts"]}["bar"] == 0.0  # one notebook: ids
    assert exported_scores(workspace) == {(student, "ps1"): score for student, (score, _)
                                          in SCENARIO_SCORES.items()} | {
        ("locked", "ps1"): scores[("locked", "p1")][0],
        ("graded", "ps1"): scores[("graded", "p1")][0]}


def test_course_settings_relative_files_and_timeouts(tmp_path, capsys):
    """nbgrader's open_relative_file and test_autograde_timeout, under the course's config."""
    course = tmp_path / "course"
    source = course / "source" / "rel"
    source.mkdir(parents=True)
    shutil.copyfile(FILES / "open_relative_file.ipynb", source / "p1.ipynb")
    shutil.copyfile(FILES / "data.txt", source / "data.txt")
    shutil.copyfile(FILES / "timeout.ipynb", source / "p2.ipynb")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'course101'\n"
        "c.Execute.timeout = 2\n", encoding="utf-8")
    foo = course / "submitted" / "foo" / "rel"
    foo.mkdir(parents=True)
    shutil.copyfile(FILES / "open_relative_file.ipynb", foo / "p1.ipynb")
    shutil.copyfile(FILES / "timeout.ipynb", foo / "p2.ipynb")
    vandal = course / "submitted" / "vandal" / "rel"
    vandal.mkdir(parents=True)
    notebook = nbformat.read(FILES / "open_relative_file.ipynb", as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(
        "try:\n    open('data.txt', 'w').write('overwritten')\nexcept OSError as error:\n"
        "    print('refused', error.errno)"))
    nbformat.write(notebook, vandal / "p1.ipynb")  # and no p2 at all

    workspace = tmp_path / "ws"
    assert main(["collect", "rel", str(course / "submitted"), "--source", str(course / "source"),
                 "--course", str(workspace)]) == 0
    assert "course_id = 'course101'" in (workspace / "nbgrader_config.py").read_text()
    assert main(["grade", "rel", "--course", str(workspace), "--no-preflight"]) == 0
    output = capsys.readouterr().out
    assert f"settings from {course / 'nbgrader_config.py'}" in output
    scores = notebook_scores(workspace, "rel")
    assert scores[("foo", "p1")][0] == 10.0  # data.txt opened by a relative path
    assert scores[("foo", "p2")][0] == 0.0   # the 5 s cell stopped by the course's 2 s
    assert scores[("vandal", "p2")] == (0.0, False)  # not submitted: 0, as nbgrader gives
    assert exported_scores(workspace)[("foo", "rel")] == 10.0  # nbgrader export reads it
    vandal_result = json.loads((workspace / "autograded" / "vandal" / "rel" / "result.json")
                               .read_text())
    assert "notebook p2 was not submitted" in vandal_result["reason"]
    if isolation.bubblewrap_works():  # data files are read-only inside the sandbox
        assert scores[("vandal", "p1")][0] == 10.0
        assert (workspace / "autograded" / "vandal" / "rel" / "data.txt").read_text() == (
            FILES / "data.txt").read_text()


@pytest.mark.slow
def test_every_grade_cell_equals_nbgrader_autograde(tmp_path):
    """`nbgrader autograde` on the same copies: every grade cell's auto score, manual flag
    and comment agree (ps1, and nbgrader's autograde scenarios)."""
    for name, make, assignment, extra in (
            ("ps1", copy_ps1, "ps1", []),
            ("scenarios", scenario_course, "ps1", ["--no-preflight"])):
        ours, theirs = make(tmp_path / f"{name}-ours"), make(tmp_path / f"{name}-nbgrader")
        workspace = tmp_path / f"{name}-ws"
        assert main(["collect", assignment, str(ours / "submitted"), "--source",
                     str(ours / "source"), "--course", str(workspace)]) == 0
        assert main(["grade", assignment, "--course", str(workspace), *extra]) == 0
        nbgrader_command("generate_assignment", assignment, cwd=theirs)
        nbgrader_command("autograde", assignment, cwd=theirs)
        assert cell_grades(workspace, assignment) == cell_grades(theirs, assignment), name
        assert notebook_scores(workspace, assignment) == notebook_scores(theirs, assignment)


def test_a_dead_kernel_keeps_the_points_before_it_and_gives_none_after(tmp_path, capsys):
    """A documented difference: the cells the run never reached score 0 (nbgrader: a cell
    without outputs gets full points), and the cells before the death keep theirs."""
    def cell(source: str, grade_id: str, **nbgrader_fields):
        made = nbformat.v4.new_code_cell(source)
        made.metadata.nbgrader = {"grade_id": grade_id, "schema_version": 3, "grade": False,
                                  "solution": False, "locked": False, **nbgrader_fields}
        return made

    source = nbformat.v4.new_notebook(cells=[
        cell("def one():\n    return 1", "answer", solution=True),
        cell("assert one() == 1", "before", grade=True, locked=True, points=1),
        cell("assert one() == 1", "after", grade=True, locked=True, points=2)])
    source.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}
    course = tmp_path / "course"
    (course / "source" / "kd").mkdir(parents=True)
    nbformat.write(source, course / "source" / "kd" / "p1.ipynb")
    submission = nbformat.from_dict(source)
    submission.cells.insert(2, nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    (course / "submitted" / "dies" / "kd").mkdir(parents=True)
    nbformat.write(submission, course / "submitted" / "dies" / "kd" / "p1.ipynb")

    workspace = tmp_path / "ws"
    assert main(["collect", "kd", str(course / "submitted"), "--source", str(course / "source"),
                 "--course", str(workspace)]) == 0
    assert main(["grade", "kd", "--course", str(workspace)]) == 0  # the preflight passes 3/3
    grades = cell_grades(workspace, "kd")
    assert grades[("dies", "p1", "before")][0] == 1.0
    assert grades[("dies", "p1", "after")][0] == 0.0
    result = json.loads((workspace / "autograded" / "dies" / "kd" / "result.json").read_text())
    assert "kernel died in cell 3" in result["reason"]
    assert {p["cell"]: p["reason"] for p in result["parts"]}["after"] == (
        "the test cell never ran (the notebook stopped before it)")


def test_the_runner_loads_nbgrader_s_execute_without_nbgrader_s_package():
    """The sandbox's runner takes nbgrader's own Execute class, not a copy, but leaves out
    what nbgrader's __init__ imports (the gradebook, the exchange, the server): 1.6 s a
    notebook."""
    probe = ("import sys\n"
             "from autograder.sandbox.inside import _nbgrader_execute_class\n"
             "Execute = _nbgrader_execute_class()\n"
             "import nbgrader.preprocessors.execute as module\n"
             "assert Execute is module.Execute and module.__file__.startswith(sys.argv[1])\n"
             "assert Execute.timeout.default_value == 30 and Execute.interrupt_on_timeout\n"
             "print(sorted(m for m in ('sqlalchemy', 'nbgrader.api', 'nbgrader.exchange',"
             " 'nbgrader.preprocessors.overwritecells') if m in sys.modules))\n")
    ran = subprocess.run([sys.executable, "-c", probe, str(Path(nbgrader.__file__).parent)],
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"


def test_a_batch_s_gradebooks_share_one_engine_and_give_it_back(tmp_path):
    import nbgrader.api as api

    from autograder.records.gradebook import one_engine_per_database
    from autograder.records.workspace import alembic_on_path

    alembic_on_path()  # a new gradebook runs nbgrader's `alembic`
    url, original = f"sqlite:///{tmp_path / 'gradebook.db'}", api.create_engine
    with one_engine_per_database(), api.Gradebook(url) as first, api.Gradebook(url) as second:
        assert first.engine is second.engine and first.db is not second.db
        first.add_student("ada")
        first.db.commit()
        assert [s.id for s in second.students] == ["ada"]
    assert api.create_engine is original
