"""Golden end-to-end tests of `autograder grade`: crafted submissions, expected scores and reasons.

Most cases use the toy assignment in golden/ (two NumPy functions, seconds per
notebook); one batch grades real assignments. Each case names the score it
must get and a phrase its reason must contain (golden/expected.json).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main
from autograder.common import project
from autograder.records.nbgrader import release_files
from autograder.records.workspace import open_workspace
from autograder.sandbox import isolation
from tests.conftest import ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
ESCAPE_MARKER = Path("/tmp/autograder-golden-escape")
CANARY = Path("/var/tmp/autograder-golden-canary")  # a folder a submission tries to delete

DISK_FLOOD = """
import os
written, error = 0, ''
try:
    for i in range(100):  # 400 MB in files of 4 MB (each under the 5 MB file limit)
        with open(f'flood-{i}.bin', 'wb') as handle:
            handle.write(b'x' * (4 * 2**20))
        written += 1
except OSError as failure:
    error = f'{type(failure).__name__} {failure.errno}'
print('FLOOD', written, error)
"""

KILL_RUNNER = """
import os, signal
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        command = open(f'/proc/{pid}/cmdline', 'rb').read()
    except OSError:
        continue
    if b'autograder.sandbox.inside' in command:
        os.kill(int(pid), signal.SIGKILL)
"""

CORRECT = {
    "double": "def double(x):\n    return np.asarray(x) * 2",
    "total": "def total(x):\n    x = np.asarray(x)\n    if x.size == 0:\n"
             "        raise ValueError('empty')\n    return x.sum()",
}


def toy_release(language: str = "en") -> nbformat.NotebookNode:
    files = release_files(GOLDEN / "solutions", "toy")[language]
    return nbformat.reads(files["toy.ipynb"].decode("utf-8"), as_version=4)


def craft(answers: dict[str, str] | None = None, after: dict[str, str] | None = None,
          edits: dict[str, str] | None = None, language: str = "en") -> nbformat.NotebookNode:
    """A released notebook with answers filled in, extra cells after a grade ID, cells edited."""
    notebook = toy_release(language)
    cells = []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in (answers or {}):
            cell.source = answers[grade_id]
        if grade_id in (edits or {}):
            cell.source = edits[grade_id]
        cells.append(cell)
        if grade_id in (after or {}):
            cells.append(nbformat.v4.new_code_cell(after[grade_id]))
    notebook.cells = cells
    return notebook


CASES = {
    "correct": craft(CORRECT),
    "unanswered": craft(),
    "partly-right": craft({**CORRECT, "total": "def total(x):\n    return 0"}),
    "exception": craft({**CORRECT, "double": "def double(x):\n    return [2 * v for v in x]"}),
    "infinite-loop": craft(CORRECT, after={"test_double": "while True:\n    pass"}),
    "memory-hog": craft(CORRECT, after={"test_double": "blob = b'x' * (3 * 2**30)"}),
    "os-exit": craft(CORRECT, after={"test_double": "import os\nos._exit(3)"}),
    "kills-runner": craft(CORRECT, after={"test_double": KILL_RUNNER}),
    "monkeypatched": craft(
        {**CORRECT, "double": "def double(x):\n    return np.asarray(x) * 3\n\n"
                              "np.testing.assert_allclose = lambda *args, **kwargs: None\n"
                              "import builtins\n"
                              "builtins.AssertionError = type('Quiet', (Exception,), {})"}),
    "edited-test-cell": craft({**CORRECT, "double": "def double(x):\n    return x"},
                              edits={"test_double": "pass  # nothing to see"}),
    "forbidden-import": craft({**CORRECT, "double": "import scipy\n\ndef double(x):\n"
                                                    "    return np.asarray(x) * 2"}),
    "greek": craft(CORRECT, language="el"),
    "output-flood": craft(CORRECT, after={
        "test_double": "print(('flood ' * 20 + '\\n') * 100_000)"}),
    "network": craft(CORRECT, after={"test_double": (
        "import urllib.request\nurllib.request.urlopen('https://pypi.org', timeout=5)")}),
    "disk-flood": craft(CORRECT, after={"test_total": DISK_FLOOD}),
    "processes": craft(CORRECT, after={"test_double": (
        "import subprocess\nchildren = []\nfor _ in range(120):\n"
        "    children.append(subprocess.Popen(['sleep', '60']))")}),
    "writes-outside": craft(CORRECT, after={"test_double": f"""
