"""Helpers shared by the benchmarks: timing, the CPU a result holds for, and provenance.

Every result records its CPU: the model, the ISA flags that set the speed of
Keras on a CPU (AVX2, AVX-512, AVX512_BF16, AMX), and the class they make.
Budgets and claims are stated for the *reference class*, "2 cores of an AVX2
CPU without AVX-512": most students' laptops, many university servers and CI
runners. On a faster CPU, `emulate_cpu_class("avx2")` approximates it:
oneDNN capped at AVX2 (`ONEDNN_MAX_CPU_ISA=AVX2`, which also makes
`PRECISION = "auto"` resolve to float32) and 2 threads on 2 cores.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from cnnbook.assets import provenance, write_json_atomically
from cnnbook.precision import read_cpu

RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE_CLASS = "avx2"
REFERENCE_CLASS_TEXT = "2 cores of an AVX2 CPU without AVX-512"
#: What a process needs to approximate a CPU class on a faster CPU.
EMULATION: dict[str, dict[str, str]] = {
    "avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "OMP_NUM_THREADS": "2",
             "TF_NUM_INTRAOP_THREADS": "2", "TF_NUM_INTEROP_THREADS": "2"},
}
EMULATED_CORES = {"avx2": 2}


def median_seconds(action: Callable[[], object], repeats: int = 3) -> float:
    """Median wall-clock seconds of `repeats` runs of `action`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_seconds() -> float:
    """CPU time this process has used, all its threads together (user + system).

    On a shared machine wall time grows with the other work while CPU time
    grows much less, so CPU seconds / cores estimates the time on idle cores.
    """
    usage = os.times()
    return usage.user + usage.system


def native_class(isa: list[str]) -> str:
    """The class of a CPU with these ISA flags: amx, avx512-bf16, avx512, avx2 or other."""
    for flag, name in [("amx_bf16", "amx"), ("avx512_bf16", "avx512-bf16"),
                       ("avx512f", "avx512"), ("avx2", "avx2")]:
        if flag in isa:
            return name
    return "other"


def cpu_record(cpuinfo: str | None = None, environ: dict[str, str] | None = None) -> dict:
    """This machine's CPU as a result records it; "class" says what the figures hold for."""
    environ = os.environ if environ is None else environ
    cpu = read_cpu(cpuinfo)
    native = native_class(cpu.isa)
    cap = environ.get("ONEDNN_MAX_CPU_ISA", "").strip()
    emulated = cap.upper() == "AVX2" and native != "avx2"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count()
    return {"model": cpu.model, "isa": cpu.isa, "native_class": native,
            "class": f"{REFERENCE_CLASS} (emulated)" if emulated else native,
            "onednn_max_cpu_isa": cap or None, "cores": cores,
            "load_average": [round(v, 2) for v in os.getloadavg()]}


def emulate_cpu_class(name: str) -> dict[str, str]:
    """Make this process and its children approximate CPU class `name`; return the env set."""
    if name not in EMULATION:
        raise ValueError(f"cannot emulate {name!r}; known: {', '.join(EMULATION)}")
    os.environ.update(EMULATION[name])
    if hasattr(os, "sched_setaffinity"):  # at most 2 cores, inherited by the kernels
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, allowed[:EMULATED_CORES[name]])
    return dict(EMULATION[name])


def save(name: str, command: str, results: dict[str, object]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = provenance(command)
    record["machine"]["cpu"] = cpu_record()
    write_json_atomically(path, {**record, "results": results})
    return path
