"""Run one command with a submission's code in it: isolated, limited, and cleaned up after.

With bubblewrap: the whole file system read-only, a private /tmp holding only
the work folder (read-write) and the grading data (read-only), no network, a
private PID namespace (every process dies with the sandbox), and the
workspace, the instructor sources and the real data hidden behind empty
folders. Without it (macOS, Windows, no user namespaces): process limits only,
with a warning.

Limits: resident memory and process count through cgroup v1 where writable,
else a watchdog over the process tree (never RLIMIT_AS: TensorFlow reserves
far more address space than it uses); CPU time and file size through
rlimits; the work folder's total size through a tmpfs of that size where one
can be mounted, else the watchdog; wall clock by the caller's timeout.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox import cgroups
from autograder.sandbox.cgroups import Cgroups

if os.name == "posix":
    import resource  # noqa: F401  (for _limit_self, which runs between fork and exec)

INSIDE_WORK = "/tmp/work"
INSIDE_DATA = "/tmp/data"
StartHook = Callable[[subprocess.Popen, "Cgroups | None"], bool]


@dataclass(frozen=True)
class Limits:
    wall_seconds: float
    memory_bytes: int
    cpu_seconds: int
    file_bytes: int      # any one file (RLIMIT_FSIZE)
    processes: int
    disk_bytes: int = 2**30  # everything in the work folder together

    @classmethod
    def from_spec(cls, limits: dict[str, float], wall_seconds: float | None = None,
                  memory_gb: float | None = None) -> Limits:
        return cls(wall_seconds=float(wall_seconds or limits["notebook_timeout"]),
                   memory_bytes=int((memory_gb or limits["memory_gb"]) * 2**30),
                   cpu_seconds=int(limits["cpu_seconds"]),
                   file_bytes=int(limits["output_mb"] * 2**20),
                   processes=int(limits["processes"]),
                   disk_bytes=int(limits.get("disk_mb", 1024) * 2**20))


@dataclass
class Outcome:
    returncode: int | None
    seconds: float
    killed: str = ""          # "", "timeout", "memory", "processes", "disk" or "start"
    peak_memory: int = 0
    isolation: str = ""       # "bubblewrap" or "process limits"
    notes: list[str] = field(default_factory=list)
    disk_limit_mb: int = 0


@functools.lru_cache(maxsize=1)
def bubblewrap_works() -> bool:
    """bwrap is installed and may create namespaces here (not always so in containers)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    probe = [bwrap, *_namespace_flags(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc",
             "/proc", "--tmpfs", "/tmp", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def isolation_warning() -> str | None:
    if bubblewrap_works():
        return None
    return ("bubblewrap (bwrap) is not available: submissions run with process limits only, "
            "without file-system or network isolation; grade on Linux with bubblewrap "
            "installed for real isolation")


def _namespace_flags() -> list[str]:
    # --cap-drop ALL: run by root, bubblewrap keeps every capability, and the code inside
    # could unmount the empty folders that hide the workspace, or remount / read-write
    return ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL"]


@contextlib.contextmanager
def work_folder(prefix: str, disk_bytes: int) -> Iterator[Path]:
    """A fresh folder for one run, removed afterwards, that can hold at most `disk_bytes`.

    Where this process may mount (root on Linux) it is a tmpfs of that size, so a
    submission that writes without end gets ENOSPC instead of filling the grader's
    disk; elsewhere the watchdog measures it and stops the run.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-{prefix}"))
    mounted = _mount_tmpfs(folder, disk_bytes)
    try:
        yield folder
    finally:
        if mounted:
            _libc().umount2(str(folder).encode(), 2)  # MNT_DETACH: nothing holds it any more
        shutil.rmtree(folder, ignore_errors=True)


WORK_PREFIX = "autograder-work-"  # then the owner's pid: see remove_leftovers
LEFTOVER = re.compile(rf"{WORK_PREFIX}(\d+)-.*")


def remove_leftovers() -> list[str]:
    """Remove what runs of dead workers left behind: their tmpfs work folders and cgroups.

    A worker killed with SIGKILL cannot unmount its work folder or remove its
    cgroups. Only this grader's, and only those whose owner process is gone.
    """
    removed = [str(folder) for folder in cgroups.remove_leftovers()]
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for folder in base.iterdir():
            owner = LEFTOVER.fullmatch(folder.name)
            if owner is None or cgroups.owner_alive(int(owner[1])):
                continue
            if _is_tmpfs(folder):
                _libc().umount2(str(folder).encode(), 2)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


def _mount_tmpfs(folder: Path, size: int) -> bool:
    if sys.platform != "linux" or os.geteuid() != 0:
        return False
    options = f"size={max(size, 1 << 20)},mode=0700".encode()
    return _libc().mount(b"tmpfs", str(folder).encode(), b"tmpfs", 0, options) == 0


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _is_tmpfs(folder: Path) -> bool:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mounts").read_text().splitlines():
            fields = line.split()
            if len(fields) > 2 and fields[1] == str(folder) and fields[2] == "tmpfs":
                return True
    return False


def is_full(folder: Path) -> bool:
    """Less than a megabyte left on the file system that holds `folder`."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 2**20


def folder_size(folder: Path, stop_at: int) -> int:
    """Bytes under `folder`, counted until `stop_at` is passed (then it is enough to know)."""
    total, pending = 0, [str(folder)]
    while pending and total <= stop_at:
        with contextlib.suppress(OSError), os.scandir(pending.pop()) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    else:
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
    return total


class Sandbox:
    """A work folder and, optionally, read-only data, with what the code inside may see."""

    def __init__(self, work: Path, data: Path | None, hide: Sequence[Path], limits: Limits,
                 readonly: Sequence[str] = ()):
        self.work_host, self.data_host = work.resolve(), data.resolve() if data else None
        # entries of the work folder the code may read but not change (an nbgrader
        # assignment's data files): bound read-only over themselves inside
        self.readonly = [name for name in readonly if (self.work_host / name).exists()]
        self.work_bounded = _is_tmpfs(self.work_host)  # else the watchdog measures it
        self.hide = [p.resolve() for p in hide if p.exists()]
        self.limits = limits
        self.isolated = bubblewrap_works()
        self.work = INSIDE_WORK if self.isolated else str(self.work_host)
        self.data = (INSIDE_DATA if self.isolated else str(self.data_host)) if data else None

    def isolation_name(self) -> str:
        return "bubblewrap sandbox" if self.isolated else "process limits only"

    def run(self, argv: Sequence[str], env: dict[str, str], log: Path,
            wall_seconds: float | None = None, on_start: StartHook | None = None) -> Outcome:
        """Run `argv` (paths as seen inside) to completion or to a limit; kill what is left.

        `on_start(process, cgroups)` runs once the sandbox exists (to fork a warm kernel
        into it); returning False ends the run at once.
        """
        command = self._wrap(list(argv))
        posix = os.name == "posix"  # Windows: no rlimits, no sessions; the watchdog still runs
        cgroups = Cgroups.create(self.limits.memory_bytes, self.limits.processes)
        if cgroups is None:  # the watchdog enforces: the runner stands long enough for a last look
            env = {**env, "AUTOGRADER_EXIT_GRACE": str(WATCHDOG_GRACE)}
        start = time.monotonic()
        with open(log, "ab") as output:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                env=env, cwd=self.work_host, start_new_session=posix,
                preexec_fn=functools.partial(_limit_self, self.limits, cgroups) if posix else None)
        watchdog = _Watchdog(process.pid, self.limits, enforce=cgroups is None,
                             work=None if self.work_bounded else self.work_host)
        watchdog.start()
        killed = ""
        try:
            if on_start is not None and not on_start(process, cgroups):
                killed = "start"
                raise subprocess.TimeoutExpired(command, 0)  # straight to the clean-up
            process.wait(timeout=wall_seconds or self.limits.wall_seconds)
        except subprocess.TimeoutExpired:
            killed = killed or "timeout"
        finally:
            watchdog.stop()
            _kill_everything(process, watchdog.seen, cgroups)
        killed = killed or watchdog.killed or (cgroups.verdict() if cgroups else "")
        outcome = Outcome(process.returncode, time.monotonic() - start, killed,
                          max(watchdog.peak, cgroups.peak() if cgroups else 0),
                          "bubblewrap" if self.isolated else "process limits",
                          disk_limit_mb=self.limits.disk_bytes // 2**20)
        if cgroups:
            cgroups.remove()
        return outcome

    def _wrap(self, argv: list[str]) -> list[str]:
        if not self.isolated:
            return argv
        command = [shutil.which("bwrap") or "bwrap", *_namespace_flags(),
                   "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        for real, inside in python_binds():  # a venv or checkout in /tmp stays visible
            command += ["--ro-bind", str(real), str(inside)]
        for path in self.hide:  # empty folders over everything the code must not read
            command += ["--tmpfs", str(path)] if path.is_dir() else ["--ro-bind", "/dev/null",
                                                                       str(path)]
        command += ["--bind", str(self.work_host), INSIDE_WORK]
        for name in self.readonly:
            command += ["--ro-bind", str(self.work_host / name), f"{INSIDE_WORK}/{name}"]
        if self.data_host:
            command += ["--ro-bind", str(self.data_host), INSIDE_DATA]
        return [*command, "--chdir", INSIDE_WORK, "--", *argv]


def sandboxed_command(bwrap: subprocess.Popen, seconds: float = 10.0) -> int | None:
    """The host PID of the command bubblewrap runs, once it exists.

    Its init (bubblewrap's child) exists before the mounts are done; the command
    is forked from it only afterwards, so its namespaces are the finished ones.
    """
    import psutil

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and bwrap.poll() is None:
        with contextlib.suppress(psutil.Error):
            for init in psutil.Process(bwrap.pid).children():
                commands = init.children()
                if commands:
                    return commands[0].pid
        time.sleep(0.005)
    return None


def rlimits(limits: Limits) -> dict[str, int]:
    return {"RLIMIT_CPU": limits.cpu_seconds, "RLIMIT_FSIZE": limits.file_bytes,
            "RLIMIT_CORE": 0}


def code_roots() -> list[Path]:
    """The folders holding the grader's and the course's code as this process imports them.

    Inside the sandbox they go first on PYTHONPATH, so that the runner and the kernel
    import the very code the coordinator runs, even when the venv's editable install
    points elsewhere (another checkout, or one under a /tmp the sandbox hides).
    """
    import importlib.util

    roots = []
    for package in ("autograder", "cnnbook"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            root = Path(spec.origin).parent.parent
            if root not in roots:
                roots.append(root)
    return roots


def python_env() -> dict[str, str]:
    """PYTHONPATH for what runs inside: the grader's own code roots (see `code_roots`)."""
    return {"PYTHONPATH": os.pathsep.join(str(root) for root in code_roots())}


def python_binds() -> list[tuple[Path, Path]]:
    """(real folder, path inside) for the grader's Python and code where /tmp would hide them.

    The sandbox mounts a private /tmp. A venv or checkout under /tmp, reached as
    Python reports it (maybe through a symlink) or by its real path, is bound at
    both places, so the interpreter, its packages and the code are found inside.
    """
    tmp = Path("/tmp")
    places = [Path(sys.executable).parent.parent, Path(sys.prefix), Path(sys.exec_prefix),
              Path(sys.base_prefix), *code_roots(),
              *(Path(entry) for entry in sys.path if entry and Path(entry).is_dir())]
    binds: dict[Path, Path] = {}
    for place in places:
        seen, real = Path(os.path.abspath(place)), place.resolve()
        for target in (seen, real):
            if target.is_relative_to(tmp) and target != tmp:
                binds.setdefault(target, real)
    # a bind inside another one that already shows the same folder is redundant
    kept = []
    for target, real in sorted(binds.items(), key=lambda item: len(item[0].parts)):
        covered = any(target.is_relative_to(outer) and (outer_real / target.relative_to(outer))
                      .resolve() == real for outer, outer_real in kept)
        if not covered:
            kept.append((target, real))
    return [(real, target) for target, real in kept]


def _limit_self(limits: Limits, cgroups: Cgroups | None) -> None:  # runs in the child
    import resource  # imported at start-up already: an import here could deadlock after fork

    for name, value in rlimits(limits).items():
        hard = value + 5 if name == "RLIMIT_CPU" else value  # SIGXCPU first, then SIGKILL
        resource.setrlimit(getattr(resource, name), (value, hard))
    if cgroups:
        cgroups.enter()


class _Watchdog(threading.Thread):
    """Polls the process tree: peak memory, every PID seen, and limits where no cgroup can."""

    def __init__(self, pid: int, limits: Limits, enforce: bool, work: Path | None = None):
        super().__init__(daemon=True)
        self.pid, self.limits, self.enforce, self.work = pid, limits, enforce, work
        self.seen: dict[int, float] = {}  # pid → start time, so a reused PID is never killed
        self.peak = 0
        self.killed = ""
        self._namespace: str | None = None  # the sandbox's PID namespace, once seen
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil

        polls = 0
        while not self._stop_event.wait(0.2):
            polls += 1
            if self.work is not None and polls % 5 == 0 and folder_size(
                    self.work, self.limits.disk_bytes) > self.limits.disk_bytes:
                self.killed = "disk"
            try:
                root = psutil.Process(self.pid)
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                return
            if self.enforce:  # no cgroup: a warm kernel is in the sandbox, not in this tree
                tree += self._namespace_members(tree)
            for process in tree:
                with contextlib.suppress(psutil.Error):
                    self.seen.setdefault(process.pid, process.create_time())
            rss = 0
            for process in tree:
                with contextlib.suppress(psutil.Error):
                    rss += process.memory_info().rss
            self.peak = max(self.peak, rss)
            self.killed = self.killed or self._over_limit(rss, len(tree))
            if self.killed:
                _kill_pids({p.pid for p in tree})
                return

    def _namespace_members(self, tree: list) -> list:
        """Processes of the sandbox's PID namespace that are not below its root process.

        A warm kernel is forked into the sandbox by the zygote, so it is no descendant
        of the bubblewrap process this watchdog was given. Never the host's namespace.
        """
        import psutil

        if self._namespace is None:
            for process in tree[1:]:
                with contextlib.suppress(OSError):
                    found = os.readlink(f"/proc/{process.pid}/ns/pid")
                    if found != os.readlink("/proc/self/ns/pid"):
                        self._namespace = found
                    break
        if self._namespace is None:
            return []
        known, members = {process.pid for process in tree}, []
        for pid in psutil.pids():
            if pid in known:
                continue
            with contextlib.suppress(OSError, psutil.Error):
                if os.readlink(f"/proc/{pid}/ns/pid") == self._namespace:
                    members.append(psutil.Process(pid))
        return members

    def _over_limit(self, rss: int, processes: int) -> str:
        """The limit the tree is over ("memory", "processes"), or "" (only where enforcing).

        Called only while no verdict stands: a "disk" verdict from the folder check
        above must survive, whatever memory the tree reaches before it is killed.
        """
        if self.enforce and rss > self.limits.memory_bytes:
            return "memory"
        if self.enforce and processes > self.limits.processes:
            return "processes"
        return ""

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


def _kill_everything(process: subprocess.Popen, seen: dict[int, float],
                     cgroups: Cgroups | None) -> None:
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    for _ in range(20):  # processes that left the group: by cgroup, then by what the watchdog saw
        pids = (cgroups.pids() if cgroups else set()) | _alive(seen)
        pids.discard(os.getpid())
        if not pids:
            break
        _kill_pids(pids)
        time.sleep(0.05)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def _alive(seen: dict[int, float]) -> set[int]:
    """Of the processes seen, those that can still run code of their own.

    A killed process whose exit is under way is not: a kernel that loaded Keras
    takes about a second to free its memory, and the sandbox's init waits for it;
    neither will run another instruction of the submission.
    """
    import psutil

    alive = set()
    for pid, started in seen.items():
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(pid)
            if (process.create_time() == started and process.status() != psutil.STATUS_ZOMBIE
                    and not _exiting(pid)):
                alive.add(pid)
    return alive


PF_EXITING = 0x4  # include/linux/sched.h: set at the start of do_exit, never cleared


def _exiting(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return bool(int(fields[6]) & PF_EXITING)  # the 9th field of stat: the task's flags


def _kill_pids(pids: set[int]) -> None:
    kill = getattr(signal, "SIGKILL", signal.SIGTERM)  # Windows has no SIGKILL
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            os.kill(pid, kill)


WATCHDOG_GRACE = 1.0  # seconds: five of the watchdog's polls
cgroups_writable = cgroups.writable  # the zygote and the preflight ask it here


def python() -> str:
    """The interpreter to run inside: this one (its packages are visible read-only)."""
    return sys.executable