import os, pathlib, shutil
attempts = {{}}
for target in [{str(ESCAPE_MARKER)!r}, {str(ROOT / 'ESCAPED.txt')!r},
               os.path.expanduser('~/escaped.txt'), '../escaped.txt']:
    try:
        pathlib.Path(target).write_text('escaped')
        attempts[target] = 'written'
    except OSError as error:
        attempts[target] = type(error).__name__
for victim in ['../../submitted', '../../gradebook.db', {str(CANARY)!r}]:
    shutil.rmtree(victim, ignore_errors=True)
print(attempts)
"""}),
}


if not isolation.bubblewrap_works():  # without isolation these would really escape
    for unsafe in ("writes-outside", "network"):
        CASES.pop(unsafe)


def _write_submissions(workspace, cases: dict[str, nbformat.NotebookNode], assignment: str):
    for student, notebook in cases.items():
        folder = workspace.submitted(student, assignment)
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, folder / f"{assignment}.ipynb")


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden") / "course"
    workspace = open_workspace(root, create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, CASES, "toy")
    before = _digest(root / "submitted")
    ESCAPE_MARKER.unlink(missing_ok=True)
    CANARY.mkdir(exist_ok=True)
    (CANARY / "alive").write_text("alive")
    code = main(["grade", "toy", "--course", str(root), "--workers", "2"])
    results = {student: json.loads((workspace.autograded(student, "toy") / "result.json")
                                   .read_text()) for student in CASES}
    return {"code": code, "root": root, "results": results, "before": before,
            "workspace": workspace}


def test_the_batch_ran_and_exits_zero(graded):
    assert graded["code"] == 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_score_and_reason(graded, case):
    result = graded["results"][case]
    expected = EXPECTED[case]
    assert result["status"] == "graded"
    assert result["score"] == expected["score"], result
    assert expected["reason"] in result["reason"], result["reason"]
    for cell, phrase in expected.get("parts", {}).items():
        part = next(p for p in result["parts"] if p["cell"] == cell)
        assert phrase in part["reason"], part


def test_greek_submission_is_recorded_in_greek(graded):
    assert graded["results"]["greek"]["language"] == "el"
    assert graded["results"]["correct"]["language"] == "en"


def test_nothing_escaped_and_submissions_are_untouched(graded):
    assert not ESCAPE_MARKER.exists()
    assert not (ROOT / "ESCAPED.txt").exists()
    assert (CANARY / "alive").read_text() == "alive"
    assert (graded["root"] / "gradebook.db").stat().st_size > 0
    assert _digest(graded["root"] / "submitted") == graded["before"]


@pytest.mark.skipif(os.geteuid() != 0, reason="a tmpfs work folder needs root "
                    "(elsewhere the watchdog measures it: test_sandbox.py)")
def test_a_disk_flood_fills_only_its_own_folder(graded):
    """A tmpfs of disk_mb (32 MB) takes the writes: the grader's disk never sees them, the
    parts that ran before keep their points, and the reason says what happened."""
    record = graded["results"]["disk-flood"]
    assert record["reason"] == "disk limit (32 MB) exceeded"
    assert record["score"] == EXPECTED["correct"]["score"]


def test_output_flood_is_truncated(graded):
    path = graded["workspace"].autograded("output-flood", "toy") / "toy.ipynb"
    assert path.stat().st_size < 2 * 2**20
    assert "output truncated by the grader" in path.read_text()


def test_scores_reach_nbgraders_gradebook(graded):
    from autograder.records.gradebook import gradebook

    with gradebook(graded["workspace"]) as book:
        for student, result in graded["results"].items():
            submission = book.find_submission("toy", student)
            assert submission.score == result["score"]
            # every cell is graded by the grader: formgrader lists none as waiting for a hand
            assert not submission.needs_manual_grade, student


def test_no_process_is_left_behind(graded):
    import psutil

    survivors = [p.pid for p in psutil.process_iter(["cmdline"])
                 if (p.info["cmdline"] or [])[:2] == ["sleep", "60"]]
    assert survivors == []


def test_regrading_gives_the_same_scores(graded):
    students = ["correct", "partly-right", "monkeypatched"]
    code = main(["grade", "toy", "--course", str(graded["root"]), "--force", "--student",
                 *students])
    assert code == 0
    for student in students:
        again = json.loads((graded["workspace"].autograded(student, "toy") / "result.json")
                           .read_text())
        assert again["score"] == graded["results"][student]["score"]


def test_graded_submissions_are_skipped_unless_forced(graded, capsys):
    assert main(["grade", "toy", "--course", str(graded["root"])]) == 0
    assert "0 to grade" in capsys.readouterr().out


def test_a_killed_batch_resumes_with_what_is_missing(tmp_path):
    root = tmp_path / "course"
    workspace = open_workspace(root, create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {f"s{i}": CASES["correct"] for i in range(4)}, "toy")
    command = [sys.executable, "-m", "autograder", "grade", "toy", "--course", str(root),
               "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not list(root.glob("autograded/*/toy/result.json")):
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = len(list(root.glob("autograded/*/toy/result.json")))
    assert 1 <= done < 4
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{4 - done} to grade" in result.stdout
    assert len(list(root.glob("autograded/*/toy/result.json"))) == 4


def test_dask_local_cluster_grades_like_the_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    root = tmp_path / "course"
    workspace = open_workspace(root, create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {"correct": CASES["correct"],
                                   "partly-right": CASES["partly-right"]}, "toy")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        code = main(["grade", "toy", "--course", str(root), "--cluster",
                     cluster.scheduler_address])
    assert code == 0
    scores = {s: json.loads((workspace.autograded(s, "toy") / "result.json").read_text())["score"]
              for s in ("correct", "partly-right")}
    assert scores == {"correct": EXPECTED["correct"]["score"],
                      "partly-right": EXPECTED["partly-right"]["score"]}


@pytest.mark.parametrize("argv, message", [
    (["grade", "toy", "--course", "/nonexistent/course"], "is not a grading workspace"),
    (["grade", "nope", "--course", "{root}"], "no such file"),
    (["grade", "toy", "--course", "{root}", "--student", "ghost"], "no submission of toy from"),
    (["grade", "toy", "--course", "{root}", "--workers", "0"], "--workers must be at least 1"),
    (["grade", "toy", "--course", "{root}", "--profile", "cpu", "--cluster", "ftp://x"],
     "--cluster must be local"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, message):
    root = tmp_path / "course"
    workspace = open_workspace(root, create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {"correct": CASES["correct"]}, "toy")
    code = main([arg.format(root=root) for arg in argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0], err


def test_no_submissions_is_one_line(tmp_path, capsys):
    root = tmp_path / "course"
    open_workspace(root, create=True, source=GOLDEN / "solutions")
    assert main(["grade", "toy", "--course", str(root)]) == 2
    assert "no submissions of toy" in capsys.readouterr().err


@pytest.mark.keras
def test_real_assignments_grade_right(tmp_path):
    """A2 in Greek and English, and an A3 model, through the whole pipeline."""
    import re

    root = tmp_path / "course"
    workspace = open_workspace(root, create=True)
    a2 = "a2-cross-correlation"
    solution = nbformat.read(project.SOLUTIONS / a2 / f"{a2}.ipynb", as_version=4)
    answers = {c.metadata.nbgrader.grade_id: re.sub(r"\n?\s*### (BEGIN|END) SOLUTION", "",
                                                    c.source)
               for c in solution.cells if c.metadata.get("nbgrader", {}).get("solution")}
    greek = nbformat.read(project.EXERCISES / "el" / a2 / f"{a2}.ipynb", as_version=4)
    for cell in greek.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    _write_submissions(workspace, {"greek-correct": greek}, a2)
    _write_submissions(workspace, {"english-empty": nbformat.read(
        project.EXERCISES / "en" / a2 / f"{a2}.ipynb", as_version=4)}, a2)
    assert main(["grade", a2, "--course", str(root), "--profile", "ci", "--workers", "2",
                 "--allow-sample"]) == 0  # offline (no staged data) it grades on the sample
    results = {s: json.loads((workspace.autograded(s, a2) / "result.json").read_text())
               for s in ("greek-correct", "english-empty")}
    assert results["greek-correct"]["score"] == results["greek-correct"]["max_score"] == 16
    assert results["greek-correct"]["language"] == "el"
    # the Greek edition runs in Greek: the grader injects LANG from the notebook's language
    executed = nbformat.read(workspace.autograded("greek-correct", a2) / f"{a2}.ipynb",
                             as_version=4)
    injected = next(c for c in executed.cells
                    if "injected-parameters" in c.metadata.get("tags", []))
    assert 'LANG = "el"' in injected.source
    assert results["english-empty"]["score"] == 0


def test_golden_cases_cover_the_issue():
    required = {"correct", "unanswered", "partly-right", "exception", "infinite-loop",
                "memory-hog", "os-exit", "monkeypatched", "edited-test-cell", "greek",
                "output-flood", "network", "writes-outside"}
    if not isolation.bubblewrap_works():
        required -= {"network", "writes-outside"}
    assert required <= set(CASES) and set(CASES) <= set(EXPECTED)


def test_a_correct_submission_has_no_reason(graded):
    assert graded["results"]["correct"]["reason"] == ""


def teardown_module(module):
    ESCAPE_MARKER.unlink(missing_ok=True)
    shutil.rmtree(CANARY, ignore_errors=True)


def test_feedback_pages_in_the_students_language_without_hidden_tests(graded):
    assert main(["feedback", "toy", "--course", str(graded["root"])]) == 0
    for student, result in graded["results"].items():
        page = (graded["workspace"].feedback(student, "toy") / "toy.html").read_text()
        assert "HIDDEN TESTS" not in page and "double(-1.5)" not in page, student
        assert f"{result['score']:g} / 3" in page
    greek = (graded["workspace"].feedback("greek", "toy") / "toy.html").read_text()
    assert "Ανατροφοδότηση" in greek and "Βαθμός:" in greek and 'lang="el"' in greek
    partly = (graded["workspace"].feedback("partly-right", "toy") / "toy.html").read_text()
    assert "wrong values" in partly


def test_every_golden_reason_reads_in_greek(graded):
    from autograder.scoring.reasons import translate

    english_words = ("hidden case", "raised", "wrong values", "never ran", "timeout",
                     "out of memory", "kernel died", "edited", "uses", "processes")
    for result in graded["results"].values():
        for text in [result["reason"], *(p["reason"] for p in result["parts"])]:
            greek = translate(text, "el")
            assert not any(word in greek for word in english_words), (text, greek)


def test_feedback_bad_input(tmp_path, capsys):
    root = tmp_path / "course"
    open_workspace(root, create=True, source=GOLDEN / "solutions")
    assert main(["feedback", "toy", "--course", str(root)]) == 2
    assert "no graded submissions of toy" in capsys.readouterr().err


def test_each_result_says_where_its_seconds_went(graded):
    """The timeline's phases add up to the submission's seconds, and every code cell that ran
    has its own time, so that a slow submission shows which cell trained."""
    from autograder.scoring.result import PHASES

    result = graded["results"]["correct"]
    phases = result["timeline"]["phases"]
    assert set(phases) <= set(PHASES)
    assert {"prepare", "sandbox_start", "kernel_start", "cells", "sandbox_stop",
            "record"} <= set(phases)
    in_worker = sum(s for p, s in phases.items() if p not in ("prepare", "record"))
    assert abs(in_worker - result["seconds"]) < 0.05
    assert abs(result["timeline"]["overhead"] - (sum(phases.values()) - phases["cells"])) < 1e-3
    executed = nbformat.read(graded["workspace"].autograded("correct", "toy") / "toy.ipynb",
                             as_version=4)
    ran = [c for c in executed.cells if c.cell_type == "code" and c.execution_count]
    assert len(result["timeline"]["cells"]) == len(ran)
    assert phases["cells"] == pytest.approx(
        sum(c["seconds"] for c in result["timeline"]["cells"]), abs=1e-2)
