"""The numeric precision to train in, chosen from the hardware: `PRECISION = "auto"`.

Mixed precision pays only where the hardware computes in the narrow type
natively. Where it does not, Keras still runs, but emulated bfloat16 is
several times *slower* than float32 (one A4 epoch on a 2-core AVX2 CPU: 277 s
in `mixed_bfloat16`, 42 s in `float32`). So `"auto"` resolves to

- `mixed_float16` where Keras's backend sees a CUDA GPU (tensor cores);
- `mixed_bfloat16` on a Linux x86 CPU whose flags (`/proc/cpuinfo`) include
  `amx_bf16` or `avx512_bf16`, unless `ONEDNN_MAX_CPU_ISA` caps oneDNN below
  the instructions that use them (the benchmarks' AVX2 emulation does that);
- `float32` everywhere else:
  - **macOS**, Apple silicon and Intel alike: no Mac CPU has AVX512_BF16 or
    AMX, and Keras's CPU kernels on Apple silicon have no fast bfloat16 path;
  - **Windows**: the Python standard library cannot read the CPU's flags, and
    almost no Windows machine has native bfloat16; set `"mixed_bfloat16"` by
    hand on one that does (under WSL, Linux's rule applies);
  - Linux on other CPUs (ARM, ...): no measured fast bfloat16 path here.

Explicit policies (`"float32"`, `"mixed_bfloat16"`, `"mixed_float16"`, ...)
are kept as they are. Everything the choice depends on can be passed in, so
tests fake the hardware; nothing here imports Keras until a GPU is looked for.
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import LANGS, pick

AUTO = "auto"
#: The global policies Keras accepts (keras.mixed_precision.Policy).
POLICIES = ("float32", "float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16")
#: CPU flags (Linux /proc/cpuinfo spelling) that mean native bfloat16 arithmetic.
NATIVE_BF16_FLAGS = ("amx_bf16", "avx512_bf16")
#: The ISA flags a benchmark records: enough to tell the CPU classes apart.
ISA_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")
#: oneDNN's ISA caps (ONEDNN_MAX_CPU_ISA) that still allow its bfloat16 kernels.
ONEDNN_BF16_ISAS = frozenset({
    "AVX512_CORE_BF16", "AVX512_CORE_FP16", "AVX512_CORE_AMX", "AVX512_CORE_AMX_FP16",
    "AVX10_1_512", "AVX10_1_512_AMX", "AVX10_1_512_AMX_FP16", "ALL", "DEFAULT"})


@dataclass(frozen=True)
class CpuInfo:
    """A CPU as a benchmark records it: its model name and the ISA flags that matter here."""

    model: str
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def isa(self) -> list[str]:
        """The recorded ISA flags it has, in `ISA_FLAGS` order."""
        return [flag for flag in ISA_FLAGS if flag in self.flags]

    @property
    def native_bf16(self) -> bool:
        return any(flag in self.flags for flag in NATIVE_BF16_FLAGS)


def read_cpu(cpuinfo: str | None = None) -> CpuInfo:
    """The CPU's model and flags, from Linux's /proc/cpuinfo text (or `cpuinfo` if given).

    Elsewhere (macOS, Windows) the flags are unknown and left empty.
    """
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        cpuinfo = path.read_text(errors="replace") if path.exists() else ""
    model, flags = "", set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "model name" and not model:
            model = value.strip()
        elif key in ("flags", "features") and not flags:  # x86 / ARM spelling
            flags = set(value.split())
    return CpuInfo(model or platform.processor() or platform.machine(), frozenset(flags))


@dataclass(frozen=True)
class PrecisionChoice:
    """A resolved policy and why it was chosen (`reason` is a key of `REASONS`)."""

    policy: str
    reason: str
    detail: str = ""

    def describe(self, lang: str) -> str:
        """One sentence in `lang` ("en" or "el"): the policy and the reason for it."""
        return pick(REASONS, lang)[self.reason].format(policy=self.policy, detail=self.detail)


# "ακρίβεια" alone means accuracy in the Greek edition; precision is "ακρίβεια υπολογισμών".
REASONS: dict[str, dict[str, str]] = {
    "en": {
        "explicit": "precision {policy}: set explicitly",
        "cuda_gpu": "precision {policy}: a CUDA GPU ({detail}) computes float16 natively",
        "native_bf16": "precision {policy}: this CPU computes bfloat16 natively ({detail})",
        "no_native_bf16": "precision {policy}: this CPU has no native bfloat16 (flags: "
                          "{detail}); emulated, training in it would be several times slower",
        "isa_capped": "precision {policy}: ONEDNN_MAX_CPU_ISA={detail} keeps oneDNN from "
                      "using the CPU's bfloat16 instructions",
        "macos": "precision {policy}: on macOS ({detail}) Keras has no fast bfloat16 "
                 "implementation for the CPU",
        "windows": "precision {policy}: on Windows the CPU's flags are not read; set "
                   "PRECISION = \"mixed_bfloat16\" by hand on a CPU with AMX or AVX512_BF16",
        "other_cpu": "precision {policy}: no fast bfloat16 is known for {detail} CPUs",
    },
    "el": {
        "explicit": "ακρίβεια υπολογισμών {policy}: ορίστηκε ρητά",
        "cuda_gpu": "ακρίβεια υπολογισμών {policy}: η GPU ({detail}) υπολογίζει εγγενώς σε "
                    "float16",
        "native_bf16": "ακρίβεια υπολογισμών {policy}: αυτή η CPU υπολογίζει εγγενώς σε "
                       "bfloat16 ({detail})",
        "no_native_bf16": "ακρίβεια υπολογισμών {policy}: αυτή η CPU δεν υπολογίζει εγγενώς "
                          "σε bfloat16 (σημαίες: {detail})· με εξομοίωση, η εκπαίδευση θα "
                          "ήταν αρκετές φορές πιο αργή",
        "isa_capped": "ακρίβεια υπολογισμών {policy}: το ONEDNN_MAX_CPU_ISA={detail} δεν "
                      "επιτρέπει στο oneDNN να χρησιμοποιήσει τις εντολές bfloat16 της CPU",
        "macos": "ακρίβεια υπολογισμών {policy}: στο macOS ({detail}) το Keras δεν έχει "
                 "γρήγορη υλοποίηση του bfloat16 για την CPU",
        "windows": "ακρίβεια υπολογισμών {policy}: στα Windows οι σημαίες της CPU δεν "
                   "διαβάζονται· ορίστε με το χέρι PRECISION = \"mixed_bfloat16\" σε CPU "
                   "με AMX ή AVX512_BF16",
        "other_cpu": "ακρίβεια υπολογισμών {policy}: δεν είναι γνωστό γρήγορο bfloat16 για "
                     "CPU {detail}",
    },
}


def resolve_precision(requested: str = AUTO, *, cpuinfo: str | None = None,
                      system: str | None = None, machine: str | None = None,
                      cuda_gpu: str | bool | None = False,
                      environ: dict[str, str] | None = None) -> PrecisionChoice:
    """The policy `requested` stands for on this hardware, and why.

    `cuda_gpu` is the name of a CUDA GPU the backend sees, None for none, or
    False (the default) to ask the backend (`cuda_gpu_name`). `cpuinfo`,
    `system` (platform.system()), `machine` (platform.machine()) and `environ`
    default to this machine's; tests pass fakes.
    """
    if requested != AUTO:
        if requested not in POLICIES:
            raise ValueError(f"precision must be {AUTO!r} or one of {', '.join(POLICIES)}, "
                             f"not {requested!r}")
        return PrecisionChoice(requested, "explicit")
    gpu = cuda_gpu_name() if cuda_gpu is False else cuda_gpu
    if gpu:
        return PrecisionChoice("mixed_float16", "cuda_gpu", str(gpu))
    system = system or platform.system()
    machine = (machine or platform.machine()).lower()
    if system == "Darwin":
        return PrecisionChoice("float32", "macos", machine)
    if system == "Windows":
        return PrecisionChoice("float32", "windows")
    if machine not in ("x86_64", "amd64", "i686", "i386"):
        return PrecisionChoice("float32", "other_cpu", machine)
    cpu = read_cpu(cpuinfo)
    if not cpu.native_bf16:
        return PrecisionChoice("float32", "no_native_bf16", ", ".join(cpu.isa) or "-")
    cap = (os.environ if environ is None else environ).get("ONEDNN_MAX_CPU_ISA", "").strip()
    if cap and cap.upper() not in ONEDNN_BF16_ISAS:
        return PrecisionChoice("float32", "isa_capped", cap)
    return PrecisionChoice("mixed_bfloat16", "native_bf16",
                           ", ".join(f for f in cpu.isa if f in NATIVE_BF16_FLAGS))


def cuda_gpu_name() -> str | None:
    """The name of a CUDA GPU that Keras's backend can use, or None.

    Asks the backend Keras runs on, as `seeding.seed_everything` does, so the
    course code itself never calls `tf.*`, `jax.*` or `torch.*`.
    """
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if not gpus:
            return None
        details = tf.config.experimental.get_device_details(gpus[0])
        return str(details.get("device_name", gpus[0].name))
    if backend == "jax":
        import jax

        gpus = [device for device in jax.devices() if device.platform == "gpu"]
        return str(getattr(gpus[0], "device_kind", gpus[0])) if gpus else None
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return None  # numpy, openvino: CPU only


def language() -> str | None:
    """The edition's language, where it can be known: "en", "el" or None.

    The two editions of a notebook share their code, so the code cannot say
    which one it is in. It is read from `CNNBOOK_LANG`, else from the
    notebook's own metadata (`metadata.cnnbook.language`, which the release
    writes) when Jupyter names the notebook in `JPY_SESSION_NAME`.
    """
    declared = os.environ.get("CNNBOOK_LANG", "").strip().lower()
    if declared in LANGS:
        return declared
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb") and Path(session).is_file():
        import json

        try:
            metadata = json.loads(Path(session).read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError):
            return None
        found = metadata.get("cnnbook", {}).get("language")
        return found if found in LANGS else None
    return None


def use_precision(requested: str = AUTO, lang: str | None = None) -> str:
    """Resolve `requested`, make it Keras's global policy, print why; return the policy.

    The message is in `lang`, else in the edition's language (`language()`),
    else in every language, one line each.
    """
    choice = resolve_precision(requested)
    import keras

    keras.mixed_precision.set_global_policy(choice.policy)
    lang = lang or language()
    for each in ([lang] if lang else LANGS):
        print(choice.describe(each), file=sys.stdout)
    return choice.policy
