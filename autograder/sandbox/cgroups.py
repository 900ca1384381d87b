"""Memory and process limits for one run, through cgroup v1 or v2, where they are writable.

cgroup v1 (these development machines) has a `memory` and a `pids` hierarchy;
cgroup v2 (current Debian and Ubuntu, the usual CI runners) has one unified
hierarchy whose `cgroup.controllers` lists `memory` and `pids`. Either way a run
gets its own group, named `autograder-<owner pid>-<id>` so that a later batch
can tell a group left by a killed worker (`remove_leftovers`). Where neither is
writable, `Cgroups.create` gives None and the watchdog enforces the limits.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import time
import uuid
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PREFIX = "autograder-"
OWNED = re.compile(rf"{PREFIX}(\d+)-[0-9a-f]+")


def version(root: Path = CGROUP_ROOT) -> int:
    """2 where the unified hierarchy is mounted at `root`, else 1."""
    return 2 if (root / "cgroup.controllers").is_file() else 1


class Cgroups:
    """One run's groups: folder per hierarchy ("memory", "pids" on v1; "unified" on v2)."""

    def __init__(self, folders: dict[str, Path], unified: bool):
        self.folders, self.unified = folders, unified

    @classmethod
    def create(cls, memory_bytes: int, processes: int,
               root: Path = CGROUP_ROOT) -> Cgroups | None:
        if sys.platform != "linux" and root == CGROUP_ROOT:
            return None
        name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        if version(root) == 2:
            return cls._create_v2(root / name, root, memory_bytes, processes)
        return cls._create_v1({kind: root / kind / name for kind in ("memory", "pids")},
                              memory_bytes, processes)

    @classmethod
    def _create_v1(cls, folders: dict[str, Path], memory_bytes: int,
                   processes: int) -> Cgroups | None:
        try:
            for folder in folders.values():
                folder.mkdir()
            (folders["memory"] / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = folders["memory"] / "memory.memsw.limit_in_bytes"
            if swap.exists():  # no swapping around the limit
                with contextlib.suppress(OSError):
                    swap.write_text(str(memory_bytes))
            (folders["pids"] / "pids.max").write_text(str(processes))
        except OSError:
            _rmdirs(folders.values())
            return None
        return cls(folders, unified=False)

    @classmethod
    def _create_v2(cls, folder: Path, root: Path, memory_bytes: int,
                   processes: int) -> Cgroups | None:
        try:
            available = (root / "cgroup.controllers").read_text().split()
            if not {"memory", "pids"} <= set(available):
                return None
            enabled = (root / "cgroup.subtree_control").read_text().split()
            missing = [c for c in ("memory", "pids") if c not in enabled]
            if missing:  # EBUSY where the parent holds processes (a container's root): None
                (root / "cgroup.subtree_control").write_text(
                    " ".join(f"+{c}" for c in missing))
            folder.mkdir()
            (folder / "memory.max").write_text(str(memory_bytes))
            swap = folder / "memory.swap.max"
            if swap.exists():
                with contextlib.suppress(OSError):
                    swap.write_text("0")
            (folder / "pids.max").write_text(str(processes))
        except OSError:
            _rmdirs([folder])
            return None
        return cls({"unified": folder}, unified=True)

    def enter(self) -> None:
        """Move the calling process into every group (in the child, before exec)."""
        for folder in self.folders.values():
            (folder / "cgroup.procs").write_text("0")

    def pids(self) -> set[int]:
        found = set()
        for folder in self.folders.values():
            with contextlib.suppress(OSError):
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
        return found

    def verdict(self) -> str:
        """"memory" or "processes" when the kernel enforced that limit, else ""."""
        memory = self.folders["unified" if self.unified else "memory"]
        pids = self.folders["unified" if self.unified else "pids"]
        if self.unified:
            if _counter(memory / "memory.events", "oom_kill") > 0:
                return "memory"
            if _counter(pids / "pids.events", "max") > 0:
                return "processes"
            return ""
        if _counter(memory / "memory.oom_control", "oom_kill") > 0:
            return "memory"
        if _counter(pids / "pids.events", "max") > 0:
            return "processes"
        return ""

    def peak(self) -> int:
        name = "memory.peak" if self.unified else "memory.max_usage_in_bytes"
        folder = self.folders["unified" if self.unified else "memory"]
        with contextlib.suppress(OSError, ValueError):
            return int((folder / name).read_text())
        return 0  # memory.peak needs Linux 5.19: the watchdog's peak stands

    def remove(self) -> None:
        _rmdirs(self.folders.values(), wait=True)


@functools.lru_cache(maxsize=1)
def writable() -> bool:
    """Whether memory and pids groups can be made here (root, cgroup v1 or v2)."""
    probe = Cgroups.create(2**30, 1)
    if probe is None:
        return False
    probe.remove()
    return True


def remove_leftovers(root: Path = CGROUP_ROOT) -> list[Path]:
    """Remove the groups of runs whose owner process is dead (a worker killed with SIGKILL).

    Only groups named by this grader, and only those whose owner is gone; their
    processes (if any are left) are killed first. Returns what was removed.
    """
    parents = [root] if version(root) == 2 else [root / "memory", root / "pids"]
    removed = []
    for parent in parents:
        with contextlib.suppress(OSError):
            for folder in parent.iterdir():
                owner = OWNED.fullmatch(folder.name)
                if owner is None or not folder.is_dir() or owner_alive(int(owner[1])):
                    continue
                with contextlib.suppress(OSError, ValueError):
                    for pid in (folder / "cgroup.procs").read_text().split():
                        with contextlib.suppress(OSError):
                            os.kill(int(pid), 9)
                _rmdirs([folder], wait=True)
                if not folder.exists():
                    removed.append(folder)
    return removed


def owner_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _counter(path: Path, key: str) -> int:
    """A `key value` line's value from a cgroup events file; 0 when absent or unreadable."""
    with contextlib.suppress(OSError, ValueError):
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) == 2 and fields[0] == key:
                return int(fields[1])
    return 0


def _rmdirs(folders, wait: bool = False) -> None:
    for folder in folders:
        for _ in range(50 if wait else 1):
            try:
                folder.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                if not wait:
                    break
                time.sleep(0.1)
