"""PRECISION = "auto": bfloat16 only where the CPU computes it natively (CPU flags faked)."""

from __future__ import annotations

import json

import pytest

import cnnbook
from cnnbook import precision
from cnnbook.precision import read_cpu, resolve_precision

AMX_CPU = """processor	: 0
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Platinum 8480+
flags		: fpu sse2 avx avx2 fma avx512f avx512bw avx512_bf16 amx_bf16 amx_tile
"""
AVX512_BF16_CPU = AMX_CPU.replace("Intel(R) Xeon(R) Platinum 8480+", "AMD EPYC 9654").replace(
    " amx_bf16 amx_tile", "")
AVX2_CPU = """processor	: 0
model name	: AMD EPYC 7B12
flags		: fpu sse2 avx avx2 fma
"""
AVX512_NO_BF16_CPU = AVX2_CPU.replace("avx2 fma", "avx2 fma avx512f avx512bw")
ARM_CPU = "processor	: 0\nFeatures	: fp asimd bf16 i8mm\n"


def resolve(cpuinfo, **overrides):
    options = {"cpuinfo": cpuinfo, "system": "Linux", "machine": "x86_64", "cuda_gpu": None,
               "environ": {}}
    return resolve_precision("auto", **{**options, **overrides})


@pytest.mark.parametrize("cpuinfo, flags", [(AMX_CPU, "avx512_bf16, amx_bf16"),
                                            (AVX512_BF16_CPU, "avx512_bf16")])
def test_native_bfloat16_cpus_get_mixed_bfloat16(cpuinfo, flags):
    choice = resolve(cpuinfo)
    assert (choice.policy, choice.reason, choice.detail) == ("mixed_bfloat16", "native_bf16",
                                                             flags)


@pytest.mark.parametrize("cpuinfo", [AVX2_CPU, AVX512_NO_BF16_CPU, ""])
def test_cpus_without_native_bfloat16_get_float32(cpuinfo):
    choice = resolve(cpuinfo)
    assert (choice.policy, choice.reason) == ("float32", "no_native_bf16")


def test_the_avx2_emulation_caps_bfloat16_away():
    choice = resolve(AMX_CPU, environ={"ONEDNN_MAX_CPU_ISA": "AVX2"})
    assert (choice.policy, choice.reason, choice.detail) == ("float32", "isa_capped", "AVX2")
    for cap in ("avx512_core_amx", "ALL", "AVX512_CORE_BF16"):
        assert resolve(AMX_CPU, environ={"ONEDNN_MAX_CPU_ISA": cap}).policy == "mixed_bfloat16"


def test_a_cuda_gpu_gets_mixed_float16_whatever_the_cpu():
    choice = resolve(AVX2_CPU, cuda_gpu="NVIDIA H100")
    assert (choice.policy, choice.reason, choice.detail) == ("mixed_float16", "cuda_gpu",
                                                             "NVIDIA H100")
    assert resolve(AMX_CPU, cuda_gpu="NVIDIA T4", system="Windows").policy == "mixed_float16"


@pytest.mark.parametrize("system, machine, reason", [
    ("Darwin", "arm64", "macos"), ("Darwin", "x86_64", "macos"),
    ("Windows", "AMD64", "windows"), ("Linux", "aarch64", "other_cpu")])
def test_macos_windows_and_other_cpus_get_float32(system, machine, reason):
    # Even with flags that would mean native bfloat16 on Linux x86
    choice = resolve(AMX_CPU if machine != "aarch64" else ARM_CPU, system=system,
                     machine=machine)
    assert (choice.policy, choice.reason) == ("float32", reason)


@pytest.mark.parametrize("policy", ["float32", "mixed_bfloat16", "mixed_float16", "float16"])
def test_explicit_policies_are_kept(policy):
    choice = resolve_precision(policy, cpuinfo=AVX2_CPU, cuda_gpu=None)
    assert (choice.policy, choice.reason) == (policy, "explicit")


def test_unknown_policies_are_refused():
    with pytest.raises(ValueError, match="auto"):
        resolve_precision("bf16")


def test_read_cpu_finds_the_model_and_the_recorded_isa_flags():
    cpu = read_cpu(AMX_CPU)
    assert cpu.model == "Intel(R) Xeon(R) Platinum 8480+"
    assert cpu.isa == ["avx2", "avx512f", "avx512_bf16", "amx_bf16"] and cpu.native_bf16
    assert read_cpu(AVX2_CPU).isa == ["avx2"] and not read_cpu(AVX2_CPU).native_bf16
    assert "bf16" in read_cpu(ARM_CPU).flags


def test_every_reason_is_said_in_both_languages():
    assert set(precision.REASONS["en"]) == set(precision.REASONS["el"])
    choices = [resolve(AMX_CPU), resolve(AVX2_CPU),
               resolve(AMX_CPU, environ={"ONEDNN_MAX_CPU_ISA": "AVX2"}),
               resolve(AVX2_CPU, cuda_gpu="NVIDIA L4"), resolve(AVX2_CPU, system="Darwin"),
               resolve(AVX2_CPU, system="Windows"), resolve(ARM_CPU, machine="aarch64"),
               resolve_precision("float32")]
    assert {choice.reason for choice in choices} == set(precision.REASONS["en"])
    for choice in choices:
        english, greek = choice.describe("en"), choice.describe("el")
        assert choice.policy in english and choice.policy in greek
        assert "{" not in english + greek
        assert english.startswith("precision ")
        # Greek says "ακρίβεια υπολογισμών": "ακρίβεια" alone is accuracy in the Greek edition
        assert greek.startswith("ακρίβεια υπολογισμών ")
    assert "σημαίες: avx2" in resolve(AVX2_CPU).describe("el")


def test_the_language_comes_from_the_environment_or_the_notebook(tmp_path, monkeypatch):
    monkeypatch.delenv("CNNBOOK_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert precision.language() is None
    notebook = tmp_path / "a4.ipynb"
    notebook.write_text(json.dumps({"cells": [], "metadata": {"cnnbook": {"language": "el"}}}))
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    assert precision.language() == "el"
    monkeypatch.setenv("CNNBOOK_LANG", "en")
    assert precision.language() == "en"


def test_use_precision_sets_the_policy_and_says_why(monkeypatch, capsys):
    keras = pytest.importorskip("keras")
    monkeypatch.setattr(precision, "resolve_precision",
                        lambda requested: resolve(AVX2_CPU))
    monkeypatch.delenv("CNNBOOK_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    try:
        assert cnnbook.use_precision("auto", lang="el") == "float32"
        assert keras.mixed_precision.global_policy().name == "float32"
        assert capsys.readouterr().out.startswith("ακρίβεια υπολογισμών float32: ")
        cnnbook.use_precision("auto")  # language unknown: both, one line each
        lines = capsys.readouterr().out.splitlines()
        assert [line.split()[0] for line in lines] == ["precision", "ακρίβεια"]
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.keras
def test_this_machine_resolves_without_faked_flags():
    choice = resolve_precision("auto")
    assert choice.policy in ("float32", "mixed_bfloat16", "mixed_float16")
    assert choice.describe("en") and choice.describe("el")
