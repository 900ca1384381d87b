"""cgroup v1 and v2 limits, leftovers of killed workers, and warm kernels without cgroups.

The development machines mount cgroup v1 only: the v2 code is tested on a fake
cgroup2 tree (a folder with the v2 interface files), and on a real v2 where
`/sys/fs/cgroup/cgroup.controllers` exists.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.records.workspace import open_workspace
from autograder.sandbox import cgroups, isolation, zygote
from tests.autograder.test_grade import CASES, EXPECTED, GOLDEN, _write_submissions

REAL_V2 = Path("/sys/fs/cgroup/cgroup.controllers").is_file()


def fake_v2(tmp_path: Path, controllers: str = "cpu io memory pids") -> Path:
    root = tmp_path / "cgroup2"
    root.mkdir()
    (root / "cgroup.controllers").write_text(controllers + "\n")
    (root / "cgroup.subtree_control").write_text("")
    return root


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_v2_is_recognised_by_its_controllers_file(tmp_path):
    assert cgroups.version(fake_v2(tmp_path)) == 2
    assert cgroups.version(tmp_path) == 1


def test_v2_gets_the_same_limits_as_v1(tmp_path):
    root = fake_v2(tmp_path)
    group = cgroups.Cgroups.create(3 * 2**30, 256, root=root)
    assert group is not None and group.unified
    folder = group.folders["unified"]
    assert folder.parent == root and cgroups.OWNED.fullmatch(folder.name)
    assert (folder / "memory.max").read_text() == str(3 * 2**30)
    assert (folder / "pids.max").read_text() == "256"
    assert (root / "cgroup.subtree_control").read_text() == "+memory +pids"


def test_v2_without_the_controllers_gives_none(tmp_path):
    assert cgroups.Cgroups.create(2**30, 10, root=fake_v2(tmp_path, "cpu io")) is None


@pytest.mark.parametrize(("events", "verdict"), [
    ({"memory.events": "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n"}, "memory"),
    ({"pids.events": "max 7\n"}, "processes"),
    ({"memory.events": "oom_kill 0\n", "pids.events": "max 0\n"}, ""),
])
def test_v2_verdicts_come_from_its_event_counters(tmp_path, events, verdict):
    group = cgroups.Cgroups.create(2**30, 10, root=fake_v2(tmp_path))
    for name, text in events.items():
        (group.folders["unified"] / name).write_text(text)
    assert group.verdict() == verdict


def test_v2_peak_reads_memory_peak(tmp_path):
    group = cgroups.Cgroups.create(2**30, 10, root=fake_v2(tmp_path))
    assert group.peak() == 0  # a kernel before 5.19 has no memory.peak
    (group.folders["unified"] / "memory.peak").write_text("123456\n")
    assert group.peak() == 123456


def test_leftovers_of_dead_owners_only_are_removed(tmp_path):
    root = fake_v2(tmp_path)
    dead = root / f"autograder-{dead_pid()}-0123456789ab"
    mine = root / "autograder-1-0123456789ab"  # pid 1 is alive
    other = root / "system.slice"
    for folder in (dead, mine, other):
        folder.mkdir()
    assert cgroups.remove_leftovers(root) == [dead]
    assert not dead.exists() and mine.exists() and other.exists()


def test_leftover_work_folders_of_dead_workers_are_removed(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / f"{isolation.WORK_PREFIX}{dead_pid()}-grade-s001-abc"
    alive = tmp_path / f"{isolation.WORK_PREFIX}1-grade-s002-def"
    dead.mkdir()
    alive.mkdir()
    (dead / "junk").write_text("x")
    monkeypatch.setattr(cgroups, "remove_leftovers", lambda root=None: [])
    assert isolation.remove_leftovers() == [str(dead)]
    assert not dead.exists() and alive.exists()


@pytest.mark.skipif(not REAL_V2, reason="cgroup v2 is not mounted here (v1 machines)")
def test_a_real_v2_group_limits_memory(tmp_path):
    group = cgroups.Cgroups.create(2**30, 64)
    if group is None:
        pytest.skip("cgroup v2 is mounted but not writable here")
    try:
        assert group.unified
        assert int((group.folders["unified"] / "memory.max").read_text()) == 2**30
    finally:
        group.remove()


@pytest.mark.skipif(not zygote.enabled(), reason="warm kernels need root and bubblewrap")
def test_warm_kernels_without_any_cgroup_get_the_same_verdicts(tmp_path, monkeypatch):
    """No writable cgroup at all: warm kernels stay on, the watchdog enforces the limits."""
    monkeypatch.setattr(cgroups.Cgroups, "create", classmethod(lambda cls, *a, **k: None))
    monkeypatch.setenv("AUTOGRADER_WARM_KERNELS", "1")
    students = ("correct", "memory-hog", "processes", "infinite-loop")
    workspace = open_workspace(tmp_path / "course", create=True, source=GOLDEN / "solutions")
    _write_submissions(workspace, {s: CASES[s] for s in students}, "toy")
    assert main(["grade", "toy", "--course", str(workspace.root), "--workers", "2"]) == 0
    for student in students:
        result = json.loads((workspace.autograded(student, "toy") / "result.json").read_text())
        assert result["kernel"] == "warm", (student, result)
        if student in ("correct", "infinite-loop"):  # no limit of memory or processes hit
            assert result["score"] == EXPECTED[student]["score"], (student, result)
        # A cgroup blocks the 65th process and the notebook goes on (3/3); the watchdog can
        # only stop the run, so the cells after it never run: the verdict is the same.
        # the same kind of verdict; the watchdog stops the runner too, so it may not know
        # the cell ("out of memory" where a cgroup's OOM killer gives "… in cell 5")
        expected = EXPECTED[student]["reason"].split(" in cell")[0]
        assert expected in result["reason"], (student, result)
