"""Warm kernels: a Python with the assignment's imports done, forked into each sandbox.

Every graded notebook used to pay for a fresh interpreter that imports
ipykernel and, in its first cell, Keras and TensorFlow: about 4 s of CPU, as
much as the training itself under the `cpu` budget. A zygote does those
imports once per worker and forks a kernel for each submission.

The fork must not weaken the sandbox. The worker starts bubblewrap exactly as
for a cold kernel, then hands the zygote a pidfd of the sandbox; the forked
child joins the sandbox's cgroups, takes its rlimits, enters its mount, PID,
network, IPC and UTS namespaces (so it sees only the sandbox's files, has no
network and cannot see the zygote), drops every capability, forks the kernel
inside the sandbox's PID namespace, and exits. The kernel is then a process
of the sandbox like any other: the sandbox's end kills it.

    python -m autograder.sandbox.zygote FD MODULE…   (started by the worker; talks on socket FD)

Linux only, as root (the joined namespaces belong to the host's user
namespace), with bubblewrap; cgroups (v1 or v2) where writable, else the watchdog. Anything
else, or any
failure, falls back to a cold kernel. AUTOGRADER_WARM_KERNELS=0 turns it off.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from autograder.common.files import write_atomic
from autograder.sandbox import isolation

NAMESPACES = 0x20000 | 0x4000000 | 0x8000000 | 0x40000000 | 0x20000000  # mnt uts ipc net pid
CAP_LAST = 63  # capabilities above the kernel's last one are ignored by PR_CAPBSET_DROP
KERNEL_FILE, PID_FILE = "kernel.json", "kernel.pid"
PORTS = range(51001, 51006)  # the sandbox has a network namespace of its own: always free


def enabled() -> bool:
    """Warm kernels can work here (the first fork still proves it; failures fall back)."""
    return (os.environ.get("AUTOGRADER_WARM_KERNELS", "1") != "0" and sys.platform == "linux"
            and hasattr(os, "pidfd_open") and os.geteuid() == 0 and isolation.bubblewrap_works())


_WORKER: dict[str, Any] = {"zygote": None, "gave_up": False}  # this worker process's
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def for_this_worker(modules: list[str]) -> Zygote | None:
    """This worker's zygote preloaded with `modules`, started if need be; None: go cold."""
    if _WORKER["gave_up"] or not enabled():  # without cgroups the watchdog sets the limits
        return None
    current = _WORKER["zygote"]
    if current is not None and (current.modules != modules or current.process.poll() is not None):
        current.close()
        current = None
    if current is None:
        current = _WORKER["zygote"] = Zygote(modules)
    return current


def give_up() -> None:
    """A fork failed: this worker uses cold kernels from now on."""
    _WORKER["gave_up"] = True


@functools.lru_cache(maxsize=8)
def imports_of(notebook_path: Path) -> list[str]:
    """The modules a notebook imports at the top level of its code cells (to preload)."""
    import ast

    import nbformat

    modules = ["ipykernel.kernelapp"]
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.append(node.module)
    return list(dict.fromkeys(modules))  # a list: the zygote's command line, in order


def connection_file(work: Path) -> None:
    """The kernel's ports and key, written before the sandbox starts (no port can be taken)."""
    names = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
    info = {**dict(zip(names, PORTS, strict=True)), "ip": "127.0.0.1", "transport": "tcp",
            "key": secrets.token_hex(32), "signature_scheme": "hmac-sha256",
            "kernel_name": "python3"}
    (work / KERNEL_FILE).write_text(json.dumps(info))


class Zygote:
    """The worker's handle on its zygote process: started once, asked for one kernel per job."""

    def __init__(self, modules: list[str]):
        self.modules = modules
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        os.set_inheritable(theirs.fileno(), True)
        self.process = subprocess.Popen(  # its stderr is the worker's (grade-workers.log)
            [sys.executable, "-m", "autograder.sandbox.zygote", str(theirs.fileno()), *modules],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            # the same sys.path as a cold kernel's, which the runner starts with this PYTHONPATH;
            # one thread at import (else OpenBLAS starts threads and forks are unsafe): each
            # kernel takes its job's count after the fork (_follow_thread_count)
            env={**os.environ, **isolation.python_env(), **SINGLE_THREADED},
            pass_fds=(theirs.fileno(),), start_new_session=True)
        theirs.close()
        self.socket = ours
        self.lock = threading.Lock()  # a Dask worker may grade several notebooks at once
        self._ready: bool | None = None  # the imports run while the worker does other things

    def ready(self) -> bool:
        with self.lock:
            if self._ready is None:
                self.socket.settimeout(300)
                try:
                    self._ready = self.socket.recv(64) == b"ready"
                except OSError:
                    self._ready = False
                self.socket.settimeout(None)
        return self._ready and self.process.poll() is None

    def fork_into(self, sandbox_pid: int, request: dict[str, Any], log: Path) -> bool:
        """Start a kernel in the namespaces of `sandbox_pid`, a process of the sandbox;
        False if it failed."""
        if not self.ready():
            return False
        try:
            pidfd = os.pidfd_open(sandbox_pid)  # the sandbox itself, not whatever reuses its PID
        except OSError:
            return False
        try:
            descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                with self.lock:
                    socket.send_fds(self.socket, [json.dumps(request).encode()],
                                    [pidfd, descriptor])
                    reply = self.socket.recv(4096)
            finally:
                os.close(descriptor)
            return bool(json.loads(reply or b"{}").get("ok", False))
        except (OSError, ValueError):
            return False
        finally:
            os.close(pidfd)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.socket.close()
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()


