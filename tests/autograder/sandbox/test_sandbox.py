"""The sandbox's work folder: bounded in size by a tmpfs where one can be mounted, else by the
watchdog (the golden tests in test_grade.py cover the rest of the sandbox)."""

from __future__ import annotations

import os
import sys

import pytest

from autograder.sandbox import isolation

WRITER = """
import time
for i in range(40):  # 40 MB over about 4 s: the watchdog looks once a second
    with open(f'chunk-{i}', 'wb') as handle:
        handle.write(b'x' * 2**20)
    time.sleep(0.1)
"""


def _limits(disk_mb: int) -> isolation.Limits:
    return isolation.Limits.from_spec({"notebook_timeout": 30, "memory_gb": 1, "cpu_seconds": 30,
                                     "output_mb": 5, "processes": 16, "disk_mb": disk_mb})


def test_the_watchdog_stops_a_run_that_outgrows_its_folder(tmp_path):
    work = tmp_path / "work"  # a plain folder: no tmpfs, so the watchdog measures it
    work.mkdir()
    box = isolation.Sandbox(work, None, [], _limits(disk_mb=8))
    assert not box.work_bounded
    outcome = box.run([sys.executable, "-c", WRITER], {"PATH": os.environ["PATH"]},
                      tmp_path / "log")
    assert outcome.killed == "disk" and outcome.disk_limit_mb == 8
    assert isolation.folder_size(work, 2**40) < 20 * 2**20  # stopped well before 40 MB


@pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0, reason="mounting needs root")
def test_a_work_folder_is_a_tmpfs_of_its_size_and_goes_away():
    with isolation.work_folder("autograder-test-", 4 * 2**20) as folder:
        assert isolation._is_tmpfs(folder)
        with pytest.raises(OSError) as error, open(folder / "big", "wb") as handle:
            handle.write(b"x" * (5 * 2**20))
            handle.flush()
        assert error.value.errno == 28  # ENOSPC: the grader's own disk is never touched
    assert not folder.exists() and not isolation._is_tmpfs(folder)


def test_folder_size_counts_what_is_inside(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10_000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"x" * 10_000)
    assert 20_000 <= isolation.folder_size(tmp_path, 2**40) < 40_000