# ------------------------------------------------------------ the zygote process

def main(argv: list[str]) -> int:
    from autograder.sandbox.startup import skip_slow_optional_imports

    if sys.path and Path(sys.path[0]) == Path.cwd():  # as ipykernel_launcher does: the kernel
        del sys.path[0]  # puts '' back; nothing is imported from the worker's folder meanwhile
    skip_slow_optional_imports()
    channel = socket.socket(fileno=int(argv[0]))
    _die_with_parent()
    for module in argv[1:]:
        with contextlib.suppress(Exception):  # what cannot be imported is imported in the kernel
            importlib.import_module(module)
    if len(os.listdir("/proc/self/task")) > 1:  # an import started a thread: forks are unsafe
        channel.send(b"threads")
        return 1
    channel.send(b"ready")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(channel, 1 << 20, 2)
        except OSError:
            return 0
        if not message:
            return 0  # the worker is gone
        pidfd, log = fds
        child = os.fork()
        if child == 0:
            channel.close()
            _enter_and_fork_kernel(json.loads(message), pidfd, log)  # never returns
        os.close(pidfd)
        os.close(log)
        _, status = os.waitpid(child, 0)  # the child only enters and forks: milliseconds
        channel.send(json.dumps({"ok": os.waitstatus_to_exitcode(status) == 0}).encode())


def _enter_and_fork_kernel(request: dict[str, Any], pidfd: int, log: int) -> None:
    code = 1
    try:
        os.setsid()
        for group in request["cgroups"]:  # while the host's /sys/fs/cgroup is still in view
            Path(group, "cgroup.procs").write_text(str(os.getpid()))
        _set_limits(request["rlimits"])
        if _libc().setns(pidfd, NAMESPACES) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        os.chdir(request["cwd"])
        _drop_privileges()
        if os.fork() == 0:
            _run_kernel(request, log)  # never returns
        code = 0
    except BaseException as error:  # reported in the runner's log; the worker falls back
        with contextlib.suppress(OSError):
            os.write(log, f"warm kernel: {type(error).__name__}: {error}\n".encode())
    os._exit(code)


def _run_kernel(request: dict[str, Any], log: int) -> None:
    try:
        for number in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, max(1 << 16, os.sysconf("SC_OPEN_MAX")))  # the pidfd and the socket
        os.environ.clear()
        os.environ.update(request["env"])
        _follow_thread_count(request["env"])
        connection = request["connection_file"]
        pid_file = Path(request["pid_file"])
        write_atomic(pid_file, str(os.getpid()))
        sys.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", connection]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=["-f", connection])
        code = 0
    except BaseException:  # the kernel's own end: SystemExit and the like
        code = 1
    os._exit(code)


def _follow_thread_count(env: dict[str, str]) -> None:
    """The job's thread count, in the libraries the zygote loaded with the worker's.

    TensorFlow and XLA read theirs from the environment when they first compute,
    which is in the kernel, after the fork; OpenBLAS and OpenMP fixed theirs when
    NumPy was imported into the zygote. A Dask worker's jobs are told their share
    of the host when they run, which can differ from the zygote's.
    """
    count = int(env.get("OMP_NUM_THREADS") or 0)
    if count > 0 and "numpy" in sys.modules:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=count)


def _set_limits(limits: dict[str, int]) -> None:
    import resource

    for name, value in limits.items():
        number = getattr(resource, name)
        resource.setrlimit(number, (value, value if name != "RLIMIT_CPU" else value + 5))


def _drop_privileges() -> None:
    """Root without capabilities, as bubblewrap leaves its own command."""
    libc = _libc()
    libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL
    for capability in range(CAP_LAST + 1):
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP (EINVAL past the last: fine)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    empty = (Data * 2)()
    if libc.capset(ctypes.byref(Header(0x20080522, 0)), empty) != 0:  # version 3: 64 bits
        raise OSError(ctypes.get_errno(), "capset")
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "no_new_privs")


def _die_with_parent() -> None:
    _libc().prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
